package mcp

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// inputProperty is one top-level property of a tool's input schema.
func inputProperty(t *testing.T, tool *Tool, name string) map[string]any {
	t.Helper()
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(tool.InputSchema, &s); err != nil {
		t.Fatal(err)
	}
	p, ok := s.Properties[name]
	if !ok {
		t.Fatalf("%s has no parameter %s", tool.Name, name)
	}
	return p
}

func toolNamed(t *testing.T, d *Deps, name string) *Tool {
	t.Helper()
	for _, tool := range AllTools(d) {
		if tool.Name == name {
			return tool
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

// The closed sets of values are declared in the input schemas, and every
// declared value is one the handler takes.
func TestInputSchemaEnums(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		tool, param string
		want        []string
		args        func(v string) map[string]any
		refused     string // what the handler says of a value it does not take
	}{
		{"atlassian_jira_manage_issue", "action", manageActions,
			func(v string) map[string]any { return map[string]any{"issueKey": "ENG-3", "action": v} }, "is not an action"},
		{"atlassian_jira_update_issue", "action", []string{"update_fields", "transition", "both"},
			func(v string) map[string]any { return map[string]any{"issueKey": "ENG-3", "action": v} }, "is not an action"},
		{"atlassian_confluence_create_page", "status", []string{"current", "draft"},
			func(v string) map[string]any {
				return map[string]any{"spaceKey": "NOPE", "title": "t", "content": "x", "status": v}
			}, "parameter status"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+"."+tt.param, func(t *testing.T) {
			p := inputProperty(t, toolNamed(t, h.deps, tt.tool), tt.param)
			var got []string
			for _, v := range p["enum"].([]any) {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("enum %v, want %v", got, tt.want)
			}
			for _, v := range append(got, "bogus") {
				res := h.call(tt.tool, tt.args(v))
				refused := res.IsError && strings.Contains(resultText(res), tt.refused)
				if refused != (v == "bogus") {
					t.Errorf("value %q: refused=%v: %s", v, refused, resultText(res))
				}
			}
		})
	}
	t.Run("get_issue.expand", func(t *testing.T) {
		p := inputProperty(t, toolNamed(t, h.deps, "atlassian_jira_get_issue"), "expand")
		re := regexp.MustCompile(p["pattern"].(string))
		for v, ok := range map[string]bool{"": true, "changelog": true, "changelog,transitions": true,
			"transitions, renderedFields": true, "names": false, "changelog;transitions": false,
			// Case: a capital first letter passes both, other casing neither.
			" Transitions ": true, "Changelog,RenderedFields": true, "renderedfields": true,
			"CHANGELOG": false, "changeLog": false, "TRANSITIONS": false} {
			if re.MatchString(v) != ok {
				t.Errorf("pattern %s on %q: %v", re, v, !ok)
			}
			res := h.call("atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-3", "expand": v})
			if res.IsError == ok {
				t.Errorf("expand %q: isError=%v: %s", v, res.IsError, resultText(res))
			}
		}
	})
}

// Numbers sent as strings reach integer and boolean parameters, and
// numeric ids sent as numbers reach string parameters; what cannot be
// converted is still refused by name.
func TestArgumentCoercion(t *testing.T) {
	h := newHarness(t)
	var issues jiraSearchResult
	h.callOK("atlassian_jira_search", map[string]any{"jql": "project = ENG ORDER BY key", "maxResults": "2", "startAt": " 1 "}, &issues)
	if len(issues.Issues) != 2 {
		t.Errorf("maxResults \"2\" gave %d issues", len(issues.Issues))
	}
	id := confPageID(t, h, "ENG", "Runbooks")
	var page confluenceGetPageResult
	var n json.Number = json.Number(id)
	num, _ := n.Int64()
	h.callOK("atlassian_confluence_get_page", map[string]any{"pageId": num, "includeChildren": "true", "includeAncestors": "FALSE"}, &page)
	if page.ID != id || page.Children == nil || page.Ancestors != nil {
		t.Errorf("pageId %d: got page %s, children %v, ancestors %v", num, page.ID, page.Children, page.Ancestors)
	}
	var found confluenceSearchResult
	h.callOK("atlassian_confluence_search", map[string]any{"cql": "type = page", "limit": "3", "includeBody": "false"}, &found)
	if len(found.Results) != 3 {
		t.Errorf("limit \"3\" gave %d results", len(found.Results))
	}
	for _, tt := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"atlassian_jira_search", map[string]any{"jql": "project = ENG", "maxResults": "five"}, "parameter maxResults: expected an integer"},
		{"atlassian_jira_search", map[string]any{"jql": "project = ENG", "maxResults": "2.5"}, "parameter maxResults: expected an integer"},
		{"atlassian_confluence_get_page", map[string]any{"pageId": 1.5}, "parameter pageId: expected a string"},
		{"atlassian_confluence_get_page", map[string]any{"pageId": id, "includeChildren": "yes"}, "parameter includeChildren: expected a boolean"},
	} {
		if got := h.callErr(tt.tool, tt.args); !strings.Contains(got, tt.want) {
			t.Errorf("%v: %q, want %q", tt.args, got, tt.want)
		}
	}
}
