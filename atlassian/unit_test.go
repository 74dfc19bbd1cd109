package atlassian

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCheckID(t *testing.T) {
	tests := []struct {
		kind idKind
		v    string
		ok   bool
	}{
		{kindIssue, "ENG-12", true},
		{kindIssue, "eng-12", true},
		{kindIssue, "10001", true},
		{kindIssue, "A_B2-7", true},
		{kindIssue, "", false},
		{kindIssue, "ENG", false},
		{kindIssue, "../ENG-1", false},
		{kindIssue, "ENG-1/../../admin", false},
		{kindIssue, "ENG-1?x=1", false},
		{kindIssue, "ENG-1#frag", false},
		{kindIssue, "ENG%2f1", false},
		{kindIssue, "ENG%2F1", false},
		{kindIssue, "ENG-1 ", false},
		{kindIssue, " ENG-1", false},
		{kindIssue, "ENG-\t1", false},
		{kindIssue, "ENG-1\n", false},
		{kindIssue, "ENG-1\x00", false},
		{kindIssue, "ENG-1\u00a0", false},
		{kindIssue, "ENG-1\u2028", false},
		{kindIssue, "ENG\\1", false},
		{kindIssue, "ENG-" + strings.Repeat("1", 300), false},
		{kindProject, "ENG", true},
		{kindProject, "10000", true},
		{kindProject, "EN G", false},
		{kindProject, "ENG-1", false},
		{kindNumeric, "123456", true},
		{kindNumeric, "12a", false},
		{kindNumeric, "..", false},
		{kindNumeric, "-1", false},
		{kindAccount, "5b10ac8d82e05b22cc7d4ef5", true},
		{kindAccount, "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", true},
		{kindAccount, "-1", true},
		{kindAccount, "557058:f581/../x", false},
		{kindAccount, "a b", false},
		{kindAccount, "x?y", false},
		{kindCloud, "4f8e2a1c-7b3d-4c5e-9a6f-1d2b3c4e5f60", true},
		{kindCloud, "../x", false},
	}
	for _, tt := range tests {
		t.Run(kindNames[tt.kind]+"/"+tt.v, func(t *testing.T) {
			err := checkID(tt.kind, "id", tt.v)
			if (err == nil) != tt.ok {
				t.Fatalf("checkID(%q) = %v, want ok=%v", tt.v, err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidID) {
					t.Errorf("error %v does not wrap ErrInvalidID", err)
				}
				for _, r := range err.Error() {
					if r < 0x20 || r == 0x7f {
						t.Errorf("error text holds a control character: %q", err.Error())
					}
				}
			}
		})
	}
}

func TestRoutePath(t *testing.T) {
	tests := []struct {
		rt   route
		want string
	}{
		{newRoute("GET", "/rest/api/3/field"), "/rest/api/3/field"},
		{newRoute("GET", "/rest/api/3/issue/{issueIdOrKey}", "ENG-1"), "/rest/api/3/issue/ENG-1"},
		{newRoute("GET", "/rest/api/3/issue/createmeta/{p}/issuetypes/{id}", "ENG", "10001"), "/rest/api/3/issue/createmeta/ENG/issuetypes/10001"},
		// Escaping is the second line of defence after checkID.
		{newRoute("GET", "/x/{a}/y", "a/b?c#d"), "/x/a%2Fb%3Fc%23d/y"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.rt.path(); got != tt.want {
				t.Errorf("path() = %q, want %q", got, tt.want)
			}
		})
	}
	if !newRoute("PUT", "/x").idempotent || newRoute("POST", "/x").idempotent {
		t.Error("PUT must be idempotent and POST not")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"abc", 0, false},
		{"3153600000", maxRetryAfter, true},              // 100 years in seconds: capped exactly
		{"99999999999", maxRetryAfter, true},             // beyond the cap
		{"99999999999999999999999", maxRetryAfter, true}, // overflows uint64
		{"1e400", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if got < 0 || got > maxRetryAfter {
				t.Errorf("out of range: %v", got)
			}
		})
	}
	// The cap leaves room to add it to now without overflow.
	if now.Add(maxRetryAfter).Before(now) || maxRetryAfter > time.Duration(math.MaxInt64/2) {
		t.Error("maxRetryAfter overflows time arithmetic")
	}
}

