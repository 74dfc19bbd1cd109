package sandbox

import (
	"strings"
	"testing"
)

// TestJiraSetFieldErrors sends one field per create and checks Jira's text
// for every way setField and setCustom refuse a value, and that the values
// next to them are accepted.
func TestJiraSetFieldErrors(t *testing.T) {
	c := newJiraTest(t)
	long := strings.Repeat("a", 256)
	tooLongDoc := adf(strings.Repeat("b", jMaxTextChars+1))
	engTask := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}
	engBug := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Bug"}, "summary": "x", "priority": map[string]any{"name": "Low"}}
	engStory := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Story"}, "summary": "x"}
	engSubtask := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Sub-task"}, "summary": "x"}
	opsIncident := map[string]any{"project": map[string]any{"key": "OPS"}, "issuetype": map[string]any{"name": "Incident"}, "summary": "x",
		fieldSeverity: map[string]any{"value": "Sev 2"}}
	tests := []struct {
		name  string
		base  map[string]any // the other fields of the create
		field string
		value any
		msg   string // "" when the value is accepted
	}{
		{"summary not a string", engTask, "summary", 42, jMsgMustBeString},
		{"summary null", engTask, "summary", nil, jMsgMustBeString},
		{"summary blank", engTask, "summary", "   ", "You must specify a summary of the issue."},
		{"summary too long", engTask, "summary", long, "Summary must be less than 255 characters."},
		{"summary of 255 characters", engTask, "summary", strings.Repeat("é", 255), ""},
		{"summary with a newline", engTask, "summary", "one\ntwo", "The summary is invalid because it contains newline characters."},
		{"description null", engTask, "description", nil, ""},
		{"description too long", engTask, "description", tooLongDoc, jMsgTextTooLong},
		{"environment", engBug, "environment", adf("Chrome"), ""},
		{"environment plain text", engBug, "environment", "Chrome", jMsgMustBeADF},
		{"priority not an object", engTask, "priority", 5, "Could not find valid 'id' or 'name' in priority object."},
		{"priority by id", engTask, "priority", map[string]any{"id": "999"}, "The priority selected is invalid. (id '999')"},
		{"priority by name", engTask, "priority", map[string]any{"name": "Nope"}, "The priority selected is invalid."},
		{"priority null", engTask, "priority", nil, ""},
		{"assignee not an object", engTask, "assignee", "x", "expected Object containing a 'accountId' property"},
		{"assignee unknown", engTask, "assignee", map[string]any{"accountId": jNobody}, "Specified user does not exist or you do not have required permissions"},
		{"assignee an app", engTask, "assignee", map[string]any{"accountId": jRobot}, "User 'Automation for Jira' cannot be assigned issues."},
		{"assignee by id", engTask, "assignee", map[string]any{"id": jSam}, ""},
		{"assignee -1", engTask, "assignee", map[string]any{"accountId": "-1"}, ""},
		{"assignee null", engTask, "assignee", nil, ""},
		{"reporter null", engTask, "reporter", nil, "Reporter is required."},
		{"reporter not an object", engTask, "reporter", 7, "Reporter is required."},
		{"reporter unknown", engTask, "reporter", map[string]any{"accountId": jNobody}, "Specified reporter is not a user."},
		{"reporter by id", engTask, "reporter", map[string]any{"id": jSam}, ""},
		{"labels null", engTask, "labels", nil, ""},
		{"labels as one string", engTask, "labels", "a", "expected array of strings"},
		{"label empty", engTask, "labels", []string{""}, "The label can't be empty."},
		{"label too long", engTask, "labels", []string{long}, "The label must not exceed 255 characters."},
		{"components as one string", engTask, "components", "Backend", "expected array of component objects"},
		{"component by unknown id", engTask, "components", []any{map[string]any{"id": "999"}}, "Component with id '999' does not exist."},
		{"components null", engTask, "components", nil, ""},
		{"fixVersions as one string", engTask, "fixVersions", "2026.11", "expected array of version objects"},
		{"fixVersion by unknown id", engTask, "fixVersions", []any{map[string]any{"id": "1"}}, "Version id '1' is not valid"},
		{"fixVersion by unknown name", engTask, "fixVersions", []any{map[string]any{"name": "nope"}}, "Version name 'nope' is not valid"},
		{"fixVersion empty object", engTask, "fixVersions", []any{map[string]any{}}, "Please provide Version"},
		{"fixVersion by name", engTask, "fixVersions", []any{map[string]any{"name": "2026.11"}}, ""},
		{"fixVersions null", engTask, "fixVersions", nil, ""},
		{"duedate a number", engTask, "duedate", 5, "Error parsing date string: 5"},
		{"duedate empty", engTask, "duedate", "", ""},
		{"duedate null", engTask, "duedate", nil, ""},
		{"parent as one string", engSubtask, "parent", "ENG-2", jMsgNoParent},
		{"parent id not a number", engSubtask, "parent", map[string]any{"id": "abc"}, jMsgNoParent},
		{"parent null on a sub-task", engSubtask, "parent", nil, "Issue type is a sub-task but parent issue key or id not specified."},
		{"sub-task under another project's issue", engSubtask, "parent", map[string]any{"key": "OPS-2"}, "Sub-tasks must be created in the same project as the parent."},
		{"parent null", engTask, "parent", nil, ""},
		{"timetracking as one string", engTask, "timetracking", "2h", "expected Object"},
		{"original estimate", engTask, "timetracking", map[string]any{"originalEstimate": "bad"}, "The original estimate specified is not valid."},
		{"remaining estimate", engTask, "timetracking", map[string]any{"remainingEstimate": "bad"}, "The remaining estimate specified is not valid."},
		{"both estimates", engTask, "timetracking", map[string]any{"originalEstimate": "2h", "remainingEstimate": "1h"}, ""},
		{"original estimate only", engTask, "timetracking", map[string]any{"originalEstimate": "1d"}, ""},
		{"issuelinks in fields", engTask, "issuelinks", []any{}, ""},
		{"a system field setField lacks", engBug, "versions", []any{}, "Field 'versions' cannot be set. It is not on the appropriate screen, or unknown."},
		// Custom fields, by kind.
		{"number overflows", engTask, fieldStoryPoints, rawJSON("1e400"), jMsgMustBeNumber},
		{"number null", engTask, fieldStoryPoints, nil, ""},
		{"text too long", engBug, fieldCustomer, long, "The entered text is too long. It exceeds the allowed limit of 255 characters."},
		{"text not a string", engBug, fieldCustomer, 3, jMsgMustBeString},
		{"text empty", engBug, fieldCustomer, "", ""},
		{"textarea too long", engStory, fieldAcceptance, tooLongDoc, jMsgTextTooLong},
		{"textarea", engStory, fieldAcceptance, adf("Done when done"), ""},
		{"date not a string", engTask, fieldStartDate, 5, "Error parsing date string: 5"},
		{"date badly written", engTask, fieldStartDate, "01/12/2026", "Error parsing date string: 01/12/2026"},
		{"date", engTask, fieldStartDate, "2026-12-01", ""},
		{"option by unknown id", engTask, fieldTeam, map[string]any{"id": "999"}, "Option id '999' is not valid"},
		{"option by id", engTask, fieldTeam, map[string]any{"id": "10100"}, ""},
		{"multi-select as one string", opsIncident, fieldServices, "billing", "Specify a valid 'id' or 'name' for Affected services"},
		{"multi-select unknown value", opsIncident, fieldServices, []any{map[string]any{"value": "nope"}}, "Option value 'nope' is not valid"},
		{"multi-select empty", opsIncident, fieldServices, []any{}, ""},
		{"multi-select", opsIncident, fieldServices, []any{map[string]any{"value": "billing"}, map[string]any{"id": "10300"}}, ""},
		{"sprint not whole", engTask, fieldSprint, 2.5, "Number value expected as the Sprint id."},
		{"sprint as a string", engTask, fieldSprint, "4", "Number value expected as the Sprint id."},
		{"sprint unknown", engTask, fieldSprint, 999, "Sprint with id 999 does not exist."},
		{"sprint future", engTask, fieldSprint, 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{}
			for k, v := range tt.base {
				fields[k] = v
			}
			fields[tt.field] = tt.value
			r := c.do("POST", "/issue", map[string]any{"fields": fields})
			if tt.msg == "" {
				r.want(t, 201)
				return
			}
			r.wantError(t, 400, "", tt.field, tt.msg)
		})
	}
}

