package sandbox

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// TestConfluenceGolden pins the exact response shapes of the Confluence
// endpoints against testdata/confluence/*.json, so a shape change shows in
// review. Rewrite with UPDATE_GOLDEN=1 go test ./sandbox/.
func TestConfluenceGolden(t *testing.T) {
	c := newConfClient(t)
	fo := c.page("ENG", "Database failover runbook").ID
	home := c.srv.ConfluenceSpaces()[0].HomepageID
	eng := c.spaceID("ENG")
	tests := []struct {
		name   string
		method string
		path   string
		body   string
	}{
		{"page_storage", "GET", "/wiki/api/v2/pages/" + fo + "?body-format=storage&include-labels=true", ""},
		{"page_adf", "GET", "/wiki/api/v2/pages/" + fo + "?body-format=atlas_doc_format", ""},
		{"page_not_found", "GET", "/wiki/api/v2/pages/1", ""},
		{"pages_bulk", "GET", "/wiki/api/v2/pages?id=" + fo + "," + home + "&limit=1", ""},
		{"ancestors", "GET", "/wiki/api/v2/pages/" + fo + "/ancestors", ""},
		{"direct_children", "GET", "/wiki/api/v2/pages/" + home + "/direct-children?limit=3", ""},
		{"labels", "GET", "/wiki/api/v2/pages/" + fo + "/labels?limit=2", ""},
		{"spaces", "GET", "/wiki/api/v2/spaces?limit=2", ""},
		{"space", "GET", "/wiki/api/v2/spaces/" + eng, ""},
		{"search", "GET", "/wiki/rest/api/search?limit=2&cql=" + url.QueryEscape(`label = policy AND text ~ "remote" ORDER BY title`), ""},
		{"search_cql_error", "GET", "/wiki/rest/api/search?cql=" + url.QueryEscape(`type = page AND`), ""},
		{"create_duplicate", "POST", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"Runbooks","body":{"representation":"storage","value":"<p>x</p>"}}`},
		{"create_bad_storage", "POST", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"New","body":{"representation":"storage","value":"<p><ac:link>x</p>"}}`},
		{"label_add", "POST", "/wiki/rest/api/content/" + fo + "/label", `[{"prefix":"global","name":"drill"}]`},
		{"label_invalid", "POST", "/wiki/rest/api/content/" + fo + "/label", `[{"prefix":"global","name":"two words"}]`},
		{"v1_content_gone", "GET", "/wiki/rest/api/content/" + fo, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h httpResult
			if tt.method == "POST" {
				h = c.post(tt.path, tt.body)
			} else {
				h = c.get(tt.path)
			}
			var body any
			if err := json.Unmarshal([]byte(h.Body), &body); err != nil {
				t.Fatalf("not JSON: %s", h.Body)
			}
			if m, ok := body.(map[string]any); ok {
				if _, ok := m["searchDuration"]; ok {
					m["searchDuration"] = 0 // timing, not shape
				}
			}
			got := map[string]any{"status": h.Status, "body": body}
			if l := h.Header.Get("Link"); l != "" {
				got["link"] = l
			}
			compareGolden(t, filepath.Join("testdata", "confluence", tt.name+".json"), got)
			if tt.name == "page_adf" { // the ADF string, readable
				var doc any
				s := body.(map[string]any)["body"].(map[string]any)["atlas_doc_format"].(map[string]any)["value"].(string)
				if err := json.Unmarshal([]byte(s), &doc); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join("testdata", "confluence", "page_adf.doc.json"), doc)
			}
		})
	}
}

func compareGolden(t *testing.T, path string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, path, buf.Bytes())
}
