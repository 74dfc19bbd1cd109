package sandbox

import (
	"context"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

func TestAddJiraProject(t *testing.T) {
	s := NewServer()
	defer s.Close()
	if err := s.AddJiraProject("DATA", "Data Platform"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ key, name string }{{"DATA", "again"}, {"da", "lower"}, {"X", "short"}, {"NONAME", ""}} {
		if err := s.AddJiraProject(bad.key, bad.name); err == nil {
			t.Errorf("AddJiraProject(%q, %q) succeeded", bad.key, bad.name)
		}
	}
	jc, err := atlassian.NewJiraClient(s.JiraBaseURL(), s.HTTPClient())
	if err != nil {
		t.Fatal(err)
	}
	types, err := jc.Meta.CreateMetaIssueTypes(context.Background(), "DATA")
	if err != nil {
		t.Fatal(err)
	}
	if len(types) != 2 {
		t.Fatalf("project DATA has %d issue types, want Task and Bug", len(types))
	}
	all, err := jc.Projects.All(context.Background(), &atlassian.ProjectSearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range all {
		found = found || (p.Key == "DATA" && p.Name == "Data Platform")
	}
	if !found {
		t.Fatal("project search does not list DATA - Data Platform")
	}
}
