package mcp

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// confCreates counts page creates in the request log.
func confCreates(h *harness) int { return len(confRequests(h, "POST", "/wiki/api/v2/pages")) }

func TestConfluenceCreatePage(t *testing.T) {
	h := newHarness(t)
	team, _ := h.site.ConfluenceSpaceByKey("TEAM")
	parent := confPageID(t, h, "TEAM", "Meeting notes")
	tests := []struct {
		name       string
		args       map[string]any
		wantParent string
		wantStatus string
		wantLabels []string
	}{
		{"space root", map[string]any{"spaceKey": "TEAM", "title": "Root page", "content": "# Hello\n\nA **bold** start."},
			team.HomepageID, "current", nil},
		{"space key in lower case", map[string]any{"spaceKey": "team", "title": "Lower key page", "content": "x"},
			team.HomepageID, "current", nil},
		{"under a parent", map[string]any{"spaceKey": "TEAM", "title": "Child page", "content": "- [ ] a task", "parentPageId": parent},
			parent, "current", nil},
		{"draft", map[string]any{"spaceKey": "TEAM", "title": "Draft page", "content": "Work in progress", "status": "draft"},
			team.HomepageID, "draft", nil},
		{"explicit current", map[string]any{"spaceKey": "TEAM", "title": "Current page", "content": "Done", "status": "current"},
			team.HomepageID, "current", nil},
		{"labels", map[string]any{"spaceKey": "TEAM", "title": "Labelled page", "content": "Tagged",
			"labels": []string{"meeting-notes", "Weekly-Sync", "meeting-notes", " q4 "}},
			team.HomepageID, "current", []string{"meeting-notes", "weekly-sync", "q4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.site.ResetRequests()
			var res confluenceCreatePageResult
			text := h.callOK("atlassian_confluence_create_page", tt.args, &res)
			if n := confCreates(h); n != 1 {
				t.Fatalf("%d creates sent, want 1", n)
			}
			page, ok := h.site.ConfluencePage(res.ID)
			if !ok {
				t.Fatalf("page %s was not created", res.ID)
			}
			if page.Title != tt.args["title"] || page.SpaceKey != "TEAM" || page.ParentID != tt.wantParent || page.Status != tt.wantStatus {
				t.Errorf("created %+v, want parent %s status %s", page, tt.wantParent, tt.wantStatus)
			}
			if res.Title != page.Title || res.Status != tt.wantStatus || res.Space.Key != "TEAM" || res.Space.Name != "Team Space" || res.URL == "" {
				t.Errorf("result %+v", res)
			}
			if tt.wantStatus == "current" && res.URL != h.site.SiteURL+"/wiki/spaces/TEAM/pages/"+res.ID+"/"+strings.ReplaceAll(page.Title, " ", "+") {
				t.Errorf("url %q", res.URL)
			}
			if !slices.Equal(page.Labels, tt.wantLabels) || !res.LabelsAdded || len(res.Labels) != len(tt.wantLabels) {
				t.Errorf("labels %v (result %v, added %v), want %v", page.Labels, res.Labels, res.LabelsAdded, tt.wantLabels)
			}
			if strings.Contains(page.Body, "**") || strings.Contains(page.Body, "- [ ]") {
				t.Errorf("body stored as markdown, not storage: %q", page.Body)
			}
			if !strings.Contains(text, "id "+res.ID) || !strings.Contains(text, res.URL) {
				t.Errorf("text %q", text)
			}
			// What was written reads back as the markdown given.
			var got confluenceGetPageResult
			h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": res.ID}, &got)
			if strings.TrimSpace(got.Body) != strings.TrimSpace(tt.args["content"].(string)) {
				t.Errorf("read back %q, want %q", got.Body, tt.args["content"])
			}
		})
	}
}

