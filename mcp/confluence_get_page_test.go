package mcp

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// confPageID returns the sandbox id of a seeded page.
func confPageID(t *testing.T, h *harness, space, title string) string {
	t.Helper()
	p, ok := h.site.ConfluencePageByTitle(space, title)
	if !ok {
		t.Fatalf("no page %q in %s", title, space)
	}
	return p.ID
}

// confChain is the sandbox's ancestor chain of a page, root first.
func confChain(t *testing.T, h *harness, id string) []string {
	t.Helper()
	var chain []string
	p, _ := h.site.ConfluencePage(id)
	for p.ParentID != "" {
		parent, ok := h.site.ConfluencePage(p.ParentID)
		if !ok {
			t.Fatalf("parent %s of %s missing", p.ParentID, p.ID)
		}
		chain = append([]string{parent.Title}, chain...)
		p = parent
	}
	return chain
}

func TestConfluenceGetPageArguments(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		args map[string]any
		want string
	}{
		{"missing", map[string]any{}, "parameter pageId: is required"},
		{"letters", map[string]any{"pageId": "abc"}, `parameter pageId: must be a numeric page id such as "98305"`},
		{"path traversal", map[string]any{"pageId": "1/../2"}, "parameter pageId: must be a numeric page id"},
		{"negative", map[string]any{"pageId": "-5"}, "parameter pageId: must be a numeric page id"},
		{"a fraction, not an id", map[string]any{"pageId": 98305.5}, "parameter pageId: expected a string"},
		{"includeChildren not a bool", map[string]any{"pageId": "98305", "includeChildren": "yes"}, "parameter includeChildren: expected a boolean"},
		{"unknown page", map[string]any{"pageId": "9999999"}, "parameter pageId: no page or blog post with id 9999999 is visible"},
		{"a title", map[string]any{"pageId": "Meeting notes"}, `got "Meeting notes"; the page titled "Meeting notes" is pageId "98329" (space TEAM)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.site.ResetRequests()
			got := h.callErr("atlassian_confluence_get_page", tt.args)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
			for _, r := range h.site.Requests() {
				// Only a title is looked up (a search by title, never a
				// path built from the argument), and only an unknown
				// page reaches the page itself.
				if tt.name != "unknown page" && (r.Method != http.MethodGet || !strings.HasSuffix(r.Path, "/wiki/rest/api/search") || !strings.ContainsFunc(fmt.Sprint(tt.args["pageId"]), unicode.IsLetter)) {
					t.Fatalf("requests sent for an invalid call: %+v", h.site.Requests())
				}
			}
		})
	}
}

func TestConfluenceGetPageFields(t *testing.T) {
	h := newHarness(t)
	id := confPageID(t, h, "ENG", "Database failover runbook")
	want, _ := h.site.ConfluencePage(id)
	var res confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": id}, &res)
	if res.ID != id || res.Title != want.Title || res.Status != "current" || res.Version != want.Version {
		t.Errorf("id/title/status/version: %+v", res)
	}
	if res.Space.Key != "ENG" || res.Space.Name != "Engineering" {
		t.Errorf("space %+v, want ENG Engineering", res.Space)
	}
	if res.URL != h.site.SiteURL+"/wiki/spaces/ENG/pages/"+id+"/Database+failover+runbook" {
		t.Errorf("url %q", res.URL)
	}
	if !slices.Equal(res.Labels, want.Labels) {
		t.Errorf("labels %v, want %v", res.Labels, want.Labels)
	}
	if res.AuthorID != want.AuthorID || res.LastEditorID == "" || res.Created == "" || res.Updated == "" || res.Updated < res.Created {
		t.Errorf("author %q editor %q created %q updated %q", res.AuthorID, res.LastEditorID, res.Created, res.Updated)
	}
	if res.ParentID != want.ParentID || res.BodyTruncated || res.BodyChars != len([]rune(res.Body)) {
		t.Errorf("parent %q truncated %v chars %d", res.ParentID, res.BodyTruncated, res.BodyChars)
	}
	if res.Children != nil {
		t.Errorf("children listed without includeChildren: %v", res.Children)
	}
	for _, w := range []string{"# Database failover runbook", "Space: ENG (Engineering)",
		"Path: Engineering Home > Runbooks > Database failover runbook", "URL: " + res.URL, "Labels: runbook, database",
		"version " + strconv.Itoa(want.Version), "```sql title=\"lag.sql\""} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
}

