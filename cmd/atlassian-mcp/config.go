package main

import (
	"context"
	"encoding/json"
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
invalid); running servers apply it within seconds.
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
	cfg, _, err := cf.load(ctx)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(s.out, string(raw))
	return nil
}

func runConfigSet(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "config set", "FILE|- [flags]", "Replace the agents config with FILE's (or standard input's), validated as a whole first.")
	cf := addConfigFlags(fs)
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
	next, err := gateway.ParseConfig(raw)
	if err != nil {
		return usage(err)
	}
	cs, closeStore, err := cf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if _, _, err := cs.Update(ctx, func(c *gateway.Config) error { *c = *next; return nil }); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Stored the agents config in %s (%d tenant(s), %d agent(s), %d policy(ies)); running servers apply it within seconds.\n",
		cs.Where(), len(next.Tenants), len(next.Agents), len(next.Policies))
	if len(next.Agents) == 0 && strings.TrimSpace(string(raw)) != "" {
		fmt.Fprintln(s.err, "config set: warning: the config declares no agents, so every request will be refused")
	}
	return nil
}
