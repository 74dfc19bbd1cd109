package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// fakeConnector hands out flows whose Finish returns sites and counts
// the calls.
type fakeConnector struct {
	mu       sync.Mutex
	sites    []atlassian.Resource
	err      error // Finish's error, if any
	finished int
	state    string
}

func (f *fakeConnector) Scopes() []string { return []string{"read:me"} }

func (f *fakeConnector) Start(redirectURI string) (Flow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = randomToken()
	return &fakeFlow{c: f, state: f.state, redirect: redirectURI}, nil
}

type fakeFlow struct {
	c               *fakeConnector
	state, redirect string
}

func (f *fakeFlow) URL() string   { return "http://auth.invalid/authorize?state=" + f.state }
func (f *fakeFlow) State() string { return f.state }
func (f *fakeFlow) Finish(context.Context, url.Values) ([]atlassian.Resource, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	f.c.finished++
	if f.c.err != nil {
		return nil, f.c.err
	}
	return f.c.sites, nil
}
func (f *fakeFlow) Choose(id string) (atlassian.Resource, error) {
	for _, s := range f.c.sites {
		if s.ID == id {
			return s, nil
		}
	}
	return atlassian.Resource{}, ErrUnknownSite
}
func (f *fakeFlow) Save(context.Context, atlassian.Resource, string) (tokenstore.Connection, error) {
	panic("not in this test")
}

// quietBackend is a backend with no connections; other calls panic.
type quietBackend struct{ Backend }

func (quietBackend) Connections() ([]tokenstore.Connection, error) { return nil, nil }

// startedWizard is a console over conn with a signed-in admin who has
// started the connect wizard (the authorization URL is issued; the
// callback is next).
func startedWizard(t *testing.T, conn *fakeConnector) *adminClient {
	t.Helper()
	c, err := New(Options{DataDir: t.TempDir(), Backend: quietBackend{}, Connect: conn})
	if err != nil {
		t.Fatal(err)
	}
	a := newAdminClient(t, c)
	a.do("POST", "/admin/connect/start", url.Values{})
	return a
}

// adminClient logs a session into c and sends requests with its cookie.
type adminClient struct {
	t      *testing.T
	c      *Console
	cookie string
	csrf   string
}

func newAdminClient(t *testing.T, c *Console) *adminClient {
	t.Helper()
	if _, err := c.Tokens().Rotate(c.opts.Now()); err != nil {
		t.Fatal(err)
	}
	cur, err := c.tokens.current()
	if err != nil {
		t.Fatal(err)
	}
	id, se := c.sessions.create(cur, c.opts.Now())
	return &adminClient{t: t, c: c, cookie: id, csrf: se.csrf}
}

func (a *adminClient) do(method, target string, form url.Values) (int, string) {
	a.t.Helper()
	var req *http.Request
	if form != nil {
		form.Set(csrfField, a.csrf)
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: a.cookie})
	rec := httptest.NewRecorder()
	a.c.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestWizardCallback: a callback whose state no wizard issued, or whose
