package sandbox

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// searchKeys runs a POST search and returns the issue keys of one page and
// the response.
func (c *jClient) searchKeys(body map[string]any) ([]string, map[string]any) {
	c.t.Helper()
	if _, ok := body["fields"]; !ok {
		body["fields"] = []string{"key"}
	}
	m := c.do("POST", "/search/jql", body).want(c.t, 200).JSON(c.t)
	var keys []string
	for _, is := range m["issues"].([]any) {
		keys = append(keys, is.(map[string]any)["key"].(string))
	}
	return keys, m
}

func TestJiraSearchShape(t *testing.T) {
	c := newJiraTest(t)
	t.Run("default fields are id only", func(t *testing.T) {
		m := c.do("GET", "/search/jql?jql="+url.QueryEscape("key = ENG-3"), nil).want(t, 200).JSON(t)
		issues := m["issues"].([]any)
		if len(issues) != 1 || len(issues[0].(map[string]any)) != 1 || issues[0].(map[string]any)["id"] == nil {
			t.Fatalf("issues %v", issues)
		}
		for _, k := range []string{"total", "startAt", "maxResults", "nextPageToken"} {
			if _, ok := m[k]; ok {
				t.Errorf("response has %s", k)
			}
		}
		if m["isLast"] != true {
			t.Errorf("isLast %v", m["isLast"])
		}
	})
	t.Run("fields and expand", func(t *testing.T) {
		m := c.do("GET", "/search/jql?jql="+url.QueryEscape("key = ENG-3")+"&fields=summary,status,customfield_10016&expand=names,schema,renderedFields,transitions", nil).want(t, 200).JSON(t)
		is := m["issues"].([]any)[0].(map[string]any)
		if is["key"] != "ENG-3" || jPath(is, "fields", "status", "name") != "In Review" || jPath(is, "fields", "customfield_10016") != 3.0 {
			t.Fatalf("issue %v", is)
		}
		if _, ok := is["fields"].(map[string]any)["priority"]; ok {
			t.Error("priority returned without being asked")
		}
		if jPath(m, "names", "customfield_10016") != "Story Points" || jPath(m, "schema", "customfield_10016", "type") != "number" {
			t.Errorf("names/schema %v %v", m["names"], m["schema"])
		}
		if is["names"] != nil || is["transitions"] == nil || is["renderedFields"] == nil {
			t.Errorf("per-issue expansions: names=%v transitions=%v", is["names"], is["transitions"])
		}
	})
	t.Run("POST with list fields and comma expand", func(t *testing.T) {
		keys, m := c.searchKeys(map[string]any{"jql": "project = ENG AND issuetype = Epic ORDER BY key ASC", "fields": []string{"key", "summary"}, "expand": "names"})
		if strings.Join(keys, ",") != "ENG-1,ENG-7,ENG-8,ENG-9,ENG-10" || m["names"] == nil {
			t.Fatalf("epics %v names %v", keys, m["names"])
		}
	})
}

