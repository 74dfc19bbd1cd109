package atlassian_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// adfText returns a one-paragraph ADF document.
func adfText(s string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "doc", "version": 1, "content": []any{
		map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": s}}},
	}})
	return b
}

func TestJiraGetIssue(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()

	is, err := j.Issues.Get(ctx, "eng-2", &atlassian.IssueGetOptions{Expand: []string{"names", "transitions", "changelog"}})
	if err != nil {
		t.Fatal(err)
	}
	f := is.Fields
	switch {
	case is.Key != "ENG-2":
		t.Errorf("key = %q; Jira answers with the issue's real key", is.Key)
	case f.Summary != "Rate-limit the public API per client":
		t.Errorf("summary = %q", f.Summary)
	case f.Status == nil || f.Status.Name != "In Progress" || f.Status.StatusCategory == nil || f.Status.StatusCategory.Key != "indeterminate":
		t.Errorf("status = %+v", f.Status)
	case f.Parent == nil || f.Parent.Key != "ENG-1":
		t.Errorf("parent = %+v", f.Parent)
	case !slices.Contains(f.Labels, "rate-limiting"):
		t.Errorf("labels = %v", f.Labels)
	case f.IssueType == nil || f.IssueType.Name != "Story" || f.Project == nil || f.Project.Key != "ENG":
		t.Errorf("type/project = %+v %+v", f.IssueType, f.Project)
	case f.Priority == nil || f.Priority.Name != "High" || f.Assignee == nil || f.Assignee.AccountID == "" || f.Reporter == nil:
		t.Errorf("priority/assignee/reporter = %+v %+v %+v", f.Priority, f.Assignee, f.Reporter)
	case f.Created.IsZero() || f.Updated.Before(f.Created.Time):
		t.Errorf("created/updated = %v %v", f.Created, f.Updated)
	case f.Comment == nil || len(f.Comment.Comments) != 2 || len(f.Comment.Comments[0].Body) == 0:
		t.Errorf("comments = %+v", f.Comment)
	case len(f.Subtasks) != 1 || f.Subtasks[0].Key != "ENG-5":
		t.Errorf("subtasks = %+v", f.Subtasks)
	case len(is.Transitions) == 0 || is.Changelog == nil:
		t.Errorf("expand ignored: transitions %d, changelog %v", len(is.Transitions), is.Changelog)
	case is.Names["summary"] != "Summary":
		t.Errorf("names = %v", is.Names)
	}
	var doc struct{ Type string }
	if err := json.Unmarshal(f.Description, &doc); err != nil || doc.Type != "doc" {
		t.Errorf("description is not ADF: %s", f.Description)
	}
	var custom int
	for k := range f.Raw {
		if strings.HasPrefix(k, "customfield_") {
			custom++
		}
	}
	if custom == 0 {
		t.Errorf("custom fields lost; raw keys: %v", keys(f.Raw))
	}

	t.Run("fields restricts the answer", func(t *testing.T) {
		is, err := j.Issues.Get(ctx, "ENG-3", &atlassian.IssueGetOptions{Fields: []string{"summary", "issuelinks"}})
		if err != nil {
			t.Fatal(err)
		}
		if is.Fields.Status != nil || is.Fields.Summary == "" {
			t.Errorf("fields not applied: %+v", is.Fields)
		}
		if len(is.Fields.IssueLinks) == 0 {
			t.Fatalf("ENG-3 should block ENG-4: %+v", is.Fields.IssueLinks)
		}
		phrase, other := atlassian.ReadLink(is.Fields.IssueLinks[0])
		if phrase != "blocks" || other.Key != "ENG-4" {
			t.Errorf("ENG-3 link reads %q %v, want blocks ENG-4", phrase, other)
		}
	})
	t.Run("not found", func(t *testing.T) {
		_, err := j.Issues.Get(ctx, "ENG-99999", nil)
		var ae *atlassian.APIError
		if !errors.Is(err, atlassian.ErrNotFound) || !errors.As(err, &ae) || len(ae.ErrorMessages) == 0 {
			t.Fatalf("err = %v, want ErrNotFound with Jira's message", err)
		}
		if !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("error hides Jira's text: %v", err)
		}
	})
	t.Run("scope mismatch", func(t *testing.T) {
		hc, _ := authClient(t, srv, "read:me")
		jj, err := atlassian.NewJiraClient(j.BaseURL(), hc)
		if err != nil {
			t.Fatal(err)
		}
		_, err = jj.Issues.Get(ctx, "ENG-1", nil)
		if !errors.Is(err, atlassian.ErrScopeMismatch) {
			t.Fatalf("err = %v, want ErrScopeMismatch", err)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestJiraSearch(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()
	fields := []string{"summary", "status", "assignee", "priority", "issuetype", "created", "updated"}

	first, err := j.Search.JQL(ctx, &atlassian.SearchOptions{JQL: "project = ENG ORDER BY key ASC", MaxResults: 5, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Issues) != 5 || first.IsLast || first.NextPageToken == "" {
		t.Fatalf("first page: %d issues, isLast %v, token %q", len(first.Issues), first.IsLast, first.NextPageToken)
	}
	if first.Issues[0].Key != "ENG-1" || first.Issues[0].Fields.Summary == "" || first.Issues[0].Fields.Status == nil {
		t.Errorf("first issue = %+v", first.Issues[0])
	}

	count, err := j.Search.ApproximateCount(ctx, "project = ENG")
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	seen := map[string]bool{}
	for is, err := range j.Search.All(ctx, &atlassian.SearchOptions{JQL: "project = ENG ORDER BY key ASC", MaxResults: 50, Fields: []string{"summary"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[is.Key] {
			t.Fatalf("%s returned twice", is.Key)
		}
		seen[is.Key] = true
	}
	if int64(len(seen)) != count || count < 50 {
		t.Errorf("iterated %d issues, approximate count %d", len(seen), count)
	}
	pages := requestsTo(srv, "POST", "/rest/api/3/search/jql")
	if want := (len(seen) + 49) / 50; len(pages) != want {
		t.Errorf("%d search requests for %d issues, want %d", len(pages), len(seen), want)
	}
	for i, p := range pages {
		if has := strings.Contains(p.Body, "nextPageToken"); has != (i > 0) {
			t.Errorf("request %d body %s", i, p.Body)
		}
	}

	t.Run("stopping early sends no more requests", func(t *testing.T) {
		srv.ResetRequests()
		n := 0
		for _, err := range j.Search.All(ctx, &atlassian.SearchOptions{JQL: "project = ENG", MaxResults: 3, Fields: []string{"summary"}}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 4 {
				break
			}
		}
		if got := len(requestsTo(srv, "POST", "/search/jql")); got != 2 {
			t.Errorf("%d requests for 4 issues in pages of 3", got)
		}
	})
	t.Run("bad JQL keeps Jira's message", func(t *testing.T) {
		_, err := j.Search.JQL(ctx, &atlassian.SearchOptions{JQL: "project = ENG AND status closed", Fields: fields})
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || len(ae.ErrorMessages) == 0 || !strings.Contains(ae.ErrorMessages[0], "JQL") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unbounded JQL", func(t *testing.T) {
		_, err := j.Search.JQL(ctx, &atlassian.SearchOptions{JQL: "order by key desc", Fields: fields})
		if err == nil || !strings.Contains(err.Error(), "Unbounded") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("empty JQL is refused locally", func(t *testing.T) {
		srv.ResetRequests()
		if _, err := j.Search.JQL(ctx, &atlassian.SearchOptions{JQL: "  "}); err == nil {
			t.Fatal("empty JQL accepted")
		}
		if len(srv.Requests()) != 0 {
			t.Error("empty JQL was sent")
		}
	})
	t.Run("approximate count of nothing", func(t *testing.T) {
		n, err := j.Search.ApproximateCount(ctx, `project = ENG AND summary ~ "zzqqxx-no-such-words"`)
		if err != nil || n != 0 {
			t.Fatalf("count = %d, %v", n, err)
		}
	})
}

func TestJiraCreateEditTransition(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()

	created, err := j.Issues.Create(ctx, &atlassian.IssueRequest{Fields: map[string]any{
		"project":     map[string]string{"key": "ENG"},
		"issuetype":   map[string]string{"name": "Task"},
		"summary":     "Client test task",
		"description": adfText("Created by the REST client test."),
		"labels":      []string{"client-test", "tmp"},
		"priority":    map[string]string{"name": "Low"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Key, "ENG-") || created.ID == "" {
		t.Fatalf("created = %+v", created)
	}
	got, err := j.Issues.Get(ctx, created.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields.Summary != "Client test task" || !strings.Contains(string(got.Fields.Description), "Created by the REST client test.") || got.Fields.Priority.Name != "Low" {
		t.Errorf("created issue = %+v", got.Fields)
	}

	t.Run("edit fields and update verbs", func(t *testing.T) {
		err := j.Issues.Edit(ctx, created.Key, &atlassian.IssueRequest{
			Fields: map[string]any{"summary": "Client test task (edited)"},
			Update: map[string][]atlassian.FieldOperation{"labels": {{Add: "triaged"}, {Remove: "tmp"}}},
		}, &atlassian.IssueEditOptions{NotifyUsers: atlassian.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := j.Issues.Get(ctx, created.Key, &atlassian.IssueGetOptions{Fields: []string{"summary", "labels"}})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got.Fields.Labels)
		if got.Fields.Summary != "Client test task (edited)" || strings.Join(got.Fields.Labels, ",") != "client-test,triaged" {
			t.Errorf("after edit: %q %v", got.Fields.Summary, got.Fields.Labels)
		}
		if q := requestsTo(srv, "PUT", "/issue/"+created.Key); len(q) != 1 || q[0].Query != "notifyUsers=false" {
			t.Errorf("edit request %+v", q)
		}
	})
	t.Run("adf.Doc values go through as ADF", func(t *testing.T) {
		doc, err := adf.FromMarkdown("Edited with **adf.Doc**.")
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Issues.Edit(ctx, created.Key, &atlassian.IssueRequest{Fields: map[string]any{"description": doc}}, nil); err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.Issues.AddComment(ctx, created.Key, &atlassian.CommentRequest{Body: body}); err != nil {
			t.Fatal(err)
		}
		got, err := j.Issues.Get(ctx, created.Key, &atlassian.IssueGetOptions{Fields: []string{"description", "comment"}})
		if err != nil {
			t.Fatal(err)
		}
		back, err := adf.Parse(got.Fields.Description)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(doc)
		if b, _ := json.Marshal(back); string(b) != string(want) {
			t.Errorf("description round trip:\n got %s\nwant %s", b, want)
		}
		if got.Fields.Comment == nil || len(got.Fields.Comment.Comments) == 0 || !strings.Contains(string(got.Fields.Comment.Comments[0].Body), "adf.Doc") {
			t.Errorf("comment = %+v", got.Fields.Comment)
		}
	})
	t.Run("field errors come back by field", func(t *testing.T) {
		_, err := j.Issues.Create(ctx, &atlassian.IssueRequest{Fields: map[string]any{
			"project": map[string]string{"key": "ENG"}, "issuetype": map[string]string{"name": "Task"},
		}})
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Errors["summary"] == "" {
			t.Fatalf("err = %#v, want a 400 with errors.summary", err)
		}
	})
	t.Run("markdown description is refused before sending", func(t *testing.T) {
		srv.ResetRequests()
		err := j.Issues.Edit(ctx, created.Key, &atlassian.IssueRequest{Fields: map[string]any{"description": "# Not ADF"}}, nil)
		if err == nil || !strings.Contains(err.Error(), "ADF") || len(srv.Requests()) != 0 {
			t.Fatalf("err = %v, requests %d", err, len(srv.Requests()))
		}
	})
	t.Run("transition with a comment", func(t *testing.T) {
		trs, err := j.Issues.Transitions(ctx, created.Key, &atlassian.TransitionsOptions{ExpandFields: true})
		if err != nil {
			t.Fatal(err)
		}
		var target *atlassian.Transition
		for i := range trs {
			if trs[i].To != nil && trs[i].To.Name != got.Fields.Status.Name {
				target = &trs[i]
				break
			}
		}
		if target == nil {
			t.Fatalf("no transition away from %q: %+v", got.Fields.Status.Name, trs)
		}
		err = j.Issues.DoTransition(ctx, created.Key, &atlassian.TransitionRequest{
			Transition: atlassian.TransitionRef{ID: target.ID},
			Update:     atlassian.TransitionComment(adfText("Moving on.")),
		})
		if err != nil {
			t.Fatal(err)
		}
		after, err := j.Issues.Get(ctx, created.Key, &atlassian.IssueGetOptions{Fields: []string{"status", "comment"}})
		if err != nil {
			t.Fatal(err)
		}
		if after.Fields.Status.Name != target.To.Name {
			t.Errorf("status = %q, want %q", after.Fields.Status.Name, target.To.Name)
		}
		if after.Fields.Comment == nil || !slices.ContainsFunc(after.Fields.Comment.Comments, func(c atlassian.Comment) bool { return strings.Contains(string(c.Body), "Moving on.") }) {
			t.Errorf("transition comment missing: %+v", after.Fields.Comment)
		}
	})
	t.Run("unknown transition", func(t *testing.T) {
		err := j.Issues.DoTransition(ctx, created.Key, &atlassian.TransitionRequest{Transition: atlassian.TransitionRef{ID: "99999"}})
		var ae *atlassian.APIError
		if !errors.As(err, &ae) || ae.StatusCode != 400 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestJiraCommentWorklogAssignWatch(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()
	key := "ENG-5"
	users, err := j.Users.Assignable(ctx, &atlassian.AssignableOptions{IssueKey: key, MaxResults: 50})
	if err != nil || len(users) < 2 {
		t.Fatalf("assignable users: %v, %v", users, err)
	}
	who := users[1]

	t.Run("comment", func(t *testing.T) {
		c, err := j.Issues.AddComment(ctx, key, &atlassian.CommentRequest{Body: adfText("Looks good to me.")})
		if err != nil {
			t.Fatal(err)
		}
		if c.ID == "" || !strings.Contains(string(c.Body), "Looks good to me.") || c.Created.IsZero() {
			t.Errorf("comment = %+v", c)
		}
		if _, err := j.Issues.AddComment(ctx, key, &atlassian.CommentRequest{Body: json.RawMessage(`"plain text"`)}); err == nil {
			t.Error("a non-ADF comment body was accepted")
		}
	})
	t.Run("worklog started has a numeric offset", func(t *testing.T) {
		started := time.Date(2026, 11, 28, 9, 30, 0, 0, time.FixedZone("CET", 3600))
		w, err := j.Issues.AddWorklog(ctx, key, &atlassian.WorklogRequest{TimeSpent: "1h 30m", Started: started, Comment: adfText("Pairing.")},
			&atlassian.WorklogOptions{AdjustEstimate: "leave"})
		if err != nil {
			t.Fatal(err)
		}
		if w.ID == "" || w.TimeSpentSeconds != 5400 || !w.Started.Equal(started) {
			t.Errorf("worklog = %+v", w)
		}
		req := requestsTo(srv, "POST", "/issue/"+key+"/worklog")
		if len(req) != 1 || !strings.Contains(req[0].Body, `"started":"2026-11-28T09:30:00.000+0100"`) || req[0].Query != "adjustEstimate=leave" {
			t.Errorf("worklog request = %+v", req)
		}
		if _, err := j.Issues.AddWorklog(ctx, key, &atlassian.WorklogRequest{TimeSpent: "1h", TimeSpentSeconds: 60, Started: started}, nil); err == nil {
			t.Error("both timeSpent and timeSpentSeconds accepted")
		}
	})
	t.Run("assign and unassign", func(t *testing.T) {
		if err := j.Issues.Assign(ctx, key, who.AccountID); err != nil {
			t.Fatal(err)
		}
		is, err := j.Issues.Get(ctx, key, &atlassian.IssueGetOptions{Fields: []string{"assignee"}})
		if err != nil || is.Fields.Assignee == nil || is.Fields.Assignee.AccountID != who.AccountID {
			t.Fatalf("assignee = %+v, %v", is, err)
		}
		if err := j.Issues.Unassign(ctx, key); err != nil {
			t.Fatal(err)
		}
		is, err = j.Issues.Get(ctx, key, &atlassian.IssueGetOptions{Fields: []string{"assignee"}})
		if err != nil || is.Fields.Assignee != nil {
			t.Fatalf("after unassign assignee = %+v, %v", is.Fields.Assignee, err)
		}
		puts := requestsTo(srv, "PUT", "/issue/"+key+"/assignee")
		if len(puts) != 2 || puts[1].Body != `{"accountId":null}` {
			t.Errorf("unassign body = %+v", puts)
		}
	})
	t.Run("watcher body is a bare JSON string", func(t *testing.T) {
		if err := j.Issues.AddWatcher(ctx, key, who.AccountID); err != nil {
			t.Fatal(err)
		}
		req := requestsTo(srv, "POST", "/issue/"+key+"/watchers")
		if len(req) != 1 || req[0].Body != `"`+who.AccountID+`"` {
			t.Errorf("watcher request = %+v", req)
		}
	})
}

func TestJiraIssueLinks(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()
	types, err := j.Meta.LinkTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a, phrase, b string
		// On a, the link reads wantPhrase b.
		wantPhrase string
	}{
		{"ENG-5", "blocks", "ENG-6", "blocks"},
		{"OPS-2", "is blocked by", "ENG-6", "is blocked by"},
		{"MKT-2", "Duplicates", "ENG-6", "duplicates"},
		{"ENG-2", "relates to", "OPS-2", "relates to"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" "+tt.phrase+" "+tt.b, func(t *testing.T) {
			req, err := atlassian.ResolveLink(types, tt.a, tt.phrase, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if err := j.IssueLinks.Create(ctx, req); err != nil {
				t.Fatal(err)
			}
			for _, side := range []struct{ on, other, phrase string }{{tt.a, tt.b, tt.wantPhrase}, {tt.b, tt.a, ""}} {
				is, err := j.Issues.Get(ctx, side.on, &atlassian.IssueGetOptions{Fields: []string{"issuelinks"}})
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, l := range is.Fields.IssueLinks {
					p, other := atlassian.ReadLink(l)
					if other != nil && other.Key == side.other && l.Type.Name == req.Type.Name {
						found = true
						want := side.phrase
						if want == "" { // the other side reads the opposite phrase
							if strings.EqualFold(tt.wantPhrase, l.Type.Outward) {
								want = l.Type.Inward
							} else {
								want = l.Type.Outward
							}
						}
						if !strings.EqualFold(p, want) {
							t.Errorf("on %s the link reads %q %s, want %q", side.on, p, side.other, want)
						}
					}
				}
				if !found {
					t.Errorf("no %s link from %s to %s: %+v", req.Type.Name, side.on, side.other, is.Fields.IssueLinks)
				}
			}
		})
	}
	if _, err := atlassian.ResolveLink(types, "ENG-1", "eats", "ENG-2"); err == nil || !strings.Contains(err.Error(), "blocks") {
		t.Errorf("unknown phrase: %v", err)
	}
}

func TestJiraUsers(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()
	target := srv.Users()[1]
	prefix := strings.Fields(target.DisplayName)[0]

	found, err := j.Users.Search(ctx, &atlassian.UserSearchOptions{Query: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(found, func(u atlassian.User) bool { return u.AccountID == target.AccountID }) {
		t.Errorf("search %q: %+v", prefix, found)
	}
	if _, err := j.Users.Search(ctx, &atlassian.UserSearchOptions{Query: "x", AccountID: "abc"}); err == nil {
		t.Error("query and accountId together accepted")
	}
	byID, err := j.Users.Search(ctx, &atlassian.UserSearchOptions{AccountID: target.AccountID})
	if err != nil || len(byID) != 1 || byID[0].DisplayName != target.DisplayName {
		t.Errorf("search by account id: %+v, %v", byID, err)
	}
	me, err := j.Users.Myself(ctx)
	if err != nil || me.AccountID != srv.Admin().AccountID {
		t.Errorf("myself = %+v, %v; want the admin", me, err)
	}
	assignable, err := j.Users.Assignable(ctx, &atlassian.AssignableOptions{Project: "ENG"})
	if err != nil || len(assignable) == 0 {
		t.Fatalf("assignable: %v, %v", assignable, err)
	}
	picked, err := j.Users.Picker(ctx, &atlassian.PickerOptions{Query: prefix, MaxResults: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(picked.Users, func(u atlassian.PickerUser) bool { return u.AccountID == target.AccountID }) {
		t.Errorf("picker %q: %+v", prefix, picked)
	}
}

func TestJiraProjectsAndMeta(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	ctx := context.Background()

	srv.ResetRequests()
	popts := &atlassian.ProjectSearchOptions{MaxResults: 1}
	all, err := j.Projects.All(ctx, popts)
	if err != nil {
		t.Fatal(err)
	}
	if popts.StartAt != 0 {
		t.Errorf("paging moved the caller's options to startAt %d", popts.StartAt)
	}
	var ks []string
	for _, p := range all {
		ks = append(ks, p.Key)
	}
	slices.Sort(ks)
	if strings.Join(ks, ",") != "ENG,MKT,OPS" {
		t.Errorf("projects = %v", ks)
	}
	if n := len(requestsTo(srv, "GET", "/project/search")); n != 3 {
		t.Errorf("%d page requests for 3 projects of 1", n)
	}

	types, err := j.Meta.CreateMetaIssueTypes(ctx, "ENG")
	if err != nil {
		t.Fatal(err)
	}
	var bugID string
	var names []string
	for _, it := range types {
		names = append(names, it.Name)
		if it.Name == "Bug" {
			bugID = it.ID
		}
	}
	for _, want := range []string{"Bug", "Task", "Story", "Epic"} {
		if !slices.Contains(names, want) {
			t.Errorf("issue types %v lack %s", names, want)
		}
	}
	fields, err := j.Meta.CreateMetaFields(ctx, "ENG", bugID)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]atlassian.FieldMetadata{}
	for _, f := range fields {
		byID[f.FieldID] = f
	}
	if !byID["summary"].Required || len(byID["priority"].AllowedValues) == 0 || byID["priority"].Schema.Type != "priority" {
		t.Errorf("create-meta fields: summary %+v priority %+v", byID["summary"], byID["priority"])
	}
	if _, err := j.Meta.CreateMetaIssueTypes(ctx, "NOPE"); !errors.Is(err, atlassian.ErrNotFound) {
		t.Errorf("unknown project: %v", err)
	}

	all2, err := j.Meta.Fields(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(all2, func(f atlassian.Field) bool { return f.ID == "summary" && !f.Custom }) ||
		!slices.ContainsFunc(all2, func(f atlassian.Field) bool { return f.Custom && f.Schema != nil && f.Schema.Custom != "" }) {
		t.Errorf("fields lack summary or custom fields: %d fields", len(all2))
	}
	prios, err := j.Meta.Priorities(ctx)
	if err != nil || !slices.ContainsFunc(prios, func(p atlassian.Priority) bool { return p.Name == "Highest" }) {
		t.Errorf("priorities = %+v, %v", prios, err)
	}
	sts, err := j.Meta.ProjectStatuses(ctx, "ENG")
	if err != nil || len(sts) == 0 || len(sts[0].Statuses) == 0 || sts[0].Statuses[0].StatusCategory == nil {
		t.Errorf("statuses = %+v, %v", sts, err)
	}
}

// TestPerIssueWriteLimit writes to one issue faster than Atlassian allows:
// with the client's limiter on, the sandbox never answers 429; with it
// off, the sandbox refuses some writes and the client's retries still get
// them all through.
func TestPerIssueWriteLimit(t *testing.T) {
	const writes = 26
	for _, tc := range []struct {
		name    string
		opts    []atlassian.Option
		want429 bool
	}{
		{"client limiter on", []atlassian.Option{atlassian.WithRetryPolicy(atlassian.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxWait: 10 * time.Second})}, false},
		{"client limiter off", []atlassian.Option{atlassian.WithoutRateLimits(), atlassian.WithRetryPolicy(atlassian.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxAttempts: 4, MaxWait: 5 * time.Second})}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newSandbox(t)
			j := jiraClient(t, srv, tc.opts...)
			ctx := ctxTimeout(t, 30*time.Second)
			var wg sync.WaitGroup
			errs := make(chan error, writes)
			for i := range writes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- j.Issues.Edit(ctx, "ENG-4", &atlassian.IssueRequest{Fields: map[string]any{"summary": "write " + string(rune('a'+i))}}, nil)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			n := count429(srv)
			if (n > 0) != tc.want429 {
				t.Errorf("sandbox answered %d requests 429; want some: %v", n, tc.want429)
			}
			if got := len(requestsTo(srv, "PUT", "/issue/ENG-4")); got != writes+n {
				t.Errorf("%d PUTs for %d writes and %d 429s", got, writes, n)
			}
		})
	}
}

// TestJiraPagingOnLargeSite pages projects and search to the end on a
// generated site big enough to need several pages of each.
func TestJiraPagingOnLargeSite(t *testing.T) {
	srv := newSandbox(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 120, CustomFields: 50, Issues: 600, Spaces: 1, Pages: 1, Seed: 7}),
		sandbox.WithoutRateLimits())
	j := jiraClient(t, srv)
	ctx := context.Background()

	projects, err := j.Projects.All(ctx, &atlassian.ProjectSearchOptions{MaxResults: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != 120 || len(requestsTo(srv, "GET", "/project/search")) != 3 {
		t.Errorf("%d projects in %d requests", len(projects), len(requestsTo(srv, "GET", "/project/search")))
	}
	types, err := j.Meta.CreateMetaIssueTypes(ctx, "ENG")
	if err != nil || len(types) == 0 {
		t.Fatalf("issue types: %v, %v", types, err)
	}
	fields, err := j.Meta.CreateMetaFields(ctx, "ENG", types[0].ID)
	if err != nil || len(fields) == 0 {
		t.Fatalf("create-meta fields: %d, %v", len(fields), err)
	}
	n := 0
	for _, err := range j.Search.All(ctx, &atlassian.SearchOptions{JQL: "created >= -3650d ORDER BY created DESC", MaxResults: 100, Fields: []string{"summary"}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if count, err := j.Search.ApproximateCount(ctx, "created >= -3650d"); err != nil || int64(n) != count || n < 600 {
		t.Errorf("iterated %d issues, count %d, %v", n, count, err)
	}
}

// TestCreateMetaPaging pages create-meta fields past Jira's 200 a page.
// Screens that large are rare even on generated sites, so the two pages
// come from sandbox faults.
func TestCreateMetaPaging(t *testing.T) {
	srv := newSandbox(t)
	j := jiraClient(t, srv)
	page := func(from, to, total int) string {
		var fs []map[string]any
		for i := from; i < to; i++ {
			fs = append(fs, map[string]any{"fieldId": "customfield_" + strconv.Itoa(20000+i), "name": "F" + strconv.Itoa(i), "required": false, "schema": map[string]string{"type": "string"}})
		}
		b, _ := json.Marshal(map[string]any{"startAt": from, "maxResults": 200, "total": total, "fields": fs})
		return string(b)
	}
	const path = "/rest/api/3/issue/createmeta/ENG/issuetypes/10001"
	srv.InjectFault(sandbox.Fault{Path: path, Times: 1, Status: 200, Body: page(0, 200, 250)})
	srv.InjectFault(sandbox.Fault{Path: path, Times: 1, Status: 200, Body: page(200, 250, 250)})
	fields, err := j.Meta.CreateMetaFields(context.Background(), "ENG", "10001")
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 250 || fields[249].FieldID != "customfield_20249" {
		t.Fatalf("%d fields", len(fields))
	}
	reqs := requestsTo(srv, "GET", path)
	if len(reqs) != 2 || !strings.Contains(reqs[1].Query, "startAt=200") {
		t.Errorf("requests = %+v", reqs)
	}
}
