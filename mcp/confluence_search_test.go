package mcp

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// confRequests returns the logged requests with method whose path ends
// with suffix (gateway prefix aside).
func confRequests(h *harness, method, suffix string) []sandbox.Request {
	var out []sandbox.Request
	for _, r := range h.site.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// confQuery parses a logged request's query string.
func confQuery(t *testing.T, r sandbox.Request) url.Values {
	t.Helper()
	q, err := url.ParseQuery(r.Query)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestConfluenceSearchLimits(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name      string
		args      map[string]any
		wantErr   string // substring; "" = success
		wantLimit string // the limit sent to Confluence
	}{
		{"default limit", map[string]any{"cql": "type = page"}, "", "25"},
		{"limit 1", map[string]any{"cql": "type = page", "limit": 1}, "", "1"},
		{"limit 250", map[string]any{"cql": "type = page", "limit": 250}, "", "250"},
		{"limit 50 with body", map[string]any{"cql": "type = page", "limit": 50, "includeBody": true}, "", "50"},
		{"limit 0", map[string]any{"cql": "type = page", "limit": 0}, "parameter limit: must be between 1 and 250, got 0", ""},
		{"negative limit", map[string]any{"cql": "type = page", "limit": -3}, "parameter limit: must be between 1 and 250", ""},
		{"limit 251", map[string]any{"cql": "type = page", "limit": 251}, "parameter limit: must be at most 250, got 251", ""},
		{"limit 51 with body", map[string]any{"cql": "type = page", "limit": 51, "includeBody": true}, "parameter limit: must be at most 50 with includeBody (got 51)", ""},
		{"limit not a number", map[string]any{"cql": "type = page", "limit": "ten"}, "parameter limit: expected an integer", ""},
		{"cql missing", map[string]any{}, "parameter cql: is required", ""},
		{"cql blank", map[string]any{"cql": "   "}, "parameter cql: is required", ""},
		{"unknown parameter", map[string]any{"cql": "type = page", "query": "x"}, "parameter query: unknown parameter; the parameters are cql, limit, cursor, includeBody", ""},
		{"cursor with spaces", map[string]any{"cql": "type = page", "cursor": "not a cursor"}, "parameter cursor: is not a cursor this tool returned", ""},
		{"cursor too long", map[string]any{"cql": "type = page", "cursor": strings.Repeat("a", 3000)}, "parameter cursor: is not a cursor this tool returned", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.site.ResetRequests()
			if tt.wantErr != "" {
				got := h.callErr("atlassian_confluence_search", tt.args)
				if !strings.Contains(got, tt.wantErr) {
					t.Fatalf("error %q, want it to contain %q", got, tt.wantErr)
				}
				if n := len(confRequests(h, "GET", "/wiki/rest/api/search")); n != 0 {
					t.Fatalf("%d searches sent for a call refused locally", n)
				}
				return
			}
			var res confluenceSearchResult
			h.callOK("atlassian_confluence_search", tt.args, &res)
			reqs := confRequests(h, "GET", "/wiki/rest/api/search")
			if len(reqs) != 1 {
				t.Fatalf("%d searches sent, want 1", len(reqs))
			}
			q := confQuery(t, reqs[0])
			if q.Get("limit") != tt.wantLimit || q.Get("cql") != tt.args["cql"] {
				t.Fatalf("sent %v, want limit %s and the cql as is", q, tt.wantLimit)
			}
			want, _ := confAtoi(tt.wantLimit)
			if len(res.Results) > want {
				t.Fatalf("%d results for limit %d", len(res.Results), want)
			}
		})
	}
}

func confAtoi(s string) (int, error) {
	var n int
	_, err := fmt.Sscan(s, &n)
	return n, err
}