func TestJiraSearchPaging(t *testing.T) {
	c := newJiraTest(t)
	j := c.srv.jira()
	want := len(j.projectByKey["ENG"].issues)
	const jql = "project = ENG ORDER BY created DESC"
	var all []string
	token := ""
	pages := 0
	for {
		body := map[string]any{"jql": jql, "maxResults": 40}
		if token != "" {
			body["nextPageToken"] = token
		}
		keys, m := c.searchKeys(body)
		all = append(all, keys...)
		pages++
		next, has := m["nextPageToken"].(string)
		if m["isLast"] == true {
			if has {
				t.Fatal("nextPageToken on the last page")
			}
			break
		}
		if !has || len(keys) != 40 {
			t.Fatalf("page %d: %d keys, token %q", pages, len(keys), next)
		}
		token = next
	}
	if len(all) != want || pages != (want+39)/40 {
		t.Fatalf("paged %d issues in %d pages, want %d", len(all), pages, want)
	}
	seen := map[string]bool{}
	for _, k := range all {
		if seen[k] {
			t.Fatalf("duplicate %s", k)
		}
		seen[k] = true
	}
	count := c.do("POST", "/search/approximate-count", map[string]any{"jql": "project = ENG"}).want(t, 200).JSON(t)
	if count["count"] != float64(want) {
		t.Errorf("approximate count %v, want %d", count["count"], want)
	}
	// The GET form pages the same way.
	first := c.do("GET", "/search/jql?jql="+url.QueryEscape(jql)+"&maxResults=40&fields=key", nil).want(t, 200).JSON(t)
	tok := first["nextPageToken"].(string)
	second := c.do("GET", "/search/jql?jql="+url.QueryEscape(jql)+"&maxResults=40&fields=key&nextPageToken="+url.QueryEscape(tok), nil).want(t, 200).JSON(t)
	if k := jPath(second["issues"].([]any)[0], "key"); k != all[40] {
		t.Errorf("GET page 2 starts with %v, want %s", k, all[40])
	}
	t.Run("token tied to its query", func(t *testing.T) {
		c.do("POST", "/search/jql", map[string]any{"jql": "project = OPS", "nextPageToken": tok}).wantError(t, 400, jMsgBadToken, "", "")
	})
	t.Run("garbage token", func(t *testing.T) {
		for _, bad := range []string{"nope", "AAAA", strings.Repeat("A", 48), "../../etc/passwd"} {
			c.do("POST", "/search/jql", map[string]any{"jql": jql, "nextPageToken": bad}).wantError(t, 400, jMsgBadToken, "", "")
		}
	})
	t.Run("page size caps", func(t *testing.T) {
		keys, _ := c.searchKeys(map[string]any{"jql": "project = ENG", "maxResults": 1000, "fields": []string{"summary", "key"}})
		if len(keys) != min(want, 100) {
			t.Errorf("summary page of %d", len(keys))
		}
		m := c.do("POST", "/search/jql", map[string]any{"jql": "project = ENG", "maxResults": 1000}).want(t, 200).JSON(t)
		if len(m["issues"].([]any)) != want {
			t.Errorf("id-only page of %d, want all %d", len(m["issues"].([]any)), want)
		}
	})
}

func TestJiraSearchTokenExpiry(t *testing.T) {
	clock := newSbxClock()
	srv := NewServer(WithProducts(Jira), WithoutRateLimits(), WithClock(clock.Now))
	t.Cleanup(srv.Close)
	c := &jClient{t: t, srv: srv, token: srv.IssueToken().AccessToken}
	_, m := c.searchKeys(map[string]any{"jql": "project = ENG", "maxResults": 10})
	tok := m["nextPageToken"].(string)
	clock.Advance(6 * 24 * time.Hour)
	c.token = srv.IssueToken().AccessToken
	c.searchKeys(map[string]any{"jql": "project = ENG", "maxResults": 10, "nextPageToken": tok})
	clock.Advance(2 * 24 * time.Hour)
	c.token = srv.IssueToken().AccessToken
	c.do("POST", "/search/jql", map[string]any{"jql": "project = ENG", "maxResults": 10, "nextPageToken": tok}).wantError(t, 400, jMsgBadToken, "", "")
}

