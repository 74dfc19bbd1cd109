package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/cql"
)

// confClient drives the sandbox's Confluence over real HTTP.
type confClient struct {
	t     testing.TB
	srv   *Server
	token string
}

func newConfClient(t testing.TB, opts ...Option) *confClient {
	t.Helper()
	srv := NewServer(append([]Option{WithoutRateLimits(), WithClock(func() time.Time {
		return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	})}, opts...)...)
	t.Cleanup(srv.Close)
	return &confClient{t: t, srv: srv, token: srv.IssueToken().AccessToken}
}

// get requests path (starting with /wiki) through the gateway.
func (c *confClient) get(path string) httpResult {
	c.t.Helper()
	return do(c.t, http.MethodGet, c.srv.ConfluenceBaseURL()+path, c.token, "", "")
}

func (c *confClient) post(path, body string) httpResult {
	c.t.Helper()
	return do(c.t, http.MethodPost, c.srv.ConfluenceBaseURL()+path, c.token, "application/json", body)
}

func (c *confClient) json(h httpResult, status int) map[string]any {
	c.t.Helper()
	if h.Status != status {
		c.t.Fatalf("status %d, want %d: %s", h.Status, status, h.Body)
	}
	return h.JSON(c.t)
}

func (c *confClient) page(space, title string) ConfluencePage {
	c.t.Helper()
	p, ok := c.srv.ConfluencePageByTitle(space, title)
	if !ok {
		c.t.Fatalf("no page %q in %s", title, space)
	}
	return p
}

func (c *confClient) spaceID(key string) string {
	sp, ok := c.srv.ConfluenceSpaceByKey(key)
	if !ok {
		c.t.Fatalf("no space %s", key)
	}
	return sp.ID
}

func results(m map[string]any) []map[string]any {
	rs, _ := m["results"].([]any)
	out := make([]map[string]any, len(rs))
	for i, r := range rs {
		out[i], _ = r.(map[string]any)
	}
	return out
}

