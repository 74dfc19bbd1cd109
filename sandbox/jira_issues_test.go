package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Account ids of the seeded users the tests use.
const (
	jAlex   = "557058:2f1c9a4e-8b7d-4e21-9c3a-5d6f7a8b9c01" // admin, the token's user
	jPriya  = "5b10ac8d82e05b22cc7d4ef5"
	jSam    = "5d53f3cbc6b9320d9ea5bdc2"
	jRiley  = "5c9d8e7f6a5b4c3d2e1f0a9b" // deactivated
	jRobot  = "557058:f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"
	jNobody = "000000000000000000000000"
)

func TestJiraGetIssue(t *testing.T) {
	c := newJiraTest(t)
	t.Run("default is all fields", func(t *testing.T) {
		m := c.issue("ENG-3", "")
		if m["key"] != "ENG-3" || jPath(m, "fields", "summary") != "Login fails with SSO when the email has uppercase letters" {
			t.Fatalf("wrong issue: %v %v", m["key"], jPath(m, "fields", "summary"))
		}
		for _, f := range []string{"status", "priority", "assignee", "reporter", "comment", "worklog", "issuelinks", "customfield_10016", "customfield_10020", "customfield_10001"} {
			if _, ok := m["fields"].(map[string]any)[f]; !ok {
				t.Errorf("field %s missing", f)
			}
		}
		if got := jPath(m, "fields", "status", "statusCategory", "key"); got != "indeterminate" {
			t.Errorf("status category %v", got)
		}
		if got := jPath(m, "fields", "customfield_10016"); got != 3.0 {
			t.Errorf("story points %v", got)
		}
		if got := jPath(m, "fields", "customfield_10001", "value"); got != "Platform" {
			t.Errorf("team %v", got)
		}
		sprints, _ := jPath(m, "fields", "customfield_10020").([]any)
		if len(sprints) != 1 || jPath(sprints[0], "state") != "active" || jPath(sprints[0], "name") != "ENG Sprint 24" {
			t.Errorf("sprint %v", sprints)
		}
		if jPath(m, "fields", "description", "type") != "doc" {
			t.Errorf("description is not ADF: %v", jPath(m, "fields", "description"))
		}
	})
	t.Run("key lookup is case-insensitive and by id", func(t *testing.T) {
		m := c.issue("eng-3", "fields=summary")
		if m["key"] != "ENG-3" {
			t.Fatalf("key %v", m["key"])
		}
		byID := c.issue(m["id"].(string), "fields=summary")
		if byID["key"] != "ENG-3" {
			t.Fatalf("by id: %v", byID["key"])
		}
	})
	tests := []struct {
		name, query  string
		want, absent []string
	}{
		{"explicit fields", "fields=summary,status", []string{"summary", "status"}, []string{"priority", "comment"}},
		{"repeated fields params", "fields=summary&fields=labels", []string{"summary", "labels"}, []string{"status"}},
		{"exclusion", "fields=*all,-comment,-description", []string{"summary", "worklog"}, []string{"comment", "description"}},
		{"navigable", "fields=*navigable", []string{"summary", "status", "customfield_10016"}, []string{"comment", "worklog"}},
		{"custom field id", "fields=customfield_10020", []string{"customfield_10020"}, []string{"summary"}},
		{"unknown field ignored", "fields=summary,nosuchfield", []string{"summary"}, []string{"nosuchfield"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := c.issue("ENG-3", tt.query)["fields"].(map[string]any)
			for _, f := range tt.want {
				if _, ok := fields[f]; !ok {
					t.Errorf("%s missing", f)
				}
			}
			for _, f := range tt.absent {
				if _, ok := fields[f]; ok {
					t.Errorf("%s present", f)
				}
			}
		})
	}
	t.Run("expand", func(t *testing.T) {
		m := c.issue("ENG-3", "fields=summary,description,comment&expand=names,schema,renderedFields,transitions,changelog")
		if jPath(m, "names", "summary") != "Summary" || jPath(m, "schema", "summary", "type") != "string" {
			t.Errorf("names/schema: %v %v", m["names"], m["schema"])
		}
		html, _ := jPath(m, "renderedFields", "description").(string)
		if !strings.Contains(html, "<p>") || !strings.Contains(html, "<tt>Alex.Morgan@Example.com</tt>") {
			t.Errorf("rendered description: %q", html)
		}
		trs, _ := m["transitions"].([]any)
		var names []string
		for _, tr := range trs {
			names = append(names, jPath(tr, "name").(string))
		}
		if strings.Join(names, ",") != "Done,Request Changes" {
			t.Errorf("transitions from In Review: %v", names)
		}
		cl := m["changelog"].(map[string]any)
		hs := cl["histories"].([]any)
		if cl["total"].(float64) < 2 || len(hs) == 0 || jPath(hs[0], "items") == nil {
			t.Errorf("changelog: %v", cl)
		}
	})
	t.Run("links read from each side", func(t *testing.T) {
		// The seed has "ENG-3 blocks ENG-4".
		from3 := c.issue("ENG-3", "fields=issuelinks")["fields"].(map[string]any)["issuelinks"].([]any)
		from4 := c.issue("ENG-4", "fields=issuelinks")["fields"].(map[string]any)["issuelinks"].([]any)
		if len(from3) != 1 || jPath(from3[0], "outwardIssue", "key") != "ENG-4" || jPath(from3[0], "type", "outward") != "blocks" {
			t.Errorf("ENG-3 links: %v", from3)
		}
		if len(from4) != 1 || jPath(from4[0], "inwardIssue", "key") != "ENG-3" || jPath(from4[0], "type", "inward") != "is blocked by" {
			t.Errorf("ENG-4 links: %v", from4)
		}
	})
	t.Run("subtasks and parent", func(t *testing.T) {
		story := c.issue("ENG-2", "fields=subtasks,parent")
		subs := jPath(story, "fields", "subtasks").([]any)
		if len(subs) != 1 || jPath(subs[0], "key") != "ENG-5" {
			t.Errorf("subtasks %v", subs)
		}
		if jPath(story, "fields", "parent", "key") != "ENG-1" || jPath(story, "fields", "parent", "fields", "issuetype", "name") != "Epic" {
			t.Errorf("parent %v", jPath(story, "fields", "parent"))
		}
	})
	for _, bad := range []string{"ENG-999999", "NOPE-1", "..%2f..%2fmyself", "%2e%2e", "ENG-3%2Fcomment", "999999999999999999999", "ENG-", "-1"} {
		t.Run("not found "+bad, func(t *testing.T) {
			c.do("GET", "/issue/"+bad, nil).wantError(t, 404, jMsgIssueNotFound, "", "")
		})
	}
}

