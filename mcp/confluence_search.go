package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// confluenceSearchArgs are the arguments of atlassian_confluence_search. (Placeholder until the tool lands.)
type confluenceSearchArgs struct{}

// confluenceSearchResult is the result of atlassian_confluence_search.
type confluenceSearchResult struct{}

// Text renders the result compactly.
func (confluenceSearchResult) Text() string { return "" }

// confluenceSearchTool is atlassian_confluence_search. NOT BUILT YET: it answers with an error.
func confluenceSearchTool(_ *Deps) *Tool {
	return newTool("atlassian_confluence_search", "Search Confluence", Confluence, ReadOnly,
		func(*schema.Snapshot) string { return "Search Confluence (not built yet)." },
		func(context.Context, *confluenceSearchArgs) (confluenceSearchResult, error) {
			return confluenceSearchResult{}, errors.New("atlassian_confluence_search is not built yet")
		})
}
