package sandbox

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// TestJiraGolden pins the exact response shapes of the main Jira endpoints
// on the demo site under testdata/jira/ so a change shows in review.
// Rewrite with UPDATE_GOLDEN=1 go test ./sandbox/.
func TestJiraGolden(t *testing.T) {
	c := newJiraTest(t)
	cases := []struct {
		name, method, path string
		body               any
	}{
		{"issue_ENG-3", "GET", "/issue/ENG-3?expand=names,schema,renderedFields,transitions,changelog", nil},
		{"issue_OPS-1_fields", "GET", "/issue/OPS-1?fields=summary,status,priority,assignee,customfield_10030,customfield_10034,issuelinks", nil},
		{"search_open_sprint", "POST", "/search/jql", map[string]any{"jql": "project = ENG AND sprint in openSprints() AND statusCategory != Done ORDER BY key ASC",
			"maxResults": 3, "fields": []string{"summary", "status", "assignee", "priority", "issuetype", "customfield_10016"}, "expand": "names"}},
		{"transitions_OPS-1", "GET", "/issue/OPS-1/transitions?expand=transitions.fields", nil},
		{"createmeta_OPS_incident", "GET", "/issue/createmeta/OPS/issuetypes/10005", nil},
		{"project_search", "GET", "/project/search?maxResults=2&expand=description,lead", nil},
		{"project_ENG_statuses", "GET", "/project/ENG/statuses", nil},
		{"user_search_priya", "GET", "/user/search?query=priya", nil},
		{"error_create", "POST", "/issue", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "OPS"},
			"issuetype": map[string]any{"name": "Incident"}, "summary": "", "description": "text"}}},
		{"error_unbounded", "POST", "/search/jql", map[string]any{"jql": "order by created"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.method, tt.path, tt.body)
			var v any
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			got, _ := json.MarshalIndent(map[string]any{"status": r.Status, "body": v}, "", "  ")
			got = bytes.ReplaceAll(got, []byte(c.srv.URL), []byte("https://api.atlassian.example"))
			golden.Check(t, filepath.Join("testdata", "jira", tt.name+".json"), append(got, '\n'))
		})
	}
}

// TestJiraConcurrent runs writes and searches from many goroutines (run it
// with -race): every request succeeds and every comment lands.
func TestJiraConcurrent(t *testing.T) {
	c := newJiraTest(t)
	var wg sync.WaitGroup
	keys := []string{"ENG-4", "ENG-5", "OPS-2", "MKT-2"}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			key := keys[g%len(keys)]
			for i := 0; i < 5; i++ {
				if r := c.do("POST", "/issue/"+key+"/comment", map[string]any{"body": adf("concurrent")}); r.Status != 201 {
					t.Errorf("comment: %d %s", r.Status, r.Body)
				}
				if r := c.do("PUT", "/issue/"+key, map[string]any{"update": map[string]any{"labels": []any{map[string]any{"add": "load"}}}}); r.Status != 204 {
					t.Errorf("edit: %d %s", r.Status, r.Body)
				}
				if r := c.do("POST", "/search/jql", map[string]any{"jql": "labels = load", "fields": []string{"summary", "comment"}}); r.Status != 200 {
					t.Errorf("search: %d %s", r.Status, r.Body)
				}
				if r := c.do("GET", "/issue/"+key, nil); r.Status != 200 {
					t.Errorf("get: %d", r.Status)
				}
			}
		}(g)
	}
	wg.Wait()
	total := 0
	for _, k := range keys {
		m := c.do("GET", "/issue/"+k+"/comment?maxResults=1", nil).want(t, 200).JSON(t)
		total += int(m["total"].(float64))
	}
	j := c.srv.jira()
	seeded := 0
	for _, k := range keys {
		for _, cm := range j.issue(k).Comments {
			if jAdfText(cm.Body) != "concurrent" {
				seeded++
			}
		}
	}
	if total-seeded != 8*5 {
		t.Errorf("%d concurrent comments landed, want 40", total-seeded)
	}
}
