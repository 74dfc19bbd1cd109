package sandbox

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"time"
)

// The demo site's Confluence: spaces ENG (Engineering), TEAM (Team Space),
// OPS (Operations) and the admin's personal space, each with a homepage and
// a page tree whose storage bodies use real macros. Ids are deterministic:
// spaces from 65537, content from 98305, in the order below.

// seedPage describes one seeded piece of content.
type seedPage struct {
	space    string
	parent   string // title of the parent in the same space; "" = homepage
	title    string // "{date}" is replaced by the creation date
	typ      string // "" = page
	author   int    // index into s.users
	created  int    // days before the seed day
	modified int    // days before the seed day (<= created)
	labels   []string
	body     string // storage; {u0}..{u11} are account ids
}

// seedConfluence fills the demo site's Confluence data.
func (s *Server) seedConfluence() {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	day := s.now().UTC().Truncate(24 * time.Hour)
	at := func(daysAgo, hour int) time.Time {
		return day.AddDate(0, 0, -daysAgo).Add(time.Duration(hour) * time.Hour)
	}
	u := func(i int) string { return s.users[i%len(s.users)].AccountID }
	personalKey := "~" + strings.NewReplacer(":", "", "-", "").Replace(u(0))
	spaces := []struct {
		key, name, typ, desc, home string
		author                     int
		homeBody                   string
	}{
		{"ENG", "Engineering", "global", "Architecture, runbooks and release notes of the engineering team.", "Engineering Home", 2,
			`<ac:structured-macro ac:name="toc" ac:schema-version="1" />` +
				`<h1>Welcome to Engineering</h1><p>This space holds how we build and run the product. Start with the ` +
				`<ac:link><ri:page ri:content-title="Onboarding guide for engineers" /><ac:plain-text-link-body><![CDATA[onboarding guide]]></ac:plain-text-link-body></ac:link>.</p>` +
				`<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>On call this week: <ac:link><ri:user ri:account-id="{u3}" /></ac:link>. ` +
				`See the <ac:link><ri:page ri:content-title="On-call policy" ri:space-key="OPS" /></ac:link>.</p></ac:rich-text-body></ac:structured-macro>` +
				`<h2>Quick links</h2><ul><li><p><ac:link><ri:page ri:content-title="Runbooks" /></ac:link></p></li>` +
				`<li><p><ac:link><ri:page ri:content-title="Architecture Decision Records" /></ac:link></p></li>` +
				`<li><p><ac:link><ri:page ri:content-title="Release notes" /></ac:link></p></li></ul>`},
		{"TEAM", "Team Space", "global", "Policies, meeting notes and everything about working at Acme.", "Team Space Home", 0,
			`<h1>Team Space</h1><p>Company policies, meeting notes and the new starter checklist live here. <ac:emoticon ac:name="smile" /></p>` +
				`<ac:structured-macro ac:name="tip" ac:schema-version="1"><ac:rich-text-body><p>Looking for a policy? Search for the label <code>policy</code>.</p></ac:rich-text-body></ac:structured-macro>`},
		{"OPS", "Operations", "global", "On-call, incident response and operational runbooks.", "Operations Home", 3,
			`<h1>Operations</h1><p>How we keep production healthy: <ac:link><ri:page ri:content-title="On-call policy" /></ac:link>, ` +
				`<ac:link><ri:page ri:content-title="Incident response" /></ac:link> and the operational runbooks.</p>` +
				`<ac:structured-macro ac:name="warning" ac:schema-version="1"><ac:parameter ac:name="title">Sev 1?</ac:parameter><ac:rich-text-body><p>Page the incident commander first, then open the incident channel.</p></ac:rich-text-body></ac:structured-macro>`},
		{personalKey, s.users[0].DisplayName, "personal", "", s.users[0].DisplayName, 0,
			`<p>Personal notes of ` + s.users[0].DisplayName + `.</p>`},
	}
	for i, sp := range spaces {
		space := c.addSpace(&cSpace{Key: sp.key, Name: sp.name, Type: sp.typ, Description: sp.desc,
			AuthorID: u(sp.author), CreatedAt: at(400-i, 9)})
		home := c.addPage(&cPage{Title: sp.home, SpaceID: space.ID, AuthorID: u(sp.author),
			CreatedAt: at(400-i, 9), VersionAt: at(30+i, 11), Body: expandUsers(sp.homeBody, u)})
		space.HomepageID = home.ID
	}
	for _, sp := range seedPages() {
		space := c.spaceByKey[sp.space]
		if space == nil { // the personal space's key depends on the admin
			space = c.spaceByKey[personalKey]
		}
		parentID := space.HomepageID
		if sp.parent != "" {
			for _, p := range c.ordered {
				if p.SpaceID == space.ID && p.Title == sp.parent {
					parentID = p.ID
				}
			}
		}
		title := strings.ReplaceAll(sp.title, "{date}", at(sp.created, 0).Format("2006-01-02"))
		typ := sp.typ
		if typ == "blogpost" {
			parentID = ""
		}
		p := c.addPage(&cPage{Title: title, Type: typ, SpaceID: space.ID, ParentID: parentID, AuthorID: u(sp.author),
			CreatedAt: at(sp.created, 10), VersionAt: at(sp.modified, 15), Body: expandUsers(sp.body, u)})
		if sp.modified < sp.created {
			p.Version = 1 + (sp.created-sp.modified)%7
			p.VersionBy = u(sp.author + 1)
			p.Contribs = []string{u(sp.author), u(sp.author + 1)}
			c.index(p)
		}
		var ls []cLabel
		for _, l := range sp.labels {
			ls = append(ls, cLabel{Prefix: "global", Name: l})
		}
		c.addLabels(p, ls)
	}
}