func TestJiraSearchQueries(t *testing.T) {
	c := newJiraTest(t)
	j := c.srv.jira()
	// expect computes the expected keys from the state with a Go predicate.
	expect := func(pred func(is *jIssue) bool) []string {
		var out []string
		for _, is := range j.issues {
			if pred(is) {
				out = append(out, is.Key)
			}
		}
		sort.Strings(out)
		return out
	}
	sorted := func(keys []string) []string {
		out := append([]string(nil), keys...)
		sort.Strings(out)
		return out
	}
	tests := []struct {
		jql  string
		want []string
	}{
		{"key = ENG-3", []string{"ENG-3"}},
		{"project = OPS AND issuetype = Incident AND status = Investigating AND key = OPS-1", []string{"OPS-1"}},
		{"assignee = currentUser() AND project = ENG AND issuetype = Task AND key <= ENG-10", []string{"ENG-4"}},
		{"parent = ENG-2", []string{"ENG-5"}},
		{"issue in linkedIssues(ENG-3)", []string{"ENG-4"}},
		{`issue in linkedIssues(ENG-4, "is blocked by")`, []string{"ENG-3"}},
		{`fixVersion = "2026.10"`, expect(func(is *jIssue) bool { return len(is.FixVersions) == 1 && is.FixVersions[0].Name == "2026.10" })},
		{"project = ENG AND fixVersion in unreleasedVersions()", expect(func(is *jIssue) bool {
			return is.Project.Key == "ENG" && len(is.FixVersions) == 1 && !is.FixVersions[0].Released
		})},
		{`summary ~ "uppercase" AND project = ENG`, []string{"ENG-3"}},
		{"project = MKT", expect(func(is *jIssue) bool { return is.Project.Key == "MKT" })},
		{"project = ENG AND statusCategory = Done", expect(func(is *jIssue) bool { return is.Project.Key == "ENG" && is.Status.Cat.Key == "done" })},
		{"sprint in openSprints()", expect(func(is *jIssue) bool {
			sps, _ := is.Custom[fieldSprint].([]*jSprint)
			for _, sp := range sps {
				if sp.State == "active" {
					return true
				}
			}
			return false
		})},
		{`"Story Points" >= 8`, expect(func(is *jIssue) bool { v, ok := is.Custom[fieldStoryPoints].(float64); return ok && v >= 8 })},
		{"cf[10001] = SRE", expect(func(is *jIssue) bool { o, ok := is.Custom[fieldTeam].(*jOption); return ok && o.Value == "SRE" })},
		{"labels = customer-reported", expect(func(is *jIssue) bool {
			return strings.Contains(" "+strings.Join(is.Labels, " ")+" ", " customer-reported ")
		})},
		{"assignee IS EMPTY AND project = OPS", expect(func(is *jIssue) bool { return is.Assignee == "" && is.Project.Key == "OPS" })},
		{"created >= -7d", expect(func(is *jIssue) bool { return !is.Created.Before(jiraFixedNow.Add(-7 * 24 * time.Hour)) })},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			keys, _ := c.searchKeys(map[string]any{"jql": tt.jql, "maxResults": 5000})
			if len(tt.want) == 0 {
				t.Fatal("test expects no issues: make it meaningful")
			}
			if got := sorted(keys); strings.Join(got, ",") != strings.Join(sorted(tt.want), ",") {
				t.Errorf("got %d %v\nwant %d %v", len(got), got, len(tt.want), tt.want)
			}
		})
	}
	t.Run("order by", func(t *testing.T) {
		keys, _ := c.searchKeys(map[string]any{"jql": "project = ENG AND key <= ENG-6 ORDER BY key ASC"})
		if strings.Join(keys, ",") != "ENG-1,ENG-2,ENG-3,ENG-4,ENG-5,ENG-6" {
			t.Errorf("ascending %v", keys)
		}
		keys, _ = c.searchKeys(map[string]any{"jql": "project = ENG AND key <= ENG-6"})
		if strings.Join(keys, ",") != "ENG-6,ENG-5,ENG-4,ENG-3,ENG-2,ENG-1" {
			t.Errorf("default order %v", keys)
		}
	})
	t.Run("writes are searchable at once", func(t *testing.T) {
		m := c.do("POST", "/issue", map[string]any{"fields": map[string]any{"project": map[string]any{"key": "MKT"}, "issuetype": map[string]any{"name": "Task"},
			"summary": "Quokka mascot brief", "labels": []string{"mascot"}}}).want(t, 201).JSON(t)
		key := m["key"].(string)
		if keys, _ := c.searchKeys(map[string]any{"jql": `text ~ "quokka"`}); strings.Join(keys, ",") != key {
			t.Fatalf("new issue not found by text: %v", keys)
		}
		c.do("POST", "/issue/"+key+"/transitions", map[string]any{"transition": map[string]any{"id": "11"}}).want(t, 204)
		c.do("POST", "/issue/"+key+"/comment", map[string]any{"body": adf("The wombat variant is nicer")}).want(t, 201)
		if keys, _ := c.searchKeys(map[string]any{"jql": `labels = mascot AND status = "In Progress" AND comment ~ wombat`}); strings.Join(keys, ",") != key {
			t.Fatalf("transitioned issue not found: %v", keys)
		}
	})
	errs := []struct {
		name, jql, msg string
	}{
		{"unbounded", "order by key desc", jMsgUnbounded},
		{"empty", "", jMsgUnbounded},
		{"unknown project", "project = XINET", "The value 'XINET' does not exist for the field 'project'."},
		{"syntax", "project = ENG AND (status = Done", "Error in the JQL Query: Expecting ')' before the end of the query."},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/search/jql", map[string]any{"jql": tt.jql}).wantError(t, 400, tt.msg, "", "")
			c.do("GET", "/search/jql?jql="+url.QueryEscape(tt.jql), nil).wantError(t, 400, tt.msg, "", "")
			c.do("POST", "/search/approximate-count", map[string]any{"jql": tt.jql}).wantError(t, 400, tt.msg, "", "")
		})
	}
	bad := []struct{ name, body, msg string }{
		{"unknown field", `{"jql":"project = ENG","startAt":5}`, `Unrecognized field "startAt" (Class com.atlassian.jira.rest.v2.search.SearchAndReconcileRequestBean), not marked as ignorable`},
		{"fields as string", `{"jql":"project = ENG","fields":"summary"}`, ""},
		{"malformed", `{"jql":`, ""},
		{"too many reconcile ids", fmt.Sprintf(`{"jql":"project = ENG","reconcileIssues":[%s1]}`, strings.Repeat("1,", 50)), "The number of issues to reconcile can't exceed 50."},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/search/jql", tt.body).wantError(t, 400, tt.msg, "", "")
		})
	}
	t.Run("removed search", func(t *testing.T) {
		c.do("GET", "/search?jql=project%3DENG", nil).wantError(t, 410, jMsgRemoved, "", "")
		c.do("POST", "/search", map[string]any{"jql": "project = ENG"}).wantError(t, 410, jMsgRemoved, "", "")
	})
	c.do("GET", "/search/jql?jql=project%3DENG&maxResults=ten", nil).wantError(t, 400, "", "", "")
}