func TestParseReset(t *testing.T) {
	want := time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC)
	for _, in := range []string{"2026-11-29T11:00:00Z", "2026-11-29T11:00:00.000Z", "2026-11-29T12:00:00+01:00", "2026-11-29T11:00:00.000+0000"} {
		if got := parseReset(in); !got.Equal(want) {
			t.Errorf("parseReset(%q) = %v, want %v", in, got, want)
		}
	}
	if got := parseReset("soon"); !got.IsZero() {
		t.Errorf("parseReset(garbage) = %v", got)
	}
}

func TestAPIErrorShapes(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantMsgs []string
		is       []error
		isNot    []error
		excerpt  bool
	}{
		{
			name: "jira error collection", status: 400,
			body:     `{"errorMessages":["Error in the JQL Query: Expecting ')' before the end of the query."],"errors":{"summary":"You must specify a summary of the issue.","priority":"Priority name 'Urgent' is not valid"}}`,
			wantMsgs: []string{"Error in the JQL Query: Expecting ')' before the end of the query.", "priority: Priority name 'Urgent' is not valid", "summary: You must specify a summary of the issue."},
		},
		{
			name: "jira 404", status: 404,
			body:     `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`,
			wantMsgs: []string{"Issue does not exist or you do not have permission to see it."},
			is:       []error{ErrNotFound}, isNot: []error{ErrForbidden, ErrGone},
		},
		{
			name: "confluence v2", status: 409,
			body:     `{"errors":[{"status":"409","code":"CONFLICT","title":"Version must be incremented when updating a page. Current Version: [3]. Provided version: [3]","detail":null}]}`,
			wantMsgs: []string{"Version must be incremented when updating a page. Current Version: [3]. Provided version: [3]"},
		},
		{
			name: "confluence v1", status: 400,
			body:     `{"statusCode":400,"data":{"authorized":true,"valid":false,"errors":[{"message":{"key":"label.invalid","args":[],"translation":"Invalid label"}}],"successful":false},"message":"Could not add labels"}`,
			wantMsgs: []string{"Invalid label", "Could not add labels"},
		},
		{
			name: "gateway scope mismatch", status: 401,
			body:     `{"code":401,"message":"Unauthorized; scope does not match"}`,
			wantMsgs: []string{"Unauthorized; scope does not match"},
			is:       []error{ErrUnauthorized, ErrScopeMismatch},
		},
		{
			name: "gateway unauthorized", status: 401,
			body:     `{"code":401,"message":"Unauthorized"}`,
			wantMsgs: []string{"Unauthorized"},
			is:       []error{ErrUnauthorized}, isNot: []error{ErrScopeMismatch},
		},
		{
			name: "gateway site unavailable", status: 404,
			body:     `{"errorMessage":"Site temporarily unavailable","errorCode":"OTHER"}`,
			wantMsgs: []string{"Site temporarily unavailable"},
			is:       []error{ErrNotFound},
		},
		{
			name: "gone", status: 410,
			body:     `{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."],"errors":{}}`,
			wantMsgs: []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."},
			is:       []error{ErrGone},
		},
		{
			name: "html", status: 502,
			body:    "<html>\n<body>\x00Bad gateway\tfrom proxy Authorization: Bearer eyJhbGciOi.secret.token</body></html>",
			excerpt: true,
		},
		{name: "empty", status: 500, body: ""},
		{name: "truncated json", status: 500, body: `{"errorMessages":["x"`, excerpt: true},
		{name: "errors not a map", status: 400, body: `{"errors":"boom"}`, excerpt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &APIError{StatusCode: tt.status, Method: "GET", Path: "/rest/api/3/issue/{issueIdOrKey}", product: "jira"}
			e.fill([]byte(tt.body))
			if got := e.Messages(); strings.Join(got, "|") != strings.Join(tt.wantMsgs, "|") {
				t.Errorf("Messages() = %q, want %q", got, tt.wantMsgs)
			}
			for _, target := range tt.is {
				if !errors.Is(e, target) {
					t.Errorf("errors.Is(%v) = false", target)
				}
			}
			for _, target := range tt.isNot {
				if errors.Is(e, target) {
					t.Errorf("errors.Is(%v) = true", target)
				}
			}
			if (e.Excerpt != "") != tt.excerpt {
				t.Errorf("Excerpt = %q, want present=%v", e.Excerpt, tt.excerpt)
			}
			s := e.Error()
			if !strings.HasPrefix(s, "jira: GET /rest/api/3/issue/{issueIdOrKey}: ") {
				t.Errorf("Error() = %q lacks the call", s)
			}
			if strings.Contains(s, "secret") || strings.Contains(s, "eyJhbGciOi") {
				t.Errorf("Error() leaks a token: %q", s)
			}
			if strings.ContainsAny(s, "\n\t\x00") {
				t.Errorf("Error() is not one clean line: %q", s)
			}
		})
	}
}