// wizard waited too long, is refused with a message and finishes nothing;
// a grant covering several sites asks which.
func TestWizardCallback(t *testing.T) {
	two := []atlassian.Resource{
		{ID: "c1", Name: "alpha", URL: "https://alpha.atlassian.net", Scopes: []string{"read:jira-work"}, Products: []atlassian.Product{atlassian.ProductJira}},
		{ID: "c2", Name: "beta", URL: "https://beta.atlassian.net", Scopes: []string{"read:jira-work"}, Products: []atlassian.Product{atlassian.ProductJira}},
	}
	tests := []struct {
		name     string
		state    func(issued string) string
		wait     time.Duration
		status   int
		says     string
		finished int
		step     string
	}{
		{"forged state", func(string) string { return "forged" }, 0, http.StatusBadRequest, "unknown OAuth state", 0, "Consent on Atlassian"},
		{"no state", func(string) string { return "" }, 0, http.StatusBadRequest, "Nothing was stored", 0, "Consent on Atlassian"},
		{"expired", func(s string) string { return s }, consentTimeout + time.Minute, http.StatusBadRequest, "expired", 0, "Consent on Atlassian"},
		{"several sites", func(s string) string { return s }, time.Minute, http.StatusOK, "Authorization received", 1, "Choose the site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
			conn := &fakeConnector{sites: two}
			c, err := New(Options{DataDir: t.TempDir(), Backend: quietBackend{}, Connect: conn, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			a := newAdminClient(t, c)
			if code, _ := a.do("POST", "/admin/connect/start", url.Values{}); code != http.StatusSeeOther {
				t.Fatalf("start: %d", code)
			}
			now = now.Add(tt.wait)
			code, page := a.do("GET", "/admin/connect/callback?code=x&state="+url.QueryEscape(tt.state(conn.state)), nil)
			if code != tt.status || !strings.Contains(page, tt.says) {
				t.Fatalf("callback: %d, want %d saying %q:\n%s", code, tt.status, tt.says, page)
			}
			if conn.finished != tt.finished {
				t.Fatalf("Finish ran %d times, want %d", conn.finished, tt.finished)
			}
			if _, page := a.do("GET", "/admin/connect", nil); !strings.Contains(page, tt.step) {
				t.Fatalf("the wizard is not at %q:\n%s", tt.step, page)
			}
		})
	}
	t.Run("site choice", func(t *testing.T) {
		conn := &fakeConnector{sites: two}
		a := startedWizard(t, conn)
		a.do("GET", "/admin/connect/callback?code=x&state="+conn.state, nil)
		if _, page := a.do("GET", "/admin/connect", nil); !strings.Contains(page, "alpha") || !strings.Contains(page, "beta.atlassian.net") {
			t.Fatalf("the site step does not list both sites:\n%s", page)
		}
		for _, bad := range []url.Values{{"site": {"c9"}}, {"site": {"<b>" + strings.Repeat("x", 500)}}, {}} {
			if code, _ := a.do("POST", "/admin/connect/site", bad); code != http.StatusSeeOther {
				t.Fatalf("site %q: %d", bad.Get("site"), code)
			}
			_, page := a.do("GET", "/admin/connect", nil)
			if !strings.Contains(page, `id="wizard-error"`) || !strings.Contains(page, "Choose one of the sites") || !strings.Contains(page, "Choose the site") {
				t.Fatalf("site %q is not refused on the site step:\n%s", bad.Get("site"), page)
			}
			if bad.Get("site") != "" && !strings.Contains(page, "nothing was changed") {
				t.Fatalf("site %q: the message does not say nothing changed:\n%s", bad.Get("site"), page)
			}
			if strings.Contains(page, "<b>") || strings.Contains(page, strings.Repeat("x", 100)) {
				t.Fatalf("the refused site is echoed unescaped or whole:\n%s", page)
			}
		}
		a.do("POST", "/admin/connect/site", url.Values{"site": {"c2"}})
		if _, page := a.do("GET", "/admin/connect", nil); !strings.Contains(page, "Products detected on beta") || !strings.Contains(page, `value="beta"`) {
			t.Fatalf("choosing beta does not lead to its products:\n%s", page)
		}
	})
}

// TestWizardSiteStep: the site step reads as done when the admin chose
// among several sites, and as skipped, naming the site, when the grant
// covered one.
func TestWizardSiteStep(t *testing.T) {
	alpha := atlassian.Resource{ID: "c1", Name: "alpha", URL: "https://alpha.atlassian.net", Scopes: []string{"read:jira-work"}, Products: []atlassian.Product{atlassian.ProductJira}}
	beta := atlassian.Resource{ID: "c2", Name: "beta", URL: "https://beta.atlassian.net", Scopes: []string{"read:jira-work"}, Products: []atlassian.Product{atlassian.ProductJira}}
	siteStep := regexp.MustCompile(`<li class="([a-z]*)"><span class="num">3</span>Site([^<]*(?:<span class="note">[^<]*</span>)?)</li>`)
	tests := []struct {
		name      string
		sites     []atlassian.Resource
		choose    string
		wantClass string
		wantText  string
	}{
		{"one site", []atlassian.Resource{alpha}, "", "skipped", ` <span class="note">skipped (one site: alpha)</span>`},
		{"several sites, one chosen", []atlassian.Resource{alpha, beta}, "c2", "done", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &fakeConnector{sites: tt.sites}
			a := startedWizard(t, conn)
			a.do("GET", "/admin/connect/callback?code=x&state="+conn.state, nil)
			if tt.choose != "" {
				a.do("POST", "/admin/connect/site", url.Values{"site": {tt.choose}})
			}
			_, page := a.do("GET", "/admin/connect", nil)
			if !strings.Contains(page, "Products detected on") {
				t.Fatalf("the wizard is not at the products step:\n%s", page)
			}
			m := siteStep.FindStringSubmatch(page)
			if m == nil || m[1] != tt.wantClass || m[2] != tt.wantText {
				t.Fatalf("the site step reads %q, want class %q and text %q", m, tt.wantClass, tt.wantText)
			}
		})
	}
}

