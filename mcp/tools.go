package mcp

import (
	"slices"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/site"
)

// Deps are what the tools need: the site's REST clients, its schema and a
// clock. Nothing is global; a server builds one Deps per connection.
type Deps struct {
	// Jira and Confluence are nil for a product the site does not have.
	Jira       *atlassian.JiraClient
	Confluence *atlassian.ConfluenceClient
	// Schema holds the current snapshot (possibly none yet). Never nil.
	Schema *schema.Store
	// FetchFields reads create-screen fields the snapshot lacks
	// (schema.Discoverer.CreateFields); nil skips that validation.
	FetchFields schema.FetchFields
	// SiteURL is the site's own URL ("https://acme.atlassian.net"), for
	// browse and page links.
	SiteURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewDeps returns the tools' dependencies on an opened site: its clients,
// its schema store, its discoverer's create-screen reader and its URL.
func NewDeps(s *site.Site) *Deps {
	return &Deps{
		Jira: s.Jira, Confluence: s.Confluence, Schema: s.Schema,
		FetchFields: s.Discoverer.CreateFields, SiteURL: s.Config.URL,
	}
}

// Products lists the site's products.
func Products(s *site.Site) []Product { return slices.Clone(s.Config.Products) }

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// snapshot is the schema snapshot in use, or nil before discovery.
func (d *Deps) snapshot() *schema.Snapshot {
	if d.Schema == nil {
		return nil
	}
	return d.Schema.Current()
}

// AllTools is the registry: the eight tools of TOOLS.md, in their public
// order. Which are offered depends on the site's products and options.
func AllTools(d *Deps) []*Tool {
	return []*Tool{
		jiraSearchTool(d),
		jiraGetIssueTool(d),
		jiraCreateIssueTool(d),
		jiraUpdateIssueTool(d),
		jiraManageIssueTool(d),
		confluenceSearchTool(d),
		confluenceGetPageTool(d),
		confluenceCreatePageTool(d),
	}
}