func TestConfluenceGetPageAncestorsAndChildren(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		space, title   string
		args           map[string]any
		wantAncestors  bool
		wantChildren   []string // nil: not asked
		wantFolderPath bool
	}{
		{"ENG", "ADR-002: gRPC between internal services", map[string]any{}, true, nil, false},
		{"ENG", "Runbooks", map[string]any{"includeChildren": true}, true,
			[]string{"Database failover runbook", "Deploying to production", "Rotating TLS certificates"}, false},
		{"ENG", "Runbooks", map[string]any{"includeChildren": true, "includeAncestors": false}, false,
			[]string{"Database failover runbook", "Deploying to production", "Rotating TLS certificates"}, false},
		{"OPS", "Severity levels", map[string]any{"includeAncestors": false}, false, nil, false},
		{"ENG", "Legacy deploy process", map[string]any{"includeChildren": true}, true, []string{}, true},
		{"ENG", "Engineering Home", map[string]any{"includeChildren": true}, true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.title+"/"+strings.Join(slices.Sorted(confMapKeys(tt.args)), ","), func(t *testing.T) {
			id := confPageID(t, h, tt.space, tt.title)
			args := map[string]any{"pageId": id}
			for k, v := range tt.args {
				args[k] = v
			}
			h.site.ResetRequests()
			var res confluenceGetPageResult
			text := h.callOK("atlassian_confluence_get_page", args, &res)
			ancestorCalls := len(confRequests(h, "GET", "/ancestors"))
			childCalls := len(confRequests(h, "GET", "/direct-children"))
			if tt.wantAncestors {
				chain := confChain(t, h, id)
				var got []string
				for _, a := range res.Ancestors {
					got = append(got, a.Title)
				}
				if !slices.Equal(got, chain) {
					t.Errorf("ancestors %v, want %v (root first)", got, chain)
				}
				if len(chain) > 0 && !strings.Contains(text, "Path: "+strings.Join(append(chain, tt.title), " > ")) {
					t.Errorf("text lacks the breadcrumbs:\n%s", text)
				}
				if ancestorCalls != 1 {
					t.Errorf("%d ancestor calls", ancestorCalls)
				}
			} else if res.Ancestors != nil || ancestorCalls != 0 || strings.Contains(text, "Path:") {
				t.Errorf("ancestors %v (%d calls) though not asked", res.Ancestors, ancestorCalls)
			}
			if tt.wantFolderPath && (len(res.Ancestors) == 0 || res.Ancestors[len(res.Ancestors)-1].Type != "folder") {
				t.Errorf("the folder ancestor is missing: %+v", res.Ancestors)
			}
			if _, asked := tt.args["includeChildren"]; asked {
				var got []string
				for _, c := range res.Children {
					if c.Type != "page" {
						t.Errorf("child %+v is not a page", c)
					}
					got = append(got, c.Title)
				}
				if tt.wantChildren != nil && !slices.Equal(got, tt.wantChildren) && !(len(got) == 0 && len(tt.wantChildren) == 0) {
					t.Errorf("children %v, want %v", got, tt.wantChildren)
				}
				if (len(tt.wantChildren) > 0 && res.Children == nil) || childCalls != 1 || !strings.Contains(text, "Children: ") {
					t.Errorf("children %v after %d calls; text:\n%s", res.Children, childCalls, text)
				}
				if tt.title == "Engineering Home" && slices.Contains(got, "Archive") {
					t.Errorf("the Archive folder is listed as a child page: %v", got)
				}
			} else if childCalls != 0 {
				t.Errorf("%d children calls though not asked", childCalls)
			}
		})
	}
}

func confMapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestConfluenceGetPageMacrosGolden pins how the seeded pages' macros read
// as markdown: code, panels, expand, tasks, mentions, page links, emoticons
// and unknown macros as visible placeholders. UPDATE_GOLDEN=1 rewrites.
func TestConfluenceGetPageMacrosGolden(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		space, title, golden string
		contains             []string
	}{
		{"ENG", "Database failover runbook", "failover_runbook.md",
			[]string{"```sql title=\"lag.sql\"", "> [!CAUTION]", "<details>", "<summary>Why not automatic failover?</summary>", "(accountid:", "[the postmortem](confluence-page:OPS/Incident%20postmortem:%20checkout%20outage)", "{toc:maxLevel=2}"}},
		{"OPS", "Incident postmortem: checkout outage", "postmortem.md",
			[]string{"> [!NOTE]", "- [x] Lower the DNS cache TTL", "- [ ] Add a failover drill", "confluence-page:ENG/Database%20failover%20runbook", "{jira:key=OPS-7}", "```java"}},
		{"ENG", "Q1 roadmap", "roadmap.md", []string{"{roadmap:", "confluence-page:ADR-003"}},
		{"ENG", "ADR-001: Use PostgreSQL for the primary store", "adr001.md", []string{"| PostgreSQL |", ":white_check_mark:"}},
		{"TEAM", "New starter checklist", "new_starter.md", []string{"- [x] Sign the contract", "<details>"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			id := confPageID(t, h, tt.space, tt.title)
			var res confluenceGetPageResult
			h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": id, "includeAncestors": false}, &res)
			for _, w := range tt.contains {
				if !strings.Contains(res.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, res.Body)
				}
			}
			if strings.Contains(res.Body, "<ac:") || strings.Contains(res.Body, "<ri:") {
				t.Errorf("storage markup leaked into the markdown:\n%s", res.Body)
			}
			path := filepath.Join("testdata", "confluence", tt.golden)
			golden.CheckString(t, path, res.Body+"\n")
		})
	}
}

