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
	"sync/atomic"
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
	// Sessions, when set, records session ownership where every replica
	// sees it (pgstore), so any replica serves any session's requests and
	// a load balancer need not pin sessions. Nil keeps sessions in this
	// process.
	Sessions SessionStore
	// Logger receives gateway logs; nil discards them.
	Logger *slog.Logger
}

// SessionStore records which agent owns each streamable-HTTP session, for
// several replicas behind one load balancer. The state a replica needs to
// serve a session is only this: mcp-go serves a request of a session it
// did not create with a per-request session, and notifications reach the
// client through the GET stream of whichever replica holds it.
type SessionStore interface {
	// Create records that agent owns session id of tenant.
	Create(ctx context.Context, tenant, id, agent string) error
	// Owner returns the agent owning session id of tenant, marking it
	// active, or "" when there is no such session (or it ended).
	Owner(ctx context.Context, tenant, id string) (string, error)
	// Delete ends session id of tenant everywhere.
	Delete(ctx context.Context, tenant, id string) error
}

// Gateway is the HTTP front of a multi-tenant server: it authenticates
// each request's bearer token, binds the request to the agent's tenant and
// routes it to that tenant's own MCP server. Sessions are bound to the
// agent that created them: another agent presenting the session id gets
// 404, as for an unknown session.
//
// The authenticator and the tenants can change while it serves (a config
// reload, a site connected or disconnected in the admin console): each
// request sees one consistent authenticator.
type Gateway struct {
	opts    Options
	auth    atomic.Pointer[Authenticator]
	mu      sync.RWMutex // guards tenants
	tenants map[string]*tenantRoute
	log     *slog.Logger
}

// tenantRoute is one tenant's MCP handler and its sessions' owners.
type tenantRoute struct {
	h        *server.StreamableHTTPServer
	sessions *agentSessions
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
	g := &Gateway{opts: opts, tenants: map[string]*tenantRoute{}, log: opts.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if opts.Auth != nil {
		g.auth.Store(opts.Auth)
	}
	for tenant, srv := range servers {
		g.tenants[tenant] = g.route(tenant, srv)
	}
	return g, nil
}

func (g *Gateway) route(tenant string, srv *mcp.Server) *tenantRoute {
	rt := &tenantRoute{sessions: &agentSessions{tenant: tenant, shared: g.opts.Sessions, log: g.log}}
	rt.h = srv.HTTPHandler(g.opts.Path,
		server.WithSessionIdManagerResolver(rt.sessions),
		server.WithSessionIdleTTL(g.opts.SessionIdleTTL))
	return rt
}

// SetAuthenticator replaces the authenticator: requests from now on are
// authenticated by a (a reloaded agents config). Sessions stay bound to
// their agents.
func (g *Gateway) SetAuthenticator(a *Authenticator) {
	if a != nil {
		g.auth.Store(a)
	}
}

// AddTenant starts routing tenant's agents to srv. A tenant served already
// keeps its server (it returns false): replace one with RemoveTenant first.
func (g *Gateway) AddTenant(tenant string, srv *mcp.Server) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.tenants[tenant]; ok {
		return false
	}
	g.tenants[tenant] = g.route(tenant, srv)
	return true
}

// RemoveTenant stops serving tenant and closes its sessions.
func (g *Gateway) RemoveTenant(ctx context.Context, tenant string) error {
	g.mu.Lock()
	rt := g.tenants[tenant]
	delete(g.tenants, tenant)
	g.mu.Unlock()
	if rt == nil {
		return nil
	}
	return rt.h.Shutdown(ctx)
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
	if a := g.auth.Load(); a != nil {
		id = a.Authenticate(r.Header.Get("Authorization"))
	}
	if id == nil {
		g.log.Debug("request refused: no valid bearer token", "remote", r.RemoteAddr)
		unauthorized(w)
		return
	}
	g.mu.RLock()
	rt := g.tenants[id.Tenant]
	g.mu.RUnlock()
	if rt == nil {
		g.log.Error("agent's tenant is not served", "agent", id.Agent, "tenant", id.Tenant)
		http.Error(w, "this agent's connection is not served here", http.StatusServiceUnavailable)
		return
	}
	if sessionRequest(r) {
		switch sid := r.Header.Get(server.HeaderKeySessionID); {
		case sid == "":
			http.Error(w, "Bad Request: Mcp-Session-Id header required (initialize first)", http.StatusBadRequest)
			return
		default:
			switch owns, err := rt.sessions.owns(id.Agent, sid); {
			case err != nil:
				g.log.Error("session store unreachable", "err", err)
				http.Error(w, "Service Unavailable: the session store does not answer; try again", http.StatusServiceUnavailable)
				return
			case !owns:
				http.Error(w, "Session not found", http.StatusNotFound)
				return
			}
		}
	}
	if !readLimitedBody(w, r, g.opts.MaxRequestBytes) {
		g.log.Warn("request refused: body over the limit", "agent", id.Agent, "limit", g.opts.MaxRequestBytes)
		return
	}
	rt.h.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), id)))
}

