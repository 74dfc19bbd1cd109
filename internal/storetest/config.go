package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// ConfigEnv is one empty place where an agents config lives; Open returns
// another gateway.ConfigStore over it (as another process or replica sees
// it).
type ConfigEnv struct {
	Open func(t testing.TB) gateway.ConfigStore
}

// RunConfig runs the agents config suite; newEnv returns a fresh, empty
// place for each test.
func RunConfig(t *testing.T, newEnv func(t testing.TB) ConfigEnv) {
	tests := []struct {
		name string
		fn   func(t *testing.T, env ConfigEnv)
	}{
		{"Empty", testConfigEmpty},
		{"RoundTrip", testConfigRoundTrip},
		{"RefusedUpdateChangesNothing", testConfigRefused},
		{"SeenByAnotherProcess", testConfigSeenElsewhere},
		{"UpdateIfRefusesAMovedVersion", testConfigUpdateIf},
		{"ConcurrentUpdatesAllLand", testConfigConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newEnv(t))
		})
	}
}

// sampleConfig is a config using every part: tenants with directories,
// a custom policy, agents with overrides, tools and tiers, audit settings
// and comments.
func sampleConfig(t testing.TB) *gateway.Config {
	t.Helper()
	hash := func() string {
		_, h, err := gateway.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	return &gateway.Config{
		Comment: "shared",
		Tenants: map[string]*gateway.TenantConfig{
			"acme":   {Comment: "main", Connection: "acme-site", BusinessDomains: []string{"acme.com"}, VIPs: []string{"ceo@acme.com"}, BusinessOwners: []string{"cfo@acme.com"}},
			"globex": {},
		},
		Policies: map[string]gateway.Policy{"readers": {"atlassian_jira_search": gateway.Internal, "atlassian_confluence_search": gateway.VIP}},
		Agents: []*gateway.AgentConfig{
			{Name: "zeta", TokenSHA256: hash(), Tenant: "acme", Profile: gateway.ProfileAICOS, Policy: gateway.Policy{"atlassian_jira_create_issue": gateway.Internal}, DefaultTier: gateway.Internal, Trusted: true, Comment: "first"},
			{Name: "alpha", TokenSHA256: hash(), Tenant: "globex", Profile: "readers", Tools: []string{"atlassian_jira_search"}, DefaultTier: gateway.External},
		},
		Audit: gateway.AuditConfig{MaxMB: 8, MaxFiles: 3, MaxAgeDays: 30},
	}
}

func configJSON(t testing.TB, c *gateway.Config) string {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func testConfigEmpty(t *testing.T, env ConfigEnv) {
	s := env.Open(t)
	ctx := context.Background()
	if _, _, err := s.Load(ctx); !errors.Is(err, gateway.ErrNoConfig) {
		t.Fatalf("Load of an empty store = %v, want ErrNoConfig", err)
	}
	if v, err := s.Version(ctx); v != "" || err != nil {
		t.Fatalf("Version of an empty store = %q, %v; want \"\"", v, err)
	}
	if s.Where() == "" {
		t.Fatal("Where is empty")
	}
}

func testConfigRoundTrip(t *testing.T, env ConfigEnv) {
	s := env.Open(t)
	ctx := context.Background()
	want := sampleConfig(t)
	got, ver, err := s.Update(ctx, func(c *gateway.Config) error {
		if len(c.Agents) != 0 || len(c.Tenants) != 0 || c.Tenants == nil {
			return fmt.Errorf("the first update starts from %+v, want an empty config with a tenants map", c)
		}
		*c = *want
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if configJSON(t, got) != configJSON(t, want) || ver == "" {
		t.Fatalf("Update returned %s (version %q), want %s", configJSON(t, got), ver, configJSON(t, want))
	}
	loaded, lver, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Agents keep their order; every field survives.
	if configJSON(t, loaded) != configJSON(t, want) || lver != ver {
		t.Fatalf("Load = %s (version %q), want %s (version %q)", configJSON(t, loaded), lver, configJSON(t, want), ver)
	}
	if v, err := s.Version(ctx); v != ver || err != nil {
		t.Fatalf("Version = %q, %v; want %q", v, err, ver)
	}
	// Removing an agent and a tenant is a new version.
	_, ver2, err := s.Update(ctx, func(c *gateway.Config) error {
		c.Agents = slices.DeleteFunc(c.Agents, func(a *gateway.AgentConfig) bool { return a.Name == "alpha" })
		delete(c.Tenants, "globex")
		delete(c.Policies, "readers")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, err = s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ver2 == ver || len(loaded.Agents) != 1 || loaded.Agent("zeta") == nil || loaded.Tenants["globex"] != nil || len(loaded.Policies) != 0 {
		t.Fatalf("after removal: version %q (was %q), config %s", ver2, ver, configJSON(t, loaded))
	}
}

func testConfigRefused(t *testing.T, env ConfigEnv) {
	s := env.Open(t)
	ctx := context.Background()
	_, ver, err := s.Update(ctx, func(c *gateway.Config) error { *c = *sampleConfig(t); return nil })
	if err != nil {
		t.Fatal(err)
	}
	before, _, _ := s.Load(ctx)
	refusals := []struct {
		name string
		fn   func(*gateway.Config) error
	}{
		{"fn fails", func(c *gateway.Config) error { c.Agents = nil; return errors.New("changed my mind") }},
		{"unknown tenant", func(c *gateway.Config) error { c.Agents[0].Tenant = "nope"; return nil }},
		{"shared token", func(c *gateway.Config) error { c.Agents[1].TokenSHA256 = c.Agents[0].TokenSHA256; return nil }},
		{"duplicate agent", func(c *gateway.Config) error { c.Agents[1].Name = c.Agents[0].Name; return nil }},
		{"unknown profile", func(c *gateway.Config) error { c.Agents[0].Profile = "nobody"; return nil }},
	}
	for _, r := range refusals {
		if _, _, err := s.Update(ctx, r.fn); err == nil {
			t.Errorf("%s: Update succeeded", r.name)
		}
		after, aver, err := s.Load(ctx)
		if err != nil || aver != ver || configJSON(t, after) != configJSON(t, before) {
			t.Fatalf("%s: the refused update changed the store: version %q -> %q, %v", r.name, ver, aver, err)
		}
	}
}

func testConfigSeenElsewhere(t *testing.T, env ConfigEnv) {
	a, b := env.Open(t), env.Open(t)
	ctx := context.Background()
	_, ver, err := a.Update(ctx, func(c *gateway.Config) error { *c = *sampleConfig(t); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if v, err := b.Version(ctx); v != ver || err != nil {
		t.Fatalf("the other process sees version %q (%v), want %q", v, err, ver)
	}
	_, ver2, err := b.Update(ctx, func(c *gateway.Config) error { c.Agents[0].Trusted = false; return nil })
	if err != nil {
		t.Fatal(err)
	}
	got, v, err := a.Load(ctx)
	if err != nil || v != ver2 || got.Agent("zeta").Trusted {
		t.Fatalf("a sees version %q (want %q), zeta trusted %v, %v", v, ver2, got != nil && got.Agent("zeta").Trusted, err)
	}
}

// testConfigConcurrent: agents added at once through several stores (as
// `agent add` on several machines, or the console of several replicas)
// all land: no update overwrites another.
func testConfigConcurrent(t *testing.T, env ConfigEnv) {
	const writers, each = 4, 5
	ctx := context.Background()
	seed := env.Open(t)
	if _, _, err := seed.Update(ctx, func(c *gateway.Config) error {
		c.Tenants["acme"] = &gateway.TenantConfig{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		s := env.Open(t)
		wg.Go(func() {
			for i := range each {
				_, hash, err := gateway.NewToken()
				if err == nil {
					_, _, err = s.Update(ctx, func(c *gateway.Config) error {
						c.Agents = append(c.Agents, &gateway.AgentConfig{Name: fmt.Sprintf("w%d-%d", w, i), TokenSHA256: hash, Tenant: "acme", Profile: gateway.ProfileAssistant, DefaultTier: gateway.Internal})
						return nil
					})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, _, err := seed.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Agents) != writers*each {
		t.Fatalf("%d agents stored, want %d: concurrent updates overwrote each other", len(got.Agents), writers*each)
	}
}

// testConfigUpdateIf: UpdateIf applies a change to the version it names
// and refuses one read before another process's change, changing
// nothing; "" means "none stored".
func testConfigUpdateIf(t *testing.T, env ConfigEnv) {
	a, b := env.Open(t), env.Open(t)
	ctx := context.Background()
	sample := sampleConfig(t)
	// Someone stored a config after this caller saw none.
	_, v1, err := b.Update(ctx, func(c *gateway.Config) error { *c = *sample; return nil })
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		version string
		agents  int // agents the step would leave
		moved   bool
	}{
		{"read when none was stored", "", 0, true},
		{"read at the current version", v1, 1, false},
		{"read before that change", v1, 0, true},
	}
	for _, st := range steps {
		before, bver, err := a.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, ver, err := a.UpdateIf(ctx, st.version, func(c *gateway.Config) error {
			c.Agents = c.Agents[:st.agents]
			return nil
		})
		after, aver, lerr := b.Load(ctx)
		if lerr != nil {
			t.Fatal(lerr)
		}
		switch {
		case st.moved && !errors.Is(err, gateway.ErrConfigChanged):
			t.Fatalf("%s: UpdateIf = %v, want ErrConfigChanged", st.name, err)
		case st.moved && (aver != bver || configJSON(t, after) != configJSON(t, before)):
			t.Fatalf("%s: the refused update changed the store: version %q -> %q", st.name, bver, aver)
		case !st.moved && (err != nil || ver != aver || ver == bver || len(after.Agents) != st.agents):
			t.Fatalf("%s: UpdateIf = %q, %v; stored version %q with %d agent(s)", st.name, ver, err, aver, len(after.Agents))
		}
	}
}
