package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/metrics"
	"github.com/atlassian-mcp/atlassian-mcp/site"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// openSite wires the named connection of the token store (site.Open) with
// this binary's user agent.
// With m, Atlassian responses and retries are counted in the metrics.
func openSite(ctx context.Context, store *tokenstore.Store, name string, logger *slog.Logger, m *metrics.Metrics) (*site.Site, error) {
	return site.Open(ctx, store, name, siteOptions(store, logger, m))
}

// siteOptions are the site options every command opens a site with: this
// binary's user agent, the snapshots beside the store's connections and,
// with m, Atlassian responses and retries counted.
func siteOptions(store *tokenstore.Store, logger *slog.Logger, m *metrics.Metrics) site.Options {
	o := site.Options{Logger: logger, UserAgent: "atlassian-mcp/" + buildVersion(), Snapshots: snapshotsOf(store)}
	if m != nil {
		o.WrapTransport = m.Transport
		o.ClientOptions = []atlassian.Option{atlassian.WithRetryHook(m.Retried)}
	}
	return o
}

// openSite is openSite for serving tools: the transport waits for answers
// at least as long as --call-timeout.
func (f *toolFlags) openSite(ctx context.Context, store *tokenstore.Store, name string, logger *slog.Logger, m *metrics.Metrics) (*site.Site, error) {
	o := siteOptions(store, logger, m)
	o.CallTimeout = f.callTimeout
	return site.Open(ctx, store, name, o)
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
	// tools and exclude are full tool names (atlassian_jira_search): the
	// flags take them short or in full (fullToolNames).
	tools       []string
	exclude     []string
	callTimeout time.Duration
}

// toolListFlag is a flag's comma-separated tool names, short or full,
// checked and stored in full into *dst.
func toolListFlag(dst *[]string) func(string) error {
	return func(v string) error {
		names, err := fullToolNames(splitList(v))
		if err != nil {
			return err
		}
		*dst = names
		return nil
	}
}

func (f *toolFlags) options(products []mcp.Product, logger *slog.Logger) mcp.Options {
	return mcp.Options{
		Name: "atlassian-mcp", Version: buildVersion(), Products: products,
		ReadOnly: f.readOnly, Tools: f.tools, ExcludeTools: f.exclude, Logger: logger,
		CallTimeout: f.callTimeout,
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
