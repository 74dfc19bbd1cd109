package site_test

import (
	"context"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/site"
)

// TestNewWiresTheProductsItHas builds a site per product set over a sandbox
// and discovers its schema through the wired clients.
func TestNewWiresTheProductsItHas(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	tests := []struct {
		name     string
		products []atlassian.Product
		jira     bool
		conf     bool
	}{
		{"jira only", []atlassian.Product{atlassian.ProductJira}, true, false},
		{"confluence only", []atlassian.Product{atlassian.ProductConfluence}, false, true},
		{"both", []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache := schema.NewCache(t.TempDir())
			st, err := site.New(site.Config{
				HTTPClient: sb.HTTPClient(), APIURL: sb.URL,
				CloudID: sb.CloudID, Name: sb.SiteName, URL: sb.SiteURL,
				Products: tt.products, Connection: "c", Cache: cache,
			})
			if err != nil {
				t.Fatal(err)
			}
			if (st.Jira != nil) != tt.jira || (st.Confluence != nil) != tt.conf {
				t.Fatalf("clients: jira %v confluence %v, want %v %v", st.Jira != nil, st.Confluence != nil, tt.jira, tt.conf)
			}
			if st.Has(atlassian.ProductJira) != tt.jira || st.Has(atlassian.ProductConfluence) != tt.conf {
				t.Fatalf("Has disagrees with the products %v", tt.products)
			}
			if st.Schema.Current() != nil {
				t.Fatal("a snapshot before any discovery")
			}
			st.LoadSchema(context.Background(), true)
			snap := st.Schema.Current()
			if snap == nil || len(snap.Failures) > 0 {
				t.Fatalf("discovery: %+v", snap)
			}
			if got := snap.Jira != nil && len(snap.Jira.Projects) > 0; got != tt.jira {
				t.Errorf("projects discovered: %v, want %v", got, tt.jira)
			}
			if got := snap.Confluence != nil && len(snap.Confluence.Spaces) > 0; got != tt.conf {
				t.Errorf("spaces discovered: %v, want %v", got, tt.conf)
			}
			// The snapshot was cached under the connection's name.
			if _, err := cache.Load("c"); err != nil {
				t.Fatalf("cache after discovery: %v", err)
			}
		})
	}
}

func TestNewNeedsAnHTTPClient(t *testing.T) {
	if _, err := site.New(site.Config{}); err == nil {
		t.Fatal("New without an HTTP client succeeded")
	}
}
