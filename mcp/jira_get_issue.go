package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraGetIssueArgs are the arguments of atlassian_jira_get_issue. (Placeholder until the tool lands.)
type jiraGetIssueArgs struct{}

// jiraGetIssueResult is the result of atlassian_jira_get_issue.
type jiraGetIssueResult struct{}

// Text renders the result compactly.
func (jiraGetIssueResult) Text() string { return "" }

// jiraGetIssueTool is atlassian_jira_get_issue. NOT BUILT YET: it answers with an error.
func jiraGetIssueTool(_ *Deps) *Tool {
	return newTool("atlassian_jira_get_issue", "Get a Jira issue", Jira, ReadOnly,
		func(*schema.Snapshot) string { return "Get a Jira issue (not built yet)." },
		func(context.Context, *jiraGetIssueArgs) (jiraGetIssueResult, error) {
			return jiraGetIssueResult{}, errors.New("atlassian_jira_get_issue is not built yet")
		})
}