// TestJiraSetFieldResolution checks resolution's texts, which only a
// transition's screen can set.
func TestJiraSetFieldResolution(t *testing.T) {
	c := newJiraTest(t)
	tests := []struct {
		name  string
		value any
		msg   string
	}{
		{"not an object", 5, "Could not find valid 'id' or 'name' in resolution object."},
		{"unknown", map[string]any{"name": "Nope"}, "The resolution selected is invalid."},
		{"by name", map[string]any{"name": "Won't Do"}, ""},
		{"null", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := c.do("POST", "/issue", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "MKT"},
				"issuetype": map[string]any{"name": "Task"}, "summary": "x"}}).want(t, 201).JSON(t)
			r := c.do("POST", "/issue/"+m["key"].(string)+"/transitions", map[string]any{"transition": map[string]any{"id": "21"},
				"fields": map[string]any{"resolution": tt.value}})
			if tt.msg == "" {
				r.want(t, 204)
				return
			}
			r.wantError(t, 400, "", "resolution", tt.msg)
		})
	}
}

// rawJSON is a request value sent as written (a number JSON allows and Go
// cannot hold).
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// TestJiraSetterTables checks that setField's tables cover the site: every
// custom field has a setter for its kind, and every system field on a
// screen has one, but project and issue type (the create sets them first)
// and versions (refused as not on the screen, as before the tables).
func TestJiraSetterTables(t *testing.T) {
	sites := map[string][]Option{"demo": nil, "generated": {WithGeneratedSite(SiteSpec{Projects: 3, CustomFields: 60, Issues: 10, Seed: 1})}}
	for name, opts := range sites {
		t.Run(name, func(t *testing.T) {
			c := newJiraTest(t, opts...)
			j := c.srv.jira()
			c.srv.mu.Lock()
			defer c.srv.mu.Unlock()
			for _, f := range j.fields {
				if f.Custom && customSetters[f.Kind] == nil {
					t.Errorf("custom field %s of kind %q has no setter", f.ID, f.Kind)
				}
			}
			for _, p := range j.projects {
				for typ, screen := range p.screens {
					for _, fid := range screen {
						f := j.fieldByID[fid]
						switch {
						case f == nil:
							t.Errorf("%s %s: screen field %s does not exist", p.Key, typ, fid)
						case f.Custom, fid == "project", fid == "issuetype", fid == "versions":
						case systemSetters[fid] == nil:
							t.Errorf("%s %s: system field %s has no setter", p.Key, typ, fid)
						}
					}
				}
			}
		})
	}
}
