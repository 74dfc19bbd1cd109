package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// seedJira fills the demo site's Jira data: projects ENG, OPS and MKT, their
// workflows and fields, sprints, and a few hundred issues generated
// deterministically (the same keys, summaries and relations on every run;
// dates are relative to the server clock's current day).
//
// Facts tests may pin (323 issues: ENG 187, OPS 83, MKT 53):
//
//	ENG-1  Epic     In Progress  "Public API v2 hardening" (parent of ENG-2)
//	ENG-2  Story    In Progress  "Rate-limit the public API per client", Priya Raman, 8 points, sprint "ENG Sprint 24" (active)
//	ENG-3  Bug      In Review    "Login fails with SSO when the email has uppercase letters", Highest, Jordan Lee; ENG-3 blocks ENG-4
//	ENG-4  Task     To Do        "Cut the 2026.12 release", assigned to the admin (Alex Morgan)
//	ENG-5  Sub-task To Do        "Add rate-limit headers to API responses", sub-task of ENG-2
//	ENG-6  Bug      Done         "Checkout page crashes on Safari 17", fix version 2026.10
//	ENG-7..ENG-10 more epics; OPS-3 and MKT-3 epics
//	OPS-1  Incident Investigating "Checkout API 5xx spike in eu-west-1", Sev 1, Sam Okafor; relates to ENG-6
//	OPS-2  Task     To Do        "Rotate the production database credentials"
//	MKT-1  Epic     In Progress  "Winter launch campaign" (parent of MKT-2)
//	MKT-2  Task     In Progress  "Write the launch blog post"
//
// Workflows (transition ids): Bug and ENG Story use To Do -11-> In Progress
// -21-> In Review -31-> Done (41 Stop Progress, 51 Request Changes, 61
// Reopen); Task, Epic, Sub-task (and all MKT non-bugs) use To Do -11-> In
// Progress -21-> Done (21 also from To Do, 31 Stop Progress, 41 Reopen);
// OPS Incident uses Open -11-> Investigating -21-> Mitigated -31-> Resolved
// -41-> Closed (51 Reopen). ENG Bug requires priority, OPS Incident
// requires Severity (customfield_10030); MKT allows only High, Medium, Low.
func (s *Server) seedJira() {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	base := s.now().UTC().Truncate(24 * time.Hour)
	j.seedJiraConfig()
	j.seedDemoCustomFields()
	j.seedDemoProjects(s.users)
	j.seedDemoSprints(base)
	g := &jSeeder{j: j, users: jActiveUsers(s.users), base: base, rng: rand.New(rand.NewPCG(2026, 11))}
	g.notable()
	g.bulk()
	g.fixVersions()
	for _, is := range j.issues {
		j.refreshView(is)
	}
}

func jActiveUsers(all []*User) []*User {
	var out []*User
	for _, u := range all {
		if u.Active && u.AccountType == "atlassian" {
			out = append(out, u)
		}
	}
	return out
}

// jSeeder builds issues with their history.
type jSeeder struct {
	j     *jiraState
	users []*User
	base  time.Time
	rng   *rand.Rand
}

func (g *jSeeder) user(i int) string {
	if len(g.users) == 0 {
		return ""
	}
	return g.users[i%len(g.users)].AccountID
}

func (g *jSeeder) userObj(i int) *User {
	if len(g.users) == 0 {
		return nil
	}
	return g.users[i%len(g.users)]
}

func (g *jSeeder) randUser() string {
	if len(g.users) == 0 {
		return ""
	}
	return g.users[g.rng.IntN(len(g.users))].AccountID
}

// spec describes one seeded issue.
type jIssueSpec struct {
	project, issueType, summary string
	desc                        json.RawMessage
	status                      string // target status name ("" = initial)
	priority                    string
	assignee, reporter          string
	labels, components          []string
	parent                      *jIssue
	createdDaysAgo              int
	custom                      map[string]any
	due                         string
	comments                    []string
	worklogs                    []int64 // seconds
	origEst                     int64
}

