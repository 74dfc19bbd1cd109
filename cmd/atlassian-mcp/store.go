package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runStore(ctx context.Context, s streams, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(s.err, `Usage: atlassian-mcp store <migrate|status|copy> [flags]

Manage the PostgreSQL store that several replicas share.

  migrate   apply the embedded schema migrations (serve also does this at start)
  status    show the applied and pending migrations and what the store holds
  copy      copy the connections, schema snapshots and agents config of a
            data directory into PostgreSQL, without a new OAuth consent

The store is --store or `+envStore+` (postgres://user@host:5432/db; add
?search_path=NAME to use a schema other than public). Secrets are sealed
with `+tokenstore.KeyEnv+`, which every replica needs.
`)
		if len(args) == 0 {
			return exitStatus(exitUsage)
		}
		return nil
	}
	switch args[0] {
	case "migrate":
		return named("store migrate", runStoreMigrate(ctx, s, args[1:]))
	case "status":
		return named("store status", runStoreStatus(ctx, s, args[1:]))
	case "copy":
		return named("store copy", runStoreCopy(ctx, s, args[1:]))
	}
	return usagef("unknown subcommand %q (want migrate, status or copy)", args[0])
}

// openDB opens the PostgreSQL store spec names (never the data directory).
func openDB(ctx context.Context, spec string, migrate bool) (*pgstore.DB, error) {
	if spec == "" {
		spec = os.Getenv(envStore)
	}
	if !pgstore.IsDSN(spec) {
		return nil, fmt.Errorf("name the PostgreSQL store with --store postgres://... or %s (the data directory needs no migrations)", envStore)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return pgstore.Open(ctx, spec, migrate)
}

// openStoreArg parses a store subcommand that takes only --store and opens
// the PostgreSQL store it names, without migrating it.
func openStoreArg(ctx context.Context, s streams, name, help string, args []string) (*pgstore.DB, error) {
	fs := newFlags(s, name, "[--store postgres://...]", help)
	spec := fs.String("store", "", "the PostgreSQL store (env "+envStore+")")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return openDB(ctx, *spec, false)
}

func runStoreMigrate(ctx context.Context, s streams, args []string) error {
	db, err := openStoreArg(ctx, s, "store migrate", "Apply the embedded schema migrations the database lacks, under an advisory lock.", args)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(s.out, "%s (schema %s) is up to date.\n", db.Location(), db.Schema())
		return nil
	}
	fmt.Fprintf(s.out, "Applied migrations %v to %s (schema %s).\n", applied, db.Location(), db.Schema())
	return nil
}

func runStoreStatus(ctx context.Context, s streams, args []string) error {
	db, err := openStoreArg(ctx, s, "store status", "Show the store's migrations and what it holds.", args)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Store:       %s (schema %s)\n", st.Location, st.Schema)
	fmt.Fprintf(s.out, "Migrations:  applied %v, pending %v\n", st.Applied, st.Pending)
	if len(st.Pending) > 0 {
		fmt.Fprintln(s.out, "             run 'atlassian-mcp store migrate' (serve applies them at start)")
		return exitStatus(exitFailure)
	}
	fmt.Fprintf(s.out, "Connections: %d\nSnapshots:   %d\nAgents:      %d\nAudit rows:  %d\n", st.Connections, st.Snapshots, st.Agents, st.AuditEntries)
	return nil
}

