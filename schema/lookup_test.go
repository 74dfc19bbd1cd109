package schema

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// demo is a small snapshot shaped like the sandbox's demo site.
func demo() *Snapshot {
	bug := &IssueType{ID: "10001", Name: "Bug", Fields: []*FieldMeta{
		{ID: "summary", Name: "Summary", Required: true, Type: "string"},
		{ID: "issuetype", Name: "Issue Type", Required: true, Type: "issuetype"},
		{ID: "project", Name: "Project", Required: true, Type: "project"},
		{ID: "priority", Name: "Priority", Required: true, Type: "priority"},
		{ID: "reporter", Name: "Reporter", Required: true, HasDefault: true, Type: "user"},
	}, Statuses: []*Status{{"1", "To Do", "new"}, {"3", "In Progress", "indeterminate"}, {"4", "In Review", "indeterminate"}, {"5", "Done", "done"}}}
	task := &IssueType{ID: "10002", Name: "Task", Statuses: []*Status{{"1", "To Do", "new"}, {"3", "in progress", "indeterminate"}, {"5", "Done", "done"}}}
	sub := &IssueType{ID: "10005", Name: "Sub-task", Subtask: true}
	return &Snapshot{
		FormatVersion: FormatVersion,
		Connection:    "default",
		Products:      []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence},
		Jira: &Jira{
			Projects: []*Project{
				{ID: "10000", Key: "ENG", Name: "Engineering", IssueTypes: []*IssueType{bug, task, sub}},
				{ID: "10001", Key: "OPS", Name: "Operations", IssueTypes: []*IssueType{task, {ID: "10006", Name: "Incident"}}, Priorities: []string{"High", "Low"}},
			},
			Fields: []*Field{
				{ID: "summary", Name: "Summary", Type: "string"},
				{ID: "customfield_10016", Name: "Story Points", Custom: true, Type: "number"},
				{ID: "customfield_10001", Name: "Team", Custom: true, Type: "option"},
				{ID: "customfield_20001", Name: "Team", Custom: true, Type: "string"},
			},
			Priorities: []*Priority{{"1", "Highest"}, {"2", "High"}, {"3", "Medium"}, {"4", "Low"}, {"5", "Lowest"}},
			LinkTypes: []*LinkType{
				{ID: "10000", Name: "Blocks", Inward: "is blocked by", Outward: "blocks"},
				{ID: "10003", Name: "Relates", Inward: "relates to", Outward: "relates to"},
			},
		},
		Confluence: &Confluence{Spaces: []*Space{{ID: "65537", Key: "ENG", Name: "Engineering"}, {ID: "65538", Key: "TEAM", Name: "Team Space"}}},
	}
}

