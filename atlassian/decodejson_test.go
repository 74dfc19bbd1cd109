package atlassian

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// sandboxBody is the body of a GET on the sandbox's Jira (path and query
// after /rest/api/3/).
func sandboxBody(t testing.TB, srv *sandbox.Server, path string) []byte {
	t.Helper()
	resp, err := srv.HTTPClient().Get(JiraBaseURL(srv.URL, srv.CloudID) + "/rest/api/3/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v: %.300s", path, resp.StatusCode, err, body)
	}
	return body
}

// TestUnmarshalJSONIsEncodingJSON checks that the one-pass decoder of
// responses gives what encoding/json gives: the same value for real
// answers and for the inputs where encoding/json is lenient, and
// encoding/json's own error (type and text) for the ones it refuses.
func TestUnmarshalJSONIsEncodingJSON(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithoutRateLimits(), sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 3, CustomFields: 20, Issues: 30, Seed: 5}))
	t.Cleanup(srv.Close)
	type odd struct {
		Name  string         `json:"name"`
		N     int            `json:"n"`
		F     float64        `json:"f,string"`
		Any   any            `json:"any"`
		List  []string       `json:"list"`
		M     map[string]int `json:"m"`
		When  Time           `json:"when"`
		Inner *struct {
			X int `json:"x"`
		} `json:"inner"`
	}
	cases := []struct {
		name string
		body []byte
		into func() any
	}{
		{"issue", sandboxBody(t, srv, "issue/"+firstIssueID(t, srv)+"?expand=changelog,transitions,names,renderedFields,schema"), func() any { return new(Issue) }},
		{"search page", sandboxBody(t, srv, "search/jql?jql=created%20%3E%3D%20-36500d%20order%20by%20key&maxResults=100&fields=*all&expand=names"), func() any { return new(SearchResult) }},
		{"fields", sandboxBody(t, srv, "field"), func() any { return new([]Field) }},
		{"case-insensitive names", []byte(`{"NAME":"a","N":2,"LIST":["x"]}`), func() any { return new(odd) }},
		{"duplicate names", []byte(`{"name":"a","name":"b","m":{"k":1,"k":2}}`), func() any { return new(odd) }},
		{"invalid UTF-8", []byte("{\"name\":\"a\xffb\",\"any\":\"\xc3\"}"), func() any { return new(odd) }},
		{"numbers in any", []byte(`{"any":[1,2.5,1e3,-0,{"a":null}]}`), func() any { return new(odd) }},
		{"null everywhere", []byte(`{"name":null,"n":null,"list":null,"m":null,"inner":null,"when":null}`), func() any { return new(odd) }},
		{"string option", []byte(`{"f":"1.5"}`), func() any { return new(odd) }},
		{"unknown fields", []byte(`{"zzz":{"deep":[1,{"a":2}]},"name":"x"}`), func() any { return new(odd) }},
		{"escapes", []byte(`{"name":"\u00e9\ud83d\ude00\n\"\\\/"}`), func() any { return new(odd) }},
		{"wrong type", []byte(`{"name":1,"n":"2"}`), func() any { return new(odd) }},
		{"wrong type in issue", []byte(`{"id":"1","key":"A-1","transitions":{"x":1}}`), func() any { return new(Issue) }},
		{"issue fields: odd members", []byte("{\"id\":\"1\",\"fields\":{\"summary\":\"s\",\"Summary\":\"t\",\"status\":{\"name\":\"a\",\"id\":\"1\"},\"status\":{\"name\":\"b\"},\"labels\":null,\"created\":null,\"su\\u006dmary\":\"u\",\"k\xff\":1,\"customfield_1\":{\"a\":[1,2]},\"description\":null}}"), func() any { return new(Issue) }},
		{"issue fields: a typed field of another shape", []byte(`{"id":"1","fields":{"summary":"s","status":"Done","priority":{"name":7,"id":"3"},"labels":["a"],"comment":{"comments":[{"id":"1","body":{"type":"doc"}}]}}}`), func() any { return new(Issue) }},
		{"issue fields: empty", []byte(`{"id":"1","fields":{}}`), func() any { return new(Issue) }},
		{"issue fields: null", []byte(`{"id":"1","fields":null}`), func() any { return new(Issue) }},
		{"issue fields: not an object", []byte(`{"id":"1","fields":[1]}`), func() any { return new(Issue) }},
		{"search page: one odd issue", []byte(`{"issues":[{"id":"1","fields":{"summary":"a"}},{"id":"2","fields":{"summary":{"x":1},"labels":["b"]}},{"id":"3","fields":{"summary":"c","created":"2024-01-02T03:04:05.000+0000"}}]}`), func() any { return new(SearchResult) }},
		{"syntax error", []byte(`{"name":"a",}`), func() any { return new(odd) }},
		{"truncated", []byte(`{"name":"a"`), func() any { return new(odd) }},
		{"trailing data", []byte(`{"name":"a"} x`), func() any { return new(odd) }},
		{"not an object", []byte(`[1,2]`), func() any { return new(odd) }},
		{"bad time", []byte(`{"when":"yesterday"}`), func() any { return new(odd) }},
		{"overflow", []byte(`{"n":1e400}`), func() any { return new(odd) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := c.into(), c.into()
			gotErr, wantErr := unmarshalJSON(c.body, got), json.Unmarshal(c.body, want)
			if (gotErr == nil) != (wantErr == nil) || gotErr != nil && (gotErr.Error() != wantErr.Error() || reflect.TypeOf(gotErr) != reflect.TypeOf(wantErr)) {
				t.Fatalf("error %T %v, encoding/json's %T %v", gotErr, gotErr, wantErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decodes to\n%+v\nencoding/json to\n%+v", got, want)
			}
		})
	}
}

// firstIssueID is the id of the sandbox's first issue.
func firstIssueID(t testing.TB, srv *sandbox.Server) string {
	t.Helper()
	var page struct {
		Issues []struct {
			ID string `json:"id"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(sandboxBody(t, srv, "search/jql?jql=created%20%3E%3D%20-36500d%20order%20by%20key&maxResults=1"), &page); err != nil || len(page.Issues) == 0 {
		t.Fatalf("no issue: %v", err)
	}
	return page.Issues[0].ID
}

// BenchmarkUnmarshalJSON decodes the seeded site's ENG-3 with comments,
// transitions and changelog (26 KB, the issue BenchmarkHTTPThroughput
// gets) as core.decode does, against encoding/json.
func BenchmarkUnmarshalJSON(b *testing.B) {
	srv := sandbox.NewServer(sandbox.WithoutRateLimits())
	b.Cleanup(srv.Close)
	body := sandboxBody(b, srv, "issue/ENG-3?expand=changelog,transitions")
	for _, dec := range []struct {
		name string
		fn   func([]byte, any) error
	}{{"one-pass", unmarshalJSON}, {"encoding-json", json.Unmarshal}} {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var is Issue
				if err := dec.fn(body, &is); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