// v2Error checks Confluence v2's error shape.
func v2Error(t testing.TB, h httpResult, status int, code, titlePart string) {
	t.Helper()
	if h.Status != status {
		t.Fatalf("status %d, want %d: %s", h.Status, status, h.Body)
	}
	var body struct {
		Errors []struct {
			Status string  `json:"status"`
			Code   string  `json:"code"`
			Title  string  `json:"title"`
			Detail *string `json:"detail"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(h.Body), &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("not a v2 error: %s", h.Body)
	}
	e := body.Errors[0]
	if e.Status != strconv.Itoa(status) || e.Code != code || !strings.Contains(e.Title, titlePart) {
		t.Fatalf("error %+v, want %d %s %q", e, status, code, titlePart)
	}
}

// v1Error checks Confluence v1's error shape and returns the message.
func v1Error(t testing.TB, h httpResult, status int, messagePart string) map[string]any {
	t.Helper()
	if h.Status != status {
		t.Fatalf("status %d, want %d: %s", h.Status, status, h.Body)
	}
	m := h.JSON(t)
	if m["statusCode"] != float64(status) {
		t.Fatalf("statusCode %v: %s", m["statusCode"], h.Body)
	}
	if _, ok := m["data"].(map[string]any); !ok {
		t.Fatalf("no data: %s", h.Body)
	}
	if msg, _ := m["message"].(string); !strings.Contains(msg, messagePart) {
		t.Fatalf("message %q does not contain %q", msg, messagePart)
	}
	return m
}

func TestConfluenceSeed(t *testing.T) {
	c := newConfClient(t)
	spaces := c.srv.ConfluenceSpaces()
	var keys []string
	for _, sp := range spaces {
		keys = append(keys, sp.Key)
		if sp.HomepageID == "" {
			t.Errorf("space %s has no homepage", sp.Key)
		}
	}
	if len(keys) != 4 || keys[0] != "ENG" || keys[1] != "TEAM" || keys[2] != "OPS" || !strings.HasPrefix(keys[3], "~") {
		t.Fatalf("spaces %v", keys)
	}
	// Every body is well formed, and together they use the real macros.
	all := ""
	c.srv.mu.Lock()
	st := c.srv.confluence()
	for _, p := range st.ordered {
		if _, err := parseStorage(p.Body); err != nil {
			t.Errorf("page %s %q: %v", p.ID, p.Title, err)
		}
		all += p.Body
	}
	n := len(st.ordered)
	c.srv.mu.Unlock()
	if n < 35 {
		t.Errorf("only %d pages", n)
	}
	for _, want := range []string{
		`ac:name="code"`, `<ac:parameter ac:name="language">sql</ac:parameter>`, `ac:name="info"`, `ac:name="note"`,
		`ac:name="warning"`, `ac:name="tip"`, `ac:name="expand"`, `ac:name="toc"`, `<ac:task-list>`,
		`<ri:user ri:account-id="` + c.srv.users[3].AccountID + `"`, `ri:content-title="On-call policy" ri:space-key="OPS"`,
		`<table>`, `<ac:emoticon ac:name="tick"`, `<ri:url ri:value=`, `<ri:attachment ri:filename="pipeline.png"`,
		`ac:name="jira"`, `ac:name="roadmap"`, `]]]]><![CDATA[>`, `&nbsp;`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no seeded body contains %s", want)
		}
	}
	if strings.Count(all, "]]]]><![CDATA[>") != 1 {
		t.Errorf("the CDATA terminator should be split exactly once")
	}
	// The split CDATA reads back as the literal "]]>".
	fo := c.page("ENG", "Database failover runbook")
	root, _ := parseStorage(fo.Body)
	if f := extractFacts(root); !strings.Contains(f.Text, "survives: ]]> stays") {
		t.Errorf("CDATA text %q", f.Text)
	}
	for _, title := range []string{"Remote work policy", "Expense policy", "2026-11-22 Weekly team sync"} {
		c.page("TEAM", title)
	}
	c.page("OPS", "Incident postmortem: checkout outage")
	c.page("ENG", "Release 2.5.0")
}

func TestConfluenceSearchPaging(t *testing.T) {
	c := newConfClient(t)
	path := "/wiki/rest/api/search?cql=" + url.QueryEscape("type = page ORDER BY id") + "&limit=7"
	seen := map[string]bool{}
	var order []string
	total := -1
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		m := c.json(c.get(path), 200)
		if total < 0 {
			total = int(m["totalSize"].(float64))
		}
		if m["limit"] != 7.0 || m["cqlQuery"] != "type = page ORDER BY id" {
			t.Fatalf("limit %v cqlQuery %v", m["limit"], m["cqlQuery"])
		}
		links := m["_links"].(map[string]any)
		if links["base"] != "https://acme-demo.atlassian.net/wiki" || links["context"] != "/wiki" {
			t.Fatalf("links %v", links)
		}
		for _, r := range results(m) {
			id := r["content"].(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("id %s twice", id)
			}
			seen[id] = true
			order = append(order, id)
		}
		next, _ := links["next"].(string)
		if next == "" {
			break
		}
		if !strings.HasPrefix(next, "/rest/api/search?cql=") || !strings.Contains(next, "&limit=7&cursor=") {
			t.Fatalf("next %q is not shaped like Confluence's", next)
		}
		path = "/wiki" + next // the client rebuilds: gateway + /wiki + next
	}
	if len(seen) != total || total < 35 {
		t.Fatalf("saw %d of %d", len(seen), total)
	}
	if !slices.IsSortedFunc(order, func(a, b string) int { return len(a)*1000 - len(b)*1000 + strings.Compare(a, b) }) {
		t.Errorf("not in id order: %v", order)
	}
}

func searchTitles(c *confClient, cql string) []string {
	c.t.Helper()
	m := c.json(c.get("/wiki/rest/api/search?limit=100&excerpt=none&cql="+url.QueryEscape(cql)), 200)
	var out []string
	for _, r := range results(m) {
		if content, ok := r["content"].(map[string]any); ok {
			out = append(out, content["title"].(string))
		} else {
			out = append(out, "space:"+r["space"].(map[string]any)["name"].(string))
		}
	}
	return out
}

func TestConfluenceSearchQueries(t *testing.T) {
	c := newConfClient(t)
	runbooks := c.page("ENG", "Runbooks").ID
	tests := []struct {
		cql     string
		want    []string
		ordered bool
	}{
		{`type = page AND text ~ "receipts"`, []string{"Expense policy"}, false},
		{`type = page AND title ~ "remote work"`, []string{"Remote work policy"}, false},
		{`label = policy AND space = TEAM ORDER BY title`, []string{"Expense policy", "Policies", "Remote work policy", "Travel policy"}, true},
		{`label = runbook AND space = OPS ORDER BY title DESC`, []string{"Restarting the payment gateway", "Operational runbooks", "Disk space alerts"}, true},
		{`ancestor = ` + runbooks + ` ORDER BY title`, []string{"Database failover runbook", "Deploying to production", "Rotating TLS certificates"}, true},
		{`parent = ` + runbooks + ` AND label = database`, []string{"Database failover runbook"}, false},
		{`type = blogpost`, []string{"Engineering all-hands recap"}, false},
		{`space = OPS AND text ~ "sev"`, []string{"On-call policy", "Severity levels", "Status page process"}, false},
		{`macro = roadmap`, []string{"Q1 roadmap"}, false},
		{`mention = "` + c.srv.users[6].AccountID + `"`, []string{"Incident postmortem: checkout outage"}, false},
		{`label = "meeting-notes" AND created >= now("-15d") ORDER BY created DESC`, []string{"2026-11-22 Weekly team sync", "2026-11-15 Weekly team sync"}, true},
		{`lastmodified >= startOfWeek() AND space = OPS`, nil, false},
		{`space.type = personal`, []string{"space:Alex Morgan", "Alex Morgan", "Notes to self"}, false},
		{`type = space ORDER BY title`, []string{"space:Alex Morgan", "space:Engineering", "space:Operations", "space:Team Space"}, true},
		{`type = space AND text ~ "incident"`, []string{"space:Operations"}, false},
		{`text ~ "runbooks" AND space = ENG`, []string{"space:Engineering", "Engineering Home", "Runbooks"}, false},
		{`creator = currentUser() AND space = TEAM AND type = page ORDER BY title`, []string{"2026-11-15 Weekly team sync", "2026-11-22 Weekly team sync", "Meeting notes", "Policies", "Team directory", "Team Space Home"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.cql, func(t *testing.T) {
			got := searchTitles(c, tt.cql)
			want := slices.Clone(tt.want)
			if !tt.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %q\nwant %q", got, want)
			}
		})
	}
}

func TestConfluenceSearchResultShape(t *testing.T) {
	c := newConfClient(t)
	m := c.json(c.get("/wiki/rest/api/search?cql="+url.QueryEscape(`text ~ "receipts"`)), 200)
	rs := results(m)
	if len(rs) != 1 || m["size"] != 1.0 || m["totalSize"] != 1.0 || m["start"] != 0.0 {
		t.Fatalf("results %s", c.get("/wiki/rest/api/search?cql=x").Body)
	}
	r := rs[0]
	content := r["content"].(map[string]any)
	exp := c.page("TEAM", "Expense policy")
	if content["id"] != exp.ID || content["type"] != "page" || content["status"] != "current" {
		t.Fatalf("content %v", content)
	}
	// The space is an expansion; without it only _expandable names it.
	if _, ok := content["space"]; ok {
		t.Error("content.space without expand=content.space")
	}
	if content["_expandable"].(map[string]any)["space"] != "/rest/api/space/TEAM" {
		t.Errorf("_expandable %v", content["_expandable"])
	}
	withSpace := results(c.json(c.get("/wiki/rest/api/search?expand=content.space&cql="+url.QueryEscape(`text ~ "receipts"`)), 200))
	space := withSpace[0]["content"].(map[string]any)["space"].(map[string]any)
	if space["key"] != "TEAM" || space["name"] != "Team Space" || space["id"] != 65538.0 {
		t.Errorf("space %v", space)
	}
	if r["url"] != "/spaces/TEAM/pages/"+exp.ID+"/Expense+policy" {
		t.Errorf("url %v", r["url"])
	}
	if ex, _ := r["excerpt"].(string); !strings.Contains(ex, "@@@hl@@@receipts@@@endhl@@@") {
		t.Errorf("excerpt %q has no highlight", ex)
	}
	if g := r["resultGlobalContainer"].(map[string]any); g["title"] != "Team Space" || g["displayUrl"] != "/spaces/TEAM" {
		t.Errorf("container %v", g)
	}
	if lm, _ := r["lastModified"].(string); !strings.HasSuffix(lm, "Z") || len(lm) != 24 {
		t.Errorf("lastModified %q", lm)
	}
	if _, ok := content["body"]; ok {
		t.Error("body without expand")
	}
	// expand=content.body.storage: the verbatim body, and the lower limit.
	m = c.json(c.get("/wiki/rest/api/search?limit=500&expand=content.body.storage&cql="+url.QueryEscape("type = page")), 200)
	if m["limit"] != 50.0 || len(results(m)) != min(50, int(m["totalSize"].(float64))) {
		t.Fatalf("limit %v with body expansion, %d results", m["limit"], len(results(m)))
	}
	for _, r := range results(m) {
		content := r["content"].(map[string]any)
		p, _ := c.srv.ConfluencePage(content["id"].(string))
		if got := content["body"].(map[string]any)["storage"].(map[string]any)["value"]; got != p.Body {
			t.Fatalf("body of %s is not verbatim", p.ID)
		}
	}
	m = c.json(c.get("/wiki/rest/api/search?limit=500&cql="+url.QueryEscape("type = page")), 200)
	if m["limit"] != 500.0 {
		t.Errorf("limit %v without expansion", m["limit"])
	}
}

func TestConfluenceSearchExcerptModes(t *testing.T) {
	c := newConfClient(t)
	_, err := c.srv.AddConfluencePage("TEAM", "", `Quotes "and" <tags> policy`, `<p>Use &lt;b&gt; &amp; "quotes" in policy text.</p>`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ mode, title, excerpt string }{
		{"highlight", `@@@hl@@@Quotes@@@endhl@@@ &quot;and&quot; &lt;tags&gt; @@@hl@@@policy@@@endhl@@@`, `Use &lt;b&gt; &amp; &quot;@@@hl@@@quotes@@@endhl@@@&quot; in @@@hl@@@policy@@@endhl@@@ text.`},
		{"highlight_unescaped", `@@@hl@@@Quotes@@@endhl@@@ "and" <tags> @@@hl@@@policy@@@endhl@@@`, `Use <b> & "@@@hl@@@quotes@@@endhl@@@" in @@@hl@@@policy@@@endhl@@@ text.`},
		{"indexed", `Quotes &quot;and&quot; &lt;tags&gt; policy`, `Use &lt;b&gt; &amp; &quot;quotes&quot; in policy text.`},
		{"indexed_unescaped", `Quotes "and" <tags> policy`, `Use <b> & "quotes" in policy text.`},
		{"none", `Quotes "and" <tags> policy`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			m := c.json(c.get("/wiki/rest/api/search?excerpt="+tt.mode+"&cql="+url.QueryEscape(`text ~ policy AND title ~ quotes`)), 200)
			rs := results(m)
			if len(rs) != 1 || rs[0]["title"] != tt.title || rs[0]["excerpt"] != tt.excerpt {
				t.Errorf("got title %q excerpt %q", rs[0]["title"], rs[0]["excerpt"])
			}
			if rs[0]["content"].(map[string]any)["title"] != `Quotes "and" <tags> policy` {
				t.Errorf("content.title is not the plain title")
			}
		})
	}
}

func TestConfluenceSearchErrors(t *testing.T) {
	c := newConfClient(t)
	tests := []struct {
		query   string
		status  int
		message string
	}{
		{"cql=" + url.QueryEscape("type = page AND"), 400, "BadRequestException: Could not parse cql : type = page AND"},
		{"cql=" + url.QueryEscape("user.accountid = abc"), 400, "Could not parse cql : user.accountid = abc"},
		{"cql=" + url.QueryEscape("type == page"), 400, "Could not parse cql"},
		{"cql=", 400, "cql parameter is required"},
		{"cql=type%3Dpage&cursor=bm90LWEtY3Vyc29y", 400, "Invalid cursor"},
		{"cql=type%3Dpage&limit=-1", 400, "limit"},
		{"cql=type%3Dpage&excerpt=bogus", 400, "excerpt"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v1Error(t, c.get("/wiki/rest/api/search?"+tt.query), tt.status, tt.message)
		})
	}
	// The parse detail is in data.errors.
	m := v1Error(t, c.get("/wiki/rest/api/search?cql="+url.QueryEscape("user = abc")), 400, "Could not parse cql")
	if !strings.Contains(mustJSON(m["data"]), "/wiki/rest/api/search/user") {
		t.Errorf("no hint in %v", m["data"])
	}
	// A cursor from another query is refused.
	first := c.json(c.get("/wiki/rest/api/search?limit=1&cql="+url.QueryEscape("type = page")), 200)
	next := first["_links"].(map[string]any)["next"].(string)
	u, _ := url.Parse(next)
	cur := u.Query().Get("cursor")
	v1Error(t, c.get("/wiki/rest/api/search?limit=1&cql="+url.QueryEscape("type = blogpost")+"&cursor="+url.QueryEscape(cur)), 400, "Invalid cursor")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestConfluenceGetPage(t *testing.T) {
	c := newConfClient(t)
	p := c.page("ENG", "Database failover runbook")
	m := c.json(c.get("/wiki/api/v2/pages/"+p.ID+"?body-format=storage&include-labels=true"), 200)
	if m["id"] != p.ID || m["title"] != p.Title || m["spaceId"] != c.spaceID("ENG") || m["status"] != "current" {
		t.Fatalf("page %v", m)
	}
	if _, ok := m["spaceKey"]; ok {
		t.Error("v2 pages carry no space key")
	}
	if got := m["body"].(map[string]any)["storage"].(map[string]any); got["value"] != p.Body || got["representation"] != "storage" {
		t.Fatalf("storage not verbatim")
	}
	v := m["version"].(map[string]any)
	if v["number"].(float64) < 1 || v["authorId"] == "" || v["createdAt"] == "" {
		t.Errorf("version %v", v)
	}
	if m["authorId"] != c.srv.users[3].AccountID || m["parentId"] != c.page("ENG", "Runbooks").ID || m["parentType"] != "page" {
		t.Errorf("author/parent %v %v", m["authorId"], m["parentId"])
	}
	links := m["_links"].(map[string]any)
	if links["base"] != "https://acme-demo.atlassian.net/wiki" || links["webui"] != "/spaces/ENG/pages/"+p.ID+"/Database+failover+runbook" ||
		!strings.HasPrefix(links["tinyui"].(string), "/x/") || !strings.Contains(links["editui"].(string), p.ID) {
		t.Errorf("links %v", links)
	}
	var names []string
	for _, l := range results(m["labels"].(map[string]any)) {
		names = append(names, l["name"].(string))
		if l["prefix"] != "global" || l["id"] == "" {
			t.Errorf("label %v", l)
		}
	}
	if !slices.Equal(names, []string{"runbook", "database", "postgres", "oncall"}) {
		t.Errorf("labels %v", names)
	}

	// Without body-format there is no body; atlas_doc_format is a JSON string.
	m = c.json(c.get("/wiki/api/v2/pages/"+p.ID), 200)
	if _, ok := m["body"]; ok {
		t.Error("body without body-format")
	}
	if _, ok := m["labels"]; ok {
		t.Error("labels without include-labels")
	}
	m = c.json(c.get("/wiki/api/v2/pages/"+p.ID+"?body-format=atlas_doc_format"), 200)
	adfStr, ok := m["body"].(map[string]any)["atlas_doc_format"].(map[string]any)["value"].(string)
	if !ok {
		t.Fatalf("atlas_doc_format value is not a string: %v", m["body"])
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(adfStr), &doc); err != nil || doc["type"] != "doc" || doc["version"] != 1.0 {
		t.Fatalf("ADF %s: %v", adfStr, err)
	}
	for _, want := range []string{`"codeBlock"`, `"language":"sql"`, `"panelType":"warning"`, `"mention"`, `"expand"`, `pg_stat_replication`, `"heading"`} {
		if !strings.Contains(adfStr, want) {
			t.Errorf("ADF lacks %s", want)
		}
	}

	// Errors.
	v2Error(t, c.get("/wiki/api/v2/pages/999999999"), 404, "NOT_FOUND", "Not Found")
	v2Error(t, c.get("/wiki/api/v2/pages/abc"), 400, "INVALID_REQUEST_PARAMETER", "Expected type is ContentId")
	v2Error(t, c.get("/wiki/api/v2/pages/..%2F..%2Fetc"), 400, "INVALID_REQUEST_PARAMETER", "ContentId")
	v2Error(t, c.get("/wiki/api/v2/pages/"+p.ID+"?body-format=html"), 400, "INVALID_REQUEST_PARAMETER", "body-format")
	blog := c.page("ENG", "Engineering all-hands recap")
	v2Error(t, c.get("/wiki/api/v2/pages/"+blog.ID), 404, "NOT_FOUND", "Not Found")
}

func TestConfluenceBulkPages(t *testing.T) {
	c := newConfClient(t)
	a, b := c.page("TEAM", "Expense policy"), c.page("OPS", "On-call policy")
	m := c.json(c.get("/wiki/api/v2/pages?id="+b.ID+","+a.ID+",123456789&body-format=storage"), 200)
	rs := results(m)
	if len(rs) != 2 || rs[0]["id"] != a.ID || rs[1]["id"] != b.ID {
		t.Fatalf("bulk %v", rs)
	}
	if rs[0]["body"].(map[string]any)["storage"].(map[string]any)["value"] != a.Body {
		t.Error("bulk body not verbatim")
	}
	ids := make([]string, 251)
	for i := range ids {
		ids[i] = strconv.Itoa(1000 + i)
	}
	v2Error(t, c.get("/wiki/api/v2/pages?id="+strings.Join(ids, ",")), 400, "INVALID_REQUEST_PARAMETER", "250")
	v2Error(t, c.get("/wiki/api/v2/pages?id=1,x"), 400, "INVALID_REQUEST_PARAMETER", "'id'")
	// Paging over a space's pages.
	path := "/wiki/api/v2/pages?space-id=" + c.spaceID("ENG") + "&limit=4"
	count := 0
	for path != "" {
		m := c.json(c.get(path), 200)
		count += len(results(m))
		next, _ := m["_links"].(map[string]any)["next"].(string)
		if next != "" && !strings.HasPrefix(next, "/wiki/api/v2/pages?") {
			t.Fatalf("next %q", next)
		}
		path = next
	}
	if count != 17 { // ENG has 17 pages (the blog post and the folder are not pages)
		t.Errorf("ENG pages %d", count)
	}
}

func TestConfluenceCreatePage(t *testing.T) {
	c := newConfClient(t)
	eng := c.spaceID("ENG")
	body := `<p>Notes with <ac:link><ri:user ri:account-id="` + c.srv.users[1].AccountID + `"/></ac:link>&nbsp;and a <ac:link><ri:page ri:content-title="Runbooks"/></ac:link>.</p>` +
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">go</ac:parameter><ac:plain-text-body><![CDATA[x := "]]]]><![CDATA[>"]]></ac:plain-text-body></ac:structured-macro>`
	req, _ := json.Marshal(map[string]any{"spaceId": eng, "status": "current", "title": "Kick-off notes zebra",
		"body": map[string]any{"representation": "storage", "value": body}})
	m := c.json(c.post("/wiki/api/v2/pages", string(req)), 200)
	id := m["id"].(string)
	if m["title"] != "Kick-off notes zebra" || m["spaceId"] != eng || m["status"] != "current" ||
		m["parentId"] != c.srv.ConfluenceSpaces()[0].HomepageID || m["authorId"] != c.srv.users[0].AccountID {
		t.Fatalf("created %v", m)
	}
	if m["version"].(map[string]any)["number"] != 1.0 || m["_links"].(map[string]any)["webui"] == "" {
		t.Errorf("version/links %v", m)
	}
	got := c.json(c.get("/wiki/api/v2/pages/"+id+"?body-format=storage"), 200)
	if got["body"].(map[string]any)["storage"].(map[string]any)["value"] != body {
		t.Fatal("created body is not returned verbatim")
	}
	if titles := searchTitles(c, `text ~ zebra OR text ~ "kick-off"`); !slices.Equal(titles, []string{"Kick-off notes zebra"}) {
		t.Errorf("search after create %v", titles)
	}
	if titles := searchTitles(c, `mention = "`+c.srv.users[1].AccountID+`" AND space = ENG`); !slices.Contains(titles, "Kick-off notes zebra") {
		t.Errorf("mention search %v", titles)
	}
	anc := c.json(c.get("/wiki/api/v2/pages/"+id+"/ancestors"), 200)
	if rs := results(anc); len(rs) != 1 || rs[0]["id"] != c.srv.ConfluenceSpaces()[0].HomepageID || rs[0]["type"] != "page" {
		t.Errorf("ancestors %v", rs)
	}

	// Under a parent; drafts; root level; ADF.
	runbooks := c.page("ENG", "Runbooks").ID
	m = c.json(c.post("/wiki/api/v2/pages", `{"spaceId":"`+eng+`","title":"Cache warmup runbook","parentId":"`+runbooks+`","body":{"representation":"storage","value":"<p>Warm it.</p>"}}`), 200)
	if m["parentId"] != runbooks || m["position"] != 3.0 {
		t.Errorf("child page %v", m)
	}
	m = c.json(c.post("/wiki/api/v2/pages", `{"spaceId":`+eng+`,"status":"draft"}`), 200)
	if m["status"] != "draft" || m["title"] != "" {
		t.Errorf("draft %v", m)
	}
	v2Error(t, c.get("/wiki/api/v2/pages/"+m["id"].(string)), 404, "NOT_FOUND", "Not Found")
	c.json(c.get("/wiki/api/v2/pages/"+m["id"].(string)+"?get-draft=true"), 200)
	m = c.json(c.post("/wiki/api/v2/pages?root-level=true", `{"spaceId":"`+eng+`","title":"Orphan","body":{"representation":"storage","value":""}}`), 200)
	if m["parentId"] != nil {
		t.Errorf("root-level page has parent %v", m["parentId"])
	}
	adf := `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"From ADF & friends"}]}]}`
	req, _ = json.Marshal(map[string]any{"spaceId": eng, "title": "ADF page", "body": map[string]any{"representation": "atlas_doc_format", "value": adf}})
	m = c.json(c.post("/wiki/api/v2/pages", string(req)), 200)
	got = c.json(c.get("/wiki/api/v2/pages/"+m["id"].(string)+"?body-format=atlas_doc_format"), 200)
	if got["body"].(map[string]any)["atlas_doc_format"].(map[string]any)["value"] != adf {
		t.Error("ADF not verbatim")
	}
	got = c.json(c.get("/wiki/api/v2/pages/"+m["id"].(string)+"?body-format=storage"), 200)
	if got["body"].(map[string]any)["storage"].(map[string]any)["value"] != "<p>From ADF &amp; friends</p>" {
		t.Errorf("storage of ADF page %v", got["body"])
	}

	big := `{"spaceId":"` + eng + `","title":"Big","body":{"representation":"storage","value":"<p>` + strings.Repeat("a", 5<<20) + `</p>"}}`
	tests := []struct {
		name, path, body string
		status           int
		code, title      string
	}{
		{"duplicate title", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"Runbooks","body":{"representation":"storage","value":"<p>x</p>"}}`, 400, "BAD_REQUEST", "A page with this title already exists"},
		{"invalid storage", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"Bad","body":{"representation":"storage","value":"<p><strong>x</p>"}}`, 400, "INVALID_REQUEST_PARAMETER", "Error parsing xhtml: Unexpected close tag </p>; expected </strong>"},
		{"unclosed storage", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"Bad","body":{"representation":"storage","value":"<p>x"}}`, 400, "INVALID_REQUEST_PARAMETER", "Error parsing xhtml"},
		{"missing space", "/wiki/api/v2/pages", `{"title":"x"}`, 400, "INVALID_REQUEST_PARAMETER", "spaceId is required"},
		{"unknown space", "/wiki/api/v2/pages", `{"spaceId":"424242","title":"x"}`, 404, "NOT_FOUND", "Space not found"},
		{"bad space id", "/wiki/api/v2/pages", `{"spaceId":"ENG","title":"x"}`, 400, "INVALID_REQUEST_PARAMETER", "spaceId"},
		{"no title", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `"}`, 400, "INVALID_REQUEST_PARAMETER", "Title is required"},
		{"bad status", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"x","status":"archived"}`, 400, "INVALID_REQUEST_PARAMETER", "status"},
		{"unknown parent", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"x","parentId":"77777777"}`, 400, "INVALID_REQUEST_PARAMETER", "parent"},
		{"parent elsewhere", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"x","parentId":"` + c.page("OPS", "Incident response").ID + `"}`, 400, "INVALID_REQUEST_PARAMETER", "not in the space"},
		{"root-level with parent", "/wiki/api/v2/pages?root-level=true", `{"spaceId":"` + eng + `","title":"x","parentId":"` + runbooks + `"}`, 400, "INVALID_REQUEST_PARAMETER", "root-level"},
		{"malformed json", "/wiki/api/v2/pages", `{"spaceId":`, 400, "INVALID_REQUEST_PARAMETER", "Invalid request body"},
		{"wrong type", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":42}`, 400, "INVALID_REQUEST_PARAMETER", "Invalid request body"},
		{"empty body", "/wiki/api/v2/pages", ``, 400, "INVALID_REQUEST_PARAMETER", "missing"},
		{"bad representation", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"x","body":{"representation":"html","value":"<p/>"}}`, 400, "INVALID_REQUEST_PARAMETER", "representation"},
		{"bad adf", "/wiki/api/v2/pages", `{"spaceId":"` + eng + `","title":"x","body":{"representation":"atlas_doc_format","value":"{nope"}}`, 400, "INVALID_REQUEST_PARAMETER", "ADF"},
		{"too large", "/wiki/api/v2/pages", big, 413, "REQUEST_ENTITY_TOO_LARGE", "5 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v2Error(t, c.post(tt.path, tt.body), tt.status, tt.code, tt.title)
		})
	}
}

func TestConfluenceHierarchy(t *testing.T) {
	c := newConfClient(t)
	home := c.srv.ConfluenceSpaces()[0].HomepageID
	runbooks := c.page("ENG", "Runbooks").ID
	fo := c.page("ENG", "Database failover runbook").ID
	m := c.json(c.get("/wiki/api/v2/pages/"+fo+"/ancestors"), 200)
	var ids []string
	for _, r := range results(m) {
		ids = append(ids, r["id"].(string))
	}
	if !slices.Equal(ids, []string{home, runbooks}) {
		t.Errorf("ancestors %v, want top to bottom %v", ids, []string{home, runbooks})
	}
	m = c.json(c.get("/wiki/api/v2/pages/"+fo+"/ancestors?limit=1"), 200)
	if rs := results(m); len(rs) != 1 || rs[0]["id"] != runbooks {
		t.Errorf("ancestors limit 1: %v", rs)
	}
	v2Error(t, c.get("/wiki/api/v2/pages/"+fo+"/ancestors?limit=0"), 400, "INVALID_REQUEST_PARAMETER", "limit")

	// direct-children of the ENG homepage, two at a time.
	path := "/wiki/api/v2/pages/" + home + "/direct-children?limit=2"
	var titles []string
	for hops := 0; path != ""; hops++ {
		h := c.get(path)
		m := c.json(h, 200)
		for _, r := range results(m) {
			if r["spaceId"] != c.spaceID("ENG") || r["status"] != "current" {
				t.Errorf("child %v", r)
			}
			titles = append(titles, r["type"].(string)+":"+r["title"].(string))
		}
		next, _ := m["_links"].(map[string]any)["next"].(string)
		if next != "" {
			if !strings.HasPrefix(next, "/wiki/api/v2/pages/"+home+"/direct-children?") {
				t.Fatalf("next %q lacks /wiki", next)
			}
			link := h.Header.Get("Link")
			if link != "<"+next+`>; rel="next", <https://acme-demo.atlassian.net/wiki>; rel="base"` {
				t.Fatalf("Link header %q", link)
			}
		} else if h.Header.Get("Link") != "" {
			t.Error("Link header on the last page")
		}
		path = next
	}
	want := []string{"page:Architecture Decision Records", "page:Runbooks", "page:Onboarding guide for engineers", "page:Coding standards",
		"page:Release notes", "page:Service catalogue", "page:Q1 roadmap", "folder:Archive"}
	if !slices.Equal(titles, want) {
		t.Errorf("children %q\nwant %q", titles, want)
	}
	m = c.json(c.get("/wiki/api/v2/pages/"+runbooks+"/children?sort=-child-position"), 200)
	titles = nil
	for _, r := range results(m) {
		if _, ok := r["type"]; ok {
			t.Error("deprecated children carry no type")
		}
		titles = append(titles, r["title"].(string))
	}
	if !slices.Equal(titles, []string{"Rotating TLS certificates", "Deploying to production", "Database failover runbook"}) {
		t.Errorf("children %v", titles)
	}
	// descendants: depth-first, two levels by default.
	m = c.json(c.get("/wiki/api/v2/pages/"+home+"/descendants?limit=250"), 200)
	var depths []string
	for _, r := range results(m) {
		depths = append(depths, strconv.Itoa(int(r["depth"].(float64)))+":"+r["title"].(string))
	}
	if len(depths) != 17 || depths[16] != "2:Legacy deploy process" || depths[0] != "1:Architecture Decision Records" || depths[1] != "2:ADR-001: Use PostgreSQL for the primary store" {
		t.Errorf("descendants %v", depths)
	}
	m = c.json(c.get("/wiki/api/v2/pages/"+home+"/descendants?depth=1"), 200)
	if len(results(m)) != 8 {
		t.Errorf("depth 1: %d", len(results(m)))
	}
	// The deprecated children list has pages only; a page in a folder has
	// the folder among its ancestors; a folder is not a page.
	m = c.json(c.get("/wiki/api/v2/pages/"+home+"/children?limit=250"), 200)
	if len(results(m)) != 7 {
		t.Errorf("children (pages only): %d", len(results(m)))
	}
	legacy := c.page("ENG", "Legacy deploy process")
	folder := c.page("ENG", "Archive")
	anc := results(c.json(c.get("/wiki/api/v2/pages/"+legacy.ID+"/ancestors"), 200))
	if len(anc) != 2 || anc[1]["id"] != folder.ID || anc[1]["type"] != "folder" {
		t.Errorf("ancestors through a folder %v", anc)
	}
	if pg := c.json(c.get("/wiki/api/v2/pages/"+legacy.ID), 200); pg["parentType"] != "folder" {
		t.Errorf("parentType %v", pg["parentType"])
	}
	v2Error(t, c.get("/wiki/api/v2/pages/"+folder.ID), 404, "NOT_FOUND", "Not Found")
	v2Error(t, c.get("/wiki/api/v2/pages/"+home+"/descendants?depth=11"), 400, "INVALID_REQUEST_PARAMETER", "depth")
	v2Error(t, c.get("/wiki/api/v2/pages/"+home+"/direct-children?cursor=garbage"), 400, "INVALID_REQUEST_PARAMETER", "cursor")
	v2Error(t, c.get("/wiki/api/v2/pages/123456789/direct-children"), 404, "NOT_FOUND", "Not Found")
}

