package mcp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Options select and shape the tools a Server offers.
type Options struct {
	// Name and Version identify the server to clients.
	Name, Version string
	// Products are the products of the connection. A snapshot's products,
	// re-detected on every refresh, take over once one exists.
	Products []Product
	// ReadOnly offers only the read-only tools.
	ReadOnly bool
	// Tools, when set, offers only these tools; ExcludeTools removes some.
	Tools, ExcludeTools []string
	// Middleware wraps every tool handler, outermost first (access control
	// and audit plug in here).
	Middleware []server.ToolHandlerMiddleware
	// ToolFilter, when set, decides per request which tools the caller sees
	// and may call (mcp-go applies it to tools/list and tools/call).
	ToolFilter server.ToolFilterFunc
	// Hooks, when set, observe requests (the audit log uses them to record
	// calls the tool filter refused).
	Hooks *server.Hooks
	// Logger receives server logs; nil discards them.
	Logger *slog.Logger
	// MaxRequestBytes bounds one stdio line, a JSON-RPC message (0:
	// DefaultMaxRequestBytes). A longer line is answered with a JSON-RPC
	// error and serving goes on.
	MaxRequestBytes int64
	// CallTimeout is the deadline of every tool call (0: 30s for reads,
	// 60s for writes), Atlassian requests, limiter and retry waits included.
	CallTimeout time.Duration
}

// Server is the MCP server over a set of tools. It re-describes and
// re-registers its tools whenever the schema snapshot changes, which sends
// notifications/tools/list_changed to connected clients.
type Server struct {
	mcp   *server.MCPServer
	tools []*Tool
	opts  Options
	log   *slog.Logger

	mu        sync.Mutex // serialises registrations
	offered   []string
	withdrawn bool
}

// NewServer returns a server offering the selected tools, described from
// store's current snapshot (and each later one). store may be nil.
func NewServer(tools []*Tool, store *schema.Store, opts Options) (*Server, error) {
	names := make([]string, len(tools))
	for i, t := range tools {
		names[i] = t.Name
	}
	for _, n := range slices.Concat(opts.Tools, opts.ExcludeTools) {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("unknown tool %q; the tools are %s", n, strings.Join(names, ", "))
		}
	}
	if opts.Name == "" {
		opts.Name = "atlassian-mcp"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{tools: tools, opts: opts, log: logger}
	serverOpts := []server.ServerOption{
		server.WithToolCapabilities(true),
		server.WithInstructions(instructions),
	}
	// Recovery runs innermost so a panic anywhere in a handler becomes an
	// isError result that other middleware (audit) still sees.
	for _, mw := range opts.Middleware {
		serverOpts = append(serverOpts, server.WithToolHandlerMiddleware(mw))
	}
	serverOpts = append(serverOpts, server.WithToolHandlerMiddleware(s.deadline), server.WithToolHandlerMiddleware(s.recover))
	if opts.ToolFilter != nil {
		serverOpts = append(serverOpts, server.WithToolFilter(opts.ToolFilter))
	}
	if opts.Hooks != nil {
		serverOpts = append(serverOpts, server.WithHooks(opts.Hooks))
	}
	s.mcp = server.NewMCPServer(opts.Name, opts.Version, serverOpts...)

	var snap *schema.Snapshot
	if store != nil {
		snap = store.Current()
		store.Subscribe(s.register)
	}
	s.register(snap)
	return s, nil
}

const instructions = "Tools for one Atlassian Cloud site: Jira issues (search with JQL, read, create, update, " +
	"comment, log work, link) and Confluence pages (search with CQL, read, create). Arguments and answers " +
	"are markdown; tool descriptions name the site's real projects, fields and spaces."

// MCP returns the underlying mcp-go server.
func (s *Server) MCP() *server.MCPServer { return s.mcp }

// Offered lists the names of the tools currently offered.
func (s *Server) Offered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.offered)
}

