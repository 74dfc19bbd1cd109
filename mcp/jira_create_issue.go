package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraCreateIssueArgs are the arguments of atlassian_jira_create_issue. (Placeholder until the tool lands.)
type jiraCreateIssueArgs struct{}

// jiraCreateIssueResult is the result of atlassian_jira_create_issue.
type jiraCreateIssueResult struct{}

// Text renders the result compactly.
func (jiraCreateIssueResult) Text() string { return "" }

// jiraCreateIssueTool is atlassian_jira_create_issue. NOT BUILT YET: it answers with an error.
func jiraCreateIssueTool(_ *Deps) *Tool {
	return newTool("atlassian_jira_create_issue", "Create a Jira issue", Jira, Write,
		func(*schema.Snapshot) string { return "Create a Jira issue (not built yet)." },
		func(context.Context, *jiraCreateIssueArgs) (jiraCreateIssueResult, error) {
			return jiraCreateIssueResult{}, errors.New("atlassian_jira_create_issue is not built yet")
		})
}
