package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestJiraUsers(t *testing.T) {
	c := newJiraTest(t)
	names := func(list []any) string {
		var out []string
		for _, u := range list {
			out = append(out, jPath(u, "displayName").(string))
		}
		return strings.Join(out, ",")
	}
	search := []struct{ query, want string }{
		{"pri", "Priya Raman"},
		{"raman", "Priya Raman"},
		{"PRIYA.RAMAN@EXAMPLE.COM", "Priya Raman"},
		{"priya.raman@", ""}, // email-shaped: exact match only
		{"chen", "Chen Wei,Emily Chen"},
		{"emily.c", "Emily Chen"},
		{"zzz", ""},
		{"riley", "Riley Former"},
	}
	for _, tt := range search {
		t.Run("search "+tt.query, func(t *testing.T) {
			got := names(c.do("GET", "/user/search?query="+url.QueryEscape(tt.query), nil).want(t, 200).List(t))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("by account id", func(t *testing.T) {
		if got := names(c.do("GET", "/user/search?accountId="+jSam, nil).want(t, 200).List(t)); got != "Sam Okafor" {
			t.Errorf("got %q", got)
		}
		u := c.do("GET", "/user?accountId="+jSam, nil).want(t, 200).JSON(t)
		if u["displayName"] != "Sam Okafor" || u["timeZone"] != "Europe/London" || u["active"] != true {
			t.Errorf("user %v", u)
		}
	})
	t.Run("paging", func(t *testing.T) {
		a := c.do("GET", "/user/search?query=a&maxResults=2", nil).want(t, 200).List(t)
		b := c.do("GET", "/user/search?query=a&maxResults=2&startAt=2", nil).want(t, 200).List(t)
		// "a" is a prefix of Alex, Aisha and Automation.
		if names(a) != "Alex Morgan,Aisha Bello" || names(b) != "Automation for Jira" {
			t.Errorf("pages %v / %v", names(a), names(b))
		}
	})
	t.Run("assignable excludes deactivated and app accounts", func(t *testing.T) {
		for _, q := range []string{"riley", "automation"} {
			if got := c.do("GET", "/user/assignable/search?project=ENG&query="+q, nil).want(t, 200).List(t); len(got) != 0 {
				t.Errorf("%s assignable: %v", q, names(got))
			}
		}
		if got := names(c.do("GET", "/user/assignable/search?issueKey=ENG-3&query=jordan", nil).want(t, 200).List(t)); got != "Jordan Lee" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("picker", func(t *testing.T) {
		m := c.do("GET", "/user/picker?query=chen&maxResults=1", nil).want(t, 200).JSON(t)
		users := m["users"].([]any)
		if m["total"] != 2.0 || len(users) != 1 || m["header"] != "Showing 1 of 2 matching users" ||
			!strings.Contains(jPath(users[0], "html").(string), "<strong>Chen</strong>") {
			t.Errorf("picker %v", m)
		}
	})
	t.Run("myself", func(t *testing.T) {
		m := c.do("GET", "/myself", nil).want(t, 200).JSON(t)
		if m["accountId"] != jAlex || m["displayName"] != "Alex Morgan" || m["emailAddress"] != "alex.morgan@example.com" {
			t.Errorf("myself %v", m)
		}
	})
	errs := []struct {
		name, path string
		status     int
	}{
		{"query and accountId", "/user/search?query=sam&accountId=" + jSam, 400},
		{"neither", "/user/search", 400},
		{"assignable both", "/user/assignable/search?project=ENG&query=sam&accountId=" + jSam, 400},
		{"assignable no scope", "/user/assignable/search?query=sam", 400},
		{"assignable unknown project", "/user/assignable/search?project=NOPE&query=sam", 404},
		{"assignable unknown issue", "/user/assignable/search?issueKey=ENG-999999", 404},
		{"picker without query", "/user/picker", 400},
		{"unknown user", "/user?accountId=" + jNobody, 404},
		{"user without id", "/user", 400},
		{"bad maxResults", "/user/search?query=a&maxResults=lots", 400},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			c.do("GET", tt.path, nil).wantError(t, tt.status, "", "", "")
		})
	}
}

func TestJiraProjects(t *testing.T) {
	c := newJiraTest(t)
	t.Run("search pages to the end", func(t *testing.T) {
		var keys []string
		next := "/project/search?maxResults=1&expand=lead,issueTypes"
		for pages := 0; next != ""; pages++ {
			m := c.do("GET", next, nil).want(t, 200).JSON(t)
			if m["total"] != 3.0 || m["maxResults"] != 1.0 {
				t.Fatalf("page %v", m)
			}
			for _, p := range m["values"].([]any) {
				keys = append(keys, jPath(p, "key").(string))
				if jPath(p, "lead", "accountId") == nil || jPath(p, "issueTypes") == nil {
					t.Errorf("expand missing on %v", p)
				}
			}
			next = ""
			if m["isLast"] != true {
				u := m["nextPage"].(string)
				next = u[strings.Index(u, "/rest/api/3")+len("/rest/api/3"):]
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if strings.Join(keys, ",") != "ENG,MKT,OPS" {
			t.Errorf("keys %v", keys)
		}
	})
	filters := []struct{ query, want string }{
		{"keys=OPS,eng", "ENG,OPS"},
		{"query=mark", "MKT"},
		{"typeKey=business", "MKT"},
		{"orderBy=-key", "OPS,MKT,ENG"},
		{"orderBy=name", "ENG,MKT,OPS"},
		{"maxResults=500", "ENG,MKT,OPS"},
	}
	for _, tt := range filters {
		t.Run(tt.query, func(t *testing.T) {
			m := c.do("GET", "/project/search?"+tt.query, nil).want(t, 200).JSON(t)
			var keys []string
			for _, p := range m["values"].([]any) {
				keys = append(keys, jPath(p, "key").(string))
			}
			if strings.Join(keys, ",") != tt.want {
				t.Errorf("got %v", keys)
			}
			if mr := m["maxResults"].(float64); mr > 100 {
				t.Errorf("maxResults %v above 100", mr)
			}
		})
	}
	t.Run("get project", func(t *testing.T) {
		for _, k := range []string{"ENG", "eng", "10000"} {
			m := c.do("GET", "/project/"+k, nil).want(t, 200).JSON(t)
			if m["key"] != "ENG" || m["name"] != "Engineering" || len(m["components"].([]any)) != 5 || len(m["issueTypes"].([]any)) != 5 {
				t.Errorf("%s: %v", k, m)
			}
		}
		c.do("GET", "/project/NOPE", nil).wantError(t, 404, "No project could be found with key 'NOPE'.", "", "")
		c.do("GET", "/project/99999", nil).wantError(t, 404, "No project could be found with id '99999'.", "", "")
		c.do("GET", "/project/..%2fissue", nil).wantError(t, 404, "", "", "")
	})
	t.Run("statuses per issue type", func(t *testing.T) {
		got := map[string]string{}
		for _, it := range c.do("GET", "/project/OPS/statuses", nil).want(t, 200).List(t) {
			var sts []string
			for _, st := range jPath(it, "statuses").([]any) {
				sts = append(sts, fmt.Sprintf("%s(%s)", jPath(st, "name"), jPath(st, "statusCategory", "key")))
			}
			got[jPath(it, "name").(string)] = strings.Join(sts, ",")
		}
		want := map[string]string{
			"Bug":      "To Do(new),In Progress(indeterminate),In Review(indeterminate),Done(done)",
			"Task":     "To Do(new),In Progress(indeterminate),Done(done)",
			"Incident": "Open(new),Investigating(indeterminate),Mitigated(indeterminate),Resolved(done),Closed(done)",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s, want %s", k, got[k], v)
			}
		}
		if len(got) != 6 {
			t.Errorf("OPS issue types %v", got)
		}
	})
	t.Run("components and versions", func(t *testing.T) {
		cs := c.do("GET", "/project/MKT/components", nil).want(t, 200).List(t)
		vs := c.do("GET", "/project/ENG/versions", nil).want(t, 200).List(t)
		if len(cs) != 4 || jPath(cs[0], "name") != "Website" || len(vs) != 3 || jPath(vs[0], "released") != true {
			t.Errorf("components %v versions %v", cs, vs)
		}
	})
}

func TestJiraCreateMeta(t *testing.T) {
	c := newJiraTest(t)
	types := func(p string) string {
		m := c.do("GET", "/issue/createmeta/"+p+"/issuetypes", nil).want(t, 200).JSON(t)
		var out []string
		for _, it := range m["issueTypes"].([]any) {
			out = append(out, jPath(it, "id").(string)+":"+jPath(it, "name").(string))
		}
		return strings.Join(out, ",")
	}
	if got := types("ENG"); got != "10004:Bug,10001:Task,10003:Story,10000:Epic,10002:Sub-task" {
		t.Errorf("ENG types %s", got)
	}
	if got := types("10001"); !strings.HasSuffix(got, ",10005:Incident") {
		t.Errorf("OPS types %s", got)
	}
	page := c.do("GET", "/issue/createmeta/OPS/issuetypes?startAt=4&maxResults=5", nil).want(t, 200).JSON(t)
	if page["total"] != 6.0 || len(page["issueTypes"].([]any)) != 2 {
		t.Errorf("page %v", page)
	}
	fields := func(p, it string) map[string]map[string]any {
		m := c.do("GET", "/issue/createmeta/"+p+"/issuetypes/"+it+"?maxResults=200", nil).want(t, 200).JSON(t)
		out := map[string]map[string]any{}
		for _, f := range m["fields"].([]any) {
			out[jPath(f, "fieldId").(string)] = f.(map[string]any)
		}
		if m["total"] != float64(len(out)) {
			t.Errorf("total %v for %d fields", m["total"], len(out))
		}
		return out
	}
	engBug := fields("ENG", issueTypeBug)
	if engBug["priority"]["required"] != true || len(engBug["priority"]["allowedValues"].([]any)) != 5 || jPath(engBug["priority"], "defaultValue", "name") != "Medium" {
		t.Errorf("ENG bug priority %v", engBug["priority"])
	}
	if engBug["summary"]["required"] != true || engBug["description"]["required"] != false || jPath(engBug["customfield_10016"], "schema", "type") != "number" {
		t.Errorf("ENG bug fields %v", engBug)
	}
	if _, ok := engBug["customfield_10030"]; ok {
		t.Error("Severity on an ENG bug")
	}
	mktTask := fields("MKT", issueTypeTask)
	var mktPrios []string
	for _, p := range mktTask["priority"]["allowedValues"].([]any) {
		mktPrios = append(mktPrios, jPath(p, "name").(string))
	}
	if strings.Join(mktPrios, ",") != "High,Medium,Low" || mktTask["priority"]["required"] != false {
		t.Errorf("MKT priorities %v", mktPrios)
	}
	inc := fields("OPS", issueTypeIncident)
	sev := inc["customfield_10030"]
	if sev["required"] != true || len(sev["allowedValues"].([]any)) != 4 || jPath(sev, "schema", "custom") != "com.atlassian.jira.plugin.system.customfieldtypes:select" {
		t.Errorf("severity %v", sev)
	}
	sub := fields("ENG", issueTypeSubtask)
	if sub["parent"]["required"] != true {
		t.Errorf("sub-task parent %v", sub["parent"])
	}
	if _, ok := fields("ENG", issueTypeEpic)["parent"]; ok {
		t.Error("epic offers a parent")
	}
	c.do("GET", "/issue/createmeta/ENG/issuetypes/10005", nil).wantError(t, 404, "", "", "")
	c.do("GET", "/issue/createmeta/NOPE/issuetypes", nil).wantError(t, 404, "No project could be found with key 'NOPE'.", "", "")
}

func TestJiraFieldsAndLists(t *testing.T) {
	c := newJiraTest(t)
	byID := map[string]map[string]any{}
	for _, f := range c.do("GET", "/field", nil).want(t, 200).List(t) {
		byID[jPath(f, "id").(string)] = f.(map[string]any)
	}
	checks := []struct{ id, name, typ string }{
		{"customfield_10016", "Story Points", "number"},
		{"customfield_10020", "Sprint", "array"},
		{"customfield_10001", "Team", "option"},
		{"customfield_10030", "Severity", "option"},
		{"customfield_10015", "Start date", "date"},
		{"summary", "Summary", "string"},
	}
	for _, tt := range checks {
		f := byID[tt.id]
		if f == nil || f["name"] != tt.name || jPath(f, "schema", "type") != tt.typ {
			t.Errorf("%s: %v", tt.id, f)
		}
	}
	if cn := fmt.Sprint(byID["customfield_10016"]["clauseNames"]); cn != "[cf[10016] Story Points]" || byID["customfield_10016"]["custom"] != true {
		t.Errorf("story points clause names %s", cn)
	}
	var prios []string
	for _, p := range c.do("GET", "/priority", nil).want(t, 200).List(t) {
		prios = append(prios, jPath(p, "name").(string))
	}
	if strings.Join(prios, ",") != "Highest,High,Medium,Low,Lowest" {
		t.Errorf("priorities %v", prios)
	}
	ps := c.do("GET", "/priority/search?maxResults=2", nil).want(t, 200).JSON(t)
	if ps["total"] != 5.0 || ps["isLast"] != false || len(ps["values"].([]any)) != 2 {
		t.Errorf("priority search %v", ps)
	}
	lts := c.do("GET", "/issueLinkType", nil).want(t, 200).JSON(t)["issueLinkTypes"].([]any)
	var phrases []string
	for _, lt := range lts {
		phrases = append(phrases, fmt.Sprintf("%s:%s/%s", jPath(lt, "name"), jPath(lt, "outward"), jPath(lt, "inward")))
	}
	if strings.Join(phrases, ",") != "Blocks:blocks/is blocked by,Cloners:clones/is cloned by,Duplicate:duplicates/is duplicated by,Relates:relates to/relates to" {
		t.Errorf("link types %v", phrases)
	}
	if lt := c.do("GET", "/issueLinkType/10000", nil).want(t, 200).JSON(t); lt["name"] != "Blocks" {
		t.Errorf("link type %v", lt)
	}
	c.do("GET", "/issueLinkType/42", nil).wantError(t, 404, "No issue link type with id '42' found.", "", "")
	if n := len(c.do("GET", "/issuetype", nil).want(t, 200).List(t)); n != 6 {
		t.Errorf("%d issue types", n)
	}
	if n := len(c.do("GET", "/status", nil).want(t, 200).List(t)); n != 9 {
		t.Errorf("%d statuses", n)
	}
	if n := len(c.do("GET", "/resolution", nil).want(t, 200).List(t)); n != 4 {
		t.Errorf("%d resolutions", n)
	}
	// /priority/search asks for the admin scope.
	ro := &jClient{t: t, srv: c.srv, token: c.srv.IssueToken("read:jira-work").AccessToken}
	if r := ro.do("GET", "/priority/search", nil); r.Status != 401 && r.Status != 403 {
		t.Errorf("priority/search with read:jira-work: %d", r.Status)
	}
	ro.do("GET", "/priority", nil).want(t, 200)
}

func TestJiraGeneratedSite(t *testing.T) {
	spec := SiteSpec{Projects: 5, CustomFields: 30, Issues: 2000, Seed: 3}
	c := newJiraTest(t, WithGeneratedSite(spec))
	j := c.srv.jira()
	if len(j.issues) != 2000 || len(j.projects) != 5 || j.projects[3].Key != "PRJ4" {
		t.Fatalf("%d issues, %d projects", len(j.issues), len(j.projects))
	}
	custom := 0
	for _, f := range j.fields {
		if f.Custom {
			custom++
		}
	}
	if custom != 30+9 {
		t.Errorf("%d custom fields", custom)
	}
	count := c.do("POST", "/search/approximate-count", map[string]any{"jql": "project in (ENG, PRJ5)"}).want(t, 200).JSON(t)["count"].(float64)
	want := len(j.projectByKey["ENG"].issues) + len(j.projectByKey["PRJ5"].issues)
	if int(count) != want || want == 0 {
		t.Errorf("count %v, want %d", count, want)
	}
	// The same spec gives the same site.
	other := NewServer(WithProducts(Jira), WithClock(func() time.Time { return jiraFixedNow }), WithGeneratedSite(spec))
	defer other.Close()
	a, b := j.issues[1234], other.jira().issues[1234]
	if a.Key != b.Key || a.Summary != b.Summary || a.Status != nil && a.Status.Name != b.Status.Name {
		t.Errorf("not deterministic: %s %q vs %s %q", a.Key, a.Summary, b.Key, b.Summary)
	}
	c.issue(a.Key, "expand=names,renderedFields,changelog,transitions")
}
