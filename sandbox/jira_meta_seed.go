package sandbox

import (
	"strconv"
	"time"
)

// Well-known ids of the sandbox's Jira configuration. Tests and other parts
// of the project may rely on them.
const (
	// Issue type ids.
	issueTypeEpic     = "10000"
	issueTypeTask     = "10001"
	issueTypeSubtask  = "10002"
	issueTypeStory    = "10003"
	issueTypeBug      = "10004"
	issueTypeIncident = "10005"

	// Custom field ids.
	fieldStoryPoints = "customfield_10016"
	fieldSprint      = "customfield_10020"
	fieldTeam        = "customfield_10001"
	fieldStartDate   = "customfield_10015"
	fieldSeverity    = "customfield_10030"
	fieldAcceptance  = "customfield_10031"
	fieldCustomer    = "customfield_10032"
	fieldRootCause   = "customfield_10033"
	fieldServices    = "customfield_10034"
)

// seedJiraConfig installs the configuration every site shares: statuses,
// issue types, priorities, resolutions, system fields and link types.
func (j *jiraState) seedJiraConfig() {
	j.statuses = []*jStatus{
		{"10000", "To Do", "Work that has not been started.", catToDo},
		{"3", "In Progress", "This issue is being actively worked on at the moment by the assignee.", catInProgress},
		{"10001", "In Review", "The work is waiting for review.", catInProgress},
		{"10002", "Done", "Work has finished.", catComplete},
		{"10003", "Open", "The incident has been reported.", catToDo},
		{"10004", "Investigating", "The incident is being investigated.", catInProgress},
		{"10005", "Mitigated", "Impact has stopped; the cause is still being fixed.", catInProgress},
		{"10006", "Resolved", "The incident is resolved.", catComplete},
		{"10007", "Closed", "The incident is closed after its review.", catComplete},
	}
	j.issueTypes = []*jIssueType{
		{issueTypeEpic, "Epic", "A big user story that needs to be broken down.", false, 1, 10307},
		{issueTypeTask, "Task", "A small, distinct piece of work.", false, 0, 10318},
		{issueTypeSubtask, "Sub-task", "A small piece of work that's part of a larger task.", true, -1, 10316},
		{issueTypeStory, "Story", "Functionality or a feature expressed as a user goal.", false, 0, 10315},
		{issueTypeBug, "Bug", "A problem or error.", false, 0, 10303},
		{issueTypeIncident, "Incident", "A disruption of service that needs a response.", false, 0, 10300},
	}
	j.priorities = []*jPriority{
		{"1", "Highest", "This problem will block progress.", "#d04437", false},
		{"2", "High", "Serious problem that could block progress.", "#f15C75", false},
		{"3", "Medium", "Has the potential to affect progress.", "#f79232", true},
		{"4", "Low", "Minor problem or easily worked around.", "#707070", false},
		{"5", "Lowest", "Trivial problem with little or no impact on progress.", "#999999", false},
	}
	j.resolutions = []*jResolution{
		{"10000", "Done", "Work has been completed on this issue."},
		{"10001", "Won't Do", "This issue won't be actioned."},
		{"10002", "Duplicate", "The problem is a duplicate of an existing issue."},
		{"10003", "Cannot Reproduce", "All attempts at reproducing this issue failed."},
	}
	j.linkTypes = []*jLinkType{
		{"10000", "Blocks", "is blocked by", "blocks"},
		{"10001", "Cloners", "is cloned by", "clones"},
		{"10002", "Duplicate", "is duplicated by", "duplicates"},
		{"10003", "Relates", "relates to", "relates to"},
	}
	sys := func(id, name, kind, typ, items string, nav bool, clauses ...string) {
		if len(clauses) == 0 {
			clauses = []string{id}
		}
		j.addField(&jField{ID: id, Name: name, Kind: kind, SchemaType: typ, SchemaItems: items, SchemaSys: id,
			Navigable: nav, Orderable: nav, Searchable: true, ClauseNames: clauses})
	}
	sys("summary", "Summary", fkString, "string", "", true)
	sys("description", "Description", fkADF, "string", "", true)
	sys("issuetype", "Issue Type", fkSystem, "issuetype", "", true, "issuetype", "type")
	sys("project", "Project", fkSystem, "project", "", true)
	sys("status", "Status", fkSystem, "status", "", true)
	sys("priority", "Priority", fkSystem, "priority", "", true)
	sys("resolution", "Resolution", fkSystem, "resolution", "", true)
	sys("assignee", "Assignee", fkUser, "user", "", true)
	sys("reporter", "Reporter", fkUser, "user", "", true)
	sys("creator", "Creator", fkUser, "user", "", true)
	sys("labels", "Labels", fkLabels, "array", "string", true)
	sys("components", "Components", fkSystem, "array", "component", true, "component")
	sys("fixVersions", "Fix versions", fkSystem, "array", "version", true, "fixVersion")
	sys("versions", "Affects versions", fkSystem, "array", "version", true, "affectedVersion")
	sys("parent", "Parent", fkSystem, "issuelink", "", true)
	sys("subtasks", "Sub-tasks", fkSystem, "array", "issuelinks", true, "subtasks")
	sys("issuelinks", "Linked Issues", fkSystem, "array", "issuelinks", true, "issueLink")
	sys("comment", "Comment", fkSystem, "comments-page", "", false)
	sys("worklog", "Log Work", fkSystem, "array", "worklog", false)
	sys("timetracking", "Time tracking", fkSystem, "timetracking", "", false)
	sys("created", "Created", fkDateTime, "datetime", "", true, "created", "createdDate")
	sys("updated", "Updated", fkDateTime, "datetime", "", true, "updated", "updatedDate")
	sys("resolutiondate", "Resolved", fkDateTime, "datetime", "", true, "resolved", "resolutiondate")
	sys("statuscategorychangedate", "Status Category Changed", fkDateTime, "datetime", "", true, "statusCategoryChangedDate")
	sys("duedate", "Due date", fkDate, "date", "", true, "due", "duedate")
	sys("environment", "Environment", fkADF, "string", "", true)
	sys("watches", "Watchers", fkSystem, "watches", "", true, "watchers")
	sys("votes", "Votes", fkSystem, "votes", "", true)
	sys("timespent", "Time Spent", fkSystem, "number", "", true, "timespent")
	sys("timeoriginalestimate", "Original estimate", fkSystem, "number", "", true, "originalEstimate")
	sys("timeestimate", "Remaining Estimate", fkSystem, "number", "", true, "remainingEstimate")
	sys("aggregatetimespent", "Σ Time Spent", fkSystem, "number", "", true)
	sys("progress", "Progress", fkSystem, "progress", "", true)
	sys("statusCategory", "Status Category", fkSystem, "statusCategory", "", true)
	sys("lastViewed", "Last Viewed", fkDateTime, "datetime", "", true)
	sys("attachment", "Attachment", fkSystem, "array", "attachment", false)
	sys("security", "Security Level", fkSystem, "securitylevel", "", true, "level")
}

