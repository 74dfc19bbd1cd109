package mcp

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

func TestTruncateText(t *testing.T) {
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"no limit", "abcdef", 0, "abcdef"},
		{"cut at a word", "one two three four five six", 20, "one two three four\n\n[… truncated: 18 of 27 characters shown; more]"},
		{"cut at a line", "line one\nline two is long", 10, "line one\n\n[… truncated: 8 of 25 characters shown; more]"},
		{"runes not bytes", "ééééééééééé", 4, "éééé\n\n[… truncated: 4 of 11 characters shown; more]"},
		{"closes a fence", "```go\nx := 1\ny := 2\nz := 3\n```", 22, "```go\nx := 1\ny := 2\n```\n\n[… truncated: 23 of 30 characters shown; more]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := truncateText(tt.in, tt.limit, "more")
			if got != tt.want || cut != (got != tt.in) {
				t.Fatalf("truncateText(%q, %d) = %q, %v\nwant %q", tt.in, tt.limit, got, cut, tt.want)
			}
		})
	}
}

func TestFieldValue(t *testing.T) {
	adfDoc := `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there","marks":[{"type":"strong"}]}]}]}`
	tests := []struct {
		name, raw string
		want      string // JSON of the rendered value; "null" for none
	}{
		{"null", `null`, `null`},
		{"empty string", `""`, `null`},
		{"empty list", `[]`, `null`},
		{"empty object", `{}`, `null`},
		{"number", `8.5`, `8.5`},
		{"bool", `true`, `true`},
		{"string", `"Globex"`, `"Globex"`},
		{"date stays", `"2026-11-20"`, `"2026-11-20"`},
		{"datetime to UTC", `"2026-11-20T10:02:00.000+0200"`, `"2026-11-20T08:02:00Z"`},
		{"option", `{"id":"1","value":"Platform","self":"x"}`, `"Platform"`},
		{"cascading option", `{"value":"EU","child":{"value":"Berlin"}}`, `"EU / Berlin"`},
		{"user", `{"accountId":"a1","displayName":"Priya Raman","emailAddress":"p@x"}`, `"Priya Raman"`},
		{"hidden user", `{"accountId":"a1"}`, `"a1"`},
		{"sprints", `[{"id":4,"name":"Sprint 24","state":"active","boardId":1},{"id":3,"name":"Sprint 23","state":"closed","boardId":1}]`, `["Sprint 24 (active)","Sprint 23 (closed)"]`},
		{"status", `{"name":"In Review","statusCategory":{"key":"indeterminate","name":"In Progress"}}`, `"In Review [In Progress]"`},
		{"issue", `{"id":"1","key":"ENG-1","fields":{"summary":"Epic"}}`, `"ENG-1 \"Epic\""`},
		{"project", `{"id":"1","key":"ENG","name":"Engineering"}`, `"Engineering (ENG)"`},
		{"versions", `[{"id":"1","name":"2026.10"},{"id":"2","name":"2026.11"}]`, `["2026.10","2026.11"]`},
		{"multi option", `[{"value":"api-gateway"},{"value":"billing"}]`, `["api-gateway","billing"]`},
		{"labels", `["a","b"]`, `["a","b"]`},
		{"ADF", adfDoc, `"Hi **there**"`},
		{"time tracking", `{"originalEstimate":"3d","remainingEstimate":"1d","timeSpent":"2d"}`, `"estimate 3d, remaining 1d, spent 2d"`},
		{"watches", `{"watchCount":2,"isWatching":false}`, `"2"`},
		{"attachment", `[{"filename":"log.txt","size":10}]`, `["log.txt"]`},
		{"unknown object", `{"weird":1}`, `"{\"weird\":1}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := json.Marshal(fieldValue(json.RawMessage(tt.raw), 100, ""))
			if string(got) != tt.want {
				t.Fatalf("fieldValue(%s) = %s, want %s", tt.raw, got, tt.want)
			}
		})
	}
}

func TestIssueLinksDirection(t *testing.T) {
	blocks := atlassian.IssueLinkType{Name: "Blocks", Inward: "is blocked by", Outward: "blocks"}
	links := []atlassian.IssueLink{
		{ID: "1", Type: blocks, InwardIssue: &atlassian.IssueRef{Key: "ENG-3"}},
		{ID: "2", Type: blocks, OutwardIssue: &atlassian.IssueRef{Key: "ENG-4", Fields: &atlassian.IssueRefFields{Summary: "Release"}}},
		{ID: "3", Type: atlassian.IssueLinkType{Name: "Custom"}, OutwardIssue: &atlassian.IssueRef{Key: "ENG-5"}},
		{ID: "4", Type: blocks}, // neither side: skipped
	}
	got := issueLinks(links)
	want := []string{`is blocked by ENG-3`, `blocks ENG-4 "Release"`, `custom ENG-5`}
	if len(got) != len(want) {
		t.Fatalf("%d links, want %d: %+v", len(got), len(want), got)
	}
	for i, l := range got {
		if l.String() != want[i] {
			t.Errorf("link %d reads %q, want %q", i, l.String(), want[i])
		}
	}
	if got[0].Direction != "inward" || got[1].Direction != "outward" {
		t.Errorf("directions %s %s", got[0].Direction, got[1].Direction)
	}
}

func TestADFMarkdownFallbacks(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"null", `null`, ""},
		{"empty", ``, ""},
		{"plain string", `"just text"`, "just text"},
		{"not ADF keeps its text", `{"type":"doc","version":1,"content":[{"type":"nosuchnode","content":[{"type":"text","text":"kept"}]}]}`, "kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := adfMarkdown(json.RawMessage(tt.raw), 0, ""); !strings.Contains(got, tt.want) || (tt.want == "" && got != "") {
				t.Fatalf("adfMarkdown(%s) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

// TestJiraGolden pins the text and structured answers of get_issue and
// search on a sandbox with a fixed clock. UPDATE_GOLDEN=1 rewrites them.
func TestJiraGolden(t *testing.T) {
	clock := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, sandbox.WithClock(func() time.Time { return clock }))
	tests := []struct {
		name, tool string
		args       map[string]any
	}{
		{"get_issue_ENG-3", getIssueTool, map[string]any{"issueKey": "ENG-3"}},
		{"get_issue_OPS-1", getIssueTool, map[string]any{"issueKey": "OPS-1", "expand": "transitions"}},
		{"search_open_sprint", searchTool, map[string]any{"jql": "project = ENG AND sprint in openSprints() AND statusCategory != Done ORDER BY key ASC", "fields": "Story Points", "maxResults": 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.call(tt.tool, tt.args)
			if res.IsError {
				t.Fatal(resultText(res))
			}
			structured, _ := json.MarshalIndent(res.StructuredContent, "", "  ")
			// Continuation tokens carry the issue time: not stable.
			var m map[string]any
			_ = json.Unmarshal(structured, &m)
			if _, ok := m["nextPageToken"]; ok {
				m["nextPageToken"] = "TOKEN"
			}
			structured, _ = json.MarshalIndent(m, "", "  ")
			text := resultText(res)
			if tok, ok := m["nextPageToken"]; ok && tok != nil {
				if i := strings.Index(text, "nextPageToken=\""); i >= 0 {
					j := strings.Index(text[i+15:], "\"")
					text = text[:i+15] + "TOKEN" + text[i+15+j:]
				}
			}
			golden.CheckString(t, filepath.Join("testdata", "jira", tt.name+".txt"), text)
			golden.CheckString(t, filepath.Join("testdata", "jira", tt.name+".json"), string(structured)+"\n")
		})
	}
}

func FuzzDecodePageToken(f *testing.F) {
	now := time.Now()
	f.Add(encodePageToken(pageToken{Jira: "abc", Offset: 25, Hash: jqlHash("project = ENG"), Issued: now.Unix()}), "project = ENG")
	f.Add("js1.", "project = ENG")
	f.Add("js1.eyJ0IjoiIiwibyI6LTF9", "x")
	f.Add("garbage", "")
	f.Fuzz(func(t *testing.T, tok, jql string) {
		got, err := decodePageToken(tok, jql, now)
		if err == nil && (got.Jira == "" || got.Offset <= 0 || got.Hash != jqlHash(jql)) {
			t.Fatalf("accepted an unusable token %q: %+v", tok, got)
		}
	})
}

func FuzzTruncateText(f *testing.F) {
	f.Add("hello world", 5)
	f.Add("```\ncode\n```", 3)
	f.Add("éé\nèè", 2)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if !utf8.ValidString(s) || limit < 1 || limit > 1<<16 {
			return
		}
		got, cut := truncateText(s, limit, "")
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if !cut {
			if got != s {
				t.Fatalf("changed an uncut text")
			}
			return
		}
		head, _, ok := strings.Cut(got, "\n\n[… truncated: ")
		if !ok {
			t.Fatalf("no marker in %q", got)
		}
		if n := utf8.RuneCountInString(head); n > limit+4 {
			t.Fatalf("kept %d runes for limit %d", n, limit)
		}
	})
}
