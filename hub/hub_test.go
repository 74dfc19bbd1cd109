package hub_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// storeWith returns a token store in a temporary data directory holding a
// connection named name to the sandbox, with tokens the sandbox issued.
func storeWith(t *testing.T, sb *sandbox.Server, name string) *tokenstore.Store {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	store, err := tokenstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tp := sb.IssueToken()
	conn := tokenstore.Connection{
		Name: name, Site: tokenstore.Site{CloudID: sb.CloudID, Name: sb.SiteName, URL: sb.SiteURL},
		Products: []tokenstore.Product{{Name: tokenstore.ProductJira}, {Name: tokenstore.ProductConfluence}},
		ClientID: sb.ClientID, AuthURL: sb.URL, APIURL: sb.URL, ConnectedAt: time.Now(),
	}
	if err := store.Save(conn, tokenstore.Secrets{ClientSecret: sb.ClientSecret, AccessToken: tp.AccessToken,
		TokenType: "Bearer", Expiry: tp.Expiry, RefreshToken: tp.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	return store
}

// agentConfig is a config with tenant "acme" on connection "acme" and one
// agent per token with the given tools.
func agentConfig(t *testing.T, tools map[string][]string) (*gateway.Config, map[string]string) {
	t.Helper()
	cfg := &gateway.Config{Tenants: map[string]*gateway.TenantConfig{"acme": {Connection: "acme"}}}
	tokens := map[string]string{}
	for name, ts := range tools {
		tok, hash, err := gateway.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = tok
		cfg.Agents = append(cfg.Agents, &gateway.AgentConfig{Name: name, TokenSHA256: hash, Tenant: "acme", Profile: gateway.ProfileAICOS, DefaultTier: gateway.VIP, Tools: ts})
	}
	return cfg, tokens
}

func listTools(t *testing.T, endpoint, token string) ([]string, error) {
	t.Helper()
	c, err := client.NewStreamableHttpClient(endpoint, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "hub-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return nil, err
	}
	res, err := c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tl := range res.Tools {
		out = append(out, tl.Name)
	}
	slices.Sort(out)
	return out, nil
}

// TestConfigFileReloads changes the config file under a running hub: a
// valid change takes effect without a restart, a broken file changes
// nothing, and an agent removed from the file is refused at once.
func TestConfigFileReloads(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	store := storeWith(t, sb, "acme")
	cfg, tokens := agentConfig(t, map[string][]string{"bot": {"atlassian_jira_search"}})
	path := filepath.Join(store.Dir(), "config.json")
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	h, err := hub.New(context.Background(), hub.Options{Store: store, ConfigPath: path, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	endpoint := srv.URL + "/mcp"

	if got, err := listTools(t, endpoint, tokens["bot"]); err != nil || !slices.Equal(got, []string{"atlassian_jira_search"}) {
		t.Fatalf("bot lists %v (%v)", got, err)
	}
	steps := []struct {
		name   string
		write  func(t *testing.T)
		reload bool // Reload reports a change
		fails  bool // Reload returns an error
		bot    []string
		botErr bool
	}{
		{"unchanged file", func(*testing.T) {}, false, false, []string{"atlassian_jira_search"}, false},
		{"tools added", func(t *testing.T) {
			cfg.Agents[0].Tools = []string{"atlassian_jira_search", "atlassian_confluence_search"}
			if err := cfg.Save(path); err != nil {
				t.Fatal(err)
			}
		}, true, false, []string{"atlassian_confluence_search", "atlassian_jira_search"}, false},
		{"broken JSON", func(t *testing.T) {
			if err := os.WriteFile(path, []byte(`{"tenants": {`), 0o600); err != nil {
				t.Fatal(err)
			}
		}, false, true, []string{"atlassian_confluence_search", "atlassian_jira_search"}, false},
		{"invalid config", func(t *testing.T) {
			if err := os.WriteFile(path, []byte(`{"tenants":{},"agents":[{"name":"bot","token_sha256":"x","tenant":"nope","profile":"aicos","default_tier":"vip"}]}`), 0o600); err != nil {
				t.Fatal(err)
			}
		}, false, true, []string{"atlassian_confluence_search", "atlassian_jira_search"}, false},
		{"agent removed", func(t *testing.T) {
			cfg.Agents = nil
			if err := cfg.Save(path); err != nil {
				t.Fatal(err)
			}
		}, true, false, nil, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.write(t)
			changed, err := h.Reload(context.Background())
			if (err != nil) != st.fails || changed != st.reload {
				t.Fatalf("Reload = %v, %v; want changed %v, error %v", changed, err, st.reload, st.fails)
			}
			got, err := listTools(t, endpoint, tokens["bot"])
			if (err != nil) != st.botErr || !slices.Equal(got, st.bot) {
				t.Fatalf("bot lists %v (%v), want %v (error %v)", got, err, st.bot, st.botErr)
			}
		})
	}
}

// TestUpdateConfigIsAllOrNothing changes the config through the hub: a
// refused change leaves file and agents alone; an accepted one is on disk
// and in force.
func TestUpdateConfigIsAllOrNothing(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	store := storeWith(t, sb, "acme")
	cfg, tokens := agentConfig(t, map[string][]string{"bot": nil})
	path := filepath.Join(store.Dir(), "config.json")
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	h, err := hub.New(context.Background(), hub.Options{Store: store, ConfigPath: path, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	before, _ := os.ReadFile(path)
	err = h.UpdateConfig(func(c *gateway.Config) error {
		c.Agents[0].Tools = []string{"atlassian_jira_search"}
		c.Agents[0].Tenant = "missing"
		return nil
	})
	if err == nil {
		t.Fatal("an invalid change was accepted")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a refused change rewrote the file")
	}
	if got, _ := h.Config(); got.Agents[0].Tenant != "acme" || got.Agents[0].Tools != nil {
		t.Fatal("a refused change is in force")
	}
	if err := h.UpdateConfig(func(c *gateway.Config) error { c.Agents[0].Tools = []string{"atlassian_jira_get_issue"}; return nil }); err != nil {
		t.Fatal(err)
	}
	onDisk, err := gateway.LoadConfig(path)
	if err != nil || !slices.Equal(onDisk.Agents[0].Tools, []string{"atlassian_jira_get_issue"}) {
		t.Fatalf("on disk: %+v, %v", onDisk, err)
	}
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	if got, err := listTools(t, srv.URL+"/mcp", tokens["bot"]); err != nil || !slices.Equal(got, []string{"atlassian_jira_get_issue"}) {
		t.Fatalf("bot lists %v (%v)", got, err)
	}
	// The hub did not re-read its own write as a change.
	if changed, err := h.Reload(context.Background()); changed || err != nil {
		t.Fatalf("Reload after UpdateConfig = %v, %v", changed, err)
	}
}

// TestTenantsFollowTheirConnection serves a tenant whose connection does
// not exist yet (no tools, no error), serves it once connected, and
// withdraws its tools on disconnect.
func TestTenantsFollowTheirConnection(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	store := storeWith(t, sb, "other")
	cfg, tokens := agentConfig(t, map[string][]string{"bot": nil})
	h, err := hub.New(context.Background(), hub.Options{Store: store, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close(context.Background()) })
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	endpoint := srv.URL + "/mcp"
	if got, err := listTools(t, endpoint, tokens["bot"]); err != nil || len(got) != 0 {
		t.Fatalf("without its connection the tenant lists %v (%v)", got, err)
	}
	// Connect "acme" (as the console's wizard does) and serve it.
	acme := storeWith(t, sb, "acme")
	conn, sec, err := acme.Load("acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Save(conn, sec); err != nil {
		t.Fatal(err)
	}
	if err := h.Serve(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	if got, err := listTools(t, endpoint, tokens["bot"]); err != nil || len(got) != 8 {
		t.Fatalf("connected, the tenant lists %v (%v)", got, err)
	}
	res, err := h.Disconnect(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Revocation, "200 OK") || !slices.Equal(res.Withdrawn, []string{"acme"}) {
		t.Fatalf("disconnect: %+v", res)
	}
	if got, err := listTools(t, endpoint, tokens["bot"]); err != nil || len(got) != 0 {
		t.Fatalf("disconnected, the tenant lists %v (%v)", got, err)
	}
	if _, err := store.Get("acme"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("the connection survived the disconnect: %v", err)
	}
	// Serving a connection no tenant uses adds a tenant of its name.
	if err := h.Serve(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Config(); got.Tenants["other"] == nil {
		t.Fatal("no tenant was added for connection other")
	}
}
