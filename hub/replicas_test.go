package hub_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// TestDatabaseConfigReachesEveryReplica runs two hubs (replicas) on one
// PostgreSQL agents config. An agent added through replica A (as the
// console does) or by the CLI (straight into the database) is accepted by
// both once they reload, a removed one is refused by both, and neither
// restarts.
func TestDatabaseConfigReachesEveryReplica(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	store := storeWith(t, sb, "acme")
	dsn := pgtest.DSN(t)
	ctx := context.Background()
	openConfigs := func() gateway.ConfigStore {
		db, err := pgstore.Open(ctx, dsn, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db.Config()
	}
	cli := openConfigs()
	start, _, err := cli.Update(ctx, func(c *gateway.Config) error {
		c.Tenants["acme"] = &gateway.TenantConfig{Connection: "acme"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var (
		hubs      []*hub.Hub
		endpoints []string
	)
	for range 2 {
		h, err := hub.New(ctx, hub.Options{Store: store, Configs: openConfigs(), Config: start})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close(context.Background()) })
		srv := httptest.NewServer(h.Handler())
		t.Cleanup(srv.Close)
		hubs, endpoints = append(hubs, h), append(endpoints, srv.URL+"/mcp")
	}
	a := hubs[0]
	reloadAll := func(t *testing.T) {
		for i, h := range hubs {
			if _, err := h.Reload(ctx); err != nil {
				t.Fatalf("replica %d reload: %v", i, err)
			}
		}
	}
	botToken, botHash, _ := gateway.NewToken()
	cliToken, cliHash, _ := gateway.NewToken()
	steps := []struct {
		name   string
		change func(t *testing.T)
		// tools each token lists on every replica; nil: refused
		bot, cli []string
	}{
		{"added through replica A", func(t *testing.T) {
			if err := a.UpdateConfig(func(c *gateway.Config) error {
				c.Agents = append(c.Agents, &gateway.AgentConfig{Name: "bot", TokenSHA256: botHash, Tenant: "acme", Profile: gateway.ProfileAICOS, DefaultTier: gateway.VIP, Tools: []string{"atlassian_jira_search"}})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}, []string{"atlassian_jira_search"}, nil},
		{"added by the CLI", func(t *testing.T) {
			if _, _, err := cli.Update(ctx, func(c *gateway.Config) error {
				c.Agents = append(c.Agents, &gateway.AgentConfig{Name: "cli", TokenSHA256: cliHash, Tenant: "acme", Profile: gateway.ProfileAICOS, DefaultTier: gateway.VIP, Tools: []string{"atlassian_confluence_search"}})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}, []string{"atlassian_jira_search"}, []string{"atlassian_confluence_search"}},
		{"removed by the CLI", func(t *testing.T) {
			if _, _, err := cli.Update(ctx, func(c *gateway.Config) error {
				c.Agents = slices.DeleteFunc(c.Agents, func(a *gateway.AgentConfig) bool { return a.Name == "bot" })
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}, nil, []string{"atlassian_confluence_search"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.change(t)
			reloadAll(t)
			for i, ep := range endpoints {
				for _, who := range []struct {
					token string
					want  []string
				}{{botToken, st.bot}, {cliToken, st.cli}} {
					got, err := listTools(t, ep, who.token)
					if (err != nil) != (who.want == nil) || !slices.Equal(got, who.want) {
						t.Fatalf("replica %d lists %v (%v), want %v", i, got, err, who.want)
					}
				}
			}
		})
	}
	if changed, err := a.Reload(ctx); changed || err != nil {
		t.Fatalf("reload with nothing new: changed %v, %v", changed, err)
	}
}
