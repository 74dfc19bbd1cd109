package main

// The admin console in a real headless Chromium, against serve --sandbox
// --http running in this process (so the test can change the sandbox site
// while it is served). One browser serves the whole scenario; each step
// writes a screenshot to $CONSOLE_SCREENSHOTS (default: a temporary
// directory), never into the repository.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// chromiumPath finds Chromium: $CHROMIUM, else Debian's package. Without
// one the browser tests skip, except under CI=true, where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required for the console's browser tests under CI (apt-get install chromium)")
	}
	t.Skip("no Chromium (apt-get install chromium, or set CHROMIUM); the console's browser tests need one")
	return ""
}

// browserT is one Chromium tab with the test's helpers.
type browserT struct {
	t        *testing.T
	ctx      context.Context
	base     string
	shots    string
	mu       sync.Mutex
	problems []string // CSP violations and script errors seen
}

func newBrowser(t *testing.T, base string) *browserT {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	shots := os.Getenv("CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browserT{t: t, ctx: ctx, base: base, shots: shots}
	b.listen(ctx)
	return b
}

// listen records CSP violations and uncaught script errors of a tab.
func (b *browserT) listen(ctx context.Context) {
	_ = chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "script error: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				if s := string(a.Value); strings.Contains(s, "Content Security Policy") {
					msg = "console: " + s
				}
			}
		}
		if msg != "" {
			b.mu.Lock()
			b.problems = append(b.problems, msg)
			b.mu.Unlock()
		}
	})
}

