package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// consoleClient is a browser-like client of the admin console at base
// (cookies kept, redirects not followed, timeout per request): do sends a
// request, with form url-encoded in its body when it is not nil and hdr
// set on it ("Host" sets the request's host), and returns the response
// (its body closed) and the body read.
func consoleClient(t *testing.T, base string, timeout time.Duration) (do func(method, path string, form url.Values, hdr map[string]string) (*http.Response, string)) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return func(method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for k, v := range hdr {
			if k == "Host" {
				req.Host = v
				continue
			}
			req.Header.Set(k, v)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp, string(raw)
	}
}

// adminLogin logs in to the admin console at base with the admin token
// and returns a function posting a console form (with the session's CSRF
// token and a same-origin Origin).
func adminLogin(t *testing.T, base, adminToken string) func(path string) (int, string) {
	t.Helper()
	send := consoleClient(t, base, 60*time.Second)
	do := func(method, path string, form url.Values) (int, string) {
		var hdr map[string]string
		if form != nil {
			hdr = map[string]string{"Origin": base}
		}
		resp, body := send(method, path, form, hdr)
		return resp.StatusCode, body
	}
	_, page := do("GET", "/admin/login", nil)
	login := regexp.MustCompile(`name="login" value="([^"]+)"`).FindStringSubmatch(page)
	if login == nil {
		t.Fatal("the console's login page has no login form value")
	}
	if code, _ := do("POST", "/admin/login", url.Values{"login": {login[1]}, "token": {adminToken}}); code != http.StatusSeeOther {
		t.Fatalf("console login: %d", code)
	}
	_, page = do("GET", "/admin/connections", nil)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("the connections page has no CSRF field")
	}
	return func(path string) (int, string) { return do("POST", path, url.Values{"csrf": {csrf[1]}}) }
}

// TestSchemaRefreshOnOneReplicaReachesAnother runs two `serve --http`
// processes on one PostgreSQL store, each with an MCP client over HTTP
// listening for notifications. A new project appears on the site and the
// schema is refreshed through replica A's admin console: the clients of
// both replicas get notifications/tools/list_changed, and replica B's
// tools/list describes the new project without B rediscovering anything.
func TestSchemaRefreshOnOneReplicaReachesAnother(t *testing.T) {
	dsn, key, srv, db := replicaSite(t, 6, sandbox.WithoutRateLimits())
	token := sharedSetup(t, srv, db, dsn, key, time.Time{})
	// The first snapshot, discovered once before the replicas start, so
	// neither discovers at start (which would notify on its own).
	t.Setenv(envStore, dsn)
	t.Setenv(tokenstore.KeyEnv, key)
	if code, _, stderr := runCLI(t, "schema", "refresh"); code != exitOK {
		t.Fatalf("schema refresh: %d %s", code, stderr)
	}
	dirA := filepath.Join(t.TempDir(), "a")
	code, adminToken, stderr := runCLI(t, "admin", "token", "--data-dir", dirA)
	if code != exitOK {
		t.Fatalf("admin token: %d %s", code, stderr)
	}
	env := []string{tokenstore.KeyEnv + "=" + key, envStore + "=" + dsn}
	a := startReplica(t, env, dirA)
	b := startReplica(t, env, filepath.Join(t.TempDir(), "b"))
	onA, onB := newMCPSession(t, a.base, token), newMCPSession(t, b.base, token)
	describes := func(m *mcpSession, what string) bool {
		for _, tl := range m.tools(t) {
			if strings.Contains(tl.Description, what) || strings.Contains(string(mustJSON(t, tl.InputSchema)), what) {
				return true
			}
		}
		return false
	}
	if describes(onB, "ZEBRA") {
		t.Fatal("replica B describes project ZEBRA before it exists")
	}
	beforeA, beforeB := onA.changes(), onB.changes()

	if err := srv.AddJiraProject("ZEBRA", "Zebra crossing"); err != nil {
		t.Fatal(err)
	}
	post := adminLogin(t, a.base, strings.TrimSpace(adminToken))
	if code, body := post("/admin/connections/default/refresh"); code != http.StatusOK || !strings.Contains(body, "refreshed") {
		t.Fatalf("refresh through replica A's console: %d\n%s", code, body)
	}
	eventually(t, "tools/list_changed on replica A's client", func() bool { return onA.changes() > beforeA })
	eventually(t, "tools/list_changed on replica B's client", func() bool { return onB.changes() > beforeB })
	if !describes(onB, "ZEBRA") {
		t.Fatal("replica B notified its client but does not describe the new project ZEBRA")
	}
	t.Logf("list_changed: replica A's client %d, replica B's client %d", onA.changes()-beforeA, onB.changes()-beforeB)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
