package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAccessibleResources(t *testing.T) {
	tests := []struct {
		name     string
		products []Product
		scopes   []string
		want     map[Product][]string
	}{
		{"both products", nil, []string{"offline_access", "read:me", "read:jira-work", "write:jira-work", "search:confluence", "read:page:confluence"},
			map[Product][]string{Jira: {"read:jira-work", "write:jira-work"}, Confluence: {"search:confluence", "read:page:confluence"}}},
		{"jira scopes only", nil, []string{"read:jira-work", "read:jira-user"}, map[Product][]string{Jira: {"read:jira-work", "read:jira-user"}}},
		{"confluence-only site", []Product{Confluence}, []string{"read:jira-work", "read:page:confluence"}, map[Product][]string{Confluence: {"read:page:confluence"}}},
		{"no product scopes", nil, []string{"read:me"}, map[Product][]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{}
			if tc.products != nil {
				opts = append(opts, WithProducts(tc.products...))
			}
			srv := coreServer(t, opts...)
			p := srv.IssueToken(tc.scopes...)
			h := do(t, "GET", srv.URL+"/oauth/token/accessible-resources", p.AccessToken, "", "")
			if h.Status != 200 {
				t.Fatalf("status %d: %s", h.Status, h.Body)
			}
			var got []struct {
				ID, Name, URL, AvatarURL string
				Scopes                   []string
			}
			if err := json.Unmarshal([]byte(h.Body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d entries, want %d: %s", len(got), len(tc.want), h.Body)
			}
			for _, e := range got {
				if e.ID != srv.CloudID || e.URL != "https://acme-demo.atlassian.net" || e.Name != "acme-demo" || e.AvatarURL == "" {
					t.Fatalf("entry %+v", e)
				}
				p := scopeProduct(e.Scopes[0])
				if strings.Join(e.Scopes, " ") != strings.Join(tc.want[p], " ") {
					t.Fatalf("%s scopes %v, want %v", p, e.Scopes, tc.want[p])
				}
			}
		})
	}
	t.Run("needs a token", func(t *testing.T) {
		srv := coreServer(t)
		wantJSONError(t, do(t, "GET", srv.URL+"/oauth/token/accessible-resources", "", "", ""), 401, "message", "Unauthorized")
	})
}

func TestMe(t *testing.T) {
	srv := coreServer(t)
	h := do(t, "GET", srv.URL+"/me", srv.IssueToken("read:me").AccessToken, "", "")
	m := h.JSON(t)
	admin := srv.Admin()
	if h.Status != 200 || m["account_id"] != admin.AccountID || m["email"] != "alex.morgan@example.com" ||
		m["name"] != "Alex Morgan" || m["account_status"] != "active" || m["account_type"] != "atlassian" ||
		m["nickname"] != "alex.morgan" || m["zoneinfo"] != "America/New_York" || m["locale"] != "en-US" ||
		!strings.HasPrefix(m["picture"].(string), "https://") {
		t.Fatalf("/me %d: %s", h.Status, h.Body)
	}
	wantJSONError(t, do(t, "GET", srv.URL+"/me", srv.IssueToken("read:jira-work").AccessToken, "", ""),
		401, "message", "Unauthorized; scope does not match")
}

