package mcp

import (
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

func TestCQLDiagnose(t *testing.T) {
	tests := []struct{ cql, want string }{
		{`type = page AND (space = ENG`, "a '(' is never closed"},
		{`type = page) AND space = ENG`, "a ')' closes a parenthesis that was never opened"},
		{`title = "Runbooks`, `a " quote is never closed`},
		{`type == page`, "a single =, not =="},
		{`author = "557058:abc"`, `"author" is not a CQL field; use creator`},
		{`colour = blue`, `"colour" is not a CQL field`},
		{`title ~ "author = x" AND space in (ENG, OPS)`, ""},
		{`type = page AND space = ENG ORDER BY lastmodified DESC`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.cql, func(t *testing.T) {
			got := cqlDiagnose(tt.cql)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("cqlDiagnose(%q) = %q, want %q", tt.cql, got, tt.want)
			}
		})
	}
}

// A Confluence that answers only "Could not parse cql" with its Java
// class still gets an error in words, without the class or a trace id.
func TestConfluenceSearchErrorInWords(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/rest/api/search", Status: 400,
		Header: map[string][]string{"Atl-Traceid": {"4f5e6d7c8b9a"}},
		Body: `{"statusCode":400,"data":{"authorized":false,"valid":true,"errors":[],"successful":false},` +
			`"message":"com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse cql : title = \"Runbooks"}`})
	defer h.site.ClearFaults()
	got := h.callErr("atlassian_confluence_search", map[string]any{"cql": `title = "Runbooks`})
	for _, w := range []string{`parameter cql: Confluence could not run this CQL: a " quote is never closed.`, "CQL reminders"} {
		if !strings.Contains(got, w) {
			t.Errorf("error %q lacks %q", got, w)
		}
	}
	for _, leak := range []string{"com.atlassian", "Exception", "4f5e6d7c8b9a", "traceid"} {
		if strings.Contains(got, leak) {
			t.Errorf("error %q leaks %q", got, leak)
		}
	}
}

// A query that names a space by its name, or by no key at all, finds
// nothing: the answer says which key to use.
func TestConfluenceSearchSpaceNameHint(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, cql string
		want      string
	}{
		{"quoted name", `type = page AND space = "Operations"`, `"Operations" is the name of a space, and CQL's space field takes its key: use space = OPS`},
		{"name in a list", `space in ("Team Space", ENG) AND title = "nothing like this"`, `"Team Space" is the name of a space`},
		{"name in another case", `space.key = operations AND text ~ "zzqx"`, `use space = OPS`},
		{"no such key", `space = NOPE`, `no space has the key "NOPE"; use one of the keys ENG`},
		{"a key finds nothing", `space = ENG AND title = "no such page anywhere"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res confluenceSearchResult
			text := h.callOK("atlassian_confluence_search", map[string]any{"cql": tt.cql}, &res)
			if len(res.Results) != 0 {
				t.Fatalf("found %d results", len(res.Results))
			}
			if tt.want == "" {
				if res.Hint != "" {
					t.Errorf("hint %q for a query with keys only", res.Hint)
				}
				return
			}
			if !strings.Contains(res.Hint, tt.want) || !strings.Contains(text, "Hint: "+res.Hint) {
				t.Errorf("hint %q (text %q), want %q", res.Hint, text, tt.want)
			}
		})
	}
	// Following the hint finds the pages.
	var res confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = page AND space = OPS`}, &res)
	if len(res.Results) == 0 {
		t.Error("space = OPS finds nothing")
	}
}

// A space created after schema discovery is not in the snapshot: its name
// is looked up on the site (bounded: a key read and one search of spaces),
// and its key, now valid, gets no hint.
func TestConfluenceSearchSpaceNameHintLive(t *testing.T) {
	h := newHarness(t)
	if _, err := h.site.AddConfluenceSpace("LEGAL", "Legal Affairs"); err != nil {
		t.Fatal(err)
	}
	h.site.ResetRequests()
	var res confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = page AND space = "Legal Affairs"`}, &res)
	if want := `"Legal Affairs" is the name of a space, and CQL's space field takes its key: use space = LEGAL`; !strings.Contains(res.Hint, want) {
		t.Fatalf("hint %q, want %q", res.Hint, want)
	}
	if n := len(h.site.Requests()); n > 4 {
		t.Errorf("%d requests for one search and its hint", n)
	}
	res = confluenceSearchResult{}
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = page AND space = LEGAL AND title = "nothing"`}, &res)
	if res.Hint != "" {
		t.Errorf("hint %q for the new space's key", res.Hint)
	}
	// Many unknown names: at most maxSpaceLookups are looked up.
	h.site.ResetRequests()
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `space in ("A a", "B b", "C c", "D d", "E e") AND type = page`}, &res)
	if n := len(h.site.Requests()); n > 1+2*maxSpaceLookups {
		t.Errorf("%d requests for one search with five unknown spaces", n)
	}
}
