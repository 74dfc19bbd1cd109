package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// Audit returns the audit table of the database: a gateway.AuditSink per
// tenant (For) sharing one group commit, and a gateway.AuditReader.
func (db *DB) Audit() *Audit {
	a := &Audit{db: db, timeout: 10 * time.Second}
	a.idle.L = &a.mu
	return a
}

// Audit writes audit entries to the audit_entries table. Record returns
// once its entry is committed. Concurrent records share one transaction
// (group commit): the first caller to find no commit running writes every
// queued entry in one multi-row INSERT and one COMMIT, while the others
// wait for their batch. An entry therefore costs one round trip's share,
// not one commit each.
type Audit struct {
	db      *DB
	timeout time.Duration

	mu       sync.Mutex
	idle     sync.Cond // signalled when a commit ends
	queue    []*pgPending
	flushing bool
	failed   error
	entries  int64 // committed entries
	commits  int64 // committed transactions
}

// maxAuditBatch bounds the rows of one INSERT (7 parameters each, under
// PostgreSQL's 65,535).
const maxAuditBatch = 1000

type pgPending struct {
	e    *gateway.AuditEntry
	doc  []byte
	done chan error
}

var _ gateway.AuditReader = (*Audit)(nil)

// For returns the sink of tenant's entries. Closing it waits for pending
// records and leaves the shared table open.
func (a *Audit) For(tenant string) gateway.AuditSink { return tenantAudit{a} }

type tenantAudit struct{ a *Audit }

func (t tenantAudit) Record(e *gateway.AuditEntry) error { return t.a.Record(e) }
func (t tenantAudit) Failed() error                      { return t.a.Failed() }
func (t tenantAudit) Close() error                       { t.a.wait(); return nil }

// Where returns the database without its password.
func (a *Audit) Where() string { return a.db.location }

// Failed returns the error of the last failed commit, or nil.
func (a *Audit) Failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failed
}

// Stats returns how many entries and transactions this process committed
// (entries over commits is the group commit's batch size).
func (a *Audit) Stats() (entries, commits int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.entries, a.commits
}

func (a *Audit) wait() {
	a.mu.Lock()
	for a.flushing {
		a.idle.Wait()
	}
	a.mu.Unlock()
}

// Record writes e and returns once it is committed.
func (a *Audit) Record(e *gateway.AuditEntry) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	p := &pgPending{e: e, doc: doc, done: make(chan error, 1)}
	a.mu.Lock()
	a.queue = append(a.queue, p)
	if a.flushing {
		a.mu.Unlock()
		return <-p.done
	}
	a.flushing = true
	for len(a.queue) > 0 {
		batch := a.queue
		if len(batch) > maxAuditBatch {
			batch, a.queue = batch[:maxAuditBatch:maxAuditBatch], batch[maxAuditBatch:]
		} else {
			a.queue = nil
		}
		a.mu.Unlock()
		err := a.commit(batch)
		for _, b := range batch {
			b.done <- err
		}
		a.mu.Lock()
		a.failed = err
		if err == nil {
			a.entries += int64(len(batch))
			a.commits++
		}
	}
	a.flushing = false
	a.idle.Broadcast()
	a.mu.Unlock()
	return <-p.done
}

// commit inserts a batch in one statement and one transaction.
func (a *Audit) commit(batch []*pgPending) error {
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	var sb strings.Builder
	sb.WriteString("INSERT INTO audit_entries (at, tenant, agent, tool, status, execution_id, entry) VALUES ")
	args := make([]any, 0, 7*len(batch))
	for i, p := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, p.e.Time, p.e.Tenant, p.e.Agent, p.e.Tool, p.e.Status, p.e.ExecutionID, p.doc)
	}
	// One statement outside an explicit transaction commits on its own:
	// every row of the batch, or none.
	if _, err := a.db.pool.Exec(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("audit store: %v", redactErr(err))
	}
	return nil
}

// Tenants lists the tenants with entries.
func (a *Audit) Tenants(ctx context.Context) ([]string, error) {
	rows, err := a.db.pool.Query(ctx, "SELECT DISTINCT tenant FROM audit_entries ORDER BY tenant")
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return out, nil
}

// Read returns tenant's entries the filter selects, oldest first. The
// filter runs in SQL (on the tenant and time index) and again on each
// decoded entry, which keeps its exact semantics (times to the
// nanosecond, short tool names).
func (a *Audit) Read(ctx context.Context, tenant string, f gateway.AuditFilter) (*gateway.AuditReadResult, error) {
	if err := gateway.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	q := "SELECT entry FROM audit_entries WHERE tenant = $1"
	args := []any{tenant}
	if !f.Since.IsZero() {
		args = append(args, f.Since.Truncate(time.Microsecond)) // the column keeps microseconds
		q += fmt.Sprintf(" AND at >= $%d", len(args))
	}
	if f.Agent != "" {
		args = append(args, f.Agent)
		q += fmt.Sprintf(" AND agent = $%d", len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(" AND status = $%d", len(args))
	}
	if f.Tool != "" {
		args = append(args, f.Tool, "atlassian_"+f.Tool)
		q += fmt.Sprintf(" AND tool IN ($%d, $%d)", len(args)-1, len(args))
	}
	q += " ORDER BY at, id"
	rows, err := a.db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	res := &gateway.AuditReadResult{}
	for i, doc := range docs {
		var e gateway.AuditEntry
		if err := json.Unmarshal(doc, &e); err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("audit_entries row %d of tenant %s: not an entry", i+1, tenant))
			continue
		}
		if f.Match(&e) {
			res.Entries = append(res.Entries, e)
		}
	}
	return res, nil
}

// Prune deletes the entries older than maxAge and returns how many it
// deleted. Every replica may run it; they delete the same rows.
func (a *Audit) Prune(ctx context.Context, maxAge time.Duration) (int64, error) {
	if maxAge <= 0 {
		return 0, errors.New("audit store: a retention age must be positive")
	}
	tag, err := a.db.pool.Exec(ctx, "DELETE FROM audit_entries WHERE at < now() - make_interval(secs => $1)", maxAge.Seconds())
	if err != nil {
		return 0, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return tag.RowsAffected(), nil
}