func TestJiraCreateIssue(t *testing.T) {
	c := newJiraTest(t)
	tests := []struct {
		name   string
		fields map[string]any
		extra  map[string]any // other top-level keys
		status int
		field  string // errors key to check
		msg    string
	}{
		{"bug with priority", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Bug"},
			"summary": "Crash on save", "priority": map[string]any{"name": "High"}, "description": adf("It crashes."),
			"labels": []string{"crash"}, "components": []any{map[string]any{"name": "Backend"}}, "customfield_10016": 3,
			"customfield_10001": map[string]any{"value": "Web"}, "customfield_10020": 4, "assignee": map[string]any{"accountId": jPriya},
			"customfield_10032": "Initech", "duedate": "2026-12-01"}, nil, 201, "", ""},
		{"project by id and type by id", map[string]any{"project": map[string]any{"id": "10002"}, "issuetype": map[string]any{"id": "10001"},
			"summary": "Plan the webinar"}, nil, 201, "", ""},
		{"engine bug needs priority", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Bug"},
			"summary": "x"}, nil, 400, "priority", "Priority is required."},
		{"incident needs severity", map[string]any{"project": map[string]any{"key": "OPS"}, "issuetype": map[string]any{"name": "Incident"},
			"summary": "Down"}, nil, 400, "customfield_10030", "Severity is required."},
		{"incident with severity", map[string]any{"project": map[string]any{"key": "OPS"}, "issuetype": map[string]any{"name": "Incident"},
			"summary": "Down", "customfield_10030": map[string]any{"value": "Sev 2"}}, nil, 201, "", ""},
		{"missing summary", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}}, nil,
			400, "summary", "You must specify a summary of the issue."},
		{"unknown project", map[string]any{"project": map[string]any{"key": "NOPE"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}, nil,
			400, "project", "Specify a valid project ID or key"},
		{"missing issue type", map[string]any{"project": map[string]any{"key": "ENG"}, "summary": "x"}, nil, 400, "issuetype", "Specify an issue type"},
		{"issue type not in project", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Incident"}, "summary": "x"}, nil,
			400, "issuetype", "The issue type selected is invalid."},
		{"plain string description", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"description": "plain text"}, nil, 400, "description", jMsgMustBeADF},
		{"summary not a string", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": 42}, nil,
			400, "summary", jMsgMustBeString},
		{"number field with string", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_10016": "five"}, nil, 400, "customfield_10016", jMsgMustBeNumber},
		{"textfield with object", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Bug"}, "summary": "x",
			"priority": map[string]any{"name": "Low"}, "customfield_10032": map[string]any{"value": "x"}}, nil, 400, "customfield_10032", jMsgMustBeString},
		{"textarea needs ADF", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Story"}, "summary": "x",
			"customfield_10031": "criteria"}, nil, 400, "customfield_10031", jMsgMustBeADF},
		{"bad option", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_10001": map[string]any{"value": "Legal"}}, nil, 400, "customfield_10001", "Option value 'Legal' is not valid"},
		{"option as bare string", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_10001": "Web"}, nil, 400, "customfield_10001", "Specify a valid 'id' or 'name' for Team"},
		{"field not on screen", map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_10016": 3}, nil, 400, "customfield_10016", "Field 'customfield_10016' cannot be set. It is not on the appropriate screen, or unknown."},
		{"unknown field", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_99999": 1}, nil, 400, "customfield_99999", "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown."},
		{"priority outside the project's scheme", map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"},
			"summary": "x", "priority": map[string]any{"name": "Highest"}}, nil, 400, "priority", "The priority selected is invalid."},
		{"components as strings", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"components": []string{"Backend"}}, nil, 400, "components", "Please provide Component"},
		{"unknown component", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"components": []any{map[string]any{"name": "Legal"}}}, nil, 400, "components", "Component name 'Legal' is not valid"},
		{"sub-task without parent", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Sub-task"}, "summary": "x"}, nil,
			400, "issuetype", "Issue type is a sub-task but parent issue key or id not specified."},
		{"sub-task with parent", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Sub-task"}, "summary": "x",
			"parent": map[string]any{"key": "ENG-2"}}, nil, 201, "", ""},
		{"sub-task under epic", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Sub-task"}, "summary": "x",
			"parent": map[string]any{"key": "ENG-1"}}, nil, 400, "parent", jMsgHierarchy},
		{"story under epic", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Story"}, "summary": "x",
			"parent": map[string]any{"key": "ENG-1"}}, nil, 201, "", ""},
		{"story under story", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Story"}, "summary": "x",
			"parent": map[string]any{"key": "ENG-2"}}, nil, 400, "parent", jMsgHierarchy},
		{"missing parent issue", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Sub-task"}, "summary": "x",
			"parent": map[string]any{"key": "ENG-999999"}}, nil, 400, "parent", jMsgNoParent},
		{"closed sprint", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"customfield_10020": 1}, nil, 400, "customfield_10020", "Issue can be assigned only active or future sprints."},
		{"inactive assignee", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"assignee": map[string]any{"accountId": jRiley}}, nil, 400, "assignee", "User 'Riley Former' cannot be assigned issues."},
		{"bad due date", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"duedate": "01/12/2026"}, nil, 400, "duedate", "Error parsing date string: 01/12/2026"},
		{"label with space", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"labels": []string{"two words"}}, nil, 400, "labels", "The label 'two words' contains spaces which is invalid."},
		{"field in fields and update", map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x",
			"labels": []string{"a"}}, map[string]any{"update": map[string]any{"labels": []any{map[string]any{"add": "b"}}}},
			400, "labels", "Field 'labels' cannot be set in both 'fields' and 'update'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"fields": tt.fields}
			for k, v := range tt.extra {
				body[k] = v
			}
			r := c.do("POST", "/issue", body)
			if tt.status != 201 {
				r.wantError(t, tt.status, "", tt.field, tt.msg)
				return
			}
			m := r.want(t, 201).JSON(t)
			key, _ := m["key"].(string)
			if pk, ok := tt.fields["project"].(map[string]any)["key"].(string); ok && !strings.HasPrefix(key, pk+"-") {
				t.Errorf("key %q", key)
			}
			if m["id"] == nil || !strings.HasSuffix(m["self"].(string), "/rest/api/3/issue/"+m["id"].(string)) {
				t.Errorf("created: %v", m)
			}
			got := c.issue(key, "")
			if jPath(got, "fields", "summary") != tt.fields["summary"] {
				t.Errorf("summary %v", jPath(got, "fields", "summary"))
			}
			if jPath(got, "fields", "reporter", "accountId") != jAlex {
				t.Errorf("reporter %v", jPath(got, "fields", "reporter"))
			}
		})
	}
	t.Run("created values read back", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{"fields": tests[0].fields}).want(t, 201).JSON(t)
		got := c.issue(m["key"].(string), "")
		f := got["fields"].(map[string]any)
		checks := map[string]any{
			"priority.name": jPath(f, "priority", "name"), "status.name": jPath(f, "status", "name"),
			"assignee": jPath(f, "assignee", "accountId"), "team": jPath(f, "customfield_10001", "value"),
			"points": f["customfield_10016"], "customer": f["customfield_10032"], "due": f["duedate"],
			"component": jPath(f["components"].([]any)[0], "name"), "sprint": jPath(f["customfield_10020"].([]any)[0], "id"),
		}
		want := map[string]any{"priority.name": "High", "status.name": "To Do", "assignee": jPriya, "team": "Web", "points": 3.0,
			"customer": "Initech", "due": "2026-12-01", "component": "Backend", "sprint": 4.0}
		for k, v := range want {
			if checks[k] != v {
				t.Errorf("%s = %v, want %v", k, checks[k], v)
			}
		}
	})
	t.Run("update verbs on create", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{
			"fields": map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}, "summary": "With links"},
			"update": map[string]any{
				"labels":     []any{map[string]any{"add": "alpha"}, map[string]any{"add": "beta"}},
				"issuelinks": []any{map[string]any{"add": map[string]any{"type": map[string]any{"name": "Blocks"}, "outwardIssue": map[string]any{"key": "ENG-4"}}}},
				"comment":    []any{map[string]any{"add": map[string]any{"body": adf("First!")}}},
			}}).want(t, 201).JSON(t)
		f := c.issue(m["key"].(string), "fields=labels,issuelinks,comment")["fields"].(map[string]any)
		if fmt.Sprint(f["labels"]) != "[alpha beta]" {
			t.Errorf("labels %v", f["labels"])
		}
		links := f["issuelinks"].([]any)
		if len(links) != 1 || jPath(links[0], "outwardIssue", "key") != "ENG-4" {
			t.Errorf("links %v", links)
		}
		if jPath(f, "comment", "total") != 1.0 {
			t.Errorf("comments %v", f["comment"])
		}
	})
	t.Run("initial transition", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{"transition": map[string]any{"id": "11"},
			"fields": map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"}, "summary": "Started at once"}}).want(t, 201).JSON(t)
		if got := jPath(c.issue(m["key"].(string), "fields=status"), "fields", "status", "name"); got != "In Progress" {
			t.Errorf("status %v", got)
		}
		c.do("POST", "/issue", map[string]any{"transition": map[string]any{"id": "61"},
			"fields": map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}}).
			wantError(t, 400, "Transition id '61' is not valid for this issue.", "", "")
	})
	bad := []struct{ name, body, msg string }{
		{"malformed JSON", `{"fields": {`, ""},
		{"empty body", ``, jMsgNoContent},
		{"array body", `[1,2]`, ""},
		{"unknown top-level field", `{"fields":{},"bogus":1}`, `Unrecognized field "bogus" (Class com.atlassian.jira.rest.v2.issue.IssueUpdateBean), not marked as ignorable`},
		{"fields not an object", `{"fields":[1]}`, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/issue", tt.body).wantError(t, 400, tt.msg, "", "")
		})
	}
}

