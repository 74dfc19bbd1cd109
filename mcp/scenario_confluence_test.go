package mcp

import (
	"fmt"
	"strings"
	"testing"
)

// Use case 4 of PRODUCT.md: an agent finds a policy or runbook in
// Confluence with CQL and reads it.
func TestScenarioKnowledgeBaseLookup(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, question, cql string
		wantTitle           string
		wantSpace           string
		wantInBody          []string
		wantPath            []string
	}{
		{"on-call response times", "How fast must I acknowledge a Sev 1 page?",
			`type = page AND label = "policy" AND text ~ "on-call"`, "On-call policy", "OPS",
			[]string{"Sev 1: acknowledge within 5 minutes", "> [!CAUTION]", "**Response times**"},
			[]string{"Operations Home"}},
		{"database failover", "How do I fail over the database?",
			`type = page AND space = ENG AND label = "runbook" AND text ~ "failover"`, "Database failover runbook", "ENG",
			[]string{"pg_ctl promote", "```sql title=\"lag.sql\"", "<summary>Why not automatic failover?</summary>"},
			[]string{"Engineering Home", "Runbooks"}},
		{"expenses", "What is the hotel limit?",
			`type = page AND space = TEAM AND title ~ "expense"`, "Expense policy", "TEAM",
			[]string{"| Hotels | 180 EUR/night | manager |", "Alcohol is not reimbursed."},
			[]string{"Team Space Home", "Policies"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 1. Find it.
			var found confluenceSearchResult
			h.callOK("atlassian_confluence_search", map[string]any{"cql": tt.cql, "limit": 5}, &found)
			var hit *confSearchHit
			for i := range found.Results {
				if found.Results[i].Title == tt.wantTitle {
					hit = &found.Results[i]
				}
			}
			if hit == nil {
				t.Fatalf("%q: search %s did not find %q: %+v", tt.question, tt.cql, tt.wantTitle, found.Results)
			}
			if hit.Space == nil || hit.Space.Key != tt.wantSpace || hit.Excerpt == "" {
				t.Errorf("hit %+v", hit)
			}
			// 2. Read it.
			var page confluenceGetPageResult
			text := h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": hit.ID}, &page)
			if page.Title != tt.wantTitle || page.Space.Key != tt.wantSpace || page.URL != hit.URL {
				t.Errorf("page %q in %s at %s; search said %s", page.Title, page.Space.Key, page.URL, hit.URL)
			}
			for _, w := range tt.wantInBody {
				if !strings.Contains(page.Body, w) || !strings.Contains(text, w) {
					t.Errorf("the answer lacks %q:\n%s", w, page.Body)
				}
			}
			var path []string
			for _, a := range page.Ancestors {
				path = append(path, a.Title)
			}
			if strings.Join(path, " > ") != strings.Join(tt.wantPath, " > ") {
				t.Errorf("breadcrumbs %v, want %v", path, tt.wantPath)
			}
		})
	}
}

// Use case 5 of PRODUCT.md: an agent creates a page of structured meeting
// notes under the right parent, with labels, and it can be found again.
func TestScenarioMeetingNotes(t *testing.T) {
	h := newHarness(t)
	// 1. Find the parent page.
	var parents confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": `type = page AND space = TEAM AND title = "Meeting notes"`}, &parents)
	if len(parents.Results) != 1 {
		t.Fatalf("parent search: %+v", parents.Results)
	}
	parent := parents.Results[0]
	author, _ := h.site.ConfluencePage(parent.ID) // its author attends

	title := "2026-11-27 Platform planning"
	notes := fmt.Sprintf(`## Attendees

- @[Alex Morgan](accountid:%s)

## Notes

- Migration to the new queue is on track.
- The on-call rota changes in January: see [On-call policy](confluence-page:OPS/On-call%%20policy).

> [!WARNING]
> The staging database is shared until the split lands.

## Action items

- [ ] Write the migration plan
- [x] Book the follow-up meeting
`, author.AuthorID)

	// 2. Create the notes under it, with labels.
	var created confluenceCreatePageResult
	text := h.callOK("atlassian_confluence_create_page", map[string]any{
		"spaceKey": "TEAM", "title": title, "content": notes, "parentPageId": parent.ID,
		"labels": []string{"meeting-notes", "platform"},
	}, &created)
	if !created.LabelsAdded || created.ParentID != parent.ID || !strings.Contains(text, created.URL) {
		t.Fatalf("created %+v\n%s", created, text)
	}
	stored, _ := h.site.ConfluencePage(created.ID)
	for _, w := range []string{`<ri:user ri:account-id="` + author.AuthorID + `"`, `<ac:task-list>`, `ri:content-title="On-call policy"`, `ri:space-key="OPS"`} {
		if !strings.Contains(stored.Body, w) {
			t.Errorf("stored body lacks %q:\n%s", w, stored.Body)
		}
	}

	// 3. Find them by CQL, as a later agent would.
	var again confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{
		"cql": fmt.Sprintf(`type = page AND label = "meeting-notes" AND parent = %s ORDER BY created DESC`, parent.ID), "includeBody": true,
	}, &again)
	if len(again.Results) == 0 || again.Results[0].ID != created.ID {
		t.Fatalf("the new notes are not the newest meeting notes under the parent: %+v", again.Results)
	}
	if !strings.Contains(again.Results[0].Body, "- [ ] Write the migration plan") {
		t.Errorf("search body %q", again.Results[0].Body)
	}

	// 4. Read them back: under the parent, with the labels and the structure.
	var page confluenceGetPageResult
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": created.ID}, &page)
	if n := len(page.Ancestors); n == 0 || page.Ancestors[n-1].ID != parent.ID {
		t.Errorf("ancestors %+v, want the parent last", page.Ancestors)
	}
	if strings.Join(page.Labels, ",") != "meeting-notes,platform" {
		t.Errorf("labels %v", page.Labels)
	}
	for _, w := range []string{"## Action items", "- [x] Book the follow-up meeting", "(accountid:" + author.AuthorID + ")",
		"[On-call policy](confluence-page:OPS/On-call%20policy)", "> [!WARNING]"} {
		if !strings.Contains(page.Body, w) {
			t.Errorf("read back lacks %q:\n%s", w, page.Body)
		}
	}
	var children confluenceGetPageResult
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": parent.ID, "includeChildren": true, "includeAncestors": false}, &children)
	listed := false
	for _, c := range children.Children {
		listed = listed || c.ID == created.ID
	}
	if !listed {
		t.Errorf("the parent's children %+v lack the new page", children.Children)
	}
}
