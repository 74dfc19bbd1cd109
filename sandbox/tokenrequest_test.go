package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestParseTokenRequest(t *testing.T) {
	tests := []struct {
		name, ct, body string
		user, pass     string
		basic          bool
		want           tokenRequest
		wantErr        bool
	}{
		{"json", "application/json", `{"grant_type":"refresh_token","client_id":"a","client_secret":"b","refresh_token":"r","extra":7}`, "", "", false,
			tokenRequest{GrantType: "refresh_token", ClientID: "a", ClientSecret: "b", RefreshToken: "r"}, false},
		{"json charset", "application/json; charset=utf-8", `{"code":"c","client_id":null}`, "", "", false, tokenRequest{Code: "c"}, false},
		{"form", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=c%2B1&redirect_uri=http%3A%2F%2Fx", "", "", false,
			tokenRequest{GrantType: "authorization_code", Code: "c+1", RedirectURI: "http://x"}, false},
		{"sniffed json", "", `  {"code":"c"}`, "", "", false, tokenRequest{Code: "c"}, false},
		{"sniffed form", "", `code=c`, "", "", false, tokenRequest{Code: "c"}, false},
		{"basic url-encoded", "application/x-www-form-urlencoded", "grant_type=x", "id%3A1", "s%26%2B", true,
			tokenRequest{GrantType: "x", ClientID: "id:1", ClientSecret: "s&+"}, false},
		{"basic and matching body id", "application/x-www-form-urlencoded", "client_id=a", "a", "b", true,
			tokenRequest{ClientID: "a", ClientSecret: "b"}, false},
		{"basic and other body id", "application/x-www-form-urlencoded", "client_id=z", "a", "b", true, tokenRequest{}, true},
		{"two secrets", "application/x-www-form-urlencoded", "client_secret=z", "a", "b", true, tokenRequest{}, true},
		{"json number", "application/json", `{"code":5}`, "", "", false, tokenRequest{}, true},
		{"json array", "application/json", `[1]`, "", "", false, tokenRequest{}, true},
		{"json trailing", "application/json", `{"code":"c"} {}`, "", "", false, tokenRequest{}, true},
		{"bad json", "application/json", `{"code":`, "", "", false, tokenRequest{}, true},
		{"repeated form key", "application/x-www-form-urlencoded", "code=a&code=b", "", "", false, tokenRequest{}, true},
		{"bad form", "application/x-www-form-urlencoded", "code=%zz", "", "", false, tokenRequest{}, true},
		{"xml", "text/xml", "<a/>", "", "", false, tokenRequest{}, true},
		{"bad content type", "application/json; =", "{}", "", "", false, tokenRequest{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseTokenRequest(tc.ct, []byte(tc.body), tc.user, tc.pass, tc.basic)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tc.wantErr && got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzTokenEndpoint throws arbitrary bodies at /oauth/token and
// /oauth/revoke: the parser never panics, and the endpoint answers only
// with its documented statuses and the OAuth error shape.
func FuzzTokenEndpoint(f *testing.F) {
	f.Add("application/json", `{"grant_type":"refresh_token","client_id":"a","client_secret":"b","refresh_token":"r"}`, "", "")
	f.Add("application/x-www-form-urlencoded", "grant_type=authorization_code&code=c&redirect_uri=x", "id", "secret")
	f.Add("", `{"code":[1,2]}`, "", "")
	f.Add("multipart/form-data; boundary=x", "--x--", "", "")
	f.Add("application/json", `{"grant_type":"authorization_code","code":"\u0000"}`, "%zz", "%")
	srv := newServer(func() config { c := defaultConfig(); c.empty = true; return c }())
	srv.URL = "http://sandbox.invalid"
	f.Fuzz(func(t *testing.T, ct, body, user, pass string) {
		req, err := parseTokenRequest(ct, []byte(body), user, pass, user != "")
		if err == nil && user != "" {
			if dec, e := url.QueryUnescape(user); e == nil && req.ClientID != dec {
				t.Fatalf("basic user %q not used: %+v", user, req)
			}
		}
		for _, path := range []string{"/oauth/token", "/oauth/revoke"} {
			r := httptest.NewRequest("POST", path, strings.NewReader(body))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			if user != "" {
				r.SetBasicAuth(user, pass)
			}
			w := httptest.NewRecorder()
			srv.Handler().ServeHTTP(w, r)
			switch w.Code {
			case http.StatusOK:
				if path == "/oauth/token" {
					t.Fatalf("a fuzzed body obtained a token: %s", body)
				}
			case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
				if !strings.Contains(w.Body.String(), `"error":`) {
					t.Fatalf("%d without the OAuth error shape: %s", w.Code, w.Body)
				}
			default:
				t.Fatalf("%s answered %d: %s", path, w.Code, w.Body)
			}
		}
	})
}