func TestConfluenceLabels(t *testing.T) {
	c := newConfClient(t)
	p := c.page("TEAM", "Expense policy")
	m := c.json(c.get("/wiki/api/v2/pages/"+p.ID+"/labels?limit=2"), 200)
	if len(results(m)) != 2 {
		t.Fatalf("labels %v", m)
	}
	next := m["_links"].(map[string]any)["next"].(string)
	m2 := c.json(c.get(next), 200)
	if rs := results(m2); len(rs) != 1 || rs[0]["name"] != "expenses" {
		t.Fatalf("second label page %v", rs)
	}
	// v1 add: array, single object, duplicates kept once.
	m = c.json(c.post("/wiki/rest/api/content/"+p.ID+"/label", `[{"prefix":"global","name":"Reimbursement"},{"prefix":"global","name":"finance"}]`), 200)
	if m["size"] != 4.0 {
		t.Fatalf("after add %v", m)
	}
	m = c.json(c.post("/wiki/rest/api/content/"+p.ID+"/label", `{"prefix":"team","name":"people-ops"}`), 200)
	var names []string
	for _, r := range results(m) {
		names = append(names, r["prefix"].(string)+":"+r["name"].(string))
	}
	if !slices.Equal(names, []string{"global:policy", "global:finance", "global:expenses", "global:reimbursement", "team:people-ops"}) {
		t.Errorf("labels %v", names)
	}
	if titles := searchTitles(c, "label = reimbursement"); !slices.Equal(titles, []string{"Expense policy"}) {
		t.Errorf("search by new label %v", titles)
	}
	m = c.json(c.get("/wiki/api/v2/pages/"+p.ID+"/labels?prefix=team"), 200)
	if rs := results(m); len(rs) != 1 || rs[0]["name"] != "people-ops" {
		t.Errorf("team labels %v", rs)
	}
	// v1 remove (not deprecated: v2 has no label writes).
	h := do(t, http.MethodDelete, c.srv.ConfluenceBaseURL()+"/wiki/rest/api/content/"+p.ID+"/label/reimbursement", c.token, "", "")
	if h.Status != 204 {
		t.Fatalf("delete label: %d %s", h.Status, h.Body)
	}
	h = do(t, http.MethodDelete, c.srv.ConfluenceBaseURL()+"/wiki/rest/api/content/"+p.ID+"/label?name=people-ops", c.token, "", "")
	if h.Status != 204 {
		t.Fatalf("delete label by name: %d %s", h.Status, h.Body)
	}
	if titles := searchTitles(c, "label = reimbursement"); len(titles) != 0 {
		t.Errorf("removed label still found: %v", titles)
	}
	v1Error(t, do(t, http.MethodDelete, c.srv.ConfluenceBaseURL()+"/wiki/rest/api/content/"+p.ID+"/label/nope", c.token, "", ""), 404, "NotFoundException")
	tests := []struct {
		name, id, body string
		status         int
		msg            string
	}{
		{"space in name", p.ID, `[{"prefix":"global","name":"two words"}]`, 400, "contains invalid characters"},
		{"bad char", p.ID, `{"prefix":"global","name":"a&b"}`, 400, "contains invalid characters"},
		{"no prefix", p.ID, `[{"name":"x"}]`, 400, "prefix is required"},
		{"system prefix", p.ID, `[{"prefix":"system","name":"x"}]`, 400, "Invalid label prefix"},
		{"empty name", p.ID, `[{"prefix":"global","name":""}]`, 400, "name is required"},
		{"malformed", p.ID, `[{"prefix":`, 400, "Could not parse"},
		{"wrong type", p.ID, `"policy"`, 400, "Could not parse"},
		{"unknown content", "987654321", `[{"prefix":"global","name":"x"}]`, 404, "No content found with id: ContentId{id=987654321}"},
		{"bad id", "abc", `[{"prefix":"global","name":"x"}]`, 400, "Content id is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v1Error(t, c.post("/wiki/rest/api/content/"+tt.id+"/label", tt.body), tt.status, tt.msg)
		})
	}
}

