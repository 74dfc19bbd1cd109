package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// sandboxEnv is a sandbox site, a callback URL registered for its app on a
// free loopback port, and a data directory.
type sandboxEnv struct {
	srv      *sandbox.Server
	dir      string
	redirect string
}

func newSandboxEnv(t *testing.T, opts ...sandbox.Option) *sandboxEnv {
	t.Helper()
	srv := sandbox.NewServer(append([]sandbox.Option{sandbox.WithoutRateLimits()}, opts...)...)
	t.Cleanup(srv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", port)
	srv.RegisterRedirectURI(redirect)
	t.Setenv(tokenstore.KeyEnv, "")
	t.Setenv(envDataDir, "")
	t.Setenv(envClientID, srv.ClientID)
	t.Setenv(envClientSecret, srv.ClientSecret)
	return &sandboxEnv{srv: srv, dir: filepath.Join(t.TempDir(), "data"), redirect: redirect}
}

func (e *sandboxEnv) connectArgs(extra ...string) []string {
	return append([]string{"connect", "--data-dir", e.dir, "--auth-url", e.srv.URL, "--api-url", e.srv.URL,
		"--redirect-uri", e.redirect, "--timeout", "20s"}, extra...)
}

func (e *sandboxEnv) store(t *testing.T) *tokenstore.Store {
	t.Helper()
	s, err := tokenstore.Open(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// urlWatcher is a goroutine-safe buffer that reports the authorization URL
// the first time it is written.
type urlWatcher struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	urlCh chan string
	sent  bool
}

var authorizeURLRE = regexp.MustCompile(`http://\S+/authorize\?\S+`)

func newURLWatcher() *urlWatcher { return &urlWatcher{urlCh: make(chan string, 1)} }

func (b *urlWatcher) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if m := authorizeURLRE.FindString(b.buf.String()); m != "" && !b.sent {
		b.sent = true
		b.urlCh <- m
	}
	return len(p), nil
}

func (b *urlWatcher) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// runWith runs the CLI with the given stdin.
func runWith(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out bytes.Buffer
	errb := newURLWatcher()
	code := run(context.Background(), args, stdin, &out, errb)
	return code, out.String(), errb.String()
}

// fakeBrowser replaces openBrowser with fn, run in its own goroutine like a
// real browser; errors it meets fail the test.
func fakeBrowser(t *testing.T, fn func(authorizeURL string) error) {
	t.Helper()
	old := openBrowser
	var wg sync.WaitGroup
	openBrowser = func(u string) error {
		wg.Go(func() {
			if err := fn(u); err != nil {
				t.Errorf("browser: %v", err)
			}
		})
		return nil
	}
	t.Cleanup(func() { wg.Wait(); openBrowser = old })
}

// browse fetches u following redirects and returns the final response body.
func browse(c *http.Client, u string) (int, string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

var consentIDRE = regexp.MustCompile(`name="consent_id" value="([^"]+)"`)

// consentAs plays an admin on the sandbox's consent page: load it, then
// press Accept or Deny (the form POST), following the redirect to the
// callback.
func consentAs(srvURL, action string) func(string) error {
	return func(u string) error {
		code, page, err := browse(http.DefaultClient, u)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("consent page: %d %v", code, err)
		}
		m := consentIDRE.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "read:jira-work") {
			return fmt.Errorf("consent page without a form or scopes:\n%s", page)
		}
		resp, err := http.PostForm(srvURL+"/authorize/consent", url.Values{"consent_id": {m[1]}, "action": {action}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
}

// redirectTarget follows the authorization flow (auto-approve) up to the
// redirect to the callback and returns that URL without visiting it.
func redirectTarget(u string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("authorize: HTTP %d, want a redirect", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

func TestConnectStatusDisconnect(t *testing.T) {
	e := newSandboxEnv(t, sandbox.WithAutoApprove())
	var authorizeURL string
	fakeBrowser(t, func(u string) error {
		authorizeURL = u
		code, _, err := browse(http.DefaultClient, u)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("callback page: %d %v", code, err)
		}
		return nil
	})
	code, out, errOut := runWith(t, strings.NewReader(""), e.connectArgs()...)
	if code != exitOK {
		t.Fatalf("connect: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"Connected acme-demo (https://acme-demo.atlassian.net)", "Jira, Confluence", "Connected by:", "Schema:       3 projects, 9 custom fields, 4 spaces"} {
		if !strings.Contains(out, want) {
			t.Errorf("connect output lacks %q:\n%s", want, out)
		}
	}
	// The authorization URL carries what Atlassian requires.
	q := mustQuery(t, authorizeURL)
	for k, want := range map[string]string{"audience": "api.atlassian.com", "prompt": "consent", "response_type": "code",
		"code_challenge_method": "S256", "client_id": e.srv.ClientID, "redirect_uri": e.redirect} {
		if q.Get(k) != want {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || len(q.Get("code_challenge")) != 43 {
		t.Errorf("weak state or challenge: %q %q", q.Get("state"), q.Get("code_challenge"))
	}
	for _, sc := range []string{"offline_access", "read:me", "read:jira-work", "read:page:confluence", "search:confluence"} {
		if !strings.Contains(" "+q.Get("scope")+" ", " "+sc+" ") {
			t.Errorf("scope lacks %s: %q", sc, q.Get("scope"))
		}
	}
	for _, secret := range []string{e.srv.ClientSecret} {
		if strings.Contains(out+errOut, secret) {
			t.Error("output shows the client secret")
		}
	}

	conn, sec, err := e.store(t).Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if conn.Site.CloudID != e.srv.CloudID || !conn.HasProduct("jira") || !conn.HasProduct("confluence") || conn.ConnectedBy == "" ||
		sec.ClientSecret != e.srv.ClientSecret || sec.RefreshToken == "" || conn.AuthURL != e.srv.URL {
		t.Fatalf("stored connection %+v", conn)
	}

	code, out, errOut = runWith(t, nil, "status", "--data-dir", e.dir)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Site name:         acme-demo", "Site URL:          https://acme-demo.atlassian.net", "Jira", "Confluence",
		"Status:            Active", "Connected by:      " + conn.ConnectedBy, "Access token:      expires", "Schema refreshed:  "} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runWith(t, nil, "status", "--data-dir", e.dir, "--json")
	var rep hub.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("status --json: exit %d, %v\n%s", code, err, out)
	}
	if !rep.Healthy || rep.Status != "Active" || len(rep.Products) != 2 || !rep.Products[0].OK || !rep.Products[1].OK || rep.SchemaRefreshedAt == nil {
		t.Fatalf("status --json: %+v", rep)
	}

	code, out, _ = runWith(t, nil, "schema", "--data-dir", e.dir)
	if code != exitOK || !strings.Contains(out, "ENG - Engineering") || !strings.Contains(out, "customfield_10016") {
		t.Fatalf("schema after connect: exit %d\n%s", code, out)
	}

	code, out, errOut = runWith(t, nil, "disconnect", "--data-dir", e.dir)
	if code != exitOK || !strings.Contains(out, "Revocation requested") || !strings.Contains(out, "Connected apps") ||
		!strings.Contains(out, "Deleted the connection's cached schema.") {
		t.Fatalf("disconnect: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := schema.NewCache(e.dir).Load("default"); !errors.Is(err, schema.ErrNoSnapshot) {
		t.Errorf("cached schema after disconnect: %v", err)
	}
	if st := e.srv.Stats(); st.FamilyRevocations != 1 || st.ActiveFamilies != 0 {
		t.Errorf("sandbox after disconnect: %+v", st)
	}
	if _, err := e.store(t).Get("default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("after disconnect: %v", err)
	}
	code, _, errOut = runWith(t, nil, "status", "--data-dir", e.dir)
	if code != exitFailure || !strings.Contains(errOut, "atlassian-mcp connect") {
		t.Fatalf("status after disconnect: exit %d %s", code, errOut)
	}
	code, _, errOut = runWith(t, nil, "disconnect", "--data-dir", e.dir)
	if code != exitFailure || !strings.Contains(errOut, "nothing to do") {
		t.Fatalf("second disconnect: exit %d %s", code, errOut)
	}
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query()
}

func TestConnectConsentPage(t *testing.T) {
	tests := []struct {
		action string
		code   int
		want   string
	}{
		{"accept", exitOK, "Connected acme-demo"},
		{"deny", exitFailure, "consent was denied on the Atlassian consent page (access_denied); nothing was stored. Run connect again and choose Accept"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			e := newSandboxEnv(t)
			fakeBrowser(t, consentAs(e.srv.URL, tt.action))
			code, out, errOut := runWith(t, nil, e.connectArgs()...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.want, out, errOut)
			}
			_, err := e.store(t).Get("default")
			if (err == nil) != (tt.code == exitOK) {
				t.Fatalf("stored connection after %s: %v", tt.action, err)
			}
		})
	}
}

// TestConnectPastedURL is the headless path: --no-browser prints the URL,
// the admin opens it elsewhere and pastes the address the browser landed
// on.
func TestConnectPastedURL(t *testing.T) {
	e := newSandboxEnv(t, sandbox.WithAutoApprove())
	pr, pw := io.Pipe()
	var out bytes.Buffer
	errb := newURLWatcher()
	done := make(chan int)
	go func() {
		done <- run(context.Background(), e.connectArgs("--no-browser", "--connection", "headless"), pr, &out, errb)
	}()
	var u string
	select {
	case u = <-errb.urlCh:
	case <-time.After(10 * time.Second):
		t.Fatalf("no authorization URL printed:\n%s", errb.String())
	}
	target, err := redirectTarget(u)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(pw, "not a url at all ::") // a wrong paste is explained, not fatal
	fmt.Fprintln(pw, "  "+target+"  ")      // the real one, with stray spaces
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	pw.Close()
	if !strings.Contains(errb.String(), "paste the whole address") {
		t.Errorf("the bad paste was not explained:\n%s", errb.String())
	}
	if c, err := e.store(t).Get("headless"); err != nil || c.Site.Name != "acme-demo" {
		t.Fatalf("stored: %+v %v", c, err)
	}
}

func TestConnectCallbackFaults(t *testing.T) {
	tests := []struct {
		name    string
		browser func(e *sandboxEnv, previous *string) func(string) error
		setup   func(e *sandboxEnv)
		code    int
		want    string
	}{
		{
			name: "wrong state",
			browser: func(e *sandboxEnv, _ *string) func(string) error {
				return func(u string) error {
					target, err := redirectTarget(u)
					if err != nil {
						return err
					}
					tu, _ := url.Parse(target)
					q := tu.Query()
					q.Set("state", "forged")
					tu.RawQuery = q.Encode()
					code, page, err := browse(http.DefaultClient, tu.String())
					if err != nil || code != http.StatusBadRequest || !strings.Contains(page, "does not belong") {
						return fmt.Errorf("forged callback page: %d %v\n%s", code, err, page)
					}
					return nil
				}
			},
			code: exitFailure, want: "state does not match",
		},
		{
			name: "callback on the wrong path first",
			browser: func(e *sandboxEnv, _ *string) func(string) error {
				return func(u string) error {
					target, err := redirectTarget(u)
					if err != nil {
						return err
					}
					wrong := strings.Replace(target, "/callback?", "/other?", 1)
					if code, _, err := browse(http.DefaultClient, wrong); err != nil || code != http.StatusNotFound {
						return fmt.Errorf("wrong path answered %d %v, want 404", code, err)
					}
					code, _, err := browse(http.DefaultClient, target)
					if err != nil || code != http.StatusOK {
						return fmt.Errorf("callback: %d %v", code, err)
					}
					return nil
				}
			},
			code: exitOK, want: "Connected acme-demo",
		},
		{
			name:  "token endpoint down",
			setup: func(e *sandboxEnv) { e.srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Status: 503}) },
			browser: func(e *sandboxEnv, _ *string) func(string) error {
				return func(u string) error { _, _, err := browse(http.DefaultClient, u); return err }
			},
			code: exitFailure, want: "HTTP 503",
		},
		{
			name:  "error from the authorization server",
			setup: func(e *sandboxEnv) {},
			browser: func(e *sandboxEnv, _ *string) func(string) error {
				return func(u string) error {
					pu, _ := url.Parse(u)
					q := pu.Query()
					q.Set("scope", "read:jira-work not:a-scope")
					pu.RawQuery = q.Encode()
					_, _, err := browse(http.DefaultClient, pu.String())
					return err
				}
			},
			code: exitFailure, want: "invalid_scope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSandboxEnv(t, sandbox.WithAutoApprove())
			if tt.setup != nil {
				tt.setup(e)
			}
			var prev string
			fakeBrowser(t, tt.browser(e, &prev))
			code, out, errOut := runWith(t, nil, e.connectArgs()...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.want, out, errOut)
			}
			if tt.code != exitOK {
				if _, err := e.store(t).Get("default"); !errors.Is(err, tokenstore.ErrNotFound) {
					t.Fatalf("a failed connect stored something: %v", err)
				}
				if !strings.Contains(errOut, "nothing was stored") && !strings.Contains(errOut, "authorization server returned an error") {
					t.Errorf("the message does not say nothing was stored:\n%s", errOut)
				}
			}
		})
	}
}

// TestConnectReusedCode replays the code of a finished connect in a new
// run (with the new run's state, as an attacker or a stale tab would).
func TestConnectReusedCode(t *testing.T) {
	e := newSandboxEnv(t, sandbox.WithAutoApprove())
	var first string
	old := openBrowser
	t.Cleanup(func() { openBrowser = old })
	openBrowser = func(u string) error {
		target, err := redirectTarget(u)
		if err != nil {
			return err
		}
		first = target
		go func() { _, _, _ = browse(http.DefaultClient, target) }()
		return nil
	}
	if code, out, errOut := runWith(t, nil, e.connectArgs()...); code != exitOK {
		t.Fatalf("first connect: %d\n%s\n%s", code, out, errOut)
	}
	openBrowser = func(u string) error {
		state := mustQuery(t, u).Get("state")
		tu, _ := url.Parse(first)
		q := tu.Query()
		q.Set("state", state)
		tu.RawQuery = q.Encode()
		go func() { _, _, _ = browse(http.DefaultClient, tu.String()) }()
		return nil
	}
	code, out, errOut := runWith(t, nil, e.connectArgs("--connection", "second")...)
	if code != exitFailure || !strings.Contains(errOut, "already used") {
		t.Fatalf("reused code: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestConnectFlagErrors(t *testing.T) {
	e := newSandboxEnv(t, sandbox.WithAutoApprove())
	tests := []struct {
		name  string
		env   map[string]string
		extra []string
		want  string
	}{
		{"no client id", map[string]string{envClientID: ""}, nil, envClientID},
		{"non-loopback callback", nil, []string{"--redirect-uri", "https://example.com/cb"}, "not a loopback address"},
		{"https loopback callback", nil, []string{"--redirect-uri", "https://127.0.0.1:9/cb"}, "plain http"},
		{"bad connection name", nil, []string{"--connection", "../x"}, "invalid connection name"},
		{"bad auth url", nil, []string{"--auth-url", "ftp://x"}, "--auth-url"},
		{"unknown site", nil, []string{"--site", "nope"}, `--site "nope" is not among the sites`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fakeBrowser(t, func(u string) error { _, _, err := browse(http.DefaultClient, u); return err })
			code, out, errOut := runWith(t, nil, e.connectArgs(tt.extra...)...)
			if code == exitOK || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, want failure with %q\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, errOut)
			}
		})
	}
}

