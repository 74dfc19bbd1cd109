package jql

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The fixed clock of the fixture: Wednesday 2026-03-18 10:30 UTC.
var fixtureNow = time.Date(2026, 3, 18, 10, 30, 0, 0, time.UTC)

var (
	alice = &User{AccountID: "acc-alice", DisplayName: "Alice Able", Email: "alice@example.com"}
	bob   = &User{AccountID: "acc-bob", DisplayName: "Bob Brown", Email: "bob@example.com"}
	carol = &User{AccountID: "acc-carol", DisplayName: "Carol Chen", Email: "carol@example.com"}
	dave  = &User{AccountID: "acc-dave", DisplayName: "Dave Diaz", Email: "dave@example.com"}
)

var (
	sprint1 = Sprint{ID: 1, Name: "ENG Sprint 1", State: "closed"}
	sprint2 = Sprint{ID: 2, Name: "ENG Sprint 2", State: "active"}
	sprint3 = Sprint{ID: 3, Name: "ENG Sprint 3", State: "future"}
)

func fixtureEnv() *Env {
	return &Env{
		Now:         fixtureNow,
		Location:    time.UTC,
		CurrentUser: "acc-alice",
		Fields: []Field{
			{ID: "customfield_10016", Name: "Story Points", Type: "number"},
			{ID: "customfield_10020", Name: "Sprint", Type: "sprint"},
			{ID: "customfield_10030", Name: "Team", Type: "option"},
			{ID: "customfield_10040", Name: "Release Notes", Type: "string"},
			{ID: "customfield_10050", Name: "Go Live", Type: "date"},
			{ID: "customfield_10060", Name: "Reviewer", Type: "user"},
		},
		Projects: []ProjectRef{
			{ID: "10000", Key: "ENG", Name: "Engineering"},
			{ID: "10001", Key: "OPS", Name: "Operations"},
			{ID: "10002", Key: "MKT", Name: "Marketing"},
		},
		Statuses:    []string{"To Do", "In Progress", "In Review", "Done"},
		IssueTypes:  []string{"Bug", "Task", "Story", "Sub-task", "Incident"},
		Priorities:  []string{"Highest", "High", "Medium", "Low", "Lowest"},
		Resolutions: []string{"Done", "Won't Do", "Duplicate"},
		Users:       []User{*alice, *bob, *carol, *dave},
		Sprints:     []Sprint{sprint1, sprint2, sprint3},
		Versions: []Version{
			{ProjectKey: "ENG", Name: "1.0", Released: true, ReleaseDate: ts("2026-02-01")},
			{ProjectKey: "ENG", Name: "1.1", Released: true, ReleaseDate: ts("2026-03-01")},
			{ProjectKey: "ENG", Name: "1.2"},
			{ProjectKey: "ENG", Name: "2.0", ReleaseDate: ts("2026-06-01")},
			{ProjectKey: "OPS", Name: "2026.1", Released: true, ReleaseDate: ts("2026-01-15")},
		},
		LinksOf: func(key string) []Link {
			for _, is := range fixtureIssues() {
				if is.Key == key {
					return is.Links
				}
			}
			return nil
		},
		IssueExists: func(key string) bool {
			p, n, ok := splitKey(key)
			return ok && (p == "ENG" && n <= 14 || p == "OPS" && n <= 8 || p == "MKT" && n <= 7)
		},
	}
}

// fx is one fixture row; times are "2006-01-02 15:04" UTC.
type fx struct {
	key, typ, status, prio string
	assignee, reporter     *User
	created, updated       string
	resolved, resolution   string
	due                    string
	summary, desc, env     string
	labels, comps, fix     []string
	comments               []string
	watchers               []string
	sp                     float64
	sprints                []Sprint
	team, notes, goLive    string
	reviewer               *User
	parent                 string
	links                  []Link
}