func TestJiraEditIssue(t *testing.T) {
	c := newJiraTest(t)
	t.Run("fields and verbs", func(t *testing.T) {
		c.do("PUT", "/issue/ENG-4", map[string]any{
			"fields": map[string]any{"summary": "Cut the 2026.12 release (RC1)", "customfield_10001": map[string]any{"value": "Data"}},
			"update": map[string]any{"labels": []any{map[string]any{"add": "rc1"}, map[string]any{"remove": "release"}},
				"components": []any{map[string]any{"add": map[string]any{"name": "API"}}}},
		}).want(t, 204)
		f := c.issue("ENG-4", "fields=summary,labels,components,customfield_10001&expand=changelog")
		if jPath(f, "fields", "summary") != "Cut the 2026.12 release (RC1)" || fmt.Sprint(jPath(f, "fields", "labels")) != "[rc1]" ||
			jPath(f, "fields", "customfield_10001", "value") != "Data" || len(jPath(f, "fields", "components").([]any)) != 1 {
			t.Fatalf("edit not applied: %v", f["fields"])
		}
		hs := jPath(f, "changelog", "histories").([]any)
		items := jPath(hs[0], "items").([]any)
		fieldsChanged := map[string]bool{}
		for _, it := range items {
			fieldsChanged[jPath(it, "field").(string)] = true
		}
		for _, want := range []string{"summary", "labels", "components", "Team"} {
			if !fieldsChanged[want] {
				t.Errorf("changelog lacks %s: %v", want, items)
			}
		}
	})
	t.Run("returnIssue", func(t *testing.T) {
		m := c.do("PUT", "/issue/ENG-4?returnIssue=true", map[string]any{"fields": map[string]any{"duedate": nil}}).want(t, 200).JSON(t)
		if m["key"] != "ENG-4" || jPath(m, "fields", "duedate") != nil {
			t.Fatalf("returned %v", m["fields"])
		}
	})
	t.Run("parent set and removed", func(t *testing.T) {
		c.do("PUT", "/issue/ENG-4", map[string]any{"update": map[string]any{"parent": []any{map[string]any{"set": map[string]any{"key": "ENG-1"}}}}}).want(t, 204)
		if jPath(c.issue("ENG-4", "fields=parent"), "fields", "parent", "key") != "ENG-1" {
			t.Fatal("parent not set")
		}
		c.do("PUT", "/issue/ENG-4", map[string]any{"update": map[string]any{"parent": []any{map[string]any{"set": map[string]any{"none": true}}}}}).want(t, 204)
		if jPath(c.issue("ENG-4", "fields=parent"), "fields", "parent") != nil {
			t.Fatal("parent not removed")
		}
	})
	errs := []struct {
		name  string
		body  any
		field string
		msg   string
	}{
		{"both fields and update", map[string]any{"fields": map[string]any{"labels": []string{"x"}}, "update": map[string]any{"labels": []any{map[string]any{"add": "y"}}}},
			"labels", "Field 'labels' cannot be set in both 'fields' and 'update'."},
		{"unsupported verb", map[string]any{"update": map[string]any{"summary": []any{map[string]any{"add": "y"}}}},
			"summary", "Field 'summary' does not support operation 'add'. Supported operation(s) are: 'set'"},
		{"project cannot change", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "OPS"}}},
			"project", "Field 'project' cannot be set. It is not on the appropriate screen, or unknown."},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			before := c.do("GET", "/issue/ENG-4", nil).Body
			c.do("PUT", "/issue/ENG-4", tt.body).wantError(t, 400, "", tt.field, tt.msg)
			if after := c.do("GET", "/issue/ENG-4", nil).Body; string(after) != string(before) {
				t.Error("a rejected edit changed the issue")
			}
		})
	}
	// ENG-3 is a Bug: its priority is required, so clearing it fails there.
	c.do("PUT", "/issue/ENG-3", map[string]any{"fields": map[string]any{"priority": nil}}).wantError(t, 400, "", "priority", "Priority is required.")
	c.do("PUT", "/issue/ENG-404404", map[string]any{"fields": map[string]any{}}).wantError(t, 404, jMsgIssueNotFound, "", "")
	c.do("PUT", "/issue/ENG-4", `{"fields":`).wantError(t, 400, "", "", "")
}