func TestConnectSiteFlag(t *testing.T) {
	for _, site := range []string{"acme-demo", "https://acme-demo.atlassian.net/", "4f8e2a1c-7b3d-4c5e-9a6f-1d2b3c4e5f60"} {
		t.Run(site, func(t *testing.T) {
			e := newSandboxEnv(t, sandbox.WithAutoApprove())
			fakeBrowser(t, func(u string) error { _, _, err := browse(http.DefaultClient, u); return err })
			if code, out, errOut := runWith(t, nil, e.connectArgs("--site", site)...); code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// TestConnectSeveralSites: against a grant covering two sites, connect
// without --site stops and lists both (nothing stored); --site picks the
// lab site, whose own schema is discovered.
func TestConnectSeveralSites(t *testing.T) {
	e := newSandboxEnv(t, sandbox.WithAutoApprove(), sandbox.WithSites(2))
	lab := e.srv.Sites()[1]
	fakeBrowser(t, func(u string) error { _, _, err := browse(http.DefaultClient, u); return err })
	code, out, errOut := runWith(t, strings.NewReader(""), e.connectArgs()...)
	if code == exitOK || !strings.Contains(errOut, "--site NAME|URL|ID") || !strings.Contains(errOut, "acme-demo") || !strings.Contains(errOut, lab.SiteURL) {
		t.Fatalf("connect without --site: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := e.store(t).Get("default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("a connect without a site stored something: %v", err)
	}
	if code, out, errOut = runWith(t, nil, e.connectArgs("--site", lab.SiteName)...); code != exitOK || !strings.Contains(out, "Connected acme-lab ("+lab.SiteURL+")") {
		t.Fatalf("connect --site %s: exit %d\n%s\n%s", lab.SiteName, code, out, errOut)
	}
	if conn, err := e.store(t).Get("default"); err != nil || conn.Site.CloudID != lab.CloudID {
		t.Fatalf("the stored site: %+v, %v", conn.Site, err)
	}
	code, out, _ = runWith(t, nil, "schema", "--data-dir", e.dir)
	if code != exitOK || !strings.Contains(out, "LAB - Research Lab") || strings.Contains(out, "ENG - Engineering") {
		t.Fatalf("the lab site's schema: exit %d\n%s", code, out)
	}
}

// connectForTest runs an auto-approved connect and returns the env.
func connectForTest(t *testing.T, opts ...sandbox.Option) *sandboxEnv {
	t.Helper()
	e := newSandboxEnv(t, append([]sandbox.Option{sandbox.WithAutoApprove()}, opts...)...)
	fakeBrowser(t, func(u string) error { _, _, err := browse(http.DefaultClient, u); return err })
	if code, out, errOut := runWith(t, nil, e.connectArgs()...); code != exitOK {
		t.Fatalf("connect: exit %d\n%s\n%s", code, out, errOut)
	}
	return e
}

func TestStatusTokenExpired(t *testing.T) {
	e := connectForTest(t)
	s := e.store(t)
	c, sec, err := s.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	sec.Expiry = time.Now().Add(-time.Minute) // due for a refresh
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	e.srv.RevokeAll() // the admin removed the app under Connected apps
	code, out, errOut := runWith(t, nil, "status", "--data-dir", e.dir)
	if code != exitFailure || !strings.Contains(out, "Token Expired") || !strings.Contains(out, "atlassian-mcp connect") {
		t.Fatalf("status: exit %d\n%s\n%s", code, out, errOut)
	}
	// Reconnecting fixes it.
	if code, out, errOut := runWith(t, nil, e.connectArgs()...); code != exitOK {
		t.Fatalf("reconnect: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runWith(t, nil, "status", "--data-dir", e.dir); code != exitOK {
		t.Fatalf("status after reconnect: %d\n%s", code, out)
	}
}

func TestStatusRefreshesWhenDue(t *testing.T) {
	e := connectForTest(t)
	s := e.store(t)
	c, sec, _ := s.Load("default")
	sec.Expiry = time.Now().Add(time.Minute)
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runWith(t, nil, "status", "--data-dir", e.dir); code != exitOK {
		t.Fatalf("status: %d\n%s\n%s", code, out, errOut)
	}
	if st := e.srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("refreshes = %d, want 1", st.Refreshes)
	}
	c2, sec2, _ := s.Load("default")
	if sec2.RefreshToken == sec.RefreshToken || !c2.TokenExpiry.After(sec.Expiry) {
		t.Fatal("status did not store the refreshed pair")
	}
}

func TestStatusProductCheckFails(t *testing.T) {
	e := connectForTest(t)
	e.srv.InjectFault(sandbox.Fault{Path: "/rest/api/3/myself", Status: 500})
	code, out, _ := runWith(t, nil, "status", "--data-dir", e.dir, "--json")
	var rep hub.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != exitFailure || rep.Healthy || rep.Status != "Error" || rep.Products[0].OK || !rep.Products[1].OK || !strings.Contains(rep.Products[0].Message, "HTTP 500") {
		t.Fatalf("exit %d: %+v", code, rep)
	}
}

func TestStatusWrongKey(t *testing.T) {
	e := connectForTest(t)
	t.Setenv(tokenstore.KeyEnv, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)))
	code, out, errOut := runWith(t, nil, "status", "--data-dir", e.dir)
	if code != exitFailure || !strings.Contains(out, "wrong encryption key") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestDisconnectRevocationNotConfirmed(t *testing.T) {
	e := connectForTest(t)
	e.srv.InjectFault(sandbox.Fault{Path: "/oauth/revoke", Status: 500})
	code, out, errOut := runWith(t, nil, "disconnect", "--data-dir", e.dir)
	if code != exitOK || !strings.Contains(out, "Revocation NOT confirmed") || !strings.Contains(out, "HTTP 500") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := e.store(t).Get("default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatal("the local tokens survived a failed revocation")
	}
}

func TestRotateKeyCommand(t *testing.T) {
	e := connectForTest(t)
	code, out, errOut := runWith(t, nil, "rotate-key", "--data-dir", e.dir)
	if code != exitOK || !strings.Contains(out, "key version 2") {
		t.Fatalf("rotate-key: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runWith(t, nil, "status", "--data-dir", e.dir); code != exitOK {
		t.Fatalf("status after rotation: %d\n%s", code, out)
	}
}

func TestDataDirResolution(t *testing.T) {
	tests := []struct {
		flag, env, xdg, want string
	}{
		{"/flag", "/env", "/xdg", "/flag"},
		{"", "/env", "/xdg", "/env"},
		{"", "", "/xdg", "/xdg/atlassian-mcp"},
		{"", "", "relative", filepath.Join("HOME", ".local", "share", "atlassian-mcp")},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Setenv(envDataDir, tt.env)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", "HOME")
			got, err := (&storeFlags{dataDir: tt.flag}).dir()
			if err != nil || got != tt.want {
				t.Fatalf("dir() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
