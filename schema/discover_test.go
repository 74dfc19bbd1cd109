package schema

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

// sandboxDiscoverer returns a discoverer over a fresh sandbox site.
func sandboxDiscoverer(t testing.TB, opts ...sandbox.Option) (*Discoverer, *sandbox.Server) {
	t.Helper()
	srv := sandbox.NewServer(opts...)
	t.Cleanup(srv.Close)
	hc := srv.HTTPClient()
	// Retries keep their count but not their seconds-long waits.
	fast := atlassian.WithRetryPolicy(atlassian.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond})
	jira, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(srv.URL, srv.CloudID), hc, fast)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(srv.URL, srv.CloudID), hc, fast)
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	d := &Discoverer{
		Jira: jira, Confluence: conf, CloudID: srv.CloudID,
		Site: func(ctx context.Context) (*atlassian.Resource, error) {
			rs, err := atlassian.AccessibleResources(ctx, hc, srv.URL, fast)
			if err != nil {
				return nil, err
			}
			return &rs[0], nil
		},
		Products: []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence},
		Now:      func() time.Time { return fixed },
	}
	return d, srv
}

func TestDiscoverDemoSite(t *testing.T) {
	// The demo data is dated relative to the sandbox's clock; a fixed one
	// keeps the golden the same whatever day the test runs.
	d, _ := sandboxDiscoverer(t, sandbox.WithClock(func() time.Time { return time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC) }))
	s, err := d.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 0 {
		t.Fatalf("discovery of the demo site failed in part: %+v", s.Failures)
	}
	s.CloudID = "(cloud id)" // random per sandbox
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "demo-snapshot.json"), append(got, '\n'))

	// The lookups the tool layer relies on work on a discovered snapshot.
	eng, err := s.Project("eng")
	if err != nil {
		t.Fatal(err)
	}
	bug, err := eng.IssueType("bug")
	if err != nil {
		t.Fatal(err)
	}
	if len(bug.Statuses) == 0 || len(bug.Fields) == 0 {
		t.Errorf("ENG Bug has %d statuses and %d create fields", len(bug.Statuses), len(bug.Fields))
	}
	if _, err := s.Field("Story Points"); err != nil {
		t.Error(err)
	}
	if _, err := s.Space("TEAM"); err != nil {
		t.Error(err)
	}
}

func TestDiscoverDegradesPerPart(t *testing.T) {
	d, srv := sandboxDiscoverer(t)
	srv.InjectFault(sandbox.Fault{Method: "GET", Path: "/rest/api/3/project/OPS/statuses", Status: 403})
	srv.InjectFault(sandbox.Fault{Method: "GET", Path: "/wiki/api/v2/spaces", Status: 500})
	s, err := d.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, f := range s.Failures {
		scopes = append(scopes, f.Scope)
	}
	if got := strings.Join(scopes, "; "); got != "confluence: spaces; jira: project OPS: statuses" {
		t.Fatalf("failures: %s", got)
	}
	if p, err := s.Project("ENG"); err != nil || len(p.IssueTypes) == 0 {
		t.Errorf("ENG was not discovered beside the failing OPS: %v", err)
	}
}

func TestDiscoverEmptySite(t *testing.T) {
	d, _ := sandboxDiscoverer(t, sandbox.WithEmptySite())
	s, err := d.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 0 || s.Jira == nil || len(s.Jira.Projects) != 0 {
		t.Fatalf("empty site: %+v failures %+v", s.Jira, s.Failures)
	}
}

func TestCreateFieldsOnDemand(t *testing.T) {
	d, srv := sandboxDiscoverer(t)
	d.FieldProjects = 1 // only the first project's fields up front
	st := NewStore(nil, "default")
	s, err := st.Refresh(context.Background(), d.Discover)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := s.Project("OPS")
	if err != nil {
		t.Fatal(err)
	}
	incident, err := ops.IssueType("Incident")
	if err != nil {
		t.Fatal(err)
	}
	if incident.Fields != nil {
		t.Fatal("OPS fields were discovered up front although FieldProjects is 1")
	}
	count := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if strings.Contains(r.Path, "/createmeta/OPS/") {
				n++
			}
		}
		return n
	}
	before := count()
	for range 3 {
		fields, err := st.CreateFields(context.Background(), ops, incident, d.CreateFields)
		if err != nil {
			t.Fatal(err)
		}
		if len(fields) == 0 {
			t.Fatal("no create fields for OPS Incident")
		}
	}
	if n := count() - before; n != 1 {
		t.Errorf("%d create-meta requests for three lookups, want 1 (remembered)", n)
	}
}

func TestDiscoverUnreachableSiteIsAnError(t *testing.T) {
	d, srv := sandboxDiscoverer(t)
	st := NewStore(nil, "default")
	good, err := st.Refresh(context.Background(), d.Discover)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := st.Refresh(context.Background(), d.Discover); err == nil || !strings.Contains(err.Error(), "read nothing from the site") {
		t.Fatalf("refresh of an unreachable site: %v", err)
	}
	if st.Current() != good {
		t.Error("a failed refresh replaced the good snapshot")
	}
}

func TestDiscoverSaysWhenThereAreMoreSpaces(t *testing.T) {
	d, srv := sandboxDiscoverer(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 3, Spaces: 600, Pages: 600, Seed: 3}))
	s, err := d.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Confluence.Spaces) != DefaultMaxSpaces || !s.Confluence.MoreSpaces {
		t.Fatalf("%d spaces kept, more=%v; want %d and more", len(s.Confluence.Spaces), s.Confluence.MoreSpaces, DefaultMaxSpaces)
	}
	pages := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/wiki/api/v2/spaces") {
			pages++
		}
	}
	if pages > 2 {
		t.Errorf("%d space list requests for a 600-space site; discovery should stop after the 251st space", pages)
	}
}
