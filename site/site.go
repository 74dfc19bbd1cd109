// Package site opens a connected Atlassian Cloud site for use: its Jira and
// Confluence REST clients over one HTTP client, its schema discoverer and its
// schema store. It is the one place the pieces are wired together; the CLI
// (serve, call, tools, schema, connect), the admin console and the tests all
// build a site through New or Open and hand it to the tool layer
// (mcp.NewDeps).
//
//	st, err := site.Open(ctx, store, "default", site.Options{Logger: logger})
//	if err != nil { ... }
//	st.LoadSchema(ctx, false) // cached snapshot, or discovery in the background
//	srv, err := mcp.NewServer(mcp.AllTools(mcp.NewDeps(st)), st.Schema, opts)
package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Config describes a site to wire: where it is, how to reach it and what it
// has. Open fills one from a stored connection; tests fill one for a sandbox.
type Config struct {
	// HTTPClient carries every request to the gateway; its transport
	// authenticates (the token store's refreshing transport, or a
	// sandbox's client).
	HTTPClient *http.Client
	// APIURL is the API gateway's base URL (atlassian.DefaultGatewayURL,
	// or a sandbox's URL).
	APIURL string
	// CloudID, Name and URL identify the site ("https://acme.atlassian.net").
	CloudID, Name, URL string
	// Products are the products the connection covers; a client is built
	// for each of Jira and Confluence listed here.
	Products []atlassian.Product
	// ClientOptions configure both REST clients (logger, user agent, ...).
	ClientOptions []atlassian.Option
	// Connection names the stored connection (the key snapshots are
	// cached under).
	Connection string
	// Cache is where snapshots persist; nil keeps them in memory only.
	Cache schema.Snapshots
	// Resource re-reads the site's accessible resource during discovery;
	// nil skips that step.
	Resource func(ctx context.Context) (*atlassian.Resource, error)
	// Logger receives discovery's progress; nil discards it.
	Logger *slog.Logger
}

// Site is one connected site wired for use. Its fields are read-only after
// New.
type Site struct {
	// Config is what the site was built from.
	Config Config
	// Jira and Confluence are nil for a product the site does not have.
	Jira       *atlassian.JiraClient
	Confluence *atlassian.ConfluenceClient
	// Schema holds the current snapshot (possibly none yet); never nil.
	Schema *schema.Store
	// Discoverer reads the site's schema through the clients above.
	Discoverer *schema.Discoverer
	log        *slog.Logger
}

