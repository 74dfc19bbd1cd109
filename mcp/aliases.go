package mcp

import (
	"fmt"
	"slices"
	"strings"
)

// paramAliases maps what agents call a parameter, folded (lower case, no
// "_", "-" or space), to the parameter names it may mean. A tool's own
// names decide which one applies ("type" is issueType when creating an
// issue and linkType when linking).
var paramAliases = map[string][]string{
	"project": {"projectKey"}, "projectid": {"projectKey"}, "projectname": {"projectKey"},
	"type": {"issueType", "linkType"}, "issuetypename": {"issueType"}, "issuetypeid": {"issueType"},
	"title": {"summary"}, "name": {"summary", "title"}, "pagetitle": {"title"}, "subject": {"summary"},
	"desc": {"description"}, "details": {"description"},
	"key": {"issueKey"}, "issue": {"issueKey"}, "issueid": {"issueKey"}, "ticket": {"issueKey"},
	"comment": {"body", "transitionComment"}, "text": {"body", "content"}, "body": {"content", "description"}, "contents": {"content"}, "message": {"body"},
	"markdown": {"content", "body", "description"},
	"space":    {"spaceKey"}, "spaceid": {"spaceKey"}, "spacename": {"spaceKey"},
	"parent": {"parentKey", "parentPageId"}, "parentid": {"parentPageId", "parentKey"}, "parentpage": {"parentPageId"},
	"parentissue": {"parentKey"}, "parentissuekey": {"parentKey"}, "epic": {"parentKey"}, "epickey": {"parentKey"},
	"id": {"pageId", "issueKey"}, "page": {"pageId"},
	"target": {"targetIssueKey"}, "targetkey": {"targetIssueKey"}, "targetissue": {"targetIssueKey"},
	"linkedissue": {"targetIssueKey"}, "linkedissuekey": {"targetIssueKey"}, "outwardissue": {"targetIssueKey"},
	"link": {"linkType"}, "linktypename": {"linkType"}, "relation": {"linkType"},
	"user": {"accountId"}, "account": {"accountId"}, "userid": {"accountId"}, "watcher": {"accountId"}, "email": {"accountId"},
	"label": {"labels"}, "tags": {"labels"}, "tag": {"labels"},
	"query": {"jql", "cql"}, "q": {"jql", "cql"}, "search": {"jql", "cql"},
	"max": {"maxResults", "limit"}, "pagesize": {"maxResults", "limit"}, "size": {"maxResults", "limit"},
	"count": {"maxResults", "limit"}, "limit": {"maxResults"}, "maxresults": {"limit"},
	"offset": {"startAt"}, "start": {"startAt"}, "skip": {"startAt"},
	"pagetoken": {"nextPageToken", "cursor"}, "token": {"nextPageToken", "cursor"}, "next": {"nextPageToken", "cursor"},
	"nextcursor": {"cursor"},
	"transition": {"transitionName"}, "transitionid": {"transitionName"}, "tostatus": {"transitionName"},
	"targetstatus": {"transitionName"}, "newstatus": {"transitionName"},
	"time": {"timeSpent"}, "duration": {"timeSpent"}, "timelogged": {"timeSpent"},
	"children": {"includeChildren"}, "ancestors": {"includeAncestors"}, "withbody": {"includeBody"},
	"custom": {"customFields"}, "customfield": {"customFields"},
}

// foreignParams are parameters of another tool that agents send to the
// wrong one: the answer names the tool that takes them.
var foreignParams = map[string]map[string]string{
	"atlassian_jira_manage_issue": {
		"transitionname": `moving an issue through its workflow is atlassian_jira_update_issue's job: call it with {"issueKey": ..., "action": "transition", "transitionName": ...}`,
		"transition":     `moving an issue through its workflow is atlassian_jira_update_issue's job: call it with {"issueKey": ..., "action": "transition", "transitionName": ...}`,
		"status":         `moving an issue through its workflow is atlassian_jira_update_issue's job: call it with {"issueKey": ..., "action": "transition", "transitionName": ...}`,
		"fields":         `editing fields is atlassian_jira_update_issue's job: call it with {"issueKey": ..., "action": "update_fields", "fields": ...}`,
		"customfields":   `editing fields is atlassian_jira_update_issue's job: call it with {"issueKey": ..., "action": "update_fields", "customFields": ...}`,
	},
}

// foldParam folds a parameter name for paramAliases.
func foldParam(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', ' ':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// aliasAdvice is the answer to unknown top-level parameters that are
// other names for parameters in valid ("title" for summary): rename them,
// with their values, all in one answer. It is "" when none is a known alias.
func aliasAdvice(args any, valid []string) string {
	m, _ := args.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var from, to []string
	renamed := map[string]any{}
	for _, k := range keys {
		if slices.ContainsFunc(valid, func(v string) bool { return strings.EqualFold(v, k) }) {
			continue
		}
		for _, want := range paramAliases[foldParam(k)] {
			if _, taken := m[want]; !taken && slices.Contains(valid, want) && renamed[want] == nil {
				from, to = append(from, k), append(to, want)
				renamed[want] = m[k]
				break
			}
		}
	}
	switch len(from) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("unknown parameter; did you mean %s? Rename it: %s", to[0], compactJSON(renamed))
	}
	return fmt.Sprintf("unknown parameters %s; did you mean %s? Rename them: %s", strings.Join(from, ", "), strings.Join(to, ", "), compactJSON(renamed))
}
