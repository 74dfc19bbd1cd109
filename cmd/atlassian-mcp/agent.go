package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
)

func runAgent(ctx context.Context, s streams, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			agentUsage(s.err) // like every command's --help
			return nil
		}
		agentUsage(s.err)
		return exitStatus(exitUsage)
	}
	switch args[0] {
	case "add":
		return named("agent add", runAgentAdd(ctx, s, args[1:]))
	case "list":
		return named("agent list", runAgentList(ctx, s, args[1:]))
	case "remove":
		return named("agent remove", runAgentRemove(ctx, s, args[1:]))
	case "help":
		agentUsage(s.err)
		return nil
	}
	fmt.Fprintf(s.err, "agent: unknown subcommand %q\n\n", args[0])
	agentUsage(s.err)
	return exitStatus(exitUsage)
}

func agentUsage(w interface{ Write([]byte) (int, error) }) {
	fmt.Fprint(w, `Usage: atlassian-mcp agent add|list|remove [flags]

Manage the agents allowed to call 'atlassian-mcp serve --http': each has a
bearer token (stored only as its SHA-256), one tenant (a connection), a
profile (aicos, assistant or a custom policy of the config), its tools and
the default tier of calls that name no sender.

  agent add --name NAME --tenant TENANT --profile aicos|assistant|POLICY [--tools a,b] [--default-tier internal] [--trusted]
        adds the agent and prints its token once
  agent list [--json]
  agent remove --name NAME

Run 'atlassian-mcp agent add --help' for the flags. The config is
<data-dir>/config.json unless --config names another file, or, when the
store is PostgreSQL (--store or `+envStore+`), the database every replica
shares. Running servers apply a change within seconds, without a restart.
`)
}

// configFlags locate the agents config.
type configFlags struct {
	store  storeFlags
	config string
}

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	f := &configFlags{}
	fs.StringVar(&f.store.dataDir, "data-dir", "", "data directory (env "+envDataDir+"; default $XDG_DATA_HOME/atlassian-mcp or ~/.local/share/atlassian-mcp)")
	fs.StringVar(&f.config, "config", "", "agents config file (default <data-dir>/config.json; not with a PostgreSQL store, which holds the config itself)")
	fs.StringVar(&f.store.store, "store", "", "bolt (the config is a file) or postgres://... (the config is in the database every replica shares; env "+envStore+")")
	return f
}

// open returns the config store: the PostgreSQL store's when --store or
// the environment names one, else the file. close releases it.
func (f *configFlags) open(ctx context.Context) (cs gateway.ConfigStore, close func(), err error) {
	spec, err := f.store.storeSpec()
	if err != nil {
		return nil, nil, usage(err)
	}
	if spec != "" {
		if f.config != "" {
			return nil, nil, usagef("--config %s: with a PostgreSQL store the agents config lives in the database; copy a file into it with 'atlassian-mcp store copy --from DATA_DIR --config FILE'", f.config)
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		db, err := pgstore.Open(ctx, spec, true)
		if err != nil {
			return nil, nil, err
		}
		return db.Config(), db.Close, nil
	}
	path := f.config
	if path == "" {
		dir, err := f.store.dir()
		if err != nil {
			return nil, nil, err
		}
		path = filepath.Join(dir, "config.json")
	}
	return gateway.NewFileConfig(path), func() {}, nil
}

// load reads the config; a store without one is an error that says how
// to start one.
func (f *configFlags) load(ctx context.Context) (*gateway.Config, string, error) {
	cs, closeStore, err := f.open(ctx)
	if err != nil {
		return nil, "", err
	}
	defer closeStore()
	cfg, _, err := cs.Load(ctx)
	if errors.Is(err, gateway.ErrNoConfig) {
		return nil, cs.Where(), fmt.Errorf("no agents config at %s; add an agent with 'atlassian-mcp agent add'", cs.Where())
	}
	return cfg, cs.Where(), err
}

func runAgentAdd(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "agent add", "--name NAME --tenant TENANT --profile PROFILE [flags]",
		"Add an agent to the config and print its new bearer token, once.")
	cf := addConfigFlags(fs)
	name := fs.String("name", "", "the agent's name (letters, digits, '.', '-', '_')")
	tenant := fs.String("tenant", "", "the tenant the agent may use; a new tenant is added using the connection of the same name unless --connection says otherwise")
	connection := fs.String("connection", "", "for a new tenant: its connection name (default: the tenant's name)")
	profile := fs.String("profile", "", "aicos (reads need internal senders, writes vip), assistant (everything internal), or the name of a policy in the config")
	tools := fs.String("tools", "", "comma-separated tools assigned to the agent, as 'agent list' prints them (jira_search) or in full (atlassian_jira_search); default: every tool of its policy")
	tier := fs.String("default-tier", "internal", "tier of calls whose _meta names no sender: external, internal or vip")
	trusted := fs.Bool("trusted", false, "let the agent assert a sender's tier in _meta")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" || *tenant == "" || *profile == "" || fs.NArg() > 0 {
		return usage(errors.New("--name, --tenant and --profile are required"))
	}
	t, err := gateway.ParseTier(*tier)
	if err != nil {
		return usagef("--default-tier: %v", err)
	}
	toolNames, err := fullToolNames(splitList(*tools))
	if err != nil {
		return usagef("--tools: %v", err)
	}
	cs, closeStore, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	path := cs.Where()
	token, hash, err := gateway.NewToken()
	if err != nil {
		return err
	}
	var exists, newTenant bool
	cfg, _, err := cs.Update(ctx, func(cfg *gateway.Config) error {
		if cfg.Agent(*name) != nil {
			exists = true
			return fmt.Errorf("agent %q already exists in %s; remove it first to issue a new token", *name, path)
		}
		newTenant = cfg.Tenants[*tenant] == nil
		if newTenant {
			cfg.Tenants[*tenant] = &gateway.TenantConfig{}
			if *connection != "" && *connection != *tenant {
				cfg.Tenants[*tenant].Connection = *connection
			}
		}
		cfg.Agents = append(cfg.Agents, &gateway.AgentConfig{
			Name: *name, TokenSHA256: hash, Tenant: *tenant, Profile: *profile,
			Tools: toolNames, DefaultTier: t, Trusted: *trusted,
		})
		return nil
	})
	switch {
	case exists:
		return err
	case err != nil:
		return usage(err)
	}
	if newTenant {
		fmt.Fprintf(s.err, "Added tenant %q on connection %q; list its business_domains, vips and business_owners in %s ('atlassian-mcp config show', then 'config set').\n", *tenant, cfg.ConnectionOf(*tenant), path)
	}
	fmt.Fprintf(s.err, "Added agent %q (tenant %s, profile %s) to %s. Its bearer token, shown only this once:\n", *name, *tenant, *profile, path)
	fmt.Fprintln(s.out, token)
	fmt.Fprintln(s.err, "Give it to the agent as 'Authorization: Bearer <token>'; running 'atlassian-mcp serve --http' servers accept it within seconds.")
	return nil
}