func TestExcerptBounded(t *testing.T) {
	long := strings.Repeat("é<p>", 10000)
	ex := excerpt([]byte(long))
	if len([]rune(ex)) > excerptLen+1 {
		t.Errorf("excerpt has %d runes", len([]rune(ex)))
	}
	if !strings.HasSuffix(ex, "…") {
		t.Errorf("excerpt of a long body should say it was cut: %q", ex)
	}
	if got := excerpt([]byte{0xff, 0xfe, 'a'}); got != "??a" {
		t.Errorf("invalid UTF-8 excerpt = %q", got)
	}
}

func TestRedact(t *testing.T) {
	for in, leak := range map[string]string{
		"Authorization: Bearer abc.def-ghi":          "abc.def-ghi",
		`{"access_token":"tok123","x":1}`:            "tok123",
		"refresh_token=rt-456&client_secret=sec-789": "rt-456",
		`{"client_secret": "sec-789"}`:               "sec-789",
		"basic dXNlcjpwYXNz":                         "dXNlcjpwYXNz",
	} {
		if got := redact(in); strings.Contains(got, leak) {
			t.Errorf("redact(%q) = %q still holds %q", in, got, leak)
		}
	}
}

func TestRateLimitErrorText(t *testing.T) {
	e := &RateLimitError{StatusCode: 429, Method: "POST", Path: "/rest/api/3/issue", RetryAfter: time.Hour, Reason: "jira-quota-global-based", Attempts: 1, GaveUp: "the wait of 1h0m0s exceeds the request deadline", product: "jira"}
	want := "jira: POST /rest/api/3/issue: rate limited (429, jira-quota-global-based): retry after 1h0m0s; gave up: the wait of 1h0m0s exceeds the request deadline (after 1 attempt)"
	if e.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", e.Error(), want)
	}
	if !errors.Is(e, ErrRateLimited) {
		t.Error("RateLimitError must match ErrRateLimited")
	}
	var wrapped error = e
	var rl *RateLimitError
	if !errors.As(wrapped, &rl) || rl.Reason != "jira-quota-global-based" {
		t.Error("errors.As failed")
	}
}

