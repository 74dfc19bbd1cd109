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
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian/atlassiantest"
	"github.com/atlassian-mcp/atlassian-mcp/mcp"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runServe(ctx context.Context, s streams, args []string) int {
	fs := newFlags(s, "serve", "[flags]", `Serve the Atlassian tools over MCP: stdio by default (nothing but JSON-RPC on
stdout; logs on stderr), or streamable HTTP at /mcp with --http.

With --sandbox it starts an in-process sandbox site, connects to it through
the real OAuth flow over HTTP, discovers its schema and serves it: the
zero-setup way to try the product.`)
	o := addServeFlags(fs)
	httpAddr := fs.String("http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "serve: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	logger, err := newLogger(s.err, o.logLevel)
	if err != nil {
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitUsage
	}
	if *httpAddr != "" {
		if err := checkLoopback(*httpAddr); err != nil {
			fmt.Fprintf(s.err, "serve: %v\n", err)
			return exitUsage
		}
	}
	st, cleanup, err := o.open(ctx, s, logger)
	if err != nil {
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitFailure
	}
	defer cleanup()
	st.loadSchema(ctx, false)
	srv, err := mcp.NewServer(mcp.AllTools(st.deps), st.schema, o.tools.options(st.products(), logger))
	if err != nil {
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitUsage
	}
	if *httpAddr != "" {
		return serveHTTP(ctx, s, srv, *httpAddr, logger)
	}
	logger.Info("serving MCP over stdio", "connection", st.conn.Name, "site", st.conn.Site.URL, "tools", len(srv.Offered()))
	if err := srv.ServeStdio(ctx, s.in, s.out); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// serveOptions are the flags serve, call and tools share.
type serveOptions struct {
	store    *storeFlags
	tools    toolFlags
	sandbox  bool
	logLevel string
}

func addServeFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{store: addStoreFlags(fs)}
	fs.BoolVar(&o.sandbox, "sandbox", false, "start an in-process sandbox site and connect to it (a temporary data directory unless --data-dir is given; connection \"sandbox\")")
	fs.BoolVar(&o.tools.readOnly, "read-only", false, "offer only the read-only tools")
	fs.StringVar(&o.tools.tools, "tools", "", "comma-separated tool names to offer (default: all the site's products have)")
	fs.StringVar(&o.tools.exclude, "exclude-tools", "", "comma-separated tool names not to offer")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	return o
}

// open opens the connection to serve, first creating it against an
// in-process sandbox with --sandbox. cleanup stops what open started.
func (o *serveOptions) open(ctx context.Context, s streams, logger *slog.Logger) (*site, func(), error) {
	cleanup := func() {}
	if o.sandbox {
		var err error
		if cleanup, err = startSandbox(ctx, s, o.store, logger); err != nil {
			return nil, nil, err
		}
	}
	store, err := o.store.openStore()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	st, err := openSite(ctx, store, o.store.connection, logger)
	if errors.Is(err, tokenstore.ErrNotFound) {
		err = fmt.Errorf("%w: run 'atlassian-mcp connect' first, or try the sandbox with --sandbox", err)
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
// --data-dir or the environment names one).
func startSandbox(ctx context.Context, s streams, sf *storeFlags, logger *slog.Logger) (func(), error) {
	site, err := atlassiantest.Start(atlassiantest.WithAutoApprove())
	if err != nil {
		return nil, fmt.Errorf("start the sandbox: %w", err)
	}
	stops := []func(){site.Close}
	cleanup := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if sf.dataDir == "" && os.Getenv(envDataDir) == "" {
		dir, err := os.MkdirTemp("", "atlassian-mcp-sandbox-")
		if err != nil {
			cleanup()
			return nil, err
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
		return nil, err
	}
	site.RegisterRedirectURI(redirect)
	browser := &http.Client{Timeout: 30 * time.Second}
	play := func(u string) error {
		resp, err := browser.Get(u)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	// connect's report goes to stderr: in stdio mode stdout is the protocol's.
	quiet := streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard}
	if logger.Enabled(ctx, slog.LevelDebug) {
		quiet.out, quiet.err = s.err, s.err
	}
	err = connect(ctx, quiet, connectOptions{
		store: sf, clientID: site.ClientID, clientSecret: site.ClientSecret,
		authURL: site.URL, apiURL: site.URL, redirectURI: redirect,
		timeout: time.Minute, browse: play, log: logger,
	})
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("connect to the sandbox: %w", err)
	}
	logger.Info("sandbox site connected", "url", site.URL, "site", site.SiteName, "connection", sf.connection, "data_dir", sf.dataDir)
	return cleanup, nil
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

// checkLoopback refuses to serve HTTP beyond this machine: until agents
// authenticate with bearer tokens (issue 8), the HTTP server has no
// authentication, so only loopback addresses are allowed.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--http %q: want host:port, e.g. 127.0.0.1:8080", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--http %q: the HTTP server has no agent authentication yet, so it only listens on loopback addresses (127.0.0.1, ::1, localhost)", addr)
}

// serveHTTP serves streamable HTTP at /mcp until ctx ends, then shuts down
// gracefully.
func serveHTTP(ctx context.Context, s streams, srv *mcp.Server, addr string, logger *slog.Logger) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitFailure
	}
	h := srv.HTTPHandler("/mcp")
	mux := http.NewServeMux()
	mux.Handle("/mcp", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(s.err, "Serving MCP over streamable HTTP at http://%s/mcp (Ctrl-C to stop)\n", ln.Addr())
	logger.Info("serving MCP over streamable HTTP", "addr", ln.Addr().String(), "tools", len(srv.Offered()))
	select {
	case err := <-done:
		fmt.Fprintf(s.err, "serve: %v\n", err)
		return exitFailure
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = h.Shutdown(shutdown)
	if err := hs.Shutdown(shutdown); err != nil {
		fmt.Fprintf(s.err, "serve: shutdown: %v\n", err)
		return exitFailure
	}
	return exitOK
}
