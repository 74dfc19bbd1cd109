package mcp

import (
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// TestStoryPointsFieldIsFirstRanked checks that storyPointsField, which
// scans instead of sorting, picks the first numeric field of
// rankedCustomFields: most used on the top projects' create screens, then
// by name, then in the snapshot's order.
func TestStoryPointsFieldIsFirstRanked(t *testing.T) {
	num := func(id, name string) *schema.Field {
		return &schema.Field{ID: id, Name: name, Custom: true, Type: "number"}
	}
	on := func(ids ...string) []*schema.FieldMeta {
		var out []*schema.FieldMeta
		for _, id := range ids {
			out = append(out, &schema.FieldMeta{ID: id})
		}
		return out
	}
	for _, tt := range []struct {
		name   string
		fields []*schema.Field
		screen []*schema.FieldMeta
		want   string
	}{
		{"none", []*schema.Field{{ID: "customfield_1", Name: "Team", Custom: true, Type: "string"}}, nil, ""},
		{"most used", []*schema.Field{num("customfield_1", "A"), num("customfield_2", "B")}, on("customfield_2"), "customfield_2"},
		{"by name", []*schema.Field{num("customfield_1", "Points"), num("customfield_2", "Estimate")}, nil, "customfield_2"},
		{"same name, snapshot order", []*schema.Field{num("customfield_9", "Points"), num("customfield_2", "Points")}, on("customfield_9", "customfield_2"), "customfield_9"},
		{"a used string field first", []*schema.Field{{ID: "customfield_3", Name: "A", Custom: true, Type: "string"}, num("customfield_4", "Z")}, on("customfield_3"), "customfield_4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap := &schema.Snapshot{Jira: &schema.Jira{Fields: tt.fields, Projects: []*schema.Project{
				{Key: "ENG", IssueTypes: []*schema.IssueType{{ID: "1", Name: "Task", Fields: tt.screen}}},
			}}}
			var ranked string
			for _, f := range rankedCustomFields(snap) {
				if f.Type == "number" {
					ranked = f.ID
					break
				}
			}
			got := ""
			if f := storyPointsField(snap); f != nil {
				got = f.ID
			}
			if got != tt.want || ranked != tt.want {
				t.Errorf("storyPointsField %q, first number in rankedCustomFields %q, want %q", got, ranked, tt.want)
			}
		})
	}
}
