package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraManageIssueArgs are the arguments of atlassian_jira_manage_issue. (Placeholder until the tool lands.)
type jiraManageIssueArgs struct{}

// jiraManageIssueResult is the result of atlassian_jira_manage_issue.
type jiraManageIssueResult struct{}

// Text renders the result compactly.
func (jiraManageIssueResult) Text() string { return "" }

// jiraManageIssueTool is atlassian_jira_manage_issue. NOT BUILT YET: it answers with an error.
func jiraManageIssueTool(_ *Deps) *Tool {
	return newTool("atlassian_jira_manage_issue", "Manage a Jira issue", Jira, Destructive,
		func(*schema.Snapshot) string { return "Manage a Jira issue (not built yet)." },
		func(context.Context, *jiraManageIssueArgs) (jiraManageIssueResult, error) {
			return jiraManageIssueResult{}, errors.New("atlassian_jira_manage_issue is not built yet")
		})
}