// mustProject looks up a project the test's snapshot has.
func mustProject(t *testing.T, s *Snapshot, key string) *Project {
	t.Helper()
	p, err := s.Project(key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLookups(t *testing.T) {
	s := demo()
	eng, ops := mustProject(t, s, "ENG"), mustProject(t, s, "OPS")
	tests := []struct {
		name    string
		lookup  func() (string, error)
		want    string
		wantErr string
	}{
		{"project by key", func() (string, error) { p, err := s.Project("ENG"); return key(p, err) }, "ENG", ""},
		{"project key folded", func() (string, error) { p, err := s.Project(" eng "); return key(p, err) }, "ENG", ""},
		{"project by name", func() (string, error) { p, err := s.Project("operations"); return key(p, err) }, "OPS", ""},
		{"unknown project lists keys", func() (string, error) { p, err := s.Project("XINET"); return key(p, err) }, "", `unknown project "XINET"; valid: ENG, OPS`},
		{"issue type", func() (string, error) { it, err := eng.IssueType("bug"); return name(it, err) }, "Bug", ""},
		{"issue type by id", func() (string, error) { it, err := eng.IssueType("10005"); return name(it, err) }, "Sub-task", ""},
		{"issue type not in project", func() (string, error) { it, err := ops.IssueType("Bug"); return name(it, err) }, "", `unknown issue type "Bug" in project OPS; valid: Task, Incident`},
		{"priority", func() (string, error) { p, err := s.Priority(eng, "highest"); return prio(p, err) }, "Highest", ""},
		{"priority by id", func() (string, error) { p, err := s.Priority(nil, "3"); return prio(p, err) }, "Medium", ""},
		{"priority outside project scheme", func() (string, error) { p, err := s.Priority(ops, "Highest"); return prio(p, err) }, "", `unknown priority "Highest" in project OPS; did you mean "High"? Valid: High, Low`},
		{"priority in project scheme", func() (string, error) { p, err := s.Priority(ops, "low"); return prio(p, err) }, "Low", ""},
		{"project key typo suggests the key", func() (string, error) { p, err := s.Project("ENGG"); return key(p, err) }, "", `unknown project "ENGG"; did you mean "ENG"? Valid: ENG, OPS`},
		{"unknown priority", func() (string, error) { p, err := s.Priority(nil, "Urgent"); return prio(p, err) }, "", `unknown priority "Urgent"; did you mean "Highest"? Valid: Highest, High, Medium, Low, Lowest`},
		{"priority by another tracker's name", func() (string, error) { p, err := s.Priority(nil, "P2"); return prio(p, err) }, "", `unknown priority "P2"; did you mean "High"? Valid: Highest, High, Medium, Low, Lowest`},
		{"no convention applies", func() (string, error) { p, err := s.Priority(nil, "Whenever"); return prio(p, err) }, "", `unknown priority "Whenever"; valid: Highest, High, Medium, Low, Lowest`},
		{"field by id", func() (string, error) { f, err := s.Field("customfield_10016"); return fid(f, err) }, "customfield_10016", ""},
		{"field by name", func() (string, error) { f, err := s.Field("story points"); return fid(f, err) }, "customfield_10016", ""},
		{"field by cf[]", func() (string, error) { f, err := s.Field("cf[10016]"); return fid(f, err) }, "customfield_10016", ""},
		{"ambiguous field name", func() (string, error) { f, err := s.Field("Team"); return fid(f, err) }, "", `field "Team" is ambiguous; it matches: Team (customfield_10001), Team (customfield_20001)`},
		{"unknown field lists custom fields", func() (string, error) { f, err := s.Field("Points"); return fid(f, err) }, "", `unknown field "Points"; valid: Story Points (customfield_10016), Team (customfield_10001), Team (customfield_20001)`},
		{"link type by name", func() (string, error) { lt, in, err := s.LinkType("Blocks"); return link(lt, in, err) }, "Blocks outward", ""},
		{"link outward phrase", func() (string, error) { lt, in, err := s.LinkType("blocks"); return link(lt, in, err) }, "Blocks outward", ""},
		{"link inward phrase", func() (string, error) { lt, in, err := s.LinkType("Is  Blocked By"); return link(lt, in, err) }, "Blocks inward", ""},
		{"symmetric phrase reads outward", func() (string, error) { lt, in, err := s.LinkType("relates to"); return link(lt, in, err) }, "Relates outward", ""},
		{"unknown link", func() (string, error) { lt, in, err := s.LinkType("causes"); return link(lt, in, err) }, "", `unknown link type "causes"; valid: blocks, is blocked by, relates to, relates to`},
		{"space", func() (string, error) { sp, err := s.Space("team"); return spaceID(sp, err) }, "65538", ""},
		{"unknown space", func() (string, error) { sp, err := s.Space("HR"); return spaceID(sp, err) }, "", `unknown space "HR"; valid: ENG, TEAM`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lookup()
			if tt.wantErr != "" {
				var le *LookupError
				if !errors.As(err, &le) {
					t.Fatalf("got %q, %v; want LookupError %q", got, err, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("error\n got %q\nwant %q", err.Error(), tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLookupErrorCapsChoices(t *testing.T) {
	s := &Snapshot{Jira: &Jira{}}
	for i := range 505 {
		s.Jira.Projects = append(s.Jira.Projects, &Project{Key: fmt.Sprintf("P%d", i)})
	}
	_, err := s.Project("NOPE")
	var le *LookupError
	if !errors.As(err, &le) || len(le.Valid) != MaxChoices || le.More != 505-MaxChoices {
		t.Fatalf("got %v", err)
	}
	if !strings.HasSuffix(err.Error(), "(and 485 more)") {
		t.Errorf("error does not say how many more: %q", err)
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		value   string
		choices []string
		want    string
	}{
		{"Subtask", []string{"Bug", "Task", "Sub-task"}, "Sub-task"},
		{"sev1", []string{"Sev 1", "Sev 2"}, "Sev 1"},
		{"Highest", []string{"High", "Medium", "Low"}, "High"},
		{"OPZ", []string{"ENG", "TEAM", "OPS"}, "OPS"},
		{"Operation", []string{"Engineering", "Operations"}, "Operations"},
		{"titel", []string{"text", "title", "type"}, "title"},
		{"Urgent", []string{"Highest", "High", "Medium", "Low", "Lowest"}, ""},
		{"Incident", []string{"Bug", "Task", "Story"}, ""},
		{"Sev", []string{"Sev 1", "Sev 2"}, ""}, // two equally close
		{"Task", []string{"Task", "Tasks"}, ""}, // already a choice
		{"", []string{"A"}, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.value, tt.choices); got != tt.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", tt.value, tt.choices, got, tt.want)
		}
	}
}

func TestLookupsOnEmptySnapshot(t *testing.T) {
	var s *Snapshot
	if _, err := s.Project("ENG"); err == nil || !strings.Contains(err.Error(), "none are available") {
		t.Errorf("nil snapshot project lookup: %v", err)
	}
	if _, err := s.Space("ENG"); err == nil {
		t.Error("nil snapshot space lookup succeeded")
	}
	if s.HasProduct(atlassian.ProductJira) {
		t.Error("nil snapshot has jira")
	}
}

func TestRequiredFieldsAndStatuses(t *testing.T) {
	s := demo()
	bug, err := mustProject(t, s, "ENG").IssueType("Bug")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range bug.RequiredFields() {
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, ","); got != "summary,priority" {
		t.Errorf("required fields = %s, want summary,priority (project, issuetype and defaulted reporter left out)", got)
	}
	if got := strings.Join(s.StatusNames(), ","); got != "Done,In Progress,In Review,To Do" {
		t.Errorf("status names = %s", got)
	}
}

func key(p *Project, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return p.Key, nil
}

func name(it *IssueType, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return it.Name, nil
}

func prio(p *Priority, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

func fid(f *Field, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return f.ID, nil
}

func link(lt *LinkType, inward bool, err error) (string, error) {
	if err != nil {
		return "", err
	}
	if inward {
		return lt.Name + " inward", nil
	}
	return lt.Name + " outward", nil
}

func spaceID(sp *Space, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return sp.ID, nil
}
