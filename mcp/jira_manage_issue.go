package mcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// jiraManageIssueArgs are the arguments of atlassian_jira_manage_issue.
type jiraManageIssueArgs struct {
	IssueKey       string   `json:"issueKey"`
	Action         string   `json:"action" jsonschema:"enum=add_comment,enum=add_worklog,enum=link_issues,enum=add_labels,enum=remove_labels,enum=assign,enum=unassign,enum=add_watcher"`
	Body           string   `json:"body,omitempty"`
	TimeSpent      string   `json:"timeSpent,omitempty" jsonschema:"duration in w d h m, e.g. 2h 30m"`
	WorklogComment string   `json:"worklogComment,omitempty"`
	TargetIssueKey string   `json:"targetIssueKey,omitempty" jsonschema:"the other issue's key"`
	LinkType       string   `json:"linkType,omitempty" jsonschema:"link phrase, e.g. blocks or is blocked by"`
	Labels         []string `json:"labels,omitempty" jsonschema:"no spaces"`
	AccountID      string   `json:"accountId,omitempty" jsonschema:"name, email, account id or me"`
}

// jiraManageIssueResult is the result of atlassian_jira_manage_issue.
type jiraManageIssueResult struct {
	IssueKey string `json:"issueKey"`
	Action   string `json:"action"`
	// Message says what was done, in a sentence.
	Message string `json:"message"`
	URL     string `json:"url"`
	// CommentID is the new comment's id (add_comment).
	CommentID string `json:"commentId,omitempty"`
	// WorklogID and TimeSpent describe the new worklog (add_worklog).
	WorklogID string `json:"worklogId,omitempty"`
	TimeSpent string `json:"timeSpent,omitempty"`
	// Link is the link made (link_issues).
	Link *linkDone `json:"link,omitempty"`
	// Labels are the labels added or removed.
	Labels []string `json:"labels,omitempty"`
	// User is the assignee or watcher (assign, add_watcher).
	User *resolvedUser `json:"user,omitempty"`
}

// linkDone describes a link that was made: Reads is the sentence it
// means, "ENG-3 blocks ENG-4".
type linkDone struct {
	Type         string `json:"type"`
	InwardIssue  string `json:"inwardIssue"`
	OutwardIssue string `json:"outwardIssue"`
	Reads        string `json:"reads"`
}

// Text renders the result compactly.
func (r jiraManageIssueResult) Text() string { return r.Message + " " + r.URL }

// jiraManageIssueTool is atlassian_jira_manage_issue.
func jiraManageIssueTool(d *Deps) *Tool {
	return newTool("atlassian_jira_manage_issue", "Comment, log work, link, label, assign or watch a Jira issue", Jira, Destructive,
		describeJiraManageIssue,
		func(ctx context.Context, in *jiraManageIssueArgs) (jiraManageIssueResult, error) {
			return d.jiraManageIssue(ctx, in)
		})
}

// describeJiraManageIssue renders the description from the snapshot; the
// site's link phrases are said here, in the one tool that makes links.
func describeJiraManageIssue(snap *schema.Snapshot) string {
	var s section
	s.line("One change to a Jira issue per call; action and its parameters: add_comment (body); " +
		"add_worklog (timeSpent, optional worklogComment; starts now); " +
		"link_issues (targetIssueKey, linkType read as \"issueKey linkType targetIssueKey\": \"blocks\" means issueKey " +
		"blocks targetIssueKey, \"is blocked by\" the reverse); add_labels / remove_labels (labels); assign / add_watcher " +
		"(accountId); unassign. remove_labels and unassign remove data; body and worklogComment are markdown.")
	if lt := linkTypesLine(snap); lt != "" {
		s.field("Link phrases (outward / inward)", lt)
	}
	s.line(`Example: {"issueKey":"%s-12","action":"add_worklog","timeSpent":"1h 30m","worklogComment":"Fixed."}`, firstProjectKey(snap))
	return s.String()
}

