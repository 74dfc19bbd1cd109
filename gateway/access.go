package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

// Tier is how far a sender behind a call is trusted: External < Internal <
// VIP. The zero value is no tier.
type Tier int

// The tiers.
const (
	// External senders (anyone outside the business) trigger no tool.
	External Tier = iota + 1
	// Internal senders write from a verified business domain.
	Internal
	// VIP senders are VIP contacts and business owners.
	VIP
)

// String returns the tier's name as configs and audit entries spell it.
func (t Tier) String() string {
	switch t {
	case External:
		return "external"
	case Internal:
		return "internal"
	case VIP:
		return "vip"
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

// ParseTier parses "external", "internal" or "vip" (any case).
func ParseTier(s string) (Tier, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "external":
		return External, nil
	case "internal":
		return Internal, nil
	case "vip":
		return VIP, nil
	}
	return 0, fmt.Errorf("tier %q: want external, internal or vip", s)
}

// MarshalText writes the tier's name.
func (t Tier) MarshalText() ([]byte, error) {
	if t < External || t > VIP {
		return nil, fmt.Errorf("invalid tier %d", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses a tier's name.
func (t *Tier) UnmarshalText(b []byte) error {
	v, err := ParseTier(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// The profiles with a built-in policy (TOOLS.md, "Access tiers").
const (
	// ProfileAICOS is the AI chief of staff: reads need internal, writes vip.
	ProfileAICOS = "aicos"
	// ProfileAssistant is the personal assistant: everything needs internal.
	ProfileAssistant = "assistant"
)

// readTools and writeTools are the eight tools by side effect; a test
// checks they match the Kind of every tool in AllTools.
var (
	readTools = []string{
		"atlassian_jira_search", "atlassian_jira_get_issue",
		"atlassian_confluence_search", "atlassian_confluence_get_page",
	}
	writeTools = []string{
		"atlassian_jira_create_issue", "atlassian_jira_update_issue", "atlassian_jira_manage_issue",
		"atlassian_confluence_create_page",
	}
)

// ToolNames lists the eight tools of TOOLS.md in their public order.
func ToolNames() []string {
	return []string{
		"atlassian_jira_search", "atlassian_jira_get_issue", "atlassian_jira_create_issue",
		"atlassian_jira_update_issue", "atlassian_jira_manage_issue",
		"atlassian_confluence_search", "atlassian_confluence_get_page", "atlassian_confluence_create_page",
	}
}

// Policy maps a tool name to the lowest sender tier that may trigger it. A
// tool the policy does not name cannot be triggered by anyone. Policies are
// data: a profile gives a default one and an agent's config may override
// any entry.
type Policy map[string]Tier

// ProfilePolicy returns a copy of the built-in policy of profile (aicos or
// assistant).
func ProfilePolicy(profile string) (Policy, error) {
	p := Policy{}
	switch profile {
	case ProfileAICOS:
		for _, n := range readTools {
			p[n] = Internal
		}
		for _, n := range writeTools {
			p[n] = VIP
		}
	case ProfileAssistant:
		for _, n := range slices.Concat(readTools, writeTools) {
			p[n] = Internal
		}
	default:
		return nil, fmt.Errorf("profile %q: want %s, %s or the name of a policy in the config", profile, ProfileAICOS, ProfileAssistant)
	}
	return p, nil
}

// Validate checks every entry names a known tool and a tier that can
// trigger something: external senders trigger nothing, so no entry may
// require only "external".
func (p Policy) Validate() error {
	for name, tier := range p {
		if !slices.Contains(ToolNames(), name) {
			return fmt.Errorf("policy names unknown tool %q; the tools are %s", name, strings.Join(ToolNames(), ", "))
		}
		if tier != Internal && tier != VIP {
			return fmt.Errorf("policy for %s: tier %v; want internal or vip (external senders trigger nothing)", name, tier)
		}
	}
	return nil
}

// Identity is who is calling: the authenticated agent, the tenant it is
// bound to, what it may call and how its senders are tiered.
type Identity struct {
	// Agent and Tenant name the caller and its connection.
	Agent, Tenant string
	// Profile names the policy's origin (aicos, assistant or a custom one).
	Profile string
	// Policy is the effective policy: tool -> lowest tier allowed.
	Policy Policy
	// Tools are the tools assigned to the agent; empty means every tool
	// the policy names.
	Tools []string
	// DefaultTier is the tier of a call whose _meta names no sender.
	DefaultTier Tier
	// Trusted agents may assert a sender's tier in _meta.
	Trusted bool
	// Directory tiers senders by email; with none, an email leaves the
	// call at DefaultTier.
	Directory *Directory
}

// Assigned reports whether the agent may see and call tool at all (before
// the sender's tier is considered).
func (id *Identity) Assigned(tool string) bool {
	if _, ok := id.Policy[tool]; !ok {
		return false
	}
	return len(id.Tools) == 0 || slices.Contains(id.Tools, tool)
}

// Owner is the identity of the local user of a stdio server: the owner of
// the connection, a VIP with every tool.
func Owner(tenant string) *Identity {
	p := Policy{}
	for _, n := range ToolNames() {
		p[n] = Internal
	}
	return &Identity{Agent: "local", Tenant: tenant, Profile: "owner", Policy: p, DefaultTier: VIP}
}

type identityKey struct{}

// WithIdentity returns ctx carrying id; the access middleware reads it.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity ctx carries, or nil.
func IdentityFrom(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}

// Directory tiers senders for one tenant: its VIP contacts and business
// owners are vip; any address at one of its verified business domains is
// internal; everyone else is external.
type Directory struct {
	// Domains are the verified business domains ("acme.com"); an address
	// matches its exact domain only, not subdomains.
	Domains []string
	// VIPs are VIP contacts' and business owners' email addresses.
	VIPs []string
}

// TierOf returns the tier of the sender with email.
func (d *Directory) TierOf(email string) Tier {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if d == nil || at <= 0 || at == len(email)-1 {
		return External
	}
	for _, v := range d.VIPs {
		if strings.EqualFold(v, email) {
			return VIP
		}
	}
	domain := email[at+1:]
	for _, dom := range d.Domains {
		if strings.EqualFold(dom, domain) {
			return Internal
		}
	}
	return External
}

// Sender is who asked the agent to make a call, as the agent runtime passes
// it in the request's _meta:
//
//	{"_meta": {"sender": {"email": "ana@acme.com", "name": "Ana", "tier": "vip"},
//	           "executionId": "run-42"}}
//
// "tier" counts only from agents marked trusted.
type Sender struct {
	Email string
	Name  string
	// Tier is the tier the call runs with, and TierSource where it came
	// from: "directory", "asserted" (a trusted agent), "default" (no
	// sender) or "owner" (stdio's local user).
	Tier       Tier
	TierSource string
}

// metaMap returns the request's _meta fields.
func metaMap(req mcpgo.CallToolRequest) map[string]any {
	if req.Params.Meta == nil {
		return nil
	}
	return req.Params.Meta.AdditionalFields
}

// ResolveSender works out the sender of req and its tier for id.
func ResolveSender(id *Identity, req mcpgo.CallToolRequest) Sender {
	s := Sender{Tier: id.DefaultTier, TierSource: "default"}
	if id.Profile == "owner" {
		s.TierSource = "owner"
	}
	raw, _ := metaMap(req)["sender"].(map[string]any)
	if raw == nil {
		return s
	}
	email, _ := raw["email"].(string)
	name, _ := raw["name"].(string)
	s.Email, s.Name = metaString(email, 254), metaString(name, 100)
	// Without a directory (stdio's owner) an email names the sender but
	// does not change the tier.
	if s.Email != "" && id.Directory != nil {
		s.Tier, s.TierSource = id.Directory.TierOf(s.Email), "directory"
	}
	if asserted, _ := raw["tier"].(string); asserted != "" && id.Trusted {
		if t, err := ParseTier(asserted); err == nil {
			s.Tier, s.TierSource = t, "asserted"
		}
	}
	return s
}

// executionID returns the _meta executionId when it is a sane identifier,
// or a new random one.
func executionID(req mcpgo.CallToolRequest) string {
	if v, _ := metaMap(req)["executionId"].(string); v != "" && len(v) <= 128 &&
		strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r > unicode.MaxASCII }) < 0 {
		return v
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "x-" + hex.EncodeToString(b[:])
}

// metaString trims s, drops control characters and caps it at n bytes.
func metaString(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

// Guard is the access middleware of one tenant's server: it finds the
// caller's identity and sender, refuses what the policy does not allow
// (before the handler runs, so a denied call never reaches Atlassian), and
// records every call, allowed or denied, in the audit log before the result
// is returned.
type Guard struct {
	// Tenant is the tenant the server serves; an identity of another
	// tenant is refused.
	Tenant string
	// Audit receives every call (a tenant's file log, or the database's
	// table); nil records nothing.
	Audit AuditSink
	// AuditLatency, when set, is told how long each audit write took from
	// submission to durable (the audit write latency metric).
	AuditLatency func(time.Duration)
	// Default is the identity of calls whose context carries none (stdio);
	// nil refuses such calls.
	Default *Identity
	// Logger receives audit failures; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (g *Guard) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *Guard) identity(ctx context.Context) *Identity {
	if id := IdentityFrom(ctx); id != nil {
		return id
	}
	return g.Default
}

// ToolFilter shows each caller only the tools assigned to it (for
// server.WithToolFilter); mcp-go applies it to tools/list and tools/call.
func (g *Guard) ToolFilter(ctx context.Context, tools []mcpgo.Tool) []mcpgo.Tool {
	id := g.identity(ctx)
	if id == nil || id.Tenant != g.Tenant {
		return nil
	}
	out := tools[:0:0]
	for _, t := range tools {
		if id.Assigned(t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// errAuditUnavailable is why calls are refused after an audit write failed.
var errAuditUnavailable = errors.New("the audit log cannot be written, so no tool runs until it can; ask the server's admin to check the audit store (disk or database) and the server log")

// Middleware is the server.ToolHandlerMiddleware enforcing the policy and
// writing the audit log.
func (g *Guard) Middleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
		start := g.now()
		e := &AuditEntry{Time: start.UTC(), Tenant: g.Tenant, Tool: req.Params.Name, ExecutionID: executionID(req)}
		e.Action, e.Params = auditParams(req.GetArguments())
		id := g.identity(ctx)
		var res *mcpgo.CallToolResult
		var err error
		if denial := g.check(id, req, e); denial != "" {
			e.Status, e.Error = StatusDenied, denial
			res = mcpgo.NewToolResultError(denial)
		} else if g.Audit != nil && g.Audit.Failed() != nil {
			e.Status, e.Error = StatusDenied, "audit log unavailable"
			res = mcpgo.NewToolResultError(errAuditUnavailable.Error())
		} else {
			res, err = next(ctx, req)
			switch {
			case err != nil:
				e.Status, e.Error = StatusError, auditClip(err.Error(), 300)
			case res != nil && res.IsError:
				e.Status, e.Error = StatusError, auditClip(resultFirstText(res), 300)
			default:
				e.Status = StatusOK
			}
		}
		e.DurationMS = float64(g.now().Sub(start).Microseconds()) / 1000
		if g.Audit != nil {
			g.record(e)
		}
		return res, err
	}
}

// check fills the identity fields of e and returns why the call is refused,
// or "" when it may run.
func (g *Guard) check(id *Identity, req mcpgo.CallToolRequest, e *AuditEntry) string {
	if id == nil {
		return "this server accepts no unauthenticated tool calls"
	}
	e.Agent = id.Agent
	if id.Tenant != g.Tenant {
		return fmt.Sprintf("agent %s is not bound to this connection", id.Agent)
	}
	s := ResolveSender(id, req)
	e.Sender, e.Tier, e.TierSource = s.Email, s.Tier.String(), s.TierSource
	tool := req.Params.Name
	need, ok := id.Policy[tool]
	if !ok || !id.Assigned(tool) {
		return fmt.Sprintf("%s is not assigned to agent %s; its tools are %s", tool, id.Agent, strings.Join(id.assignedTools(), ", "))
	}
	e.Required = need.String()
	if s.Tier < need {
		who := "this call's sender"
		if s.Email != "" {
			who = "the sender " + s.Email
		}
		article := "a"
		if strings.ContainsRune("aeiou", rune(need.String()[0])) {
			article = "an"
		}
		return fmt.Sprintf("%s needs %s %s sender (%s); %s is %s, so the call was refused and nothing was done on the site",
			tool, article, need, tierMeaning(need), who, s.Tier)
	}
	return ""
}

func tierMeaning(t Tier) string {
	if t == VIP {
		return "a VIP contact or business owner"
	}
	return "someone from a verified business domain"
}

// assignedTools lists the tools the identity may call, in public order.
func (id *Identity) assignedTools() []string {
	var out []string
	for _, n := range ToolNames() {
		if id.Assigned(n) {
			out = append(out, n)
		}
	}
	return out
}

// resultFirstText is the text of a result's first text content.
func resultFirstText(res *mcpgo.CallToolResult) string {
	for _, c := range res.Content {
		if tc, ok := c.(mcpgo.TextContent); ok {
			return tc.Text
		}
	}
	return ""
}

// Hooks returns hooks that audit the calls mcp-go refuses before any
// middleware runs: a tool the caller's filter hides answers "tool not
// found", and that refusal is recorded as denied like any other.
func (g *Guard) Hooks() *server.Hooks {
	h := &server.Hooks{}
	h.AddOnError(func(ctx context.Context, _ any, method mcpgo.MCPMethod, message any, err error) {
		req, ok := message.(*mcpgo.CallToolRequest)
		if method != mcpgo.MethodToolsCall || !ok || !errors.Is(err, server.ErrToolNotFound) || g.Audit == nil {
			return
		}
		e := &AuditEntry{Time: g.now().UTC(), Tenant: g.Tenant, Tool: auditClip(req.Params.Name, 64), ExecutionID: executionID(*req), Status: StatusDenied}
		e.Action, e.Params = auditParams(req.GetArguments())
		if id := g.identity(ctx); id != nil {
			e.Agent = id.Agent
			if id.Tenant == g.Tenant {
				s := ResolveSender(id, *req)
				e.Sender, e.Tier, e.TierSource = s.Email, s.Tier.String(), s.TierSource
			}
		}
		e.Error = "tool not offered to this agent"
		g.record(e)
	})
	return h
}

// record writes e durably, timing the write and logging a failure.
func (g *Guard) record(e *AuditEntry) {
	start := time.Now()
	aerr := g.Audit.Record(e)
	if g.AuditLatency != nil {
		g.AuditLatency(time.Since(start))
	}
	if aerr != nil && g.Logger != nil {
		// The entry goes to the server log instead (its parameters are
		// already redacted), so an answered call is never untraceable.
		entry, _ := json.Marshal(e)
		g.Logger.Error("audit write failed; the entry follows", "tool", e.Tool, "execution_id", e.ExecutionID, "err", aerr, "entry", string(entry))
	}
}

// Apply installs the guard in opts: its middleware outermost, its tool
// filter and its hooks.
func (g *Guard) Apply(opts *mcp.Options) {
	opts.Middleware = append([]server.ToolHandlerMiddleware{g.Middleware}, opts.Middleware...)
	opts.ToolFilter = g.ToolFilter
	opts.Hooks = g.Hooks()
}