func TestJiraBulkFetchAndParse(t *testing.T) {
	c := newJiraTest(t)
	m := c.do("POST", "/issue/bulkfetch", map[string]any{"issueIdsOrKeys": []string{"ENG-3", "eng-1", "NOPE-1", "ENG-3"}, "fields": []string{"summary"}}).want(t, 200).JSON(t)
	issues := m["issues"].([]any)
	if len(issues) != 2 || jPath(issues[0], "key") != "ENG-1" || jPath(issues[1], "key") != "ENG-3" || jPath(issues[1], "fields", "summary") == nil {
		t.Errorf("bulkfetch issues %v", issues)
	}
	if errs := m["issueErrors"].([]any); len(errs) != 1 {
		t.Errorf("issueErrors %v", errs)
	}
	c.do("POST", "/issue/bulkfetch", map[string]any{"issueIdsOrKeys": []string{}}).wantError(t, 400, "", "", "")

	p := c.do("POST", "/jql/parse?validation=strict", map[string]any{"queries": []string{"project = ENG", "project = NOPE", "project = ENG AND ("}}).want(t, 200).JSON(t)
	qs := p["queries"].([]any)
	if len(qs) != 3 || jPath(qs[0], "errors") != nil || jPath(qs[0], "structure") == nil {
		t.Fatalf("parse %v", qs)
	}
	if e := fmt.Sprint(jPath(qs[1], "errors")); e != "[The value 'NOPE' does not exist for the field 'project'.]" {
		t.Errorf("unknown project: %s", e)
	}
	if e := fmt.Sprint(jPath(qs[2], "errors")); !strings.HasPrefix(e, "[Error in the JQL Query:") {
		t.Errorf("syntax: %s", e)
	}
}

func TestJiraEditMeta(t *testing.T) {
	c := newJiraTest(t)
	f := c.do("GET", "/issue/OPS-1/editmeta", nil).want(t, 200).JSON(t)["fields"].(map[string]any)
	if jPath(f, "customfield_10030", "required") != true || jPath(f, "labels", "operations") == nil || f["project"] != nil {
		t.Errorf("editmeta %v", f)
	}
	c.do("GET", "/issue/OPS-99999/editmeta", nil).wantError(t, 404, jMsgIssueNotFound, "", "")
}