// add creates the issue described by sp, walking it through its workflow
// to sp.status with changelog entries, comments and worklogs dated after
// creation.
func (g *jSeeder) add(sp jIssueSpec) *jIssue {
	j := g.j
	p := j.projectByKey[sp.project]
	it := p.issueType(sp.issueType)
	wf := p.workflows[it.ID]
	created := g.base.Add(-time.Duration(sp.createdDaysAgo)*24*time.Hour + time.Duration(9+g.rng.IntN(8))*time.Hour + time.Duration(g.rng.IntN(60))*time.Minute)
	is := &jIssue{Project: p, Type: it, Status: wf.Initial, Summary: sp.summary, Description: sp.desc,
		Assignee: sp.assignee, Reporter: sp.reporter, Creator: sp.reporter, Labels: sp.labels, Parent: sp.parent,
		Created: created, Updated: created, StatusCat: created, Due: sp.due, Custom: map[string]any{}, OrigEst: sp.origEst}
	if sp.priority != "" {
		is.Priority = j.priority(sp.priority, "")
	} else {
		is.Priority = j.priority("Medium", "")
	}
	for _, cn := range sp.components {
		for _, c := range p.Components {
			if c.Name == cn {
				is.Components = append(is.Components, c)
			}
		}
	}
	for k, v := range sp.custom {
		is.Custom[k] = v
	}
	if is.Reporter != "" {
		is.Watchers = append(is.Watchers, is.Reporter)
	}
	if is.Assignee != "" && is.Assignee != is.Reporter {
		is.Watchers = append(is.Watchers, is.Assignee)
	}
	j.insertIssue(is)
	// Walk the happy path to the target status.
	t := created
	step := func() time.Time {
		elapsed := g.base.Sub(t)
		if elapsed < 2*time.Hour {
			return t
		}
		t = t.Add(time.Duration(g.rng.Int64N(int64(elapsed/3) + 1)))
		return t
	}
	if sp.status != "" && sp.status != is.Status.Name {
		for _, st := range wf.Statuses {
			if st == is.Status {
				continue
			}
			at := step()
			g.setStatus(is, st, at, is.Assignee)
			if st.Name == sp.status {
				break
			}
		}
	}
	for i, c := range sp.comments {
		at := step()
		author := g.randUser()
		if i == 0 && is.Assignee != "" {
			author = is.Assignee
		}
		body := g.commentBody(c)
		is.Comments = append(is.Comments, &jComment{ID: j.newID(), Author: author, Body: body, Created: at, Updated: at})
		if at.After(is.Updated) {
			is.Updated = at
		}
	}
	for _, sec := range sp.worklogs {
		at := step()
		author := is.Assignee
		if author == "" {
			author = g.randUser()
		}
		w := &jWorklog{ID: j.newID(), Author: author, Started: at.Add(-time.Duration(sec) * time.Second), Seconds: sec, Created: at, Updated: at}
		is.Worklogs = append(is.Worklogs, w)
		if is.RemainEst > 0 {
			is.RemainEst = max(0, is.RemainEst-sec)
		}
	}
	return is
}

// commentBody turns a template into ADF; "@N" mentions user N.
func (g *jSeeder) commentBody(text string) json.RawMessage {
	var inline []map[string]any
	for i, part := range strings.Split(text, "@@") {
		if i%2 == 1 {
			var n int
			fmt.Sscanf(part, "%d", &n)
			if u := g.userObj(n); u != nil {
				inline = append(inline, jAdfMention(u))
			}
			continue
		}
		if part != "" {
			inline = append(inline, jAdfTextRun(part))
		}
	}
	return jAdfDoc(jAdfPara(inline...))
}

// setStatus moves is to st at time at, recording the changelog entry.
func (g *jSeeder) setStatus(is *jIssue, st *jStatus, at time.Time, author string) {
	j := g.j
	h := &jHistory{ID: j.newID(), Author: author, Created: at}
	h.Items = append(h.Items, jChangeItem{Field: "status", FieldType: "jira", FieldID: "status",
		From: is.Status.ID, FromString: is.Status.Name, To: st.ID, ToSt: st.Name})
	if st.Cat == catComplete && is.Resolution == nil {
		is.Resolution = j.resolutions[0]
		is.Resolved = at
		h.Items = append(h.Items, jChangeItem{Field: "resolution", FieldType: "jira", FieldID: "resolution", To: "10000", ToSt: "Done"})
	} else if st.Cat != catComplete && is.Resolution != nil {
		h.Items = append(h.Items, jChangeItem{Field: "resolution", FieldType: "jira", FieldID: "resolution",
			From: is.Resolution.ID, FromString: is.Resolution.Name})
		is.Resolution = nil
		is.Resolved = time.Time{}
	}
	if st.Cat != is.Status.Cat {
		is.StatusCat = at
	}
	is.Status = st
	is.History = append(is.History, h)
	if at.After(is.Updated) {
		is.Updated = at
	}
}

func (g *jSeeder) opt(field, value string) *jOption {
	return g.j.fieldByID[field].option(value, "")
}

func (g *jSeeder) sprints(ids ...int) []*jSprint {
	var out []*jSprint
	for _, id := range ids {
		out = append(out, g.j.sprint(id))
	}
	return out
}