var fixtureRows = []fx{
	{key: "ENG-1", typ: "Bug", status: "To Do", prio: "High", assignee: alice, reporter: bob, created: "2026-01-05 09:00", updated: "2026-03-17 10:00",
		labels: []string{"backend", "urgent"}, comps: []string{"API"}, summary: "Login fails with SSO token", desc: "Users cannot log in when the SSO token expires.",
		sp: 3, sprints: []Sprint{sprint1, sprint2}, watchers: []string{"acc-alice", "acc-carol"}, team: "Platform",
		links: []Link{{Type: "Blocks", Phrase: "blocks", Key: "ENG-7"}}},
	{key: "ENG-2", typ: "Task", status: "In Progress", prio: "Medium", assignee: bob, reporter: alice, created: "2026-02-01 10:00", updated: "2026-03-18 09:00",
		labels: []string{"frontend"}, summary: "Add dark mode toggle", sp: 5, sprints: []Sprint{sprint2}, due: "2026-03-20", team: "Web",
		links: []Link{{Type: "Relates", Phrase: "relates to", Key: "MKT-2"}}},
	{key: "ENG-3", typ: "Bug", status: "Done", prio: "Highest", assignee: alice, reporter: alice, created: "2026-01-20 10:00", updated: "2026-03-10 15:00",
		resolved: "2026-03-10 15:00", resolution: "Done", summary: "Crash when saving drafts", desc: "Saving a draft crashes the editor",
		comments: []string{"Fixed in build 42", "Verified by QA"}, sp: 8, sprints: []Sprint{sprint1}, fix: []string{"1.0"}},
	{key: "ENG-4", typ: "Sub-task", status: "To Do", prio: "Low", reporter: bob, parent: "ENG-2", created: "2026-03-16 08:00", updated: "2026-03-16 08:00",
		summary: "Write tests for dark mode", sprints: []Sprint{sprint3}},
	{key: "ENG-5", typ: "Story", status: "In Review", prio: "Medium", assignee: carol, reporter: alice, created: "2026-03-01 10:00", updated: "2026-03-12 10:00",
		labels: []string{"reports"}, summary: "Export reports as CSV", desc: "Download the report as comma separated values", due: "2026-03-18", sp: 2, fix: []string{"1.1"}},
	{key: "ENG-6", typ: "Task", status: "To Do", prio: "Lowest", reporter: alice, created: "2026-03-18 08:00", updated: "2026-03-18 08:00",
		summary: "Update the README", env: "Linux, Go 1.26"},
	{key: "ENG-7", typ: "Bug", status: "In Progress", prio: "High", assignee: dave, reporter: carol, created: "2025-12-30 10:00", updated: "2026-02-28 10:00",
		labels: []string{"backend"}, comps: []string{"API", "Search"}, summary: "Timeouts on search endpoint", desc: "Search requests time out after 30s",
		comments: []string{"Seeing timeouts again in prod"}, sp: 13, watchers: []string{"acc-bob"},
		links: []Link{{Type: "Blocks", Phrase: "is blocked by", Key: "ENG-1"}}},
	{key: "ENG-8", typ: "Bug", status: "Done", prio: "Medium", assignee: bob, reporter: alice, created: "2026-02-10 10:00", updated: "2026-02-15 10:00",
		resolved: "2026-02-15 10:00", resolution: "Won't Do", summary: "Typo in settings page"},
	{key: "ENG-9", typ: "Task", status: "To Do", prio: "Medium", assignee: alice, reporter: alice, created: "2026-03-11 10:00", updated: "2026-03-11 10:00",
		labels: []string{"flaky", "testing"}, summary: "Investigate flaky login test", due: "2026-03-25", fix: []string{"2.0"}},
	{key: "ENG-10", typ: "Story", status: "Done", prio: "Low", assignee: carol, reporter: alice, created: "2026-02-20 10:00", updated: "2026-03-17 16:00",
		resolved: "2026-03-17 16:00", resolution: "Done", fix: []string{"1.0", "1.1"}, sp: 3, summary: "Onboarding checklist",
		notes: "Adds an onboarding checklist for new users"},
	{key: "ENG-11", typ: "Bug", status: "To Do", prio: "Highest", assignee: dave, reporter: alice, created: "2026-03-18 09:30", updated: "2026-03-18 09:30",
		labels: []string{"urgent"}, summary: "Payment page returns 500", reviewer: alice, goLive: "2026-04-01"},
	{key: "ENG-12", typ: "Task", status: "To Do", prio: "Medium", reporter: dave, created: "2026-03-02 10:00", updated: "2026-03-02 10:00",
		comps: []string{"Security"}, summary: "Rotate API keys"},
	{key: "ENG-13", typ: "Bug", status: "To Do", prio: "Medium", assignee: bob, reporter: alice, created: "2026-03-03 10:00", updated: "2026-03-03 10:00",
		summary: "Search page slow", desc: "The searcher crashed while running a large query"},
	{key: "ENG-14", typ: "Task", status: "In Progress", prio: "Medium", assignee: alice, reporter: alice, created: "2026-03-04 10:00", updated: "2026-03-14 10:00",
		summary: "Migrate CI to GitHub Actions", sp: 5, sprints: []Sprint{sprint2}, team: "Platform"},

	{key: "OPS-1", typ: "Incident", status: "In Progress", prio: "Highest", assignee: dave, reporter: dave, created: "2026-03-17 02:10", updated: "2026-03-17 05:00",
		labels: []string{"incident", "database"}, summary: "Database failover in eu-west", desc: "Primary database failed over at 02:00", team: "SRE"},
	{key: "OPS-2", typ: "Incident", status: "Done", prio: "High", assignee: dave, reporter: dave, created: "2026-02-28 10:00", updated: "2026-03-01 10:00",
		resolved: "2026-03-01 10:00", resolution: "Done", summary: "Disk full on build agents"},
	{key: "OPS-3", typ: "Task", status: "To Do", prio: "Medium", assignee: bob, reporter: dave, created: "2026-03-05 10:00", updated: "2026-03-06 10:00",
		due: "2026-03-31", summary: "Renew TLS certificates"},
	{key: "OPS-4", typ: "Task", status: "To Do", prio: "Low", reporter: dave, created: "2026-01-15 10:00", updated: "2026-01-15 10:00",
		labels: []string{"cleanup"}, summary: "Clean up old backups"},
	{key: "OPS-5", typ: "Incident", status: "In Progress", prio: "Medium", assignee: carol, reporter: dave, created: "2026-03-18 07:00", updated: "2026-03-18 10:00",
		comments: []string{"Rollback started", "Error rates back to normal"}, watchers: []string{"acc-alice"}, summary: "Elevated error rates on login service"},
	{key: "OPS-6", typ: "Task", status: "Done", prio: "Low", assignee: bob, reporter: dave, created: "2025-12-01 10:00", updated: "2025-12-20 10:00",
		resolved: "2025-12-20 10:00", resolution: "Done", summary: "Upgrade monitoring agents"},
	{key: "OPS-7", typ: "Sub-task", status: "To Do", prio: "Medium", assignee: bob, reporter: dave, parent: "OPS-3", created: "2026-03-06 10:00", updated: "2026-03-06 10:00",
		summary: "Renew certificate for api.example.com"},
	{key: "OPS-8", typ: "Task", status: "To Do", prio: "Medium", assignee: dave, reporter: dave, created: "2026-03-07 10:00", updated: "2026-03-08 10:00",
		comps: []string{"Network"}, summary: "Audit firewall rules"},

	{key: "MKT-1", typ: "Task", status: "To Do", prio: "Medium", assignee: carol, reporter: carol, created: "2026-03-09 10:00", updated: "2026-03-14 10:00",
		labels: []string{"launch", "content"}, due: "2026-03-27", summary: "Draft launch blog post"},
	{key: "MKT-2", typ: "Task", status: "In Progress", prio: "High", assignee: carol, reporter: carol, created: "2026-03-10 10:00", updated: "2026-03-16 10:00",
		labels: []string{"launch", "design"}, summary: "Design launch banner",
		links: []Link{{Type: "Relates", Phrase: "relates to", Key: "ENG-2"}}},
	{key: "MKT-3", typ: "Task", status: "Done", prio: "Low", assignee: alice, reporter: carol, created: "2026-01-10 10:00", updated: "2026-02-01 10:00",
		resolved: "2026-02-01 10:00", resolution: "Done", labels: []string{"newsletter"}, summary: "Newsletter for January"},
	{key: "MKT-4", typ: "Story", status: "To Do", prio: "Lowest", reporter: carol, created: "2026-02-25 10:00", updated: "2026-02-25 10:00",
		summary: "Customer case study: Acme", desc: "Interview Acme about the migration"},
	{key: "MKT-5", typ: "Task", status: "To Do", prio: "Medium", assignee: bob, reporter: carol, created: "2026-03-13 10:00", updated: "2026-03-13 10:00",
		labels: []string{"i18n"}, env: "de-DE, fr-FR", summary: "Translate pricing page"},
	{key: "MKT-6", typ: "Bug", status: "To Do", prio: "High", assignee: alice, reporter: carol, created: "2026-03-15 10:00", updated: "2026-03-15 10:00",
		labels: []string{"content"}, comments: []string{"Links point to the old domain"}, summary: "Broken links in press kit"},
	{key: "MKT-7", typ: "Story", status: "Done", prio: "Medium", assignee: carol, reporter: carol, created: "2026-02-27 10:00", updated: "2026-03-12 10:00",
		resolved: "2026-03-12 10:00", resolution: "Done", summary: "Webinar landing page"},
}

