package atlassian_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// searchPageBody is a raw search/jql answer of the seeded sandbox with
// every field of up to 100 issues, as Jira sends it.
func searchPageBody(t testing.TB, opts ...sandbox.Option) []byte {
	t.Helper()
	srv := newSandbox(t, append([]sandbox.Option{sandbox.WithoutRateLimits()}, opts...)...)
	hc, _ := authClient(t, srv)
	u := atlassian.JiraBaseURL(srv.URL, srv.CloudID) + "/rest/api/3/search/jql?jql=created%20%3E%3D%20-36500d%20order%20by%20key&maxResults=100&fields=*all&expand=names"
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("search: %d %v: %.300s", resp.StatusCode, err, body)
	}
	return body
}

// TestIssueFieldsDecodeOnce checks the one-pass decoder against what
// encoding/json makes of the same issues with the struct's own tags: every
// typed field equal, and Raw holding every field as received.
func TestIssueFieldsDecodeOnce(t *testing.T) {
	body := searchPageBody(t, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 5, CustomFields: 40, Issues: 100, Seed: 3}))
	var got atlassian.SearchResult
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	// The reference: the same JSON decoded by tags alone, through a type
	// with IssueFields' fields but not its UnmarshalJSON.
	type plainFields atlassian.IssueFields
	var ref struct {
		Issues []struct {
			Key    string                     `json:"key"`
			Fields plainFields                `json:"fields"`
			Raw    map[string]json.RawMessage `json:"-"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatal(err)
	}
	var rawIssues struct {
		Issues []struct {
			Fields map[string]json.RawMessage `json:"fields"`
		} `json:"issues"`
	}
	if err := json.Unmarshal(body, &rawIssues); err != nil {
		t.Fatal(err)
	}
	if len(got.Issues) < 50 || len(got.Issues) != len(ref.Issues) {
		t.Fatalf("%d issues decoded, %d by reference", len(got.Issues), len(ref.Issues))
	}
	for i, is := range got.Issues {
		want := atlassian.IssueFields(ref.Issues[i].Fields)
		if string(want.Description) == "null" {
			want.Description = nil
		}
		want.Raw = rawIssues.Issues[i].Fields
		if !reflect.DeepEqual(is.Fields, want) {
			t.Fatalf("%s decodes to\n%+v\nwant\n%+v", is.Key, is.Fields, want)
		}
	}
}

// BenchmarkDecodeSearchPage decodes a 100-issue search answer with every
// field (custom fields included), which the REST layer does for every
// search: issue 12's "decode once" figure, against the decode-twice
// baseline.
func BenchmarkDecodeSearchPage(b *testing.B) {
	body := searchPageBody(b, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 5, CustomFields: 40, Issues: 100, Seed: 3}))
	b.Run("once", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var page atlassian.SearchResult
			if err := json.Unmarshal(body, &page); err != nil || len(page.Issues) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("twice-baseline", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var page struct {
				Issues []struct {
					Key    string      `json:"key"`
					Fields twiceFields `json:"fields"`
				} `json:"issues"`
			}
			if err := json.Unmarshal(body, &page); err != nil || len(page.Issues) == 0 {
				b.Fatal(err)
			}
		}
	})
}

// twiceFields is IssueFields decoded the way it was before issue 12: the
// whole object into a map, then the whole object again into the struct.
// It is the baseline of BenchmarkDecodeSearchPage.
type twiceFields atlassian.IssueFields

func (f *twiceFields) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	type plain atlassian.IssueFields
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*f = twiceFields(p)
	f.Raw = raw
	return nil
}
