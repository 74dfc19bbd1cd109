package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

func runConfig(ctx context.Context, s streams, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(s.err, `Usage: atlassian-mcp config show|set [flags]

Read or replace the whole agents config: tenants (connection, business
domains, VIPs), custom policies, agents (token hashes only) and audit
settings. It is <data-dir>/config.json, or, with a PostgreSQL store
(--store or `+envStore+`), the database every replica shares, where this
is the way to edit what 'agent add/remove' does not:

  atlassian-mcp config show > config.json
  $EDITOR config.json
  atlassian-mcp config set config.json

set validates the whole config first (nothing changes when it is
invalid); running servers apply it within seconds. show writes the
stored version as "config_version"; set replaces the config only while
it is still that version, so an edit does not overwrite a change made
since (by 'agent add', the console or another operator): it refuses,
changing nothing, and you run show again and redo the edit. A file
without "config_version" replaces only an empty store. --force replaces
whatever is stored.
`)
		if len(args) == 0 {
			return exitStatus(exitUsage)
		}
		return nil
	}
	switch args[0] {
	case "show":
		return named("config show", runConfigShow(ctx, s, args[1:]))
	case "set":
		return named("config set", runConfigSet(ctx, s, args[1:]))
	}
	return usagef("unknown subcommand %q (want show or set)", args[0])
}

func runConfigShow(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "config show", "[flags]", "Print the agents config as JSON (agents' tokens appear only as their SHA-256).")
	cf := addConfigFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	cs, closeStore, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg, ver, err := cs.Load(ctx)
	if errors.Is(err, gateway.ErrNoConfig) {
		return fmt.Errorf("no agents config at %s; add an agent with 'atlassian-mcp agent add'", cs.Where())
	}
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(shownConfig{Version: ver, Config: cfg}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(s.out, string(raw))
	return nil
}

// versionKey is the member of config show's JSON that holds the stored
// version (not part of the config: config set takes it out).
const versionKey = "config_version"

// shownConfig is what config show prints: the version first, then the
// config's members.
type shownConfig struct {
	Version string `json:"config_version"`
	*gateway.Config
}

// splitVersion takes config show's version out of raw, returning the
// config's JSON without it and whether it was there.
func splitVersion(raw []byte) (cfg []byte, version string, found bool, err error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, "", false, err
	}
	v, found := members[versionKey]
	if !found {
		return raw, "", false, nil
	}
	if err := json.Unmarshal(v, &version); err != nil {
		return nil, "", false, fmt.Errorf("%s: %w", versionKey, err)
	}
	delete(members, versionKey)
	cfg, err = json.Marshal(members)
	return cfg, version, true, err
}

func runConfigSet(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "config set", "FILE|- [flags]", "Replace the agents config with FILE's (or standard input's), validated as a whole first.")
	cf := addConfigFlags(fs)
	force := fs.Bool("force", false, "replace the stored config even if it changed since 'config show' (or FILE has no "+versionKey+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("name the file to read (or - for standard input)")
	}
	var (
		raw []byte
		err error
	)
	if src := fs.Arg(0); src == "-" {
		raw, err = io.ReadAll(io.LimitReader(s.in, 16<<20))
	} else {
		raw, err = os.ReadFile(src)
	}
	if err != nil {
		return err
	}
	body, version, versioned, err := splitVersion(raw)
	if err != nil {
		return usage(err)
	}
	next, err := gateway.ParseConfig(body)
	if err != nil {
		return usage(err)
	}
	cs, closeStore, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	replace := func(c *gateway.Config) error { *c = *next; return nil }
	if *force {
		_, _, err = cs.Update(ctx, replace)
	} else {
		// A file without a version was not read from this store: it may
		// replace only an empty one.
		_, _, err = cs.UpdateIf(ctx, version, replace)
	}
	if errors.Is(err, gateway.ErrConfigChanged) {
		if !versioned {
			return fmt.Errorf("nothing changed: an agents config is stored and %s has no %q (from 'config show'), so it may undo changes made since it was written; run 'config show', redo the edit on its output, or pass --force to replace the stored config anyway",
				fs.Arg(0), versionKey)
		}
		return fmt.Errorf("nothing changed: %v (by 'agent add/remove', the console or another 'config set'); run 'config show' again and redo the edit on its output, or pass --force to replace the stored config anyway", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Stored the agents config in %s (%d tenant(s), %d agent(s), %d policy(ies)); running servers apply it within seconds.\n",
		cs.Where(), len(next.Tenants), len(next.Agents), len(next.Policies))
	if len(next.Agents) == 0 && strings.TrimSpace(string(raw)) != "" {
		fmt.Fprintln(s.err, "config set: warning: the config declares no agents, so every request will be refused")
	}
	return nil
}