func runStoreCopy(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "store copy", "--from DATA_DIR --to postgres://...", `Copy every connection (with its tokens, re-sealed with `+tokenstore.KeyEnv+`),
schema snapshot, the agents config (tenants, policies, agents with their
token hashes: agent tokens keep working) and the audit log of a data
directory into PostgreSQL, so a single-machine install moves to the shared
store without a new OAuth consent. The data directory is read with its own
key file; stop its servers first so no refresh happens during the copy.
Connections already in the target, and a config when the target has one,
are left alone and reported; audit entries already copied are not copied
again, so running copy twice duplicates nothing.`)
	from := fs.String("from", "", "the data directory to copy from")
	to := fs.String("to", "", "the PostgreSQL store to copy into (env "+envStore+")")
	config := fs.String("config", "", "the agents config file to copy (default DATA_DIR/config.json when it exists)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usagef("--from DATA_DIR is required")
	}
	if _, err := os.Stat(filepath.Join(*from, tokenstore.DBFileName)); err != nil {
		return fmt.Errorf("%s holds no token database (%v)", *from, err)
	}
	// The data directory's own key file opens its secrets when it has one;
	// otherwise they were sealed with the key in the environment.
	var srcOpts []tokenstore.Option
	if _, err := os.Stat(filepath.Join(*from, tokenstore.KeyFileName)); err == nil {
		srcOpts = append(srcOpts, tokenstore.WithKeySpec(""))
	}
	src, err := tokenstore.Open(*from, srcOpts...)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *to, true)
	if err != nil {
		return err
	}
	defer db.Close()
	dst, err := tokenstore.New(db.Tokens())
	if err != nil {
		return err
	}
	conns, err := src.List()
	if err != nil {
		return err
	}
	cache, snaps := schema.NewCache(src.Dir()), db.Snapshots()
	copied, failed := 0, 0
	for _, c := range conns {
		c, sec, err := src.Load(c.Name)
		if err == nil {
			err = dst.Import(c, sec)
		}
		if err != nil {
			fmt.Fprintf(s.err, "store copy: connection %s: %v\n", c.Name, err)
			failed++
			continue
		}
		copied++
		snapNote := "no schema snapshot"
		if snap, err := cache.Load(c.Name); err == nil {
			if err := snaps.Save(snap); err != nil {
				fmt.Fprintf(s.err, "store copy: connection %s: schema snapshot: %v\n", c.Name, err)
			} else {
				snapNote = "schema snapshot copied"
			}
		} else if !errors.Is(err, schema.ErrNoSnapshot) {
			snapNote = "schema snapshot unreadable, rediscovered at first serve"
		}
		fmt.Fprintf(s.out, "Copied connection %s (%s, %s).\n", c.Name, c.Site.URL, snapNote)
	}
	fmt.Fprintf(s.out, "%d connection(s) copied to %s, %d failed.\n", copied, db.Location(), failed)
	if err := copyConfig(ctx, s, *from, *config, db.Config()); err != nil {
		fmt.Fprintf(s.err, "store copy: agents config: %v\n", err)
		failed++
	}
	if err := copyAudit(ctx, s, filepath.Join(*from, "audit"), db.Audit()); err != nil {
		fmt.Fprintf(s.err, "store copy: audit log: %v\n", err)
		failed++
	}
	if failed > 0 {
		return exitStatus(exitFailure)
	}
	return nil
}

// copyConfig copies the agents config file (path, or config.json in the
// data directory when it exists) into the database's config store, unless
// that already holds one.
func copyConfig(ctx context.Context, s streams, dataDir, path string, dst gateway.ConfigStore) error {
	explicit := path != ""
	if !explicit {
		path = filepath.Join(dataDir, "config.json")
	}
	src, err := gateway.LoadConfig(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		fmt.Fprintf(s.out, "No agents config at %s to copy.\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	if v, err := dst.Version(ctx); err != nil {
		return err
	} else if v != "" {
		return fmt.Errorf("%s already holds an agents config; left alone (edit it with 'atlassian-mcp agent ...' or the admin console)", dst.Where())
	}
	cfg, _, err := dst.Update(ctx, func(c *gateway.Config) error {
		if len(c.Agents) > 0 || len(c.Tenants) > 0 {
			return fmt.Errorf("%s already holds an agents config; left alone", dst.Where())
		}
		*c = *src
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Copied the agents config of %s (%d tenant(s), %d agent(s), %d policy(ies)); its agent tokens keep working.\n", path, len(cfg.Tenants), len(cfg.Agents), len(cfg.Policies))
	return nil
}

// copyAudit copies the tenants' audit logs in dir (rotated files too)
// into the database's audit table, a batch of entries at a time (memory
// stays bounded by a batch whatever the logs' size). Entries the table
// already holds are not inserted again.
func copyAudit(ctx context.Context, s streams, dir string, dst *pgstore.Audit) error {
	tenants, err := gateway.AuditTenants(dir)
	if err != nil {
		return err
	}
	if len(tenants) == 0 {
		fmt.Fprintf(s.out, "No audit log at %s to copy.\n", dir)
		return nil
	}
	for _, t := range tenants {
		read, added := 0, 0
		batch := make([]gateway.AuditEntry, 0, 500)
		flush := func() error {
			n, err := dst.Import(ctx, batch)
			added += n
			batch = batch[:0]
			return err
		}
		skipped, err := gateway.WalkAudit(dir, t, gateway.AuditFilter{}, func(e gateway.AuditEntry) error {
			if e.Tenant == "" {
				e.Tenant = t
			}
			read++
			if batch = append(batch, e); len(batch) == cap(batch) {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		for _, sk := range skipped {
			fmt.Fprintf(s.err, "store copy: audit log: skipped %s\n", sk)
		}
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t, err)
		}
		fmt.Fprintf(s.out, "Copied %d audit entries of tenant %s (%d already in the database).\n", added, t, read-added)
	}
	return nil
}