// New wires a site from cfg: a REST client per product and a schema store
// and discoverer over them. It does no I/O.
func New(cfg Config) (*Site, error) {
	if cfg.HTTPClient == nil {
		return nil, errors.New("site: Config.HTTPClient is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &schema.Discoverer{CloudID: cfg.CloudID, SiteName: cfg.Name, SiteURL: cfg.URL, Site: cfg.Resource}
	var err error
	for _, p := range cfg.Products {
		d.Products = append(d.Products, p)
		switch p {
		case atlassian.ProductJira:
			if d.Jira, err = atlassian.NewJiraClient(atlassian.JiraBaseURL(cfg.APIURL, cfg.CloudID), cfg.HTTPClient, cfg.ClientOptions...); err != nil {
				return nil, err
			}
		case atlassian.ProductConfluence:
			if d.Confluence, err = atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(cfg.APIURL, cfg.CloudID), cfg.HTTPClient, cfg.ClientOptions...); err != nil {
				return nil, err
			}
		}
	}
	return &Site{
		Config: cfg, Jira: d.Jira, Confluence: d.Confluence,
		Schema: schema.NewStore(cfg.Cache, cfg.Connection), Discoverer: d, log: log,
	}, nil
}

// Options are what Open needs beyond the stored connection.
type Options struct {
	// Logger receives the REST clients' and discovery's logs; nil discards
	// them.
	Logger *slog.Logger
	// UserAgent is sent on every request ("atlassian-mcp/1.2.3").
	UserAgent string
	// Snapshots is where schema snapshots persist; nil means the schema
	// cache in the store's data directory.
	Snapshots schema.Snapshots
	// CallTimeout is the tool calls' deadline when set (--call-timeout):
	// the transport's response header timeout is at least as long.
	CallTimeout time.Duration
	// WrapTransport, when set, wraps the transport under the token
	// transport (metrics count responses there).
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// ClientOptions are added to both REST clients' options.
	ClientOptions []atlassian.Option
}

// Open wires the named connection of the token store: requests go through
// the store's refreshing token transport, snapshots persist in the schema
// cache of the store's data directory. It returns tokenstore.ErrNotFound
// when there is no such connection.
func Open(ctx context.Context, store *tokenstore.Store, name string, o Options) (*Site, error) {
	conn, err := store.Get(name)
	if err != nil {
		return nil, err
	}
	var inner http.RoundTripper = atlassian.NewTransport(o.CallTimeout)
	if o.WrapTransport != nil {
		inner = o.WrapTransport(inner)
	}
	rt, err := store.Transport(ctx, name, inner)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: rt}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Each client keeps its own limiter: Atlassian's burst buckets are per
	// product endpoint, so a shared one would halve what either may send.
	opts := []atlassian.Option{atlassian.WithLogger(logger)}
	if o.UserAgent != "" {
		opts = append(opts, atlassian.WithUserAgent(o.UserAgent))
	}
	opts = append(opts, o.ClientOptions...)
	snaps := o.Snapshots
	if snaps == nil {
		snaps = schema.NewCache(store.Dir())
	}
	cfg := Config{
		HTTPClient: hc, APIURL: conn.APIURL,
		CloudID: conn.Site.CloudID, Name: conn.Site.Name, URL: conn.Site.URL,
		ClientOptions: opts, Cache: snaps, Connection: name, Logger: logger,
		Resource: func(ctx context.Context) (*atlassian.Resource, error) {
			rs, err := atlassian.AccessibleResources(ctx, hc, conn.APIURL, opts...)
			if err != nil {
				return nil, err
			}
			for i := range rs {
				if rs[i].ID == conn.Site.CloudID {
					return &rs[i], nil
				}
			}
			return nil, fmt.Errorf("the grant no longer covers site %s; run 'atlassian-mcp connect --connection %s'", conn.Site.URL, conn.Name)
		},
	}
	for _, p := range conn.Products {
		cfg.Products = append(cfg.Products, atlassian.Product(p.Name))
	}
	return New(cfg)
}

// LoadSchema loads the cached snapshot. With none usable it discovers one:
// in the background when wait is false (tools work meanwhile and are
// re-described when it lands), else before returning.
func (s *Site) LoadSchema(ctx context.Context, wait bool) {
	if _, err := s.Schema.Load(); err == nil {
		return
	} else if !errors.Is(err, schema.ErrNoSnapshot) {
		s.log.Warn("schema cache unreadable; rediscovering", "err", err)
	}
	if wait {
		_, _ = s.RefreshSchema(ctx)
		return
	}
	go func() { _, _ = s.RefreshSchema(context.WithoutCancel(ctx)) }()
}

// RefreshSchema discovers the schema now, stores it and logs the outcome.
// Concurrent calls share one discovery.
func (s *Site) RefreshSchema(ctx context.Context) (*schema.Snapshot, error) {
	snap, err := s.Schema.Refresh(ctx, s.Discoverer.Discover)
	if err != nil {
		s.log.Error("schema discovery failed", "err", err)
		return nil, err
	}
	s.log.Info("schema discovered", "duration", snap.Duration, "failures", len(snap.Failures))
	for _, f := range snap.Failures {
		s.log.Warn("schema discovery: part failed", "scope", f.Scope, "reason", f.Reason)
	}
	return snap, nil
}

// Has reports whether the site has product p.
func (s *Site) Has(p atlassian.Product) bool {
	for _, q := range s.Config.Products {
		if q == p {
			return true
		}
	}
	return false
}