func TestLinkDirection(t *testing.T) {
	blocks := IssueLinkType{ID: "10000", Name: "Blocks", Inward: "is blocked by", Outward: "blocks"}
	relates := IssueLinkType{ID: "10003", Name: "Relates", Inward: "relates to", Outward: "relates to"}
	dup := IssueLinkType{ID: "10002", Name: "Duplicate", Inward: "is duplicated by", Outward: "duplicates"}
	clones := IssueLinkType{ID: "10001", Name: "Cloners", Inward: "is cloned by", Outward: "clones"}
	types := []IssueLinkType{blocks, clones, dup, relates}
	tests := []struct {
		phrase           string
		wantIn, wantOut  string
		wantType, errSub string
	}{
		// "A blocks B": inwardIssue = A (ATLASSIAN.md §2.9, empirical).
		{phrase: "blocks", wantIn: "A-1", wantOut: "B-2", wantType: "Blocks"},
		{phrase: "Blocks", wantIn: "A-1", wantOut: "B-2", wantType: "Blocks"},
		{phrase: "  BLOCKS ", wantIn: "A-1", wantOut: "B-2", wantType: "Blocks"},
		{phrase: "is blocked by", wantIn: "B-2", wantOut: "A-1", wantType: "Blocks"},
		{phrase: "is  Blocked   BY", wantIn: "B-2", wantOut: "A-1", wantType: "Blocks"},
		{phrase: "duplicates", wantIn: "A-1", wantOut: "B-2", wantType: "Duplicate"},
		{phrase: "is duplicated by", wantIn: "B-2", wantOut: "A-1", wantType: "Duplicate"},
		{phrase: "duplicate", wantIn: "A-1", wantOut: "B-2", wantType: "Duplicate"},
		{phrase: "relates to", wantIn: "A-1", wantOut: "B-2", wantType: "Relates"},
		{phrase: "clones", wantIn: "A-1", wantOut: "B-2", wantType: "Cloners"},
		{phrase: "is cloned by", wantIn: "B-2", wantOut: "A-1", wantType: "Cloners"},
		{phrase: "causes", errSub: "known phrases: blocks, clones, duplicates, is blocked by, is cloned by, is duplicated by, relates to"},
		{phrase: "", errSub: "no link type"},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			req, err := ResolveLink(types, "A-1", tt.phrase, "B-2")
			if tt.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errSub) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.InwardIssue.Key != tt.wantIn || req.OutwardIssue.Key != tt.wantOut || req.Type.Name != tt.wantType {
				t.Errorf("got inward=%s outward=%s type=%s; want %s %s %s", req.InwardIssue.Key, req.OutwardIssue.Key, req.Type.Name, tt.wantIn, tt.wantOut, tt.wantType)
			}
		})
	}
	t.Run("ambiguous across types", func(t *testing.T) {
		odd := IssueLinkType{ID: "20000", Name: "Odd", Inward: "blocks", Outward: "unblocks"}
		_, err := ResolveLink([]IssueLinkType{blocks, odd}, "A-1", "blocks", "B-2")
		if err == nil || !strings.Contains(err.Error(), "several link types") {
			t.Fatalf("err = %v, want an ambiguity error", err)
		}
	})
	t.Run("read back", func(t *testing.T) {
		// On A-1 after "A-1 blocks B-2", Jira lists the link with
		// outwardIssue B-2: "A-1 blocks B-2".
		p, other := ReadLink(IssueLink{Type: blocks, OutwardIssue: &IssueRef{Key: "B-2"}})
		if p != "blocks" || other.Key != "B-2" {
			t.Errorf("ReadLink = %q %v", p, other)
		}
		p, other = ReadLink(IssueLink{Type: blocks, InwardIssue: &IssueRef{Key: "A-1"}})
		if p != "is blocked by" || other.Key != "A-1" {
			t.Errorf("ReadLink = %q %v", p, other)
		}
	})
}

func TestMergeResources(t *testing.T) {
	raw := []Resource{
		{ID: "c1", Name: "acme", URL: "https://acme.atlassian.net", Scopes: []string{"read:jira-work", "write:jira-work", "read:jira-user"}},
		{ID: "c1", Name: "acme", URL: "https://acme.atlassian.net", Scopes: []string{"read:page:confluence", "search:confluence", "write:confluence-content"}},
		{ID: "c2", Name: "desk", Scopes: []string{"read:servicedesk-request", "read:jira-work"}},
		{ID: "c3", Name: "bare", Scopes: []string{"read:me"}},
	}
	got := mergeResources(raw)
	if len(got) != 3 {
		t.Fatalf("got %d resources, want 3: %+v", len(got), got)
	}
	if !got[0].Has(ProductJira) || !got[0].Has(ProductConfluence) || got[0].Has(ProductServiceDesk) {
		t.Errorf("c1 products = %v", got[0].Products)
	}
	if len(got[0].Scopes) != 6 {
		t.Errorf("c1 scopes = %v", got[0].Scopes)
	}
	if !got[1].Has(ProductServiceDesk) || !got[1].Has(ProductJira) {
		t.Errorf("c2 products = %v", got[1].Products)
	}
	if len(got[2].Products) != 1 || got[2].Products[0] != ProductUnknown {
		t.Errorf("c3 products = %v", got[2].Products)
	}
	for scope, want := range map[string]Product{
		"read:jira-work": ProductJira, "read:issue-details:jira": ProductJira, "manage:jira-configuration": ProductJira,
		"search:confluence": ProductConfluence, "read:confluence-content.all": ProductConfluence, "write:page:confluence": ProductConfluence,
		"read:servicedesk-request": ProductServiceDesk, "offline_access": "", "read:me": "",
	} {
		if got := ScopeProduct(scope); got != want {
			t.Errorf("ScopeProduct(%q) = %q, want %q", scope, got, want)
		}
	}
}

