package atlassian

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAPIErrorFill feeds arbitrary error bodies to the error parser: no
// panic, one printable line of bounded size, and no credential survives.
func FuzzAPIErrorFill(f *testing.F) {
	for _, s := range []string{
		`{"errorMessages":["x"],"errors":{"summary":"required"}}`,
		`{"errors":[{"status":"409","code":"CONFLICT","title":"t","detail":null}]}`,
		`{"statusCode":400,"data":{"errors":[{"message":{"translation":"bad"}}]},"message":"m"}`,
		`{"code":401,"message":"Unauthorized; scope does not match"}`,
		`{"errorMessage":"Site temporarily unavailable","errorCode":"OTHER"}`,
		`{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`,
		"<html>Bearer abc.def</html>", `{"errors":[1,"two",null,{"message":3}]}`, `{"errors":{"a":{"b":[1]}}}`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		e := &APIError{StatusCode: 400, Method: "GET", Path: "/x", product: "jira"}
		e.fill([]byte(body))
		s := e.Error()
		if strings.ContainsAny(e.Excerpt, "\n\r\t\x00") {
			t.Fatalf("excerpt not one line: %q", e.Excerpt)
		}
		if utf8.RuneCountInString(e.Excerpt) > excerptLen+1 {
			t.Fatalf("excerpt too long: %d", len(e.Excerpt))
		}
		if strings.Contains(body, "Bearer abc.def") && strings.Contains(s, "abc.def") {
			t.Fatalf("token survived: %q", s)
		}
	})
}

// FuzzCursorFromNext: whatever the server puts in _links.next, the client
// only ever takes a cursor from a link on the configured host and path.
func FuzzCursorFromNext(f *testing.F) {
	c, err := newCore("confluence", "https://api.atlassian.com/ex/confluence/c1", nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"/rest/api/search?cursor=abc", "/wiki/api/v2/pages?cursor=x", "https://evil.example/wiki/api/v2/pages?cursor=x",
		"//evil.example/wiki/api/v2/pages?cursor=x", "/wiki/api/v2/pages/../x?cursor=y", "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/pages?cursor=z",
		"%zz", "http://[::1", "/wiki/api/v2/pages%3Fcursor=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		for _, want := range []string{cqlPath, pagesPath} {
			cur, err := c.cursorFromNext(next, want)
			if err != nil || cur == "" {
				continue
			}
			u, perr := url.Parse(strings.TrimSpace(next))
			if perr != nil {
				t.Fatalf("cursor %q from an unparsable link %q", cur, next)
			}
			if u.Host != "" && u.Host != "api.atlassian.com" {
				t.Fatalf("cursor taken from another host: %q", next)
			}
			if strings.Contains(u.Path, "..") {
				t.Fatalf("cursor taken from a traversing path: %q", next)
			}
		}
	})
}

// FuzzParseRetryAfter: any header value gives a wait in [0, maxRetryAfter].
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "-5", "1e9", "99999999999999999999999", "Wed, 21 Oct 2026 07:28:00 GMT", "NaN", "+Inf", "0x10"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

// FuzzCheckID: an accepted identifier fills exactly one path segment.
func FuzzCheckID(f *testing.F) {
	for _, s := range []string{"ENG-1", "10001", "../x", "a%2fb", "ENG-1?x", "557058:abc-def", "~abc", "A B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for k := kindIssue; k <= kindCloud; k++ {
			if checkID(k, "id", v) != nil {
				continue
			}
			p := newRoute("GET", "/a/{x}/b", v).path()
			if strings.Count(p, "/") != 3 || strings.ContainsAny(p, "?# \\") || strings.Contains(p, "..") {
				t.Fatalf("kind %d accepted %q giving path %q", k, v, p)
			}
			u, err := url.Parse("https://h" + p)
			if err != nil || u.Path != "/a/"+v+"/b" {
				t.Fatalf("kind %d: %q does not round-trip: %v %v", k, v, u, err)
			}
		}
	})
}

// FuzzIssueFields feeds arbitrary JSON to the one-pass fields decoder the
// way encoding/json does (only valid values reach an Unmarshaler): Raw
// must hold exactly the members encoding/json finds, and the typed fields
// what decoding the struct by its tags gives, or zero where a field has
// another shape (field ids match exactly, not case-insensitively as
// encoding/json's struct decoding would). Invalid input given directly
// must not panic.
func FuzzIssueFields(f *testing.F) {
	for _, s := range []string{
		`{"summary":"a","status":{"name":"Done","statusCategory":{"key":"done"}},"customfield_1":3}`,
		`{"summary":{"x":1},"labels":["a","b"],"description":null,"customfield_2":[1,{"a":"]}"}]}`,
		` { "sum\u006dary" : "esc\"aped" , "k\\ey":true,"n":-1.5e3 } `,
		`{"created":"2026-01-02T03:04:05.000+0000","duedate":null,"parent":{"key":"A-1"}}`,
		`{}`, `[]`, `{"a":`, `{"a" 1}`, `"x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var direct IssueFields
		_ = direct.UnmarshalJSON([]byte(in)) // no panic
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(in), &want) != nil || want == nil {
			return
		}
		var got IssueFields
		if err := json.Unmarshal([]byte(in), &got); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(got.Raw) != len(want) {
			t.Fatalf("%q: %d members, encoding/json finds %d", in, len(got.Raw), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got.Raw[k]), bytes.TrimSpace(v)) {
				t.Fatalf("%q: member %q is %q, want %q", in, k, got.Raw[k], v)
			}
		}
		// Jira's field ids are exact; encoding/json would also match a
		// typed field case-insensitively ("Summary"), which the decoder
		// deliberately does not.
		for k := range want {
			for typed := range typedFieldKeys() {
				if k != typed && strings.EqualFold(k, typed) || k != "description" && strings.EqualFold(k, "description") {
					return
				}
			}
		}
		type plain IssueFields
		var ref plain
		if json.Unmarshal([]byte(in), &ref) == nil {
			ref.Raw = got.Raw
			if string(bytes.TrimSpace(ref.Description)) == "null" {
				ref.Description = nil
			}
			if len(ref.Description) > 0 {
				ref.Description = got.Raw["description"]
			}
			if !reflect.DeepEqual(IssueFields(ref), got) {
				t.Fatalf("%q: typed fields\n%+v\nwant\n%+v", in, got, IssueFields(ref))
			}
		}
	})
}