func runAgentList(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "agent list", "[flags]", "List the agents of the config (never their tokens).")
	cf := addConfigFlags(fs)
	asJSON := fs.Bool("json", false, "print the agents as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, path, err := cf.load(ctx)
	if err != nil {
		return err
	}
	type row struct {
		Name        string   `json:"name"`
		Tenant      string   `json:"tenant"`
		Connection  string   `json:"connection"`
		Profile     string   `json:"profile"`
		Tools       []string `json:"tools"`
		DefaultTier string   `json:"default_tier"`
		Trusted     bool     `json:"trusted"`
	}
	var rows []row
	for _, a := range cfg.Agents {
		id, err := cfg.Identity(a)
		if err != nil {
			return err
		}
		var tools []string
		for _, n := range gateway.ToolNames() {
			if id.Assigned(n) {
				tools = append(tools, n)
			}
		}
		rows = append(rows, row{a.Name, a.Tenant, cfg.ConnectionOf(a.Tenant), a.Profile, tools, a.DefaultTier.String(), a.Trusted})
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.Tenant+"\x00"+a.Name, b.Tenant+"\x00"+b.Name) })
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rows)
		return nil
	}
	if len(rows) == 0 {
		fmt.Fprintf(s.out, "No agents in %s.\n", path)
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tTENANT\tCONNECTION\tPROFILE\tDEFAULT TIER\tTRUSTED\tTOOLS")
	for _, r := range rows {
		tools := fmt.Sprintf("%d: %s", len(r.Tools), strings.Join(shortTools(r.Tools), ","))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%s\n", r.Name, r.Tenant, r.Connection, r.Profile, r.DefaultTier, r.Trusted, tools)
	}
	_ = tw.Flush()
	return nil
}

// fullToolNames maps tool names as 'agent list' prints them (jira_search)
// or in full (atlassian_jira_search) to the full names the config stores
// and the MCP server offers; agent add --tools and serve's --tools and
// --exclude-tools read their lists with it. The error names the unknown
// tool, not the flag.
func fullToolNames(names []string) ([]string, error) {
	known := gateway.ToolNames()
	out := make([]string, 0, len(names))
	for _, n := range names {
		full := n
		if !strings.HasPrefix(full, "atlassian_") {
			full = "atlassian_" + full
		}
		if !slices.Contains(known, full) {
			return nil, fmt.Errorf("tool %q is unknown; the tools are %s (the atlassian_ prefix is optional)", n, strings.Join(shortTools(known), ", "))
		}
		if !slices.Contains(out, full) {
			out = append(out, full)
		}
	}
	return out, nil
}

// shortTools drops the "atlassian_" prefix for display.
func shortTools(tools []string) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = strings.TrimPrefix(t, "atlassian_")
	}
	return out
}

func runAgentRemove(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "agent remove", "--name NAME [flags]", "Remove an agent (running servers refuse its token within seconds).")
	cf := addConfigFlags(fs)
	name := fs.String("name", "", "the agent to remove")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" && fs.NArg() == 1 {
		*name = fs.Arg(0)
	}
	if *name == "" {
		return usage(errors.New("--name is required"))
	}
	cs, closeStore, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	path := cs.Where()
	if v, err := cs.Version(ctx); err != nil {
		return err
	} else if v == "" {
		return fmt.Errorf("no agents config at %s; add an agent with 'atlassian-mcp agent add'", path)
	}
	_, _, err = cs.Update(ctx, func(cfg *gateway.Config) error {
		n := len(cfg.Agents)
		cfg.Agents = slices.DeleteFunc(cfg.Agents, func(a *gateway.AgentConfig) bool { return a.Name == *name })
		if len(cfg.Agents) == n {
			return fmt.Errorf("no agent %q in %s", *name, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Removed agent %q from %s; running 'atlassian-mcp serve --http' servers refuse its token within seconds.\n", *name, path)
	return nil
}
