package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/console"
	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/internal/loopback"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/metrics"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/site"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runServe(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "serve", "[flags]", `Serve the Atlassian tools over MCP: stdio by default (nothing but JSON-RPC on
stdout; logs on stderr), or streamable HTTP at /mcp with --http.

Over stdio the local user is the connection's owner: every tool, vip tier
(--profile and --tier change that). Over HTTP every request needs an agent's
bearer token from the config (--config; see 'atlassian-mcp agent add'), and
each agent reaches only its own tenant's connection with the tools and
tiers its policy allows. --no-auth (loopback only) is for local protocol
testing. Every tool call is recorded in <data-dir>/audit (see
'atlassian-mcp audit').

With --sandbox it starts an in-process sandbox site, connects to it through
the real OAuth flow over HTTP, discovers its schema and serves it: the
zero-setup way to try the product. With --http it also prints a ready-to-use
agent token for the sandbox tenant on stderr.`)
	o := addServeFlags(fs, "info")
	httpAddr := fs.String("http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio")
	sf := &serveAccessFlags{}
	fs.StringVar(&sf.config, "config", "", "agents config file for --http (default <data-dir>/config.json)")
	fs.BoolVar(&sf.noAuth, "no-auth", false, "serve --http WITHOUT authentication, as the owner (loopback addresses only; for local protocol testing)")
	fs.StringVar(&sf.profile, "profile", "owner", "stdio and --no-auth: the caller's profile: owner (every tool), aicos or assistant")
	fs.StringVar(&sf.tier, "tier", "vip", "stdio and --no-auth: the tier of calls whose _meta names no sender")
	fs.Int64Var(&o.maxRequestBytes, "max-request-bytes", mcp.DefaultMaxRequestBytes, "largest JSON-RPC message accepted: an HTTP request body (larger: 413) or a stdio line (larger: a JSON-RPC error)")
	fs.IntVar(&o.sandboxSites, "sandbox-sites", 1, fmt.Sprintf("with --sandbox --http: how many sites the sandbox's grant covers (1-%d): the demo site, which is connected, then small lab sites, so the console's connect wizard asks which site", sandbox.MaxSites))
	fs.StringVar(&sf.origins, "allowed-origins", "", "--http: comma-separated browser origins (scheme://host[:port]) allowed to call; a request with another Origin header gets 403 (requests without Origin are allowed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	logger, err := newLogger(s.err, o.logLevel)
	if err != nil {
		return usage(err)
	}
	if _, err := sf.localIdentity(""); err != nil {
		return usage(err)
	}
	if o.sandboxSites != 1 && (!o.sandbox || *httpAddr == "" || o.sandboxSites < 1 || o.sandboxSites > sandbox.MaxSites) {
		return usagef("--sandbox-sites %d: want 1 to %d, with --sandbox --http (the admin console's connect wizard is where a site is chosen)", o.sandboxSites, sandbox.MaxSites)
	}
	if o.maxRequestBytes < 1024 {
		return usagef("--max-request-bytes %d: want at least 1024 (default %d)", o.maxRequestBytes, mcp.DefaultMaxRequestBytes)
	}
	origins, err := gateway.ParseOrigins(sf.origins)
	if err != nil {
		return usagef("--allowed-origins: %v", err)
	}
	sf.allowed = origins
	if *httpAddr != "" {
		return serveHTTPMode(ctx, s, o, sf, *httpAddr, logger)
	}
	if sf.config != "" {
		return usage(errors.New("--config is for --http; a stdio server serves one connection to its local user (--profile, --tier)"))
	}
	st, cleanup, err := o.open(ctx, s, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	id, _ := sf.localIdentity(st.Config.Connection)
	st.LoadSchema(ctx, false)
	st.Schema.Follow(ctx) // a refresh on another replica reaches this one's clients
	srv, closeAudit, err := tenantServer(o, st, st.Config.Connection, id, gateway.AuditOptions{}, logger)
	if err != nil {
		return err
	}
	defer closeAudit()
	logger.Info("serving MCP over stdio", "connection", st.Config.Connection, "site", st.Config.URL, "tools", len(srv.Offered()), "profile", id.Profile)
	if err := srv.ServeStdio(ctx, s.in, s.out); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// serveAccessFlags are serve's flags for who may call.
type serveAccessFlags struct {
	config  string
	noAuth  bool
	profile string
	tier    string
	origins string
	allowed []string // origins, parsed
}

// localIdentity is the caller of a stdio or --no-auth server of tenant.
func (f *serveAccessFlags) localIdentity(tenant string) (*gateway.Identity, error) {
	id := gateway.Owner(tenant)
	tier, err := gateway.ParseTier(f.tier)
	if err != nil {
		return nil, fmt.Errorf("--tier: %w", err)
	}
	id.DefaultTier = tier
	if f.profile != "owner" {
		if id.Policy, err = gateway.ProfilePolicy(f.profile); err != nil {
			return nil, fmt.Errorf("--profile: %w (or owner)", err)
		}
		id.Profile = f.profile
	}
	return id, nil
}

// tenantServer builds the MCP server of one opened connection behind the
// access guard, with the tenant's audit log in the data directory; the
// caller has loaded (or started discovering) its schema. def is
// the identity of calls that carry none (stdio); nil for HTTP, where the
// gateway sets each request's.
func tenantServer(o *serveOptions, st *site.Site, tenant string, def *gateway.Identity, ao gateway.AuditOptions, logger *slog.Logger) (*mcp.Server, func(), error) {
	var (
		audit   gateway.AuditSink
		dbAudit *pgstore.Audit
	)
	if db := o.db; db != nil {
		dbAudit = db.Audit()
		audit = dbAudit.For(tenant)
	} else {
		dir, err := o.store.dir()
		if err != nil {
			return nil, nil, err
		}
		if audit, err = gateway.OpenAuditLog(filepath.Join(dir, "audit"), tenant, ao); err != nil {
			return nil, nil, err
		}
	}
	opts := o.tools.options(mcp.Products(st), logger.With("tenant", tenant))
	opts.MaxRequestBytes = o.maxRequestBytes
	guard := &gateway.Guard{Tenant: tenant, Audit: audit, Default: def, Logger: logger}
	if o.metrics != nil {
		guard.AuditLatency = o.metrics.AuditWritten
	}
	guard.Apply(&opts)
	if o.metrics != nil { // outermost: refused calls are counted too
		opts.Middleware = append([]server.ToolHandlerMiddleware{o.metrics.Middleware()}, opts.Middleware...)
	}
	closeAudit := func() {
		_ = audit.Close()
		if dbAudit != nil {
			closeDBAudit(dbAudit, logger)
		}
	}
	srv, err := mcp.NewServer(mcp.AllTools(mcp.NewDeps(st)), st.Schema, opts)
	if err != nil {
		closeAudit()
		return nil, nil, usage(err)
	}
	return srv, closeAudit, nil
}

// closeDBAudit closes the database's audit at shutdown: the entries it
// kept in memory while the database did not answer are written if it
// answers within 10 s; what is lost is logged as a count, never as
// entries.
func closeDBAudit(a *pgstore.Audit, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Close(ctx); err != nil {
		held, dropped := a.Spooled()
		logger.Error("audit entries lost at shutdown", "entries", held, "dropped_earlier", dropped, "err", err)
	}
}

// serveHTTPMode serves streamable HTTP: every tenant of the config behind
// bearer-token authentication, the sandbox with a fresh agent token, or
// (--no-auth, loopback only) one connection as its owner.
func serveHTTPMode(ctx context.Context, s streams, o *serveOptions, sf *serveAccessFlags, addr string, logger *slog.Logger) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return usagef("--http %q: want host:port, e.g. 127.0.0.1:8080", addr)
	}
	var closers []func()
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	o.metrics = metrics.New()
	servers := map[string]*mcp.Server{}
	gopts := gateway.Options{Path: "/mcp", Logger: logger, MaxRequestBytes: o.maxRequestBytes, AllowedOrigins: sf.allowed}
	if sf.noAuth {
		if sf.config != "" {
			return usage(errors.New("--no-auth serves one connection without agents; drop --config"))
		}
		if err := checkLoopback(addr); err != nil {
			return usage(err)
		}
		st, cleanup, err := o.open(ctx, s, logger)
		if err != nil {
			return err
		}
		closers = append(closers, cleanup)
		id, _ := sf.localIdentity(st.Config.Connection)
		st.LoadSchema(ctx, false)
		st.Schema.Follow(ctx) // a refresh on another replica reaches this one's clients
		srv, closeAudit, err := tenantServer(o, st, st.Config.Connection, nil, gateway.AuditOptions{}, logger)
		if err != nil {
			return err
		}
		closers = append(closers, closeAudit)
		servers[st.Config.Connection], gopts.NoAuth = srv, id
		logger.Warn("serving HTTP WITHOUT authentication (--no-auth): any local process can call every tool as the owner; use agent tokens for anything but local protocol testing")
		gw, err := gateway.New(servers, gopts)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.Handle("/mcp", gw)
		return serveHTTP(ctx, s, o, mux, addr, logger, gw.Shutdown, nil)
	}

	spec, err := o.store.storeSpec()
	if err != nil {
		return usage(err)
	}
	var (
		cfg     *gateway.Config
		configs gateway.ConfigStore
	)
	if spec == "" {
		if cfg, configs, err = loadServeConfig(o, sf); err != nil {
			return err
		}
	} else if sf.config != "" {
		return usagef("--config %s: with a PostgreSQL store the agents config lives in the database (atlassian-mcp agent add --store ...); copy a file into it with 'atlassian-mcp store copy --from DATA_DIR --config FILE'", sf.config)
	}
	// sandboxConfigIfNone stores the sandbox's config in into when no
	// config was found: <data-dir>/config.json or the database, where
	// 'agent add/list' and a restart on the same store find it, as for
	// any server.
	sandboxConfigIfNone := func(into gateway.ConfigStore) error {
		if cfg != nil {
			return nil
		}
		c, token, err := sandboxConfig(o.store.connection)
		if err != nil {
			return err
		}
		stored, _, err := into.UpdateIf(ctx, "", func(stored *gateway.Config) error { *stored = *c; return nil })
		if errors.Is(err, gateway.ErrConfigChanged) {
			// Another replica stored one first: serve it.
			configs = into
			cfg, _, err = into.Load(ctx)
			return err
		}
		if err != nil {
			return err
		}
		cfg, configs = stored, into
		fmt.Fprintf(s.err, "Sandbox agent token (tenant %q, agent %q, every tool, vip tier by default):\n  Authorization: Bearer %s\n", "sandbox", "sandbox", token)
		if fc, ok := into.(*gateway.FileConfig); ok {
			fmt.Fprintf(s.err, "Sandbox data directory (agents config, audit, tokens): %s\n", filepath.Dir(fc.Path))
		} else {
			fmt.Fprintf(s.err, "Sandbox agents config stored in %s\n", into.Where())
		}
		return nil
	}
	if o.sandbox {
		sb, cleanup, err := startSandboxSite(ctx, s, o.store, logger, o.sandboxSite, sandbox.WithSites(max(o.sandboxSites, 1)))
		if err != nil {
			return err
		}
		o.sandboxSite = sb
		closers = append(closers, cleanup)
		if spec == "" {
			dir, err := o.store.dir()
			if err != nil {
				return err
			}
			if err := sandboxConfigIfNone(gateway.NewFileConfig(filepath.Join(dir, "config.json"))); err != nil {
				return err
			}
		}
	}
	store, err := o.store.openStore(o.storeOptions(logger)...)
	if err != nil {
		return err
	}
	if db := databaseOf(store); db != nil {
		// Replicas share session ownership: any of them serves any
		// session's requests, so the load balancer need not pin sessions.
		gopts.Sessions = db.Sessions(30 * time.Minute)
		// And the agents config: a change through any replica, the
		// console or the CLI reaches every replica within a second.
		configs = db.Config()
		var err error
		cfg, _, err = configs.Load(ctx)
		switch {
		case errors.Is(err, gateway.ErrNoConfig) && o.sandbox:
			if err := sandboxConfigIfNone(configs); err != nil {
				return err
			}
		case errors.Is(err, gateway.ErrNoConfig):
			cfg = &gateway.Config{Tenants: map[string]*gateway.TenantConfig{}}
		case err != nil:
			return err
		}
	}
	dataDir, err := o.store.dir()
	if err != nil {
		return err
	}
	siteOpts := siteOptions(store, logger, o.metrics)
	siteOpts.CallTimeout = o.tools.callTimeout
	var (
		auditSink   func(string, gateway.AuditOptions) (gateway.AuditSink, error)
		auditReader gateway.AuditReader
		dbAudit     *pgstore.Audit
	)
	if db := databaseOf(store); db != nil {
		// Every replica's calls in one table, committed before each result
		// returns, concurrent entries sharing a transaction.
		dbAudit = db.Audit()
		// After the HTTP server's shutdown: no call records any more.
		defer closeDBAudit(dbAudit, logger)
		auditSink = func(tenant string, _ gateway.AuditOptions) (gateway.AuditSink, error) {
			return dbAudit.For(tenant), nil
		}
		auditReader = dbAudit
	}
	h, err := hub.New(ctx, hub.Options{
		Store: store, Configs: configs, Config: cfg, Logger: logger,
		AuditDir: filepath.Join(dataDir, "audit"), AuditSink: auditSink, AuditReader: auditReader, AuditLatency: o.metrics.AuditWritten,
		ServerOptions: func(tenant string, products []mcp.Product) mcp.Options {
			opts := o.tools.options(products, logger.With("tenant", tenant))
			opts.MaxRequestBytes = o.maxRequestBytes
			return opts
		},
		Guarded: func(opts *mcp.Options) {
			if o.metrics != nil { // outermost: refused calls are counted too
				opts.Middleware = append([]server.ToolHandlerMiddleware{o.metrics.Middleware()}, opts.Middleware...)
			}
		},
		Gateway: gopts,
		Site:    siteOpts,
	})
	if err != nil {
		return err
	}
	o.ready = func(ctx context.Context) error {
		cfg, _ := h.Config()
		var conns []string
		for _, tenant := range cfg.TenantNames() {
			conns = append(conns, cfg.ConnectionOf(tenant))
		}
		return readiness(store, conns)(ctx)
	}
	if len(cfg.Agents) == 0 {
		fmt.Fprintf(s.err, "serve: warning: %s declares no agents, so every request will be refused until one is added with 'atlassian-mcp agent add' or in the admin console\n", h.ConfigWhere())
	}
	if checkLoopback(addr) != nil {
		logger.Warn("serving beyond loopback: bearer tokens and the admin session travel in clear over plain HTTP; put a TLS-terminating proxy in front", "addr", addr)
	}
	logger.Info("agents loaded", "config", h.ConfigWhere(), "tenants", len(cfg.Tenants), "agents", len(cfg.Agents))
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go h.Watch(watchCtx, time.Second)
	if dbAudit != nil {
		go pruneAudit(watchCtx, h, dbAudit, 10*time.Minute, logger)
	}
	connector, setup := o.connector(store, logger)
	con, err := console.New(console.Options{DataDir: dataDir, Backend: h, Connect: connector, ConnectSetup: setup, Logger: logger})
	if err != nil {
		return err
	}
	adminNote := "log in with the token 'atlassian-mcp admin token' prints"
	if o.sandbox {
		if _, err := con.Tokens().Created(); errors.Is(err, console.ErrNoAdminToken) {
			tok, err := con.Tokens().Rotate(time.Now())
			if err != nil {
				return err
			}
			adminNote = "admin token " + tok
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", h.Handler())
	mux.Handle("/admin", http.RedirectHandler("/admin/", http.StatusSeeOther))
	mux.Handle("/admin/", con)
	return serveHTTP(ctx, s, o, mux, addr, logger, h.Close, func(a net.Addr) {
		fmt.Fprintf(s.err, "Admin console at http://%s/admin (%s)\n", a, adminNote)
	})
}

// pruneAudit deletes the database's audit entries older than the
// config's audit.max_age_days (nothing when it is 0), at start and every
// interval, until ctx ends. Every replica runs it; they delete the same
// rows.
func pruneAudit(ctx context.Context, h *hub.Hub, a *pgstore.Audit, interval time.Duration, logger *slog.Logger) {
	for {
		if cfg, _ := h.Config(); cfg != nil && cfg.Audit.MaxAgeDays > 0 {
			pctx, cancel := context.WithTimeout(ctx, time.Minute)
			n, err := a.Prune(pctx, time.Duration(cfg.Audit.MaxAgeDays)*24*time.Hour)
			cancel()
			switch {
			case err != nil:
				logger.Warn("audit retention: old entries not deleted", "err", err)
			case n > 0:
				logger.Info("audit retention: old entries deleted", "entries", n, "max_age_days", cfg.Audit.MaxAgeDays)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// loadServeConfig loads --config (default <data-dir>/config.json). With
// --sandbox and no config file it returns a nil config: the sandbox gets
// one of its own.
func loadServeConfig(o *serveOptions, sf *serveAccessFlags) (*gateway.Config, gateway.ConfigStore, error) {
	path := sf.config
	if path == "" {
		if o.sandbox && o.store.dataDir == "" && os.Getenv(envDataDir) == "" {
			return nil, nil, nil
		}
		dir, err := o.store.dir()
		if err != nil {
			return nil, nil, err
		}
		path = filepath.Join(dir, "config.json")
	}
	cfg, err := gateway.LoadConfig(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && o.sandbox && sf.config == "":
		return nil, nil, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, nil, fmt.Errorf("no agents config at %s: every HTTP request needs an agent's token.\n"+
			"Create one with 'atlassian-mcp agent add --name NAME --tenant TENANT --profile aicos' (it writes that file),\n"+
			"or for local protocol testing only, serve a loopback address with --no-auth", path)
	case err != nil:
		return nil, nil, usage(err)
	}
	return cfg, gateway.NewFileConfig(path), nil
}

// sandboxConfig is the config of a sandbox served over HTTP with no config
// file: tenant "sandbox" on the sandbox connection and one agent with
// every tool whose calls without a sender are vip.
func sandboxConfig(connection string) (*gateway.Config, string, error) {
	token, hash, err := gateway.NewToken()
	if err != nil {
		return nil, "", err
	}
	cfg := &gateway.Config{
		Tenants: map[string]*gateway.TenantConfig{"sandbox": {Connection: connection, BusinessDomains: []string{"example.com"}}},
		Agents:  []*gateway.AgentConfig{{Name: "sandbox", TokenSHA256: hash, Tenant: "sandbox", Profile: gateway.ProfileAICOS, DefaultTier: gateway.VIP}},
	}
	return cfg, token, cfg.Validate()
}

// serveOptions are the flags serve, call and tools share.
type serveOptions struct {
	store    *storeFlags
	tools    toolFlags
	sandbox  bool
	logLevel string
	// maxRequestBytes bounds one JSON-RPC message (serve only).
	maxRequestBytes int64
	// metrics, when set (serve --http), counts calls, requests and refreshes.
	metrics *metrics.Metrics
	// db is the PostgreSQL store open() opened (nil: the data directory).
	db *pgstore.DB
	// ready, when set, says whether the replica can serve (/readyz).
	ready func(ctx context.Context) error
	// sandboxSite is the sandbox of --sandbox once started; tests may set
	// it beforehand to serve a sandbox they hold.
	sandboxSite *sandbox.Server
	// sandboxSites is how many sites the sandbox's grant covers
	// (serve's --sandbox-sites).
	sandboxSites int
}

// readyTimeout bounds /readyz: a load balancer's probe gets its answer
// within it even when the store hangs.
const readyTimeout = 3 * time.Second

// notReady is why a replica is not ready: public is what /readyz says
// (never where the store is), cause what the log gets.
type notReady struct {
	public string
	cause  error
}

func (e *notReady) Error() string { return e.public }
func (e *notReady) Unwrap() error { return e.cause }

// readiness is /readyz's check: the store answers within ctx (the
// database is pinged first, so a hung one fails fast) and no served
// connection is Token Expired.
func readiness(store *tokenstore.Store, conns []string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		done := make(chan error, 1) // the store's reads take no ctx: do not wait past it
		go func() {
			if db := databaseOf(store); db != nil {
				if err := db.Ping(ctx); err != nil {
					done <- &notReady{"the store does not answer", err}
					return
				}
			}
			for _, name := range conns {
				c, err := store.Get(name)
				if err != nil {
					done <- &notReady{"the store could not be read", err}
					return
				}
				if c.Status == tokenstore.StatusTokenExpired {
					msg := fmt.Sprintf("connection %s is Token Expired; run 'atlassian-mcp connect --connection %s'", name, name)
					done <- &notReady{msg, errors.New(msg)}
					return
				}
			}
			done <- nil
		}()
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return &notReady{"the store did not answer in time", ctx.Err()}
		}
	}
}

// storeOptions are the token store options serve opens the store with:
// refreshes and token endpoint requests counted in the metrics.
func (o *serveOptions) storeOptions(logger *slog.Logger) []tokenstore.Option {
	// Refresh failures are logged at warn, with the connection's name.
	opts := []tokenstore.Option{tokenstore.WithLogger(logger)}
	if o.metrics == nil {
		return opts
	}
	return append(opts,
		tokenstore.WithEvents(o.metrics.TokenEvents()),
		tokenstore.WithHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: o.metrics.Transport(nil)}))
}

// addServeFlags registers the shared flags; logLevel is the command's
// default --log-level.
func addServeFlags(fs *flag.FlagSet, logLevel string) *serveOptions {
	o := &serveOptions{store: addStoreFlags(fs)}
	fs.BoolVar(&o.sandbox, "sandbox", false, "start an in-process sandbox site and connect to it (a temporary data directory unless --data-dir is given; connection \"sandbox\")")
	fs.BoolVar(&o.tools.readOnly, "read-only", false, "offer only the read-only tools")
	fs.Func("tools", "comma-separated `names` of the tools to offer, as agent list prints them (jira_search) or in full (atlassian_jira_search) (default: all the site's products have)", toolListFlag(&o.tools.tools))
	fs.Func("exclude-tools", "comma-separated `names` of tools not to offer, short (jira_search) or in full", toolListFlag(&o.tools.exclude))
	fs.StringVar(&o.logLevel, "log-level", logLevel, "log level on stderr: debug, info, warn or error")
	fs.DurationVar(&o.tools.callTimeout, "call-timeout", 0, "deadline of one tool call, Atlassian's answers and rate-limit waits included (default 30s for reads, 60s for writes)")
	return o
}

// open opens the connection to serve, first creating it against an
// in-process sandbox with --sandbox. cleanup stops what open started.
func (o *serveOptions) open(ctx context.Context, s streams, logger *slog.Logger) (*site.Site, func(), error) {
	cleanup := func() {}
	if o.sandbox {
		var err error
		if _, cleanup, err = startSandboxSite(ctx, s, o.store, logger, o.sandboxSite); err != nil {
			return nil, nil, err
		}
	}
	store, err := o.store.openStore(o.storeOptions(logger)...)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	o.db = databaseOf(store)
	o.ready = readiness(store, []string{o.store.connection})
	st, err := o.tools.openSite(ctx, store, o.store.connection, logger, o.metrics)
	if errors.Is(err, tokenstore.ErrNotFound) {
		// The error already says to run connect.
		err = fmt.Errorf("%w, or try the sandbox with --sandbox", err)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return st, cleanup, nil
}

// startSandbox starts a seeded sandbox site in this process and connects
// to it through the same OAuth flow and HTTP code a real site uses, with
// this process playing the browser. The connection is "sandbox" (unless
// --connection says otherwise) in a temporary data directory (unless
// --data-dir or the environment names one). opts shape the site (the
// benchmarks connect to a generated large one).
func startSandbox(ctx context.Context, s streams, sf *storeFlags, logger *slog.Logger, opts ...sandbox.Option) (func(), error) {
	_, cleanup, err := startSandboxSite(ctx, s, sf, logger, nil, opts...)
	return cleanup, err
}

// startSandboxSite is startSandbox returning the site. sb, when not nil,
// is a sandbox the caller started (the console's browser tests, which
// change the site while it is served); it is not closed. Once connected,
// the sandbox shows its consent page again (auto-approve off), so the
// admin console's connect wizard walks through it.
func startSandboxSite(ctx context.Context, s streams, sf *storeFlags, logger *slog.Logger, sb *sandbox.Server, opts ...sandbox.Option) (*sandbox.Server, func(), error) {
	var stops []func()
	if sb == nil {
		var err error
		if sb, err = sandbox.Start(append([]sandbox.Option{sandbox.WithAutoApprove()}, opts...)...); err != nil {
			return nil, nil, fmt.Errorf("start the sandbox: %w", err)
		}
		stops = append(stops, sb.Close)
	} else {
		sb.SetAutoApprove(true)
	}
	cleanup := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if sf.dataDir == "" && os.Getenv(envDataDir) == "" {
		dir, err := os.MkdirTemp("", "atlassian-mcp-sandbox-")
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		sf.dataDir = dir
		stops = append(stops, func() { _ = os.RemoveAll(dir) })
	}
	if sf.connection == tokenstore.DefaultConnection {
		sf.connection = "sandbox"
	}
	redirect, err := freeLoopbackCallback()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	sb.RegisterRedirectURI(redirect)
	browser := &http.Client{Timeout: 30 * time.Second}
	play := func(u string) error {
		resp, err := browser.Get(u)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	// connect's interactive transcript (the URL to open, the report) is
	// for a person at a terminal, not for this automatic connection: it
	// is dropped at every log level (the logger still gets connect's log).
	quiet := streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}
	err = connectCmd(ctx, quiet, connectOptions{
		store: sf, clientID: sb.ClientID, clientSecret: sb.ClientSecret,
		authURL: sb.URL, apiURL: sb.URL, redirectURI: redirect, site: sb.CloudID,
		timeout: time.Minute, browse: play, log: logger,
	})
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("connect to the sandbox: %w", err)
	}
	sb.SetAutoApprove(false)
	logger.Info("sandbox site connected", "url", sb.URL, "site", sb.SiteName, "connection", sf.connection, "data_dir", sf.dataDir)
	return sb, cleanup, nil
}

// freeLoopbackCallback returns a callback URL on a loopback port that is
// free right now.
func freeLoopbackCallback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr + "/callback", nil
}

// checkLoopback refuses addresses beyond this machine; --no-auth serves
// only loopback addresses.
func checkLoopback(addr string) error {
	local, err := loopback.Addr(addr)
	if err != nil {
		return fmt.Errorf("--http %q: want host:port, e.g. 127.0.0.1:8080", addr)
	}
	if local {
		return nil
	}
	return fmt.Errorf("--http %q: --no-auth serves without authentication, so it only listens on loopback addresses (127.0.0.1, ::1, localhost); drop --no-auth and give agents tokens (atlassian-mcp agent add) to serve beyond this machine", addr)
}

// serveHTTP serves mux (MCP at /mcp, the console at /admin) and the ops
// endpoints on addr until ctx ends, then shuts down gracefully: shutdown
// ends the MCP sessions.
func serveHTTP(ctx context.Context, s streams, o *serveOptions, mux *http.ServeMux, addr string, logger *slog.Logger, shutdown func(context.Context) error, listening func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	addOpsEndpoints(mux, o, logger)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(s.err, "Serving MCP over streamable HTTP at http://%s/mcp (Ctrl-C to stop)\n", ln.Addr())
	if listening != nil {
		listening(ln.Addr())
	}
	logger.Info("serving MCP over streamable HTTP", "addr", ln.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = shutdown(sctx)
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %v", err)
	}
	return nil
}

// addOpsEndpoints serves what a load balancer and a monitoring system
// need: /healthz (the process is up), /readyz (the store answers and no
// served connection is Token Expired; 503 otherwise) and /metrics
// (Prometheus; no user identifiers). None needs an agent token, and none
// says more than up/ready and counters.
func addOpsEndpoints(mux *http.ServeMux, o *serveOptions, logger *slog.Logger) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if o.ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			if err := o.ready(ctx); err != nil {
				public := "the store could not be read"
				var nr *notReady
				if errors.As(err, &nr) {
					public = nr.public
				}
				logger.Warn("not ready", "reason", public, "err", err) // the log may name the store; the answer does not
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready:", public)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	if o.metrics != nil {
		mux.Handle("GET /metrics", o.metrics.Handler())
	}
}