func TestConfluenceSpaces(t *testing.T) {
	c := newConfClient(t)
	m := c.json(c.get("/wiki/api/v2/spaces?keys=OPS,ENG"), 200)
	rs := results(m)
	if len(rs) != 2 || rs[0]["key"] != "ENG" || rs[1]["key"] != "OPS" {
		t.Fatalf("spaces by key %v", rs)
	}
	if rs[0]["name"] != "Engineering" || rs[0]["type"] != "global" || rs[0]["status"] != "current" || rs[0]["homepageId"] == "" ||
		rs[0]["_links"].(map[string]any)["webui"] != "/spaces/ENG" {
		t.Errorf("space %v", rs[0])
	}
	m = c.json(c.get("/wiki/api/v2/spaces?type=personal"), 200)
	if rs := results(m); len(rs) != 1 || !strings.HasPrefix(rs[0]["key"].(string), "~") {
		t.Errorf("personal %v", rs)
	}
	id := c.spaceID("TEAM")
	m = c.json(c.get("/wiki/api/v2/spaces/"+id+"?description-format=plain"), 200)
	if m["key"] != "TEAM" || !strings.Contains(mustJSON(m["description"]), "Policies") {
		t.Errorf("space %v", m)
	}
	v2Error(t, c.get("/wiki/api/v2/spaces/99999999"), 404, "NOT_FOUND", "Not Found")
	v2Error(t, c.get("/wiki/api/v2/spaces/ENG"), 400, "INVALID_REQUEST_PARAMETER", "SpaceId")
	v2Error(t, c.get("/wiki/api/v2/spaces?limit=0"), 400, "INVALID_REQUEST_PARAMETER", "limit")
	v2Error(t, c.get("/wiki/api/v2/spaces?limit=251"), 400, "INVALID_REQUEST_PARAMETER", "limit")
	v2Error(t, c.get("/wiki/api/v2/spaces?limit=ten"), 400, "INVALID_REQUEST_PARAMETER", "limit")
	v2Error(t, c.get("/wiki/api/v2/spaces?type=team"), 400, "INVALID_REQUEST_PARAMETER", "type")
	v2Error(t, c.get("/wiki/api/v2/spaces?sort=size"), 400, "INVALID_REQUEST_PARAMETER", "sort")
}

