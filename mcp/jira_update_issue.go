package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraUpdateIssueArgs are the arguments of atlassian_jira_update_issue. (Placeholder until the tool lands.)
type jiraUpdateIssueArgs struct{}

// jiraUpdateIssueResult is the result of atlassian_jira_update_issue.
type jiraUpdateIssueResult struct{}

// Text renders the result compactly.
func (jiraUpdateIssueResult) Text() string { return "" }

// jiraUpdateIssueTool is atlassian_jira_update_issue. NOT BUILT YET: it answers with an error.
func jiraUpdateIssueTool(_ *Deps) *Tool {
	return newTool("atlassian_jira_update_issue", "Update a Jira issue", Jira, Destructive,
		func(*schema.Snapshot) string { return "Update a Jira issue (not built yet)." },
		func(context.Context, *jiraUpdateIssueArgs) (jiraUpdateIssueResult, error) {
			return jiraUpdateIssueResult{}, errors.New("atlassian_jira_update_issue is not built yet")
		})
}
