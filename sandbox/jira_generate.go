package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// generateJira fills a generated large site's Jira data (see SiteSpec):
// spec.Projects projects (the first three are ENG, OPS and MKT, the rest
// PRJ4, PRJ5, ...), the demo custom fields plus spec.CustomFields more of
// assorted types (each project's screens show 25 of them), and spec.Issues
// issues spread over the projects. The same
// spec always gives the same site; it is built for speed (10,000 issues in
// a few tens of milliseconds), so issues carry few comments and no history.
func (s *Server) generateJira(spec SiteSpec) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	g := newJiraGen(s, j, spec)
	g.customFields(spec.CustomFields)
	g.users = jActiveUsers(s.users)
	g.dev, g.basic, g.inc = j.devWorkflow(), j.basicWorkflow(), j.incidentWorkflow()
	for i := range g.nProj {
		g.project(i)
	}
	g.issueChoices()
	for range spec.Issues {
		g.issue()
	}
	for _, is := range j.issues {
		j.refreshView(is)
	}
}

// jiraGen builds a generated site's Jira data. Every issue draws from one
// random stream, so the draws must keep their order: one more, one fewer
// or two swapped changes every issue after it.
type jiraGen struct {
	j     *jiraState
	rng   *rand.Rand
	base  time.Time // today, midnight UTC: the newest an issue is
	nProj int
	users []*User
	extra []*jField // the generated custom fields

	dev, basic, inc *jWorkflow // shared by every project

	// The issues' choices (issueChoices).
	subjects, templates, labels []string
	descs                       []json.RawMessage
	teamField                   *jField
	epics                       [][]*jIssue // each project's epics so far
}

// newJiraGen seeds the random stream and the Jira configuration, demo
// custom fields and sprints the generated site starts from.
func newJiraGen(s *Server, j *jiraState, spec SiteSpec) *jiraGen {
	seed := spec.Seed
	if seed == 0 {
		seed = 1
	}
	g := &jiraGen{j: j, rng: rand.New(rand.NewPCG(uint64(seed), 0x6a697261)), base: s.now().UTC().Truncate(24 * time.Hour),
		nProj: max(spec.Projects, 1)}
	j.seedJiraConfig()
	j.seedDemoCustomFields()
	j.seedDemoSprints(g.base)
	return g
}

// jGenKind is the shape of one kind of generated custom field.
type jGenKind struct {
	kind, schemaType, schemaItems, customType string
	options                                   bool // four options, Value A to Value D
}

// jGenKinds are the generated custom fields' kinds, in turn.
var jGenKinds = []jGenKind{
	{fkNumber, "number", "", "com.atlassian.jira.plugin.system.customfieldtypes:float", false},
	{fkTextField, "string", "", "com.atlassian.jira.plugin.system.customfieldtypes:textfield", false},
	{fkOption, "option", "", "com.atlassian.jira.plugin.system.customfieldtypes:select", true},
	{fkDate, "date", "", "com.atlassian.jira.plugin.system.customfieldtypes:datepicker", false},
	{fkMultiOpt, "array", "option", "com.atlassian.jira.plugin.system.customfieldtypes:multiselect", true},
	{fkTextArea, "string", "", "com.atlassian.jira.plugin.system.customfieldtypes:textarea", false},
}

// customFields adds n custom fields of the kinds in turn.
func (g *jiraGen) customFields(n int) {
	for i := range n {
		k := jGenKinds[i%len(jGenKinds)]
		f := &jField{ID: "customfield_" + strconv.Itoa(11000+i), Name: fmt.Sprintf("%s %d", jGenFieldNames[i%len(jGenFieldNames)], i+1),
			Custom: true, Kind: k.kind, SchemaType: k.schemaType, SchemaItems: k.schemaItems, CustomType: k.customType}
		if k.options {
			for o := range 4 {
				f.Options = append(f.Options, &jOption{ID: strconv.Itoa(20000 + i*4 + o), Value: fmt.Sprintf("Value %c", 'A'+o)})
			}
		}
		g.j.addField(f)
		g.extra = append(g.extra, f)
	}
}

// uid is the account id of the i-th active user (round the list), or ""
// when there is none.
func (g *jiraGen) uid(i int) string {
	if len(g.users) == 0 {
		return ""
	}
	return g.users[i%len(g.users)].AccountID
}

// The generated projects' fixed parts.
var (
	jGenDemoProjects = []struct{ key, name string }{{"ENG", "Engineering"}, {"OPS", "Operations"}, {"MKT", "Marketing"}}
	jGenComponents   = []string{"Backend", "Frontend", "API", "Infrastructure"}
	jGenScreenBase   = []string{"summary", "issuetype", "project", "description", "priority", "assignee", "reporter", "labels",
		"components", "fixVersions", "duedate", "parent", "issuelinks", "timetracking", "environment",
		fieldTeam, fieldStartDate, fieldStoryPoints, fieldSprint}
)

