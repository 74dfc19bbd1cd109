package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// Config returns the agents config kept in the database, shared by every
// replica.
func (db *DB) Config() *ConfigStore { return &ConfigStore{db: db, timeout: 15 * time.Second} }

// ConfigStore is the agents config in the config_* tables: one row per
// tenant, custom policy and agent (tokens as their SHA-256 only), and
// config_meta with the rest and the version. An update runs in one
// transaction under an advisory lock, so concurrent updates from several
// replicas are serialised and none is lost.
type ConfigStore struct {
	db      *DB
	timeout time.Duration
}

var _ gateway.ConfigStore = (*ConfigStore)(nil)

// Where returns the database without its password.
func (s *ConfigStore) Where() string { return s.db.location }

// metaDoc is what config_meta.doc holds: the config without its tenants,
// policies and agents.
type metaDoc struct {
	Comment string              `json:"comment,omitempty"`
	Audit   gateway.AuditConfig `json:"audit,omitzero"`
}

func (s *ConfigStore) err(err error) error {
	if err == nil || errors.Is(err, gateway.ErrNoConfig) {
		return err
	}
	return fmt.Errorf("config store: %v", redactErr(err))
}

// Changes returns a channel that receives soon after another process
// changed the config (its notification arrived, or the listener
// reconnected and may have missed one); stop unsubscribes. It does not
// replace polling Version: while the listener is down nothing arrives.
func (s *ConfigStore) Changes() (<-chan struct{}, func()) {
	return s.db.listen.changes(topicConfig)
}

var _ gateway.ConfigWatcher = (*ConfigStore)(nil)

// Version returns config_meta's version ("" when no config is stored).
func (s *ConfigStore) Version(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var v int64
	err := s.db.pool.QueryRow(ctx, "SELECT version FROM config_meta").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", s.err(err)
	}
	return strconv.FormatInt(v, 10), nil
}

// Load reads the config in one read-only snapshot.
func (s *ConfigStore) Load(ctx context.Context) (*gateway.Config, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var (
		c   *gateway.Config
		ver string
	)
	err := pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		c, ver, err = readConfig(ctx, tx)
		return err
	})
	if err != nil {
		return nil, "", s.err(err)
	}
	if err := c.Validate(); err != nil {
		return nil, "", fmt.Errorf("config store %s: %w", s.db.location, err)
	}
	return c, ver, nil
}

// readConfig reads the config tables in tx.
func readConfig(ctx context.Context, tx pgx.Tx) (*gateway.Config, string, error) {
	var (
		ver  int64
		meta []byte
	)
	err := tx.QueryRow(ctx, "SELECT version, doc FROM config_meta").Scan(&ver, &meta)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", gateway.ErrNoConfig
	}
	if err != nil {
		return nil, "", err
	}
	var m metaDoc
	if err := json.Unmarshal(meta, &m); err != nil {
		return nil, "", fmt.Errorf("config_meta: %w", err)
	}
	c := &gateway.Config{Comment: m.Comment, Audit: m.Audit, Tenants: map[string]*gateway.TenantConfig{}}
	if err := eachRow(ctx, tx, "SELECT name, doc FROM config_tenants", func(name string, doc []byte) error {
		var t gateway.TenantConfig
		c.Tenants[name] = &t
		return json.Unmarshal(doc, &t)
	}); err != nil {
		return nil, "", fmt.Errorf("config_tenants: %w", err)
	}
	if err := eachRow(ctx, tx, "SELECT name, doc FROM config_policies", func(name string, doc []byte) error {
		var p gateway.Policy
		if err := json.Unmarshal(doc, &p); err != nil {
			return err
		}
		if c.Policies == nil {
			c.Policies = map[string]gateway.Policy{}
		}
		c.Policies[name] = p
		return nil
	}); err != nil {
		return nil, "", fmt.Errorf("config_policies: %w", err)
	}
	if err := eachRow(ctx, tx, "SELECT name, doc FROM config_agents ORDER BY position", func(_ string, doc []byte) error {
		var a gateway.AgentConfig
		c.Agents = append(c.Agents, &a)
		return json.Unmarshal(doc, &a)
	}); err != nil {
		return nil, "", fmt.Errorf("config_agents: %w", err)
	}
	return c, strconv.FormatInt(ver, 10), nil
}

