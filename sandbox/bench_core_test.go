package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkGatewayWrapper measures the gateway's own cost per API request
// (trace id, request log, fault lookup, burst limiter, cloud id, token and
// scope checks) in-process around a handler that writes a small JSON body.
func BenchmarkGatewayWrapper(b *testing.B) {
	srv := NewServer(WithEmptySite())
	defer srv.Close()
	mountProbes(srv)
	srv.DisableRateLimits()
	tok := srv.IssueToken().AccessToken
	h := srv.Handler()
	target := "/ex/jira/" + srv.CloudID + "/rest/api/3/__coreprobe/ENG-1"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkGatewayRoundTrip is the same request over loopback HTTP with a
// keep-alive client, burst limiter on: the whole sandbox call as a REST
// client sees it.
func BenchmarkGatewayRoundTrip(b *testing.B) {
	srv := NewServer(WithEmptySite(), WithRateLimits(RateLimits{GET: 1e9}))
	defer srv.Close()
	mountProbes(srv)
	tok := srv.IssueToken().AccessToken
	client := &http.Client{}
	u := probeURL(srv, Jira, "ENG-1")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = resp.Body.Read(make([]byte, 512))
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkTokenRefresh measures one rotating refresh through the token
// endpoint in-process.
func BenchmarkTokenRefresh(b *testing.B) {
	srv := NewServer(WithEmptySite())
	defer srv.Close()
	rt := srv.IssueToken().RefreshToken
	h := srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		body := "grant_type=refresh_token&client_id=" + srv.ClientID + "&client_secret=" + srv.ClientSecret + "&refresh_token=" + rt
		r := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var resp struct {
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &resp)
		rt = resp.RefreshToken
	}
}

// BenchmarkNewServer measures starting and closing a sandbox, empty and
// with the seeded demo site (what most tests of other packages pay).
func BenchmarkNewServer(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []Option
	}{{"empty", []Option{WithEmptySite()}}, {"demo", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				NewServer(bc.opts...).Close()
			}
		})
	}
}
