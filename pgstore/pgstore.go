// Package pgstore keeps atlassian-mcp's shared state in PostgreSQL, for
// several replicas serving one site behind a load balancer: connection
// records with their sealed secrets (a tokenstore.Backend whose refresh
// lock is a transaction-scoped advisory lock) and schema snapshots (a
// schema.Snapshots). Secrets are sealed by the application before they
// reach the database, so a dump reveals no token.
//
// The tables live in the schema the connection's search_path selects
// (public by default; add "?search_path=NAME" to the DSN to use another).
// Migrations are embedded, versioned and forward only; Open applies the
// missing ones under an advisory lock, so replicas starting together
// apply each once.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema change.
type Migration struct {
	// Version orders migrations; it is the file name's number.
	Version int
	// Name is the migration's file name.
	Name string
	sql  string
}

// Migrations returns the embedded migrations in order.
func Migrations() []Migration {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		panic(err) // embedded at build time
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic("pgstore: migration without a version: " + e.Name())
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// IsDSN reports whether a --store value names PostgreSQL.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// DB is an open PostgreSQL store.
type DB struct {
	pool     *pgxpool.Pool
	schema   string // current_schema(), part of every advisory lock key
	location string
	listen   listener // LISTEN connection, started by the first subscriber
}

// Open connects to dsn and, unless migrate is false, applies the missing
// migrations. It fails when the database is unreachable.
func Open(ctx context.Context, dsn string, migrate bool) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %v", Redact(dsn), redactErr(err))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.MaxConnIdleTime = time.Minute
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store %s: %v", Redact(dsn), redactErr(err))
	}
	db := &DB{pool: pool, location: Redact(dsn)}
	db.listen.db, db.listen.ping = db, 30*time.Second
	if err := pool.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&db.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store %s: %v", db.location, redactErr(err))
	}
	if db.schema == "" {
		pool.Close()
		return nil, fmt.Errorf("store %s: the search_path names no existing schema; create it first", db.location)
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close stops the listener and closes the pool.
func (db *DB) Close() {
	db.listen.close()
	db.pool.Close()
}

// Location is the DSN without its password.
func (db *DB) Location() string { return db.location }

// Schema is the database schema the tables live in.
func (db *DB) Schema() string { return db.schema }

// Pool is the connection pool (for other stores sharing the database).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("store %s: %v", db.location, redactErr(err))
	}
	return nil
}

// lockKey is the text hashed into an advisory lock key: the schema is part
// of it, so stores in different schemas of one database never contend.
func (db *DB) lockKey(kind, name string) string {
	return "atlassian-mcp/" + kind + "/" + db.schema + "/" + name
}

// Migrate applies the embedded migrations the database lacks, in one
// transaction under an advisory lock, and returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	var applied []int
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", db.lockKey("migrate", "")); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		have, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range Migrations() {
			if have[m.Version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
				return err
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store %s: migrate: %v", db.location, redactErr(err))
	}
	return applied, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, err
	}
	have := map[int]bool{}
	for _, v := range vs {
		have[int(v)] = true
	}
	return have, nil
}

// Status describes a store for `atlassian-mcp store status`.
type Status struct {
	// Location is the DSN without its password.
	Location string
	// Schema is the database schema holding the tables.
	Schema string
	// Applied and Pending are the migration versions applied and missing.
	Applied, Pending []int
	// Connections, Snapshots, Agents and AuditEntries count the rows of
	// those tables.
	Connections, Snapshots, Agents, AuditEntries int
}

// Status reads the migration state and row counts.
func (db *DB) Status(ctx context.Context) (Status, error) {
	st := Status{Location: db.location, Schema: db.schema}
	var exists bool
	if err := db.pool.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return st, fmt.Errorf("store %s: %v", db.location, redactErr(err))
	}
	have := map[int]bool{}
	if exists {
		var err error
		if have, err = appliedVersions(ctx, db.pool); err != nil {
			return st, redactErr(err)
		}
	}
	for _, m := range Migrations() {
		if have[m.Version] {
			st.Applied = append(st.Applied, m.Version)
		} else {
			st.Pending = append(st.Pending, m.Version)
		}
	}
	if len(st.Pending) == 0 {
		for table, n := range map[string]*int{"connections": &st.Connections, "schema_snapshots": &st.Snapshots, "config_agents": &st.Agents, "audit_entries": &st.AuditEntries} {
			if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(n); err != nil {
				return st, redactErr(err)
			}
		}
	}
	return st, nil
}

// Redact returns dsn without its password, for messages.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable DSN)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ErrUnreachable is what every store error says when the database does
// not answer (refused, cut, or too slow): never where the database is.
var ErrUnreachable = errors.New("the database is unreachable")

// redactErr keeps a driver error's message but never a DSN, host or
// address it may quote: a server's error keeps its message and SQLSTATE,
// a connection failure becomes ErrUnreachable with a short reason.
func redactErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s (SQLSTATE %s)", pe.Message, pe.Code)
	}
	var (
		ce *pgconn.ConnectError
		oe *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w (connection refused)", ErrUnreachable)
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return fmt.Errorf("%w (no answer in time): %w", ErrUnreachable, context.DeadlineExceeded)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w (connection lost)", ErrUnreachable)
	case errors.As(err, &ce) || errors.As(err, &oe):
		return fmt.Errorf("%w (cannot connect)", ErrUnreachable)
	case strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool"):
		return fmt.Errorf("%w (connection closed)", ErrUnreachable)
	}
	return err
}
