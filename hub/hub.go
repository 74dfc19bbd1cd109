// Package hub is the running multi-tenant server behind `serve --http`:
// each tenant's site and MCP server behind one gateway, and the agents
// config kept live. A change to the config file (or one made through the
// admin console) takes effect without a restart: the file is re-read,
// validated and swapped in whole, or left alone with an error logged.
//
// It also holds the connection operations the CLI and the admin console
// share: the health check (Check) and disconnect with revocation
// (Disconnect).
package hub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/site"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Options configure a Hub.
type Options struct {
	// Store is the token store of the data directory. Required.
	Store *tokenstore.Store
	// Configs is where the agents config lives (a file, or the database
	// several replicas share), polled for changes by Watch; nil keeps
	// Config in memory only (the sandbox's own config).
	Configs gateway.ConfigStore
	// ConfigPath, when Configs is nil, is the agents config file
	// (gateway.NewFileConfig(ConfigPath)).
	ConfigPath string
	// Config is the config in force at start (loaded from Configs by the
	// caller, so start-up errors read as before). Required.
	Config *gateway.Config
	// ServerOptions are the tool selection and naming of each tenant's MCP
	// server for a site with products; nil means mcp's defaults.
	ServerOptions func(tenant string, products []mcp.Product) mcp.Options
	// Guarded, when set, changes each tenant's server options after the
	// access guard is in them (metrics middleware goes outermost).
	Guarded func(opts *mcp.Options)
	// Site configures the opened sites; Site.Snapshots is where schema
	// snapshots persist (nil: the schema cache in the store's directory).
	Site site.Options
	// Gateway configures the HTTP front (Origin checks, body limits);
	// Path defaults to "/mcp", Auth and Logger are the hub's.
	Gateway gateway.Options
	// AuditDir is where the tenants' audit logs are (default: audit in
	// the store's directory) when AuditSink is nil.
	AuditDir string
	// AuditSink opens a tenant's audit sink (the database's table for
	// several replicas); nil opens the tenant's file log in AuditDir.
	AuditSink func(tenant string, opts gateway.AuditOptions) (gateway.AuditSink, error)
	// AuditReader reads the audit entries back (the console's audit
	// page); nil reads the files in AuditDir.
	AuditReader gateway.AuditReader
	// AuditLatency, when set, observes every audit write's latency.
	AuditLatency func(time.Duration)
	// Logger receives the hub's logs; nil discards them.
	Logger *slog.Logger
}

// Hub is the running server.
type Hub struct {
	opts Options
	log  *slog.Logger
	gw   *gateway.Gateway

	life context.Context // ends at Close; tenants' background work lives under it
	end  context.CancelFunc
	bg   sync.WaitGroup // background discoveries, waited for by Close

	mu      sync.Mutex // serialises config and tenant changes
	cfg     *gateway.Config
	stamp   string // the version of cfg in opts.Configs
	tenants map[string]*tenant
}

// tenant is one served tenant.
type tenant struct {
	name, conn string
	site       *site.Site // nil when the connection is missing
	srv        *mcp.Server
	audit      gateway.AuditSink
	stop       context.CancelFunc // ends its snapshot following
}

// close stops the tenant's background work and closes its audit log.
func (t *tenant) close() {
	t.stop()
	_ = t.audit.Close()
}

// New opens every tenant of the config and returns the hub serving them.
// A tenant whose connection does not exist (yet, or any more) is served
// with no tools and a warning; connecting it later starts its tools.
func New(ctx context.Context, o Options) (*Hub, error) {
	if o.Store == nil || o.Config == nil {
		return nil, errors.New("hub: a token store and a config are required")
	}
	if o.Gateway.Path == "" {
		o.Gateway.Path = "/mcp"
	}
	if o.Configs == nil && o.ConfigPath != "" {
		o.Configs = gateway.NewFileConfig(o.ConfigPath)
	}
	if o.AuditDir == "" {
		o.AuditDir = filepath.Join(o.Store.Dir(), "audit")
	}
	if o.Site.Snapshots == nil {
		o.Site.Snapshots = schema.NewCache(o.Store.Dir())
	}
	h := &Hub{opts: o, log: o.Logger, tenants: map[string]*tenant{}}
	h.life, h.end = context.WithCancel(context.WithoutCancel(ctx))
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	auth, err := gateway.NewAuthenticator(o.Config)
	if err != nil {
		return nil, err
	}
	servers := map[string]*mcp.Server{}
	for _, name := range o.Config.TenantNames() {
		t, err := h.openTenant(ctx, o.Config, name)
		if err != nil {
			h.closeTenants()
			return nil, err
		}
		h.tenants[name] = t
		servers[name] = t.srv
	}
	gopts := o.Gateway
	gopts.Auth, gopts.Logger = auth, h.log
	if h.gw, err = gateway.New(servers, gopts); err != nil {
		h.closeTenants()
		return nil, err
	}
	h.cfg = o.Config
	if o.Configs != nil {
		// A change between the caller's load and now is picked up by the
		// first Reload (the stamp then differs).
		if v, err := o.Configs.Version(ctx); err == nil {
			h.stamp = v
		}
	}
	return h, nil
}