// jGenScreenExtras is how many generated custom fields each project's
// screens show: like real sites with thousands of custom fields, a slice
// of them (field contexts), not all.
const jGenScreenExtras = 25

// project adds the i-th project (from 0) with its issue types,
// components, workflows and screens.
func (g *jiraGen) project(i int) {
	j := g.j
	key, name := "PRJ"+strconv.Itoa(i+1), fmt.Sprintf("Project %d", i+1)
	if i < len(jGenDemoProjects) {
		key, name = jGenDemoProjects[i].key, jGenDemoProjects[i].name
	}
	p := &jProject{ID: strconv.Itoa(10000 + i), Key: key, Name: name, Description: name + " (generated).",
		Lead: g.uid(i), TypeKey: "software", Style: "classic", Category: "Generated", Priorities: j.priorities}
	p.IssueTypes = []*jIssueType{j.issueType(issueTypeBug), j.issueType(issueTypeTask), j.issueType(issueTypeStory),
		j.issueType(issueTypeEpic), j.issueType(issueTypeSubtask)}
	if key == "OPS" {
		p.IssueTypes = append(p.IssueTypes, j.issueType(issueTypeIncident))
	}
	j.addProject(p)
	for c, cn := range jGenComponents {
		p.Components = append(p.Components, &jComponent{ID: strconv.Itoa(50000 + i*10 + c), Name: cn, Project: p})
	}
	screen := g.screen(i)
	for _, it := range p.IssueTypes {
		p.workflows[it.ID] = g.workflow(it.ID)
		p.screens[it.ID] = screen
	}
}

// workflow is the workflow of an issue type: bugs and stories the
// development one, incidents the incident one, the rest the basic one.
func (g *jiraGen) workflow(issueType string) *jWorkflow {
	switch issueType {
	case issueTypeBug, issueTypeStory:
		return g.dev
	case issueTypeIncident:
		return g.inc
	}
	return g.basic
}

// screen is the i-th project's screen: the base fields and a slice of
// the generated ones.
func (g *jiraGen) screen(i int) []string {
	screen := slices.Clone(jGenScreenBase)
	for k := range min(jGenScreenExtras, len(g.extra)) {
		screen = append(screen, g.extra[(i*7+k)%len(g.extra)].ID)
	}
	return screen
}

// issueChoices sets what the issues draw their summaries, descriptions
// and labels from.
func (g *jiraGen) issueChoices() {
	g.subjects = append(append([]string(nil), engSubjects...), opsSubjects...)
	g.templates = append(append(append([]string(nil), engBugs...), engStories...), engTasks...)
	g.descs = make([]json.RawMessage, 8)
	for i := range g.descs {
		g.descs[i] = jAdfDoc(jAdfPara(jAdfTextRun(fmt.Sprintf("Generated description %d: ", i)), jAdfTextRun("see the runbook", "strong")),
			jAdfBullets("First step", "Second step"))
	}
	g.labels = append(append([]string(nil), engLabels...), opsLabels...)
	g.teamField = g.j.fieldByID[fieldTeam]
	g.epics = make([][]*jIssue, g.nProj)
}

// The issues' other fixed choices; a repeated entry is drawn more often.
var (
	jGenIssueTypes  = []string{issueTypeBug, issueTypeTask, issueTypeStory, issueTypeTask, issueTypeBug, issueTypeEpic}
	jGenStoryPoints = []int{1, 2, 3, 5, 8, 13}
	jGenEngSprints  = []int{1, 2, 3, 4, 5}
	jGenOpsSprints  = []int{6, 7, 8}
)

// issue adds one issue: its core (project, type, dates, status, summary,
// priority, reporter), then its details, agile fields, generated custom
// fields and comment, in the stream's order.
func (g *jiraGen) issue() {
	is, pi := g.issueCore()
	g.details(is)
	if is.Type.ID != issueTypeEpic {
		g.agile(is, pi)
	}
	g.extraValues(is)
	if g.rng.IntN(5) == 0 {
		is.Comments = []*jComment{{ID: g.j.newID(), Author: is.Reporter, Body: g.descs[g.rng.IntN(len(g.descs))], Created: is.Updated, Updated: is.Updated}}
	}
	g.j.insertIssue(is)
	if is.Type.ID == issueTypeEpic {
		g.epics[pi] = append(g.epics[pi], is)
	}
}

