package hub_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

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

// TestConfigChangeArrivesByNotification: two replicas watch the config
// with a poll period of an hour, so a change can reach them only through
// the store's notification (LISTEN/NOTIFY). An agent added by the CLI is
// in force on both, and each replica's listener counted the notification.
func TestConfigChangeArrivesByNotification(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	store := storeWith(t, sb, "acme")
	dsn := pgtest.DSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	openDB := func() *pgstore.DB {
		db, err := pgstore.Open(context.Background(), dsn, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	cli := openDB().Config()
	start, _, err := cli.Update(ctx, func(c *gateway.Config) error {
		c.Tenants["acme"] = &gateway.TenantConfig{Connection: "acme"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	type replica struct {
		db *pgstore.DB
		h  *hub.Hub
	}
	var rs []replica
	for range 2 {
		db := openDB()
		h, err := hub.New(ctx, hub.Options{Store: store, Configs: db.Config(), Config: start})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close(context.Background()) })
		go h.Watch(ctx, time.Hour) // the poll never fires during the test
		rs = append(rs, replica{db, h})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second) // a bound on failure, not a timing assertion
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 20 s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for i, r := range rs {
		waitFor(fmt.Sprintf("replica %d listening", i), func() bool { return r.db.Listener().Listening })
	}
	_, hash, _ := gateway.NewToken()
	if _, _, err := cli.Update(ctx, func(c *gateway.Config) error {
		c.Agents = append(c.Agents, &gateway.AgentConfig{Name: "bot", TokenSHA256: hash, Tenant: "acme", Profile: gateway.ProfileAICOS, DefaultTier: gateway.VIP, Tools: []string{"atlassian_jira_search"}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		waitFor(fmt.Sprintf("agent bot in force on replica %d", i), func() bool {
			cfg, _ := r.h.Config()
			return len(cfg.Agents) == 1 && cfg.Agents[0].Name == "bot"
		})
		if n := r.db.Listener().Notifications; n < 1 {
			t.Fatalf("replica %d applied the change but its listener received %d notifications", i, n)
		}
	}
}
