package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Several sites behind one gateway (WithSites). At Atlassian an app's grant
// can cover several sites; accessible-resources lists each, and the gateway
// routes /ex/{product}/{cloudId}/... to the site of that cloud id. The
// sandbox's first site is the demo site; each other one is a small "lab"
// site, a Server of its own (its users, limits and product state) that
// shares the first one's authorization server, so a token of the grant
// works on every site. The first site's gateway hands a request for another
// site's cloud id to that site's routes, after its own request log and
// faults.

// Sites returns the sites the grant covers: s itself first, then the lab
// sites of WithSites. Each one's CloudID, SiteName, SiteURL and product
// methods (AddJiraProject, ConfluenceSpaces, ...) are its own; its URL is
// s's. Faults, the request log and the OAuth app are s's: use them on s;
// s.SetRateLimits and s.DisableRateLimits reach every site.
func (s *Server) Sites() []*Server {
	return append([]*Server{s}, s.sites...)
}

// newLabSite builds the n-th site (n >= 2): "acme-lab" (then
// "acme-lab-3", ...), with the users of every site, the server's products,
// and one Jira project and one Confluence space, both keyed LAB (LAB3, ...);
// no data under WithEmptySite, the same small data under WithGeneratedSite.
func (s *Server) newLabSite(n int) *Server {
	name, key, title := "acme-lab", "LAB", "Research Lab"
	if n > 2 {
		name, key, title = name+"-"+strconv.Itoa(n), key+strconv.Itoa(n), title+" "+strconv.Itoa(n)
	}
	l := &Server{
		CloudID:      fmt.Sprintf("b7c1d9e3-5a2f-4e8b-9c6d-0a1b2c3d4e%02d", n),
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		SiteName:     name,
		SiteURL:      "https://" + name + ".atlassian.net",
		cfg:          s.cfg,
		mux:          http.NewServeMux(),
		auth:         s.auth,
	}
	l.limits.init(l.cfg)
	l.seedUsers()
	if l.hasProduct(Jira) && !l.cfg.empty {
		l.seedLabJira(key, title)
	}
	if l.hasProduct(Confluence) && !l.cfg.empty {
		l.seedLabConfluence(key, title)
	}
	l.register()
	return l
}

// seedLabJira gives a lab site the Jira configuration every site has
// (statuses, issue types, priorities, link types), a custom field of its
// own (Hypothesis) and one project, key, with a few issues on the basic
// workflow.
func (s *Server) seedLabJira(key, name string) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	j.seedJiraConfig()
	j.addField(&jField{ID: "customfield_12000", Name: "Hypothesis", Custom: true, Kind: fkTextField, SchemaType: "string",
		CustomType: "com.atlassian.jira.plugin.system.customfieldtypes:textfield"})
	p := &jProject{ID: j.newID(), Key: key, Name: name, Description: name + ": experiments and prototypes.",
		Lead: s.users[0].AccountID, TypeKey: "software", Style: "classic", Category: "Research",
		IssueTypes: []*jIssueType{j.issueType(issueTypeTask), j.issueType(issueTypeBug)}, Priorities: j.priorities}
	j.addProject(p)
	basic := j.basicWorkflow()
	for _, t := range p.IssueTypes {
		p.workflows[t.ID] = basic
		p.screens[t.ID] = []string{"summary", "issuetype", "project", "description", "priority", "assignee", "reporter", "labels", "duedate", "customfield_12000"}
	}
	g := &jSeeder{j: j, users: jActiveUsers(s.users), base: s.now().UTC().Truncate(24 * time.Hour), rng: rand.New(rand.NewPCG(2026, 12))}
	u := g.user
	g.add(jIssueSpec{project: key, issueType: "Task", summary: "Benchmark the vector index prototype", status: "In Progress",
		assignee: u(5), reporter: u(0), labels: []string{"prototype"}, createdDaysAgo: 6,
		custom: map[string]any{"customfield_12000": "An HNSW index keeps recall above 0.9 at a third of the latency"},
		desc:   jAdfDoc(jAdfPara(jAdfTextRun("Compare recall and latency against the current search.")))})
	g.add(jIssueSpec{project: key, issueType: "Task", summary: "Write up the caching experiment", status: "Done",
		assignee: u(2), reporter: u(0), labels: []string{"write-up"}, createdDaysAgo: 14})
	g.add(jIssueSpec{project: key, issueType: "Bug", summary: "Prototype crashes on empty input", priority: "High",
		assignee: u(5), reporter: u(2), createdDaysAgo: 2})
	for _, is := range j.issues {
		j.refreshView(is)
	}
}

// seedLabConfluence gives a lab site one space, key, with a homepage and
// one page under it.
func (s *Server) seedLabConfluence(key, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	created := s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -30)
	author := s.users[0].AccountID
	sp := c.addSpace(&cSpace{Key: key, Name: name, Type: "global", Description: "Notes of the " + name + ".",
		AuthorID: author, CreatedAt: created})
	home := c.addPage(&cPage{Title: name + " Home", SpaceID: sp.ID, AuthorID: author, CreatedAt: created,
		Body: "<p>Home of the " + name + ": what we are trying, and what we learnt.</p>"})
	sp.HomepageID = home.ID
	c.addPage(&cPage{Title: "Experiment log", SpaceID: sp.ID, ParentID: home.ID, AuthorID: author, CreatedAt: created.AddDate(0, 0, 3),
		Body:   "<h2>Vector index</h2><p>Recall 0.93 at 12 ms p95 on the sample set.</p>",
		Labels: []cLabel{{Prefix: "global", Name: "experiment"}}})
}

// siteFor returns the lab site a gateway path (/ex/{product}/{cloudId}/...)
// is for, or nil for the first site's paths and every other path.
func (s *Server) siteFor(path string) *Server {
	if len(s.sites) == 0 {
		return nil
	}
	rest, ok := strings.CutPrefix(path, "/ex/")
	if !ok {
		return nil
	}
	_, rest, _ = strings.Cut(rest, "/")
	id, _, _ := strings.Cut(rest, "/")
	for _, site := range s.sites {
		if site.CloudID == id {
			return site
		}
	}
	return nil
}
