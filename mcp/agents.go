package mcp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// Config is the agents config file (JSON): the tenants a server serves,
// the agents that may call it with their hashed bearer tokens, and the
// policies and sender directories that decide what each call may do. Every
// object takes an optional "comment" string for humans.
type Config struct {
	Comment string `json:"comment,omitempty"`
	// Tenants maps a tenant name to its connection and sender directory.
	Tenants map[string]*TenantConfig `json:"tenants"`
	// Policies are custom named policies an agent's profile may name.
	Policies map[string]Policy `json:"policies,omitempty"`
	// Agents are the callers, each bound to one tenant.
	Agents []*AgentConfig `json:"agents"`
	// Audit sets rotation and retention of every tenant's audit log.
	Audit AuditConfig `json:"audit,omitzero"`
}

// TenantConfig is one tenant: a connection in the data directory and who
// counts as internal or VIP for it.
type TenantConfig struct {
	Comment string `json:"comment,omitempty"`
	// Connection is the connection name (default: the tenant's name).
	Connection string `json:"connection,omitempty"`
	// BusinessDomains are verified business domains: their senders are
	// internal.
	BusinessDomains []string `json:"business_domains,omitempty"`
	// VIPs and BusinessOwners are email addresses of vip senders.
	VIPs           []string `json:"vips,omitempty"`
	BusinessOwners []string `json:"business_owners,omitempty"`
}

// Directory returns the sender directory of the tenant.
func (t *TenantConfig) Directory() *Directory {
	return &Directory{Domains: t.BusinessDomains, VIPs: slices.Concat(t.VIPs, t.BusinessOwners)}
}

// AgentConfig is one agent.
type AgentConfig struct {
	Comment string `json:"comment,omitempty"`
	Name    string `json:"name"`
	// TokenSHA256 is the hex SHA-256 of the agent's bearer token; the
	// token itself is never stored.
	TokenSHA256 string `json:"token_sha256"`
	Tenant      string `json:"tenant"`
	// Profile is aicos, assistant or the name of a policy in Policies.
	Profile string `json:"profile"`
	// Policy overrides entries of the profile's policy for this agent.
	Policy Policy `json:"policy,omitempty"`
	// Tools are the tools assigned to the agent (default: all the policy
	// names).
	Tools []string `json:"tools,omitempty"`
	// DefaultTier is the tier of calls that name no sender.
	DefaultTier Tier `json:"default_tier"`
	// Trusted agents may assert a sender's tier in _meta.
	Trusted bool `json:"trusted,omitempty"`
}

// AuditConfig sets audit log rotation and retention.
type AuditConfig struct {
	Comment string `json:"comment,omitempty"`
	// MaxMB rotates a tenant's log past this many MiB (default 64).
	MaxMB int `json:"max_mb,omitempty"`
	// MaxFiles keeps this many rotated files per tenant (default: all).
	MaxFiles int `json:"max_files,omitempty"`
	// MaxAgeDays removes rotated files older than this (default: never).
	MaxAgeDays int `json:"max_age_days,omitempty"`
}

// Options returns the audit options the config sets.
func (a AuditConfig) Options() AuditOptions {
	return AuditOptions{MaxBytes: int64(a.MaxMB) << 20, MaxFiles: a.MaxFiles, MaxAge: time.Duration(a.MaxAgeDays) * 24 * time.Hour}
}