// TestWizardConsentDenied: a denied consent is worded for the console
// (try again here), not with the CLI's "run connect again"; another
// error keeps its own text.
func TestWizardConsentDenied(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    []string
		wantNot []string
	}{
		{"denied", fmt.Errorf("wrapped: %w", ErrConsentDenied),
			[]string{"the consent was denied on the Atlassian consent page, so nothing was stored. To connect, try again and choose Accept", "Try again in the connect wizard"},
			[]string{"Run connect", "run connect"}},
		{"other error", errors.New("the authorization server returned an error (server_error)"),
			[]string{"Not connected: the authorization server returned an error (server_error).", "Try again in the connect wizard"},
			[]string{"consent was denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &fakeConnector{err: tt.err}
			a := startedWizard(t, conn)
			_, callback := a.do("GET", "/admin/connect/callback?error=access_denied&state="+conn.state, nil)
			_, wizard := a.do("GET", "/admin/connect", nil)
			for page, text := range map[string]string{"callback": callback, "wizard": wizard} {
				for _, w := range tt.want {
					if page == "wizard" && strings.HasPrefix(w, "Try again in") {
						w = `id="wizard-begin">Try again</button>`
					}
					if !strings.Contains(text, w) {
						t.Errorf("the %s page lacks %q:\n%s", page, w, text)
					}
				}
				for _, w := range tt.wantNot {
					if strings.Contains(text, w) {
						t.Errorf("the %s page says %q:\n%s", page, w, text)
					}
				}
			}
		})
	}
}

// TestConnectSetup: without an OAuth app the Connect page says what to
// set, with the callback URL to register.
func TestConnectSetup(t *testing.T) {
	c, err := New(Options{DataDir: t.TempDir(), Backend: quietBackend{}, ConnectSetup: "Set ATLASSIAN_CLIENT_ID."})
	if err != nil {
		t.Fatal(err)
	}
	a := newAdminClient(t, c)
	code, page := a.do("GET", "/admin/connect", nil)
	if code != http.StatusOK || !strings.Contains(page, "Set ATLASSIAN_CLIENT_ID.") || !strings.Contains(page, "http://example.com/admin/connect/callback") {
		t.Fatalf("%d:\n%s", code, page)
	}
	if code, _ := a.do("POST", "/admin/connect/start", url.Values{}); code != http.StatusNotFound {
		t.Fatalf("starting a wizard without an OAuth app: %d", code)
	}
}

// auditBackend is a backend whose audit logs are in dir.
type auditBackend struct {
	quietBackend
	dir string
	// readOnly hides the files' newest-first cursor, as a reader with
	// only Read (the fallback path).
	readOnly bool
}