// manageParams lists which optional parameters each action uses, for
// the check that refuses parameters an action would ignore.
var manageParams = map[string][]string{
	"add_comment":   {"body"},
	"add_worklog":   {"timeSpent", "worklogComment"},
	"link_issues":   {"targetIssueKey", "linkType"},
	"add_labels":    {"labels"},
	"remove_labels": {"labels"},
	"assign":        {"accountId"},
	"unassign":      {},
	"add_watcher":   {"accountId"},
}

// manageActions is the documented order of the actions.
var manageActions = []string{"add_comment", "add_worklog", "link_issues", "add_labels", "remove_labels", "assign", "unassign", "add_watcher"}

// jiraManageIssue validates the action's parameters, then makes one change.
func (d *Deps) jiraManageIssue(ctx context.Context, in *jiraManageIssueArgs) (jiraManageIssueResult, error) {
	if d.Jira == nil {
		return jiraManageIssueResult{}, errNoJira
	}
	key, err := checkIssueKey("issueKey", in.IssueKey)
	if err != nil {
		return jiraManageIssueResult{}, err
	}
	action := strings.ToLower(strings.TrimSpace(in.Action))
	uses, ok := manageParams[action]
	if !ok {
		if action == "" {
			return jiraManageIssueResult{}, argErrorf("action", "is required: one of %s", strings.Join(manageActions, ", "))
		}
		return jiraManageIssueResult{}, argErrorf("action", "%q is not an action; use one of %s%s", clip(in.Action, 40), strings.Join(manageActions, ", "), manageActionSuggestion(action))
	}
	given := map[string]bool{
		"body": in.Body != "", "timeSpent": in.TimeSpent != "", "worklogComment": in.WorklogComment != "",
		"targetIssueKey": in.TargetIssueKey != "", "linkType": in.LinkType != "", "labels": in.Labels != nil,
		"accountId": in.AccountID != "",
	}
	for _, p := range []string{"body", "timeSpent", "worklogComment", "targetIssueKey", "linkType", "labels", "accountId"} {
		if given[p] && !slices.Contains(uses, p) {
			hint := ""
			if p == "body" && action == "add_worklog" {
				hint = " (the worklog's comment goes in worklogComment)"
			}
			return jiraManageIssueResult{}, argErrorf(p, "is not used by action %s%s; %s takes %s", action, hint, action, paramList(uses))
		}
	}
	res := jiraManageIssueResult{IssueKey: key, Action: action, URL: browseURL(d.SiteURL, key)}
	switch action {
	case "add_comment":
		err = d.addComment(ctx, key, in, &res)
	case "add_worklog":
		err = d.addWorklog(ctx, key, in, &res)
	case "link_issues":
		err = d.linkIssues(ctx, key, in, &res)
	case "add_labels", "remove_labels":
		err = d.changeLabels(ctx, key, action == "add_labels", in, &res)
	case "assign":
		err = d.assignUser(ctx, key, in, &res)
	case "unassign":
		if err = d.Jira.Issues.Unassign(ctx, key); err == nil {
			res.Message = key + " is now unassigned."
		}
	case "add_watcher":
		err = d.addWatcher(ctx, key, in, &res)
	}
	if err != nil {
		if canceled(ctx) {
			return jiraManageIssueResult{}, ctx.Err()
		}
		err = nameErrorFields(err, snapshotFieldNames(d.snapshot()))
		if (action == "add_comment" || action == "add_worklog") && outcomeUnknown(err) {
			what := map[string]string{"add_comment": "comment", "add_worklog": "worklog"}[action]
			return jiraManageIssueResult{}, &uncertainWrite{fmt.Sprintf("%s The %s may or may not have been added (it is not sent twice); read %s "+
				"(atlassian_jira_get_issue) before adding it again", errText(ctx, err), what, key)}
		}
		return jiraManageIssueResult{}, err
	}
	return res, nil
}