// notable creates the hand-written issues tests and docs refer to by key.
func (g *jSeeder) notable() {
	u := g.user
	// ENG-1: the epic of the active sprint's work.
	epic := g.add(jIssueSpec{project: "ENG", issueType: "Epic", summary: "Public API v2 hardening", status: "In Progress",
		priority: "High", assignee: u(1), reporter: u(0), labels: []string{"api", "q4"}, components: []string{"API"}, createdDaysAgo: 60,
		desc: jAdfDoc(jAdfHeading(2, "Goal"), jAdfPara(jAdfTextRun("Make the public API safe to open to all customers before the "), jAdfTextRun("2026.12", "strong"), jAdfTextRun(" release.")),
			jAdfBullets("Per-client rate limits", "Consistent error bodies", "Pagination on every list endpoint")),
		custom: map[string]any{fieldTeam: g.opt(fieldTeam, "Platform"), fieldStartDate: g.base.AddDate(0, 0, -45).Format("2006-01-02")}})
	// ENG-2: story in the active sprint.
	story := g.add(jIssueSpec{project: "ENG", issueType: "Story", summary: "Rate-limit the public API per client", status: "In Progress",
		priority: "High", assignee: u(1), reporter: u(0), labels: []string{"api", "rate-limiting"}, components: []string{"API", "Backend"},
		parent: epic, createdDaysAgo: 20,
		desc: jAdfDoc(jAdfPara(jAdfTextRun("As an API customer I want predictable limits so that one noisy client cannot slow everyone down.")),
			jAdfHeading(3, "Notes"), jAdfBullets("Token bucket per client id", "429 with Retry-After", "Limits configurable per plan"),
			jAdfCode("go", "limiter := rate.NewLimiter(rate.Limit(100), 200)\nif !limiter.Allow() {\n\treturn http.StatusTooManyRequests\n}")),
		custom: map[string]any{fieldStoryPoints: 8.0, fieldSprint: g.sprints(4), fieldTeam: g.opt(fieldTeam, "Platform"),
			fieldAcceptance: jAdfDoc(jAdfBullets("Clients over their limit get 429 with Retry-After", "Headers X-RateLimit-Limit and X-RateLimit-Remaining on every response"))},
		comments: []string{"Started with the token bucket in the gateway middleware.", "@@0@@ do we want per-plan limits in this sprint or the next one?"},
		worklogs: []int64{3 * 3600, 5*3600 + 30*60}, origEst: 3 * 8 * 3600})
	story.RemainEst = 3*8*3600 - story.timeSpent()
	// ENG-3: a bug in review that blocks the release task.
	bug := g.add(jIssueSpec{project: "ENG", issueType: "Bug", summary: "Login fails with SSO when the email has uppercase letters", status: "In Review",
		priority: "Highest", assignee: u(2), reporter: u(4), labels: []string{"sso", "customer-reported"}, components: []string{"Backend"}, createdDaysAgo: 9,
		desc: jAdfDoc(jAdfPara(jAdfTextRun("Users whose IdP sends "), jAdfTextRun("Alex.Morgan@Example.com", "code"), jAdfTextRun(" cannot sign in: the lookup is case-sensitive.")),
			jAdfHeading(3, "Steps to reproduce"), map[string]any{"type": "orderedList", "content": []map[string]any{
				{"type": "listItem", "content": []map[string]any{jAdfPara(jAdfTextRun("Configure Okta SSO"))}},
				{"type": "listItem", "content": []map[string]any{jAdfPara(jAdfTextRun("Sign in with a mixed-case email"))}}}},
			jAdfPara(jAdfTextRun("Expected: signed in. Actual: "), jAdfTextRun("401 user not found", "em"))),
		custom:   map[string]any{fieldStoryPoints: 3.0, fieldSprint: g.sprints(4), fieldTeam: g.opt(fieldTeam, "Platform"), fieldCustomer: "Globex Corporation"},
		comments: []string{"Reproduced on staging.", "Fix is up for review; @@2@@ please take a look.", "Verified the fix against the Globex tenant."},
		worklogs: []int64{2 * 3600, 90 * 60}})
	release := g.add(jIssueSpec{project: "ENG", issueType: "Task", summary: "Cut the 2026.12 release", status: "",
		priority: "High", assignee: u(0), reporter: u(0), labels: []string{"release"}, createdDaysAgo: 5, due: g.base.AddDate(0, 0, 21).Format("2006-01-02"),
		desc:   jAdfDoc(jAdfPara(jAdfTextRun("Tag, build and roll out 2026.12. Blocked until the SSO login bug is fixed."))),
		custom: map[string]any{fieldSprint: g.sprints(4), fieldTeam: g.opt(fieldTeam, "Platform")}})
	g.link("Blocks", bug, release) // ENG-3 blocks ENG-4
	// ENG-5: sub-task of ENG-2.
	g.add(jIssueSpec{project: "ENG", issueType: "Sub-task", summary: "Add rate-limit headers to API responses", status: "To Do",
		priority: "Medium", assignee: u(5), reporter: u(1), labels: []string{"api"}, parent: story, createdDaysAgo: 12,
		custom: map[string]any{fieldStoryPoints: 2.0, fieldSprint: g.sprints(4)}})
	// ENG-6: a fixed bug.
	done := g.add(jIssueSpec{project: "ENG", issueType: "Bug", summary: "Checkout page crashes on Safari 17", status: "Done",
		priority: "High", assignee: u(6), reporter: u(8), labels: []string{"frontend", "safari"}, components: []string{"Frontend"}, createdDaysAgo: 30,
		desc:     jAdfDoc(jAdfPara(jAdfTextRun("The checkout page throws "), jAdfTextRun("TypeError: structuredClone is not a function", "code"), jAdfTextRun(" on Safari 17.0."))),
		custom:   map[string]any{fieldStoryPoints: 2.0, fieldSprint: g.sprints(3), fieldTeam: g.opt(fieldTeam, "Web")},
		comments: []string{"Polyfill added; released in 2026.10."}, worklogs: []int64{4 * 3600}})
	done.FixVersions = []*jVersion{g.j.projectByKey["ENG"].Versions[0]}
	// OPS-1: an open incident related to ENG-6.
	inc := g.add(jIssueSpec{project: "OPS", issueType: "Incident", summary: "Checkout API 5xx spike in eu-west-1", status: "Investigating",
		priority: "Highest", assignee: u(3), reporter: u(9), labels: []string{"incident", "checkout"}, components: []string{"Monitoring"}, createdDaysAgo: 1,
		desc: jAdfDoc(map[string]any{"type": "panel", "attrs": map[string]any{"panelType": "error"}, "content": []map[string]any{
			jAdfPara(jAdfTextRun("Error rate on /v1/checkout above 5% since 08:40 UTC."))}},
			jAdfPara(jAdfTextRun("Dashboards: "), map[string]any{"type": "inlineCard", "attrs": map[string]any{"url": "https://grafana.example.com/d/checkout"}})),
		custom: map[string]any{fieldSeverity: g.opt(fieldSeverity, "Sev 1"), fieldTeam: g.opt(fieldTeam, "SRE"),
			fieldServices: []*jOption{g.opt(fieldServices, "api-gateway"), g.opt(fieldServices, "billing")}, fieldSprint: g.sprints(7)},
		comments: []string{"Paging @@3@@ as incident commander.", "Rolled back the gateway deploy; error rate dropping."}})
	g.link("Relates", inc, done)
	// OPS-2: routine task.
	g.add(jIssueSpec{project: "OPS", issueType: "Task", summary: "Rotate the production database credentials", status: "To Do",
		priority: "Medium", assignee: u(7), reporter: u(3), labels: []string{"security", "database"}, components: []string{"Database"}, createdDaysAgo: 14,
		due: g.base.AddDate(0, 0, 7).Format("2006-01-02"), custom: map[string]any{fieldSprint: g.sprints(7), fieldTeam: g.opt(fieldTeam, "SRE")}})
	// MKT-1 and MKT-2: the launch epic and a child.
	launch := g.add(jIssueSpec{project: "MKT", issueType: "Epic", summary: "Winter launch campaign", status: "In Progress",
		priority: "High", assignee: u(4), reporter: u(4), labels: []string{"launch"}, components: []string{"Campaigns"}, createdDaysAgo: 40,
		desc: jAdfDoc(jAdfPara(jAdfTextRun("Everything for the December launch: blog, emails, social and the landing page.")))})
	g.add(jIssueSpec{project: "MKT", issueType: "Task", summary: "Write the launch blog post", status: "In Progress",
		priority: "Medium", assignee: u(10), reporter: u(4), labels: []string{"launch", "blog"}, components: []string{"Content"}, parent: launch, createdDaysAgo: 10,
		comments: []string{"First draft shared in Confluence."}, worklogs: []int64{2 * 3600}})
}