func TestConfluenceSpacesPagingGenerated(t *testing.T) {
	c := newConfClient(t, WithGeneratedSite(SiteSpec{Spaces: 300, Pages: 600, Seed: 7}))
	path := "/wiki/api/v2/spaces?limit=250"
	var ids []string
	for hops := 0; path != ""; hops++ {
		if hops > 3 {
			t.Fatal("paging does not end")
		}
		m := c.json(c.get(path), 200)
		for _, r := range results(m) {
			ids = append(ids, r["id"].(string))
		}
		path, _ = m["_links"].(map[string]any)["next"].(string)
	}
	if len(ids) != 300 {
		t.Fatalf("%d spaces", len(ids))
	}
	if !slices.IsSortedFunc(ids, func(a, b string) int {
		if idLess(a, b) {
			return -1
		}
		return 1
	}) {
		t.Error("spaces not sorted by id")
	}
	// The generated site is searchable and deterministic.
	a := searchTitles(c, "space = S001 ORDER BY title")
	c2 := newConfClient(t, WithGeneratedSite(SiteSpec{Spaces: 300, Pages: 600, Seed: 7}))
	if b := searchTitles(c2, "space = S001 ORDER BY title"); !slices.Equal(a, b) || len(a) != 4 || a[1] != "space:Platform 1" {
		t.Errorf("generated S001: %v vs %v", a, b)
	}
}