func eachRow(ctx context.Context, tx pgx.Tx, sql string, fn func(name string, doc []byte) error) error {
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name string
			doc  []byte
		)
		if err := rows.Scan(&name, &doc); err != nil {
			return err
		}
		if err := fn(name, doc); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return rows.Err()
}

// Update applies fn under the config's advisory lock and writes the
// result, with the next version, in the same transaction.
func (s *ConfigStore) Update(ctx context.Context, fn func(*gateway.Config) error) (*gateway.Config, string, error) {
	return s.update(ctx, nil, fn)
}

// UpdateIf is Update when config_meta's version, read under the lock, is
// still version.
func (s *ConfigStore) UpdateIf(ctx context.Context, version string, fn func(*gateway.Config) error) (*gateway.Config, string, error) {
	return s.update(ctx, &version, fn)
}

// update is Update, checking the stored version first when want is not
// nil.
func (s *ConfigStore) update(ctx context.Context, want *string, fn func(*gateway.Config) error) (*gateway.Config, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var (
		out *gateway.Config
		ver string
		// fnErr is fn's or the validation's error, returned as is (it
		// speaks to the user, not about the database).
		fnErr error
	)
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", s.db.lockKey("config", "")); err != nil {
			return err
		}
		c, stored, err := readConfig(ctx, tx)
		if errors.Is(err, gateway.ErrNoConfig) {
			c, err = &gateway.Config{Tenants: map[string]*gateway.TenantConfig{}}, nil
		}
		if err != nil {
			return err
		}
		if want != nil && *want != stored {
			fnErr = gateway.VersionMoved(*want, stored)
			return fnErr
		}
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		if fnErr = c.Validate(); fnErr != nil {
			return fnErr
		}
		if ver, err = writeConfig(ctx, s.db, tx, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	if fnErr != nil {
		return nil, "", fnErr
	}
	if err != nil {
		return nil, "", s.err(err)
	}
	return out, ver, nil
}

// writeConfig replaces the config tables' rows with c's, raises the
// version and notifies the other replicas (at commit).
func writeConfig(ctx context.Context, db *DB, tx pgx.Tx, c *gateway.Config) (string, error) {
	for _, table := range []string{"config_agents", "config_tenants", "config_policies"} {
		if _, err := tx.Exec(ctx, "DELETE FROM "+table); err != nil {
			return "", err
		}
	}
	for name, t := range c.Tenants {
		doc, err := json.Marshal(t)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO config_tenants (name, doc) VALUES ($1, $2)", name, doc); err != nil {
			return "", err
		}
	}
	for name, p := range c.Policies {
		doc, err := json.Marshal(p)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO config_policies (name, doc) VALUES ($1, $2)", name, doc); err != nil {
			return "", err
		}
	}
	for i, a := range c.Agents {
		doc, err := json.Marshal(a)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO config_agents (name, position, tenant, token_sha256, doc) VALUES ($1, $2, $3, $4, $5)",
			a.Name, i, a.Tenant, a.TokenSHA256, doc); err != nil {
			return "", err
		}
	}
	meta, err := json.Marshal(metaDoc{Comment: c.Comment, Audit: c.Audit})
	if err != nil {
		return "", err
	}
	if err := db.notifyTx(ctx, tx, topicConfig); err != nil {
		return "", err
	}
	var ver int64
	err = tx.QueryRow(ctx, `INSERT INTO config_meta (id, version, doc, updated_at) VALUES (true, 1, $1, now())
		ON CONFLICT (id) DO UPDATE SET version = config_meta.version + 1, doc = EXCLUDED.doc, updated_at = now()
		RETURNING version`, meta).Scan(&ver)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(ver, 10), nil
}