// outcomeUnknown reports an error after which a non-idempotent write may
// still have happened: a request sent without an answer (a dropped
// connection, the call's deadline), or a server or gateway error. Errors
// found before anything was sent (arguments, lookups, the limiter, the
// token) are not.
func outcomeUnknown(err error) bool {
	var api *atlassian.APIError
	var rate *atlassian.RateLimitError
	var transport *atlassian.TransportError
	switch {
	case errors.As(err, &rate):
		return false
	case errors.As(err, &api):
		return api.StatusCode >= 500
	case errors.Is(err, tokenstore.ErrTokenExpired), errors.Is(err, tokenstore.ErrClientRejected):
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &transport)
}

// errText renders an error for an LLM; a failure without an answer from
// Jira says so.
func errText(ctx context.Context, err error) string {
	var api *atlassian.APIError
	switch {
	case errors.As(err, &api):
		return describeError(err)
	case timedOut(ctx, err):
		return deadlineText(ctx, "Jira")
	}
	return "Jira did not answer (" + err.Error() + ")."
}

// paramList renders an action's parameters for an error.
func paramList(ps []string) string {
	if len(ps) == 0 {
		return "no other parameters"
	}
	return strings.Join(ps, " and ")
}

func (d *Deps) addComment(ctx context.Context, key string, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	if strings.TrimSpace(in.Body) == "" {
		return argErrorf("body", "is required for add_comment: the comment text, markdown")
	}
	doc, err := markdownParamToADF("body", in.Body)
	if err != nil {
		return err
	}
	c, err := d.Jira.Issues.AddComment(ctx, key, &atlassian.CommentRequest{Body: doc})
	if err != nil {
		return err
	}
	res.CommentID = c.ID
	res.Message = fmt.Sprintf("Added comment %s to %s.", c.ID, key)
	return nil
}

// durationRe matches one part of a Jira duration: "2h", "30m", "1.5d",
// or a bare number of minutes.
var durationRe = lazyRegexp(`^([0-9]+(?:\.[0-9]+)?)([wdhm]?)$`)

// durationSplitRe separates "2h30m" into "2h 30m".
var durationSplitRe = lazyRegexp(`([wdhm])([0-9])`)