func TestGatewayChecks(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	all := srv.IssueToken()
	jiraOnly := srv.IssueToken("read:jira-work")
	classicConf := srv.IssueToken("read:confluence-content.all", "search:confluence")
	revoked := srv.IssueToken()
	srv.RevokeFamily(revoked.AccessToken)
	other := strings.Replace(srv.JiraBaseURL(), srv.CloudID, "00000000-0000-0000-0000-000000000000", 1)

	tests := []struct {
		name, method, url, token string
		status                   int
		body                     string // exact JSON expected
	}{
		{"ok", "GET", probeURL(srv, Jira, "ENG-1"), all.AccessToken, 200, ""},
		{"no token", "GET", probeURL(srv, Jira, "ENG-1"), "", 401, `{"code":401,"message":"Unauthorized"}`},
		{"unknown token", "GET", probeURL(srv, Jira, "ENG-1"), "garbage", 401, `{"code":401,"message":"Unauthorized"}`},
		{"revoked token", "GET", probeURL(srv, Jira, "ENG-1"), revoked.AccessToken, 401, `{"code":401,"message":"Unauthorized"}`},
		{"scope mismatch (write with read)", "POST", probeURL(srv, Jira, "ENG-1"), jiraOnly.AccessToken, 401, `{"code":401,"message":"Unauthorized; scope does not match"}`},
		{"classic confluence scopes on v2", "GET", probeURL(srv, Confluence, "123"), classicConf.AccessToken, 401, `{"code":401,"message":"Unauthorized; scope does not match"}`},
		{"unknown cloud id", "GET", other + "/rest/api/3/__coreprobe/ENG-1", all.AccessToken, 404, `{"errorCode":"OTHER","errorMessage":"Site temporarily unavailable"}`},
		{"unknown cloud id, no token", "GET", other + "/rest/api/3/__coreprobe/ENG-1", "", 404, `{"errorCode":"OTHER","errorMessage":"Site temporarily unavailable"}`},
		{"unknown product", "GET", srv.URL + "/ex/bitbucket/" + srv.CloudID + "/2.0/user", all.AccessToken, 404, `{"code":404,"message":"Not Found"}`},
		{"unknown jira path", "GET", srv.JiraBaseURL() + "/rest/api/3/nothing-here", all.AccessToken, 404, `{"errorMessages":["No API found for GET /rest/api/3/nothing-here"],"errors":{}}`},
		{"unknown jira path, no token", "GET", srv.JiraBaseURL() + "/rest/api/3/nothing-here", "", 401, `{"code":401,"message":"Unauthorized"}`},
		{"unknown confluence v2 path", "GET", srv.ConfluenceBaseURL() + "/wiki/api/v2/nothing", all.AccessToken, 404, `{"errors":[{"code":"NOT_FOUND","detail":null,"status":"404","title":"No API found for GET /wiki/api/v2/nothing"}]}`},
		{"unknown confluence v1 path", "GET", srv.ConfluenceBaseURL() + "/wiki/rest/api/nothing", all.AccessToken, 404, `{"data":{"authorized":true,"errors":[],"successful":false,"valid":false},"message":"No API found for GET /wiki/rest/api/nothing","statusCode":404}`},
		{"wrong method", "DELETE", probeURL(srv, Jira, "ENG-1"), all.AccessToken, 405, ""},
		{"gateway root", "GET", srv.URL + "/nothing", "", 404, `{"code":404,"message":"Not Found"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := do(t, tc.method, tc.url, tc.token, "", "")
			if h.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", h.Status, tc.status, h.Body)
			}
			if tc.body != "" && canonJSON(t, h.Body) != canonJSON(t, tc.body) {
				t.Fatalf("body\n%s\nwant\n%s", h.Body, tc.body)
			}
			if h.Header.Get("atl-traceid") == "" {
				t.Fatal("no atl-traceid header")
			}
			if tc.status == 405 && h.Header.Get("Allow") != "GET, POST, PUT" {
				t.Fatalf("Allow = %q", h.Header.Get("Allow"))
			}
		})
	}
	t.Run("caller carries account and scopes", func(t *testing.T) {
		var got probeResult
		h := do(t, "GET", probeURL(srv, Jira, "ENG-7"), jiraOnly.AccessToken, "", "")
		if err := json.Unmarshal([]byte(h.Body), &got); err != nil {
			t.Fatal(err)
		}
		if got.ID != "ENG-7" || got.AccountID != srv.Admin().AccountID || strings.Join(got.Scopes, " ") != "read:jira-work" {
			t.Fatalf("caller %+v", got)
		}
		if h.Header.Get("X-RateLimit-Limit") != "100" || h.Header.Get("X-RateLimit-Remaining") == "" {
			t.Fatalf("rate-limit headers %v", h.Header)
		}
	})
	t.Run("body reaches the handler", func(t *testing.T) {
		var got probeResult
		h := do(t, "POST", probeURL(srv, Jira, "ENG-7"), all.AccessToken, "application/json", `{"a":1}`)
		if err := json.Unmarshal([]byte(h.Body), &got); err != nil || got.Body != `{"a":1}` {
			t.Fatalf("body %q (%v)", got.Body, err)
		}
	})
}

func TestProductAbsentFromSite(t *testing.T) {
	srv := coreServer(t, WithProducts(Confluence))
	mountProbes(srv)
	tok := srv.IssueToken()
	wantJSONError(t, do(t, "GET", probeURL(srv, Jira, "ENG-1"), tok.AccessToken, "", ""), 404, "errorMessage", "Site temporarily unavailable")
	if h := do(t, "GET", probeURL(srv, Confluence, "1"), tok.AccessToken, "", ""); h.Status != 200 {
		t.Fatalf("confluence: %d", h.Status)
	}
	if got := srv.Products(); len(got) != 1 || got[0] != Confluence {
		t.Fatalf("Products() = %v", got)
	}
}

func TestHelpers(t *testing.T) {
	t.Run("decodeJSON", func(t *testing.T) {
		tests := []struct {
			name, body string
			wantErr    bool
		}{
			{"object", `{"a":"b"}`, false},
			{"empty", ``, true},
			{"spaces", "  \n", true},
			{"malformed", `{"a":`, true},
			{"trailing", `{"a":"b"} x`, true},
			{"wrong type", `{"a":1}`, true},
			{"too large", `{"a":"` + strings.Repeat("x", maxBodyBytes) + `"}`, true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r, _ := http.NewRequest("POST", "/", strings.NewReader(tc.body))
				var dst struct{ A string }
				err := decodeJSON(r, &dst)
				if (err != nil) != tc.wantErr {
					t.Fatalf("err = %v", err)
				}
				if tc.name == "too large" && err != errBodyTooLarge {
					t.Fatalf("err = %v, want errBodyTooLarge", err)
				}
			})
		}
	})
	t.Run("users", func(t *testing.T) {
		srv := coreServer(t)
		us := srv.Users()
		if len(us) < 12 || us[0].DisplayName != "Alex Morgan" {
			t.Fatalf("users %v", us)
		}
		seen := map[string]bool{}
		for _, u := range us {
			if seen[u.AccountID] || srv.userByID(u.AccountID) == nil {
				t.Fatalf("duplicate or unfindable %s", u.AccountID)
			}
			seen[u.AccountID] = true
			if !strings.HasSuffix(u.Email, "@example.com") && !strings.HasSuffix(u.Email, "@example.org") {
				t.Fatalf("email %s", u.Email)
			}
		}
		if srv.userByID("nope") != nil {
			t.Fatal("unknown id found")
		}
	})
}

// canonJSON re-encodes JSON so key order does not matter.
func canonJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