// expandUsers replaces {uN} with user N's account id.
func expandUsers(body string, u func(int) string) string {
	if !strings.Contains(body, "{u") {
		return body
	}
	for i := 11; i >= 0; i-- {
		body = strings.ReplaceAll(body, "{u"+strconv.Itoa(i)+"}", u(i))
	}
	return body
}

func codeMacro(lang, title, code string) string {
	var b strings.Builder
	b.WriteString(`<ac:structured-macro ac:name="code" ac:schema-version="1">`)
	if lang != "" {
		b.WriteString(`<ac:parameter ac:name="language">` + lang + `</ac:parameter>`)
	}
	if title != "" {
		b.WriteString(`<ac:parameter ac:name="title">` + title + `</ac:parameter>`)
	}
	b.WriteString(`<ac:plain-text-body><![CDATA[` + strings.ReplaceAll(code, "]]>", "]]]]><![CDATA[>") + `]]></ac:plain-text-body></ac:structured-macro>`)
	return b.String()
}

func panel(kind, title, inner string) string {
	t := ""
	if title != "" {
		t = `<ac:parameter ac:name="title">` + title + `</ac:parameter>`
	}
	return `<ac:structured-macro ac:name="` + kind + `" ac:schema-version="1">` + t + `<ac:rich-text-body>` + inner + `</ac:rich-text-body></ac:structured-macro>`
}

func mention(u string) string { return `<ac:link><ri:user ri:account-id="` + u + `" /></ac:link>` }

func pageLink(title, key, text string) string {
	k := ""
	if key != "" {
		k = ` ri:space-key="` + key + `"`
	}
	body := ""
	if text != "" {
		body = `<ac:plain-text-link-body><![CDATA[` + text + `]]></ac:plain-text-link-body>`
	}
	return `<ac:link><ri:page ri:content-title="` + title + `"` + k + ` />` + body + `</ac:link>`
}

func tasks(items ...string) string {
	var b strings.Builder
	b.WriteString("<ac:task-list>")
	for i, it := range items {
		status := "incomplete"
		if strings.HasPrefix(it, "[x] ") {
			status, it = "complete", it[4:]
		}
		fmt.Fprintf(&b, "<ac:task><ac:task-id>%d</ac:task-id><ac:task-status>%s</ac:task-status><ac:task-body>%s</ac:task-body></ac:task>", i+1, status, it)
	}
	b.WriteString("</ac:task-list>")
	return b.String()
}