func TestJiraTransitions(t *testing.T) {
	c := newJiraTest(t)
	names := func(key string) string {
		m := c.do("GET", "/issue/"+key+"/transitions", nil).want(t, 200).JSON(t)
		var out []string
		for _, tr := range m["transitions"].([]any) {
			out = append(out, jPath(tr, "id").(string)+":"+jPath(tr, "name").(string)+">"+jPath(tr, "to", "name").(string))
		}
		return strings.Join(out, ",")
	}
	tests := []struct{ key, want string }{
		{"ENG-3", "31:Done>Done,51:Request Changes>In Progress"},           // Bug, In Review
		{"ENG-4", "11:Start Progress>In Progress,21:Done>Done"},            // Task, To Do
		{"ENG-2", "21:Submit for Review>In Review,41:Stop Progress>To Do"}, // Story, In Progress (dev workflow)
		{"ENG-6", "61:Reopen>To Do"},                                       // Bug, Done
		{"OPS-1", "21:Mitigate>Mitigated,31:Resolve>Resolved"},             // Incident, Investigating
		{"MKT-2", "21:Done>Done,31:Stop Progress>To Do"},                   // Task, In Progress
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := names(tt.key); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("fields expand and category", func(t *testing.T) {
		m := c.do("GET", "/issue/ENG-3/transitions?expand=transitions.fields", nil).want(t, 200).JSON(t)
		done := m["transitions"].([]any)[0]
		if jPath(done, "to", "statusCategory", "key") != "done" || jPath(done, "hasScreen") != true || jPath(done, "fields", "resolution", "name") != "Resolution" {
			t.Errorf("done transition %v", done)
		}
	})
	t.Run("walk a bug to done with a comment", func(t *testing.T) {
		c.do("POST", "/issue/ENG-3/transitions", map[string]any{"transition": map[string]any{"id": "31"},
			"update": map[string]any{"comment": []any{map[string]any{"add": map[string]any{"body": adf("Fixed in build 42")}}}}}).want(t, 204)
		f := c.issue("ENG-3", "fields=status,resolution,resolutiondate,comment")["fields"].(map[string]any)
		if jPath(f, "status", "name") != "Done" || jPath(f, "resolution", "name") != "Done" || f["resolutiondate"] == nil {
			t.Fatalf("after Done: %v %v %v", jPath(f, "status", "name"), f["resolution"], f["resolutiondate"])
		}
		cs := jPath(f, "comment", "comments").([]any)
		if jPath(cs[len(cs)-1], "body", "content") == nil {
			t.Errorf("comment not added")
		}
		c.do("POST", "/issue/ENG-3/transitions", map[string]any{"transition": map[string]any{"id": "61"}}).want(t, 204)
		f = c.issue("ENG-3", "fields=status,resolution,resolutiondate")["fields"].(map[string]any)
		if jPath(f, "status", "name") != "To Do" || f["resolution"] != nil || f["resolutiondate"] != nil {
			t.Fatalf("after Reopen: %v", f)
		}
	})
	t.Run("resolution given", func(t *testing.T) {
		c.do("POST", "/issue/MKT-2/transitions", map[string]any{"transition": map[string]any{"id": "21"},
			"fields": map[string]any{"resolution": map[string]any{"name": "Won't Do"}}}).want(t, 204)
		if got := jPath(c.issue("MKT-2", "fields=resolution"), "fields", "resolution", "name"); got != "Won't Do" {
			t.Errorf("resolution %v", got)
		}
	})
	errs := []struct {
		name, key string
		body      any
		status    int
		msg       string
		field     string
		fieldMsg  string
	}{
		{"unavailable", "ENG-4", map[string]any{"transition": map[string]any{"id": "61"}}, 400, "Transition id '61' is not valid for this issue.", "", ""},
		{"unknown", "ENG-4", map[string]any{"transition": map[string]any{"id": "999"}}, 400, "Transition id '999' is not valid for this issue.", "", ""},
		{"missing", "ENG-4", map[string]any{}, 400, "Missing 'transition' identifier", "", ""},
		{"field not on screen", "ENG-4", map[string]any{"transition": map[string]any{"id": "11"}, "fields": map[string]any{"summary": "x"}}, 400, "",
			"summary", "Field 'summary' cannot be set. It is not on the appropriate screen, or unknown."},
		{"no issue", "ENG-999999", map[string]any{"transition": map[string]any{"id": "11"}}, 404, jMsgIssueNotFound, "", ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/issue/"+tt.key+"/transitions", tt.body).wantError(t, tt.status, tt.msg, tt.field, tt.fieldMsg)
		})
	}
	if got := jPath(c.issue("ENG-4", "fields=status"), "fields", "status", "name"); got != "To Do" {
		t.Errorf("a failed transition moved ENG-4 to %v", got)
	}
}