// do runs browser steps with a time limit, failing the test on error.
func (b *browserT) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(what, "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first element sel matches. A node that
// goes away between the query and the read (the page navigated once more:
// "No node with given id found") is queried again, within the same 20 s.
func (b *browserT) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	for {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil {
			return s
		}
		if ctx.Err() != nil || !strings.Contains(err.Error(), "No node with given id") {
			b.shot("failed-text")
			b.t.Fatalf("text of %s: %v", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eval evaluates a JavaScript expression in the page.
func evalIn[T any](b *browserT, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot writes a full-page screenshot.
func (b *browserT) shot(name string) {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// popup runs steps that make the page open a popup, and returns a
// browserT on the popup's tab. The popup is found among the browser's
// targets by its opener (whether or not Chromium auto-attached it to the
// opener's session), then attached to.
func (b *browserT) popup(what string, steps ...chromedp.Action[chromedp.Void]) (*browserT, target.ID, context.CancelFunc) {
	b.t.Helper()
	opener := chromedp.FromContext(b.ctx).Target.TargetID
	b.do(what, steps...)
	deadline := time.Now().Add(20 * time.Second)
	for {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.t.Fatalf("%s: list the targets: %v", what, err)
		}
		for _, in := range infos {
			if in.Type == "page" && in.OpenerID == opener {
				ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(in.TargetID))
				p := &browserT{t: b.t, ctx: ctx, base: b.base, shots: b.shots}
				p.listen(ctx)
				return p, in.TargetID, func() { cancel(); b.mu.Lock(); b.problems = append(b.problems, p.problems...); b.mu.Unlock() }
			}
		}
		if time.Now().After(deadline) {
			b.shot("failed-no-popup")
			var all []string
			for _, in := range infos {
				all = append(all, fmt.Sprintf("%s %s opener=%s %s", in.Type, in.TargetID, in.OpenerID, in.URL))
			}
			b.t.Fatalf("%s: no popup opened; targets:\n%s", what, strings.Join(all, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// until evaluates expr until it returns a non-empty string, across the
// page's navigations, for up to 20 s.
func (b *browserT) until(what, expr string) string {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		cancel()
		if err == nil && v != "" {
			return v
		}
		if time.Now().After(deadline) {
			b.shot("failed-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(what, "-"))
			b.t.Fatalf("%s: gave up waiting (last error %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// targetGone reports whether the browser no longer has target id.
func (b *browserT) targetGone(id target.ID) bool {
	infos, err := chromedp.Targets(b.ctx)
	if err != nil {
		b.t.Fatalf("list the targets: %v", err)
	}
	return !slices.ContainsFunc(infos, func(in *target.Info) bool { return in.TargetID == id })
}

// open navigates to a console path and waits for sel.
func (b *browserT) open(path, sel string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// fitsWidth fails the test when the page scrolls sideways (the narrow
// window's check). innerWidth counts the vertical scrollbar, clientWidth
// does not: a page wider than clientWidth scrolls sideways too.
func (b *browserT) fitsWidth(what string) {
	b.t.Helper()
	sw, cw, iw := evalIn[int](b, `document.documentElement.scrollWidth`), evalIn[int](b, `document.documentElement.clientWidth`), evalIn[int](b, `window.innerWidth`)
	if sw > iw || sw > cw {
		b.t.Errorf("%s scrolls sideways in a %d px window: scrollWidth %d, clientWidth %d", what, iw, sw, cw)
	}
}

// noProblems fails on any CSP violation or script error seen so far.
func (b *browserT) noProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		b.t.Fatalf("the browser reported: %s", strings.Join(b.problems, "; "))
	}
}

// waitFor returns re's first submatch once s has it.
func waitFor(t *testing.T, s *mcptest.SyncBuffer, done <-chan error, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(s.String()); m != nil {
			return m[1]
		}
		select {
		case <-done:
			t.Fatalf("serve stopped:\n%s", s.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the server never printed %s; it printed:\n%s", re, s.String())
	return ""
}

// consoleServer runs serve --sandbox --http in this process over sb and
// returns the base URL, the admin token, the sandbox agent's token and the
// data directory.
func consoleServer(t *testing.T, sb *sandbox.Server) (base, adminToken, agentToken, dir string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errOut := &mcptest.SyncBuffer{}
	dir = filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	o := &serveOptions{store: &storeFlags{dataDir: dir, connection: "default"}, sandbox: true, logLevel: "warn", sandboxSite: sb}
	sf := &serveAccessFlags{profile: "owner", tier: "vip"}
	done := make(chan error, 1)
	go func() {
		defer close(done)
		done <- serveHTTPMode(ctx, streams{in: strings.NewReader(""), out: io.Discard, err: errOut}, o, sf, "127.0.0.1:0", slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	base = waitFor(t, errOut, done, regexp.MustCompile(`Admin console at (http://127\.0\.0\.1:\d+)/admin`))
	adminToken = waitFor(t, errOut, done, regexp.MustCompile(`admin token (amcpadm_[A-Za-z0-9_-]+)`))
	agentToken = waitFor(t, errOut, done, regexp.MustCompile(`Authorization: Bearer (amcp_[A-Za-z0-9_-]+)`))
	return base, adminToken, agentToken, dir
}

// mcpSession is an MCP client over streamable HTTP that counts
// notifications/tools/list_changed.
type mcpSession struct {
	c       *client.Client
	mu      sync.Mutex
	changed int
}

func newMCPSession(t *testing.T, base, token string) *mcpSession {
	t.Helper()
	c, err := client.NewStreamableHttpClient(base+"/mcp",
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	m := &mcpSession{c: c}
	m.c.OnNotification(func(n mcpgo.JSONRPCNotification) {
		if n.Method == mcpgo.MethodNotificationToolsListChanged {
			m.mu.Lock()
			m.changed++
			m.mu.Unlock()
		}
	})
	initialize(t, m.c)
	stop, err := m.c.ListenAsync(context.Background(), mcpgo.SubscriptionFilter{ToolsListChanged: true}, nil)
	if err != nil {
		t.Fatalf("subscriptions/listen: %v", err)
	}
	t.Cleanup(stop)
	return m
}

func (m *mcpSession) changes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changed
}

func (m *mcpSession) tools(t *testing.T) []mcpgo.Tool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := m.c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	return res.Tools
}

func toolNames(tools []mcpgo.Tool) []string {
	var out []string
	for _, tl := range tools {
		out = append(out, tl.Name)
	}
	slices.Sort(out)
	return out
}

// eventually retries cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestConsoleInTheBrowser(t *testing.T) {
	chromiumPath(t) // skip (or, under CI, fail) before starting anything
	sb := sandbox.NewServer(sandbox.WithAutoApprove())
	defer sb.Close()
	base, adminToken, agentToken, dataDir := consoleServer(t, sb)
	b := newBrowser(t, base)
	agent := newMCPSession(t, base, agentToken)
	var entryURL string // an audit entry's page, for the narrow window

	t.Run("login", func(t *testing.T) {
		b.t = t
		b.open("/admin/", "#token")
		b.shot("01-login")
		// An agent's token does not open the console.
		b.do("log in with the agent token", chromedp.SendKeys(chromedp.CSS("#token"), agentToken), chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#page-error")))
		if msg := b.text("#page-error"); !strings.Contains(msg, "agent's token") {
			t.Fatalf("agent token login says %q", msg)
		}
		b.open("/admin/login", "#token")
		b.do("log in", chromedp.SendKeys(chromedp.CSS("#token"), adminToken), chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("nav.nav")))
	})

	t.Run("connect wizard", func(t *testing.T) {
		b.t = t
		connectWizard(t, b, sb, base)
	})

	t.Run("connections", func(t *testing.T) {
		b.t = t
		b.open("/admin/connections", "#conn-sandbox [data-status]")
		if st := b.text("#conn-sandbox [data-status]"); st != "Active" {
			t.Fatalf("the sandbox connection's status is %q, want Active", st)
		}
		if n := evalIn[int](b, `document.querySelectorAll("#conn-sandbox .dot-ok").length`); n != 2 {
			t.Fatalf("%d products show a green indicator, want Jira and Confluence", n)
		}
		card := b.text("#conn-sandbox")
		for _, want := range []string{sb.SiteName, sb.SiteURL, sb.Admin().Email, "Schema last refreshed"} {
			if !strings.Contains(card, want) {
				t.Errorf("the card lacks %q:\n%s", want, card)
			}
		}
		b.shot("02-connections")
	})

	t.Run("schema", func(t *testing.T) {
		b.t = t
		b.open("/admin/schema?connection=sandbox", "#statuses")
		bug := `#statuses details[data-project="ENG"][data-type="Bug"]`
		b.do("open ENG > Bug", chromedp.Click(chromedp.CSS(bug+" summary")), chromedp.WaitVisible(chromedp.CSS(bug+" li")))
		statuses := b.text(bug)
		for _, want := range []string{"To Do", "In Progress", "Done"} {
			if !strings.Contains(statuses, want) {
				t.Errorf("ENG > Bug statuses lack %q:\n%s", want, statuses)
			}
		}
		b.shot("03-schema")
		// The fields filter narrows the table (htmx swaps it in place).
		b.do("filter fields", chromedp.SendKeys(chromedp.CSS("#fq"), "story"),
			chromedp.WaitNotPresent(chromedp.CSS(`#fields-table tbody tr:nth-child(2)`)))
		row := b.text("#fields-table tbody tr")
		if !strings.Contains(row, "Story Points") || !strings.Contains(row, "customfield_") || !strings.Contains(row, "number") {
			t.Fatalf("the Story Points row reads %q", row)
		}
		b.shot("04-schema-fields-filtered")
		// The search box searches everything.
		b.open("/admin/schema?connection=sandbox&q=in+review", "#match-count")
		if n := evalIn[int](b, `[...document.querySelectorAll("#statuses li.status")].filter(li => !li.textContent.includes("In Review")).length`); n != 0 {
			t.Fatalf("searching 'in review' still lists %d other statuses", n)
		}
		if !strings.Contains(b.text("#statuses"), "In Review") {
			t.Fatal("searching 'in review' finds no status")
		}
	})

	t.Run("agents", func(t *testing.T) {
		b.t = t
		if got := toolNames(agent.tools(t)); len(got) != 8 {
			t.Fatalf("the sandbox agent starts with %d tools: %v", len(got), got)
		}
		before := agent.changes()
		b.open("/admin/agents", "#agent-sandbox")
		b.shot("05-agents")
		// Keep only the two searches.
		for _, tool := range []string{"jira_get_issue", "jira_create_issue", "jira_update_issue", "jira_manage_issue", "confluence_get_page", "confluence_create_page"} {
			b.do("uncheck "+tool, chromedp.Click(chromedp.CSS(`#agent-sandbox input[value="atlassian_`+tool+`"]`)))
		}
		b.do("save tools", chromedp.Click(chromedp.CSS(`#agent-sandbox .tools-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#page-flash")))
		want := []string{"atlassian_confluence_search", "atlassian_jira_search"}
		if got := toolNames(agent.tools(t)); !slices.Equal(got, want) {
			t.Fatalf("after the change the agent lists %v, want %v", got, want)
		}
		eventually(t, "tools/list_changed after the assignment", func() bool { return agent.changes() > before })
		// Unchecking everything is refused with a message and changes nothing.
		b.do("uncheck all", chromedp.Click(chromedp.CSS(`#agent-sandbox input[value="atlassian_jira_search"]`)),
			chromedp.Click(chromedp.CSS(`#agent-sandbox input[value="atlassian_confluence_search"]`)),
			chromedp.Click(chromedp.CSS(`#agent-sandbox .tools-form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#page-error")))
		if msg := b.text("#page-error"); !strings.Contains(msg, "at least one tool") {
			t.Fatalf("saving no tools says %q", msg)
		}
		if got := toolNames(agent.tools(t)); !slices.Equal(got, want) {
			t.Fatalf("a refused change changed the tools to %v", got)
		}
		// Add an agent: its token is shown once and works at once.
		b.open("/admin/agents", "#add-agent")
		b.do("add agent", chromedp.SendKeys(chromedp.CSS(`#add-agent input[name=name]`), "reader"),
			chromedp.Click(chromedp.CSS(`#add-agent button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#token-value")))
		b.shot("06-agent-added")
		tok, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#token-value")))
		if err != nil || !strings.HasPrefix(tok, "amcp_") {
			t.Fatalf("the new agent's token field holds %q (%v)", tok, err)
		}
		reader := newMCPSession(t, base, tok)
		if got := toolNames(reader.tools(t)); len(got) != 4 {
			t.Fatalf("the new read-only agent lists %v, want the two searches and two gets", got)
		}
		b.open("/admin/agents", "#agent-reader")
		if n := evalIn[int](b, `document.querySelectorAll("#token-value").length`); n != 0 {
			t.Fatal("the token is shown again after a reload")
		}
		// The sandbox's config is <data-dir>/config.json, where the CLI's
		// agent commands and a restart find it.
		var out strings.Builder
		if err := runAgent(context.Background(), streams{in: strings.NewReader(""), out: &out, err: io.Discard}, []string{"list", "--data-dir", dataDir}); err != nil {
			t.Fatalf("agent list: %v", err)
		}
		if !strings.Contains(out.String(), "reader") || !strings.Contains(out.String(), "sandbox") {
			t.Fatalf("agent list --data-dir does not show the console's agents:\n%s", out.String())
		}
	})

	t.Run("refresh", func(t *testing.T) {
		b.t = t
		if err := sb.AddJiraProject("DATA", "Data Platform"); err != nil {
			t.Fatal(err)
		}
		before := agent.changes()
		b.open("/admin/connections", "#conn-sandbox")
		b.do("refresh", chromedp.Click(chromedp.CSS(`#conn-sandbox .card-actions button`)), chromedp.WaitVisible(chromedp.CSS("#refresh-sandbox .refresh-done")))
		if msg := b.text("#refresh-sandbox"); !strings.Contains(msg, "4 projects") {
			t.Fatalf("the refresh result says %q, want 4 projects", msg)
		}
		b.shot("07-refreshed")
		eventually(t, "tools/list_changed after the refresh", func() bool { return agent.changes() > before })
		var desc string
		for _, tl := range agent.tools(t) {
			if tl.Name == "atlassian_jira_search" {
				desc = tl.Description
			}
		}
		if !strings.Contains(desc, "DATA") {
			t.Errorf("jira_search's description does not name the new project DATA:\n%s", desc)
		}
		b.open("/admin/schema?connection=sandbox", "#projects")
		if !strings.Contains(b.text("#projects"), "DATA – Data Platform") {
			t.Fatalf("the schema browser's projects: %q", b.text("#projects"))
		}
	})

	t.Run("audit", func(t *testing.T) {
		b.t = t
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var req mcpgo.CallToolRequest
		req.Params.Name = "atlassian_jira_search"
		req.Params.Arguments = map[string]any{"jql": "project = ENG AND status = \"In Progress\""}
		if _, err := agent.c.CallTool(ctx, req); err != nil {
			t.Fatal(err)
		}
		b.open("/admin/audit?agent=sandbox&tool=atlassian_jira_search", "#audit-table")
		row := b.text("#audit-table tbody tr")
		for _, want := range []string{"sandbox", "jira_search", "ok", "project = ENG"} {
			if !strings.Contains(row, want) {
				t.Errorf("the newest audit row lacks %q: %s", want, row)
			}
		}
		if n := evalIn[int](b, `document.querySelectorAll("svg.chart rect.bar-ok").length`); n == 0 {
			t.Error("the calls-per-hour chart has no ok bar")
		}
		b.shot("08-audit")
		b.do("open the entry", chromedp.Click(chromedp.CSS("#audit-table tbody tr .entry-link")), chromedp.WaitVisible(chromedp.CSS("#audit-entry")))
		entry := b.text("#audit-entry")
		if !strings.Contains(entry, `"jql": "project = ENG AND status = \"In Progress\""`) || !strings.Contains(entry, "Execution id") {
			t.Fatalf("the entry's details read:\n%s", entry)
		}
		entryURL = evalIn[string](b, `location.pathname + location.search`)
		b.shot("09-audit-entry")
		// A malformed filter is refused with a message.
		b.open("/admin/audit?since=yesterday", "#page-error")
		if msg := b.text("#page-error"); !strings.Contains(msg, "Since") {
			t.Fatalf("a bad since says %q", msg)
		}
	})

	t.Run("tools", func(t *testing.T) {
		b.t = t
		b.open("/admin/tools?connection=sandbox", "#tool-atlassian_jira_search")
		desc := b.text("#tool-atlassian_jira_search .description")
		if !strings.Contains(desc, "DATA") {
			t.Errorf("the tools page's jira_search description does not name DATA")
		}
		if n := b.text("#tool-atlassian_jira_search .desc-bytes"); n != fmt.Sprint(len(desc)) && n == "0" {
			t.Errorf("byte count %s for a description of %d bytes", n, len(desc))
		}
		b.shot("10-tools")
	})

	t.Run("narrow", func(t *testing.T) {
		b.t = t
		// Every page fits a phone's width: wide tables scroll inside
		// their card, never the page.
		b.do("narrow window", chromedp.EmulateViewport(390, 844))
		pages := []struct{ name, path, ready string }{
			{"connections", "/admin/connections", "#conn-sandbox"},
			{"schema", "/admin/schema?connection=sandbox", "#fields-table"},
			{"schema-search", "/admin/schema?connection=sandbox&q=story", "#match-count"},
			{"agents", "/admin/agents", "#agent-sandbox"},
			{"audit", "/admin/audit", "#audit-table"},
			{"audit-entry", entryURL, "#audit-entry"},
			{"tools", "/admin/tools?connection=sandbox", "#tool-atlassian_jira_search"},
			{"connect", "/admin/connect", ".steps"},
		}
		for _, p := range pages {
			if p.path == "" {
				t.Errorf("no URL for the %s page (an earlier step failed)", p.name)
				continue
			}
			b.open(p.path, p.ready)
			b.shot("11-narrow-" + p.name)
			b.fitsWidth(p.path)
		}
		b.do("wide window", chromedp.EmulateViewport(1280, 800))
	})

	t.Run("security", func(t *testing.T) {
		b.t = t
		consoleSecurity(t, base, adminToken, agentToken)
	})

	t.Run("disconnect", func(t *testing.T) {
		b.t = t
		before := agent.changes()
		b.open("/admin/connections", "#conn-sandbox")
		b.do("open the dialog", chromedp.Click(chromedp.CSS(`#conn-sandbox a[data-dialog]`)), chromedp.WaitVisible(chromedp.CSS("#dialog-sandbox")))
		if msg := b.text("#dialog-sandbox h3"); !strings.Contains(msg, sb.SiteName) {
			t.Fatalf("the confirmation names %q, not the site", msg)
		}
		b.shot("12-disconnect-dialog")
		b.do("disconnect", chromedp.Click(chromedp.CSS(`#dialog-sandbox button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#disconnected")))
		if msg := b.text("#revocation"); !strings.Contains(msg, "Revocation requested") || !strings.Contains(msg, "200 OK") {
			t.Fatalf("the revocation result reads %q", msg)
		}
		// The agents stay, with their tokens, for a reconnection.
		if msg := b.text("#kept-agents"); !strings.Contains(msg, "sandbox") {
			t.Errorf("the result does not say the agent sandbox was kept: %q", msg)
		}
		b.shot("13-disconnected")
		eventually(t, "tools/list_changed after the disconnect", func() bool { return agent.changes() > before })
		if got := agent.tools(t); len(got) != 0 {
			t.Fatalf("after the disconnect the agent still lists %v", toolNames(got))
		}
	})
	b.t = t
	b.noProblems()
}

// consoleSecurity checks the console over plain HTTP: no access with an
// agent's token, CSRF and cross-origin changes refused, a foreign Host
// refused, the CSP and cookie attributes set.
func consoleSecurity(t *testing.T, base, adminToken, agentToken string) {
	do := consoleClient(t, base, 20*time.Second)
	origin := map[string]string{"Origin": base}

	// An agent's bearer token opens nothing.
	resp, _ := do("GET", "/admin/agents", nil, map[string]string{"Authorization": "Bearer " + agentToken})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("an agent's bearer token got %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Every page has the CSP, without inline script.
	resp, page := do("GET", "/admin/login", nil, nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("CSP %q", csp)
	}
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(page) || strings.Contains(page, " onclick=") {
		t.Fatal("a page carries inline script")
	}
	login := regexp.MustCompile(`name="login" value="([^"]+)"`).FindStringSubmatch(page)
	if login == nil {
		t.Fatal("no login form value")
	}
	// Logging in with the agent's token fails; with the admin token, the
	// session cookie is HttpOnly and SameSite=Strict.
	resp, _ = do("POST", "/admin/login", url.Values{"login": {login[1]}, "token": {agentToken}}, origin)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login with an agent token: %d", resp.StatusCode)
	}
	_, page = do("GET", "/admin/login", nil, nil)
	login = regexp.MustCompile(`name="login" value="([^"]+)"`).FindStringSubmatch(page)
	resp, _ = do("POST", "/admin/login", url.Values{"login": {login[1]}, "token": {adminToken}}, origin)
	var cookie string
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "amcp_admin=") {
			cookie = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || !strings.Contains(cookie, "Path=/admin") {
		t.Fatalf("admin login: %d, cookie %q", resp.StatusCode, cookie)
	}
	_, page = do("GET", "/admin/agents", nil, nil)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("the agents page has no CSRF field")
	}
	remove := "/admin/agents/reader/delete"
	// Without the CSRF token: refused, the agent stays.
	resp, body := do("POST", remove, url.Values{}, origin)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF") {
		t.Fatalf("a change without the CSRF token: %d", resp.StatusCode)
	}
	// From another origin, even with the token: refused.
	resp, _ = do("POST", remove, url.Values{"csrf": {csrf[1]}}, map[string]string{"Origin": "http://evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-origin change: %d", resp.StatusCode)
	}
	// A DNS-rebound Host: refused.
	resp, _ = do("GET", "/admin/login", nil, map[string]string{"Host": "evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a foreign Host: %d", resp.StatusCode)
	}
	_, page = do("GET", "/admin/agents", nil, nil)
	if !strings.Contains(page, `id="agent-reader"`) {
		t.Fatal("a refused request removed the agent")
	}
	// No page shows a secret: neither token appears anywhere.
	for _, p := range []string{"/admin/connections", "/admin/agents", "/admin/audit", "/admin/tools", "/admin/schema"} {
		_, page := do("GET", p, nil, nil)
		if strings.Contains(page, adminToken) || strings.Contains(page, agentToken) {
			t.Fatalf("%s shows a token", p)
		}
	}
	// With both: the change happens.
	resp, _ = do("POST", remove, url.Values{"csrf": {csrf[1]}}, origin)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a proper removal: %d", resp.StatusCode)
	}
	_, page = do("GET", "/admin/agents", nil, nil)
	if strings.Contains(page, `id="agent-reader"`) {
		t.Fatal("the agent was not removed")
	}
	// Logging out ends the session.
	resp, _ = do("POST", "/admin/logout", url.Values{"csrf": {csrf[1]}}, origin)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	resp, _ = do("GET", "/admin/agents", nil, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

// connectWizard walks the connect wizard against the sandbox's consent
// page: in the popup end to end (a new connection, its first agent, whose
// token lists its tools over MCP), then the paths without a popup (the
// consent in the console's own tab, denied and accepted) and a forged
// callback.
func connectWizard(t *testing.T, b *browserT, sb *sandbox.Server, base string) {
	b.open("/admin/connect", "#step-intro")
	intro := b.text("#step-intro")
	for _, want := range []string{"Jira", "Confluence", "jira_search", "confluence_create_page", "Scopes requested"} {
		if !strings.Contains(intro, want) {
			t.Errorf("the capabilities summary lacks %q:\n%s", want, intro)
		}
	}
	b.shot("connect-1-capabilities")
	b.do("begin", chromedp.Click(chromedp.CSS("#wizard-begin")), chromedp.WaitVisible(chromedp.CSS("#connect-atlassian")))
	b.shot("connect-2-consent-step")

	// The consent page opens in a popup; the console's tab stays.
	popup, popupID, closePopup := b.popup("open the consent popup", chromedp.Click(chromedp.CSS("#connect-atlassian")))
	defer closePopup()
	accept := `button[name=action][value=accept]`
	popup.do("the sandbox's consent page", chromedp.WaitVisible(chromedp.CSS(accept)))
	if page := popup.text("body"); !strings.Contains(page, strings.TrimPrefix(sb.SiteURL, "https://")) || !strings.Contains(page, "read:jira-work") {
		t.Fatalf("the popup shows:\n%s", page)
	}
	popup.shot("connect-3-consent-popup")
	// Hold the Confluence spaces answer a little, so that the discovery
	// step can show the counts found so far.
	sb.InjectFault(sandbox.Fault{Path: "/wiki/api/v2/spaces", Latency: 4 * time.Second, Times: 1})
	popup.do("accept", chromedp.Click(chromedp.CSS(accept)))
	// The callback closes the popup; the wizard polls and moves on.
	b.do("products detected", chromedp.WaitVisible(chromedp.CSS("#step-products")))
	eventually(t, "the popup to close itself", func() bool { return b.targetGone(popupID) })
	products := b.text("#step-products")
	for _, want := range []string{"Jira", "Confluence", sb.SiteName, sb.SiteURL} {
		if !strings.Contains(products, want) {
			t.Errorf("the products step lacks %q:\n%s", want, products)
		}
	}
	// The sandbox's grant covers one site: nobody chose it.
	if site := b.text(".steps li.skipped"); !strings.Contains(site, "Site") || !strings.Contains(site, "one site: "+sb.SiteName) {
		t.Errorf("the skipped site step reads %q", site)
	}
	if name := evalIn[string](b, `document.querySelector("#conn-name").value`); name != sb.SiteName {
		t.Errorf("the suggested connection name is %q, want %q", name, sb.SiteName)
	}
	b.shot("connect-4-products")

	// Discovery shows what it has found while it runs.
	b.do("store the connection", chromedp.Click(chromedp.CSS("#wizard-store")), chromedp.WaitVisible(chromedp.CSS("#step-discovery, #step-tools")))
	progress := b.until("discovery progress", `(() => {
		const p = document.querySelector("#discovery-progress");
		if (p && p.textContent.includes("projects") && p.textContent.includes("custom fields")) { return p.textContent; }
		return document.querySelector("#step-tools") ? "(done)" : "";
	})()`)
	switch {
	case progress == "(done)":
		t.Log("discovery finished before the page polled its progress (a slow machine); no progress screenshot")
	default:
		if !strings.Contains(progress, "projects") || !strings.Contains(progress, "custom fields") {
			t.Errorf("the discovery progress reads %q", progress)
		}
		b.shot("connect-5-discovery")
	}
	b.do("tool assignment", chromedp.WaitVisible(chromedp.CSS("#step-tools")))
	if res := b.text("#discovery-result"); !strings.Contains(res, "projects") || !strings.Contains(res, "spaces") {
		t.Errorf("the discovery result reads %q", res)
	}
	b.shot("connect-6-tools")
	b.do("assign", chromedp.Click(chromedp.CSS("#wizard-assign")), chromedp.WaitVisible(chromedp.CSS("#wizard-complete")))
	b.shot("connect-7-complete")
	tok, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#token-value")))
	if err != nil || !strings.HasPrefix(tok, "amcp_") {
		t.Fatalf("the new agent's token field holds %q (%v)", tok, err)
	}
	// The new tenant's first agent works at once, with the four read
	// tools checked by default.
	first := newMCPSession(t, base, tok)
	want := []string{"atlassian_confluence_get_page", "atlassian_confluence_search", "atlassian_jira_get_issue", "atlassian_jira_search"}
	if got := toolNames(first.tools(t)); !slices.Equal(got, want) {
		t.Fatalf("the wizard's agent lists %v, want %v", got, want)
	}
	b.open("/admin/connections", "#conn-"+sb.SiteName)
	cards := evalIn[int](b, `document.querySelectorAll("[id^=conn-]").length`)

	// Without the popup (no script, or a blocked popup) the consent page
	// opens in the console's tab and comes back to the wizard. Denied:
	b.open("/admin/connect", "#wizard-complete")
	b.do("connect another", chromedp.Click(chromedp.CSS("#step-complete form.inline button")), chromedp.WaitVisible(chromedp.CSS("#wizard-begin")))
	consentInTab := func() {
		b.do("begin", chromedp.Click(chromedp.CSS("#wizard-begin")), chromedp.WaitVisible(chromedp.CSS("#connect-atlassian")))
		href := evalIn[string](b, `document.querySelector("#connect-atlassian").href`)
		b.do("the consent page in the tab", chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(accept)))
	}
	consentInTab()
	b.do("deny", chromedp.Click(chromedp.CSS(`button[name=action][value=deny]`)), chromedp.WaitVisible(chromedp.CSS("#page-error")))
	if msg := b.text("#page-error"); !strings.Contains(msg, "denied") || !strings.Contains(msg, "try again") || strings.Contains(msg, "Run connect") {
		t.Errorf("a denied consent says %q", msg)
	}
	if btn := b.text("#callback-continue"); btn != "Try again in the connect wizard" {
		t.Errorf("the denied consent's page offers %q", btn)
	}
	b.shot("connect-8-denied")
	b.do("back to the wizard", chromedp.Click(chromedp.CSS("#callback-continue")), chromedp.WaitVisible(chromedp.CSS("#wizard-error")))
	if msg, btn := b.text("#wizard-error"), b.text("#wizard-begin"); !strings.Contains(msg, "denied") || strings.Contains(msg, "Run connect") || btn != "Try again" {
		t.Errorf("the wizard says %q with a %q button after a denied consent", msg, btn)
	}
	// Accepted: the callback page goes back to the wizard by itself.
	consentInTab()
	b.do("accept in the tab", chromedp.Click(chromedp.CSS(accept)), chromedp.WaitVisible(chromedp.CSS("#step-products")))
	b.do("start over", chromedp.Click(chromedp.CSS(`.page-head form button`)), chromedp.WaitVisible(chromedp.CSS("#step-intro")))

	// A callback with a state no wizard issued (forged, or expired)
	// says so and stores nothing.
	b.open("/admin/connect/callback?state=forged&code=stolen", "#page-error")
	if msg := b.text("#page-error"); !strings.Contains(msg, "unknown OAuth state") || !strings.Contains(msg, "Nothing was stored") {
		t.Errorf("a forged callback says %q", msg)
	}
	b.open("/admin/connections", "#conn-"+sb.SiteName)
	if n := evalIn[int](b, `document.querySelectorAll("[id^=conn-]").length`); n != cards {
		t.Errorf("%d connection cards after the denied, abandoned and forged attempts, want %d", n, cards)
	}
}