// issueCore draws a new issue's project, type, dates, status, summary,
// priority and reporter; it returns the issue and its project's index.
func (g *jiraGen) issueCore() (*jIssue, int) {
	j, rng := g.j, g.rng
	p := j.projects[rng.IntN(g.nProj)]
	pi, _ := strconv.Atoi(p.ID)
	pi -= 10000
	itID := jGenIssueTypes[rng.IntN(len(jGenIssueTypes))]
	wf := p.workflows[itID]
	created := g.base.Add(-time.Duration(rng.IntN(180*24*60)) * time.Minute)
	updated := created.Add(time.Duration(rng.Int64N(int64(g.base.Sub(created)) + 1)))
	st := wf.Statuses[rng.IntN(len(wf.Statuses))]
	summary := fmt.Sprintf(g.templates[rng.IntN(len(g.templates))], g.subjects[rng.IntN(len(g.subjects))])
	is := &jIssue{Project: p, Type: j.issueType(itID), Status: st, Summary: summary, Priority: j.priorities[rng.IntN(len(j.priorities))],
		Reporter: g.uid(rng.IntN(64)), Created: created, Updated: updated, StatusCat: updated, Custom: map[string]any{}}
	is.Creator = is.Reporter
	return is, pi
}

// details draws an issue's assignee, description, labels, component and
// team, and resolves it when its status is done.
func (g *jiraGen) details(is *jIssue) {
	rng := g.rng
	if rng.IntN(5) > 0 {
		is.Assignee = g.uid(rng.IntN(64))
	}
	if rng.IntN(3) > 0 {
		is.Description = g.descs[rng.IntN(len(g.descs))]
	}
	if is.Status.Cat == catComplete {
		is.Resolution = g.j.resolutions[0]
		is.Resolved = is.Updated
	}
	for l := rng.IntN(3); l > 0; l-- {
		is.Labels = jAppendUnique(is.Labels, g.labels[rng.IntN(len(g.labels))])
	}
	is.Components = []*jComponent{is.Project.Components[rng.IntN(len(is.Project.Components))]}
	is.Watchers = []string{is.Reporter}
	is.Custom[fieldTeam] = g.teamField.Options[rng.IntN(len(g.teamField.Options))]
}

// agile draws a non-epic's story points, its sprint (ENG's and OPS's
// issues only) and, a third of the time, an epic of its project so far.
func (g *jiraGen) agile(is *jIssue, pi int) {
	rng := g.rng
	is.Custom[fieldStoryPoints] = float64(jGenStoryPoints[rng.IntN(len(jGenStoryPoints))])
	if pi < 2 {
		spID := jGenEngSprints[rng.IntN(len(jGenEngSprints))]
		if pi == 1 {
			spID = jGenOpsSprints[rng.IntN(len(jGenOpsSprints))]
		}
		is.Custom[fieldSprint] = []*jSprint{g.j.sprint(spID)}
	}
	if eps := g.epics[pi]; len(eps) > 0 && rng.IntN(3) == 0 {
		is.Parent = eps[rng.IntN(len(eps))]
	}
}

// jGenValues draw a value of each kind of generated custom field.
var jGenValues = map[string]func(g *jiraGen, f *jField, is *jIssue) any{
	fkNumber:    func(g *jiraGen, _ *jField, _ *jIssue) any { return float64(g.rng.IntN(1000)) },
	fkTextField: func(g *jiraGen, _ *jField, _ *jIssue) any { return "ref-" + strconv.Itoa(g.rng.IntN(10000)) },
	fkTextArea:  func(g *jiraGen, _ *jField, _ *jIssue) any { return g.descs[g.rng.IntN(len(g.descs))] },
	fkDate: func(g *jiraGen, _ *jField, is *jIssue) any {
		return is.Created.AddDate(0, 0, g.rng.IntN(60)).Format("2006-01-02")
	},
	fkOption:   func(g *jiraGen, f *jField, _ *jIssue) any { return f.Options[g.rng.IntN(len(f.Options))] },
	fkMultiOpt: func(g *jiraGen, f *jField, _ *jIssue) any { return []*jOption{f.Options[g.rng.IntN(len(f.Options))]} },
}

// extraValues gives an issue values for three draws of the generated
// custom fields (a field drawn twice keeps the later value).
func (g *jiraGen) extraValues(is *jIssue) {
	for k := 0; k < 3 && len(g.extra) > 0; k++ {
		f := g.extra[g.rng.IntN(len(g.extra))]
		if draw := jGenValues[f.Kind]; draw != nil {
			is.Custom[f.ID] = draw(g, f, is)
		}
	}
}

// jGenFieldNames name the generated custom fields.
var jGenFieldNames = []string{"Customer Impact", "Estimate Confidence", "Region", "Target Date", "Affected Teams", "Release Notes",
	"Cost Center", "Risk Score", "Vendor", "Review Date", "Platforms", "Rollback Plan"}