func TestConfluenceGetPageLongBodyAndManyLabels(t *testing.T) {
	h := newHarness(t)
	var body strings.Builder
	for i := range 2000 {
		body.WriteString("<p>Paragraph " + strconv.Itoa(i) + " of the very long capacity handbook, kept short per line.</p>")
	}
	labels := make([]string, 60)
	for i := range labels {
		labels[i] = "tag-" + strconv.Itoa(i)
	}
	id, err := h.site.AddConfluencePage("ENG", "", "Very long handbook", body.String(), labels...)
	if err != nil {
		t.Fatal(err)
	}
	var res confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": id}, &res)
	if !res.BodyTruncated || res.BodyChars <= pageBodyMaxChars {
		t.Fatalf("truncated %v, bodyChars %d", res.BodyTruncated, res.BodyChars)
	}
	if n := len([]rune(res.Body)); n > pageBodyMaxChars+300 || n < pageBodyMaxChars*4/5 {
		t.Errorf("cut body is %d characters", n)
	}
	if !strings.Contains(res.Body, "[… truncated: showing the first") || !strings.Contains(text, "of "+strconv.Itoa(res.BodyChars)+" characters") {
		t.Errorf("no truncation marker: %q", res.Body[len(res.Body)-300:])
	}
	if len(res.Labels) != 60 {
		t.Errorf("%d labels, want all 60 (include-labels stops at 50)", len(res.Labels))
	}
}

func TestConfluenceGetPageWithoutSnapshot(t *testing.T) {
	// Before discovery the space comes from Confluence itself.
	site := sandbox.NewServer()
	t.Cleanup(site.Close)
	conf, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(site.URL, site.CloudID), site.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	d := &Deps{Confluence: conf, Schema: schema.NewStore(nil, "test"), SiteURL: site.SiteURL}
	p, _ := site.ConfluencePageByTitle("OPS", "On-call policy")
	res, err := d.confluenceGetPage(context.Background(), &confluenceGetPageArgs{PageID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Space.Key != "OPS" || res.Space.Name != "Operations" || res.Space.ID != p.SpaceID {
		t.Fatalf("space %+v", res.Space)
	}
	if _, err := d.confSpaceByKey(context.Background(), "TEAM"); err != nil {
		t.Fatalf("TEAM without a snapshot: %v", err)
	}
	if _, err := d.confSpaceByKey(context.Background(), "NOPE"); err == nil || !strings.Contains(describeError(err), `no space with key "NOPE"`) {
		t.Fatalf("unknown key without a snapshot: %v", err)
	}
	if _, err := d.confSpaceByKey(context.Background(), "bad key!"); err == nil || !strings.Contains(describeError(err), "is not a space key") {
		t.Fatalf("malformed key: %v", err)
	}
}

// A failed side read (ancestors, children) leaves the page readable, with
// a note saying what is missing; a failed page read is the error.
func TestConfluenceGetPagePartialReads(t *testing.T) {
	h := newHarness(t)
	id := confPageID(t, h, "ENG", "Runbooks")
	h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/api/v2/pages/*/ancestors", Status: 403})
	h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/api/v2/pages/*/direct-children", Status: 403})
	var res confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": id, "includeChildren": true}, &res)
	if res.Title != "Runbooks" || res.Body == "" || res.Ancestors != nil || res.Children != nil || len(res.Notes) != 2 {
		t.Fatalf("partial page %+v", res)
	}
	for _, w := range []string{"Note: ancestors could not be read: Atlassian answered 403", "Note: children could not be read: Atlassian answered 403"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	h.site.ClearFaults()
	h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/api/v2/pages/" + id, Status: 403})
	if got := h.callErr("atlassian_confluence_get_page", map[string]any{"pageId": id}); !strings.Contains(got, "Atlassian answered 403") ||
		!strings.Contains(got, "lacks the permission") {
		t.Fatalf("error %q", got)
	}
}

// A blog post id reads through get_page, said to be a blog post, without
// notes about ancestors or children it cannot have.
func TestConfluenceGetPageBlogPost(t *testing.T) {
	h := newHarness(t)
	id := confPageID(t, h, "ENG", "Engineering all-hands recap")
	var res confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": id, "includeChildren": true}, &res)
	if res.Type != "blogpost" || res.Title != "Engineering all-hands recap" || res.Space.Key != "ENG" {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Body, "Release 2.4.0 shipped on time") || !strings.Contains(text, "blog post · id "+id) {
		t.Errorf("text %q", text)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "this is a blog post") || res.Children != nil || res.Ancestors != nil {
		t.Errorf("notes %q, children %v, ancestors %v", res.Notes, res.Children, res.Ancestors)
	}
	var page confluenceGetPageResult
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": confPageID(t, h, "ENG", "Runbooks")}, &page)
	if page.Type != "page" {
		t.Errorf("a page has type %q", page.Type)
	}
}