func TestConfluenceGoneAndScopes(t *testing.T) {
	c := newConfClient(t)
	for _, path := range []string{"/wiki/rest/api/content/123", "/wiki/rest/api/content?spaceKey=ENG", "/wiki/rest/api/space", "/wiki/rest/api/space/ENG", "/wiki/rest/api/content/123/child/page"} {
		v1Error(t, c.get(path), 410, "GoneException: This deprecated endpoint has been removed")
	}
	v1Error(t, do(t, http.MethodPut, c.srv.ConfluenceBaseURL()+"/wiki/rest/api/content/123", c.token, "application/json", "{}"), 410, "GoneException")
	// /user/current survives on the gateway.
	me := c.json(c.get("/wiki/rest/api/user/current"), 200)
	if me["accountId"] != c.srv.users[0].AccountID || me["displayName"] != "Alex Morgan" || me["type"] != "known" {
		t.Errorf("current user %v", me)
	}
	// A token with only classic scopes cannot use v2.
	classic := c.srv.IssueToken("search:confluence", "write:confluence-content").AccessToken
	h := do(t, http.MethodGet, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/spaces", classic, "", "")
	if h.Status != 401 || !strings.Contains(h.Body, "scope does not match") {
		t.Errorf("classic token on v2: %d %s", h.Status, h.Body)
	}
	h = do(t, http.MethodGet, c.srv.ConfluenceBaseURL()+"/wiki/rest/api/search?cql=type%3Dpage", classic, "", "")
	if h.Status != 200 {
		t.Errorf("classic token on search: %d %s", h.Status, h.Body)
	}
	granular := c.srv.IssueToken("read:page:confluence").AccessToken
	h = do(t, http.MethodGet, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/pages/"+c.page("ENG", "Runbooks").ID+"/direct-children", granular, "", "")
	if h.Status != 401 {
		t.Errorf("direct-children without read:hierarchical-content: %d", h.Status)
	}
}

func TestParseStorage(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
		text       string
	}{
		{"empty", "", true, ""},
		{"ac link not auto-closed", `<p><ac:link><ri:page ri:content-title="A"/><ac:plain-text-link-body><![CDATA[go]]></ac:plain-text-link-body></ac:link></p>`, true, "go"},
		{"html entities", `<p>a&nbsp;b&mdash;c &amp; &lt;d&gt;</p>`, true, "a b\u2014c & <d>"},
		{"split cdata", `<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a]]]]><![CDATA[>b]]></ac:plain-text-body></ac:structured-macro>`, true, "a]]>b"},
		{"parameters are not text", `<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">T</ac:parameter><ac:rich-text-body><p>x</p></ac:rich-text-body></ac:structured-macro>`, true, "x"},
		{"several roots", `<p>a</p><p>b</p>`, true, "a b"},
		{"mismatched", `<p><em>x</p></em>`, false, ""},
		{"unclosed", `<p>x`, false, ""},
		{"stray close", `</p>`, false, ""},
		{"escape the wrapper", `</sbx-root><sbx-root>`, false, ""},
		{"unknown entity", `<p>&bogus;</p>`, false, ""},
		{"bare ampersand", `<p>a & b</p>`, false, ""},
		{"unquoted attribute", `<p class=x>y</p>`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := parseStorage(tt.body)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "Error parsing xhtml: ") {
					t.Errorf("message %q", err)
				}
				return
			}
			if got := extractFacts(root).Text; got != tt.text {
				t.Errorf("text %q, want %q", got, tt.text)
			}
		})
	}
}

func FuzzParseStorage(f *testing.F) {
	for _, p := range seedPages() {
		f.Add(p.body)
	}
	f.Add(`<p>&nbsp;<ac:link><ri:user ri:account-id="x"/></ac:link></p>`)
	f.Fuzz(func(t *testing.T, body string) {
		root, err := parseStorage(body)
		if err != nil {
			return
		}
		_ = extractFacts(root)
		out := storageToADF(root, func(string) string { return "U" })
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("ADF is not JSON: %v", err)
		}
	})
}