func ts(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	layout := "2006-01-02 15:04"
	if len(s) == 10 {
		layout = "2006-01-02"
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		panic(err)
	}
	return t
}

var categoryOf = map[string]string{"To Do": "new", "In Progress": "indeterminate", "In Review": "indeterminate", "Done": "done"}

func fixtureIssues() []*Issue {
	projects := map[string]ProjectRef{}
	for _, p := range fixtureEnv().Projects {
		projects[p.Key] = p
	}
	var out []*Issue
	for _, r := range fixtureRows {
		pk, n, _ := splitKey(r.key)
		p := projects[pk]
		base, _ := strconv.ParseInt(p.ID, 10, 64)
		is := &Issue{
			ID: (base-9999)*10000 + n, Key: r.key, ProjectID: p.ID, ProjectKey: p.Key, ProjectName: p.Name,
			IssueType: r.typ, Subtask: r.typ == "Sub-task", Status: r.status, StatusCategory: categoryOf[r.status],
			Priority: r.prio, Assignee: r.assignee, Reporter: r.reporter, Creator: r.reporter,
			Labels: r.labels, Components: r.comps, FixVersions: r.fix, Parent: r.parent,
			Summary: r.summary, Description: r.desc, Environment: r.env, Comments: r.comments,
			Created: ts(r.created), Updated: ts(r.updated), Resolved: ts(r.resolved), Due: ts(r.due),
			Resolution: r.resolution, Sprints: r.sprints, Watchers: r.watchers, Links: r.links, Custom: map[string]any{},
		}
		if r.sp != 0 {
			is.Custom["customfield_10016"] = r.sp
		}
		if r.team != "" {
			is.Custom["customfield_10030"] = r.team
		}
		if r.notes != "" {
			is.Custom["customfield_10040"] = r.notes
		}
		if r.goLive != "" {
			is.Custom["customfield_10050"] = ts(r.goLive)
		}
		if r.reviewer != nil {
			is.Custom["customfield_10060"] = r.reviewer
		}
		out = append(out, is)
	}
	return out
}