// parseTimeSpent validates a Jira duration and returns it normalised
// ("2h30m" → "2h 30m") with its length in seconds (8-hour days, 5-day
// weeks, Jira's defaults).
func parseTimeSpent(s string) (string, int64, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	in = durationSplitRe.ReplaceAllString(in, "$1 $2")
	bad := func(why string) error {
		hint := ""
		if alt := durationSuggestion(in); alt != "" && alt != in {
			if norm, _, err := parseTimeSpent(alt); err == nil {
				hint = fmt.Sprintf("; did you mean %q?", norm)
			}
		}
		return argErrorf("timeSpent", "%q is not a Jira duration%s%s Use w, d, h and m, e.g. \"2h 30m\", \"1d\", \"45m\" (a day is 8h, a week 5d)", clip(s, 40), why, hint)
	}
	if in == "" {
		return "", 0, argErrorf("timeSpent", "is required for add_worklog: a Jira duration such as \"2h 30m\" or \"1d\"")
	}
	var total float64
	seen := map[string]bool{}
	parts := strings.Fields(in)
	for _, p := range parts {
		m := durationRe.FindStringSubmatch(p)
		if m == nil {
			return "", 0, bad("")
		}
		unit := m[2]
		if unit == "" {
			unit = "m"
			if len(parts) > 1 {
				return "", 0, bad(" (every part needs a unit)")
			}
		}
		if seen[unit] {
			return "", 0, bad(" (a unit appears twice)")
		}
		seen[unit] = true
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil || n > 1e5 {
			return "", 0, bad("")
		}
		total += n * map[string]float64{"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}[unit]
	}
	if total < 60 {
		return "", 0, bad(" (it must be at least one minute)")
	}
	if total > 10*5*8*3600*52 {
		return "", 0, bad(" (more than ten years of work)")
	}
	if len(parts) == 1 && durationRe.FindStringSubmatch(parts[0])[2] == "" {
		in += "m"
	}
	return in, int64(total), nil
}

// durationWordRe matches a number followed by a unit in words ("90
// minutes", "2 hrs", "1 day").
var durationWordRe = lazyRegexp(`([0-9]+(?:\.[0-9]+)?)\s*(weeks?|wks?|days?|hours?|hrs?|minutes?|mins?)\b`)

// durationClockRe matches a clock-style duration, "1:30" (h:mm).
var durationClockRe = lazyRegexp(`^([0-9]{1,3}):([0-5][0-9])$`)

// durationSuggestion rewrites what agents write for a duration ("90
// minutes", "2 hours and 15 mins", "1:30") in Jira's notation, or "".
// s is lower case.
func durationSuggestion(s string) string {
	if len(s) > 64 {
		return ""
	}
	if m := durationClockRe.FindStringSubmatch(s); m != nil {
		if m[2] == "00" {
			return m[1] + "h"
		}
		return m[1] + "h " + strings.TrimPrefix(m[2], "0") + "m"
	}
	out := durationWordRe.ReplaceAllStringFunc(s, func(w string) string {
		m := durationWordRe.FindStringSubmatch(w)
		unit := map[byte]string{'w': "w", 'd': "d", 'h': "h", 'm': "m"}[m[2][0]]
		return m[1] + unit
	})
	out = strings.NewReplacer(" and ", " ", ",", " ").Replace(out)
	return strings.Join(strings.Fields(out), " ")
}

func (d *Deps) addWorklog(ctx context.Context, key string, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	spent, _, err := parseTimeSpent(in.TimeSpent)
	if err != nil {
		return err
	}
	req := &atlassian.WorklogRequest{TimeSpent: spent, Started: d.now()}
	if strings.TrimSpace(in.WorklogComment) != "" {
		if req.Comment, err = markdownParamToADF("worklogComment", in.WorklogComment); err != nil {
			return err
		}
	}
	w, err := d.Jira.Issues.AddWorklog(ctx, key, req, nil)
	if err != nil {
		return err
	}
	res.WorklogID, res.TimeSpent = w.ID, spent
	if w.TimeSpent != "" {
		res.TimeSpent = w.TimeSpent
	}
	res.Message = fmt.Sprintf("Logged %s on %s (worklog %s).", res.TimeSpent, key, w.ID)
	return nil
}

func (d *Deps) linkIssues(ctx context.Context, key string, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	if strings.TrimSpace(in.TargetIssueKey) == "" {
		return argErrorf("targetIssueKey", "is required for link_issues: the other issue's key")
	}
	target, err := checkIssueKey("targetIssueKey", in.TargetIssueKey)
	if err != nil {
		return err
	}
	if target == key {
		return argErrorf("targetIssueKey", "is the same issue as issueKey; an issue cannot be linked to itself")
	}
	phrase := strings.TrimSpace(in.LinkType)
	if phrase == "" {
		return argErrorf("linkType", "is required for link_issues: a phrase such as \"blocks\", \"is blocked by\" or \"relates to\"")
	}
	var types []atlassian.IssueLinkType
	if snap := d.snapshot(); snap != nil && snap.Jira != nil && len(snap.Jira.LinkTypes) > 0 {
		for _, lt := range snap.Jira.LinkTypes {
			types = append(types, atlassian.IssueLinkType{ID: lt.ID, Name: lt.Name, Inward: lt.Inward, Outward: lt.Outward})
		}
	} else if types, err = d.Jira.Meta.LinkTypes(ctx); err != nil {
		return err
	}
	req, err := atlassian.ResolveLink(types, key, phrase, target)
	if err != nil {
		var phrases, all []string
		for _, lt := range types {
			phrases = append(phrases, fmt.Sprintf("%q / %q (%s)", lt.Outward, lt.Inward, lt.Name))
			all = append(all, lt.Outward, lt.Inward)
		}
		return argErrorf("linkType", "%q matches no link type name or phrase; link types (outward / inward phrase): %s%s",
			clip(phrase, 60), strings.Join(phrases, ", "), linkSuggestion(phrase, all))
	}
	if err := d.Jira.IssueLinks.Create(ctx, req); err != nil {
		return d.linkNotFound(ctx, err, key, target)
	}
	var lt atlassian.IssueLinkType
	for _, t := range types {
		if t.ID == req.Type.ID && t.Name == req.Type.Name {
			lt = t
		}
	}
	reads := fmt.Sprintf("%s %s %s", req.InwardIssue.Key, lt.Outward, req.OutwardIssue.Key)
	res.Link = &linkDone{Type: lt.Name, InwardIssue: req.InwardIssue.Key, OutwardIssue: req.OutwardIssue.Key, Reads: reads}
	res.Message = "Linked: " + reads + "."
	return nil
}

func (d *Deps) changeLabels(ctx context.Context, key string, add bool, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	verb := "remove_labels"
	if add {
		verb = "add_labels"
	}
	if len(in.Labels) == 0 {
		return argErrorf("labels", "is required for %s: an array of labels", verb)
	}
	labels, err := checkLabels("labels", in.Labels)
	if err != nil {
		return err
	}
	ops := make([]atlassian.FieldOperation, len(labels))
	for i, l := range labels {
		if add {
			ops[i] = atlassian.FieldOperation{Add: l}
		} else {
			ops[i] = atlassian.FieldOperation{Remove: l}
		}
	}
	req := &atlassian.IssueRequest{Update: map[string][]atlassian.FieldOperation{"labels": ops}}
	if err := d.Jira.Issues.Edit(ctx, key, req, nil); err != nil {
		return err
	}
	res.Labels = labels
	if add {
		res.Message = fmt.Sprintf("Added labels %s to %s.", strings.Join(labels, ", "), key)
	} else {
		res.Message = fmt.Sprintf("Removed labels %s from %s (labels it did not have are ignored).", strings.Join(labels, ", "), key)
	}
	return nil
}

func (d *Deps) assignUser(ctx context.Context, key string, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	if strings.TrimSpace(in.AccountID) == "" {
		return argErrorf("accountId", "is required for assign: a display name, email, account id or me (to clear the assignee use unassign)")
	}
	u, err := d.resolveUser(ctx, "accountId", in.AccountID, userScope{IssueKey: key})
	if err != nil {
		return err
	}
	if err := d.Jira.Issues.Assign(ctx, key, u.AccountID); err != nil {
		return err
	}
	res.User = &u
	res.Message = fmt.Sprintf("Assigned %s to %s.", key, u)
	return nil
}

func (d *Deps) addWatcher(ctx context.Context, key string, in *jiraManageIssueArgs, res *jiraManageIssueResult) error {
	if strings.TrimSpace(in.AccountID) == "" {
		return argErrorf("accountId", "is required for add_watcher: a display name, email, account id or me (the connected user)")
	}
	u, err := d.resolveUser(ctx, "accountId", in.AccountID, userScope{})
	if err != nil {
		return err
	}
	if err := d.Jira.Issues.AddWatcher(ctx, key, u.AccountID); err != nil {
		var apiErr *atlassian.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound && strings.Contains(strings.ToLower(strings.Join(apiErr.Messages(), " ")), "user") {
			return argErrorf("accountId", "no user has account id %q (Jira: %s). Give the person's display name or email instead, or me for the connected user",
				clip(u.AccountID, 80), strings.Join(apiMessages(apiErr), " "))
		}
		return err
	}
	res.User = &u
	res.Message = fmt.Sprintf("%s now watches %s.", u, key)
	return nil
}

// linkConventions maps phrases agents use for links to the default
// phrases they mean ("depends on" is "is blocked by").
var linkConventions = map[string]string{
	"depends on": "is blocked by", "depends": "is blocked by", "blocked by": "is blocked by", "is blocking": "blocks",
	"blocking": "blocks", "block": "blocks", "related to": "relates to", "related": "relates to", "relates": "relates to",
	"duplicate of": "duplicates", "is duplicate of": "duplicates", "duplicate": "duplicates", "is a duplicate of": "duplicates",
	"clone of": "clones", "is clone of": "clones", "is a clone of": "clones", "cloned from": "clones",
	"is required by": "blocks", "requires": "is blocked by", "prerequisite of": "blocks",
}

// linkSuggestion is ". Did you mean \"is blocked by\"?" when phrase is a
// known way to say one of the site's phrases, or spelt like one; else "".
func linkSuggestion(phrase string, phrases []string) string {
	p := strings.ToLower(strings.Join(strings.Fields(phrase), " "))
	if want, ok := linkConventions[p]; ok {
		if i := slices.IndexFunc(phrases, func(s string) bool { return strings.EqualFold(s, want) }); i >= 0 {
			return fmt.Sprintf(". Did you mean %q?", phrases[i])
		}
	}
	if c := schema.Closest(phrase, phrases); c != "" {
		return fmt.Sprintf(". Did you mean %q?", c)
	}
	return ""
}

// manageActionAliases maps what agents call an action, folded (no "_",
// "-" or space), to the action.
var manageActionAliases = map[string]string{
	"comment": "add_comment", "addcomment": "add_comment", "reply": "add_comment", "note": "add_comment",
	"worklog": "add_worklog", "logwork": "add_worklog", "logtime": "add_worklog", "log": "add_worklog", "addtime": "add_worklog", "timelog": "add_worklog",
	"link": "link_issues", "linkissue": "link_issues", "addlink": "link_issues", "createlink": "link_issues",
	"label": "add_labels", "labels": "add_labels", "addlabel": "add_labels", "tag": "add_labels",
	"removelabel": "remove_labels", "deletelabel": "remove_labels", "deletelabels": "remove_labels", "untag": "remove_labels",
	"assignee": "assign", "assignissue": "assign", "setassignee": "assign", "assignto": "assign",
	"removeassignee": "unassign", "clearassignee": "unassign",
	"watch": "add_watcher", "addwatchers": "add_watcher", "watcher": "add_watcher", "follow": "add_watcher",
}

// manageActionSuggestion is ". Did you mean \"add_comment\"?" for an
// action spelt another way, or a pointer to atlassian_jira_update_issue
// for what it does; else "".
func manageActionSuggestion(action string) string {
	f := foldParam(action)
	switch f {
	case "transition", "move", "setstatus", "status", "close", "resolve", "update", "updatefields", "edit":
		return ". Transitions and field edits are made with atlassian_jira_update_issue"
	}
	if a, ok := manageActionAliases[f]; ok {
		return fmt.Sprintf(". Did you mean %q?", a)
	}
	if c := schema.Closest(action, manageActions); c != "" {
		return fmt.Sprintf(". Did you mean %q?", c)
	}
	return ""
}

// linkNotFound names which of the two issues of a refused link does not
// exist, with one read of the target made only on this error path.
func (d *Deps) linkNotFound(ctx context.Context, err error, key, target string) error {
	var apiErr *atlassian.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusNotFound {
		return err
	}
	param, missing := "issueKey", key
	if _, gerr := d.Jira.Issues.Get(ctx, target, &atlassian.IssueGetOptions{Fields: []string{"summary"}}); gerr != nil {
		var ge *atlassian.APIError
		if !errors.As(gerr, &ge) || ge.StatusCode != http.StatusNotFound {
			return err
		}
		param, missing = "targetIssueKey", target
	}
	return argErrorf(param, "issue %s does not exist or you may not see it (Jira: %s).%s Check the key, or find the issue with atlassian_jira_search.",
		missing, strings.Join(apiMessages(apiErr), " "), unknownProjectHint(d.snapshot(), missing))
}