func TestConfluenceSearchCursorPagingToTheEnd(t *testing.T) {
	h := newHarness(t)
	const cql = "type = page ORDER BY created DESC"
	var all confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": cql, "limit": 250}, &all)
	if !all.IsLast || all.NextCursor != "" || len(all.Results) < 20 || all.TotalSize != len(all.Results) {
		t.Fatalf("one big page: %d results, total %d, last %v", len(all.Results), all.TotalSize, all.IsLast)
	}
	seen := map[string]bool{}
	var order []string
	cursor := ""
	pages := 0
	for {
		args := map[string]any{"cql": cql, "limit": 7}
		if cursor != "" {
			args["cursor"] = cursor
		}
		var res confluenceSearchResult
		text := h.callOK("atlassian_confluence_search", args, &res)
		pages++
		for _, hit := range res.Results {
			if seen[hit.ID] {
				t.Fatalf("page %d repeats %s (%s)", pages, hit.ID, hit.Title)
			}
			seen[hit.ID] = true
			order = append(order, hit.ID)
		}
		if res.IsLast != (res.NextCursor == "") {
			t.Fatalf("isLast %v with nextCursor %q", res.IsLast, res.NextCursor)
		}
		if res.NextCursor == "" {
			if !strings.Contains(text, "This is the last page.") {
				t.Errorf("last page text does not say so: %s", text)
			}
			break
		}
		if len(res.Results) != 7 {
			t.Fatalf("page %d has %d results, want 7", pages, len(res.Results))
		}
		if !strings.Contains(text, fmt.Sprintf("cursor=%q", res.NextCursor)) {
			t.Fatalf("text does not say how to continue: %s", text)
		}
		cursor = res.NextCursor
		if pages > 20 {
			t.Fatal("paging does not end")
		}
	}
	if len(order) != len(all.Results) {
		t.Fatalf("paged %d results, one call gave %d", len(order), len(all.Results))
	}
	for i, hit := range all.Results {
		if order[i] != hit.ID {
			t.Fatalf("result %d: paged %s, one call %s", i, order[i], hit.ID)
		}
	}
	if want := (len(all.Results) + 6) / 7; pages != want {
		t.Errorf("%d pages, want %d", pages, want)
	}
}

func TestConfluenceSearchResultShape(t *testing.T) {
	h := newHarness(t)
	var res confluenceSearchResult
	text := h.callOK("atlassian_confluence_search", map[string]any{"cql": `space = OPS AND text ~ "failover"`}, &res)
	if len(res.Results) == 0 {
		t.Fatalf("no results: %s", text)
	}
	for _, hit := range res.Results {
		page, ok := h.site.ConfluencePage(hit.ID)
		if !ok {
			t.Fatalf("hit %s is not a sandbox page", hit.ID)
		}
		if hit.Title != page.Title || hit.Type != page.Type || hit.Space == nil || hit.Space.Key != "OPS" || hit.Space.Name != "Operations" {
			t.Errorf("hit %+v, want title %q type %s in OPS (Operations)", hit, page.Title, page.Type)
		}
		if strings.Contains(hit.Excerpt+hit.Title, "@@@") || strings.Contains(hit.Excerpt, "&amp;") {
			t.Errorf("excerpt keeps markup: %q", hit.Excerpt)
		}
		if !strings.Contains(strings.ToLower(hit.Excerpt), "failover") {
			t.Errorf("excerpt %q does not show the match", hit.Excerpt)
		}
		wantURL := h.site.SiteURL + "/wiki/spaces/OPS/pages/" + hit.ID + "/"
		if !strings.HasPrefix(hit.URL, wantURL) {
			t.Errorf("url %q, want prefix %q", hit.URL, wantURL)
		}
		if hit.LastModified == "" || hit.Body != "" {
			t.Errorf("lastModified %q, body %q (no body without includeBody)", hit.LastModified, hit.Body)
		}
		if !strings.Contains(text, hit.Title) || !strings.Contains(text, hit.URL) {
			t.Errorf("text lacks %q or its URL", hit.Title)
		}
	}

	var spaces confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = space`}, &spaces)
	if len(spaces.Results) != len(h.site.ConfluenceSpaces()) {
		t.Fatalf("%d space hits, want %d", len(spaces.Results), len(h.site.ConfluenceSpaces()))
	}
	for _, hit := range spaces.Results {
		if hit.Type != "space" || hit.Space == nil || hit.Space.Key == "" || !strings.HasPrefix(hit.URL, h.site.SiteURL+"/wiki/spaces/") {
			t.Errorf("space hit %+v", hit)
		}
	}
}

func TestConfluenceSearchIncludeBody(t *testing.T) {
	h := newHarness(t)
	big := "<p>" + strings.Repeat("Quarterly capacity planning covers storage and compute. ", 400) + "</p>"
	bigID, err := h.site.AddConfluencePage("ENG", "", "Capacity planning handbook", big)
	if err != nil {
		t.Fatal(err)
	}
	h.site.ResetRequests()
	var res confluenceSearchResult
	text := h.callOK("atlassian_confluence_search", map[string]any{"cql": `space = ENG AND (text ~ "runbook" OR text ~ "capacity" OR type = blogpost)`, "limit": 50, "includeBody": true}, &res)
	bulk := confRequests(h, "GET", "/wiki/api/v2/pages")
	if len(bulk) != 1 {
		t.Fatalf("%d bulk page reads, want 1", len(bulk))
	}
	if q := confQuery(t, bulk[0]); q.Get("body-format") != "storage" || q.Get("id") == "" {
		t.Fatalf("bulk read %v, want ids and body-format storage", q)
	}
	for _, r := range h.site.Requests() {
		if strings.Contains(r.Path, "/wiki/api/v2/pages/") {
			t.Fatalf("a per-page read was made: %s", r.Path)
		}
	}
	var sawPage, sawBlog, sawBig bool
	for _, hit := range res.Results {
		switch hit.Type {
		case "page":
			sawPage = true
			if hit.Body == "" || strings.Contains(hit.Body, "<ac:") || hit.BodyNote != "" {
				t.Errorf("page %s body %q note %q", hit.Title, hit.Body, hit.BodyNote)
			}
			if hit.ID == bigID {
				sawBig = true
				if !hit.BodyTruncated || !strings.Contains(hit.Body, "[… truncated: showing the first") ||
					!strings.Contains(hit.Body, "atlassian_confluence_get_page pageId="+bigID) {
					t.Errorf("big body not cut with a marker: truncated=%v tail %q", hit.BodyTruncated, hit.Body[max(0, len(hit.Body)-200):])
				}
				if n := len([]rune(hit.Body)); n > searchBodyMaxChars+300 {
					t.Errorf("cut body is %d characters", n)
				}
			} else if hit.BodyTruncated {
				t.Errorf("small page %s marked truncated", hit.Title)
			}
			if !strings.Contains(text, hit.Body[:min(40, len(hit.Body))]) {
				t.Errorf("text lacks the body of %s", hit.Title)
			}
		case "blogpost":
			sawBlog = true
			if hit.Body != "" || !strings.Contains(hit.BodyNote, "only pages' bodies") {
				t.Errorf("blog post body %q note %q", hit.Body, hit.BodyNote)
			}
		}
	}
	if !sawPage || !sawBlog || !sawBig {
		t.Fatalf("want a page, a blog post and the big page among %d results", len(res.Results))
	}
	want, _ := h.site.ConfluencePageByTitle("ENG", "Rotating TLS certificates")
	for _, hit := range res.Results {
		if hit.ID == want.ID && (!strings.Contains(hit.Body, "- [x] Issue the new certificate") || !strings.Contains(hit.Body, "```bash")) {
			t.Errorf("TLS runbook body not rendered as markdown: %q", hit.Body)
		}
	}
}

func TestConfluenceSearchErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"unparsable cql", map[string]any{"cql": `type = page AND (`},
			[]string{"parameter cql: Confluence could not run this CQL: expected a field name but the query ended", "CQL reminders", `space = ENG AND text ~ "runbook"`}},
		{"unknown field", map[string]any{"cql": `colour = "blue"`},
			[]string{"parameter cql: Confluence could not run this CQL: no field exists with the name 'colour'", "CQL reminders"}},
		{"cursor of another query", map[string]any{"cql": "type = blogpost", "cursor": "eyJvZmZzZXQiOjcsImtpbmQiOiJzZWFyY2giLCJrZXkiOiJ4In0"},
			[]string{"parameter cursor: Confluence refused it (Invalid cursor", "A cursor only works with the cql of the answer it came from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.callErr("atlassian_confluence_search", tt.args)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("error %q lacks %q", got, w)
				}
			}
		})
	}
	t.Run("permission error is not a CQL hint", func(t *testing.T) {
		h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/rest/api/search", Status: 403})
		defer h.site.ClearFaults()
		got := h.callErr("atlassian_confluence_search", map[string]any{"cql": "type = page"})
		if !strings.Contains(got, "403") || strings.Contains(got, "CQL reminders") {
			t.Fatalf("error %q", got)
		}
	})
}

func TestConfluenceExcerptAndTruncationHelpers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@@@hl@@@Failover@@@endhl@@@ drops &amp; in-flight\n  transactions&hellip;", "Failover drops & in-flight transactions…"},
		{"", ""},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := confPlainExcerpt(tt.in); got != tt.want {
			t.Errorf("confPlainExcerpt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	cut := confCutMarkdown("intro\n\n```go\n"+strings.Repeat("x := 1\n", 100)+"```\n", 60)
	if strings.Count(cut, "```")%2 != 0 || len([]rune(cut)) > 70 {
		t.Errorf("cut inside a fence not closed: %q", cut)
	}
	if got := confTruncate("héllo wörld", 4); got != "héll" {
		t.Errorf("confTruncate cut a rune: %q", got)
	}
}

func TestConfluenceSearchBodiesUnreadable(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/api/v2/pages", Status: 403})
	var res confluenceSearchResult
	text := h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = page AND label = "policy"`, "includeBody": true}, &res)
	if len(res.Results) == 0 {
		t.Fatal("no results")
	}
	for _, hit := range res.Results {
		if hit.Body != "" || !strings.Contains(hit.BodyNote, "bodies could not be read: Atlassian answered 403") {
			t.Errorf("hit %s: body %q note %q", hit.Title, hit.Body, hit.BodyNote)
		}
	}
	if !strings.Contains(text, "(bodies could not be read") {
		t.Errorf("text lacks the note:\n%s", text)
	}
}