// Handler serves MCP at the configured path.
func (h *Hub) Handler() http.Handler { return h.gw }

// AuditDir is the directory of the tenants' file audit logs.
func (h *Hub) AuditDir() string { return h.opts.AuditDir }

// Audit reads the tenants' audit entries: the files of AuditDir, or the
// database's table when the hub writes there.
func (h *Hub) Audit() gateway.AuditReader {
	if h.opts.AuditReader != nil {
		return h.opts.AuditReader
	}
	return gateway.AuditFiles{Dir: h.opts.AuditDir}
}

// Close ends every session, stops the background discoveries (and waits
// for them) and closes the audit logs.
func (h *Hub) Close(ctx context.Context) error {
	err := h.gw.Shutdown(ctx)
	h.end()
	h.bg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeTenants()
	return err
}

func (h *Hub) closeTenants() {
	for _, t := range h.tenants {
		t.close()
	}
}

// openTenant opens tenant name's site, audit log and MCP server.
func (h *Hub) openTenant(ctx context.Context, cfg *gateway.Config, name string) (*tenant, error) {
	t := &tenant{name: name, conn: cfg.ConnectionOf(name), stop: func() {}}
	logger := h.log.With("tenant", name)
	var err error
	if h.opts.AuditSink != nil {
		t.audit, err = h.opts.AuditSink(name, cfg.Audit.Options())
	} else {
		t.audit, err = gateway.OpenAuditLog(h.AuditDir(), name, cfg.Audit.Options())
	}
	if err != nil {
		return nil, err
	}
	st, err := site.Open(ctx, h.opts.Store, t.conn, h.siteOptions(logger))
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		logger.Warn("tenant served without tools: its connection does not exist; connect it (atlassian-mcp connect, or the admin console)", "connection", t.conn)
	case err != nil:
		_ = t.audit.Close()
		return nil, fmt.Errorf("tenant %s (connection %s): %w", name, t.conn, err)
	default:
		t.site = st
		// The cached snapshot, or a discovery in the background (the tools
		// work meanwhile and are re-described when it lands).
		if _, err := st.Schema.Load(); err != nil {
			if !errors.Is(err, schema.ErrNoSnapshot) {
				logger.Warn("schema cache unreadable; rediscovering", "err", err)
			}
			h.bg.Go(func() { _, _ = st.RefreshSchema(h.life) })
		}
		// A refresh on another replica reaches this one's clients.
		var follow context.Context
		follow, t.stop = context.WithCancel(h.life)
		st.Schema.Follow(follow)
	}
	var products []mcp.Product
	deps := &mcp.Deps{Schema: schema.NewStore(nil, t.conn)}
	if st != nil {
		products, deps = mcp.Products(st), mcp.NewDeps(st)
	}
	opts := mcp.Options{Name: "atlassian-mcp", Products: products, Logger: logger}
	if h.opts.ServerOptions != nil {
		opts = h.opts.ServerOptions(name, products)
		opts.Logger = logger
	}
	(&gateway.Guard{Tenant: name, Audit: t.audit, AuditLatency: h.opts.AuditLatency, Logger: h.log}).Apply(&opts)
	if h.opts.Guarded != nil {
		h.opts.Guarded(&opts)
	}
	if t.srv, err = mcp.NewServer(mcp.AllTools(deps), deps.Schema, opts); err != nil {
		t.close()
		return nil, err
	}
	if st == nil {
		t.srv.Withdraw()
	}
	return t, nil
}

func (h *Hub) siteOptions(logger *slog.Logger) site.Options {
	o := h.opts.Site
	o.Logger = logger
	return o
}

// Config returns the config in force. Callers must not change it: use
// UpdateConfig.
func (h *Hub) Config() (*gateway.Config, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cfg, nil
}

