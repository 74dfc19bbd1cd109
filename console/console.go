package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// prefix is where the console is mounted.
const prefix = "/admin"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Backend is the running server as the console sees it: the same package
// APIs the CLI calls, bound to the server's live tenants so a change shows
// at once to connected MCP clients.
type Backend interface {
	// Connections lists the stored connections.
	Connections() ([]tokenstore.Connection, error)
	// Snapshot is the connection's schema snapshot in use (nil before
	// discovery).
	Snapshot(connection string) *schema.Snapshot
	// Check checks the connection's products with a cheap call each.
	Check(ctx context.Context, connection string) hub.Report
	// RefreshSchema rediscovers the connection's schema; live MCP clients
	// get notifications/tools/list_changed.
	RefreshSchema(ctx context.Context, connection string) (*schema.Snapshot, error)
	// Disconnect revokes what can be revoked, deletes the connection and
	// withdraws its tools from live clients.
	Disconnect(ctx context.Context, connection string) (*hub.Disconnected, error)
	// Config returns the agents config in force.
	Config() (*gateway.Config, error)
	// UpdateConfig applies fn to a copy of the config, saves it
	// atomically and makes it effective without a restart. Nothing
	// changes when fn or the validation fails.
	UpdateConfig(fn func(*gateway.Config) error) error
	// Audit reads the tenants' audit entries (files, or the database
	// several replicas share).
	Audit() gateway.AuditReader
	// Serve starts serving a newly stored connection to agents: its
	// tenant (created in the config, named like the connection, when no
	// tenant uses it) gets an MCP server at once.
	Serve(ctx context.Context, connection string) error
}

// Options configure a Console.
type Options struct {
	// DataDir holds the admin token's hash.
	DataDir string
	// Backend is the running server. Required.
	Backend Backend
	// Connect runs the connect wizard's OAuth flow; nil hides the wizard,
	// unless ConnectSetup is set.
	Connect Connector
	// ConnectSetup, when Connect is nil, says what the server needs for
	// the wizard (the OAuth app's settings): the Connect page shows it
	// instead of the wizard.
	ConnectSetup string
	// AllowedHosts are extra Host names the console answers to besides
	// the listener's own loopback names (for a proxy in front).
	AllowedHosts []string
	// Logger receives console logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Console is the admin console: an http.Handler serving /admin.
type Console struct {
	opts     Options
	tokens   *AdminTokens
	sessions sessions
	flows    flows
	pages    map[string]*template.Template
	assets   http.Handler
	mux      *http.ServeMux
	log      *slog.Logger
}

// New returns the console.
func New(opts Options) (*Console, error) {
	if opts.Backend == nil {
		return nil, errors.New("console: a backend is required")
	}
	if opts.DataDir == "" {
		return nil, errors.New("console: a data directory is required for the admin token")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Console{opts: opts, tokens: NewAdminTokens(opts.DataDir), log: opts.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	c.assets = http.StripPrefix(prefix+"/assets/", http.FileServerFS(sub))
	c.routes()
	return c, nil
}

// Tokens returns the console's admin token keeper.
func (c *Console) Tokens() *AdminTokens { return c.tokens }

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// view is what every page template gets.
type view struct {
	Title   string
	Nav     string
	CSRF    string
	Flash   string
	Error   string
	Connect bool
	Data    any
}

// render writes a page (or, for an htmx request asking for a fragment, the
// named block) with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page, block string, v view) {
	t := c.pages[page]
	if t == nil {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	if se := sessionFrom(r); se != nil {
		v.CSRF = se.csrf
		if f := se.takeFlash(); f != "" && v.Flash == "" && block == "" {
			v.Flash = f
		}
	}
	v.Connect = c.opts.Connect != nil || c.opts.ConnectSetup != ""
	name := "layout.html"
	if block != "" {
		name = block
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		c.log.Error("console: render", "page", page, "block", block, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders an error page with a message for the admin.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", "", view{Title: http.StatusText(status), Error: msg})
}

var funcs = template.FuncMap{
	"ago": func(t time.Time) string { return ago(time.Since(t)) },
	"utc": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"short":    func(s string) string { return strings.TrimPrefix(s, "atlassian_") },
	"title":    productTitle,
	"dur":      func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"category": categoryName,
	"list":     func(s ...string) []string { return s },
	"bytes": func(n int) string {
		if n < 1024 {
			return fmt.Sprintf("%d B", n)
		}
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	},
}

// ago says how long ago d was, roughly.
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return "less than a minute ago"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// productTitle is a product's display name.
func productTitle(p string) string { return atlassian.Product(p).Title() }
