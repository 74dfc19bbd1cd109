package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sessions records which agent owns each streamable-HTTP session in the
// http_sessions table, so every replica can check a session another
// replica created. A session idle longer than ttl is gone.
type Sessions struct {
	db  *DB
	ttl time.Duration
}

// Sessions returns the session ownership table with the given idle TTL.
func (db *DB) Sessions(ttl time.Duration) *Sessions { return &Sessions{db: db, ttl: ttl} }

// Create records that agent owns session id of tenant.
func (s *Sessions) Create(ctx context.Context, tenant, id, agent string) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO http_sessions (tenant, id, agent) VALUES ($1, $2, $3)
		ON CONFLICT (tenant, id) DO NOTHING`, tenant, id, agent)
	if err != nil {
		return fmt.Errorf("session store: %v", redactErr(err))
	}
	return nil
}

// Owner returns the agent owning session id of tenant and marks the
// session active; "" when there is none (or it idled out).
func (s *Sessions) Owner(ctx context.Context, tenant, id string) (string, error) {
	var agent string
	err := s.db.pool.QueryRow(ctx, `UPDATE http_sessions SET last_seen = now()
		WHERE tenant = $1 AND id = $2 AND last_seen > now() - make_interval(secs => $3)
		RETURNING agent`, tenant, id, s.ttl.Seconds()).Scan(&agent)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("session store: %v", redactErr(err))
	}
	return agent, nil
}

// Delete ends session id of tenant for every replica, and sweeps sessions
// idle past the TTL.
func (s *Sessions) Delete(ctx context.Context, tenant, id string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM http_sessions WHERE (tenant = $1 AND id = $2) OR last_seen < now() - make_interval(secs => $3)`,
		tenant, id, s.ttl.Seconds())
	if err != nil {
		return fmt.Errorf("session store: %v", redactErr(err))
	}
	return nil
}