func seedPages() []seedPage {
	return []seedPage{
		// ENG
		{space: "ENG", title: "Architecture Decision Records", author: 2, created: 300, modified: 120, labels: []string{"adr", "architecture"},
			body: `<p>Every significant technical decision is recorded as an ADR: context, decision, consequences.</p>` +
				`<ac:structured-macro ac:name="children" ac:schema-version="2"><ac:parameter ac:name="sort">title</ac:parameter></ac:structured-macro>`},
		{space: "ENG", parent: "Architecture Decision Records", title: "ADR-001: Use PostgreSQL for the primary store", author: 2, created: 290, modified: 200,
			labels: []string{"adr", "architecture", "postgres", "decided"},
			body: `<h2>Context</h2><p>We need a relational store with strong consistency, JSON support and mature tooling.</p>` +
				`<h2>Decision</h2><p>We use <strong>PostgreSQL 16</strong> on managed instances, one primary and two replicas per region.</p>` +
				`<h2>Consequences</h2><ul><li><p>Schema migrations run through the deploy pipeline.</p></li><li><p>Read-heavy services use the replicas.</p></li></ul>` +
				`<table><tbody><tr><th><p>Option</p></th><th><p>Verdict</p></th></tr><tr><td><p>PostgreSQL</p></td><td><p><ac:emoticon ac:name="tick" /> chosen</p></td></tr>` +
				`<tr><td><p>MySQL</p></td><td><p><ac:emoticon ac:name="cross" /> weaker JSON support</p></td></tr><tr><td><p>DynamoDB</p></td><td><p><ac:emoticon ac:name="cross" /> no joins</p></td></tr></tbody></table>`},
		{space: "ENG", parent: "Architecture Decision Records", title: "ADR-002: gRPC between internal services", author: 5, created: 200, modified: 150,
			labels: []string{"adr", "architecture", "grpc", "decided"},
			body: `<h2>Decision</h2><p>Internal service calls use gRPC with protobuf contracts kept in the <code>contracts</code> repository.</p>` +
				codeMacro("protobuf", "billing.proto", "service Billing {\n  rpc Charge(ChargeRequest) returns (ChargeReply);\n}") +
				panel("note", "", `<p>Public APIs stay REST+JSON. Owner: `+mention("{u5}")+`.</p>`)},
		{space: "ENG", parent: "Architecture Decision Records", title: "ADR-003: Event sourcing for billing", author: 1, created: 60, modified: 12,
			labels: []string{"adr", "architecture", "billing", "proposed"},
			body: panel("warning", "Status: proposed", `<p>Not decided yet. Comments by Friday, please.</p>`) +
				`<p>Billing history must be auditable; an append-only event log gives us that for free.</p>` +
				`<ac:structured-macro ac:name="jira" ac:schema-version="1"><ac:parameter ac:name="server">System Jira</ac:parameter><ac:parameter ac:name="key">ENG-42</ac:parameter></ac:structured-macro>`},
		{space: "ENG", title: "Runbooks", author: 3, created: 280, modified: 90, labels: []string{"runbook"},
			body: `<p>Step-by-step procedures for the systems engineering owns. Each runbook names its owner.</p>` +
				`<ac:structured-macro ac:name="children" ac:schema-version="2" />`},
		{space: "ENG", parent: "Runbooks", title: "Database failover runbook", author: 3, created: 250, modified: 3,
			labels: []string{"runbook", "database", "postgres", "oncall"},
			body: `<ac:structured-macro ac:name="toc" ac:schema-version="1"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>` +
				panel("warning", "Before you start", `<p>Failover drops in-flight transactions. Announce it in #incidents first.</p>`) +
				`<h2>1. Check replication lag</h2>` +
				codeMacro("sql", "lag.sql", "SELECT client_addr, state, replay_lag\nFROM pg_stat_replication;") +
				`<h2>2. Promote the replica</h2><p>On the replica host run:</p>` +
				codeMacro("bash", "", "sudo -u postgres pg_ctl promote -D /var/lib/postgresql/16/main") +
				`<h2>3. Repoint the services</h2><p>Update the <code>DATABASE_URL</code> secret and restart the API pods. The health check must report <em>primary</em>.</p>` +
				codeMacro("yaml", "", "# a literal CDATA terminator survives: ]]> stays in the code\ndatabase:\n  host: db-replica-1.internal\n") +
				`<h2>Owner</h2><p>` + mention("{u3}") + ` (backup: ` + mention("{u7}") + `)</p>` +
				`<ac:structured-macro ac:name="expand" ac:schema-version="1"><ac:parameter ac:name="title">Why not automatic failover?</ac:parameter>` +
				`<ac:rich-text-body><p>Automatic failover caused a split brain in 2024. See ` + pageLink("Incident postmortem: checkout outage", "OPS", "the postmortem") + `.</p></ac:rich-text-body></ac:structured-macro>`},
		{space: "ENG", parent: "Runbooks", title: "Deploying to production", author: 7, created: 240, modified: 20,
			labels: []string{"runbook", "deploy", "ci"},
			body: `<p>Deploys go out from the <code>main</code> branch through the pipeline. Manual deploys are for emergencies only.</p>` +
				`<ol><li><p>Check the release checklist.</p></li><li><p>Run the deploy:</p></li></ol>` +
				codeMacro("bash", "deploy.sh", "./scripts/deploy.sh --env production --version \"$VERSION\"") +
				panel("info", "", `<p>Deploy freezes: Fridays after 15:00 and during company events.</p>`) +
				`<ac:image ac:alt="Pipeline stages"><ri:attachment ri:filename="pipeline.png" /></ac:image>`},
		{space: "ENG", parent: "Runbooks", title: "Rotating TLS certificates", author: 5, created: 180, modified: 40,
			labels: []string{"runbook", "security", "tls"},
			body: `<p>Certificates are issued by the internal CA and expire after 90 days.</p>` +
				codeMacro("bash", "", "kubectl -n ingress create secret tls api-tls --cert=api.crt --key=api.key --dry-run=client -o yaml | kubectl apply -f -") +
				tasks("[x] Issue the new certificate", "Update the ingress secret", "Verify with <code>openssl s_client</code>")},
		{space: "ENG", title: "Onboarding guide for engineers", author: 2, created: 270, modified: 25,
			labels: []string{"onboarding"},
			body: `<h1>Your first week</h1><p>Welcome! Your onboarding buddy is ` + mention("{u8}") + `.</p>` +
				tasks("Get laptop and accounts", "Clone the monorepo", "Ship a small change to production", "Shadow an on-call shift") +
				`<h2>Reading list</h2><ul><li><p>` + pageLink("Coding standards", "", "") + `</p></li><li><p>` + pageLink("Remote work policy", "TEAM", "Remote work policy") + `</p></li></ul>` +
				`<ac:image><ri:url ri:value="https://www.example.com/images/welcome.png" /></ac:image>`},
		{space: "ENG", title: "Coding standards", author: 1, created: 260, modified: 50,
			labels: []string{"standards", "go"},
			body: `<p>We write Go with <code>gofmt</code>, <code>go vet</code> and staticcheck clean.</p>` +
				codeMacro("go", "errors.go", "if err != nil {\n\treturn fmt.Errorf(\"load config: %w\", err)\n}") +
				panel("tip", "", `<p>Wrap errors with context; never log and return the same error.</p>`)},
		{space: "ENG", title: "Release notes", author: 7, created: 230, modified: 10, labels: []string{"release-notes"},
			body: `<p>Release notes for every production release, newest first.</p>`},
		{space: "ENG", parent: "Release notes", title: "Release 2.4.0", author: 7, created: 45, modified: 44,
			labels: []string{"release-notes", "release-2-4"},
			body: `<h2>Highlights</h2><ul><li><p>Faster search: p95 down from 480 ms to 120 ms.</p></li><li><p>Dark mode for the dashboard.</p></li></ul>` +
				`<h2>Fixed</h2><table><tbody><tr><th><p>Key</p></th><th><p>Summary</p></th></tr><tr><td><p>ENG-101</p></td><td><p>Login loop on Safari</p></td></tr>` +
				`<tr><td><p>ENG-117</p></td><td><p>CSV export drops the last row</p></td></tr></tbody></table>`},
		{space: "ENG", parent: "Release notes", title: "Release 2.5.0", author: 7, created: 10, modified: 2,
			labels: []string{"release-notes", "release-2-5"},
			body: `<h2>Highlights</h2><ul><li><p>Webhooks for billing events.</p></li><li><p>Audit log export.</p></li></ul>` +
				panel("note", "Breaking change", `<p>The <code>/v1/invoices</code> endpoint now pages with cursors.</p>`)},
		{space: "ENG", title: "Service catalogue", author: 5, created: 220, modified: 15, labels: []string{"services", "architecture"},
			body: `<table><tbody><tr><th><p>Service</p></th><th><p>Owner</p></th><th><p>Language</p></th><th><p>Runbook</p></th></tr>` +
				`<tr><td><p>api</p></td><td><p>` + mention("{u5}") + `</p></td><td><p>Go</p></td><td><p>` + pageLink("Deploying to production", "", "") + `</p></td></tr>` +
				`<tr><td><p>billing</p></td><td><p>` + mention("{u1}") + `</p></td><td><p>Go</p></td><td><p>` + pageLink("Restarting the payment gateway", "OPS", "") + `</p></td></tr>` +
				`<tr><td><p>search</p></td><td><p>` + mention("{u9}") + `</p></td><td><p>Rust</p></td><td><p>-</p></td></tr></tbody></table>`},
		{space: "ENG", title: "Q1 roadmap", author: 0, created: 30, modified: 6, labels: []string{"roadmap", "planning"},
			body: `<p>What engineering plans for next quarter.</p>` +
				`<ac:structured-macro ac:name="roadmap" ac:schema-version="1" ac:macro-id="6f1b2c3d-0000-4000-8000-000000000001"><ac:parameter ac:name="source">%7B%22title%22%3A%22Q1%22%7D</ac:parameter></ac:structured-macro>` +
				`<ul><li><p>Event-sourced billing (see ` + pageLink("ADR-003: Event sourcing for billing", "", "") + `)</p></li><li><p>Search relevance tuning</p></li></ul>`},
		{space: "ENG", title: "Engineering all-hands recap", typ: "blogpost", author: 0, created: 8, modified: 8, labels: []string{"all-hands"},
			body: `<p>Thanks everyone for a great quarter! <ac:emoticon ac:name="thumbs-up" /> Release 2.4.0 shipped on time and the on-call load dropped by a third.</p>`},
		// TEAM
		{space: "TEAM", title: "Policies", author: 0, created: 390, modified: 100, labels: []string{"policy"},
			body: `<p>Company policies. Questions go to ` + mention("{u4}") + ` in People Ops.</p><ac:structured-macro ac:name="children" ac:schema-version="2" />`},
		{space: "TEAM", parent: "Policies", title: "Remote work policy", author: 4, created: 380, modified: 35,
			labels: []string{"policy", "hr", "remote-work"},
			body: `<h2>Who can work remotely</h2><p>Everyone may work remotely up to four days per week. Teams agree on one shared office day.</p>` +
				panel("info", "", `<p>Working from another country for more than 30 days needs approval from People Ops.</p>`) +
				`<h2>Equipment</h2><p>The company pays for a desk chair and a monitor, up to 600 EUR every three years. File it under the ` +
				pageLink("Expense policy", "", "") + `.</p><h2>Core hours</h2><p>Be reachable between 10:00 and 15:00 in your time zone.</p>`},
		{space: "TEAM", parent: "Policies", title: "Expense policy", author: 4, created: 370, modified: 5,
			labels: []string{"policy", "finance", "expenses"},
			body: `<p>Submit receipts within 30 days in the expenses tool. Meals while travelling are reimbursed up to the daily allowance.</p>` +
				`<table><tbody><tr><th><p>Category</p></th><th><p>Limit</p></th><th><p>Approval</p></th></tr>` +
				`<tr><td><p>Meals</p></td><td><p>60 EUR/day</p></td><td><p>none</p></td></tr>` +
				`<tr><td><p>Hotels</p></td><td><p>180 EUR/night</p></td><td><p>manager</p></td></tr>` +
				`<tr><td><p>Equipment</p></td><td><p>600 EUR</p></td><td><p>manager &amp; finance</p></td></tr></tbody></table>` +
				panel("note", "", `<p>Alcohol is not reimbursed.&nbsp;Tips up to 10% are.</p>`)},
		{space: "TEAM", parent: "Policies", title: "Travel policy", author: 4, created: 360, modified: 200,
			labels: []string{"policy", "travel"},
			body:   `<p>Book travel through the travel portal at least 14 days ahead. Economy class for flights under 6 hours.</p>`},
		{space: "TEAM", title: "Meeting notes", author: 0, created: 350, modified: 7, labels: []string{"meeting-notes"},
			body: `<ac:structured-macro ac:name="content-report-table" ac:schema-version="1"><ac:parameter ac:name="labels">meeting-notes</ac:parameter></ac:structured-macro>`},
		{space: "TEAM", parent: "Meeting notes", title: "{date} Weekly team sync", author: 0, created: 14, modified: 13,
			labels: []string{"meeting-notes", "weekly-sync"},
			body: `<h2>Attendees</h2><ul><li><p>` + mention("{u0}") + `</p></li><li><p>` + mention("{u1}") + `</p></li><li><p>` + mention("{u4}") + `</p></li></ul>` +
				`<h2>Notes</h2><ul><li><p>Hiring: two offers out for the platform team.</p></li><li><p>Office move confirmed for January.</p></li></ul>` +
				`<h2>Action items</h2>` + tasks("[x] "+mention("{u1}")+" share the hiring plan", mention("{u4}")+" book the movers")},
		{space: "TEAM", parent: "Meeting notes", title: "{date} Weekly team sync", author: 0, created: 7, modified: 6,
			labels: []string{"meeting-notes", "weekly-sync"},
			body: `<h2>Attendees</h2><ul><li><p>` + mention("{u0}") + `</p></li><li><p>` + mention("{u2}") + `</p></li></ul>` +
				`<h2>Notes</h2><p>Release 2.5.0 is on track. The expense tool migration slipped a week.</p>` +
				`<h2>Action items</h2>` + tasks(mention("{u2}")+" write the release announcement", mention("{u0}")+" follow up with finance")},
		{space: "TEAM", title: "New starter checklist", author: 4, created: 330, modified: 60, labels: []string{"onboarding", "hr"},
			body: tasks("[x] Sign the contract", "Set up payroll", "Meet your buddy", "Read the "+pageLink("Remote work policy", "", "")) +
				`<ac:structured-macro ac:name="expand" ac:schema-version="1"><ac:parameter ac:name="title">IT accounts</ac:parameter><ac:rich-text-body><p>Email, chat, Jira and Confluence are created on day one.</p></ac:rich-text-body></ac:structured-macro>`},
		{space: "TEAM", title: "Team directory", author: 0, created: 320, modified: 18, labels: []string{"people"},
			body: `<table><tbody><tr><th><p>Name</p></th><th><p>Role</p></th></tr>` +
				`<tr><td><p>` + mention("{u0}") + `</p></td><td><p>Head of Engineering</p></td></tr>` +
				`<tr><td><p>` + mention("{u1}") + `</p></td><td><p>Staff engineer, billing</p></td></tr>` +
				`<tr><td><p>` + mention("{u3}") + `</p></td><td><p>SRE lead</p></td></tr>` +
				`<tr><td><p>` + mention("{u4}") + `</p></td><td><p>People Ops</p></td></tr></tbody></table>`},
		// OPS
		{space: "OPS", title: "On-call policy", author: 3, created: 300, modified: 4,
			labels: []string{"policy", "oncall", "sre"},
			body: `<p>Engineers join the on-call rotation after their third month. Shifts are one week, handed over on Mondays at 10:00.</p>` +
				panel("warning", "Response times", `<p>Sev 1: acknowledge within 5 minutes. Sev 2: within 15 minutes. Escalate to the secondary after 15 minutes without acknowledgement.</p>`) +
				`<h2>Compensation</h2><p>Each on-call week earns one day off, claimed within two months.</p>` +
				`<h2>Escalation</h2><ol><li><p>Primary on call</p></li><li><p>Secondary on call</p></li><li><p>` + mention("{u3}") + ` (SRE lead)</p></li></ol>`},
		{space: "OPS", title: "Incident response", author: 3, created: 290, modified: 30, labels: []string{"incident", "process"},
			body: `<p>How we run incidents: declare, assign an incident commander, communicate, resolve, write a postmortem.</p>` +
				`<ac:structured-macro ac:name="children" ac:schema-version="2" />`},
		{space: "OPS", parent: "Incident response", title: "Severity levels", author: 3, created: 285, modified: 100, labels: []string{"incident", "process"},
			body: `<table><tbody><tr><th><p>Severity</p></th><th><p>Meaning</p></th></tr><tr><td><p>Sev 1</p></td><td><p>Customers cannot use the product</p></td></tr>` +
				`<tr><td><p>Sev 2</p></td><td><p>A major feature is degraded</p></td></tr><tr><td><p>Sev 3</p></td><td><p>Minor impact, workaround exists</p></td></tr></tbody></table>`},
		{space: "OPS", parent: "Incident response", title: "Incident postmortem: checkout outage", author: 6, created: 46, modified: 40,
			labels: []string{"postmortem", "incident", "checkout", "sev1"},
			body: panel("info", "Summary", `<p>On 2026-10-14 checkout failed for 47 minutes after a database failover left the payment service on a stale connection pool.</p>`) +
				`<h2>Timeline (UTC)</h2><table><tbody><tr><th><p>Time</p></th><th><p>Event</p></th></tr>` +
				`<tr><td><p>14:02</p></td><td><p>Failover of db-primary-1</p></td></tr><tr><td><p>14:05</p></td><td><p>Checkout error rate above 50%</p></td></tr>` +
				`<tr><td><p>14:49</p></td><td><p>Payment pods restarted, recovery</p></td></tr></tbody></table>` +
				`<h2>Root cause</h2><p>The payment gateway cached DNS for the database host and never reconnected.</p>` +
				codeMacro("java", "", "networkaddress.cache.ttl=60") +
				`<h2>Follow-ups</h2>` + tasks("[x] Lower the DNS cache TTL", "Add a failover drill to the "+pageLink("Database failover runbook", "ENG", ""), mention("{u6}")+" write the customer note") +
				`<p>Incident commander: ` + mention("{u6}") + `. Related: <ac:structured-macro ac:name="jira" ac:schema-version="1"><ac:parameter ac:name="key">OPS-7</ac:parameter></ac:structured-macro></p>`},
		{space: "OPS", title: "Operational runbooks", author: 3, created: 280, modified: 9, labels: []string{"runbook"},
			body: `<p>Runbooks for the services operations owns.</p>`},
		{space: "OPS", parent: "Operational runbooks", title: "Restarting the payment gateway", author: 6, created: 200, modified: 9,
			labels: []string{"runbook", "payments", "oncall"},
			body: panel("note", "", `<p>Restarting drops open checkout sessions; do it only when the error rate is above 5%.</p>`) +
				codeMacro("bash", "", "kubectl -n payments rollout restart deployment/payment-gateway\nkubectl -n payments rollout status deployment/payment-gateway")},
		{space: "OPS", parent: "Operational runbooks", title: "Disk space alerts", author: 3, created: 190, modified: 70,
			labels: []string{"runbook", "alerts"},
			body: `<p>When a node passes 85% disk use:</p>` + codeMacro("bash", "", "df -h\nsudo journalctl --vacuum-size=500M") +
				`<p>If it is a database volume, follow the ` + pageLink("Database failover runbook", "ENG", "failover runbook") + ` instead.</p>`},
		{space: "OPS", title: "Status page process", author: 6, created: 150, modified: 28, labels: []string{"incident", "communication"},
			body: `<p>Post the first status page update within 10 minutes of declaring a Sev 1 or Sev 2.</p><ac:structured-macro ac:name="roadmap-planner" ac:schema-version="1" />`},
		// personal space
		{space: "~", title: "Notes to self", author: 0, created: 20, modified: 1, labels: []string{"draft-ideas"},
			body: `<p>Ideas: try the new search tuning on staging; ask ` + mention("{u3}") + ` about the failover drill.</p>`},
		// Added last so the ids above stay stable: a folder (direct-children
		// lists every hierarchical type; clients must filter on type).
		{space: "ENG", title: "Archive", typ: "folder", author: 2, created: 120, modified: 120},
		{space: "ENG", parent: "Archive", title: "Legacy deploy process", author: 7, created: 380, modified: 365,
			labels: []string{"archived", "deploy"},
			body:   panel("note", "", `<p>Superseded by `+pageLink("Deploying to production", "", "")+`.</p>`) + `<p>We used to deploy with Capistrano from a bastion host.</p>`},
	}
}