// seedDemoCustomFields installs the demo site's custom fields.
func (j *jiraState) seedDemoCustomFields() {
	opts := func(base int, values ...string) []*jOption {
		out := make([]*jOption, len(values))
		for i, v := range values {
			out[i] = &jOption{ID: strconv.Itoa(base + i), Value: v}
		}
		return out
	}
	j.addField(&jField{ID: fieldTeam, Name: "Team", Custom: true, Kind: fkOption, SchemaType: "option",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:select",
		Options:    opts(10100, "Platform", "Mobile", "Web", "Data", "SRE")})
	j.addField(&jField{ID: fieldStartDate, Name: "Start date", Custom: true, Kind: fkDate, SchemaType: "date",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:datepicker"})
	j.addField(&jField{ID: fieldStoryPoints, Name: "Story Points", Custom: true, Kind: fkNumber, SchemaType: "number",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:float"})
	j.addField(&jField{ID: fieldSprint, Name: "Sprint", Custom: true, Kind: fkSprint, SchemaType: "array", SchemaItems: "json",
		CustomType: "com.pyxis.greenhopper.jira:gh-sprint"})
	j.addField(&jField{ID: fieldSeverity, Name: "Severity", Custom: true, Kind: fkOption, SchemaType: "option",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:select",
		Options:    opts(10200, "Sev 1", "Sev 2", "Sev 3", "Sev 4")})
	j.addField(&jField{ID: fieldAcceptance, Name: "Acceptance Criteria", Custom: true, Kind: fkTextArea, SchemaType: "string",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:textarea"})
	j.addField(&jField{ID: fieldCustomer, Name: "Customer", Custom: true, Kind: fkTextField, SchemaType: "string",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:textfield"})
	j.addField(&jField{ID: fieldRootCause, Name: "Root Cause", Custom: true, Kind: fkTextArea, SchemaType: "string",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:textarea"})
	j.addField(&jField{ID: fieldServices, Name: "Affected services", Custom: true, Kind: fkMultiOpt, SchemaType: "array", SchemaItems: "option",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:multiselect",
		Options:    opts(10300, "api-gateway", "auth", "billing", "search", "web-app", "mobile-api", "data-pipeline")})
}

func (j *jiraState) status(id string) *jStatus {
	for _, s := range j.statuses {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Workflows. Transition ids follow Jira's habit of multiples of ten plus one.
func (j *jiraState) devWorkflow() *jWorkflow {
	todo, prog, rev, done := j.status("10000"), j.status("3"), j.status("10001"), j.status("10002")
	return &jWorkflow{Name: "Software Development Workflow", Initial: todo, Statuses: []*jStatus{todo, prog, rev, done},
		Transitions: []*jTransition{
			{ID: "11", Name: "Start Progress", From: []*jStatus{todo}, To: prog},
			{ID: "21", Name: "Submit for Review", From: []*jStatus{prog}, To: rev},
			{ID: "31", Name: "Done", From: []*jStatus{rev}, To: done, HasScreen: true, Fields: []string{"resolution", "comment"}},
			{ID: "41", Name: "Stop Progress", From: []*jStatus{prog}, To: todo},
			{ID: "51", Name: "Request Changes", From: []*jStatus{rev}, To: prog},
			{ID: "61", Name: "Reopen", From: []*jStatus{done}, To: todo, HasScreen: true, Fields: []string{"comment"}},
		}}
}

func (j *jiraState) basicWorkflow() *jWorkflow {
	todo, prog, done := j.status("10000"), j.status("3"), j.status("10002")
	return &jWorkflow{Name: "Basic Workflow", Initial: todo, Statuses: []*jStatus{todo, prog, done},
		Transitions: []*jTransition{
			{ID: "11", Name: "Start Progress", From: []*jStatus{todo}, To: prog},
			{ID: "21", Name: "Done", From: []*jStatus{todo, prog}, To: done, HasScreen: true, Fields: []string{"resolution", "comment"}},
			{ID: "31", Name: "Stop Progress", From: []*jStatus{prog}, To: todo},
			{ID: "41", Name: "Reopen", From: []*jStatus{done}, To: todo},
		}}
}

func (j *jiraState) incidentWorkflow() *jWorkflow {
	open, inv, mit, res, closed := j.status("10003"), j.status("10004"), j.status("10005"), j.status("10006"), j.status("10007")
	return &jWorkflow{Name: "Incident Workflow", Initial: open, Statuses: []*jStatus{open, inv, mit, res, closed},
		Transitions: []*jTransition{
			{ID: "11", Name: "Investigate", From: []*jStatus{open}, To: inv},
			{ID: "21", Name: "Mitigate", From: []*jStatus{inv}, To: mit},
			{ID: "31", Name: "Resolve", From: []*jStatus{inv, mit}, To: res, HasScreen: true, Fields: []string{"resolution", fieldRootCause, "comment"}},
			{ID: "41", Name: "Close", From: []*jStatus{res}, To: closed},
			{ID: "51", Name: "Reopen", From: []*jStatus{res, closed}, To: open, HasScreen: true, Fields: []string{"comment"}},
		}}
}

// seedDemoProjects installs ENG, OPS and MKT.
func (j *jiraState) seedDemoProjects(users []*User) {
	uid := func(i int) string {
		if i < len(users) {
			return users[i].AccountID
		}
		return ""
	}
	it := func(ids ...string) []*jIssueType {
		var out []*jIssueType
		for _, id := range ids {
			out = append(out, j.issueType(id))
		}
		return out
	}
	dev, basic, inc := j.devWorkflow(), j.basicWorkflow(), j.incidentWorkflow()
	common := []string{"summary", "issuetype", "project", "description", "priority", "assignee", "reporter", "labels",
		"components", "fixVersions", "duedate", "parent", "issuelinks", "timetracking", fieldTeam, fieldStartDate}

	eng := &jProject{ID: "10000", Key: "ENG", Name: "Engineering", Description: "Product engineering: the web app, the API and the mobile apps.",
		Lead: uid(0), TypeKey: "software", Style: "classic", Category: "Product",
		IssueTypes: it(issueTypeBug, issueTypeTask, issueTypeStory, issueTypeEpic, issueTypeSubtask),
		Priorities: j.priorities}
	ops := &jProject{ID: "10001", Key: "OPS", Name: "Operations", Description: "Infrastructure, on-call and incident response.",
		Lead: uid(3), TypeKey: "software", Style: "classic", Category: "Operations",
		IssueTypes: it(issueTypeBug, issueTypeTask, issueTypeStory, issueTypeEpic, issueTypeSubtask, issueTypeIncident),
		Priorities: j.priorities, DefaultAssignee: uid(3)}
	mkt := &jProject{ID: "10002", Key: "MKT", Name: "Marketing", Description: "Campaigns, website content and launches.",
		Lead: uid(4), TypeKey: "business", Style: "classic", Category: "Business",
		IssueTypes: it(issueTypeBug, issueTypeTask, issueTypeStory, issueTypeEpic, issueTypeSubtask),
		Priorities: []*jPriority{j.priorities[1], j.priorities[2], j.priorities[3]}}
	for _, p := range []*jProject{eng, ops, mkt} {
		j.addProject(p)
	}
	comp := func(p *jProject, lead string, names ...string) {
		for _, n := range names {
			p.Components = append(p.Components, &jComponent{ID: j.newID(), Name: n, Project: p, Lead: lead,
				Description: n + " work in " + p.Name + "."})
		}
	}
	comp(eng, uid(1), "Backend", "Frontend", "API", "Mobile", "Infrastructure")
	comp(ops, uid(3), "Monitoring", "Networking", "Database", "On-call", "CI/CD")
	comp(mkt, uid(4), "Website", "Campaigns", "Content", "Social")
	ver := func(p *jProject, released bool, name, date string) {
		p.Versions = append(p.Versions, &jVersion{ID: j.newID(), Name: name, Released: released, ReleaseDate: date, Project: p})
	}
	ver(eng, true, "2026.10", "2026-10-15")
	ver(eng, false, "2026.11", "2026-11-30")
	ver(eng, false, "2026.12", "2026-12-20")
	ver(ops, false, "Q4 hardening", "2026-12-31")
	ver(mkt, false, "Winter launch", "2026-12-10")

	for _, t := range eng.IssueTypes {
		screen := append([]string(nil), common...)
		switch t.ID {
		case issueTypeBug:
			eng.workflows[t.ID] = dev
			screen = append(screen, "environment", "versions", fieldStoryPoints, fieldSprint, fieldCustomer)
			eng.required[t.ID] = []string{"priority"}
		case issueTypeStory:
			eng.workflows[t.ID] = dev
			screen = append(screen, fieldStoryPoints, fieldSprint, fieldAcceptance)
		case issueTypeEpic:
			eng.workflows[t.ID] = basic
		default:
			eng.workflows[t.ID] = basic
			screen = append(screen, fieldStoryPoints, fieldSprint)
		}
		eng.screens[t.ID] = screen
	}
	for _, t := range ops.IssueTypes {
		screen := append([]string(nil), common...)
		switch t.ID {
		case issueTypeIncident:
			ops.workflows[t.ID] = inc
			screen = append(screen, "environment", fieldSeverity, fieldRootCause, fieldServices, fieldCustomer)
			ops.required[t.ID] = []string{fieldSeverity}
		case issueTypeBug:
			ops.workflows[t.ID] = dev
			screen = append(screen, "environment", fieldSeverity, fieldServices, fieldSprint)
		default:
			ops.workflows[t.ID] = basic
			screen = append(screen, fieldSprint, fieldStoryPoints)
		}
		ops.screens[t.ID] = screen
	}
	for _, t := range mkt.IssueTypes {
		screen := append([]string(nil), common...)
		if t.ID == issueTypeBug {
			mkt.workflows[t.ID] = dev
		} else {
			mkt.workflows[t.ID] = basic
		}
		if t.ID == issueTypeTask || t.ID == issueTypeStory {
			screen = append(screen, fieldCustomer)
		}
		mkt.screens[t.ID] = screen
	}
}

// seedDemoSprints installs ENG's and OPS's sprints around base: closed ones,
// one active per board and a future one.
func (j *jiraState) seedDemoSprints(base time.Time) {
	mk := func(id int, board int, name, state, goal string, startDays int) *jSprint {
		sp := &jSprint{ID: id, BoardID: board, Name: name, State: state, Goal: goal}
		if state != "future" {
			sp.Start = base.AddDate(0, 0, startDays).Add(9 * time.Hour)
			sp.End = sp.Start.AddDate(0, 0, 14)
			sp.hasStart, sp.hasEnd = true, true
		}
		if state == "closed" {
			sp.Complete = sp.End
			sp.isComplete = true
		}
		return sp
	}
	j.sprints = []*jSprint{
		mk(1, 1, "ENG Sprint 21", "closed", "Ship the new billing page", -38),
		mk(2, 1, "ENG Sprint 22", "closed", "Search relevance improvements", -24),
		mk(3, 1, "ENG Sprint 23", "closed", "Mobile offline mode beta", -10),
		mk(4, 1, "ENG Sprint 24", "active", "Harden the public API before the 2026.12 release", 4-10),
		mk(5, 1, "ENG Sprint 25", "future", "", 0),
		mk(6, 2, "OPS Sprint 11", "closed", "Database failover drills", -20),
		mk(7, 2, "OPS Sprint 12", "active", "Alert noise reduction", -6),
		mk(8, 2, "OPS Sprint 13", "future", "", 0),
	}
}

func (j *jiraState) sprint(id int) *jSprint {
	for _, sp := range j.sprints {
		if sp.ID == id {
			return sp
		}
	}
	return nil
}
