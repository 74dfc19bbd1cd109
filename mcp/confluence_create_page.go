package mcp

import (
	"context"
	"errors"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// confluenceCreatePageArgs are the arguments of atlassian_confluence_create_page. (Placeholder until the tool lands.)
type confluenceCreatePageArgs struct{}

// confluenceCreatePageResult is the result of atlassian_confluence_create_page.
type confluenceCreatePageResult struct{}

// Text renders the result compactly.
func (confluenceCreatePageResult) Text() string { return "" }

// confluenceCreatePageTool is atlassian_confluence_create_page. NOT BUILT YET: it answers with an error.
func confluenceCreatePageTool(_ *Deps) *Tool {
	return newTool("atlassian_confluence_create_page", "Create a Confluence page", Confluence, Write,
		func(*schema.Snapshot) string { return "Create a Confluence page (not built yet)." },
		func(context.Context, *confluenceCreatePageArgs) (confluenceCreatePageResult, error) {
			return confluenceCreatePageResult{}, errors.New("atlassian_confluence_create_page is not built yet")
		})
}
