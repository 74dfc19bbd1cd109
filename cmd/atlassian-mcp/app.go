package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/site"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// openSite wires the named connection of the token store (site.Open) with
// this binary's user agent.
func openSite(ctx context.Context, store *tokenstore.Store, name string, logger *slog.Logger) (*site.Site, error) {
	return site.Open(ctx, store, name, site.Options{Logger: logger, UserAgent: "atlassian-mcp/" + buildVersion(), Snapshots: snapshotsOf(store)})
}

// openSite is openSite for serving tools: the transport waits for answers
// at least as long as --call-timeout.
func (f *toolFlags) openSite(ctx context.Context, store *tokenstore.Store, name string, logger *slog.Logger) (*site.Site, error) {
	return site.Open(ctx, store, name, site.Options{Logger: logger, UserAgent: "atlassian-mcp/" + buildVersion(), CallTimeout: f.callTimeout})
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
	readOnly    bool
	tools       string
	exclude     string
	callTimeout time.Duration
}

func (f *toolFlags) options(products []mcp.Product, logger *slog.Logger) mcp.Options {
	return mcp.Options{
		Name: "atlassian-mcp", Version: buildVersion(), Products: products,
		ReadOnly: f.readOnly, Tools: splitList(f.tools), ExcludeTools: splitList(f.exclude), Logger: logger,
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