// selected reports whether t is offered for a site with products.
func (s *Server) selected(t *Tool, products []Product) bool {
	switch {
	case !slices.Contains(products, t.Product):
		return false
	case s.opts.ReadOnly && t.Kind != ReadOnly:
		return false
	case len(s.opts.Tools) > 0 && !slices.Contains(s.opts.Tools, t.Name):
		return false
	case slices.Contains(s.opts.ExcludeTools, t.Name):
		return false
	}
	return true
}

// register (re)describes the selected tools for snap and replaces the
// offered set with them.
func (s *Server) register(snap *schema.Snapshot) {
	products := s.opts.Products
	if snap != nil && len(snap.Products) > 0 {
		products = snap.Products
	}
	var entries []server.ServerTool
	var offered []string
	for _, t := range s.tools {
		if s.selected(t, products) {
			entries = append(entries, server.ServerTool{Tool: t.Definition(snap), Handler: t.Handler})
			offered = append(offered, t.Name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.withdrawn {
		return
	}
	s.mcp.SetTools(entries...)
	s.offered = offered
	s.log.Info("tools registered", "tools", len(offered), "schema", snap != nil)
}

// Withdraw removes every tool for good (the connection is gone):
// connected clients get notifications/tools/list_changed and an empty
// list, and later snapshots register nothing.
func (s *Server) Withdraw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withdrawn = true
	s.mcp.SetTools()
	s.offered = nil
	s.log.Info("tools withdrawn")
}

// ToolsChanged tells connected clients that their tool list may have
// changed (an agent's assignment changed), so they list it again.
func (s *Server) ToolsChanged() {
	s.mcp.SendNotificationToAllClients(mcpgo.MethodNotificationToolsListChanged, nil)
}

// recover turns a panic in a tool handler into an isError result and a log
// line with the stack, so no panic reaches a client.
func (s *Server) recover(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcpgo.CallToolRequest) (res *mcpgo.CallToolResult, err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("tool handler panicked", "tool", req.Params.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				res, err = mcpgo.NewToolResultError("internal error in "+req.Params.Name+"; the call may not have completed, check before retrying"), nil
			}
		}()
		return next(ctx, req)
	}
}

// ServeStdio serves the protocol on in/out until ctx ends or in closes.
// Nothing but JSON-RPC is written to out. A line longer than
// Options.MaxRequestBytes is refused with a JSON-RPC error without being
// held in memory whole. When in closes, the requests already read are
// answered before ServeStdio returns (within the longest call deadline
// and a grace; see inflight); ending ctx ends them at once.
func (s *Server) ServeStdio(ctx context.Context, in io.Reader, out io.Writer) error {
	max := s.opts.MaxRequestBytes
	if max <= 0 {
		max = DefaultMaxRequestBytes
	}
	track := newInflight()
	locked := &lockedWriter{w: out, track: track}
	lines := &lineLimiter{in: bufio.NewReaderSize(in, 64<<10), out: locked, max: int(max), onDrop: func(size int) {
		s.log.Warn("stdio message refused: over the limit", "bytes", size, "limit", max)
	}, track: track, atEnd: func() { track.drain(ctx, s.longestCall()+drainGrace) }}
	stdio := server.NewStdioServer(s.mcp)
	stdio.SetErrorLogger(log.New(slogWriter{s.log}, "", 0))
	return stdio.Listen(ctx, lines, locked)
}

// slogWriter adapts mcp-go's *log.Logger output to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn(strings.TrimSpace(string(p)))
	return len(p), nil
}

// HTTPHandler serves the protocol as streamable HTTP at path (e.g. "/mcp")
// with stateful sessions (a deleted session is gone) and DNS-rebinding
// protection for loopback listeners. opts are applied last (the agent
// gateway binds sessions to agents with them). Close the returned server's
// sessions with its Shutdown when the listener stops.
func (s *Server) HTTPHandler(path string, opts ...server.StreamableHTTPOption) *server.StreamableHTTPServer {
	return server.NewStreamableHTTPServer(s.mcp, append([]server.StreamableHTTPOption{
		server.WithEndpointPath(path),
		server.WithStateful(true),
		server.WithStreamableHTTPLogger(s.log),
	}, opts...)...)
}
