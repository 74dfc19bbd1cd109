package console

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

func TestAdminTokens(t *testing.T) {
	dir := t.TempDir()
	a := NewAdminTokens(dir)
	if _, err := a.Created(); !errors.Is(err, ErrNoAdminToken) {
		t.Fatalf("before any token: %v", err)
	}
	if _, _, err := a.Verify("anything"); !errors.Is(err, ErrNoAdminToken) {
		t.Fatalf("Verify before any token: %v", err)
	}
	tok, err := a.Rotate(time.Now())
	if err != nil || !strings.HasPrefix(tok, AdminTokenPrefix) {
		t.Fatalf("Rotate = %q, %v", tok, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, adminTokenFile))
	if strings.Contains(string(raw), tok) {
		t.Fatal("the token itself is stored")
	}
	if fi, _ := os.Stat(filepath.Join(dir, adminTokenFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	for _, tt := range []struct {
		in string
		ok bool
	}{{tok, true}, {" " + tok + "\n", true}, {tok + "x", false}, {"", false}, {"amcp_" + tok[len(AdminTokenPrefix):], false}} {
		if _, ok, err := a.Verify(tt.in); ok != tt.ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v", tt.in, ok, err)
		}
	}
	tok2, _ := a.Rotate(time.Now())
	if _, ok, _ := a.Verify(tok); ok {
		t.Fatal("the old token works after a rotation")
	}
	if _, ok, _ := a.Verify(tok2); !ok {
		t.Fatal("the new token does not work")
	}
	if err := os.WriteFile(filepath.Join(dir, adminTokenFile), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Verify(tok2); err == nil || !strings.Contains(err.Error(), "--rotate") {
		t.Fatalf("a damaged file: %v", err)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/schema?q=x":    "/admin/schema?q=x",
		"":                     "/admin/connections",
		"https://evil.example": "/admin/connections",
		"//evil.example/admin": "/admin/connections",
		"/admin/login":         "/admin/connections",
		"/admin\\evil":         "/admin/connections",
		"/mcp":                 "/admin/connections",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckHostOrigin(t *testing.T) {
	c := &Console{opts: Options{AllowedHosts: []string{"console.example"}}}
	loop := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8080}
	public := &net.TCPAddr{IP: net.ParseIP("10.0.0.5"), Port: 8080}
	tests := []struct {
		name, method, host, origin, referer string
		local                               net.Addr
		ok                                  bool
	}{
		{"loopback GET", "GET", "127.0.0.1:8080", "", "", loop, true},
		{"localhost GET", "GET", "localhost:8080", "", "", loop, true},
		{"rebound host", "GET", "evil.example:8080", "", "", loop, false},
		{"allowed proxy host", "GET", "console.example", "", "", loop, true},
		{"same-origin POST", "POST", "127.0.0.1:8080", "http://127.0.0.1:8080", "", loop, true},
		{"cross-origin POST", "POST", "127.0.0.1:8080", "http://evil.example", "", loop, false},
		{"POST with neither", "POST", "127.0.0.1:8080", "", "", loop, false},
		{"POST with same referer", "POST", "127.0.0.1:8080", "", "http://127.0.0.1:8080/admin/agents", loop, true},
		{"POST with foreign referer", "POST", "127.0.0.1:8080", "", "http://evil.example/x", loop, false},
		{"opaque origin POST", "POST", "127.0.0.1:8080", "null", "", loop, false},
		{"cross-origin GET", "GET", "127.0.0.1:8080", "http://evil.example", "", loop, false},
		{"public listener, any host", "GET", "admin.acme.com", "", "", public, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/admin/agents", nil)
			r.Host = tt.host
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.referer != "" {
				r.Header.Set("Referer", tt.referer)
			}
			r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, tt.local))
			if msg := c.checkHostOrigin(r); (msg == "") != tt.ok {
				t.Fatalf("checkHostOrigin = %q, want ok %v", msg, tt.ok)
			}
		})
	}
}

func TestHourlyChart(t *testing.T) {
	now := time.Date(2026, 12, 4, 16, 30, 0, 0, time.UTC)
	at := func(d time.Duration, status string) gateway.AuditEntry {
		return gateway.AuditEntry{Time: now.Add(-d), Status: status, Tool: "atlassian_jira_search"}
	}
	svg := string(hourlyChart([]gateway.AuditEntry{
		at(time.Minute, gateway.StatusOK), at(2*time.Minute, gateway.StatusOK), at(3*time.Minute, gateway.StatusError),
		at(2*time.Hour, gateway.StatusDenied), at(30*time.Hour, gateway.StatusOK), // outside the 24 h
	}, now))
	for _, want := range []string{
		`aria-label="Calls per hour by status, last 24 hours: 4 calls"`,
		"Dec 4 16:00 UTC: 2 ok, 1 error, 0 denied",
		"Dec 4 14:00 UTC: 0 ok, 0 error, 1 denied",
		`class="bar-ok"`, `class="bar-error"`, `class="bar-denied"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "style=") {
		t.Fatal("the chart has script or inline style (the CSP forbids both)")
	}
}

func TestConnectionName(t *testing.T) {
	for in, want := range map[string]string{"acme-demo": "acme-demo", "Acme Corp!": "acme-corp", "": "default", "???": "default"} {
		if got := connectionName(in); got != want {
			t.Errorf("connectionName(%q) = %q, want %q", in, got, want)
		}
	}
}