func TestJiraComments(t *testing.T) {
	c := newJiraTest(t)
	m := c.do("POST", "/issue/ENG-4/comment?expand=renderedBody", map[string]any{"body": adf("Ready for the release checklist.")}).want(t, 201).JSON(t)
	if m["id"] == nil || jPath(m, "author", "accountId") != jAlex || jPath(m, "body", "type") != "doc" || m["renderedBody"] != "<p>Ready for the release checklist.</p>" {
		t.Fatalf("comment %v", m)
	}
	for i := 0; i < 4; i++ {
		c.do("POST", "/issue/ENG-4/comment", map[string]any{"body": adf(fmt.Sprintf("note %d", i))}).want(t, 201)
	}
	var seen []string
	for start := 0; ; start += 2 {
		page := c.do("GET", fmt.Sprintf("/issue/ENG-4/comment?startAt=%d&maxResults=2", start), nil).want(t, 200).JSON(t)
		cs := page["comments"].([]any)
		for _, cm := range cs {
			seen = append(seen, cm.(map[string]any)["id"].(string))
		}
		if page["total"] != 5.0 {
			t.Fatalf("total %v", page["total"])
		}
		if start+2 >= 5 {
			break
		}
	}
	if len(seen) != 5 || seen[0] != m["id"] {
		t.Fatalf("paged comments %v", seen)
	}
	errs := []struct {
		name string
		body any
		key  string
		msg  string
	}{
		{"no body", map[string]any{}, "comment", "Comment body can not be empty!"},
		{"string body", map[string]any{"body": "hello"}, "comment", jMsgMustBeADF},
		{"empty text node", map[string]any{"body": map[string]any{"type": "doc", "version": 1, "content": []any{
			map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": ""}}}}}}, "comment", jMsgMustBeADF},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/issue/ENG-4/comment", tt.body).wantError(t, 400, "", tt.key, tt.msg)
		})
	}
	c.do("POST", "/issue/ENG-999999/comment", map[string]any{"body": adf("x")}).wantError(t, 404, jMsgIssueNotFound, "", "")
}

func TestJiraWorklog(t *testing.T) {
	c := newJiraTest(t)
	const started = "2026-11-19T09:30:00.000+0000"
	tests := []struct {
		name    string
		body    map[string]any
		seconds float64
		field   string
		msg     string
	}{
		{"hours and minutes", map[string]any{"timeSpent": "2h 30m", "started": started}, 9000, "", ""},
		{"a day is 8 hours", map[string]any{"timeSpent": "1d", "started": started}, 28800, "", ""},
		{"a week is 5 days", map[string]any{"timeSpent": "1w 1d", "started": started}, 6 * 28800, "", ""},
		{"bare minutes", map[string]any{"timeSpent": "45", "started": started}, 2700, "", ""},
		{"no spaces and fractions", map[string]any{"timeSpent": "1h30m", "started": started}, 5400, "", ""},
		{"seconds", map[string]any{"timeSpentSeconds": 3600, "started": "2026-11-19T09:30:00.000+0530", "comment": adf("pairing")}, 3600, "", ""},
		{"Z is rejected", map[string]any{"timeSpent": "1h", "started": "2026-11-19T09:30:00.000Z"}, 0, "started",
			"Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."},
		{"no millis", map[string]any{"timeSpent": "1h", "started": "2026-11-19T09:30:00+0000"}, 0, "started",
			"Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."},
		{"started required", map[string]any{"timeSpent": "1h"}, 0, "started", "You must specify a start date for the work log."},
		{"no time", map[string]any{"started": started}, 0, "timeLogged", "You must indicate the time spent working."},
		{"bad duration", map[string]any{"timeSpent": "two hours", "started": started}, 0, "timeLogged", "Invalid time duration entered."},
		{"zero", map[string]any{"timeSpent": "0m", "started": started}, 0, "timeLogged", "Invalid time duration entered."},
		{"string comment", map[string]any{"timeSpent": "1h", "started": started, "comment": "text"}, 0, "comment", jMsgMustBeADF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("POST", "/issue/ENG-4/worklog", tt.body)
			if tt.field != "" {
				r.wantError(t, 400, "", tt.field, tt.msg)
				return
			}
			m := r.want(t, 201).JSON(t)
			if m["timeSpentSeconds"] != tt.seconds || jPath(m, "author", "accountId") != jAlex {
				t.Fatalf("worklog %v", m)
			}
			// Times come back in the caller's zone (Alex Morgan: New York).
			got, err := time.Parse(jiraTimeLayout, m["started"].(string))
			sent, _ := time.Parse(jiraTimeLayout, tt.body["started"].(string))
			if err != nil || !got.Equal(sent) || !strings.HasSuffix(m["started"].(string), "-0500") {
				t.Errorf("started %v, sent %v", m["started"], tt.body["started"])
			}
		})
	}
	tt := c.issue("ENG-4", "fields=timetracking,worklog")["fields"].(map[string]any)
	if jPath(tt, "timetracking", "timeSpentSeconds") != 9000.0+28800+6*28800+2700+5400+3600 || jPath(tt, "worklog", "total") != 6.0 {
		t.Errorf("time tracking %v, worklogs %v", tt["timetracking"], jPath(tt, "worklog", "total"))
	}
	wl := c.do("GET", "/issue/ENG-4/worklog", nil).want(t, 200).JSON(t)
	if wl["total"] != 6.0 {
		t.Errorf("worklog list %v", wl["total"])
	}
}