// link creates "a ‹type.outward› b" (inward side a, outward side b).
func (g *jSeeder) link(typeName string, a, b *jIssue) {
	lt := g.j.linkType(typeName, "")
	l := &jLink{ID: g.j.newID(), Type: lt, Inward: a, Outward: b}
	a.Links = append(a.Links, l)
	b.Links = append(b.Links, l)
}

// Templates for the bulk issues: {subject}s are filled from the pools.
var (
	engSubjects   = []string{"the billing page", "the search API", "the mobile app", "the onboarding flow", "the admin console", "the webhook service", "the export job", "the notifications service", "the GraphQL gateway", "the user settings page", "the dashboard", "the CSV importer"}
	engBugs       = []string{"%s returns 500 when the request has no body", "Slow response times on %s under load", "%s shows stale data after an update", "Memory leak in %s", "%s ignores the user's time zone", "Race condition in %s on concurrent edits", "%s breaks with non-ASCII names", "Broken pagination in %s", "%s logs the access token in debug mode", "Null pointer in %s when the account is deactivated"}
	engStories    = []string{"Add dark mode to %s", "Let admins export data from %s", "Add keyboard shortcuts to %s", "Show audit history in %s", "Support bulk edit in %s", "Add saved filters to %s", "Localise %s into German and Japanese", "Add SSO enforcement to %s"}
	engTasks      = []string{"Upgrade Go to 1.26 in %s", "Add tracing to %s", "Write load tests for %s", "Remove the feature flag from %s", "Document the API of %s", "Migrate %s to the new database cluster", "Increase test coverage of %s", "Refactor error handling in %s"}
	engEpics      = []string{"Mobile offline mode", "Search relevance improvements", "Billing page redesign", "Accessibility audit fixes"}
	opsSubjects   = []string{"the Kubernetes cluster", "the Postgres primary", "the CDN", "the VPN", "the CI runners", "the logging pipeline", "the DNS zone", "the backup system", "the Redis cache", "the load balancers"}
	opsIncidents  = []string{"Elevated latency on %s", "Outage of %s in us-east-1", "Disk full on %s", "Certificate expired on %s", "Failover of %s did not complete", "Alert storm from %s"}
	opsTasks      = []string{"Patch %s for the latest CVE", "Add alerting for %s", "Right-size %s", "Write a runbook for %s", "Automate the restart of %s", "Review the access list of %s", "Upgrade %s to the supported version"}
	opsBugs       = []string{"Health check of %s flaps", "Metrics from %s are missing labels", "%s drops connections during deploys"}
	mktSubjects   = []string{"the pricing page", "the newsletter", "the webinar", "the product tour", "the case study", "the partner page", "the conference booth", "the launch video"}
	mktTasks      = []string{"Draft copy for %s", "Design assets for %s", "Schedule social posts about %s", "Review SEO of %s", "Translate %s", "Collect customer quotes for %s"}
	mktStories    = []string{"Visitors can book a demo from %s", "Track conversions on %s"}
	mktBugs       = []string{"Broken link on %s", "Typo in %s"}
	engLabels     = []string{"backend", "frontend", "tech-debt", "performance", "security", "customer-reported", "ux", "api", "regression"}
	opsLabels     = []string{"oncall", "security", "cost", "automation", "database", "network", "postmortem"}
	mktLabels     = []string{"launch", "seo", "content", "social", "design", "q4"}
	commentPool   = []string{"Looking into this now.", "Can reproduce on staging.", "@@1@@ can you take a look?", "This is related to last week's deploy.", "Added a test that covers this case.", "Moved to the next sprint, we ran out of time.", "Customer confirmed the workaround helps.", "PR is up, needs one more review.", "Blocked on the infra change, see the linked issue.", "@@4@@ FYI, this affects the release notes.", "Deployed to production.", "Closing as the fix is verified."}
	customerNames = []string{"Globex Corporation", "Initech", "Umbrella Health", "Stark Logistics", "Wayne Retail", "Acme Foods"}
)