// ConfigPath is the file the config lives in ("" for in memory only, or
// when it lives in a database).
func (h *Hub) ConfigPath() string {
	if f, ok := h.opts.Configs.(*gateway.FileConfig); ok {
		return f.Path
	}
	return ""
}

// ConfigWhere names where the config lives, for messages ("" for in
// memory only).
func (h *Hub) ConfigWhere() string {
	if h.opts.Configs == nil {
		return ""
	}
	return h.opts.Configs.Where()
}

// UpdateConfig applies fn to a copy of the config in force, validates it,
// stores it (a file renamed over the old, or one database transaction)
// and makes it effective. When fn, the validation or the write fails,
// nothing changes. With a store, fn runs on the stored config under the
// store's lock, so a change another process made meanwhile is kept.
func (h *Hub) UpdateConfig(fn func(*gateway.Config) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.updateLocked(context.Background(), fn)
}

// updateLocked applies fn to the config, validates, stores and applies it,
// with h.mu held: without a store, to a copy of the config in force; with
// one, to the stored config under the store's lock (the store validates),
// remembering the stored version so Reload does not apply it again.
func (h *Hub) updateLocked(ctx context.Context, fn func(*gateway.Config) error) error {
	if h.opts.Configs == nil {
		next, err := h.cfg.Clone()
		if err != nil {
			return err
		}
		if err := fn(next); err != nil {
			return err
		}
		if err := next.Validate(); err != nil {
			return err
		}
		return h.applyLocked(ctx, next)
	}
	next, ver, err := h.opts.Configs.Update(ctx, fn)
	if err != nil {
		return err
	}
	if err := h.applyLocked(ctx, next); err != nil {
		return err
	}
	h.stamp = ver
	return nil
}

// Reload re-reads the stored config and applies it when it changed. A
// config that does not load or validate changes nothing: the error says
// why.
func (h *Hub) Reload(ctx context.Context) (bool, error) {
	if h.opts.Configs == nil {
		return false, nil
	}
	ver, err := h.opts.Configs.Version(ctx)
	if err != nil {
		return false, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ver == h.stamp {
		return false, nil
	}
	cfg, ver, err := h.opts.Configs.Load(ctx)
	if err != nil {
		return false, err
	}
	if err := h.applyLocked(ctx, cfg); err != nil {
		return false, err
	}
	h.stamp = ver
	return true, nil
}

// Watch reloads the stored config every interval until ctx ends, and at
// once when a ConfigWatcher store says it changed, logging each reload
// and each refused config. Every replica on one database store sees a
// change within milliseconds (the notification), or within an interval
// while its listener is down.
func (h *Hub) Watch(ctx context.Context, interval time.Duration) {
	if h.opts.Configs == nil {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var notified <-chan struct{} // nil: polling only
	if w, ok := h.opts.Configs.(gateway.ConfigWatcher); ok {
		var stop func()
		notified, stop = w.Changes()
		defer stop()
	}
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-notified:
		}
		changed, err := h.Reload(ctx)
		switch {
		case err != nil && err.Error() != lastErr:
			lastErr = err.Error()
			h.log.Error("agents config not reloaded; the previous one stays in force", "config", h.opts.Configs.Where(), "err", err)
		case err == nil && changed:
			lastErr = ""
			h.log.Info("agents config reloaded", "config", h.opts.Configs.Where())
		case err == nil:
			lastErr = ""
		}
	}
}

// applyLocked makes cfg the config in force: new tenants are opened first
// (so a failure changes nothing), then the authenticator is swapped and
// tenants no longer configured stop. h.mu is held.
func (h *Hub) applyLocked(ctx context.Context, cfg *gateway.Config) error {
	auth, err := gateway.NewAuthenticator(cfg)
	if err != nil {
		return err
	}
	opened := map[string]*tenant{}
	for _, name := range cfg.TenantNames() {
		if cur := h.tenants[name]; cur != nil && cur.conn == cfg.ConnectionOf(name) {
			continue
		}
		t, err := h.openTenant(ctx, cfg, name)
		if err != nil {
			for _, o := range opened {
				o.close()
			}
			return err
		}
		opened[name] = t
	}
	for name, t := range h.tenants {
		if _, keep := cfg.Tenants[name]; keep && opened[name] == nil {
			continue
		}
		_ = h.gw.RemoveTenant(ctx, name)
		t.close()
		delete(h.tenants, name)
	}
	for name, t := range opened {
		h.tenants[name] = t
		h.gw.AddTenant(name, t.srv)
	}
	h.gw.SetAuthenticator(auth)
	h.cfg = cfg
	// Assignments may have changed: clients list their tools again.
	for _, t := range h.tenants {
		t.srv.ToolsChanged()
	}
	return nil
}

