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
	seed := spec.Seed
	if seed == 0 {
		seed = 1
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a697261))
	base := s.now().UTC().Truncate(24 * time.Hour)
	j.seedJiraConfig()
	j.seedDemoCustomFields()
	j.seedDemoSprints(base)
	kinds := []string{fkNumber, fkTextField, fkOption, fkDate, fkMultiOpt, fkTextArea}
	var extra []*jField
	for i := 0; i < spec.CustomFields; i++ {
		k := kinds[i%len(kinds)]
		id := "customfield_" + strconv.Itoa(11000+i)
		f := &jField{ID: id, Name: fmt.Sprintf("%s %d", jGenFieldNames[i%len(jGenFieldNames)], i+1), Custom: true, Kind: k}
		switch k {
		case fkNumber:
			f.SchemaType, f.CustomType = "number", "com.atlassian.jira.plugin.system.customfieldtypes:float"
		case fkTextField:
			f.SchemaType, f.CustomType = "string", "com.atlassian.jira.plugin.system.customfieldtypes:textfield"
		case fkTextArea:
			f.SchemaType, f.CustomType = "string", "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
		case fkDate:
			f.SchemaType, f.CustomType = "date", "com.atlassian.jira.plugin.system.customfieldtypes:datepicker"
		case fkOption, fkMultiOpt:
			f.SchemaType, f.CustomType = "option", "com.atlassian.jira.plugin.system.customfieldtypes:select"
			if k == fkMultiOpt {
				f.SchemaType, f.SchemaItems, f.CustomType = "array", "option", "com.atlassian.jira.plugin.system.customfieldtypes:multiselect"
			}
			for o := 0; o < 4; o++ {
				f.Options = append(f.Options, &jOption{ID: strconv.Itoa(20000 + i*4 + o), Value: fmt.Sprintf("Value %c", 'A'+o)})
			}
		}
		j.addField(f)
		extra = append(extra, f)
	}
	nProj := max(spec.Projects, 1)
	users := jActiveUsers(s.users)
	uid := func(i int) string {
		if len(users) == 0 {
			return ""
		}
		return users[i%len(users)].AccountID
	}
	dev, basic, inc := j.devWorkflow(), j.basicWorkflow(), j.incidentWorkflow()
	screenBase := []string{"summary", "issuetype", "project", "description", "priority", "assignee", "reporter", "labels",
		"components", "fixVersions", "duedate", "parent", "issuelinks", "timetracking", "environment",
		fieldTeam, fieldStartDate, fieldStoryPoints, fieldSprint}
	// Like real sites with thousands of custom fields, each project's
	// screens show a slice of them (field contexts), not all.
	const screenExtras = 25
	projectScreen := func(i int) []string {
		screen := slices.Clone(screenBase)
		for k := range min(screenExtras, len(extra)) {
			screen = append(screen, extra[(i*7+k)%len(extra)].ID)
		}
		return screen
	}
	demo := []struct{ key, name string }{{"ENG", "Engineering"}, {"OPS", "Operations"}, {"MKT", "Marketing"}}
	for i := 0; i < nProj; i++ {
		key, name := "PRJ"+strconv.Itoa(i+1), fmt.Sprintf("Project %d", i+1)
		if i < len(demo) {
			key, name = demo[i].key, demo[i].name
		}
		p := &jProject{ID: strconv.Itoa(10000 + i), Key: key, Name: name, Description: name + " (generated).",
			Lead: uid(i), TypeKey: "software", Style: "classic", Category: "Generated", Priorities: j.priorities}
		p.IssueTypes = []*jIssueType{j.issueType(issueTypeBug), j.issueType(issueTypeTask), j.issueType(issueTypeStory),
			j.issueType(issueTypeEpic), j.issueType(issueTypeSubtask)}
		if key == "OPS" {
			p.IssueTypes = append(p.IssueTypes, j.issueType(issueTypeIncident))
		}
		j.addProject(p)
		for c, cn := range []string{"Backend", "Frontend", "API", "Infrastructure"} {
			p.Components = append(p.Components, &jComponent{ID: strconv.Itoa(50000 + i*10 + c), Name: cn, Project: p})
		}
		screen := projectScreen(i)
		for _, it := range p.IssueTypes {
			switch it.ID {
			case issueTypeBug, issueTypeStory:
				p.workflows[it.ID] = dev
			case issueTypeIncident:
				p.workflows[it.ID] = inc
			default:
				p.workflows[it.ID] = basic
			}
			p.screens[it.ID] = screen
		}
	}
	subjects := append(append([]string(nil), engSubjects...), opsSubjects...)
	templates := append(append(append([]string(nil), engBugs...), engStories...), engTasks...)
	descs := make([]json.RawMessage, 8)
	for i := range descs {
		descs[i] = jAdfDoc(jAdfPara(jAdfTextRun(fmt.Sprintf("Generated description %d: ", i)), jAdfTextRun("see the runbook", "strong")),
			jAdfBullets("First step", "Second step"))
	}
	prios := j.priorities
	labels := append(append([]string(nil), engLabels...), opsLabels...)
	teamField := j.fieldByID[fieldTeam]
	epics := make([][]*jIssue, nProj)
	nonSub := []string{issueTypeBug, issueTypeTask, issueTypeStory, issueTypeTask, issueTypeBug, issueTypeEpic}
	for n := 0; n < spec.Issues; n++ {
		p := j.projects[rng.IntN(nProj)]
		pi, _ := strconv.Atoi(p.ID)
		pi -= 10000
		itID := nonSub[rng.IntN(len(nonSub))]
		it := j.issueType(itID)
		wf := p.workflows[itID]
		created := base.Add(-time.Duration(rng.IntN(180*24*60)) * time.Minute)
		updated := created.Add(time.Duration(rng.Int64N(int64(base.Sub(created)) + 1)))
		st := wf.Statuses[rng.IntN(len(wf.Statuses))]
		summary := fmt.Sprintf(templates[rng.IntN(len(templates))], subjects[rng.IntN(len(subjects))])
		is := &jIssue{Project: p, Type: it, Status: st, Summary: summary, Priority: prios[rng.IntN(len(prios))],
			Reporter: uid(rng.IntN(64)), Created: created, Updated: updated, StatusCat: updated, Custom: map[string]any{}}
		is.Creator = is.Reporter
		if rng.IntN(5) > 0 {
			is.Assignee = uid(rng.IntN(64))
		}
		if rng.IntN(3) > 0 {
			is.Description = descs[rng.IntN(len(descs))]
		}
		if st.Cat == catComplete {
			is.Resolution = j.resolutions[0]
			is.Resolved = updated
		}
		for l := rng.IntN(3); l > 0; l-- {
			is.Labels = jAppendUnique(is.Labels, labels[rng.IntN(len(labels))])
		}
		is.Components = []*jComponent{p.Components[rng.IntN(len(p.Components))]}
		is.Watchers = []string{is.Reporter}
		is.Custom[fieldTeam] = teamField.Options[rng.IntN(len(teamField.Options))]
		if it.ID != issueTypeEpic {
			is.Custom[fieldStoryPoints] = float64([]int{1, 2, 3, 5, 8, 13}[rng.IntN(6)])
			if pi < 2 {
				spID := []int{1, 2, 3, 4, 5}[rng.IntN(5)]
				if pi == 1 {
					spID = []int{6, 7, 8}[rng.IntN(3)]
				}
				is.Custom[fieldSprint] = []*jSprint{j.sprint(spID)}
			}
			if eps := epics[pi]; len(eps) > 0 && rng.IntN(3) == 0 {
				is.Parent = eps[rng.IntN(len(eps))]
			}
		}
		for k := 0; k < 3 && len(extra) > 0; k++ {
			f := extra[rng.IntN(len(extra))]
			switch f.Kind {
			case fkNumber:
				is.Custom[f.ID] = float64(rng.IntN(1000))
			case fkTextField:
				is.Custom[f.ID] = "ref-" + strconv.Itoa(rng.IntN(10000))
			case fkTextArea:
				is.Custom[f.ID] = descs[rng.IntN(len(descs))]
			case fkDate:
				is.Custom[f.ID] = created.AddDate(0, 0, rng.IntN(60)).Format("2006-01-02")
			case fkOption:
				is.Custom[f.ID] = f.Options[rng.IntN(len(f.Options))]
			case fkMultiOpt:
				is.Custom[f.ID] = []*jOption{f.Options[rng.IntN(len(f.Options))]}
			}
		}
		if rng.IntN(5) == 0 {
			is.Comments = []*jComment{{ID: j.newID(), Author: is.Reporter, Body: descs[rng.IntN(len(descs))], Created: updated, Updated: updated}}
		}
		j.insertIssue(is)
		if it.ID == issueTypeEpic {
			epics[pi] = append(epics[pi], is)
		}
	}
	for _, is := range j.issues {
		j.refreshView(is)
	}
}

// jGenFieldNames name the generated custom fields.
var jGenFieldNames = []string{"Customer Impact", "Estimate Confidence", "Region", "Target Date", "Affected Teams", "Release Notes",
	"Cost Center", "Risk Score", "Vendor", "Review Date", "Platforms", "Rollback Plan"}