// BenchmarkConfluenceSearch measures server time for a 25-result CQL search
// over a generated site of 5,000 pages, in-process (no network).
func BenchmarkConfluenceSearch(b *testing.B) {
	srv := NewServer(WithoutRateLimits(), WithGeneratedSite(SiteSpec{Spaces: 50, Pages: 5000, Seed: 1}))
	defer srv.Close()
	token := srv.IssueToken().AccessToken
	for _, q := range []string{
		`type = page AND space = S007 ORDER BY lastmodified DESC`,
		`text ~ "deploy" AND label = runbook`,
		`type = page ORDER BY created DESC`,
	} {
		b.Run(q, func(b *testing.B) {
			u := "/ex/confluence/" + srv.CloudID + "/wiki/rest/api/search?limit=25&cql=" + url.QueryEscape(q)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := newDiscardRecorder()
				srv.Handler().ServeHTTP(rec, req)
				if rec.status != 200 {
					b.Fatalf("status %d", rec.status)
				}
			}
			// CPU time per search: the server's cost even when the machine is busy.
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkConfluenceGetPage measures a v2 page get with its storage body.
func BenchmarkConfluenceGetPage(b *testing.B) {
	srv := NewServer(WithoutRateLimits())
	defer srv.Close()
	token := srv.IssueToken().AccessToken
	p, _ := srv.ConfluencePageByTitle("ENG", "Database failover runbook")
	u := "/ex/confluence/" + srv.CloudID + "/wiki/api/v2/pages/" + p.ID + "?body-format=storage"
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := newDiscardRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.status != 200 {
			b.Fatalf("status %d", rec.status)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

// discardRecorder is a ResponseWriter that keeps only the status.
type discardRecorder struct {
	h      http.Header
	status int
}

func newDiscardRecorder() *discardRecorder { return &discardRecorder{h: http.Header{}} }

func (r *discardRecorder) Header() http.Header { return r.h }
func (r *discardRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return len(b), nil
}
func (r *discardRecorder) WriteHeader(s int) { r.status = s }

func TestConfluenceUpdatePage(t *testing.T) {
	c := newConfClient(t)
	p := c.page("OPS", "Disk space alerts")
	put := func(body string) httpResult {
		return do(t, http.MethodPut, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/pages/"+p.ID, c.token, "application/json", body)
	}
	upd := func(version int, title, parent string) string {
		m := map[string]any{"id": p.ID, "status": "current", "title": title, "version": map[string]any{"number": version, "message": "edit"},
			"body": map[string]any{"representation": "storage", "value": "<p>Updated <strong>now</strong>.</p>"}}
		if parent != "" {
			m["parentId"] = parent
		}
		return mustJSON(m)
	}
	cur := int(c.json(c.get("/wiki/api/v2/pages/"+p.ID), 200)["version"].(map[string]any)["number"].(float64))
	m := c.json(put(upd(cur+1, "Disk space alerts (v2)", "")), 200)
	if m["title"] != "Disk space alerts (v2)" || m["version"].(map[string]any)["number"] != float64(cur+1) {
		t.Fatalf("updated %v", m)
	}
	got, _ := c.srv.ConfluencePage(p.ID)
	if got.Body != "<p>Updated <strong>now</strong>.</p>" || got.Version != cur+1 {
		t.Errorf("stored %+v", got)
	}
	v2Error(t, put(upd(cur+1, "x", "")), 409, "CONFLICT",
		"Version must be incremented when updating a page. Current Version: ["+strconv.Itoa(cur+1)+"]. Provided version: ["+strconv.Itoa(cur+1)+"]")
	// Move under Incident response: ancestors and CQL follow.
	ir := c.page("OPS", "Incident response").ID
	c.json(put(upd(cur+2, "Disk space alerts (v2)", ir)), 200)
	anc := results(c.json(c.get("/wiki/api/v2/pages/"+p.ID+"/ancestors"), 200))
	if len(anc) != 2 || anc[1]["id"] != ir {
		t.Errorf("ancestors after move %v", anc)
	}
	if titles := searchTitles(c, "ancestor = "+ir+" ORDER BY title"); !slices.Contains(titles, "Disk space alerts (v2)") {
		t.Errorf("ancestor search after move %v", titles)
	}
	if titles := searchTitles(c, "parent = "+c.page("OPS", "Operational runbooks").ID); slices.Contains(titles, "Disk space alerts (v2)") {
		t.Errorf("still under the old parent %v", titles)
	}
	tests := []struct {
		name, body  string
		status      int
		code, title string
	}{
		{"id mismatch", `{"id":"1","status":"current","title":"x","body":{"representation":"storage","value":""},"version":{"number":9}}`, 400, "INVALID_REQUEST_PARAMETER", "must match"},
		{"duplicate title", upd(cur+3, "Severity levels", ""), 400, "BAD_REQUEST", "already exists"},
		{"no version", `{"id":"` + p.ID + `","status":"current","title":"x","body":{"representation":"storage","value":""}}`, 400, "INVALID_REQUEST_PARAMETER", "version is required"},
		{"bad storage", `{"id":"` + p.ID + `","status":"current","title":"x","body":{"representation":"storage","value":"<p>"},"version":{"number":9}}`, 400, "INVALID_REQUEST_PARAMETER", "Error parsing xhtml"},
		{"under itself", upd(cur+3, "Disk space alerts (v2)", p.ID), 400, "INVALID_REQUEST_PARAMETER", "under itself"},
		{"back to draft", `{"id":"` + p.ID + `","status":"draft","title":"x","body":{"representation":"storage","value":""},"version":{"number":` + strconv.Itoa(cur+3) + `}}`, 400, "INVALID_REQUEST_PARAMETER", "draft"},
		{"malformed", `{"id":`, 400, "INVALID_REQUEST_PARAMETER", "Invalid request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v2Error(t, put(tt.body), tt.status, tt.code, tt.title)
		})
	}
	v2Error(t, do(t, http.MethodPut, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/pages/987654321", c.token, "application/json",
		`{"id":"987654321","status":"current","title":"x","body":{"representation":"storage","value":""},"version":{"number":2}}`), 404, "NOT_FOUND", "Not Found")
}

func TestConfluenceConcurrentWritesAndSearches(t *testing.T) {
	c := newConfClient(t)
	eng := c.spaceID("ENG")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				title := "Concurrent " + strconv.Itoa(g) + "-" + strconv.Itoa(i)
				h := c.post("/wiki/api/v2/pages", `{"spaceId":"`+eng+`","title":"`+title+`","body":{"representation":"storage","value":"<p>parallel</p>"}}`)
				if h.Status != 200 {
					errs <- h.Body
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if h := c.get("/wiki/rest/api/search?cql=" + url.QueryEscape(`text ~ parallel`)); h.Status != 200 {
					errs <- h.Body
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	m := c.json(c.get("/wiki/rest/api/search?limit=100&cql="+url.QueryEscape(`text ~ parallel`)), 200)
	if m["totalSize"] != 40.0 {
		t.Errorf("totalSize %v, want 40", m["totalSize"])
	}
}

// BenchmarkGenerateConfluence measures building a large site: 250 spaces
// and 10,000 pages.
func BenchmarkGenerateConfluence(b *testing.B) {
	for b.Loop() {
		srv := NewServer(WithProducts(Confluence), WithoutRateLimits(), WithGeneratedSite(SiteSpec{Spaces: 250, Pages: 10000}))
		srv.Close()
	}
}

// FuzzConfluenceCreatePage posts arbitrary bodies: the answer is always a
// Confluence status with a JSON body, never a 500 or a panic.
func FuzzConfluenceCreatePage(f *testing.F) {
	srv := NewServer(WithoutRateLimits(), WithProducts(Confluence))
	defer srv.Close()
	token := srv.IssueToken().AccessToken
	eng, _ := srv.ConfluenceSpaceByKey("ENG")
	for _, s := range []string{
		`{"spaceId":"` + eng.ID + `","title":"T","body":{"representation":"storage","value":"<p>x</p>"}}`,
		`{"spaceId":` + eng.ID + `,"status":"draft"}`, `[]`, `null`, `{"spaceId":"1e3"}`,
		`{"spaceId":"` + eng.ID + `","title":"T","parentId":"98313","body":{"representation":"atlas_doc_format","value":"{\"type\":\"doc\"}"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, "/ex/confluence/"+srv.CloudID+"/wiki/api/v2/pages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 404, 413:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON: %s", rec.Body.String())
		}
	})
}

// FuzzConfluenceSearch sends arbitrary CQL and cursors through the search.
func FuzzConfluenceSearch(f *testing.F) {
	srv := NewServer(WithoutRateLimits(), WithProducts(Confluence))
	defer srv.Close()
	token := srv.IssueToken().AccessToken
	f.Add(`type = page AND text ~ "runbook*" ORDER BY title`, "", "5")
	f.Add(`space IN (ENG, OPS) AND NOT label = policy`, "eyJvZmZzZXQiOjMsImtpbmQiOiJzZWFyY2gifQ", "abc")
	f.Add(`type = space`, "%%%", "-1")
	f.Fuzz(func(t *testing.T, cql, cursor, limit string) {
		q := url.Values{"cql": {cql}, "cursor": {cursor}, "limit": {limit}}
		req, _ := http.NewRequest(http.MethodGet, "/ex/confluence/"+srv.CloudID+"/wiki/rest/api/search?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 400 {
			t.Fatalf("status %d for %q: %s", rec.Code, cql, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON: %s", rec.Body.String())
		}
	})
}

func TestConfluenceBlogPostsFoldersSpacePages(t *testing.T) {
	c := newConfClient(t)
	blog := c.page("ENG", "Engineering all-hands recap")
	m := c.json(c.get("/wiki/api/v2/blogposts/"+blog.ID+"?body-format=storage"), 200)
	if m["title"] != blog.Title || m["body"].(map[string]any)["storage"].(map[string]any)["value"] != blog.Body {
		t.Errorf("blog post %v", m)
	}
	if _, ok := m["parentId"]; ok {
		t.Error("blog posts have no parent")
	}
	if !strings.HasPrefix(m["_links"].(map[string]any)["webui"].(string), "/spaces/ENG/blog/") {
		t.Errorf("blog webui %v", m["_links"])
	}
	runbooks := c.page("ENG", "Runbooks").ID
	v2Error(t, c.get("/wiki/api/v2/blogposts/"+runbooks), 404, "NOT_FOUND", "Not Found")
	m = c.json(c.get("/wiki/api/v2/blogposts?space-id="+c.spaceID("ENG")), 200)
	if rs := results(m); len(rs) != 1 || rs[0]["id"] != blog.ID {
		t.Errorf("blog list %v", rs)
	}
	folder := c.page("ENG", "Archive")
	m = c.json(c.get("/wiki/api/v2/folders/"+folder.ID), 200)
	if m["type"] != "folder" || m["title"] != "Archive" || m["parentId"] != c.spaceHome("ENG") {
		t.Errorf("folder %v", m)
	}
	if _, ok := m["body"]; ok {
		t.Error("folders have no body")
	}
	v2Error(t, c.get("/wiki/api/v2/folders/"+runbooks), 404, "NOT_FOUND", "Not Found")

	// Pages of a space: all of them, or only the top of the tree.
	m = c.json(c.get("/wiki/api/v2/spaces/"+c.spaceID("OPS")+"/pages?limit=250"), 200)
	if n := len(results(m)); n != 9 {
		t.Errorf("OPS pages %d", n)
	}
	m = c.json(c.get("/wiki/api/v2/spaces/"+c.spaceID("OPS")+"/pages?depth=root"), 200)
	if rs := results(m); len(rs) != 1 || rs[0]["title"] != "Operations Home" {
		t.Errorf("OPS root pages %v", rs)
	}
	m = c.json(c.get("/wiki/api/v2/spaces/"+c.spaceID("OPS")+"/pages?limit=2"), 200)
	if next, _ := m["_links"].(map[string]any)["next"].(string); !strings.HasPrefix(next, "/wiki/api/v2/spaces/"+c.spaceID("OPS")+"/pages?") {
		t.Errorf("next %q", next)
	}
	v2Error(t, c.get("/wiki/api/v2/spaces/424242/pages"), 404, "NOT_FOUND", "Not Found")
	v2Error(t, c.get("/wiki/api/v2/spaces/OPS/pages"), 400, "INVALID_REQUEST_PARAMETER", "SpaceId")
	v2Error(t, c.get("/wiki/api/v2/spaces/"+c.spaceID("OPS")+"/pages?depth=2"), 400, "INVALID_REQUEST_PARAMETER", "depth")
}

func (c *confClient) spaceHome(key string) string {
	sp, _ := c.srv.ConfluenceSpaceByKey(key)
	return sp.HomepageID
}

func TestAddConfluencePage(t *testing.T) {
	c := newConfClient(t)
	id, err := c.srv.AddConfluencePage("TEAM", "", "Seeded by a test", "<p>Fixture text quokka</p>", "Fixture", "qa")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := c.srv.ConfluencePage(id)
	if !ok || p.SpaceKey != "TEAM" || p.ParentID != c.spaceHome("TEAM") || !slices.Equal(p.Labels, []string{"fixture", "qa"}) || p.Version != 1 {
		t.Fatalf("page %+v", p)
	}
	if titles := searchTitles(c, `text ~ quokka AND label = fixture`); !slices.Equal(titles, []string{"Seeded by a test"}) {
		t.Errorf("search %v", titles)
	}
	for _, bad := range []struct{ space, parent, body string }{
		{"NOPE", "", "<p/>"},
		{"TEAM", "", "<p>"},
		{"TEAM", c.page("ENG", "Runbooks").ID, "<p/>"},
	} {
		if _, err := c.srv.AddConfluencePage(bad.space, bad.parent, "x", bad.body); err == nil {
			t.Errorf("AddConfluencePage(%q, %q, %q) succeeded", bad.space, bad.parent, bad.body)
		}
	}
}

// TestConfluenceSearchMatchesFullScan checks that the search's shortcuts
// (the spaces a query names, the inverted word index) return exactly what
// evaluating the query on every piece of content returns.
func TestConfluenceSearchMatchesFullScan(t *testing.T) {
	c := newConfClient(t, WithGeneratedSite(SiteSpec{Spaces: 12, Pages: 800, Seed: 3}))
	// An update and a label add must move content between posting lists.
	p := c.page("S002", firstTitle(c, "S002"))
	cur, _ := c.srv.ConfluencePage(p.ID)
	h := do(t, http.MethodPut, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/pages/"+p.ID, c.token, "application/json",
		`{"id":"`+p.ID+`","status":"current","title":"`+cur.Title+`","version":{"number":`+strconv.Itoa(cur.Version+1)+`},"body":{"representation":"storage","value":"<p>zeppelin only</p>"}}`)
	if h.Status != 200 {
		t.Fatal(h.Body)
	}
	c.json(c.post("/wiki/rest/api/content/"+p.ID+"/label", `{"prefix":"global","name":"airship"}`), 200)
	for _, q := range []string{
		`text ~ deploy`, `text ~ "deploy database" AND space = S002`, `title ~ release AND text ~ notes`,
		`space IN (S001, S003) AND label = runbook`, `text ~ nonexistentword`, `text ~ deploy OR label = adr`,
		`text ~ zeppelin`, `text ~ airship`, `text ~ "\"page covers\"" AND space = S004 ORDER BY title`,
		`type = page AND text ~ "billing" ORDER BY created DESC`, `space = s005 AND text ~ "deploy*"`,
	} {
		t.Run(q, func(t *testing.T) {
			m := c.json(c.get("/wiki/rest/api/search?limit=1000&excerpt=none&cql="+url.QueryEscape(q)), 200)
			var got []string
			for _, r := range results(m) {
				if content, ok := r["content"].(map[string]any); ok {
					got = append(got, content["id"].(string))
				} else {
					got = append(got, "space:"+r["space"].(map[string]any)["key"].(string))
				}
			}
			parsed, err := cql.Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			mt, _ := parsed.Compile(cql.Env{Now: c.srv.now(), CurrentUser: c.srv.users[0].AccountID})
			c.srv.mu.Lock()
			st := c.srv.confluence()
			var hits []*cql.Doc
			for _, sp := range st.spaces {
				if mt.Match(sp.doc) {
					hits = append(hits, sp.doc)
				}
			}
			for _, p := range st.ordered {
				if p.Status == "current" && mt.Match(p.doc) {
					hits = append(hits, p.doc)
				}
			}
			c.srv.mu.Unlock()
			mt.Sort(hits)
			var want []string
			for _, d := range hits {
				if d.Type == "space" {
					want = append(want, "space:"+d.SpaceKey)
				} else {
					want = append(want, d.ID)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("search %v\nfull scan %v", got, want)
			}
			if q == `text ~ zeppelin` || q == `text ~ airship` {
				if len(got) != 1 || got[0] != p.ID {
					t.Errorf("updated page not found by its new words: %v", got)
				}
			}
		})
	}
}

func firstTitle(c *confClient, key string) string {
	m := c.json(c.get("/wiki/rest/api/search?limit=1&cql="+url.QueryEscape("type = page AND space = "+key+" ORDER BY id DESC")), 200)
	return results(m)[0]["content"].(map[string]any)["title"].(string)
}

func TestConfluenceDeletePage(t *testing.T) {
	c := newConfClient(t)
	del := func(path string) httpResult {
		return do(t, http.MethodDelete, c.srv.ConfluenceBaseURL()+path, c.token, "", "")
	}
	adrs := c.page("ENG", "Architecture Decision Records")
	home := c.spaceHome("ENG")
	if h := del("/wiki/api/v2/pages/" + adrs.ID); h.Status != 204 {
		t.Fatalf("trash: %d %s", h.Status, h.Body)
	}
	v2Error(t, c.get("/wiki/api/v2/pages/"+adrs.ID), 404, "NOT_FOUND", "Not Found")
	if m := c.json(c.get("/wiki/api/v2/pages/"+adrs.ID+"?status=trashed"), 200); m["status"] != "trashed" {
		t.Errorf("trashed page %v", m["status"])
	}
	// Its children moved up to the homepage; search no longer finds it.
	adr1 := c.page("ENG", "ADR-001: Use PostgreSQL for the primary store")
	if adr1.ParentID != home {
		t.Errorf("child parent %s, want %s", adr1.ParentID, home)
	}
	if titles := searchTitles(c, `title = "Architecture Decision Records"`); len(titles) != 0 {
		t.Errorf("trashed page still searchable: %v", titles)
	}
	if titles := searchTitles(c, "ancestor = "+adrs.ID); len(titles) != 0 {
		t.Errorf("ancestor search still sees the trashed page: %v", titles)
	}
	v2Error(t, del("/wiki/api/v2/pages/"+adrs.ID), 400, "INVALID_REQUEST_PARAMETER", "purge=true")
	if h := del("/wiki/api/v2/pages/" + adrs.ID + "?purge=true"); h.Status != 204 {
		t.Fatalf("purge: %d %s", h.Status, h.Body)
	}
	v2Error(t, c.get("/wiki/api/v2/pages/"+adrs.ID+"?status=trashed"), 404, "NOT_FOUND", "Not Found")
	if _, ok := c.srv.ConfluencePage(adrs.ID); ok {
		t.Error("purged page still stored")
	}
	v2Error(t, del("/wiki/api/v2/pages/"+home), 400, "INVALID_REQUEST_PARAMETER", "homepage")
	v2Error(t, del("/wiki/api/v2/pages/123456789"), 404, "NOT_FOUND", "Not Found")
	// A token without delete:page:confluence cannot delete.
	ro := c.srv.IssueToken("read:page:confluence").AccessToken
	if h := do(t, http.MethodDelete, c.srv.ConfluenceBaseURL()+"/wiki/api/v2/pages/"+adr1.ID, ro, "", ""); h.Status != 401 {
		t.Errorf("delete without scope: %d", h.Status)
	}
}