// generateConfluence fills a generated large site's Confluence data: spec.Spaces
// spaces (keys S001...) with spec.Pages pages spread over them, in trees of
// depth up to four, with labels and storage bodies using common macros.
func (s *Server) generateConfluence(spec SiteSpec) {
	seed := spec.Seed
	if seed == 0 {
		seed = 1
	}
	rng := rand.New(rand.NewSource(seed))
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	day := s.now().UTC().Truncate(24 * time.Hour)
	nSpaces := spec.Spaces
	if nSpaces <= 0 && spec.Pages > 0 {
		nSpaces = 1
	}
	words := []string{"deploy", "database", "policy", "runbook", "release", "incident", "billing", "search", "latency",
		"onboarding", "security", "backup", "migration", "quarterly", "planning", "customer", "roadmap", "retro", "design", "api"}
	labels := []string{"runbook", "policy", "adr", "meeting-notes", "release-notes", "howto", "draft", "archive", "team", "ops"}
	areas := []string{"Platform", "Payments", "Mobile", "Data", "Growth", "Security", "Support", "Infra", "Web", "Analytics"}
	var homes []*cPage
	for i := 0; i < nSpaces; i++ {
		key := fmt.Sprintf("S%03d", i+1)
		name := fmt.Sprintf("%s %d", areas[i%len(areas)], i+1)
		sp := c.addSpace(&cSpace{Key: key, Name: name, Type: "global", Description: "Space of the " + name + " team.",
			AuthorID: s.users[i%12].AccountID, CreatedAt: day.AddDate(0, 0, -500+i%100)})
		home := c.addPage(&cPage{Title: name + " Home", SpaceID: sp.ID, AuthorID: sp.AuthorID, CreatedAt: sp.CreatedAt,
			Body: "<p>Home of the " + name + " space.</p>"})
		sp.HomepageID = home.ID
		homes = append(homes, home)
	}
	perSpace := map[string][]*cPage{}
	for i := 0; i < spec.Pages && len(homes) > 0; i++ {
		home := homes[i%len(homes)]
		parent := home
		if kids := perSpace[home.SpaceID]; len(kids) > 0 && rng.Intn(3) > 0 {
			parent = kids[rng.Intn(len(kids))]
			if len(c.ancestors(parent)) >= 4 {
				parent = home
			}
		}
		w1, w2, w3 := words[rng.Intn(len(words))], words[rng.Intn(len(words))], words[rng.Intn(len(words))]
		title := fmt.Sprintf("%s %s notes %d", strings.ToUpper(w1[:1])+w1[1:], w2, i+1)
		author := s.users[rng.Intn(12)].AccountID
		created := day.AddDate(0, 0, -rng.Intn(400)).Add(time.Duration(rng.Intn(24*60)) * time.Minute)
		modified := created.Add(time.Duration(rng.Intn(24*60*30)) * time.Minute)
		if modified.After(s.now()) {
			modified = created
		}
		body := "<h2>" + strings.ToUpper(w2[:1]) + w2[1:] + "</h2><p>This page covers " + w1 + " and " + w2 + " for the " + w3 +
			" work. Owner: " + mention(author) + ".</p>"
		switch rng.Intn(4) {
		case 0:
			body += codeMacro("bash", "", "make "+w1+" && ./run --"+w3)
		case 1:
			body += panel("info", "", "<p>Review "+w3+" every quarter.</p>")
		case 2:
			body += tasks("Check "+w1, "[x] Update "+w2)
		default:
			body += "<table><tbody><tr><th><p>Item</p></th><th><p>Value</p></th></tr><tr><td><p>" + w1 + "</p></td><td><p>" + w3 + "</p></td></tr></tbody></table>"
		}
		ls := []cLabel{{Prefix: "global", Name: labels[rng.Intn(len(labels))]}}
		if l2 := labels[rng.Intn(len(labels))]; l2 != ls[0].Name {
			ls = append(ls, cLabel{Prefix: "global", Name: l2})
		}
		p := c.addPage(&cPage{Title: title, SpaceID: home.SpaceID, ParentID: parent.ID, AuthorID: author,
			CreatedAt: created, VersionAt: modified, Body: body, Labels: ls})
		perSpace[home.SpaceID] = append(perSpace[home.SpaceID], p)
	}
}