// Shutdown closes every tenant's sessions.
func (g *Gateway) Shutdown(ctx context.Context) error {
	var errs []error
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, rt := range g.tenants {
		errs = append(errs, rt.h.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// agentSessions is a session id manager per request: ids are random, and
// each is bound to the agent whose request created it. An ended session is
// forgotten, so it answers 404 like any unknown one. With a shared store,
// ownership lives there and the local map is a cache re-checked every
// sessionRecheck, so a session ended on another replica ends here too.
type agentSessions struct {
	tenant string
	shared SessionStore
	log    *slog.Logger
	mu     sync.Mutex
	owner  map[string]localSession
}

type localSession struct {
	agent   string
	checked time.Time
}

// sessionRecheck is how long a replica trusts its cached ownership of a
// shared session before asking the store again (which also marks the
// session active for the others).
const sessionRecheck = 30 * time.Second

// sessionStoreTimeout bounds one call to the shared session store.
const sessionStoreTimeout = 5 * time.Second

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

// lookup returns the agent owning session id ("" for none), from the
// local cache or the shared store.
func (s *agentSessions) lookup(id string) (string, error) {
	s.mu.Lock()
	l, ok := s.owner[id]
	s.mu.Unlock()
	if s.shared == nil || (ok && time.Since(l.checked) < sessionRecheck) {
		return l.agent, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionStoreTimeout)
	defer cancel()
	agent, err := s.shared.Owner(ctx, s.tenant, id)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if agent == "" {
		delete(s.owner, id)
		return "", nil
	}
	if s.owner == nil {
		s.owner = map[string]localSession{}
	}
	s.owner[id] = localSession{agent: agent, checked: time.Now()}
	return agent, nil
}

// owns reports whether session id exists and is agent's.
func (s *agentSessions) owns(agent, id string) (bool, error) {
	owner, err := s.lookup(id)
	return err == nil && owner != "" && owner == agent, err
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
	if sh := b.s.shared; sh != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sessionStoreTimeout)
		defer cancel()
		if err := sh.Create(ctx, b.s.tenant, id, b.agent); err != nil {
			// The session still works on this replica; others answer 404.
			b.s.log.Error("session store: could not record a new session", "err", err)
		}
	}
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	if b.s.owner == nil {
		b.s.owner = map[string]localSession{}
	}
	b.s.owner[id] = localSession{agent: b.agent, checked: time.Now()}
	return id
}

var errNoSession = errors.New("session not found")

func (b *boundSessions) Validate(id string) (bool, error) {
	owner, err := b.s.lookup(id)
	if err != nil {
		return false, err
	}
	if owner == "" || (!b.internal && owner != b.agent) {
		return false, errNoSession
	}
	return false, nil
}

// Terminate ends a session. The server's own idle sweep (internal) only
// forgets it here: with a shared store the client may be active on
// another replica, and the store's own idle TTL ends it there.
func (b *boundSessions) Terminate(id string) (bool, error) {
	owner, err := b.s.lookup(id)
	if err != nil {
		return false, err
	}
	if owner == "" {
		return false, nil
	}
	if !b.internal && owner != b.agent {
		return true, nil
	}
	b.s.mu.Lock()
	delete(b.s.owner, id)
	b.s.mu.Unlock()
	if sh := b.s.shared; sh != nil && !b.internal {
		ctx, cancel := context.WithTimeout(context.Background(), sessionStoreTimeout)
		defer cancel()
		if err := sh.Delete(ctx, b.s.tenant, id); err != nil {
			return false, err
		}
	}
	return false, nil
}