func TestJiraIssueLinks(t *testing.T) {
	c := newJiraTest(t)
	linkKeys := func(key string) map[string]string {
		out := map[string]string{}
		for _, l := range c.issue(key, "fields=issuelinks")["fields"].(map[string]any)["issuelinks"].([]any) {
			if k := jPath(l, "outwardIssue", "key"); k != nil {
				out[k.(string)] = "this " + jPath(l, "type", "outward").(string) + " " + k.(string)
			}
			if k := jPath(l, "inwardIssue", "key"); k != nil {
				out[k.(string)] = "this " + jPath(l, "type", "inward").(string) + " " + k.(string)
			}
		}
		return out
	}
	// "ENG-5 blocks ENG-6": inwardIssue is the blocker.
	c.do("POST", "/issueLink", map[string]any{"type": map[string]any{"name": "Blocks"},
		"inwardIssue": map[string]any{"key": "ENG-5"}, "outwardIssue": map[string]any{"key": "ENG-6"},
		"comment": map[string]any{"body": adf("Linked while triaging.")}}).want(t, 201)
	if got := linkKeys("ENG-5")["ENG-6"]; got != "this blocks ENG-6" {
		t.Errorf("ENG-5 reads %q", got)
	}
	if got := linkKeys("ENG-6")["ENG-5"]; got != "this is blocked by ENG-5" {
		t.Errorf("ENG-6 reads %q", got)
	}
	// Type by id, duplicate links report success without a second link.
	for i := 0; i < 2; i++ {
		c.do("POST", "/issueLink", map[string]any{"type": map[string]any{"id": "10002"},
			"inwardIssue": map[string]any{"key": "MKT-2"}, "outwardIssue": map[string]any{"id": c.issue("OPS-2", "fields=summary")["id"]}}).want(t, 201)
	}
	if got := linkKeys("OPS-2")["MKT-2"]; got != "this is duplicated by MKT-2" || len(linkKeys("MKT-2")) != 1 {
		t.Errorf("OPS-2 reads %q; MKT-2 links %v", got, linkKeys("MKT-2"))
	}
	errs := []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"unknown type", map[string]any{"type": map[string]any{"name": "Causes"}, "inwardIssue": map[string]any{"key": "ENG-5"}, "outwardIssue": map[string]any{"key": "ENG-6"}},
			404, "No issue link type with name 'Causes' found."},
		{"missing issue", map[string]any{"type": map[string]any{"name": "Blocks"}, "inwardIssue": map[string]any{"key": "ENG-999999"}, "outwardIssue": map[string]any{"key": "ENG-6"}},
			404, "Issue Does Not Exist"},
		{"self link", map[string]any{"type": map[string]any{"name": "Blocks"}, "inwardIssue": map[string]any{"key": "ENG-5"}, "outwardIssue": map[string]any{"key": "eng-5"}},
			400, "You cannot link an issue to itself."},
		{"no type", map[string]any{"inwardIssue": map[string]any{"key": "ENG-5"}, "outwardIssue": map[string]any{"key": "ENG-6"}}, 400, "Issue link type must be specified."},
		{"one side only", map[string]any{"type": map[string]any{"name": "Blocks"}, "inwardIssue": map[string]any{"key": "ENG-5"}}, 400, "Both inward and outward issues must be specified."},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/issueLink", tt.body).wantError(t, tt.status, tt.msg, "", "")
		})
	}
	// The link id from the issue view fetches and deletes the link.
	l := c.issue("ENG-5", "fields=issuelinks")["fields"].(map[string]any)["issuelinks"].([]any)[0]
	id := jPath(l, "id").(string)
	got := c.do("GET", "/issueLink/"+id, nil).want(t, 200).JSON(t)
	if jPath(got, "inwardIssue", "key") != "ENG-5" || jPath(got, "outwardIssue", "key") != "ENG-6" {
		t.Errorf("link %v", got)
	}
	c.do("DELETE", "/issueLink/"+id, nil).want(t, 204)
	if _, still := linkKeys("ENG-6")["ENG-5"]; still {
		t.Errorf("link not deleted")
	}
	c.do("GET", "/issueLink/"+id, nil).want(t, 404)
}