func TestConfluenceCreatePageRefusedBeforeWriting(t *testing.T) {
	h := newHarness(t)
	ok := map[string]any{"spaceKey": "TEAM", "title": "T", "content": "c"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		args map[string]any
		want string
		// direct calls the handler without the MCP pipe (for the
		// multi-megabyte arguments, which are slow to pipe under -race).
		direct bool
	}{
		{"unknown space lists valid keys", with("spaceKey", "NOPE"), `parameter spaceKey: unknown space "NOPE"; valid: ENG, TEAM, OPS`, false},
		{"space key missing", with("spaceKey", nil), "parameter spaceKey: is required", false},
		{"title missing", with("title", "  "), "parameter title: is required", false},
		{"title too long", with("title", strings.Repeat("t", 256)), "parameter title: is 256 characters; Confluence allows at most 255", false},
		{"bad status", with("status", "published"), `parameter status: must be "current" (published, the default) or "draft", got "published"`, false},
		{"bad parent", with("parentPageId", "Meeting notes"), "parameter parentPageId: must be a numeric page id", false},
		{"label with a space", with("labels", []string{"ok", "meeting notes"}), `parameter labels: label "meeting notes" contains a space; Confluence labels are single words such as "meeting-notes"`, false},
		{"label with a colon", with("labels", []string{"team:notes"}), `label "team:notes" contains a character Confluence does not allow`, false},
		{"empty label", with("labels", []string{""}), "parameter labels: contains an empty label", false},
		{"label too long", with("labels", []string{strings.Repeat("l", 256)}), "longer than 255 characters", false},
		{"too many labels", with("labels", make([]string, 51)), "has 51 labels; at most 50", false},
		{"labels not an array", with("labels", "a,b"), "parameter labels: expected an array", false},
		{"content over 5 MB", with("content", strings.Repeat("a", maxCreateRequestBytes+1)), "parameter content: is 5000001 bytes; a page may be at most about 5 MB", true},
		// Each "&" is "&amp;" in storage and "\u0026amp;" in the JSON body.
		{"storage over 5 MB", with("content", strings.Repeat("&", maxCreateRequestBytes/9)), "once converted to Confluence storage format; Confluence refuses requests over 5 MB", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.site.ConfluenceSpaces())
			h.site.ResetRequests()
			var got string
			if tt.direct {
				_, err := h.deps.confluenceCreatePage(context.Background(), &confluenceCreatePageArgs{
					SpaceKey: tt.args["spaceKey"].(string), Title: tt.args["title"].(string), Content: tt.args["content"].(string)})
				if err == nil {
					t.Fatal("no error")
				}
				got = describeError(err)
			} else {
				got = h.callErr("atlassian_confluence_create_page", tt.args)
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("error %q, want %q", got, tt.want)
			}
			if n := confCreates(h); n != 0 {
				t.Fatalf("%d creates sent for a refused call", n)
			}
			for _, r := range h.site.Requests() {
				if r.Method != "GET" {
					t.Fatalf("a write was sent: %s %s", r.Method, r.Path)
				}
			}
			if len(h.site.ConfluenceSpaces()) != before {
				t.Fatal("spaces changed")
			}
		})
	}
}

func TestConfluenceCreatePageAtlassianErrors(t *testing.T) {
	h := newHarness(t)
	eng := confPageID(t, h, "ENG", "Runbooks")
	tests := []struct {
		name  string
		args  map[string]any
		fault *sandbox.Fault
		want  []string
	}{
		{"title taken", map[string]any{"spaceKey": "TEAM", "title": "Expense policy", "content": "x"}, nil,
			[]string{`parameter title: A page titled "Expense policy" already exists in space TEAM`, "Change the title", "atlassian_confluence_get_page pageId=", "/spaces/TEAM/pages/", "nothing was created"}},
		{"parent in another space", map[string]any{"spaceKey": "TEAM", "title": "Misplaced", "content": "x", "parentPageId": eng}, nil,
			[]string{`parameter parentPageId: page ` + eng + ` ("Runbooks") is in space ENG, not in space TEAM`, `use spaceKey "ENG"`}},
		{"parent missing", map[string]any{"spaceKey": "TEAM", "title": "Orphan", "content": "x", "parentPageId": "77777777"}, nil,
			[]string{"parameter parentPageId: page 77777777 does not exist", "omit parentPageId"}},
		{"server error is not retried", map[string]any{"spaceKey": "TEAM", "title": "Flaky", "content": "x"},
			&sandbox.Fault{Method: "POST", Path: "/wiki/api/v2/pages", Status: 502, Times: 1},
			[]string{"Atlassian answered 502", "try again later"}},
		{"too large for Confluence", map[string]any{"spaceKey": "TEAM", "title": "Huge", "content": "x"},
			&sandbox.Fault{Method: "POST", Path: "/wiki/api/v2/pages", Status: 413, Times: 1},
			[]string{"Atlassian answered 413", "shorten it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				h.site.InjectFault(*tt.fault)
				defer h.site.ClearFaults()
			}
			h.site.ResetRequests()
			got := h.callErr("atlassian_confluence_create_page", tt.args)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("error %q lacks %q", got, w)
				}
			}
			if n := confCreates(h); n != 1 {
				t.Errorf("%d creates sent, want exactly 1 (creates are never retried)", n)
			}
			if _, ok := h.site.ConfluencePageByTitle("TEAM", tt.args["title"].(string)); ok && tt.name != "title taken" {
				t.Errorf("a page was created")
			}
		})
	}
}

