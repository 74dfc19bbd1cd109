package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

func runSchema(ctx context.Context, s streams, args []string) error {
	refresh := len(args) > 0 && args[0] == "refresh"
	if refresh {
		args = args[1:]
	}
	fs := newFlags(s, "schema", "[refresh] [flags]", `Browse the site schema discovered for a connection: projects, issue types,
statuses per project and issue type, custom fields, priorities, link types and
spaces. 'schema refresh' rediscovers it (after new projects, fields, issue
types, statuses or spaces). Servers on the same PostgreSQL store pick the new
schema up within seconds and tell their clients (tools/list_changed); a
server on a data directory picks it up at its next start or refresh.`)
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "print the snapshot as JSON")
	timeout := fs.Duration("timeout", 5*time.Minute, "time limit for a refresh")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (the only subcommand is 'refresh')", fs.Arg(0))
	}
	store, err := sf.openStore()
	if err != nil {
		return err
	}
	var snap *schema.Snapshot
	if refresh {
		logger := slog.New(slog.NewTextHandler(s.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		st, err := openSite(ctx, store, sf.connection, logger, nil)
		if err != nil {
			return named("schema refresh", err)
		}
		if snap, err = st.RefreshSchema(ctx); err != nil {
			return named("schema refresh", err)
		}
		if !*asJSON {
			fmt.Fprintf(s.out, "Refreshed: %s\n\n", schemaSummary(snap))
		}
	} else {
		if _, err := store.Get(sf.connection); err != nil {
			return err // a missing connection's error says to run connect
		}
		snap, err = snapshotsOf(store).Load(sf.connection)
		if errors.Is(err, schema.ErrNoSnapshot) {
			return fmt.Errorf("nothing discovered yet for connection %q; run 'atlassian-mcp schema refresh --connection %s'", sf.connection, sf.connection)
		} else if err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(snap); err != nil {
			return err
		}
		return nil
	}
	if err := schema.WriteText(s.out, snap); err != nil {
		return err
	}
	return nil
}

// schemaSummary says in one line what a snapshot holds.
func schemaSummary(s *schema.Snapshot) string {
	var projects, fields, spaces int
	if s.Jira != nil {
		projects, fields = len(s.Jira.Projects), len(s.CustomFields())
	}
	if s.Confluence != nil {
		spaces = len(s.Confluence.Spaces)
	}
	out := fmt.Sprintf("%d projects, %d custom fields, %d spaces in %s", projects, fields, spaces, s.Duration.Round(time.Millisecond))
	if n := len(s.Failures); n > 0 {
		out += fmt.Sprintf(" (partial: %d parts failed; see 'atlassian-mcp schema')", n)
	}
	return out
}