// The bulk issues' other fixed choices; a repeated entry is drawn more
// often.
var (
	bulkStoryPoints    = []float64{1, 2, 3, 5, 8, 13}
	bulkTeams          = []string{"Platform", "Mobile", "Web", "Data", "SRE"}
	bulkEngEpicStatus  = []string{"In Progress", "To Do", "Done", "In Progress"}
	bulkEngPriorities  = []string{"Highest", "High", "Medium", "Medium", "Medium", "Low", "Lowest"}
	bulkOpsPriorities  = []string{"Highest", "High", "Medium", "Low"}
	bulkMktPriorities  = []string{"High", "Medium", "Low"}
	bulkOpsSeverities  = []string{"Sev 1", "Sev 2", "Sev 3", "Sev 3", "Sev 4"}
	bulkSubtaskFormats = []string{"Backend for: %s", "UI for: %s", "Tests for: %s"}
	bulkLinkTypes      = []string{"Blocks", "Relates", "Relates", "Duplicate", "Cloners"}
)

// bulkKind is one issue type of a project's bulk issues: it is drawn when
// the roll (0 to 9) is below upTo and no earlier kind took it, and its
// summary fills one of its templates.
type bulkKind struct {
	upTo      int
	issueType string
	templates []string
}

// The bulk issue kinds of each project, in roll order.
var (
	engKinds = []bulkKind{{4, "Bug", engBugs}, {7, "Story", engStories}, {10, "Task", engTasks}}
	opsKinds = []bulkKind{{3, "Incident", opsIncidents}, {8, "Task", opsTasks}, {10, "Bug", opsBugs}}
	mktKinds = []bulkKind{{7, "Task", mktTasks}, {9, "Story", mktStories}, {10, "Bug", mktBugs}}
)

// bulkSeeder draws the bulk issues from the seeder's random stream. Every
// draw moves the stream, so the draws must keep their order: one more, one
// fewer or two swapped changes every issue after it (the schema and mcp
// goldens of the demo site show the difference).
type bulkSeeder struct {
	g *jSeeder
	r *rand.Rand
}

// bulk creates the rest of the demo issues from the templates: ENG's, then
// OPS's, then MKT's, then links between them.
func (g *jSeeder) bulk() {
	b := &bulkSeeder{g: g, r: g.rng}
	b.eng()
	b.ops()
	b.mkt()
	b.links()
}