// generatedIssues builds n realistic issues over 10 projects for benchmarks.
func generatedIssues(n int) ([]*Issue, *Env) {
	rng := rand.New(rand.NewPCG(1, 2))
	env := fixtureEnv()
	env.IssueExists = nil
	env.Projects = nil
	for p := range 10 {
		key := fmt.Sprintf("P%c", 'A'+p)
		env.Projects = append(env.Projects, ProjectRef{ID: strconv.Itoa(10000 + p), Key: key, Name: "Project " + key})
	}
	users := []*User{alice, bob, carol, dave, nil}
	words := strings.Fields("login search timeout crash export report dark mode payment database failover certificate backup launch banner newsletter migration pipeline deploy cache")
	statuses := env.Statuses
	out := make([]*Issue, n)
	for i := range n {
		p := env.Projects[i%10]
		st := statuses[rng.IntN(len(statuses))]
		created := fixtureNow.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		is := &Issue{
			ID: int64(100000 + i), Key: fmt.Sprintf("%s-%d", p.Key, i/10+1), ProjectID: p.ID, ProjectKey: p.Key, ProjectName: p.Name,
			IssueType: env.IssueTypes[rng.IntN(len(env.IssueTypes))], Status: st, StatusCategory: categoryOf[st],
			Priority: env.Priorities[rng.IntN(5)], Assignee: users[rng.IntN(5)], Reporter: users[rng.IntN(4)],
			Labels:      []string{words[rng.IntN(len(words))]},
			Summary:     words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))] + " issue " + strconv.Itoa(i),
			Description: strings.Repeat(words[rng.IntN(len(words))]+" text ", 20),
			Created:     created, Updated: created.Add(time.Duration(rng.IntN(1000)) * time.Hour),
			Custom: map[string]any{"customfield_10016": float64(rng.IntN(13))},
		}
		if st == "Done" {
			is.Resolution, is.Resolved = "Done", is.Updated
		}
		out[i] = is
	}
	return out, env
}
