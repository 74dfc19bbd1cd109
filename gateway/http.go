package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

// Options configure a Gateway.
type Options struct {
	// Path is the MCP endpoint path ("/mcp").
	Path string
	// Auth authenticates every request. Required unless NoAuth is set.
	Auth *Authenticator
	// NoAuth, for local protocol testing only, serves every request as
	// this identity without authentication.
	NoAuth *Identity
	// SessionIdleTTL ends sessions idle this long (0: 30 minutes).
	SessionIdleTTL time.Duration
	// MaxRequestBytes bounds a request body (0: mcp.DefaultMaxRequestBytes); a
	// larger one is answered 413 before it is decoded.
	MaxRequestBytes int64
	// AllowedOrigins are the browser origins (scheme://host[:port]) that
	// may call; a request with any other Origin header is refused with
	// 403. Requests without Origin (agents that are not browsers) pass.
	AllowedOrigins []string
	// Logger receives gateway logs; nil discards them.
	Logger *slog.Logger
}

// Gateway is the HTTP front of a multi-tenant server: it authenticates
// each request's bearer token, binds the request to the agent's tenant and
// routes it to that tenant's own MCP server. Sessions are bound to the
// agent that created them: another agent presenting the session id gets
// 404, as for an unknown session.
type Gateway struct {
	opts     Options
	tenants  map[string]*server.StreamableHTTPServer
	sessions map[string]*agentSessions
	log      *slog.Logger
}

// New returns a gateway over one server per tenant.
func New(servers map[string]*mcp.Server, opts Options) (*Gateway, error) {
	if opts.Auth == nil && opts.NoAuth == nil {
		return nil, errors.New("gateway: an authenticator is required")
	}
	if opts.Path == "" {
		opts.Path = "/mcp"
	}
	if opts.SessionIdleTTL == 0 {
		opts.SessionIdleTTL = 30 * time.Minute
	}
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = mcp.DefaultMaxRequestBytes
	}
	g := &Gateway{opts: opts, tenants: map[string]*server.StreamableHTTPServer{}, sessions: map[string]*agentSessions{}, log: opts.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	for tenant, srv := range servers {
		g.sessions[tenant] = &agentSessions{}
		g.tenants[tenant] = srv.HTTPHandler(opts.Path,
			server.WithSessionIdManagerResolver(g.sessions[tenant]),
			server.WithSessionIdleTTL(opts.SessionIdleTTL))
	}
	return g, nil
}

// unauthorized is the one answer to a missing or wrong token: it says
// nothing about which.
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="atlassian-mcp"`)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

// ServeHTTP checks the Origin, authenticates, checks the session is the
// caller's (GET and DELETE; mcp-go checks POST), bounds the body and
// routes one request.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !originAllowed(r, g.opts.AllowedOrigins) {
		g.log.Warn("request refused: Origin not allowed", "origin", r.Header.Get("Origin"), "remote", r.RemoteAddr)
		http.Error(w, fmt.Sprintf("Forbidden: Origin %q is not allowed; list it with serve --allowed-origins", r.Header.Get("Origin")), http.StatusForbidden)
		return
	}
	id := g.opts.NoAuth
	if g.opts.Auth != nil {
		id = g.opts.Auth.Authenticate(r.Header.Get("Authorization"))
	}
	if id == nil {
		g.log.Debug("request refused: no valid bearer token", "remote", r.RemoteAddr)
		unauthorized(w)
		return
	}
	h := g.tenants[id.Tenant]
	if h == nil {
		g.log.Error("agent's tenant is not served", "agent", id.Agent, "tenant", id.Tenant)
		http.Error(w, "this agent's connection is not served here", http.StatusServiceUnavailable)
		return
	}
	if sessionRequest(r) {
		switch sid := r.Header.Get(server.HeaderKeySessionID); {
		case sid == "":
			http.Error(w, "Bad Request: Mcp-Session-Id header required (initialize first)", http.StatusBadRequest)
			return
		case !g.sessions[id.Tenant].owns(id.Agent, sid):
			http.Error(w, "Session not found", http.StatusNotFound)
			return
		}
	}
	if !readLimitedBody(w, r, g.opts.MaxRequestBytes) {
		g.log.Warn("request refused: body over the limit", "agent", id.Agent, "limit", g.opts.MaxRequestBytes)
		return
	}
	h.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), id)))
}

// Shutdown closes every tenant's sessions.
func (g *Gateway) Shutdown(ctx context.Context) error {
	var errs []error
	for _, h := range g.tenants {
		errs = append(errs, h.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// agentSessions is a session id manager per request: ids are random, and
// each is bound to the agent whose request created it. An ended session is
// forgotten, so it answers 404 like any unknown one.
type agentSessions struct {
	mu    sync.Mutex
	owner map[string]string
}

// ResolveSessionIdManager returns a manager acting for the request's
// agent; a nil request (the server's own housekeeping) acts for all.
func (s *agentSessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	m := &boundSessions{s: s, internal: r == nil}
	if r != nil {
		if id := IdentityFrom(r.Context()); id != nil {
			m.agent = id.Agent
		}
	}
	return m
}

// owns reports whether session id exists and is agent's.
func (s *agentSessions) owns(agent, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, ok := s.owner[id]
	return ok && owner == agent
}

type boundSessions struct {
	s        *agentSessions
	agent    string
	internal bool
}

const sessionPrefix = "mcp-session-"

func (b *boundSessions) Generate() string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	id := sessionPrefix + hex.EncodeToString(raw[:])
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if b.s.owner == nil {
		b.s.owner = map[string]string{}
	}
	b.s.owner[id] = b.agent
	return id
}

var errNoSession = errors.New("session not found")

func (b *boundSessions) Validate(id string) (bool, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	owner, ok := b.s.owner[id]
	if !ok || (!b.internal && owner != b.agent) {
		return false, errNoSession
	}
	return false, nil
}

func (b *boundSessions) Terminate(id string) (bool, error) {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	owner, ok := b.s.owner[id]
	if !ok {
		return false, nil
	}
	if !b.internal && owner != b.agent {
		return true, nil
	}
	delete(b.s.owner, id)
	return false, nil
}
