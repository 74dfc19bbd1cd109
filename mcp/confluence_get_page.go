package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// confluenceGetPageArgs are the arguments of atlassian_confluence_get_page. (Placeholder until the tool lands.)
type confluenceGetPageArgs struct{}

// confluenceGetPageResult is the result of atlassian_confluence_get_page.
type confluenceGetPageResult struct{}

// Text renders the result compactly.
func (confluenceGetPageResult) Text() string { return "" }

// confluenceGetPageTool is atlassian_confluence_get_page. NOT BUILT YET: it answers with an error.
func confluenceGetPageTool(_ *Deps) *Tool {
	return newTool("atlassian_confluence_get_page", "Get a Confluence page", Confluence, ReadOnly,
		func(*schema.Snapshot) string { return "Get a Confluence page (not built yet)." },
		func(context.Context, *confluenceGetPageArgs) (confluenceGetPageResult, error) {
			return confluenceGetPageResult{}, errors.New("atlassian_confluence_get_page is not built yet")
		})
}