// pick draws one of xs.
func (b *bulkSeeder) pick(xs []string) string { return xs[b.r.IntN(len(xs))] }

// kind draws a template of the kind roll falls in and fills it with
// subject; it returns the kind's issue type and the summary, capitalised.
func (b *bulkSeeder) kind(kinds []bulkKind, roll int, subject string) (issueType, summary string) {
	k := kinds[len(kinds)-1]
	for _, x := range kinds {
		if roll < x.upTo {
			k = x
			break
		}
	}
	summary = fmt.Sprintf(b.pick(k.templates), subject)
	return k.issueType, strings.ToUpper(summary[:1]) + summary[1:]
}

// status draws a status of wf: the first a third of the time, the last a
// third, one in between the rest (the last when there is none).
func (b *bulkSeeder) status(wf *jWorkflow) string {
	n := b.r.IntN(100)
	sts := wf.Statuses
	switch {
	case n < 35:
		return sts[0].Name
	case n < 70 && len(sts) > 2:
		return sts[1+b.r.IntN(len(sts)-2)].Name
	default:
		return sts[len(sts)-1].Name
	}
}

// labels draws up to two distinct labels of pool.
func (b *bulkSeeder) labels(pool []string) []string {
	n := b.r.IntN(3)
	var out []string
	for i := 0; i < n; i++ {
		l := b.pick(pool)
		dup := false
		for _, x := range out {
			dup = dup || x == l
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// comments draws up to three comments of the pool.
func (b *bulkSeeder) comments() []string {
	var out []string
	for i := b.r.IntN(4); i > 0; i-- {
		out = append(out, b.pick(commentPool))
	}
	return out
}

// worklogs draws up to two worklogs of half an hour to six hours, none for
// work not started.
func (b *bulkSeeder) worklogs(status string) []int64 {
	if status == "To Do" || status == "Open" {
		return nil
	}
	var out []int64
	for i := b.r.IntN(3); i > 0; i-- {
		out = append(out, int64(30*60*(1+b.r.IntN(12))))
	}
	return out
}

// assignee draws a user, or no one a fifth of the time.
func (b *bulkSeeder) assignee() string {
	if b.r.IntN(5) == 0 {
		return ""
	}
	return b.g.randUser()
}

// sprintsFor places ENG/OPS work in sprints by its state and age.
func (b *bulkSeeder) sprintsFor(project, status string, days int) []*jSprint {
	g, r := b.g, b.r
	closed, active, future := []int{1, 2, 3}, 4, 5
	if project == "OPS" {
		closed, active, future = []int{6}, 7, 8
	}
	switch {
	case status == "Done" || status == "Resolved" || status == "Closed":
		if days > 10 {
			return g.sprints(closed[r.IntN(len(closed))])
		}
		return g.sprints(active)
	case status == "To Do" || status == "Open":
		switch r.IntN(3) {
		case 0:
			return g.sprints(future)
		case 1:
			return g.sprints(active)
		}
		return nil
	default:
		if days > 14 && r.IntN(2) == 0 {
			return g.sprints(closed[len(closed)-1], active) // carried over
		}
		return g.sprints(active)
	}
}

// describe draws a description: none, one line, context with bullets, or
// logs with a mention.
func (b *bulkSeeder) describe(summary string) json.RawMessage {
	switch b.r.IntN(4) {
	case 0:
		return nil
	case 1:
		return jAdfPlain(summary + ".")
	case 2:
		return jAdfDoc(jAdfPara(jAdfTextRun("Context: "), jAdfTextRun(summary, "strong"), jAdfTextRun(".")),
			jAdfBullets("Impact on customers", "Proposed approach", "Rollout plan"))
	default:
		return jAdfDoc(jAdfPara(jAdfTextRun(summary+". Logs below.")), jAdfCode("text", "ERROR 2026-11-02T10:15:03Z request_id=ab12 status=500\n  at handler.go:142"),
			jAdfPara(jAdfTextRun("Reported by "), jAdfMention(b.g.userObj(b.r.IntN(12))), jAdfTextRun(".")))
	}
}

// eng creates ENG's epics, then 150 stories, bugs and tasks spread under
// them, with sub-tasks.
func (b *bulkSeeder) eng() {
	epics := b.engEpics()
	for i := 0; i < 150; i++ {
		b.engIssue(epics)
	}
}

// engEpics creates ENG's four bulk epics.
func (b *bulkSeeder) engEpics() []*jIssue {
	g := b.g
	var epics []*jIssue
	for i, name := range engEpics {
		e := g.add(jIssueSpec{project: "ENG", issueType: "Epic", summary: name, status: bulkEngEpicStatus[i], priority: "Medium",
			assignee: g.randUser(), reporter: g.user(0), labels: b.labels(engLabels), createdDaysAgo: 70 + 10*i,
			desc: jAdfDoc(jAdfPara(jAdfTextRun("Epic: " + name + ".")))})
		epics = append(epics, e)
	}
	return epics
}

// engIssue creates one ENG bug, story or task, and a story's sub-tasks.
func (b *bulkSeeder) engIssue(epics []*jIssue) {
	g, r := b.g, b.r
	roll := r.IntN(10)
	typ, summary := b.kind(engKinds, roll, b.pick(engSubjects))
	p := g.j.projectByKey["ENG"]
	wf := p.workflows[p.issueType(typ).ID]
	status := b.status(wf)
	days := 1 + r.IntN(110)
	pri := bulkEngPriorities[r.IntN(7)]
	sp := jIssueSpec{project: "ENG", issueType: typ, summary: summary, status: status, priority: pri,
		assignee: b.assignee(), reporter: g.randUser(), labels: b.labels(engLabels),
		components: []string{p.Components[r.IntN(len(p.Components))].Name}, createdDaysAgo: days, desc: b.describe(summary),
		comments: b.comments(), worklogs: b.worklogs(status),
		custom: map[string]any{fieldTeam: g.opt(fieldTeam, bulkTeams[r.IntN(len(bulkTeams))])}}
	b.engDetails(&sp, days, epics)
	is := g.add(sp)
	is.RemainEst = max(0, is.OrigEst-is.timeSpent())
	if typ == "Story" && r.IntN(3) == 0 {
		b.engSubtasks(p, is, summary, days)
	}
}

// engDetails draws what only some ENG issues have: story points, sprints,
// an epic (not for bugs), a customer (bugs), acceptance criteria
// (stories), a due date and an estimate.
func (b *bulkSeeder) engDetails(sp *jIssueSpec, days int, epics []*jIssue) {
	g, r, typ := b.g, b.r, sp.issueType
	if r.IntN(4) > 0 {
		sp.custom[fieldStoryPoints] = bulkStoryPoints[r.IntN(len(bulkStoryPoints))]
	}
	if sps := b.sprintsFor("ENG", sp.status, days); sps != nil {
		sp.custom[fieldSprint] = sps
	}
	if typ != "Bug" && r.IntN(3) == 0 {
		sp.parent = epics[r.IntN(len(epics))]
	}
	if typ == "Bug" && r.IntN(3) == 0 {
		sp.custom[fieldCustomer] = b.pick(customerNames)
	}
	if typ == "Story" && r.IntN(2) == 0 {
		sp.custom[fieldAcceptance] = jAdfDoc(jAdfBullets("Works on web and mobile", "Covered by tests", "Documented"))
	}
	if r.IntN(6) == 0 {
		sp.due = g.base.AddDate(0, 0, r.IntN(40)-10).Format("2006-01-02")
	}
	if r.IntN(5) == 0 {
		sp.origEst = int64(3600 * (2 + r.IntN(30)))
	}
}

// engSubtasks creates one to three sub-tasks of story is.
func (b *bulkSeeder) engSubtasks(p *jProject, is *jIssue, summary string, days int) {
	g, r := b.g, b.r
	for k := r.IntN(3) + 1; k > 0; k-- {
		st := b.status(p.workflows[issueTypeSubtask])
		g.add(jIssueSpec{project: "ENG", issueType: "Sub-task", summary: fmt.Sprintf(b.pick(bulkSubtaskFormats), summary),
			status: st, priority: "Medium", assignee: b.assignee(), reporter: is.Reporter, parent: is, createdDaysAgo: max(0, days-1-r.IntN(3)),
			worklogs: b.worklogs(st)})
	}
}

// ops creates OPS's epic, then 80 incidents, tasks and bugs.
func (b *bulkSeeder) ops() {
	epic := b.g.add(jIssueSpec{project: "OPS", issueType: "Epic", summary: "Observability overhaul", status: "In Progress", priority: "High",
		assignee: b.g.user(3), reporter: b.g.user(3), labels: []string{"automation"}, createdDaysAgo: 90,
		desc: jAdfDoc(jAdfPara(jAdfTextRun("Replace the legacy metrics stack and cut alert noise by half.")))})
	for i := 0; i < 80; i++ {
		b.opsIssue(epic)
	}
}

// opsIssue creates one OPS incident, task or bug: incidents and bugs name
// a severity and a service, closed incidents a root cause, tasks sprints
// and sometimes the epic.
func (b *bulkSeeder) opsIssue(epic *jIssue) {
	g, r := b.g, b.r
	subject := b.pick(opsSubjects)
	p := g.j.projectByKey["OPS"]
	typ, summary := b.kind(opsKinds, r.IntN(10), subject)
	wf := p.workflows[p.issueType(typ).ID]
	status := b.status(wf)
	days := 1 + r.IntN(100)
	sp := jIssueSpec{project: "OPS", issueType: typ, summary: summary, status: status,
		priority: bulkOpsPriorities[r.IntN(4)], assignee: b.assignee(), reporter: g.randUser(),
		labels: b.labels(opsLabels), components: []string{p.Components[r.IntN(len(p.Components))].Name}, createdDaysAgo: days,
		desc: b.describe(summary), comments: b.comments(), worklogs: b.worklogs(status),
		custom: map[string]any{fieldTeam: g.opt(fieldTeam, "SRE")}}
	if typ == "Incident" || typ == "Bug" {
		sp.custom[fieldSeverity] = g.opt(fieldSeverity, bulkOpsSeverities[r.IntN(len(bulkOpsSeverities))])
		sp.custom[fieldServices] = []*jOption{g.j.fieldByID[fieldServices].Options[r.IntN(7)]}
	}
	if typ == "Incident" && status == "Closed" {
		sp.custom[fieldRootCause] = jAdfPlain("A configuration change was rolled out without a canary.")
	}
	if typ == "Task" {
		if sps := b.sprintsFor("OPS", status, days); sps != nil {
			sp.custom[fieldSprint] = sps
		}
		if r.IntN(3) == 0 {
			sp.parent = epic
		}
	}
	g.add(sp)
}

// mkt creates MKT's second epic, then 50 tasks, stories and bugs under
// the two.
func (b *bulkSeeder) mkt() {
	g := b.g
	mktEpic := g.add(jIssueSpec{project: "MKT", issueType: "Epic", summary: "Website refresh", status: "To Do", priority: "Medium",
		assignee: g.user(4), reporter: g.user(4), labels: []string{"design"}, createdDaysAgo: 50})
	epics := []*jIssue{g.j.issueByKey["MKT-1"], mktEpic}
	for i := 0; i < 50; i++ {
		b.mktIssue(epics)
	}
}

// mktIssue creates one MKT task, story or bug, half of them under an epic.
func (b *bulkSeeder) mktIssue(epics []*jIssue) {
	g, r := b.g, b.r
	subject := b.pick(mktSubjects)
	typ, summary := b.kind(mktKinds, r.IntN(10), subject)
	p := g.j.projectByKey["MKT"]
	status := b.status(p.workflows[p.issueType(typ).ID])
	sp := jIssueSpec{project: "MKT", issueType: typ, summary: summary, status: status,
		priority: bulkMktPriorities[r.IntN(3)], assignee: b.assignee(), reporter: g.randUser(),
		labels: b.labels(mktLabels), components: []string{p.Components[r.IntN(len(p.Components))].Name}, createdDaysAgo: 1 + r.IntN(80),
		desc: b.describe(summary), comments: b.comments(), worklogs: b.worklogs(status),
		custom: map[string]any{fieldTeam: g.opt(fieldTeam, "Web")}}
	if r.IntN(2) == 0 {
		sp.parent = epics[r.IntN(2)]
	}
	if r.IntN(4) == 0 {
		sp.due = g.base.AddDate(0, 0, r.IntN(30)).Format("2006-01-02")
	}
	g.add(sp)
}

// links makes up to 60 links between bulk issues (skipping the notable
// ones; a draw of the same issue twice makes none).
func (b *bulkSeeder) links() {
	g, r := b.g, b.r
	all := g.j.issues
	for i := 0; i < 60; i++ {
		from, to := all[12+r.IntN(len(all)-12)], all[12+r.IntN(len(all)-12)]
		if from == to {
			continue
		}
		g.link(bulkLinkTypes[r.IntN(len(bulkLinkTypes))], from, to)
	}
}

// fixVersions plans the bulk issues into releases with its own random
// stream (so the rest of the seed stays as it is): done ENG work shipped in
// 2026.10, open work targets 2026.11 or 2026.12; OPS tasks go into "Q4
// hardening" and the launch epic's children into "Winter launch".
func (g *jSeeder) fixVersions() {
	r := rand.New(rand.NewPCG(7, 7))
	for _, is := range g.j.issues {
		if is.Project.Key == "ENG" && is.ID <= g.j.issueByKey["ENG-6"].ID || len(is.FixVersions) > 0 || is.Type.HierarchyLevel != 0 {
			continue
		}
		vs := is.Project.Versions
		var v *jVersion
		switch is.Project.Key {
		case "ENG":
			switch {
			case is.Status.Cat == catComplete && r.IntN(10) < 6:
				v = vs[0]
			case is.Status.Cat == catInProgress && r.IntN(2) == 0:
				v = vs[1+r.IntN(2)]
			case is.Status.Cat == catToDo && r.IntN(10) < 3:
				v = vs[2]
			}
		case "OPS":
			if is.Type.ID == issueTypeTask && r.IntN(3) == 0 {
				v = vs[0]
			}
		case "MKT":
			if is.Parent != nil && is.Parent.Key == "MKT-1" {
				v = vs[0]
			}
		}
		if v != nil {
			is.FixVersions = []*jVersion{v}
		}
	}
}
