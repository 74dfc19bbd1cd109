package mcp

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// usersBulkCalls is the users-bulk requests since the last reset, with the
// ids each asked for.
func usersBulkCalls(t *testing.T, h *harness) [][]string {
	t.Helper()
	var out [][]string
	for _, r := range confRequests(h, "POST", "/wiki/api/v2/users-bulk") {
		var body struct {
			AccountIDs []string `json:"accountIds"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("users-bulk body %q: %v", r.Body, err)
		}
		out = append(out, body.AccountIDs)
	}
	return out
}

// Mentions, author and last editor come out as names, resolved in one
// bulk lookup per answer and kept for the next; the id stays in the
// mention so the markdown round-trips.
func TestConfluencePeopleNamed(t *testing.T) {
	h := newHarness(t)
	users := map[string]sandbox.User{}
	for _, u := range h.site.Users() {
		users[u.DisplayName] = u
	}
	mentionOf := func(name string) string { return "@[" + name + "](accountid:" + users[name].AccountID + ")" }

	h.site.ResetRequests()
	catalogue := confPageID(t, h, "ENG", "Service catalogue")
	var page confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": catalogue}, &page)
	for _, name := range []string{"Chen Wei", "Priya Raman", "Noah Williams"} {
		if !strings.Contains(page.Body, mentionOf(name)) || !strings.Contains(text, mentionOf(name)) {
			t.Errorf("body lacks %s:\n%s", mentionOf(name), page.Body)
		}
	}
	if page.Author != "Chen Wei" || page.AuthorID != users["Chen Wei"].AccountID || !strings.Contains(text, "by Chen Wei") {
		t.Errorf("author %q (%s); text %q", page.Author, page.AuthorID, text)
	}
	if calls := usersBulkCalls(t, h); len(calls) != 1 || len(calls[0]) < 3 {
		t.Fatalf("users-bulk calls %v, want one with every id", calls)
	}

	// Another page asks only for the people not seen yet; the first page
	// again asks for nobody.
	h.site.ResetRequests()
	var runbook confluenceGetPageResult
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": confPageID(t, h, "ENG", "Database failover runbook")}, &runbook)
	if !strings.Contains(runbook.Body, mentionOf("Sam Okafor")) || !strings.Contains(runbook.Body, mentionOf("Lukas Becker")) {
		t.Errorf("runbook body:\n%s", runbook.Body)
	}
	for _, ids := range usersBulkCalls(t, h) {
		for _, id := range ids {
			if id == users["Chen Wei"].AccountID || id == users["Priya Raman"].AccountID {
				t.Errorf("asked again for %s", id)
			}
		}
	}
	h.site.ResetRequests()
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": catalogue}, nil)
	if calls := usersBulkCalls(t, h); len(calls) != 0 {
		t.Errorf("cached names asked again: %v", calls)
	}

	// The named markdown creates a page whose mentions are the same people.
	var created confluenceCreatePageResult
	h.callOK("atlassian_confluence_create_page", map[string]any{"spaceKey": "ENG", "title": "Catalogue copy", "content": page.Body}, &created)
	stored, _ := h.site.ConfluencePage(created.ID)
	for _, name := range []string{"Chen Wei", "Priya Raman", "Noah Williams"} {
		if !strings.Contains(stored.Body, `ri:account-id="`+users[name].AccountID+`"`) {
			t.Errorf("copy lost the mention of %s:\n%s", name, stored.Body)
		}
	}

	// Search bodies: one lookup for all the hits.
	h.site.ResetRequests()
	var found confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `space = ENG AND type = page AND title ~ "catalogue"`, "includeBody": true}, &found)
	named := 0
	for _, hit := range found.Results {
		if strings.Contains(hit.Body, mentionOf("Chen Wei")) {
			named++
		}
	}
	if named < 2 || len(usersBulkCalls(t, h)) > 1 {
		t.Errorf("%d bodies name Chen Wei; %d lookups", named, len(usersBulkCalls(t, h)))
	}
}

// Without the lookup (no scope, an outage) the page still reads, with ids.
func TestConfluencePeopleLookupFails(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/wiki/api/v2/users-bulk", Status: 401,
		Body: `{"code":401,"message":"Unauthorized; scope does not match"}`})
	defer h.site.ClearFaults()
	var page confluenceGetPageResult
	text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": confPageID(t, h, "ENG", "Service catalogue")}, &page)
	id := page.AuthorID
	if page.Author != "" || !strings.Contains(text, "by "+id) || !strings.Contains(page.Body, "@["+id+"](accountid:"+id+")") {
		t.Errorf("author %q, text %q", page.Author, text)
	}
}

// An id Confluence does not name is asked for again after a few minutes
// (a user added since the first lookup gets named), not after the 30
// minutes a name is kept; within those minutes it is asked for once.
func TestConfluencePeopleUnknownRechecked(t *testing.T) {
	h := newHarness(t)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	h.deps.Now = func() time.Time { return now }
	known := h.site.Users()[1].AccountID
	unknown := "557058:00000000-0000-4000-8000-000000000abc"
	ctx := context.Background()

	h.site.ResetRequests()
	if got := h.deps.confNames(ctx, []string{known, unknown}); got[known] == "" || got[unknown] != "" {
		t.Fatalf("names %v", got)
	}
	if calls := usersBulkCalls(t, h); len(calls) != 1 {
		t.Fatalf("first lookup: %v", calls)
	}
	h.site.ResetRequests()
	now = now.Add(time.Minute)
	h.deps.confNames(ctx, []string{known, unknown})
	if calls := usersBulkCalls(t, h); len(calls) != 0 {
		t.Fatalf("asked again within a minute: %v", calls)
	}
	now = now.Add(confUnknownTTL)
	h.deps.confNames(ctx, []string{known, unknown})
	if calls := usersBulkCalls(t, h); len(calls) != 1 || len(calls[0]) != 1 || calls[0][0] != unknown {
		t.Fatalf("after %v: %v, want one lookup of the unknown id only", confUnknownTTL+time.Minute, calls)
	}
}