func TestConfluenceCreatePageLabelFailureIsPartialSuccess(t *testing.T) {
	h := newHarness(t)
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/wiki/rest/api/content/*/label", Status: 500})
	res := h.call("atlassian_confluence_create_page", map[string]any{"spaceKey": "TEAM", "title": "Notes with labels", "content": "Notes", "labels": []string{"meeting-notes"}})
	text := resultText(res)
	if res.IsError {
		t.Fatalf("a created page is reported as a failure: %s", text)
	}
	page, ok := h.site.ConfluencePageByTitle("TEAM", "Notes with labels")
	if !ok {
		t.Fatal("page not created")
	}
	if len(page.Labels) != 0 {
		t.Fatalf("labels %v were added despite the fault", page.Labels)
	}
	for _, w := range []string{"Page created, but its labels were NOT added.", "id " + page.ID, "Labels not added: Atlassian answered 500",
		"Do not create the page again"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	var out confluenceCreatePageResult
	h.site.ClearFaults()
	h.site.InjectFault(sandbox.Fault{Method: "POST", Path: "/wiki/rest/api/content/*/label", Status: 500})
	h.callOK("atlassian_confluence_create_page", map[string]any{"spaceKey": "TEAM", "title": "Notes with labels 2", "content": "Notes", "labels": []string{"a"}}, &out)
	if out.LabelsAdded || out.LabelError == "" || out.ID == "" || len(out.Labels) != 0 {
		t.Errorf("structured partial success: %+v", out)
	}
	if n := confCreates(h); n != 2 {
		t.Errorf("%d creates, want 2 (one per call)", n)
	}
}

func TestConfluenceCreatePageWithoutSnapshot(t *testing.T) {
	site := sandbox.NewServer()
	t.Cleanup(site.Close)
	conf, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(site.URL, site.CloudID), site.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	d := &Deps{Confluence: conf, Schema: schema.NewStore(nil, "test"), SiteURL: site.SiteURL}
	res, err := d.confluenceCreatePage(context.Background(), &confluenceCreatePageArgs{SpaceKey: "OPS", Title: "Before discovery", Content: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Space.Key != "OPS" || res.Space.Name != "Operations" {
		t.Fatalf("space %+v", res.Space)
	}
	if _, err := d.confluenceCreatePage(context.Background(), &confluenceCreatePageArgs{SpaceKey: "NOPE", Title: "x", Content: "hi"}); err == nil ||
		!strings.Contains(describeError(err), `parameter spaceKey: no space with key "NOPE"`) {
		t.Fatalf("unknown space before discovery: %v", err)
	}
}

func TestConfluenceCheckLabels(t *testing.T) {
	tests := []struct {
		in      []string
		want    []string
		wantErr string
	}{
		{nil, nil, ""},
		{[]string{"A", "a", "b-c_d"}, []string{"a", "b-c_d"}, ""},
		{[]string{"naïve"}, []string{"naïve"}, ""},
		{[]string{"tab\there"}, nil, "contains a space"},
		{[]string{"zero\u200bwidth"}, nil, "invisible"},
		{[]string{"x!"}, nil, "does not allow"},
	}
	for _, tt := range tests {
		got, err := confCheckLabels(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("confCheckLabels(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("confCheckLabels(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