func TestTimeAndWorklog(t *testing.T) {
	started := time.Date(2021, 1, 17, 12, 34, 0, 0, time.UTC)
	b, err := json.Marshal(WorklogRequest{TimeSpent: "3h 20m", Started: started})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"timeSpent":"3h 20m","started":"2021-01-17T12:34:00.000+0000"}`; string(b) != want {
		t.Errorf("worklog = %s, want %s", b, want)
	}
	ist := time.FixedZone("IST", 5*3600+1800)
	b, _ = json.Marshal(WorklogRequest{TimeSpentSeconds: 60, Started: started.In(ist)})
	if !strings.Contains(string(b), `"started":"2021-01-17T18:04:00.000+0530"`) || strings.Contains(string(b), "Z") {
		t.Errorf("worklog with offset = %s", b)
	}
	for _, in := range []string{`"2021-01-17T12:34:00.000+0000"`, `"2021-01-17T12:34:00Z"`, `"2021-01-17T14:34:00.000+02:00"`} {
		var tm Time
		if err := json.Unmarshal([]byte(in), &tm); err != nil || !tm.Equal(started) {
			t.Errorf("Time(%s) = %v, %v", in, tm, err)
		}
	}
	var tm Time
	if err := json.Unmarshal([]byte(`null`), &tm); err != nil || !tm.IsZero() {
		t.Errorf("null time = %v, %v", tm, err)
	}
	if err := json.Unmarshal([]byte(`"yesterday"`), &tm); err != nil || !tm.IsZero() {
		t.Errorf("unknown layout = %v, %v; want the zero time", tm, err)
	}
	if err := json.Unmarshal([]byte(`12`), &tm); err == nil {
		t.Error("a number parsed as a time")
	}
}

func TestIssueFieldsKeepRaw(t *testing.T) {
	in := `{"summary":"S","status":{"name":"In Progress","statusCategory":{"key":"indeterminate","name":"In Progress"}},
	"customfield_10016":5,"customfield_10020":[{"id":1,"name":"Sprint 1"}],"description":null,
	"labels":["a","b"],"created":"2026-01-02T03:04:05.000+0000","assignee":null}`
	var f IssueFields
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	if f.Summary != "S" || f.Status.StatusCategory.Key != "indeterminate" || len(f.Labels) != 2 || f.Assignee != nil || f.Description != nil {
		t.Errorf("typed fields wrong: %+v", f)
	}
	if string(f.Raw["customfield_10016"]) != "5" || !strings.Contains(string(f.Raw["customfield_10020"]), "Sprint 1") {
		t.Errorf("raw custom fields lost: %v", f.Raw)
	}
	// A typed field of an unexpected shape does not lose the issue.
	var g IssueFields
	if err := json.Unmarshal([]byte(`{"summary":"ok","labels":"not-a-list","customfield_1":"x"}`), &g); err != nil {
		t.Fatal(err)
	}
	if g.Summary != "ok" || g.Labels != nil || string(g.Raw["labels"]) != `"not-a-list"` {
		t.Errorf("partial decode = %+v", g)
	}
}

func TestIssueRequestCheck(t *testing.T) {
	adf := json.RawMessage(`{"type":"doc","version":1,"content":[]}`)
	tests := []struct {
		name string
		req  *IssueRequest
		ok   bool
	}{
		{"adf description", &IssueRequest{Fields: map[string]any{"summary": "x", "description": adf}}, true},
		{"markdown description", &IssueRequest{Fields: map[string]any{"description": "**bold**"}}, false},
		{"null description", &IssueRequest{Fields: map[string]any{"description": nil}}, true},
		{"object not doc", &IssueRequest{Fields: map[string]any{"environment": map[string]any{"type": "paragraph"}}}, false},
		{"field twice", &IssueRequest{Fields: map[string]any{"labels": []string{"a"}}, Update: map[string][]FieldOperation{"labels": {{Add: "b"}}}}, false},
		{"nil", nil, false},
		{"update set markdown", &IssueRequest{Update: map[string][]FieldOperation{"description": {{Set: "*x*"}}}}, false},
		{"update set adf", &IssueRequest{Update: map[string][]FieldOperation{"description": {{Set: adf}}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.req.check(); (err == nil) != tt.ok {
				t.Errorf("check() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestLimiterIssueBuckets(t *testing.T) {
	l := NewLimiter(RateLimits{GET: -1, POST: -1, PUT: -1, DELETE: -1})
	now := time.Unix(1_700_000_000, 0)
	// No 2 s window may see more than 20 writes to one issue, and no 30 s
	// window more than 100: schedule 400 writes as fast as the limiter
	// lets them go and check every window.
	var at []time.Time
	for i := 0; i < 400; i++ {
		wait, _, ok := l.reserve(now, "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", "ENG-1")
		if !ok {
			t.Fatal("reservation refused")
		}
		at = append(at, now.Add(wait))
	}
	check := func(window time.Duration, maxN int) {
		j := 0
		for i := range at {
			for at[i].Sub(at[j]) >= window {
				j++
			}
			if n := i - j + 1; n > maxN {
				t.Fatalf("%d writes within %v (limit %d)", n, window, maxN)
			}
		}
	}
	check(2*time.Second, 20)
	check(30*time.Second, 100)
	// Another issue, and reads of the same issue, are not delayed.
	if wait, _, _ := l.reserve(now, "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", "ENG-2"); wait != 0 {
		t.Errorf("ENG-2 waits %v", wait)
	}
	if wait, _, _ := l.reserve(now, "jira", "GET", "/rest/api/3/issue/{issueIdOrKey}", "ENG-1"); wait != 0 {
		t.Errorf("GET ENG-1 waits %v", wait)
	}
	// Keys are case-insensitive.
	if wait, _, _ := l.reserve(now, "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", "eng-1"); wait == 0 {
		t.Error("eng-1 is not limited with ENG-1")
	}
}

// TestLimiterBucketsPerEndpoint: the burst buckets are keyed as Atlassian
// keys its burst limit, per product, endpoint and method, with the
// documented endpoint overrides.
func TestLimiterBucketsPerEndpoint(t *testing.T) {
	l := NewLimiter(RateLimits{Burst: 2})
	now := time.Unix(1_700_000_000, 0)
	drain := func(product, method, tmpl string) time.Duration {
		var wait time.Duration
		for range 3 {
			wait, _, _ = l.reserve(now, product, method, tmpl, "")
		}
		return wait // the third request's: the bucket holds two
	}
	tests := []struct {
		name                   string
		product, method, tmpl  string
		waitsAfterStatusesOnly bool
	}{
		{"another endpoint", "jira", "GET", "/rest/api/3/field", false},
		{"another method", "jira", "POST", "/rest/api/3/project/{projectIdOrKey}/statuses", false},
		{"another product", "confluence", "GET", "/rest/api/3/project/{projectIdOrKey}/statuses", false},
		{"another spelling of the endpoint", "jira", "GET", "/rest/api/3/project/{key}/statuses", true},
		{"HEAD counts as GET", "jira", "HEAD", "/rest/api/3/project/{projectIdOrKey}/statuses", true},
	}
	if wait := drain("jira", "GET", "/rest/api/3/project/{projectIdOrKey}/statuses"); wait != 10*time.Millisecond {
		t.Fatalf("third request in a bucket of two at 100/s waits %v, want 10ms", wait)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, cancel, _ := l.reserve(now, tt.product, tt.method, tt.tmpl, "")
			cancel()
			if (wait > 0) != tt.waitsAfterStatusesOnly {
				t.Errorf("waits %v after another bucket was drained", wait)
			}
		})
	}
	if got := l.bucket("jira", "GET", "/rest/api/3/issue/{issueIdOrKey}").lim.Limit(); got != 150 {
		t.Errorf("GET issue: %v a second, want Atlassian's override of 150", got)
	}
	if got := l.bucket("jira", "DELETE", "/rest/api/3/issue/{issueIdOrKey}").lim.Limit(); got != 50 {
		t.Errorf("DELETE issue: %v a second, want the DELETE default of 50", got)
	}
	if got := endpointName("PATCH", "/wiki/api/v2/pages/{id}/children/{x}"); got != "PUT /wiki/api/v2/pages/{}/children/{}" {
		t.Errorf("endpointName = %q", got)
	}
}

func TestLimiterNearLimitAndPause(t *testing.T) {
	l := NewLimiter(RateLimits{GET: 100, Burst: 1})
	now := time.Unix(1_700_000_000, 0)
	h := http.Header{}
	h.Set("X-RateLimit-NearLimit", "true")
	h.Set("X-RateLimit-Remaining", "3")
	h.Set("X-RateLimit-Limit", "100")
	l.observe(now, "jira", "GET", "/rest/api/3/project/{projectIdOrKey}/statuses", h)
	if got := l.bucket("jira", "GET", "/rest/api/3/project/{key}/statuses").lim.Limit(); got != 50 {
		t.Errorf("near limit: rate = %v, want 50", got)
	}
	st := l.State()
	if !st.NearLimit || st.Remaining != 3 || st.Limit != 100 {
		t.Errorf("State() = %+v", st)
	}
	if got := l.bucket("jira", "GET", "/rest/api/3/field").lim.Limit(); got != 100 {
		t.Errorf("near limit on one endpoint slowed another to %v", got)
	}
	l.observe(now, "jira", "GET", "/rest/api/3/project/{projectIdOrKey}/statuses", http.Header{})
	if got := l.bucket("jira", "GET", "/rest/api/3/project/{key}/statuses").lim.Limit(); got != 100 {
		t.Errorf("after near limit: rate = %v, want 100", got)
	}
	l.pause(now, "jira", now.Add(5*time.Second), "jira-quota-global-based")
	if wait, _, _ := l.reserve(now, "jira", "POST", "/rest/api/3/issue/{issueIdOrKey}", ""); wait != 5*time.Second {
		t.Errorf("paused reserve waits %v, want the 5s left of the pause", wait)
	}
	// Confluence has its own quota pool.
	if wait, _, _ := l.reserve(now, "confluence", "POST", "/rest/api/3/issue/{issueIdOrKey}", ""); wait >= time.Second {
		t.Errorf("a Jira quota pause delays Confluence by %v", wait)
	}
	// A bad header cannot stop the client for longer than a quota window.
	l.pause(now, "confluence", now.Add(100*365*24*time.Hour), "confluence-quota-global-based")
	if until, why := l.paused(now, "confluence"); until.Sub(now) != maxQuotaPause || why != "confluence-quota-global-based" {
		t.Errorf("pause = %v %q, want capped at %v", until.Sub(now), why, maxQuotaPause)
	}
}

func TestCursorFromNext(t *testing.T) {
	c, err := newCore("confluence", "http://127.0.0.1:8990/ex/confluence/c1", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, next, want string
		path             string
		bad              bool
	}{
		{name: "last page", next: "", want: "", path: cqlPath},
		{name: "v1 relative without /wiki", next: "/rest/api/search?cql=type%3Dpage&limit=25&cursor=raNDoM", want: "raNDoM", path: cqlPath},
		{name: "v1 with /wiki", next: "/wiki/rest/api/search?cursor=abc", want: "abc", path: cqlPath},
		{name: "v2 with /wiki", next: "/wiki/api/v2/pages?id=1&cursor=eyJpZCI6MX0%3D", want: "eyJpZCI6MX0=", path: pagesPath},
		{name: "v2 children", next: "/wiki/api/v2/pages/42/direct-children?cursor=c2", want: "c2", path: "/wiki/api/v2/pages/42/direct-children"},
		{name: "absolute on configured host", next: "http://127.0.0.1:8990/ex/confluence/c1/wiki/api/v2/pages?cursor=z", want: "z", path: pagesPath},
		{name: "other host", next: "https://evil.example/wiki/api/v2/pages?cursor=z", path: pagesPath, bad: true},
		{name: "site base", next: "https://acme.atlassian.net/wiki/api/v2/pages?cursor=z", path: pagesPath, bad: true},
		{name: "scheme relative", next: "//evil.example/wiki/api/v2/pages?cursor=z", path: pagesPath, bad: true},
		{name: "other scheme", next: "https://127.0.0.1:8990/ex/confluence/c1/wiki/api/v2/pages?cursor=z", path: pagesPath, bad: true},
		{name: "other path", next: "/wiki/api/v2/spaces?cursor=z", path: pagesPath, bad: true},
		{name: "traversal", next: "/wiki/api/v2/pages/../../admin?cursor=z", path: pagesPath, bad: true},
		{name: "encoded slash", next: "/wiki/api/v2/pages%2F..%2Fx?cursor=z", path: pagesPath, bad: true},
		{name: "no cursor", next: "/wiki/api/v2/pages?limit=25", path: pagesPath, bad: true},
		{name: "javascript", next: "javascript:alert(1)", path: pagesPath, bad: true},
		{name: "userinfo", next: "http://user@127.0.0.1:8990/ex/confluence/c1/wiki/api/v2/pages?cursor=z", path: pagesPath, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.cursorFromNext(tt.next, tt.path)
			if tt.bad {
				if !errors.Is(err, ErrUnsafeNextLink) {
					t.Fatalf("cursorFromNext(%q) = %q, %v; want refusal", tt.next, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("cursorFromNext(%q) = %q, %v; want %q", tt.next, got, err, tt.want)
			}
		})
	}
}

func TestNewCoreBaseURL(t *testing.T) {
	for _, bad := range []string{"", "https://u:p@api.atlassian.com/%zz", "ftp://x", "http://", "https://u:p@api.atlassian.com", "https://api.atlassian.com/?token=x", "https://api.atlassian.com/#x", "://"} {
		if _, err := NewJiraClient(bad, nil); err == nil {
			t.Errorf("NewJiraClient(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "u:p") {
			t.Errorf("error leaks credentials: %v", err)
		}
	}
	j, err := NewJiraClient(JiraBaseURL(DefaultGatewayURL+"/", "c1"), nil)
	if err != nil || j.BaseURL() != "https://api.atlassian.com/ex/jira/c1" {
		t.Errorf("jira base = %q, %v", j.BaseURL(), err)
	}
	c, err := NewConfluenceClient("https://acme.atlassian.net/wiki/", nil)
	if err != nil || c.BaseURL() != "https://acme.atlassian.net" {
		t.Errorf("confluence base = %q, %v", c.BaseURL(), err)
	}
	if got := ConfluenceBaseURL(DefaultGatewayURL, "a/b"); got != "https://api.atlassian.com/ex/confluence/a%2Fb" {
		t.Errorf("ConfluenceBaseURL escapes the cloud id: %q", got)
	}
}

func TestLimiterSweepsIdleIssues(t *testing.T) {
	l := NewLimiter(RateLimits{PUT: -1})
	now := time.Unix(1_700_000_000, 0)
	for i := range maxIssueLimiters + 10 {
		l.reserve(now, "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", "ENG-"+strconv.Itoa(i))
	}
	if n := len(l.issues); n != maxIssueLimiters+10 {
		t.Fatalf("%d limiters, want every recent issue kept", n)
	}
	l.reserve(now.Add(31*time.Second), "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", "OPS-1")
	if n := len(l.issues); n != 1 {
		t.Errorf("%d limiters after the window passed, want only OPS-1", n)
	}
}

func TestJSONRoundTrips(t *testing.T) {
	var ids []FlexID
	if err := json.Unmarshal([]byte(`["123", 456, null, 7.0]`), &ids); err != nil {
		t.Fatal(err)
	}
	if got := []string{ids[0].String(), ids[1].String(), ids[2].String(), ids[3].String()}; strings.Join(got, ",") != "123,456,,7.0" {
		t.Errorf("FlexID = %v", got)
	}
	if err := json.Unmarshal([]byte(`[{}]`), &ids); err == nil {
		t.Error("an object parsed as an id")
	}
	// Fields as received write back unchanged, custom fields included.
	in := `{"customfield_1":{"value":"red"},"summary":"S","updated":"2026-01-02T03:04:05.000+0000"}`
	var f IssueFields
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(f)
	if err != nil || string(out) != in {
		t.Errorf("round trip = %s, %v", out, err)
	}
	// Built by hand, the typed fields are written in Jira's layout.
	built, _ := json.Marshal(IssueFields{Summary: "x", Created: Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	if !strings.Contains(string(built), `"created":"2026-01-02T03:04:05.000+0000"`) || !strings.Contains(string(built), `"updated":null`) {
		t.Errorf("typed fields = %s", built)
	}
}

func TestCreateMetaLastPage(t *testing.T) {
	tests := []struct {
		p      pageMeta
		n, end int
		last   bool
	}{
		{pageMeta{Total: 450}, 200, 200, false},
		{pageMeta{Total: 450}, 50, 450, true},
		{pageMeta{Total: 0}, 0, 0, true},
		{pageMeta{}, 200, 200, false},             // no total, full page: ask again
		{pageMeta{}, 17, 217, true},               // no total, short page
		{pageMeta{MaxResults: 50}, 50, 50, false}, // Jira capped the page below ours
		{pageMeta{MaxResults: 50}, 49, 99, true},
	}
	for _, tt := range tests {
		if got := tt.p.lastPage(tt.n, tt.end); got != tt.last {
			t.Errorf("%+v lastPage(%d, %d) = %v", tt.p, tt.n, tt.end, got)
		}
	}
}
