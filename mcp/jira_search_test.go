package mcp

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

const searchTool = "atlassian_jira_search"

// searchPage calls the search tool and decodes its answer.
func (h *harness) searchPage(args map[string]any) jiraSearchResult {
	h.t.Helper()
	var res jiraSearchResult
	h.callOK(searchTool, args, &res)
	return res
}

// restKeys lists the keys matching jql straight from the REST client.
func restKeys(t *testing.T, j *atlassian.JiraClient, jql string) []string {
	t.Helper()
	var keys []string
	for is, err := range j.Search.All(context.Background(), &atlassian.SearchOptions{JQL: jql, MaxResults: 100, Fields: []string{"status"}}) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, is.Key)
	}
	return keys
}

func issueKeys(is []jiraSearchIssue) []string {
	out := make([]string, len(is))
	for i, x := range is {
		out[i] = x.Key
	}
	return out
}

func TestJiraSearchDefaults(t *testing.T) {
	h := newHarness(t)
	res := h.searchPage(map[string]any{"jql": "project = ENG ORDER BY key ASC"})
	if len(res.Issues) != defaultSearchResults {
		t.Fatalf("%d issues, want the default page of %d", len(res.Issues), defaultSearchResults)
	}
	if res.IsLast || res.NextPageToken == "" || res.NextStartAt != defaultSearchResults {
		t.Fatalf("first page: isLast=%v token=%q nextStartAt=%d", res.IsLast, res.NextPageToken, res.NextStartAt)
	}
	if res.ApproximateTotal == nil || *res.ApproximateTotal != 187 {
		t.Fatalf("approximateTotal = %v, want 187 (the seeded ENG issues)", res.ApproximateTotal)
	}
	eng3 := res.Issues[2]
	want := jiraSearchIssue{Key: "ENG-3", Summary: "Login fails with SSO when the email has uppercase letters",
		Status: &jiraStatus{Name: "In Review", Category: "In Progress"}, Type: "Bug", Priority: "Highest", Assignee: "Jordan Lee"}
	if eng3.Key != want.Key || eng3.Summary != want.Summary || *eng3.Status != *want.Status || eng3.Type != want.Type ||
		eng3.Priority != want.Priority || eng3.Assignee != want.Assignee || eng3.Created == "" || eng3.Updated == "" || eng3.Fields != nil {
		t.Fatalf("ENG-3 = %+v, want %+v with dates and no extra fields", eng3, want)
	}
	if _, err := time.Parse(time.RFC3339, eng3.Created); err != nil {
		t.Errorf("created %q is not RFC 3339: %v", eng3.Created, err)
	}
	text := h.callOK(searchTool, map[string]any{"jql": "project = ENG ORDER BY key ASC", "maxResults": 3}, nil)
	for _, s := range []string{"Issues 1-3 of about 187", "ENG-3 [Bug] Login fails", "In Review [In Progress]", "nextPageToken=", "startAt=3"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	// A single page needs no count: the total is exact.
	one := h.searchPage(map[string]any{"jql": "key in (ENG-1, ENG-2)"})
	if !one.IsLast || one.NextPageToken != "" || one.ApproximateTotal != nil || len(one.Issues) != 2 {
		t.Fatalf("single page: %+v", one)
	}
	none := h.callOK(searchTool, map[string]any{"jql": "project = ENG AND summary ~ \"zzzqqq\""}, nil)
	if none != "No issues match." {
		t.Errorf("empty text %q", none)
	}
}

func TestJiraSearchErrors(t *testing.T) {
	h := newHarness(t)
	first := h.searchPage(map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 5})
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"jql missing", map[string]any{}, []string{"parameter jql: is required", "project = ENG"}},
		{"invalid JQL passes Jira's message", map[string]any{"jql": "project = ENG AND status closed"},
			[]string{"parameter jql: Jira rejected the JQL: Error in the JQL Query: ", "Hint: Quote values"}},
		{"unknown project lists valid keys", map[string]any{"jql": "project = XINET"},
			[]string{"The value 'XINET' does not exist for the field 'project'.", "Valid project keys: ENG, OPS, MKT"}},
		{"unknown status lists statuses", map[string]any{"jql": "project = ENG AND status = Doing"},
			[]string{"The value 'Doing' does not exist for the field 'status'.", "In Review", "Investigating"}},
		{"unknown JQL field lists custom fields", map[string]any{"jql": "project = ENG AND \"Story Pts\" > 3"},
			[]string{"Field 'Story Pts' does not exist or you do not have permission to view it.", "as name (N, type) for cf[N]", "Story Points (10016, number)"}},
		{"unbounded", map[string]any{"jql": "order by key desc"},
			[]string{"Unbounded JQL queries are not allowed here. Please add a search restriction to your query.", "project = ENG AND"}},
		{"unknown field", map[string]any{"jql": "project = ENG", "fields": "summary,Story Pts"},
			[]string{`parameter fields: unknown field "Story Pts"; did you mean Story Points (customfield_10016)?`, "Custom fields:"}},
		{"unknown field id", map[string]any{"jql": "project = ENG", "fields": "customfield_99999"},
			[]string{`unknown field "customfield_99999"`, "Sprint (customfield_10020)"}},
		{"maxResults zero", map[string]any{"jql": "project = ENG", "maxResults": 0}, []string{"parameter maxResults: must be between 1 and 100 (got 0)"}},
		{"maxResults too big", map[string]any{"jql": "project = ENG", "maxResults": 101}, []string{"parameter maxResults: must be between 1 and 100 (got 101)"}},
		{"startAt negative", map[string]any{"jql": "project = ENG", "startAt": -1}, []string{"parameter startAt: must be 0 or more"}},
		{"startAt beyond the cap", map[string]any{"jql": "project = ENG", "startAt": maxStartAt + 1},
			[]string{"parameter startAt: may be at most 1000 (got 1001)", "nextPageToken"}},
		{"bad token", map[string]any{"jql": "project = OPS ORDER BY key ASC", "nextPageToken": "abc"},
			[]string{"parameter nextPageToken: is not a token this tool returned"}},
		{"token of another query", map[string]any{"jql": "project = ENG ORDER BY key ASC", "nextPageToken": first.NextPageToken},
			[]string{"parameter nextPageToken: belongs to a different query"}},
		{"token and a different startAt", map[string]any{"jql": "project = OPS ORDER BY key ASC", "nextPageToken": first.NextPageToken, "startAt": 7},
			[]string{"parameter startAt: 7 does not match the nextPageToken, which continues at 5"}},
		{"Jira refuses the inner token", map[string]any{"jql": "project = OPS ORDER BY key ASC",
			"nextPageToken": encodePageToken(pageToken{Jira: "forged", Offset: 5, Hash: jqlHash("project = OPS ORDER BY key ASC"), Issued: time.Now().Unix()})},
			[]string{"parameter nextPageToken: Jira refused it: The provided next page token is invalid or expired."}},
		{"unknown parameter", map[string]any{"jql": "project = ENG", "limit": 5}, []string{"parameter limit: unknown parameter; did you mean maxResults?", `{"maxResults":5}`}},
		{"unknown parameter, no alias", map[string]any{"jql": "project = ENG", "colour": 5}, []string{"parameter colour: unknown parameter", "jql, fields, maxResults, startAt, nextPageToken"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.callErr(searchTool, tt.args)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("error lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestJiraSearchTokenExpires(t *testing.T) {
	h := newHarness(t)
	jql := "project = OPS ORDER BY key ASC"
	first := h.searchPage(map[string]any{"jql": jql, "maxResults": 5})
	if next := h.searchPage(map[string]any{"jql": jql, "nextPageToken": first.NextPageToken, "startAt": 5}); next.StartAt != 5 || next.Issues[0].Key == first.Issues[0].Key {
		t.Fatalf("second page %+v", next)
	}
	h.deps.Now = func() time.Time { return time.Now().Add(tokenLifetime + time.Hour) }
	got := h.callErr(searchTool, map[string]any{"jql": jql, "nextPageToken": first.NextPageToken})
	if !strings.Contains(got, "parameter nextPageToken: has expired (tokens last 6 days)") {
		t.Fatalf("expired token: %s", got)
	}
}

func TestJiraSearchPagingMatchesOneQuery(t *testing.T) {
	h := newHarness(t)
	const jql = "project = OPS ORDER BY key ASC"
	want := restKeys(t, h.deps.Jira, jql)
	if len(want) != 83 {
		t.Fatalf("sandbox has %d OPS issues, want the seeded 83", len(want))
	}
	all := h.searchPage(map[string]any{"jql": jql, "maxResults": 100})
	if got := issueKeys(all.Issues); strings.Join(got, ",") != strings.Join(want, ",") || !all.IsLast {
		t.Fatalf("one large page differs from REST:\n%v\n%v", got, want)
	}
	for _, size := range []int{1, 7, 25} {
		t.Run("startAt/"+strconv.Itoa(size), func(t *testing.T) {
			var got []string
			for start := 0; ; start += size {
				p := h.searchPage(map[string]any{"jql": jql, "maxResults": size, "startAt": start})
				if p.StartAt != start {
					t.Fatalf("startAt %d answered %d", start, p.StartAt)
				}
				got = append(got, issueKeys(p.Issues)...)
				if p.IsLast {
					break
				}
				if p.NextStartAt != start+size {
					t.Fatalf("nextStartAt %d after startAt %d size %d", p.NextStartAt, start, size)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("paging with startAt gave\n%v\nwant\n%v", got, want)
			}
		})
		t.Run("token/"+strconv.Itoa(size), func(t *testing.T) {
			var got []string
			args := map[string]any{"jql": jql, "maxResults": size}
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("token paging does not end")
				}
				p := h.searchPage(args)
				if p.StartAt != len(got) {
					t.Fatalf("page starts at %d after %d issues", p.StartAt, len(got))
				}
				got = append(got, issueKeys(p.Issues)...)
				if p.IsLast {
					if p.NextPageToken != "" {
						t.Fatal("last page has a token")
					}
					break
				}
				args = map[string]any{"jql": jql, "maxResults": size, "nextPageToken": p.NextPageToken}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("paging with tokens gave\n%v\nwant\n%v", got, want)
			}
		})
	}
	t.Run("startAt then token", func(t *testing.T) {
		p := h.searchPage(map[string]any{"jql": jql, "maxResults": 10, "startAt": 40})
		q := h.searchPage(map[string]any{"jql": jql, "maxResults": 10, "nextPageToken": p.NextPageToken})
		got := append(issueKeys(p.Issues), issueKeys(q.Issues)...)
		if strings.Join(got, ",") != strings.Join(want[40:60], ",") {
			t.Fatalf("got %v, want %v", got, want[40:60])
		}
	})
	t.Run("startAt after a page reuses its token", func(t *testing.T) {
		const q = "project = ENG ORDER BY key DESC"
		searches := func() (n int, idOnly int) {
			for _, r := range h.site.Requests() {
				if strings.HasSuffix(r.Path, "/rest/api/3/search/jql") {
					n++
					if strings.Contains(r.Body, `"fields":["id"]`) {
						idOnly++
					}
				}
			}
			return n, idOnly
		}
		h.searchPage(map[string]any{"jql": q, "maxResults": 10})
		h.site.ResetRequests()
		p := h.searchPage(map[string]any{"jql": q, "maxResults": 10, "startAt": 10})
		if n, idOnly := searches(); n != 1 || idOnly != 0 {
			t.Fatalf("startAt 10 after the first page: %d searches, %d id-only, want 1 and 0", n, idOnly)
		}
		h.site.ResetRequests()
		// Between cached offsets it skips only the difference.
		q2 := h.searchPage(map[string]any{"jql": q, "maxResults": 10, "startAt": 25})
		if n, idOnly := searches(); n != 2 || idOnly != 1 {
			t.Fatalf("startAt 25: %d searches, %d id-only, want 2 and 1", n, idOnly)
		}
		want := restKeys(t, h.deps.Jira, q)
		if strings.Join(issueKeys(p.Issues), ",") != strings.Join(want[10:20], ",") || strings.Join(issueKeys(q2.Issues), ",") != strings.Join(want[25:35], ",") {
			t.Fatalf("pages from cached tokens differ: %v %v", issueKeys(p.Issues), issueKeys(q2.Issues))
		}
		for _, r := range h.site.Requests() {
			if strings.Contains(r.Body, `"fields":["id"]`) && !strings.Contains(r.Body, `"maxResults":5`) {
				t.Fatalf("the skip from offset 20 to 25 should read 5 ids: %s", r.Body)
			}
		}
	})
	t.Run("a cached token Jira refuses is skipped afresh", func(t *testing.T) {
		for _, start := range []int{10, 15} {
			cache := &tokenCache{}
			cache.put(jql, 10, "forged", time.Now())
			res, err := h.deps.jiraSearch(context.Background(), &jiraSearchArgs{JQL: jql, StartAt: start, MaxResults: new(5)}, cache)
			if err != nil {
				t.Fatalf("startAt %d over a bad cached token: %v", start, err)
			}
			if strings.Join(issueKeys(res.Issues), ",") != strings.Join(want[start:start+5], ",") {
				t.Fatalf("startAt %d: %v, want %v", start, issueKeys(res.Issues), want[start:start+5])
			}
		}
	})
	t.Run("startAt past the end", func(t *testing.T) {
		var p jiraSearchResult
		text := h.callOK(searchTool, map[string]any{"jql": jql, "startAt": 500}, &p)
		if len(p.Issues) != 0 || !p.IsLast || !strings.Contains(p.Note, "matches 83 issues") || !strings.Contains(text, "No issues from position 500 on.") {
			t.Fatalf("past the end: %+v\n%s", p, text)
		}
	})
	t.Run("startAt at the cap skips in id pages", func(t *testing.T) {
		p := h.searchPage(map[string]any{"jql": "project in (ENG, OPS, MKT) ORDER BY key ASC", "startAt": 300, "maxResults": 5})
		wantAll := restKeys(t, h.deps.Jira, "project in (ENG, OPS, MKT) ORDER BY key ASC")
		if strings.Join(issueKeys(p.Issues), ",") != strings.Join(wantAll[300:305], ",") {
			t.Fatalf("startAt 300: %v, want %v", issueKeys(p.Issues), wantAll[300:305])
		}
	})
}

func TestJiraSearchFieldsByDisplayName(t *testing.T) {
	h := newHarness(t)
	for _, fields := range []string{"Story Points, sprint, Team", "customfield_10016,customfield_10020,customfield_10001", "cf[10016],Sprint,team"} {
		t.Run(fields, func(t *testing.T) {
			res := h.searchPage(map[string]any{"jql": "key = ENG-2", "fields": fields})
			if len(res.Issues) != 1 {
				t.Fatalf("%d issues", len(res.Issues))
			}
			got, _ := json.Marshal(res.Issues[0].Fields)
			want := `{"Sprint":["ENG Sprint 24 (active)"],"Story Points":8,"Team":"Platform"}`
			if string(got) != want {
				t.Fatalf("fields %s, want %s", got, want)
			}
			if res.Issues[0].Summary == "" || res.Issues[0].Status == nil {
				t.Fatal("the default fields are still returned with extra fields")
			}
		})
	}
	t.Run("*all", func(t *testing.T) {
		res := h.searchPage(map[string]any{"jql": "key = OPS-1", "fields": "*all"})
		f := res.Issues[0].Fields
		if f["Severity"] != "Sev 1" || f["Labels"] == nil || f["Affected services"] == nil {
			t.Fatalf("*all fields: %v", f)
		}
		if _, noisy := f["Watchers"]; noisy {
			t.Fatal("*all keeps noise fields out of result lists")
		}
	})
	t.Run("comments", func(t *testing.T) {
		res := h.searchPage(map[string]any{"jql": "key = ENG-3", "fields": "comment"})
		cs, _ := res.Issues[0].Fields["Comment"].([]any)
		if len(cs) != 3 || !strings.Contains(cs[0].(string), "Jordan Lee") || !strings.Contains(cs[0].(string), "Reproduced on staging.") {
			t.Fatalf("comments: %v", res.Issues[0].Fields)
		}
	})
}

// longCodeMarkdown is a description longer than every text limit.
func longCodeMarkdown(paragraphs int) string {
	var b strings.Builder
	b.WriteString("Intro paragraph.\n\n```go\n")
	for i := range paragraphs {
		b.WriteString("fmt.Println(\"line " + strconv.Itoa(i) + " of a long listing that goes on\")\n")
	}
	b.WriteString("```\n")
	return b.String()
}

// createJiraTestIssue creates an ENG task through the REST client.
func createJiraTestIssue(t *testing.T, h *harness, summary, markdown string) string {
	t.Helper()
	doc, err := adf.FromMarkdown(markdown)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	created, err := h.deps.Jira.Issues.Create(context.Background(), &atlassian.IssueRequest{Fields: map[string]any{
		"project": map[string]string{"key": "ENG"}, "issuetype": map[string]string{"name": "Task"},
		"summary": summary, "description": json.RawMessage(body)}})
	if err != nil {
		t.Fatal(err)
	}
	return created.Key
}

func TestJiraSearchTruncatesText(t *testing.T) {
	h := newHarness(t)
	key := createJiraTestIssue(t, h, "Long description", longCodeMarkdown(200))
	res := h.searchPage(map[string]any{"jql": "key = " + key, "fields": "description"})
	desc, _ := res.Issues[0].Fields["Description"].(string)
	head, marker, ok := strings.Cut(desc, "\n\n[… truncated: ")
	if !ok || !strings.Contains(marker, "read it all with atlassian_jira_get_issue "+key) {
		t.Fatalf("no truncation marker:\n%s", desc)
	}
	if n := len([]rune(head)); n > searchTextLimit+4 {
		t.Fatalf("kept %d characters, limit %d", n, searchTextLimit)
	}
	if !strings.HasSuffix(head, "```") {
		t.Fatalf("the cut code block is not closed:\n%s", head)
	}
}

func TestJiraSearchWithoutSnapshot(t *testing.T) {
	h := newHarness(t)
	d := &Deps{Jira: h.deps.Jira, Schema: schema.NewStore(nil, "empty"), SiteURL: h.deps.SiteURL}
	tool := jiraSearchTool(d)
	desc := tool.Describe(nil)
	if strings.Contains(desc, "Engineering") || !strings.Contains(desc, "project = PROJ AND statusCategory != Done") {
		t.Fatalf("generic description:\n%s", desc)
	}
	res := call(t, tool, map[string]any{"jql": "key = ENG-2", "fields": "customfield_10016,cf[10020]"})
	if res.IsError {
		t.Fatal(resultText(res))
	}
	var out jiraSearchResult
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(out.Issues[0].Fields); string(got) != `{"Sprint":["ENG Sprint 24 (active)"],"Story Points":8}` {
		t.Fatalf("without a snapshot, names come from Jira: %s", got)
	}
	res = call(t, tool, map[string]any{"jql": "key = ENG-2", "fields": "Story Points"})
	if !res.IsError || !strings.Contains(resultText(res), "has not loaded yet") {
		t.Fatalf("display name without a snapshot: %s", resultText(res))
	}
	res = call(t, tool, map[string]any{"jql": "project = NOPE"})
	if !res.IsError || !strings.Contains(resultText(res), "The value 'NOPE' does not exist for the field 'project'.") {
		t.Fatalf("unknown project without a snapshot: %s", resultText(res))
	}
}

func TestJiraSearchDescriptionWithSnapshot(t *testing.T) {
	h := newHarness(t)
	desc := describeJiraSearch(h.deps.snapshot())
	for _, s := range []string{"ENG - Engineering", "OPS - Operations", "In Progress: In Progress, In Review", "Highest",
		"Story Points (10016, number)", "id customfield_N", "project = ENG AND statusCategory != Done ORDER BY priority DESC",
		"sprint in openSprints()", `"Story Points" >= 5`} {
		if !strings.Contains(desc, s) {
			t.Errorf("description lacks %q", s)
		}
	}
	if len(desc) > 2500 {
		t.Errorf("description is %d bytes", len(desc))
	}
}

// TestJiraSearchOpenSprintByCategory is product use case 2: summarise the
// open sprints' issues by status category.
func TestJiraSearchOpenSprintByCategory(t *testing.T) {
	h := newHarness(t)
	const jql = "sprint in openSprints() ORDER BY key ASC"
	byCat := map[string][]string{}
	status := map[string]jiraStatus{}
	args := map[string]any{"jql": jql, "maxResults": 20, "fields": "Sprint"}
	for {
		p := h.searchPage(args)
		for _, is := range p.Issues {
			if is.Status == nil || is.Status.Category == "" {
				t.Fatalf("%s has no status category", is.Key)
			}
			sprints, _ := is.Fields["Sprint"].([]any)
			if !strings.Contains(strings.Join(stringsOf(sprints), ","), "(active)") {
				t.Errorf("%s is not in an active sprint: %v", is.Key, is.Fields["Sprint"])
			}
			byCat[is.Status.Category] = append(byCat[is.Status.Category], is.Key)
			status[is.Key] = *is.Status
		}
		if p.IsLast {
			break
		}
		args = map[string]any{"jql": jql, "maxResults": 20, "fields": "Sprint", "nextPageToken": p.NextPageToken}
	}
	// The sandbox's own answer, read directly.
	want := map[string]int{}
	for is, err := range h.deps.Jira.Search.All(context.Background(), &atlassian.SearchOptions{JQL: jql, MaxResults: 100, Fields: []string{"status"}}) {
		if err != nil {
			t.Fatal(err)
		}
		want[is.Fields.Status.StatusCategory.Name]++
	}
	for _, cat := range []string{"To Do", "In Progress", "Done"} {
		if len(byCat[cat]) != want[cat] || want[cat] == 0 {
			t.Errorf("%s: %d issues through the tool, %d in the sandbox", cat, len(byCat[cat]), want[cat])
		}
	}
	// Seed facts, and each category agrees with the snapshot's workflows.
	for key, cat := range map[string]string{"ENG-2": "In Progress", "ENG-3": "In Progress", "ENG-4": "To Do", "ENG-5": "To Do", "OPS-1": "In Progress", "OPS-2": "To Do"} {
		if status[key].Category != cat {
			t.Errorf("%s is %+v, want category %s", key, status[key], cat)
		}
	}
	snapCat := map[string]string{}
	for _, p := range h.deps.snapshot().Jira.Projects {
		for _, it := range p.IssueTypes {
			for _, st := range it.Statuses {
				snapCat[st.Name] = categoryName(st.Category)
			}
		}
	}
	for key, st := range status {
		if snapCat[st.Name] != st.Category {
			t.Errorf("%s: status %s in category %s, the snapshot says %s", key, st.Name, st.Category, snapCat[st.Name])
		}
	}
}

func stringsOf(xs []any) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i], _ = x.(string)
	}
	return out
}

