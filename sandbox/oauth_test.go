package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const testRedirect = "http://127.0.0.1:8765/callback"

var flowScopes = []string{"offline_access", "read:me", "read:jira-work", "write:jira-work", "read:page:confluence"}

// authorizeURL builds an authorization URL the way a client does, with
// overrides applied (an empty override value deletes the parameter).
func authorizeURL(srv *Server, override map[string]string) string {
	v := url.Values{
		"audience":      {Audience},
		"client_id":     {srv.ClientID},
		"scope":         {strings.Join(flowScopes, " ")},
		"redirect_uri":  {testRedirect},
		"state":         {"st-123"},
		"response_type": {"code"},
		"prompt":        {"consent"},
	}
	for k, val := range override {
		if val == "" {
			v.Del(k)
		} else {
			v.Set(k, val)
		}
	}
	return srv.URL + "/authorize?" + v.Encode()
}

// codeFrom follows a /authorize redirect and returns its query.
func redirectQuery(t *testing.T, h httpResult) url.Values {
	t.Helper()
	if h.Status != http.StatusFound {
		t.Fatalf("status %d, want 302; body %s", h.Status, h.Body)
	}
	loc, err := url.Parse(h.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirected to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

var consentIDRe = regexp.MustCompile(`name="consent_id" value="([^"]+)"`)

func TestOAuthFlowConsentPageAndRotation(t *testing.T) {
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"secret in body", oauth2.AuthStyleInParams}, {"http basic", oauth2.AuthStyleInHeader}} {
		t.Run(style.name, func(t *testing.T) {
			srv := coreServer(t)
			mountProbes(srv)
			conf := srv.OAuth2Config(testRedirect, flowScopes...)
			conf.Endpoint.AuthStyle = style.style
			verifier := oauth2.GenerateVerifier()
			opts := append(AuthCodeURLOptions(), oauth2.S256ChallengeOption(verifier))
			page := do(t, http.MethodGet, conf.AuthCodeURL("state-xyz", opts...), "", "", "")
			if page.Status != http.StatusOK || !strings.Contains(page.Body, "read:jira-work") ||
				!strings.Contains(page.Body, "acme-demo.atlassian.net") || !strings.Contains(page.Body, "Alex Morgan") {
				t.Fatalf("consent page %d:\n%s", page.Status, page.Body)
			}
			m := consentIDRe.FindStringSubmatch(page.Body)
			if m == nil {
				t.Fatalf("no consent_id in page:\n%s", page.Body)
			}
			q := redirectQuery(t, postForm(t, srv, "/authorize/consent", url.Values{"consent_id": {m[1]}, "action": {"accept"}}))
			if q.Get("state") != "state-xyz" || q.Get("code") == "" {
				t.Fatalf("redirect query %v", q)
			}
			ctx := context.Background()
			tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
				t.Fatalf("token %+v", tok)
			}
			if got := tok.Extra("scope"); got != strings.Join(flowScopes, " ") {
				t.Fatalf("scope %q", got)
			}
			if h := do(t, "GET", probeURL(srv, Jira, "ENG-1"), tok.AccessToken, "", ""); h.Status != 200 {
				t.Fatalf("API call with exchanged token: %d %s", h.Status, h.Body)
			}
			// Refresh through oauth2's TokenSource: a new pair each time.
			expired := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
			tok2, err := conf.TokenSource(ctx, expired).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if tok2.AccessToken == tok.AccessToken || tok2.RefreshToken == tok.RefreshToken || tok2.RefreshToken == "" {
				t.Fatalf("refresh did not rotate: %+v", tok2)
			}
			expired = &oauth2.Token{RefreshToken: tok2.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
			tok3, err := conf.TokenSource(ctx, expired).Token()
			if err != nil {
				t.Fatalf("second refresh: %v", err)
			}
			if h := do(t, "GET", probeURL(srv, Jira, "ENG-1"), tok3.AccessToken, "", ""); h.Status != 200 {
				t.Fatalf("API call with refreshed token: %d %s", h.Status, h.Body)
			}
			st := srv.Stats()
			if st.Authorizations != 1 || st.CodeExchanges != 1 || st.Refreshes != 2 || st.FamilyRevocations != 0 || st.ActiveFamilies != 1 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestOAuthAutoApproveAndDeny(t *testing.T) {
	srv := coreServer(t, WithAutoApprove())
	q := redirectQuery(t, do(t, "GET", authorizeURL(srv, nil), "", "", ""))
	if q.Get("code") == "" || q.Get("state") != "st-123" {
		t.Fatalf("auto-approve redirect %v", q)
	}
	srv.SetAutoApprove(false)
	page := do(t, "GET", authorizeURL(srv, nil), "", "", "")
	m := consentIDRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("consent page expected once auto-approve is off:\n%s", page.Body)
	}
	q = redirectQuery(t, postForm(t, srv, "/authorize/consent", url.Values{"consent_id": {m[1]}, "action": {"deny"}}))
	if q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("state") != "st-123" {
		t.Fatalf("deny redirect %v", q)
	}
	// A consent id works once.
	h := postForm(t, srv, "/authorize/consent", url.Values{"consent_id": {m[1]}, "action": {"accept"}})
	if h.Status != http.StatusBadRequest {
		t.Fatalf("reused consent id: %d", h.Status)
	}
}

func TestAuthorizeValidation(t *testing.T) {
	srv := coreServer(t, WithAutoApprove())
	srv.RegisterRedirectURI("http://127.0.0.1:9999/cb?keep=1")
	tests := []struct {
		name     string
		override map[string]string
		page     bool   // an error page, no redirect
		errCode  string // the redirect's error
		noState  bool
	}{
		{"unknown client", map[string]string{"client_id": "nope"}, true, "", false},
		{"missing client", map[string]string{"client_id": ""}, true, "", false},
		{"unregistered redirect", map[string]string{"redirect_uri": "http://evil.example.com/cb"}, true, "", false},
		{"missing redirect", map[string]string{"redirect_uri": ""}, true, "", false},
		{"redirect differs by port", map[string]string{"redirect_uri": "http://127.0.0.1:8766/callback"}, true, "", false},
		{"token response type", map[string]string{"response_type": "token"}, false, "unsupported_response_type", false},
		{"missing response type", map[string]string{"response_type": ""}, false, "unsupported_response_type", false},
		{"missing audience", map[string]string{"audience": ""}, false, "invalid_request", false},
		{"wrong audience", map[string]string{"audience": "auth.atlassian.com"}, false, "invalid_request", false},
		{"missing state", map[string]string{"state": ""}, false, "invalid_request", true},
		{"missing prompt", map[string]string{"prompt": ""}, false, "invalid_request", false},
		{"prompt none", map[string]string{"prompt": "none"}, false, "invalid_request", false},
		{"unknown scope", map[string]string{"scope": "read:jira-work write:everything"}, false, "invalid_scope", false},
		{"empty scope", map[string]string{"scope": ""}, false, "invalid_scope", false},
		{"plain pkce", map[string]string{"code_challenge": strings.Repeat("a", 43), "code_challenge_method": "plain"}, false, "invalid_request", false},
		{"pkce method without challenge", map[string]string{"code_challenge_method": "S256"}, false, "invalid_request", false},
		{"malformed challenge", map[string]string{"code_challenge": "short", "code_challenge_method": "S256"}, false, "invalid_request", false},
		{"valid", nil, false, "", false},
		{"valid pkce", map[string]string{"code_challenge": oauth2.S256ChallengeFromVerifier("v" + strings.Repeat("x", 50)), "code_challenge_method": "S256"}, false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := do(t, "GET", authorizeURL(srv, tc.override), "", "", "")
			if tc.page {
				if h.Status != http.StatusBadRequest || h.Header.Get("Location") != "" ||
					!strings.HasPrefix(h.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("want an error page, got %d Location=%q", h.Status, h.Header.Get("Location"))
				}
				return
			}
			q := redirectQuery(t, h)
			if q.Get("error") != tc.errCode {
				t.Fatalf("error = %q (%s), want %q", q.Get("error"), q.Get("error_description"), tc.errCode)
			}
			if tc.errCode == "" && q.Get("code") == "" {
				t.Fatalf("no code: %v", q)
			}
			if tc.errCode != "" && (q.Get("code") != "" || q.Get("error_description") == "") {
				t.Fatalf("error redirect carries a code or lacks a description: %v", q)
			}
			if wantState := !tc.noState; (q.Get("state") == "st-123") != wantState {
				t.Fatalf("state = %q", q.Get("state"))
			}
		})
	}
	t.Run("redirect query is kept", func(t *testing.T) {
		q := redirectQueryAny(t, do(t, "GET", authorizeURL(srv, map[string]string{"redirect_uri": "http://127.0.0.1:9999/cb?keep=1"}), "", "", ""))
		if q.Get("keep") != "1" || q.Get("code") == "" {
			t.Fatalf("query %v", q)
		}
	})
}

func redirectQueryAny(t *testing.T, h httpResult) url.Values {
	t.Helper()
	if h.Status != http.StatusFound {
		t.Fatalf("status %d", h.Status)
	}
	u, err := url.Parse(h.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// codeFor runs an auto-approved authorization and returns the code.
func codeFor(t *testing.T, srv *Server, override map[string]string) string {
	t.Helper()
	srv.SetAutoApprove(true)
	q := redirectQuery(t, do(t, "GET", authorizeURL(srv, override), "", "", ""))
	return q.Get("code")
}

func exchangeForm(srv *Server, code string, extra url.Values) url.Values {
	v := url.Values{
		"grant_type": {"authorization_code"}, "client_id": {srv.ClientID},
		"client_secret": {srv.ClientSecret}, "code": {code}, "redirect_uri": {testRedirect},
	}
	for k, vs := range extra {
		if len(vs) == 0 || vs[0] == "" {
			v.Del(k)
		} else {
			v[k] = vs
		}
	}
	return v
}

func TestTokenEndpointCodeGrant(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now))
	mountProbes(srv)

	t.Run("json body", func(t *testing.T) {
		code := codeFor(t, srv, nil)
		body := `{"grant_type":"authorization_code","client_id":"` + srv.ClientID + `","client_secret":"` +
			srv.ClientSecret + `","code":"` + code + `","redirect_uri":"` + testRedirect + `"}`
		h := do(t, "POST", srv.URL+"/oauth/token", "", "application/json", body)
		at, rt := pairOf(t, h)
		m := h.JSON(t)
		if rt == "" || m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || h.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("response %s", h.Body)
		}
		if r := do(t, "GET", probeURL(srv, Jira, "X-1"), at, "", ""); r.Status != 200 {
			t.Fatalf("token does not work: %d", r.Status)
		}
	})
	t.Run("no offline_access, no refresh token", func(t *testing.T) {
		code := codeFor(t, srv, map[string]string{"scope": "read:jira-work"})
		_, rt := pairOf(t, postForm(t, srv, "/oauth/token", exchangeForm(srv, code, nil)))
		if rt != "" {
			t.Fatalf("refresh token without offline_access")
		}
	})
	t.Run("code reuse revokes the tokens it issued", func(t *testing.T) {
		code := codeFor(t, srv, nil)
		at, rt := pairOf(t, postForm(t, srv, "/oauth/token", exchangeForm(srv, code, nil)))
		wantJSONError(t, postForm(t, srv, "/oauth/token", exchangeForm(srv, code, nil)), 403, "error", "invalid_grant")
		if r := do(t, "GET", probeURL(srv, Jira, "X-1"), at, "", ""); r.Status != 401 {
			t.Fatalf("access token from a replayed code still works: %d", r.Status)
		}
		wantJSONError(t, refresh(t, srv, rt), 403, "error", "invalid_grant")
	})
	t.Run("expired code", func(t *testing.T) {
		code := codeFor(t, srv, nil)
		clock.Advance(5*time.Minute + time.Second)
		wantJSONError(t, postForm(t, srv, "/oauth/token", exchangeForm(srv, code, nil)), 403, "error", "invalid_grant")
	})
	verifier := oauth2.GenerateVerifier()
	pkce := map[string]string{"code_challenge": oauth2.S256ChallengeFromVerifier(verifier), "code_challenge_method": "S256"}
	errCases := []struct {
		name     string
		override map[string]string
		extra    url.Values
		basic    bool
		status   int
		errCode  string
	}{
		{"wrong secret", nil, url.Values{"client_secret": {"wrong"}}, false, 401, "access_denied"},
		{"missing secret", nil, url.Values{"client_secret": {""}}, false, 401, "access_denied"},
		{"unknown client", nil, url.Values{"client_id": {"someone-else"}}, false, 401, "access_denied"},
		{"redirect mismatch", nil, url.Values{"redirect_uri": {"http://localhost:8765/callback"}}, false, 403, "invalid_grant"},
		{"unknown code", nil, url.Values{"code": {"not-a-code"}}, false, 403, "invalid_grant"},
		{"missing code", nil, url.Values{"code": {""}}, false, 400, "invalid_request"},
		{"missing grant type", nil, url.Values{"grant_type": {""}}, false, 400, "invalid_request"},
		{"implicit grant", nil, url.Values{"grant_type": {"client_credentials"}}, false, 403, "unsupported_grant_type"},
		{"pkce without verifier", pkce, nil, false, 403, "invalid_grant"},
		{"pkce wrong verifier", pkce, url.Values{"code_verifier": {oauth2.GenerateVerifier()}}, false, 403, "invalid_grant"},
		{"pkce right verifier", pkce, url.Values{"code_verifier": {verifier}}, false, 200, ""},
		{"basic auth", nil, url.Values{"client_id": {""}, "client_secret": {""}}, true, 200, ""},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			code := codeFor(t, srv, tc.override)
			form := exchangeForm(srv, code, tc.extra)
			req, _ := http.NewRequest("POST", srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(url.QueryEscape(srv.ClientID), url.QueryEscape(srv.ClientSecret))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			h := httpResult{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
			if tc.status == 200 {
				pairOf(t, h)
				return
			}
			wantJSONError(t, h, tc.status, "error", tc.errCode)
		})
	}
	t.Run("oauth2 reports a wrong secret as access_denied", func(t *testing.T) {
		conf := srv.OAuth2Config(testRedirect, flowScopes...)
		conf.ClientSecret = "wrong"
		_, err := conf.Exchange(context.Background(), codeFor(t, srv, nil))
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "access_denied" || re.Response.StatusCode != 401 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRefreshRotationRules(t *testing.T) {
	type step struct {
		advance time.Duration
		use     int    // index of the refresh token to exchange (0 = the first)
		want    int    // status
		note    string // what the step shows
	}
	tests := []struct {
		name        string
		steps       []step
		familyAlive bool
		revocations int
	}{
		{"each refresh rotates", []step{{0, 0, 200, "RT0"}, {time.Minute, 1, 200, "RT1"}, {time.Hour, 2, 200, "RT2"}}, true, 0},
		{"previous RT reusable within interval", []step{{0, 0, 200, "RT0→RT1"}, {9 * time.Minute, 0, 200, "RT0 again within 10m"}}, true, 0},
		{"previous RT reusable twice within interval", []step{{0, 0, 200, ""}, {time.Minute, 0, 200, ""}, {time.Minute, 0, 200, ""}}, true, 0},
		{"previous RT after interval revokes family", []step{{0, 0, 200, ""}, {10 * time.Minute, 0, 403, "reuse at exactly 10m"}}, false, 1},
		{"older than previous revokes family", []step{{0, 0, 200, "RT0→RT1"}, {time.Second, 1, 200, "RT1→RT2"}, {time.Second, 0, 403, "RT0 is two back"}}, false, 1},
		{"revoked family stays revoked", []step{{0, 0, 200, ""}, {time.Second, 1, 200, ""}, {time.Second, 0, 403, ""}, {time.Second, 2, 403, "newest RT is dead too"}}, false, 1},
		{"inactive RT expires without revocation", []step{{91 * 24 * time.Hour, 0, 403, "90-day inactivity"}}, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newSbxClock()
			srv := coreServer(t, WithClock(clock.Now))
			mountProbes(srv)
			first := srv.IssueToken()
			rts := []string{first.RefreshToken}
			ats := []string{first.AccessToken}
			for i, st := range tc.steps {
				clock.Advance(st.advance)
				h := refresh(t, srv, rts[st.use])
				if h.Status != st.want {
					t.Fatalf("step %d (%s): status %d, want %d: %s", i, st.note, h.Status, st.want, h.Body)
				}
				if h.Status == 200 {
					at, rt := pairOf(t, h)
					for _, old := range rts {
						if old == rt {
							t.Fatalf("step %d returned a refresh token seen before", i)
						}
					}
					rts, ats = append(rts, rt), append(ats, at)
				} else {
					wantJSONError(t, h, 403, "error_description", "Unknown or invalid refresh token.")
				}
			}
			srv.auth.mu.Lock()
			alive := !srv.auth.familyOf(first.AccessToken).revoked
			srv.auth.mu.Unlock()
			if alive != tc.familyAlive {
				t.Fatalf("family alive = %v, want %v", alive, tc.familyAlive)
			}
			if alive && tc.steps[len(tc.steps)-1].want == 200 {
				if s := do(t, "GET", probeURL(srv, Jira, "A-1"), ats[len(ats)-1], "", "").Status; s != 200 {
					t.Fatalf("newest access token: %d", s)
				}
			}
			if !alive {
				for i, at := range ats {
					if s := do(t, "GET", probeURL(srv, Jira, "A-1"), at, "", "").Status; s != 401 {
						t.Fatalf("access token %d of a revoked family: %d", i, s)
					}
				}
			}
			if st := srv.Stats(); st.FamilyRevocations != tc.revocations {
				t.Fatalf("family revocations %d, want %d", st.FamilyRevocations, tc.revocations)
			}
		})
	}
}

func TestOldAccessTokenDiesReuseIntervalAfterRefresh(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now), WithReuseInterval(10*time.Minute))
	mountProbes(srv)
	p := srv.IssueToken()
	clock.Advance(5 * time.Minute)
	at2, _ := pairOf(t, refresh(t, srv, p.RefreshToken))
	status := func(tok string) int { return do(t, "GET", probeURL(srv, Jira, "A-1"), tok, "", "").Status }
	clock.Advance(10*time.Minute - time.Nanosecond)
	if s := status(p.AccessToken); s != 200 {
		t.Fatalf("old access token within the interval: %d", s)
	}
	clock.Advance(time.Nanosecond)
	if s := status(p.AccessToken); s != 401 {
		t.Fatalf("old access token after the interval: %d", s)
	}
	if s := status(at2); s != 200 {
		t.Fatalf("new access token: %d", s)
	}
}

func TestAccessTokenExpiry(t *testing.T) {
	clock := newSbxClock()
	srv := coreServer(t, WithClock(clock.Now), WithAccessTokenTTL(2*time.Minute))
	mountProbes(srv)
	p := srv.IssueToken()
	if p.ExpiresIn != 120 || !p.Expiry.Equal(clock.Now().Add(2*time.Minute)) {
		t.Fatalf("pair %+v", p)
	}
	u := probeURL(srv, Jira, "A-1")
	clock.Advance(2*time.Minute - time.Second)
	if h := do(t, "GET", u, p.AccessToken, "", ""); h.Status != 200 {
		t.Fatalf("before expiry: %d", h.Status)
	}
	clock.Advance(time.Second)
	h := do(t, "GET", u, p.AccessToken, "", "")
	wantJSONError(t, h, 401, "message", "Unauthorized")
	at, _ := pairOf(t, refresh(t, srv, p.RefreshToken))
	if h := do(t, "GET", u, at, "", ""); h.Status != 200 {
		t.Fatalf("after refresh: %d", h.Status)
	}
	srv.ExpireAccessTokens()
	if h := do(t, "GET", u, at, "", ""); h.Status != 401 {
		t.Fatalf("after ExpireAccessTokens: %d", h.Status)
	}
}

func TestRevocation(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	u := probeURL(srv, Jira, "A-1")
	a, b := srv.IssueToken(), srv.IssueToken()
	t.Run("revoke endpoint needs the client", func(t *testing.T) {
		h := postForm(t, srv, "/oauth/revoke", url.Values{"token": {a.RefreshToken}})
		wantJSONError(t, h, 401, "error", "access_denied")
	})
	t.Run("revoke endpoint revokes the family", func(t *testing.T) {
		h := postForm(t, srv, "/oauth/revoke", url.Values{"token": {a.RefreshToken}, "client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}})
		if h.Status != 200 {
			t.Fatalf("revoke: %d %s", h.Status, h.Body)
		}
		if s := do(t, "GET", u, a.AccessToken, "", "").Status; s != 401 {
			t.Fatalf("revoked access token: %d", s)
		}
		if s := do(t, "GET", u, b.AccessToken, "", "").Status; s != 200 {
			t.Fatalf("other family: %d", s)
		}
		// Unknown tokens are fine, as RFC 7009 says.
		h = postForm(t, srv, "/oauth/revoke", url.Values{"token": {"nope"}, "client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}})
		if h.Status != 200 {
			t.Fatalf("unknown token: %d", h.Status)
		}
	})
	t.Run("RevokeFamily and RevokeAll", func(t *testing.T) {
		c := srv.IssueToken()
		if !srv.RevokeFamily(c.AccessToken) || srv.RevokeFamily("unknown") {
			t.Fatal("RevokeFamily result")
		}
		if s := do(t, "GET", u, c.AccessToken, "", "").Status; s != 401 {
			t.Fatalf("after RevokeFamily: %d", s)
		}
		if n := srv.RevokeAll(); n != 1 {
			t.Fatalf("RevokeAll revoked %d families, want 1 (b)", n)
		}
		if s := do(t, "GET", u, b.AccessToken, "", "").Status; s != 401 {
			t.Fatalf("after RevokeAll: %d", s)
		}
		wantJSONError(t, refresh(t, srv, b.RefreshToken), 403, "error", "invalid_grant")
	})
}

func TestConcurrentRefreshWithinInterval(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	p := srv.IssueToken()
	const n = 16
	var wg sync.WaitGroup
	results := make([]httpResult, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = refresh(t, srv, p.RefreshToken)
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, h := range results {
		at, rt := pairOf(t, h)
		if seen[rt] {
			t.Fatalf("result %d repeats a refresh token", i)
		}
		seen[rt] = true
		if s := do(t, "GET", probeURL(srv, Jira, "A-1"), at, "", "").Status; s != 200 {
			t.Fatalf("token %d: %d", i, s)
		}
	}
	if st := srv.Stats(); st.Refreshes != n || st.RefreshReuses != n-1 || st.FamilyRevocations != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestIssueTokenAs(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	u := srv.Users()[3]
	p, err := srv.IssueTokenAs(u.AccountID, "read:jira-work")
	if err != nil {
		t.Fatal(err)
	}
	if p.RefreshToken != "" {
		t.Fatal("refresh token without offline_access")
	}
	var got probeResult
	h := do(t, "GET", probeURL(srv, Jira, "A-1"), p.AccessToken, "", "")
	if err := json.Unmarshal([]byte(h.Body), &got); err != nil || got.AccountID != u.AccountID {
		t.Fatalf("caller %+v (%v)", got, err)
	}
	if _, err := srv.IssueTokenAs("nobody"); err == nil {
		t.Fatal("unknown account accepted")
	}
	if _, err := srv.IssueTokenAs(u.AccountID, "write:everything"); err == nil {
		t.Fatal("unknown scope accepted")
	}
}

func TestOAuthFlowWithCallbackServer(t *testing.T) {
	srv := coreServer(t, WithAutoApprove())
	mountProbes(srv)
	type cb struct{ code, state string }
	got := make(chan cb, 1)
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- cb{r.URL.Query().Get("code"), r.URL.Query().Get("state")}
		_, _ = w.Write([]byte("You can close this window."))
	}))
	defer callback.Close()
	srv.RegisterRedirectURI(callback.URL + "/callback")
	conf := srv.OAuth2Config(callback.URL+"/callback", flowScopes...)
	conf.Endpoint.AuthStyle = oauth2.AuthStyleAutoDetect
	resp, err := http.Get(conf.AuthCodeURL("s-42", AuthCodeURLOptions()...))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := <-got
	if c.state != "s-42" || c.code == "" {
		t.Fatalf("callback got %+v", c)
	}
	ctx := context.Background()
	tok, err := conf.Exchange(ctx, c.code)
	if err != nil {
		t.Fatal(err)
	}
	client := conf.Client(ctx, tok)
	r, err := client.Get(probeURL(srv, Jira, "ENG-2"))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("API call: %v %v", err, r)
	}
	r.Body.Close()
	if h := do(t, "GET", srv.URL+"/me", tok.AccessToken, "", ""); h.Status != 200 {
		t.Fatalf("/me: %d", h.Status)
	}
}

func TestOmitNextRefreshTokens(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	p := srv.IssueToken()
	srv.OmitNextRefreshTokens(1)
	h := refresh(t, srv, p.RefreshToken)
	at, rt := pairOf(t, h)
	if rt != "" {
		t.Fatalf("refresh_token present: %s", h.Body)
	}
	if s := do(t, "GET", probeURL(srv, Jira, "A-1"), at, "", "").Status; s != 200 {
		t.Fatalf("new access token: %d", s)
	}
	// The old refresh token was not rotated: it works, and rotates now.
	_, rt2 := pairOf(t, refresh(t, srv, p.RefreshToken))
	if rt2 == "" || rt2 == p.RefreshToken {
		t.Fatalf("second refresh did not rotate")
	}
	_, rt3 := pairOf(t, refresh(t, srv, rt2))
	if rt3 == "" || srv.Stats().FamilyRevocations != 0 {
		t.Fatalf("rotation after an omitted refresh token broke: %+v", srv.Stats())
	}
}

func TestHTTPClient(t *testing.T) {
	srv := coreServer(t)
	mountProbes(srv)
	resp, err := srv.HTTPClient("read:jira-work").Get(probeURL(srv, Jira, "A-1"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = srv.HTTPClient("read:jira-work").Get(probeURL(srv, Confluence, "1"))
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("confluence without its scope: %v %v", err, resp)
	}
	resp.Body.Close()
}