func TestJiraAssignee(t *testing.T) {
	c := newJiraTest(t)
	assignee := func(key string) any { return jPath(c.issue(key, "fields=assignee"), "fields", "assignee", "accountId") }
	tests := []struct {
		name, key, body string
		status          int
		want            any
	}{
		{"assign", "ENG-4", `{"accountId":"` + jPriya + `"}`, 204, jPriya},
		{"null unassigns", "ENG-4", `{"accountId":null}`, 204, nil},
		{"-1 is the project default (OPS: its lead)", "OPS-2", `{"accountId":"-1"}`, 204, jSam},
		{"-1 in a project without one", "ENG-4", `{"accountId":"-1"}`, 204, nil},
		{"unknown user", "ENG-4", `{"accountId":"` + jNobody + `"}`, 400, nil},
		{"deactivated user", "ENG-4", `{"accountId":"` + jRiley + `"}`, 400, nil},
		{"app account", "ENG-4", `{"accountId":"` + jRobot + `"}`, 400, nil},
		{"number", "ENG-4", `{"accountId":5}`, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("PUT", "/issue/"+tt.key+"/assignee", tt.body)
			if tt.status != 204 {
				r.wantError(t, tt.status, "", "", "")
				return
			}
			r.want(t, 204)
			if got := assignee(tt.key); got != tt.want {
				t.Errorf("assignee %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJiraWatchers(t *testing.T) {
	c := newJiraTest(t)
	watchers := func() (ids []string, watching bool) {
		m := c.do("GET", "/issue/ENG-5/watchers", nil).want(t, 200).JSON(t)
		for _, w := range m["watchers"].([]any) {
			ids = append(ids, jPath(w, "accountId").(string))
		}
		return ids, m["isWatching"] == true
	}
	before, _ := watchers()
	c.do("POST", "/issue/ENG-5/watchers", `"`+jSam+`"`).want(t, 204)
	after, watching := watchers()
	if len(after) != len(before)+1 || after[len(after)-1] != jSam || watching {
		t.Fatalf("after adding Sam: %v (watching %v)", after, watching)
	}
	c.do("POST", "/issue/ENG-5/watchers", nil).want(t, 204) // empty body: the caller
	if _, watching := watchers(); !watching {
		t.Fatal("empty body did not add the caller")
	}
	c.do("DELETE", "/issue/ENG-5/watchers?accountId="+jSam, nil).want(t, 204)
	if ids, _ := watchers(); strings.Contains(strings.Join(ids, ","), jSam) {
		t.Fatal("Sam still watching")
	}
	c.do("POST", "/issue/ENG-5/watchers", `{"accountId":"`+jSam+`"}`).wantError(t, 400, "", "", "")
	c.do("POST", "/issue/ENG-5/watchers", `"`+jNobody+`"`).wantError(t, 404, "", "", "")
	c.do("POST", "/issue/ENG-999999/watchers", `"`+jSam+`"`).wantError(t, 404, jMsgIssueNotFound, "", "")
}

func TestJiraChangelog(t *testing.T) {
	c := newJiraTest(t)
	for i := 0; i < 5; i++ {
		c.do("PUT", "/issue/ENG-4", map[string]any{"fields": map[string]any{"summary": fmt.Sprintf("Release v%d", i)}}).want(t, 204)
	}
	var all []string
	start := 0
	for {
		m := c.do("GET", fmt.Sprintf("/issue/ENG-4/changelog?startAt=%d&maxResults=2", start), nil).want(t, 200).JSON(t)
		for _, v := range m["values"].([]any) {
			for _, it := range jPath(v, "items").([]any) {
				all = append(all, fmt.Sprint(jPath(it, "toString")))
			}
		}
		if m["isLast"] == true {
			if m["nextPage"] != nil {
				t.Error("nextPage on the last page")
			}
			break
		}
		start += 2
	}
	if strings.Join(all, "|") != "Release v0|Release v1|Release v2|Release v3|Release v4" {
		t.Fatalf("changelog oldest first: %v", all)
	}
	c.do("GET", "/issue/ENG-4/changelog?startAt=x", nil).wantError(t, 400, "", "", "")
}

// TestJiraScopes checks the gateway refuses Jira writes to a read-only token.
func TestJiraScopes(t *testing.T) {
	c := newJiraTest(t)
	ro := &jClient{t: t, srv: c.srv, token: c.srv.IssueToken("read:jira-work").AccessToken}
	ro.do("GET", "/issue/ENG-1", nil).want(t, 200)
	if r := ro.do("POST", "/issue/ENG-1/comment", map[string]any{"body": adf("x")}); r.Status != 401 && r.Status != 403 {
		t.Fatalf("write with a read token: %d %s", r.Status, r.Body)
	}
	var body map[string]any
	_ = json.Unmarshal(ro.do("GET", "/myself", nil).Body, &body)
	if body["accountId"] != nil {
		t.Fatal("/myself answered without read:jira-user")
	}
}

// TestJiraCreateIssueChecks covers the create's own checks around
// setField: the project and issue type references, fields sent through
// update, required fields and the initial transition.
func TestJiraCreateIssueChecks(t *testing.T) {
	c := newJiraTest(t)
	eng := func(typ string, more ...any) map[string]any {
		f := map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": typ}, "summary": "x"}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i].(string)] = more[i+1]
		}
		return f
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		field  string // errors key to check
		msg    string
	}{
		{"project null", map[string]any{"fields": map[string]any{"project": nil, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}},
			400, "project", "Specify a valid project ID or key"},
		{"project not an object", map[string]any{"fields": map[string]any{"project": "ENG", "issuetype": map[string]any{"name": "Task"}, "summary": "x"}},
			400, "project", "Specify a valid project ID or key"},
		{"project by unknown id", map[string]any{"fields": map[string]any{"project": map[string]any{"id": "99"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}},
			400, "project", "Specify a valid project ID or key"},
		{"issue type null", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": nil, "summary": "x"}},
			400, "issuetype", "Specify an issue type"},
		{"issue type id given as a name", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"id": "Task"}, "summary": "x"}},
			400, "issuetype", "The issue type selected is invalid."},
		{"issue type empty object", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{}, "summary": "x"}},
			400, "issuetype", "The issue type selected is invalid."},
		{"issue type of an unknown project", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "NOPE"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}},
			400, "issuetype", "The issue type selected is invalid."},
		{"project key in lower case", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "eng"}, "issuetype": map[string]any{"name": "Task"}, "summary": "x"}},
			201, "", ""},
		{"update of a field not on the screen", map[string]any{"fields": eng("Task"), "update": map[string]any{fieldCustomer: []any{map[string]any{"set": "Initech"}}}},
			400, fieldCustomer, "Field 'customfield_10032' cannot be set. It is not on the appropriate screen, or unknown."},
		{"update of an unknown field", map[string]any{"fields": eng("Task"), "update": map[string]any{"customfield_99999": []any{map[string]any{"set": 1}}}},
			400, "customfield_99999", "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown."},
		{"update verb refused", map[string]any{"fields": eng("Task"), "update": map[string]any{"labels": []any{map[string]any{"add": "two words"}}}},
			400, "labels", "The label 'two words' contains spaces which is invalid."},
		{"update verb not supported", map[string]any{"fields": eng("Task"), "update": map[string]any{"duedate": []any{map[string]any{"add": "2026-12-01"}}}},
			400, "duedate", "Field 'duedate' does not support operation 'add'. Supported operation(s) are: 'set'"},
		{"update of summary only", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "ENG"}, "issuetype": map[string]any{"name": "Task"}},
			"update": map[string]any{"summary": []any{map[string]any{"set": "From update"}}}}, 201, "", ""},
		{"required field through update", map[string]any{"fields": eng("Bug"), "update": map[string]any{"priority": []any{map[string]any{"set": map[string]any{"name": "Low"}}}}},
			201, "", ""},
		{"required field refused keeps its own error", map[string]any{"fields": eng("Bug", "priority", map[string]any{"name": "Nope"})},
			400, "priority", "The priority selected is invalid."},
		{"required field null", map[string]any{"fields": eng("Bug", "priority", nil)},
			400, "priority", "Priority is required."},
		{"required custom field null", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "OPS"}, "issuetype": map[string]any{"name": "Incident"},
			"summary": "x", fieldSeverity: nil}}, 400, fieldSeverity, "Severity is required."},
		// The parent's own error stands: issuetype is not also refused.
		{"sub-task with a refused parent keeps the parent's error", map[string]any{"fields": eng("Sub-task", "parent", map[string]any{"key": "ENG-1"})},
			400, "issuetype", ""},
		{"bad comment on create", map[string]any{"fields": eng("Task"), "update": map[string]any{"comment": []any{map[string]any{"add": map[string]any{"body": "x"}}}}},
			400, "comment", jMsgMustBeADF},
		{"transition null", map[string]any{"fields": eng("Task"), "transition": nil}, 201, "", ""},
		{"bad transition with field errors reports the fields", map[string]any{"fields": eng("Task", "duedate", "soon"), "transition": map[string]any{"id": "99"}},
			400, "duedate", "Error parsing date string: soon"},
		{"transition without an id", map[string]any{"fields": eng("Task"), "transition": map[string]any{}}, 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("POST", "/issue", tt.body)
			if tt.status == 201 {
				r.want(t, 201)
				return
			}
			r.wantError(t, tt.status, "", tt.field, tt.msg)
		})
	}
	t.Run("initial transition to done resolves", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{"transition": map[string]any{"id": "21"},
			"fields": map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"}, "summary": "Done at once"}}).want(t, 201).JSON(t)
		f := c.issue(m["key"].(string), "fields=status,resolution,resolutiondate,statuscategorychangedate&expand=changelog")
		if jPath(f, "fields", "status", "name") != "Done" || jPath(f, "fields", "resolution", "name") != "Done" || jPath(f, "fields", "resolutiondate") == nil {
			t.Errorf("fields %v", f["fields"])
		}
		items := jPath(jPath(f, "changelog", "histories").([]any)[0], "items").([]any)
		if len(items) != 1 || jPath(items[0], "fromString") != "To Do" || jPath(items[0], "toString") != "Done" {
			t.Errorf("changelog %v", items)
		}
	})
	t.Run("links and comments of a create", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{"fields": eng("Task", "parent", map[string]any{"key": "ENG-1"}),
			"update": map[string]any{
				"issuelinks": []any{map[string]any{"add": map[string]any{"type": map[string]any{"name": "Relates"}, "inwardIssue": map[string]any{"key": "OPS-1"}}}},
				"comment":    []any{map[string]any{"add": map[string]any{"body": adf("one")}}, map[string]any{"add": map[string]any{"body": adf("two")}}},
			}}).want(t, 201).JSON(t)
		key := m["key"].(string)
		f := c.issue(key, "fields=issuelinks,comment,watches,parent")["fields"].(map[string]any)
		if jPath(f, "comment", "total") != 2.0 || jPath(f, "watches", "watchCount") != 1.0 || jPath(f, "parent", "key") != "ENG-1" {
			t.Errorf("fields %v", f)
		}
		found := false
		for _, l := range c.issue("OPS-1", "fields=issuelinks")["fields"].(map[string]any)["issuelinks"].([]any) {
			found = found || jPath(l, "outwardIssue", "key") == key
		}
		if !found {
			t.Error("OPS-1 does not show the new link")
		}
	})
}
