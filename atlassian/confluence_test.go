package atlassian_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// findPage returns the id of the page titled title via CQL.
func findPage(t *testing.T, c *atlassian.ConfluenceClient, title string) string {
	t.Helper()
	res, err := c.Search.CQL(context.Background(), &atlassian.CQLOptions{CQL: `type = page AND title = "` + title + `"`, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Results {
		if r.Content != nil && r.Content.Title == title {
			return r.Content.ID
		}
	}
	t.Fatalf("no page titled %q: %+v", title, res.Results)
	return ""
}

func TestConfluenceSearch(t *testing.T) {
	srv := newSandbox(t)
	c := confClient(t, srv)
	ctx := context.Background()
	const cql = "type = page AND space = ENG ORDER BY title"

	first, err := c.Search.CQL(ctx, &atlassian.CQLOptions{CQL: cql, Limit: 3, Expand: []string{"content.space"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Results) != 3 || first.NextCursor == "" || first.TotalSize <= 3 {
		t.Fatalf("first page: %d results, cursor %q, total %d", len(first.Results), first.NextCursor, first.TotalSize)
	}
	if first.Results[0].Content == nil || first.Results[0].Content.ID == "" || first.Results[0].Content.Type != "page" {
		t.Errorf("first hit = %+v", first.Results[0])
	}
	// v1 next links lack /wiki; the client must still call /wiki/rest/api/search.
	if !strings.HasPrefix(first.Links.Next, "/rest/api/search?") {
		t.Errorf("the sandbox's v1 next link %q no longer lacks /wiki; this test would not cover that case", first.Links.Next)
	}

	srv.ResetRequests()
	var titles []string
	for r, err := range c.Search.All(ctx, &atlassian.CQLOptions{CQL: cql, Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		titles = append(titles, r.Content.Title)
	}
	if len(titles) != first.TotalSize {
		t.Errorf("iterated %d hits, totalSize %d", len(titles), first.TotalSize)
	}
	if !slices.IsSorted(titles) {
		t.Errorf("order lost across pages: %v", titles)
	}
	reqs := requestsTo(srv, "GET", "/wiki/rest/api/search")
	if want := (first.TotalSize + 2) / 3; len(reqs) != want {
		t.Errorf("%d requests for %d hits in pages of 3, want %d", len(reqs), first.TotalSize, want)
	}
	for i, r := range reqs {
		if strings.Contains(r.Path, "/wiki/wiki") {
			t.Errorf("request %d doubled /wiki: %s", i, r.Path)
		}
		q, _ := url.ParseQuery(r.Query)
		if (q.Get("cursor") != "") != (i > 0) || q.Get("cql") != cql {
			t.Errorf("request %d query %q", i, r.Query)
		}
	}

	t.Run("bad CQL keeps Confluence's message", func(t *testing.T) {
		_, err := c.Search.CQL(ctx, &atlassian.CQLOptions{CQL: "type = page AND AND"})
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || len(ae.Messages()) == 0 {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("scope mismatch", func(t *testing.T) {
		hc, _ := authClient(t, srv, "read:page:confluence")
		cc, err := atlassian.NewConfluenceClient(c.BaseURL(), hc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cc.Search.CQL(ctx, &atlassian.CQLOptions{CQL: "type = page"}); !errors.Is(err, atlassian.ErrScopeMismatch) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConfluencePages(t *testing.T) {
	srv := newSandbox(t)
	c := confClient(t, srv)
	ctx := context.Background()
	runbooks := findPage(t, c, "Runbooks")
	failover := findPage(t, c, "Database failover runbook")

	t.Run("get with storage body and labels", func(t *testing.T) {
		p, err := c.Pages.Get(ctx, runbooks, &atlassian.PageGetOptions{BodyFormat: "storage", IncludeLabels: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Title != "Runbooks" || p.SpaceID == "" || p.Version == nil || p.Version.Number < 1 || p.Links.WebUI == "" {
			t.Errorf("page = %+v", p)
		}
		if p.Body == nil || p.Body.Storage == nil || p.Body.Storage.Representation != "storage" || !strings.Contains(p.Body.Storage.Value, "<") {
			t.Errorf("storage body = %+v", p.Body)
		}
		if p.Labels == nil || !slices.ContainsFunc(p.Labels.Results, func(l atlassian.Label) bool { return l.Name == "runbook" }) {
			t.Errorf("labels = %+v", p.Labels)
		}
		bare, err := c.Pages.Get(ctx, runbooks, nil)
		if err != nil || bare.Body != nil && bare.Body.Storage != nil {
			t.Errorf("without body-format the body should be absent: %+v, %v", bare.Body, err)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := c.Pages.Get(ctx, "999999999", nil)
		var ae *atlassian.APIError
		if !errors.Is(err, atlassian.ErrNotFound) || !errors.As(err, &ae) || len(ae.ConfluenceErrors) == 0 {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("get many keeps order and drops unknown ids", func(t *testing.T) {
		ids := []string{failover, "999999999", runbooks}
		ps, err := c.Pages.GetMany(ctx, ids, "storage")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 2 || ps[0].ID != failover || ps[1].ID != runbooks || ps[0].Body == nil || ps[0].Body.Storage == nil {
			t.Errorf("pages = %+v", ps)
		}
	})
	t.Run("ancestors root first", func(t *testing.T) {
		as, err := c.Pages.Ancestors(ctx, failover)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) < 2 || as[len(as)-1].ID != runbooks {
			t.Errorf("ancestors of the failover runbook = %+v, want ... Runbooks(%s)", as, runbooks)
		}
	})
	t.Run("direct children across cursor pages", func(t *testing.T) {
		srv.ResetRequests()
		kids, err := c.Pages.DirectChildren(ctx, runbooks, &atlassian.ChildrenOptions{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, k := range kids {
			titles = append(titles, k.Title)
		}
		if !slices.Contains(titles, "Database failover runbook") || len(kids) < 3 {
			t.Errorf("children = %v", titles)
		}
		if n := len(requestsTo(srv, "GET", "/direct-children")); n != len(kids) {
			t.Errorf("%d requests for %d children one per page", n, len(kids))
		}
		srv.ResetRequests()
		two, err := c.Pages.DirectChildren(ctx, runbooks, &atlassian.ChildrenOptions{Limit: 1, Max: 2})
		if err != nil || len(two) != 2 || len(srv.Requests()) != 2 {
			t.Errorf("Max 2: %d children in %d requests, %v", len(two), len(srv.Requests()), err)
		}
	})
	t.Run("labels", func(t *testing.T) {
		ls, err := c.Pages.Labels(ctx, runbooks)
		if err != nil || !slices.ContainsFunc(ls, func(l atlassian.Label) bool { return l.Name == "runbook" }) {
			t.Errorf("labels = %+v, %v", ls, err)
		}
	})
}

func TestConfluenceCreatePageAndLabels(t *testing.T) {
	srv := newSandbox(t)
	c := confClient(t, srv)
	ctx := context.Background()

	spaces, err := c.Spaces.ByKeys(ctx, []string{"ENG", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	if len(spaces) != 1 || spaces[0].Key != "ENG" || spaces[0].ID == "" || spaces[0].HomepageID == "" {
		t.Fatalf("spaces = %+v", spaces)
	}
	parent := findPage(t, c, "Runbooks")
	p, err := c.Pages.Create(ctx, &atlassian.PageCreateRequest{
		SpaceID: spaces[0].ID, Title: "Client test page", ParentID: parent,
		Body: atlassian.Body{Representation: "storage", Value: "<p>Hello <strong>storage</strong></p>"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.Title != "Client test page" || p.ParentID != parent || p.Status != "current" {
		t.Errorf("created = %+v", p)
	}
	got, err := c.Pages.Get(ctx, p.ID, &atlassian.PageGetOptions{BodyFormat: "storage"})
	if err != nil || !strings.Contains(got.Body.Storage.Value, "<strong>storage</strong>") {
		t.Fatalf("read back = %+v, %v", got, err)
	}

	labels, err := c.Labels.Add(ctx, p.ID, []atlassian.LabelCreate{{Name: "client-test"}, {Prefix: "global", Name: "Docs"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range labels {
		names = append(names, l.Name)
	}
	slices.Sort(names)
	if strings.Join(names, ",") != "client-test,docs" {
		t.Errorf("labels = %v", names)
	}
	req := requestsTo(srv, "POST", "/wiki/rest/api/content/"+p.ID+"/label")
	if len(req) != 1 || req[0].Body != `[{"prefix":"global","name":"client-test"},{"prefix":"global","name":"Docs"}]` {
		t.Errorf("label request = %+v", req)
	}

	t.Run("local refusals", func(t *testing.T) {
		srv.ResetRequests()
		if _, err := c.Labels.Add(ctx, p.ID, []atlassian.LabelCreate{{Name: "two words"}}); !errors.Is(err, atlassian.ErrInvalidID) {
			t.Errorf("label with a space: %v", err)
		}
		if _, err := c.Pages.Create(ctx, &atlassian.PageCreateRequest{SpaceID: spaces[0].ID, Title: "x", Body: atlassian.Body{Value: "# markdown"}}, nil); err == nil {
			t.Error("body without representation accepted")
		}
		if _, err := c.Pages.Create(ctx, &atlassian.PageCreateRequest{SpaceID: "ENG", Title: "x", Body: atlassian.Body{Representation: "storage", Value: "<p/>"}}, nil); !errors.Is(err, atlassian.ErrInvalidID) {
			t.Error("space key passed as space id accepted")
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests sent for refused input", n)
		}
	})
	t.Run("create error keeps Confluence's message", func(t *testing.T) {
		_, err := c.Pages.Create(ctx, &atlassian.PageCreateRequest{SpaceID: "999999", Title: "x", Body: atlassian.Body{Representation: "storage", Value: "<p>x</p>"}}, nil)
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode < 400 || len(ae.Messages()) == 0 {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("label on a missing page keeps the v1 message", func(t *testing.T) {
		_, err := c.Labels.Add(ctx, "999999999", []atlassian.LabelCreate{{Name: "x"}})
		var ae *atlassian.APIError
		if !errors.Is(err, atlassian.ErrNotFound) || !errors.As(err, &ae) || !strings.Contains(ae.Message, "No content found") {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("spaces across cursor pages", func(t *testing.T) {
		srv.ResetRequests()
		all, err := c.Spaces.List(ctx, &atlassian.SpaceListOptions{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 2 || len(requestsTo(srv, "GET", "/wiki/api/v2/spaces")) != len(all) {
			t.Errorf("%d spaces in %d requests", len(all), len(requestsTo(srv, "GET", "/wiki/api/v2/spaces")))
		}
		srv.ResetRequests()
		one, err := c.Spaces.List(ctx, &atlassian.SpaceListOptions{Limit: 1, Max: 1})
		if err != nil || len(one) != 1 || len(srv.Requests()) != 1 {
			t.Errorf("Max 1: %d spaces in %d requests, %v", len(one), len(srv.Requests()), err)
		}
	})
}

// TestConfluenceBulkOnLargeSite checks the 250-id chunking of GetMany and
// ByKeys and CQL paging to the end on a generated site.
func TestConfluenceBulkOnLargeSite(t *testing.T) {
	srv := newSandbox(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 1, Issues: 1, Spaces: 270, Pages: 600, Seed: 3}),
		sandbox.WithoutRateLimits())
	c := confClient(t, srv)
	ctx := context.Background()

	spaces, err := c.Spaces.List(ctx, &atlassian.SpaceListOptions{Limit: 250})
	if err != nil {
		t.Fatal(err)
	}
	if len(spaces) < 270 {
		t.Fatalf("%d spaces", len(spaces))
	}
	var spaceKeys []string
	for _, s := range spaces {
		spaceKeys = append(spaceKeys, s.Key)
	}
	srv.ResetRequests()
	byKey, err := c.Spaces.ByKeys(ctx, spaceKeys)
	if err != nil || len(byKey) != len(spaceKeys) {
		t.Fatalf("ByKeys: %d of %d, %v", len(byKey), len(spaceKeys), err)
	}
	if n := len(srv.Requests()); n != (len(spaceKeys)+249)/250 {
		t.Errorf("%d requests for %d keys", n, len(spaceKeys))
	}

	var ids []string
	for r, err := range c.Search.All(ctx, &atlassian.CQLOptions{CQL: "type = page", Limit: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Content.ID)
	}
	if len(ids) < 600 {
		t.Fatalf("CQL paging found %d pages", len(ids))
	}
	want := ids[:300]
	slices.Reverse(want)
	srv.ResetRequests()
	pages, err := c.Pages.GetMany(ctx, want, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 300 || len(srv.Requests()) != 2 {
		t.Fatalf("%d pages in %d requests", len(pages), len(srv.Requests()))
	}
	for i := range pages {
		if pages[i].ID != want[i] {
			t.Fatalf("page %d is %s, want %s: order lost", i, pages[i].ID, want[i])
		}
	}
}

// TestAncestorsBeyondOnePage follows Atlassian's advice for more than 250
// ancestors (ask again for the topmost one returned), using faults as the
// deep page tree.
func TestAncestorsBeyondOnePage(t *testing.T) {
	srv := newSandbox(t)
	c := confClient(t, srv)
	ctx := context.Background()
	page := func(ids ...int) string {
		var b strings.Builder
		b.WriteString(`{"results":[`)
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"` + strconv.Itoa(id) + `","type":"page"}`)
		}
		b.WriteString(`],"_links":{}}`)
		return b.String()
	}
	var deep []int
	for id := 2; id < 252; id++ {
		deep = append(deep, id)
	}
	srv.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/pages/9000/ancestors", Times: 1, Status: 200, Body: page(deep...)})
	srv.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/pages/2/ancestors", Times: 1, Status: 200, Body: page(1)})
	as, err := c.Pages.Ancestors(ctx, "9000")
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 251 || as[0].ID != "1" || as[1].ID != "2" || as[250].ID != "251" {
		t.Errorf("chain of %d: first %v last %v", len(as), as[0], as[len(as)-1])
	}

	srv.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/pages/9000/ancestors", Times: 1, Status: 200, Body: page(deep...)})
	loop := append([]int{9000}, deep[1:]...)
	srv.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/pages/2/ancestors", Times: 1, Status: 200, Body: page(loop...)})
	if _, err := c.Pages.Ancestors(ctx, "9000"); err == nil || !strings.Contains(err.Error(), "loops") {
		t.Errorf("looping chain: %v", err)
	}
}
