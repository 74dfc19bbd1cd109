package mcp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// The public contract of TOOLS.md: names and kinds.
var contract = map[string]Kind{
	"atlassian_jira_search":            ReadOnly,
	"atlassian_jira_get_issue":         ReadOnly,
	"atlassian_jira_create_issue":      Write,
	"atlassian_jira_update_issue":      Destructive,
	"atlassian_jira_manage_issue":      Destructive,
	"atlassian_confluence_search":      ReadOnly,
	"atlassian_confluence_get_page":    ReadOnly,
	"atlassian_confluence_create_page": Write,
}

func TestRegistryKeepsTheContract(t *testing.T) {
	tools := AllTools(&Deps{Schema: schema.NewStore(nil, "test")})
	if len(tools) != len(contract) {
		t.Fatalf("%d tools, want %d", len(tools), len(contract))
	}
	for _, tool := range tools {
		t.Run(tool.Name, func(t *testing.T) {
			kind, ok := contract[tool.Name]
			if !ok {
				t.Fatalf("%s is not in the contract", tool.Name)
			}
			if tool.Kind != kind {
				t.Errorf("kind %v, want %v", tool.Kind, kind)
			}
			if want := Product(strings.Split(tool.Name, "_")[1]); tool.Product != want {
				t.Errorf("product %q, want %q", tool.Product, want)
			}
			for _, snap := range []*schema.Snapshot{nil, largeSnapshot(5, 5, 5)} {
				if d := tool.Describe(snap); len(d) < 40 {
					t.Errorf("description too short for snapshot %v: %q", snap != nil, d)
				}
			}
			for name, raw := range map[string]json.RawMessage{"input": tool.InputSchema, "output": tool.OutputSchema} {
				var top map[string]any
				if err := json.Unmarshal(raw, &top); err != nil {
					t.Fatalf("%s schema: %v", name, err)
				}
				if top["type"] != "object" {
					t.Errorf("%s schema type %v, want object", name, top["type"])
				}
				for _, comb := range []string{"anyOf", "oneOf", "allOf", "not"} {
					if _, ok := top[comb]; ok {
						t.Errorf("%s schema has a top-level %s (some clients reject the whole tool list)", name, comb)
					}
				}
			}
			def := tool.Definition(nil)
			if a := def.Annotations; *a.ReadOnlyHint != (kind == ReadOnly) || *a.DestructiveHint != (kind == Destructive) || !*a.OpenWorldHint {
				t.Errorf("annotations %+v do not follow kind %v", a, kind)
			}
		})
	}
}

// TestToolSnapshots pins each tool's definition (before discovery) under
// testdata/toolsnaps so a schema change shows in review.
func TestToolSnapshots(t *testing.T) {
	for _, tool := range AllTools(&Deps{Schema: schema.NewStore(nil, "test")}) {
		def := tool.Definition(nil)
		got, err := json.MarshalIndent(def, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "toolsnaps", tool.Name+".json")
		golden.Check(t, path, got)
	}
}

// largeSnapshot builds a site of the given size: projects with five issue
// types and four statuses each, custom fields of assorted types, spaces.
func largeSnapshot(projects, fields, spaces int) *schema.Snapshot {
	s := &schema.Snapshot{Products: []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence}, Jira: &schema.Jira{}, Confluence: &schema.Confluence{}}
	statuses := []*schema.Status{{ID: "1", Name: "To Do", Category: "new"}, {ID: "3", Name: "In Progress", Category: "indeterminate"},
		{ID: "4", Name: "In Review", Category: "indeterminate"}, {ID: "5", Name: "Done", Category: "done"}}
	types := []string{"Bug", "Task", "Story", "Epic", "Sub-task"}
	for i := range projects {
		p := &schema.Project{ID: fmt.Sprint(10000 + i), Key: fmt.Sprintf("PRJ%d", i+1), Name: fmt.Sprintf("Project number %d", i+1),
			IssueCount: int64(projects - i), LastIssueUpdate: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		for j, name := range types {
			it := &schema.IssueType{ID: fmt.Sprint(10001 + j), Name: name, Subtask: name == "Sub-task", Statuses: statuses}
			for k := range min(fields, 30) {
				it.Fields = append(it.Fields, &schema.FieldMeta{ID: fmt.Sprintf("customfield_%d", 11000+(i+k)%max(fields, 1)), Name: "f", Type: "string"})
			}
			p.IssueTypes = append(p.IssueTypes, it)
		}
		s.Jira.Projects = append(s.Jira.Projects, p)
	}
	kinds := []string{"number", "string", "option", "array", "date", "user"}
	for i := range fields {
		s.Jira.Fields = append(s.Jira.Fields, &schema.Field{ID: fmt.Sprintf("customfield_%d", 11000+i),
			Name: fmt.Sprintf("Generated custom field %d", i+1), Custom: true, Type: kinds[i%len(kinds)]})
	}
	for _, p := range []string{"Highest", "High", "Medium", "Low", "Lowest"} {
		s.Jira.Priorities = append(s.Jira.Priorities, &schema.Priority{ID: p, Name: p})
	}
	s.Jira.LinkTypes = []*schema.LinkType{{ID: "1", Name: "Blocks", Inward: "is blocked by", Outward: "blocks"},
		{ID: "2", Name: "Relates", Inward: "relates to", Outward: "relates to"}}
	for i := range spaces {
		s.Confluence.Spaces = append(s.Confluence.Spaces, &schema.Space{ID: fmt.Sprint(65536 + i), Key: fmt.Sprintf("SP%d", i+1), Name: fmt.Sprintf("Space number %d", i+1)})
	}
	s.Confluence.MoreSpaces = spaces >= 250
	return s
}

// TestDescriptionBudget keeps all eight descriptions together under about
// 12 KB on a site with 500 projects, 2,000 custom fields and 250 spaces,
// while still naming the top projects and saying how many more exist.
func TestDescriptionBudget(t *testing.T) {
	const budget = 12 * 1024
	snap := largeSnapshot(500, 2000, 250)
	total := 0
	var all strings.Builder
	for _, tool := range AllTools(&Deps{Schema: schema.NewStore(nil, "test")}) {
		d := tool.Describe(snap)
		total += len(d)
		all.WriteString(d)
		t.Logf("%s: %d bytes", tool.Name, len(d))
	}
	if total > budget {
		t.Errorf("descriptions total %d bytes on a large site, budget %d", total, budget)
	}
	text := all.String()
	for _, want := range []string{"PRJ1 - Project number 1", "more"} {
		if !strings.Contains(text, want) {
			t.Errorf("descriptions of a large site lack %q", want)
		}
	}
}