var (
	agentName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// LoadConfig reads and validates the config file at path.
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// Save writes the config to path atomically (a new file renamed over the
// old one), readable by its owner only.
func (c *Config) Save(path string) error {
	if err := c.Validate(); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Validate checks names, hashes, tenants, profiles, policies and tools.
func (c *Config) Validate() error {
	for name, t := range c.Tenants {
		if err := ValidateTenant(name); err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("tenant %s: empty", name)
		}
		if t.Connection != "" && ValidateTenant(t.Connection) != nil {
			return fmt.Errorf("tenant %s: connection %q: use 1-64 letters, digits, '-' or '_'", name, t.Connection)
		}
		for _, d := range t.BusinessDomains {
			if d == "" || strings.ContainsAny(d, "@ /") {
				return fmt.Errorf("tenant %s: business domain %q: want a bare domain such as acme.com", name, d)
			}
		}
		for _, e := range slices.Concat(t.VIPs, t.BusinessOwners) {
			if at := strings.LastIndexByte(e, '@'); at <= 0 || at == len(e)-1 || strings.ContainsAny(e, " /") {
				return fmt.Errorf("tenant %s: %q is not an email address", name, e)
			}
		}
	}
	for name, p := range c.Policies {
		if name == ProfileAICOS || name == ProfileAssistant {
			return fmt.Errorf("policy %q: that name is a built-in profile", name)
		}
		if err := p.Validate(); err != nil {
			return fmt.Errorf("policy %s: %w", name, err)
		}
	}
	seen := map[string]bool{}
	hashes := map[string]bool{}
	for _, a := range c.Agents {
		if a == nil {
			return errors.New("an agent entry is empty")
		}
		if !agentName.MatchString(a.Name) {
			return fmt.Errorf("agent %q: use 1-64 letters, digits, '.', '-' or '_', starting with a letter or digit", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("agent %s: declared twice", a.Name)
		}
		seen[a.Name] = true
		if !sha256Hex.MatchString(a.TokenSHA256) {
			return fmt.Errorf("agent %s: token_sha256 must be 64 lowercase hex digits (create agents with 'atlassian-mcp agent add')", a.Name)
		}
		if hashes[a.TokenSHA256] {
			return fmt.Errorf("agent %s: shares its token with another agent", a.Name)
		}
		hashes[a.TokenSHA256] = true
		if _, ok := c.Tenants[a.Tenant]; !ok {
			return fmt.Errorf("agent %s: tenant %q is not declared under tenants", a.Name, a.Tenant)
		}
		if a.DefaultTier < External || a.DefaultTier > VIP {
			return fmt.Errorf("agent %s: default_tier: want external, internal or vip", a.Name)
		}
		if _, err := c.Identity(a); err != nil {
			return err
		}
	}
	return nil
}

// TenantNames lists the tenants, sorted.
func (c *Config) TenantNames() []string {
	var out []string
	for n := range c.Tenants {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// ConnectionOf returns the connection name of tenant.
func (c *Config) ConnectionOf(tenant string) string {
	if t := c.Tenants[tenant]; t != nil && t.Connection != "" {
		return t.Connection
	}
	return tenant
}

// Agent returns the agent called name, or nil.
func (c *Config) Agent(name string) *AgentConfig {
	for _, a := range c.Agents {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Identity builds the agent's identity: the profile's policy with the
// agent's overrides, its tools and its tenant's directory.
func (c *Config) Identity(a *AgentConfig) (*Identity, error) {
	var policy Policy
	if custom, ok := c.Policies[a.Profile]; ok {
		policy = clonePolicy(custom)
	} else {
		var err error
		if policy, err = ProfilePolicy(a.Profile); err != nil {
			return nil, fmt.Errorf("agent %s: %w", a.Name, err)
		}
	}
	if err := a.Policy.Validate(); err != nil {
		return nil, fmt.Errorf("agent %s: %w", a.Name, err)
	}
	for k, v := range a.Policy {
		policy[k] = v
	}
	for _, t := range a.Tools {
		if _, ok := policy[t]; !ok {
			return nil, fmt.Errorf("agent %s: tool %q is not in its policy; the policy names %s", a.Name, t, strings.Join(policyTools(policy), ", "))
		}
	}
	var dir *Directory
	if t := c.Tenants[a.Tenant]; t != nil {
		dir = t.Directory()
	}
	return &Identity{
		Agent: a.Name, Tenant: a.Tenant, Profile: a.Profile, Policy: policy,
		Tools: slices.Clone(a.Tools), DefaultTier: a.DefaultTier, Trusted: a.Trusted, Directory: dir,
	}, nil
}

func clonePolicy(p Policy) Policy {
	out := make(Policy, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

func policyTools(p Policy) []string {
	var out []string
	for _, n := range ToolNames() {
		if _, ok := p[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// TokenPrefix starts every agent token, so a leaked one is recognisable
// (and scannable) as an atlassian-mcp token.
const TokenPrefix = "amcp_"

// NewToken returns a new bearer token (256 random bits) and its hash for
// the config.
//
// A fast hash is enough: slow password hashes (bcrypt, argon2) exist to
// make guessing low-entropy passwords expensive, but a 256-bit random
// token cannot be guessed however fast each guess is, and a fast hash
// keeps per-request authentication cheap.
func NewToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of token, as the config stores it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticator maps bearer tokens to identities.
//
// Every presented token is hashed first, so whatever its length, the
// comparison is between two 32-byte digests; every registered digest is
// compared (constant time, no early exit), so neither the token's length
// nor which agent (if any) matched shows in the timing.
type Authenticator struct {
	agents []authAgent
	// compare is subtle.ConstantTimeCompare; tests observe it.
	compare func(a, b []byte) int
}

type authAgent struct {
	digest [sha256.Size]byte
	id     *Identity
}

// NewAuthenticator returns an authenticator for the config's agents.
func NewAuthenticator(c *Config) (*Authenticator, error) {
	a := &Authenticator{compare: subtle.ConstantTimeCompare}
	for _, ac := range c.Agents {
		id, err := c.Identity(ac)
		if err != nil {
			return nil, err
		}
		if err := a.Add(ac.TokenSHA256, id); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Add registers an identity under a hex SHA-256 token hash.
func (a *Authenticator) Add(tokenHash string, id *Identity) error {
	if a.compare == nil {
		a.compare = subtle.ConstantTimeCompare
	}
	raw, err := hex.DecodeString(tokenHash)
	if err != nil || len(raw) != sha256.Size {
		return fmt.Errorf("agent %s: token hash must be 64 hex digits", id.Agent)
	}
	var d [sha256.Size]byte
	copy(d[:], raw)
	a.agents = append(a.agents, authAgent{digest: d, id: id})
	return nil
}

// Authenticate returns the identity of an Authorization header value
// ("Bearer <token>"), or nil.
func (a *Authenticator) Authenticate(header string) *Identity {
	token, ok := bearerToken(header)
	sum := sha256.Sum256([]byte(token))
	var found *Identity
	for i := range a.agents {
		if a.compare(sum[:], a.agents[i].digest[:]) == 1 {
			found = a.agents[i].id
		}
	}
	if !ok {
		return nil
	}
	return found
}

// bearerToken extracts the token of a "Bearer" Authorization header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// GatewayOptions configure a Gateway.
type GatewayOptions struct {
	// Path is the MCP endpoint path ("/mcp").
	Path string
	// Auth authenticates every request. Required unless NoAuth is set.
	Auth *Authenticator
	// NoAuth, for local protocol testing only, serves every request as
	// this identity without authentication.
	NoAuth *Identity
	// SessionIdleTTL ends sessions idle this long (0: 30 minutes).
	SessionIdleTTL time.Duration
	// MaxRequestBytes bounds a request body (0: DefaultMaxRequestBytes); a
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
	opts     GatewayOptions
	tenants  map[string]*server.StreamableHTTPServer
	sessions map[string]*agentSessions
	log      *slog.Logger
}

// NewGateway returns a gateway over one server per tenant.
func NewGateway(servers map[string]*Server, opts GatewayOptions) (*Gateway, error) {
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
		opts.MaxRequestBytes = DefaultMaxRequestBytes
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