// servedBy returns the tenants served on connection conn; h.mu is held.
func (h *Hub) servedBy(conn string) []*tenant {
	var out []*tenant
	for _, t := range h.tenants {
		if t.conn == conn {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *tenant) int {
		if a.name < b.name {
			return -1
		}
		return 1
	})
	return out
}

// Serve starts serving connection conn, newly stored or reconnected: the
// tenants on it are reopened with its new tokens; with none, a tenant
// named like the connection is added to the config.
func (h *Hub) Serve(ctx context.Context, conn string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	cfg := h.cfg
	var names []string
	for _, t := range cfg.TenantNames() {
		if cfg.ConnectionOf(t) == conn {
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		if err := gateway.ValidateTenant(conn); err != nil {
			return err
		}
		if _, taken := cfg.Tenants[conn]; taken {
			return fmt.Errorf("tenant %s exists on another connection; connect under another name", conn)
		}
		add := func(c *gateway.Config) error {
			if _, taken := c.Tenants[conn]; taken {
				return fmt.Errorf("tenant %s exists on another connection; connect under another name", conn)
			}
			if c.Tenants == nil {
				c.Tenants = map[string]*gateway.TenantConfig{}
			}
			c.Tenants[conn] = &gateway.TenantConfig{Connection: conn}
			return nil
		}
		return h.updateLocked(ctx, add)
	}
	for _, name := range names {
		t, err := h.openTenant(ctx, cfg, name)
		if err != nil {
			return err
		}
		if old := h.tenants[name]; old != nil {
			_ = h.gw.RemoveTenant(ctx, name)
			old.srv.Withdraw()
			old.close()
		}
		h.tenants[name] = t
		h.gw.AddTenant(name, t.srv)
	}
	return nil
}

// Connections lists the stored connections.
func (h *Hub) Connections() ([]tokenstore.Connection, error) { return h.opts.Store.List() }

// Snapshot is the connection's schema snapshot in use, or the cached one
// when no tenant serves it.
func (h *Hub) Snapshot(conn string) *schema.Snapshot {
	h.mu.Lock()
	for _, t := range h.servedBy(conn) {
		if t.site != nil {
			h.mu.Unlock()
			return t.site.Schema.Current()
		}
	}
	h.mu.Unlock()
	snap, err := h.opts.Site.Snapshots.Load(conn)
	if err != nil {
		return nil
	}
	return snap
}

// RefreshSchema rediscovers conn's schema. Tenants serving it re-describe
// their tools, and their clients get notifications/tools/list_changed.
func (h *Hub) RefreshSchema(ctx context.Context, conn string) (*schema.Snapshot, error) {
	h.mu.Lock()
	var st *site.Site
	for _, t := range h.servedBy(conn) {
		if t.site != nil {
			st = t.site
			break
		}
	}
	h.mu.Unlock()
	if st == nil {
		var err error
		if st, err = site.Open(ctx, h.opts.Store, conn, h.siteOptions(h.log)); err != nil {
			return nil, err
		}
	}
	return st.RefreshSchema(ctx)
}

// Disconnect revokes and deletes connection conn (see Disconnect) and
// withdraws the tools of every tenant on it from its clients. The
// tenants stay in the config, without tools, until conn is connected
// again.
func (h *Hub) Disconnect(ctx context.Context, conn string) (*Disconnected, error) {
	res, err := Disconnect(ctx, h.opts.Store, h.opts.Site.Snapshots, conn)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.servedBy(conn) {
		t.srv.Withdraw()
		t.stop()
		t.site = nil
		res.Withdrawn = append(res.Withdrawn, t.name)
	}
	return res, nil
}

// Check checks the named connection live (see the package function
// Check) and adds when its schema was last refreshed.
func (h *Hub) Check(ctx context.Context, name string) Report {
	conn, err := h.opts.Store.Get(name)
	if err != nil {
		return Report{Connection: name, Status: string(tokenstore.StatusError), Message: err.Error()}
	}
	rep := Check(ctx, h.opts.Store, conn)
	if snap := h.Snapshot(name); snap != nil {
		rep.SchemaRefreshedAt = &snap.RefreshedAt
	}
	return rep
}
