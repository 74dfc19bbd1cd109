package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestSites: WithSites(2) makes one grant cover the demo site and a small
// lab site; each cloud id reaches its own site's data, the consent page
// names both, and a cloud id of neither is an unknown site.
func TestSites(t *testing.T) {
	srv := NewServer(WithSites(2))
	t.Cleanup(srv.Close)
	sites := srv.Sites()
	if len(sites) != 2 || sites[0] != srv {
		t.Fatalf("Sites() = %d sites, the first not the server", len(sites))
	}
	lab := sites[1]
	if lab.CloudID == srv.CloudID || lab.SiteName != "acme-lab" || lab.SiteURL != "https://acme-lab.atlassian.net" || lab.URL != srv.URL {
		t.Fatalf("lab site %q %q %q at %q", lab.CloudID, lab.SiteName, lab.SiteURL, lab.URL)
	}
	tok := srv.IssueToken().AccessToken

	h := do(t, "GET", srv.URL+"/oauth/token/accessible-resources", tok, "", "")
	var res []struct{ ID, Name, URL string }
	if err := json.Unmarshal([]byte(h.Body), &res); err != nil || h.Status != 200 {
		t.Fatalf("accessible-resources %d: %s", h.Status, h.Body)
	}
	got := map[string]int{}
	for _, r := range res {
		got[r.ID+" "+r.Name+" "+r.URL]++
	}
	for _, s := range sites {
		if got[s.CloudID+" "+s.SiteName+" "+s.SiteURL] != 2 {
			t.Errorf("accessible-resources lacks %s's Jira and Confluence entries: %s", s.SiteName, h.Body)
		}
	}

	projects := func(site *Server) string {
		h := do(t, "GET", site.JiraBaseURL()+"/rest/api/3/project/search", tok, "", "")
		if h.Status != 200 {
			t.Fatalf("%s project search %d: %s", site.SiteName, h.Status, h.Body)
		}
		var body struct{ Values []struct{ Key string } }
		_ = json.Unmarshal([]byte(h.Body), &body)
		var keys []string
		for _, v := range body.Values {
			keys = append(keys, v.Key)
		}
		return strings.Join(keys, ",")
	}
	spaces := func(site *Server) string {
		h := do(t, "GET", site.ConfluenceBaseURL()+"/wiki/api/v2/spaces", tok, "", "")
		if h.Status != 200 {
			t.Fatalf("%s spaces %d: %s", site.SiteName, h.Status, h.Body)
		}
		var body struct{ Results []struct{ Key string } }
		_ = json.Unmarshal([]byte(h.Body), &body)
		var keys []string
		for _, v := range body.Results {
			keys = append(keys, v.Key)
		}
		return strings.Join(keys, ",")
	}
	if p := projects(srv); !strings.Contains(p, "ENG") || strings.Contains(p, "LAB") {
		t.Errorf("the demo site's projects: %s", p)
	}
	if p := projects(lab); p != "LAB" {
		t.Errorf("the lab site's projects: %s, want LAB", p)
	}
	if s := spaces(lab); s != "LAB" {
		t.Errorf("the lab site's spaces: %s, want LAB", s)
	}
	h = do(t, "POST", lab.JiraBaseURL()+"/rest/api/3/search/jql", tok, "application/json", `{"jql":"project = LAB","fields":["summary"]}`)
	if h.Status != 200 || !strings.Contains(h.Body, "LAB-1") || strings.Contains(h.Body, "ENG-") {
		t.Errorf("search on the lab site %d: %s", h.Status, h.Body)
	}
	// Changes reach one site only.
	if err := lab.AddJiraProject("LABX", "Lab extra"); err != nil {
		t.Fatal(err)
	}
	if p := projects(srv); strings.Contains(p, "LABX") {
		t.Errorf("a project added to the lab site shows on the demo site: %s", p)
	}
	// The first site's request log and faults see the lab site's calls.
	srv.InjectFault(Fault{Path: "/rest/api/3/project/search", Status: 503, Times: 1})
	if h := do(t, "GET", lab.JiraBaseURL()+"/rest/api/3/project/search", tok, "", ""); h.Status != 503 {
		t.Errorf("a fault on the server did not reach the lab site's call: %d", h.Status)
	}
	if reqs := srv.Requests(); !strings.Contains(reqs[len(reqs)-1].Path, lab.CloudID) {
		t.Errorf("the request log's last entry is %s", reqs[len(reqs)-1].Path)
	}
	// The server's rate limits are set on every site, each with its own
	// buckets.
	srv.SetRateLimits(RateLimits{GET: 1})
	for _, site := range sites {
		first, second := do(t, "GET", site.JiraBaseURL()+"/rest/api/3/project/search", tok, "", ""), do(t, "GET", site.JiraBaseURL()+"/rest/api/3/project/search", tok, "", "")
		if first.Status != 200 || second.Status != 429 {
			t.Errorf("%s at 1 GET/s: %d then %d, want 200 then 429", site.SiteName, first.Status, second.Status)
		}
	}
	srv.DisableRateLimits()
	// A cloud id of neither site, and a lab site call without a token.
	wantJSONError(t, do(t, "GET", srv.URL+"/ex/jira/0badc0de-0000-4000-8000-000000000000/rest/api/3/project/search", tok, "", ""),
		404, "errorMessage", "Site temporarily unavailable")
	wantJSONError(t, do(t, "GET", lab.JiraBaseURL()+"/rest/api/3/project/search", "", "", ""), 401, "message", "Unauthorized")

	page := do(t, "GET", srv.AuthorizeURL("http://localhost:8765/callback", "s1"), "", "", "")
	if !strings.Contains(page.Body, "acme-demo.atlassian.net") || !strings.Contains(page.Body, "acme-lab.atlassian.net") {
		t.Errorf("the consent page does not name both sites:\n%s", page.Body)
	}
}

// TestSitesBounds: one site by default, at most MaxSites, and each lab
// site has its own names.
func TestSitesBounds(t *testing.T) {
	if n := len(coreServer(t).Sites()); n != 1 {
		t.Fatalf("the default server has %d sites", n)
	}
	for _, n := range []int{0, -1, MaxSites + 1} {
		if srv, err := Start(WithSites(n)); err == nil {
			srv.Close()
			t.Errorf("WithSites(%d) was accepted", n)
		}
	}
	srv := coreServer(t, WithSites(MaxSites))
	seen := map[string]bool{}
	for _, s := range srv.Sites() {
		for _, v := range []string{s.CloudID, s.SiteName, s.SiteURL} {
			if seen[v] {
				t.Errorf("two sites share %q", v)
			}
			seen[v] = true
		}
	}
	if last := srv.Sites()[MaxSites-1]; last.SiteName != fmt.Sprintf("acme-lab-%d", MaxSites) {
		t.Errorf("the last site is %q", last.SiteName)
	}
}
