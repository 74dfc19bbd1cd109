package gateway

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// validConfig is a config with one tenant and one agent whose token is tok.
func validConfig(tok string) *Config {
	return &Config{
		Tenants: map[string]*TenantConfig{"acme": {Connection: "acme-site", BusinessDomains: []string{"acme.com"}, VIPs: []string{"ceo@acme.com"}}},
		Agents:  []*AgentConfig{{Name: "ops", TokenSHA256: HashToken(tok), Tenant: "acme", Profile: ProfileAICOS, DefaultTier: Internal}},
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"valid", func(*Config) {}, ""},
		{"bad tenant name", func(c *Config) { c.Tenants["../x"] = &TenantConfig{} }, `tenant "../x"`},
		{"bad connection", func(c *Config) { c.Tenants["acme"].Connection = "a/b" }, `connection "a/b"`},
		{"domain with @", func(c *Config) { c.Tenants["acme"].BusinessDomains = []string{"@acme.com"} }, "business domain"},
		{"vip not an email", func(c *Config) { c.Tenants["acme"].VIPs = []string{"ceo"} }, "not an email"},
		{"bad agent name", func(c *Config) { c.Agents[0].Name = "" }, `agent ""`},
		{"duplicate agent", func(c *Config) { c.Agents = append(c.Agents, c.Agents[0]) }, "declared twice"},
		{"token instead of hash", func(c *Config) { c.Agents[0].TokenSHA256 = "amcp_secret" }, "64 lowercase hex"},
		{"shared token", func(c *Config) {
			a := *c.Agents[0]
			a.Name = "other"
			c.Agents = append(c.Agents, &a)
		}, "shares its token"},
		{"unknown tenant", func(c *Config) { c.Agents[0].Tenant = "globex" }, `tenant "globex" is not declared`},
		{"unknown profile", func(c *Config) { c.Agents[0].Profile = "admin" }, `profile "admin"`},
		{"no default tier", func(c *Config) { c.Agents[0].DefaultTier = 0 }, "default_tier"},
		{"unknown tool", func(c *Config) { c.Agents[0].Tools = []string{"atlassian_jira_delete"} }, `tool "atlassian_jira_delete" is not in its policy`},
		{"override to external", func(c *Config) { c.Agents[0].Policy = Policy{"atlassian_jira_search": External} }, "external senders trigger nothing"},
		{"custom policy named like a profile", func(c *Config) { c.Policies = map[string]Policy{"aicos": {}} }, "built-in profile"},
		{"custom policy", func(c *Config) {
			c.Policies = map[string]Policy{"reader": {"atlassian_jira_search": Internal}}
			c.Agents[0].Profile = "reader"
		}, ""},
		{"tool outside custom policy", func(c *Config) {
			c.Policies = map[string]Policy{"reader": {"atlassian_jira_search": Internal}}
			c.Agents[0].Profile = "reader"
			c.Agents[0].Tools = []string{"atlassian_jira_create_issue"}
		}, "not in its policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig("tok")
			tt.change(c)
			err := c.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestConfigSaveAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.json")
	c := validConfig("tok")
	c.Agents[0].Policy = Policy{"atlassian_jira_create_issue": Internal}
	c.Audit = AuditConfig{MaxMB: 8, MaxFiles: 3}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config mode %v %v", st.Mode(), err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"atlassian_jira_create_issue": "internal"`) || strings.Contains(string(raw), `"tok"`) {
		t.Fatalf("saved config:\n%s", raw)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := got.Identity(got.Agent("ops"))
	if err != nil {
		t.Fatal(err)
	}
	if id.Policy["atlassian_jira_create_issue"] != Internal || id.Policy["atlassian_jira_update_issue"] != VIP ||
		id.Directory.TierOf("ceo@acme.com") != VIP || got.ConnectionOf("acme") != "acme-site" || got.Audit.Options().MaxBytes != 8<<20 {
		t.Fatalf("loaded identity %+v", id)
	}
	// A typo is an error, not a silently ignored setting.
	os.WriteFile(path, []byte(`{"tenants":{},"agents":[],"tennants":{}}`), 0o600)
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "tennants") {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestExampleConfigLoads(t *testing.T) {
	c, err := LoadConfig(filepath.Join("..", "examples", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tenants) < 2 || len(c.Agents) < 3 {
		t.Fatalf("the example should show several tenants and agents: %d tenants, %d agents", len(c.Tenants), len(c.Agents))
	}
}

func TestNewToken(t *testing.T) {
	a, ha, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, hb, _ := NewToken()
	if a == b || ha == hb || !strings.HasPrefix(a, TokenPrefix) || len(a) != len(TokenPrefix)+43 || HashToken(a) != ha || !sha256Hex().MatchString(ha) {
		t.Fatalf("tokens %q %q hashes %q %q", a, b, ha, hb)
	}
}

func TestAuthenticate(t *testing.T) {
	tok, _, _ := NewToken()
	other, _, _ := NewToken()
	c := validConfig(tok)
	c.Agents = append(c.Agents, &AgentConfig{Name: "mail", TokenSHA256: HashToken(other), Tenant: "acme", Profile: ProfileAssistant, DefaultTier: Internal})
	a, err := NewAuthenticator(c)
	if err != nil {
		t.Fatal(err)
	}
	wrong := []byte(tok)
	wrong[len(wrong)-1] ^= 1
	tests := []struct {
		name, header, want string
	}{
		{"ops", "Bearer " + tok, "ops"},
		{"mail", "Bearer " + other, "mail"},
		{"scheme any case", "bearer " + tok, "ops"},
		{"extra spaces", "  Bearer   " + tok + " ", "ops"},
		{"empty", "", ""},
		{"no scheme", tok, ""},
		{"basic", "Basic " + tok, ""},
		{"bearer only", "Bearer ", ""},
		{"one bit off", "Bearer " + string(wrong), ""},
		{"prefix of the token", "Bearer " + tok[:20], ""},
		{"the hash itself", "Bearer " + HashToken(tok), ""},
		{"huge", "Bearer " + strings.Repeat("x", 1<<16), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := a.Authenticate(tt.header)
			got := ""
			if id != nil {
				got = id.Agent
			}
			if got != tt.want {
				t.Fatalf("Authenticate(%.30q) = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
}

// TestAuthenticateIsConstantTimeByConstruction checks the comparison
// never depends on the presented token: whatever its length or closeness,
// every registered digest is compared, always as two 32-byte values.
func TestAuthenticateIsConstantTimeByConstruction(t *testing.T) {
	c := &Config{Tenants: map[string]*TenantConfig{"acme": {}}}
	var tokens []string
	for _, name := range []string{"a", "b", "c", "d"} {
		tok, h, _ := NewToken()
		tokens = append(tokens, tok)
		c.Agents = append(c.Agents, &AgentConfig{Name: name, TokenSHA256: h, Tenant: "acme", Profile: ProfileAICOS, DefaultTier: Internal})
	}
	a, err := NewAuthenticator(c)
	if err != nil {
		t.Fatal(err)
	}
	var lengths []int
	inner := a.compare
	a.compare = func(x, y []byte) int {
		lengths = append(lengths, len(x), len(y))
		return inner(x, y)
	}
	right := tokens[2]
	sameLength := TokenPrefix + strings.Repeat("A", len(right)-len(TokenPrefix))
	for _, header := range []string{"", "Bearer x", "Bearer " + sameLength, "Bearer " + right[:len(right)-1] + "?", "Bearer " + right, "Bearer " + tokens[0], "Basic abc", "Bearer " + strings.Repeat("z", 4096)} {
		lengths = nil
		a.Authenticate(header)
		if len(lengths) != 2*len(c.Agents) {
			t.Fatalf("%.20q: %d comparisons, want one per agent (%d)", header, len(lengths)/2, len(c.Agents))
		}
		for _, n := range lengths {
			if n != sha256.Size {
				t.Fatalf("%.20q: compared %d bytes, want digests of %d", header, n, sha256.Size)
			}
		}
	}
}

func TestIdentityAssigned(t *testing.T) {
	c := validConfig("t")
	c.Agents[0].Tools = []string{"atlassian_jira_search", "atlassian_jira_create_issue"}
	id, err := c.Identity(c.Agents[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range ToolNames() {
		if id.Assigned(n) {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, c.Agents[0].Tools) || id.Assigned("nope") {
		t.Fatalf("assigned %v", got)
	}
	owner := Owner("acme")
	if owner.DefaultTier != VIP || len(owner.assignedTools()) != 8 {
		t.Fatalf("owner %+v", owner)
	}
}

// FuzzLoadConfig feeds arbitrary config files to LoadConfig: an error or a
// config whose every agent has an identity, never a panic.
func FuzzLoadConfig(f *testing.F) {
	if raw, err := os.ReadFile(filepath.Join("..", "examples", "config.json")); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"tenants":{"a":{}},"agents":[{"name":"x","token_sha256":"` + strings.Repeat("0", 64) + `","tenant":"a","profile":"aicos","default_tier":"vip"}]}`))
	f.Add([]byte(`{"tenants":{"a":null},"agents":[null]}`))
	f.Add([]byte(`{"policies":{"p":{"atlassian_jira_search":"external"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(path)
		if err != nil {
			return
		}
		for _, a := range c.Agents {
			if _, err := c.Identity(a); err != nil {
				t.Fatalf("valid config, but agent %s has no identity: %v", a.Name, err)
			}
		}
		if _, err := NewAuthenticator(c); err != nil {
			t.Fatalf("valid config, but no authenticator: %v", err)
		}
	})
}
