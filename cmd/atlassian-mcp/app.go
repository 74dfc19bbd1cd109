package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// site is one connection opened for use: its REST clients over the
// refreshing token transport, its schema store and discoverer, and the
// tools' dependencies.
type site struct {
	conn   tokenstore.Connection
	schema *schema.Store
	disc   *schema.Discoverer
	deps   *mcp.Deps
	log    *slog.Logger
}

// openSite opens the named connection of the token store.
func openSite(ctx context.Context, store *tokenstore.Store, name string, logger *slog.Logger) (*site, error) {
	conn, err := store.Get(name)
	if err != nil {
		return nil, err
	}
	// Every request goes to the one gateway host: keep enough idle
	// connections for concurrent calls (the default keeps 2 per host).
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	rt, err := store.Transport(ctx, name, base)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: rt}
	// Each client keeps its own limiter: Atlassian's burst buckets are per
	// product endpoint, so a shared one would halve what either may send.
	opts := []atlassian.Option{atlassian.WithLogger(logger), atlassian.WithUserAgent("atlassian-mcp/" + buildVersion())}
	d := &schema.Discoverer{
		CloudID: conn.Site.CloudID, SiteName: conn.Site.Name, SiteURL: conn.Site.URL,
		Site: func(ctx context.Context) (*atlassian.Resource, error) {
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
		d.Products = append(d.Products, p.Name)
	}
	if conn.HasProduct(tokenstore.ProductJira) {
		if d.Jira, err = atlassian.NewJiraClient(atlassian.JiraBaseURL(conn.APIURL, conn.Site.CloudID), hc, opts...); err != nil {
			return nil, err
		}
	}
	if conn.HasProduct(tokenstore.ProductConfluence) {
		if d.Confluence, err = atlassian.NewConfluenceClient(atlassian.ConfluenceBaseURL(conn.APIURL, conn.Site.CloudID), hc, opts...); err != nil {
			return nil, err
		}
	}
	st := schema.NewStore(schema.NewCache(store.Dir()), name)
	return &site{
		conn: conn, schema: st, disc: d, log: logger,
		deps: &mcp.Deps{Jira: d.Jira, Confluence: d.Confluence, Schema: st, FetchFields: d.CreateFields, SiteURL: conn.Site.URL},
	}, nil
}

// products are the connection's products as the tool layer names them.
func (s *site) products() []mcp.Product {
	var out []mcp.Product
	for _, p := range s.conn.Products {
		out = append(out, mcp.Product(p.Name))
	}
	return out
}

// loadSchema loads the cached snapshot. With none usable it discovers one:
// in the background when wait is false (tools work meanwhile and are
// re-described when it lands), else before returning.
func (s *site) loadSchema(ctx context.Context, wait bool) {
	if _, err := s.schema.Load(); err == nil {
		return
	} else if !errors.Is(err, schema.ErrNoSnapshot) {
		s.log.Warn("schema cache unreadable; rediscovering", "err", err)
	}
	if wait {
		s.refreshSchema(ctx)
		return
	}
	go s.refreshSchema(context.WithoutCancel(ctx))
}

// refreshSchema discovers the schema and logs the outcome.
func (s *site) refreshSchema(ctx context.Context) (*schema.Snapshot, error) {
	snap, err := s.schema.Refresh(ctx, s.disc.Discover)
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

// newLogger logs to w at the named level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// toolFlags are the flags that select tools (serve, call, tools).
type toolFlags struct {
	readOnly bool
	tools    string
	exclude  string
}

func (f *toolFlags) options(products []mcp.Product, logger *slog.Logger) mcp.Options {
	return mcp.Options{
		Name: "atlassian-mcp", Version: buildVersion(), Products: products,
		ReadOnly: f.readOnly, Tools: splitList(f.tools), ExcludeTools: splitList(f.exclude), Logger: logger,
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
