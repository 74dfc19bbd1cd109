package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Tokens returns the connection records as a tokenstore.Backend; wrap it
// with tokenstore.New. Closing the backend leaves the DB open.
func (db *DB) Tokens() tokenstore.Backend { return tokenBackend{db} }

type tokenBackend struct{ db *DB }

func (b tokenBackend) Location() string { return b.db.location }

func (b tokenBackend) Close() error { return nil }

func (b tokenBackend) View(ctx context.Context, fn func(tokenstore.Tx) error) error {
	err := pgx.BeginTxFunc(ctx, b.db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return fn(pgTx{ctx: ctx, tx: tx})
	})
	return b.wrap(err)
}

func (b tokenBackend) Update(ctx context.Context, fn func(tokenstore.Tx) error) error {
	err := pgx.BeginFunc(ctx, b.db.pool, func(tx pgx.Tx) error {
		return fn(pgTx{ctx: ctx, tx: tx})
	})
	return b.wrap(err)
}

// Locked runs fn in one transaction that first takes
// pg_advisory_xact_lock on a hash of the schema and connection name. The
// lock is released when the transaction ends: at commit, at rollback, or
// when the holder's connection dies (a killed replica never leaves a
// connection locked). fn's reads see everything committed before the lock
// was granted, and its writes are committed before Locked returns.
func (b tokenBackend) Locked(ctx context.Context, name string, timeout time.Duration, fn func(tokenstore.Tx) error) error {
	// The lock wait is bounded by lock_timeout; the whole transaction
	// (including the token endpoint exchange) by ctx and the caller's
	// refresh timeout, plus a margin for the writes.
	ctx, cancel := context.WithTimeout(ctx, timeout+2*time.Minute)
	defer cancel()
	err := pgx.BeginFunc(ctx, b.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", fmt.Sprintf("%dms", max(timeout.Milliseconds(), 1))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", b.db.lockKey("refresh", name)); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
				return fmt.Errorf("%w: another replica has been refreshing connection %q for over %s", tokenstore.ErrBusy, name, timeout)
			}
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', '0', true)"); err != nil {
			return err
		}
		return fn(pgTx{ctx: ctx, tx: tx})
	})
	return b.wrap(err)
}

// wrap turns driver errors into messages without connection details; the
// store's own errors pass unchanged.
func (b tokenBackend) wrap(err error) error {
	if err == nil || errors.Is(err, tokenstore.ErrBusy) || errors.Is(err, tokenstore.ErrNotFound) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnErr(err) {
		r := redactErr(err)
		if errors.Is(r, ErrUnreachable) || pe != nil && unavailableCode(pe.Code) {
			return fmt.Errorf("PostgreSQL store: %w", unavailableErr{r})
		}
		return fmt.Errorf("PostgreSQL store: %v", r)
	}
	return err
}

// unavailableCode reports whether a SQLSTATE says the database cannot
// serve now (connection exception, shutting down or starting, too many
// connections) rather than that the statement is wrong.
func unavailableCode(code string) bool {
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P") || code == "53300"
}

// unavailableErr is a store error that a later try may not meet: it
// matches tokenstore.ErrUnavailable (which the MCP tools answer as "the
// store is unavailable, retry later") and reads as the redacted cause.
type unavailableErr struct{ err error }

func (e unavailableErr) Error() string   { return e.err.Error() }
func (e unavailableErr) Unwrap() []error { return []error{e.err, tokenstore.ErrUnavailable} }

func isConnErr(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.Is(err, context.DeadlineExceeded)
}

// pgTx is a tokenstore.Tx over one PostgreSQL transaction.
type pgTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t pgTx) Get(name string) (*tokenstore.Record, error) {
	var pub []byte
	r := &tokenstore.Record{}
	err := t.tx.QueryRow(t.ctx, "SELECT public, sealed FROM connections WHERE name = $1", name).Scan(&pub, &r.Sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(pub, &r.Connection); err != nil {
		return nil, fmt.Errorf("%w: connection %q: %v", tokenstore.ErrDamaged, name, err)
	}
	return r, nil
}

func (t pgTx) Put(r *tokenstore.Record) error {
	pub, err := json.Marshal(r.Connection)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(t.ctx, `INSERT INTO connections (name, public, sealed, key_version, generation, updated_at)
		VALUES ($1, $2, $3, $4, $5, now())
		ON CONFLICT (name) DO UPDATE SET public = EXCLUDED.public, sealed = EXCLUDED.sealed,
			key_version = EXCLUDED.key_version, generation = EXCLUDED.generation, updated_at = now()`,
		r.Name, pub, r.Sealed, int16(r.KeyVersion), int64(r.Generation))
	return err
}

func (t pgTx) Delete(name string) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM connections WHERE name = $1", name)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

func (t pgTx) List() ([]*tokenstore.Record, error) {
	rows, err := t.tx.Query(t.ctx, "SELECT name, public, sealed FROM connections ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*tokenstore.Record
	for rows.Next() {
		var (
			name string
			pub  []byte
			r    tokenstore.Record
		)
		if err := rows.Scan(&name, &pub, &r.Sealed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(pub, &r.Connection); err != nil {
			return nil, fmt.Errorf("%w: connection %q: %v", tokenstore.ErrDamaged, name, err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

func (t pgTx) KeyCheck(ver byte) ([]byte, error) {
	var v []byte
	err := t.tx.QueryRow(t.ctx, "SELECT sealed FROM key_checks WHERE version = $1", int16(ver)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (t pgTx) PutKeyCheck(ver byte, sealed []byte) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO key_checks (version, sealed) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING", int16(ver), sealed)
	return err
}
