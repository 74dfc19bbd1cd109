package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraSearchArgs are the arguments of atlassian_jira_search. (Placeholder until the tool lands.)
type jiraSearchArgs struct{}

// jiraSearchResult is the result of atlassian_jira_search.
type jiraSearchResult struct{}

// Text renders the result compactly.
func (jiraSearchResult) Text() string { return "" }

// jiraSearchTool is atlassian_jira_search. NOT BUILT YET: it answers with an error.
func jiraSearchTool(_ *Deps) *Tool {
	return newTool("atlassian_jira_search", "Search Jira issues", Jira, ReadOnly,
		func(*schema.Snapshot) string { return "Search Jira issues (not built yet)." },
		func(context.Context, *jiraSearchArgs) (jiraSearchResult, error) {
			return jiraSearchResult{}, errors.New("atlassian_jira_search is not built yet")
		})
}