func (b auditBackend) Audit() gateway.AuditReader {
	if b.readOnly {
		return struct{ gateway.AuditReader }{gateway.AuditFiles{Dir: b.dir}}
	}
	return gateway.AuditFiles{Dir: b.dir}
}

// TestScanAuditPages: the audit page's pass over two tenants' logs gives
// each page of the entries merged newest first, the total and the chart's
// counts, keeping no more than a page.
func TestScanAuditPages(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 12, 30, 0, 0, time.UTC)
	logs := map[string]*gateway.AuditLog{}
	for _, tenant := range []string{"acme", "beta"} {
		l, err := gateway.OpenAuditLog(dir, tenant, gateway.AuditOptions{MaxBytes: 1500})
		if err != nil {
			t.Fatal(err)
		}
		logs[tenant] = l
	}
	const n = 130
	for i := range n {
		tenant := "acme"
		if i%3 == 0 {
			tenant = "beta"
		}
		e := &gateway.AuditEntry{Time: now.Add(-time.Duration(n-i) * 10 * time.Minute), Tenant: tenant, Agent: "a",
			Tool: "atlassian_jira_search", Status: gateway.StatusOK, ExecutionID: fmt.Sprintf("e%03d", i)}
		if err := logs[tenant].Record(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range logs {
		l.Close()
	}
	tests := []struct {
		tenant      string
		skip, size  int
		total       int
		first, last string
	}{
		{"", 0, 50, n, "e129", "e080"},
		{"", 50, 50, n, "e079", "e030"},
		{"", 100, 50, n, "e029", "e000"},
		{"", 130, 50, n, "", ""},
		{"beta", 0, 5, 44, "e129", "e117"},
	}
	for _, readOnly := range []bool{false, true} {
		c, err := New(Options{DataDir: t.TempDir(), Backend: auditBackend{dir: dir, readOnly: readOnly}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			s, err := c.scanAudit(t.Context(), tt.tenant, gateway.AuditFilter{}, tt.skip, tt.size, now)
			if err != nil {
				t.Fatal(err)
			}
			if s.total != tt.total || len(s.page) > tt.size {
				t.Fatalf("%q from %d: total %d, page of %d", tt.tenant, tt.skip, s.total, len(s.page))
			}
			var first, last string
			if len(s.page) > 0 {
				first, last = s.page[0].ExecutionID, s.page[len(s.page)-1].ExecutionID
			}
			if first != tt.first || last != tt.last {
				t.Errorf("%q from %d: page runs %s..%s, want %s..%s", tt.tenant, tt.skip, first, last, tt.first, tt.last)
			}
			for i := 1; i < len(s.page); i++ {
				if s.page[i].Time.After(s.page[i-1].Time) {
					t.Fatalf("%q from %d: not newest first at %d", tt.tenant, tt.skip, i)
				}
			}
			// Every call is within the chart's 24 hours.
			if s.hours.total != tt.total {
				t.Errorf("%q: the chart counts %d calls, want %d", tt.tenant, s.hours.total, tt.total)
			}
		}
	}
}

// TestCallbackURL: the wizard's callback is on the request's host, https
// over TLS or behind a proxy that says the client used it.
func TestCallbackURL(t *testing.T) {
	tests := []struct {
		target, proto string
		want          string
	}{
		{"http://127.0.0.1:8080/admin/connect", "", "http://127.0.0.1:8080/admin/connect/callback"},
		{"https://mcp.example.com/admin/connect", "", "https://mcp.example.com/admin/connect/callback"},
		{"http://mcp.example.com/admin/connect", "https", "https://mcp.example.com/admin/connect/callback"},
		{"http://mcp.example.com/admin/connect", "http", "http://mcp.example.com/admin/connect/callback"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.target, nil)
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		if got := callbackURL(r); got != tt.want {
			t.Errorf("%s (X-Forwarded-Proto %q): %s, want %s", tt.target, tt.proto, got, tt.want)
		}
	}
}
