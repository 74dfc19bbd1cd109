package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/atomicfile"
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
	agentName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })
	sha256Hex = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
)

// LoadConfig reads and validates the config file at path.
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := decodeConfig(raw)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
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
	return atomicfile.Write(path, append(raw, '\n'))
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
		if !agentName().MatchString(a.Name) {
			return fmt.Errorf("agent %q: use 1-64 letters, digits, '.', '-' or '_', starting with a letter or digit", a.Name)
		}
		if seen[a.Name] {
			return fmt.Errorf("agent %s: declared twice", a.Name)
		}
		seen[a.Name] = true
		if !sha256Hex().MatchString(a.TokenSHA256) {
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