// BenchmarkJiraSearchOverhead compares one search through the MCP client
// (stdio protocol, argument binding, rendering, sanitising) with the same
// REST call made directly: the ratio of mcp to rest is the server's
// overhead. The query fits one page, so the tool makes exactly the one REST
// call; first-page-with-count shows a first page of a longer result, which
// also asks for the approximate count (two REST calls).
func BenchmarkJiraSearchOverhead(b *testing.B) {
	// Rate limits off on both sides: they pace calls at 100/s and would
	// hide the overhead being measured.
	h := newHarnessWith(b, []atlassian.Option{atlassian.WithoutRateLimits()}, sandbox.WithoutRateLimits())
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = "ENG-" + strconv.Itoa(i+1)
	}
	jql := "key in (" + strings.Join(keys, ", ") + ") ORDER BY key ASC"
	opts := atlassian.SearchOptions{JQL: jql, MaxResults: 25, Fields: defaultSearchFields}
	if p, err := h.deps.Jira.Search.JQL(context.Background(), &opts); err != nil || !p.IsLast {
		b.Fatalf("the benchmark query must fit one page: %v", err)
	}
	b.Run("rest", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.deps.Jira.Search.JQL(context.Background(), &opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mcp", func(b *testing.B) {
		args := map[string]any{"jql": jql}
		for b.Loop() {
			if res := h.call(searchTool, args); res.IsError {
				b.Fatal(resultText(res))
			}
		}
	})
	b.Run("mcp-first-page-with-count", func(b *testing.B) {
		args := map[string]any{"jql": "project = ENG ORDER BY key ASC"}
		for b.Loop() {
			if res := h.call(searchTool, args); res.IsError {
				b.Fatal(resultText(res))
			}
		}
	})
}
