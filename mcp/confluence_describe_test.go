package mcp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// TestConfluenceDescriptions checks the three descriptions: generic before
// discovery, the site's real space keys after it (listed in search only),
// and under 2 KB each even on a site with 250 spaces.
func TestConfluenceDescriptions(t *testing.T) {
	huge := &schema.Snapshot{Products: []atlassian.Product{atlassian.ProductConfluence}, Confluence: &schema.Confluence{MoreSpaces: true}}
	for i := range 250 {
		huge.Confluence.Spaces = append(huge.Confluence.Spaces, &schema.Space{ID: fmt.Sprint(1000 + i),
			Key: fmt.Sprintf("SPACE%03d", i), Name: fmt.Sprintf("A rather long space name for team number %d", i)})
	}
	small := &schema.Snapshot{Products: []atlassian.Product{atlassian.ProductConfluence}, Confluence: &schema.Confluence{Spaces: []*schema.Space{
		{ID: "1", Key: "DOCS", Name: "Documentation"}, {ID: "2", Key: "HR", Name: "People"}}}}
	var tools []*Tool // search, get_page, create_page
	for _, name := range []string{"atlassian_confluence_search", "atlassian_confluence_get_page", "atlassian_confluence_create_page"} {
		for _, tool := range AllTools(&Deps{}) {
			if tool.Name == name {
				tools = append(tools, tool)
			}
		}
	}
	if len(tools) != 3 {
		t.Fatalf("%d Confluence tools registered, want 3", len(tools))
	}
	for _, tool := range tools {
		t.Run(tool.Name, func(t *testing.T) {
			generic := tool.Describe(nil)
			if generic == "" || strings.Contains(generic, "DOCS") || len(generic) > 2048 {
				t.Errorf("before discovery (%d bytes): %s", len(generic), generic)
			}
			withSmall := tool.Describe(small)
			if tool.Name == "atlassian_confluence_search" && !strings.Contains(withSmall, "DOCS - Documentation") {
				t.Errorf("spaces not listed:\n%s", withSmall)
			}
			withHuge := tool.Describe(huge)
			if len(withHuge) > 2048 {
				t.Errorf("%d bytes on a 250-space site:\n%s", len(withHuge), withHuge)
			}
			if tool.Name == "atlassian_confluence_search" && (!strings.Contains(withHuge, "SPACE000") || strings.Contains(withHuge, "SPACE100") || !strings.Contains(withHuge, "more")) {
				t.Errorf("250 spaces not capped with a count:\n%s", withHuge)
			}
		})
	}
	if d := tools[0].Describe(small); !strings.Contains(d, `space = DOCS AND text ~ "runbook"`) {
		t.Errorf("search examples do not use a real key:\n%s", d)
	}
	if d := tools[2].Describe(small); !strings.Contains(d, "confluence-page:DOCS/") {
		t.Errorf("create examples do not use a real key:\n%s", d)
	}
}
