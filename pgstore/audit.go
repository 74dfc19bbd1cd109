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
	"github.com/atlassian-mcp/atlassian-mcp/internal/groupcommit"
)

// Audit returns the audit table of the database: a gateway.AuditSink per
// tenant (For) sharing one group commit, and a gateway.AuditReader.
func (db *DB) Audit() *Audit {
	a := &Audit{db: db, timeout: 10 * time.Second, pageRows: 500, spoolMax: maxAuditSpool, retryEvery: 5 * time.Second}
	a.commits = groupcommit.New(maxAuditBatch, a.commit)
	a.life, a.stop = context.WithCancel(context.Background())
	return a
}

// Audit writes audit entries to the audit_entries table. Record returns
// once its entry is committed. Concurrent records share one transaction
// (group commit): the first caller to find no commit running writes every
// queued entry in one multi-row INSERT and one COMMIT, while the others
// wait for their batch. An entry therefore costs one round trip's share,
// not one commit each.
//
// While the database does not answer, the entries of failed commits wait
// in memory (the spool) and are written before the next batch, or by a
// retry every retryEvery when no call comes, or by Close at shutdown.
type Audit struct {
	db       *DB
	timeout  time.Duration
	pageRows int // rows a NewestFirst cursor fetches at a time
	commits  *groupcommit.Batcher[pgPending]

	// retryEvery is how often a spooled entry is retried while no write
	// comes; life ends at Close, stopping the retries.
	retryEvery time.Duration
	life       context.Context
	stop       context.CancelFunc
	retries    sync.WaitGroup

	// writing serialises the spool's writers: a commit, the retry, Close.
	writing sync.Mutex

	// spool holds the entries of failed commits (oldest first, at most
	// spoolMax; the ones beyond are dropped and counted), written before
	// the next batch once the database answers. Only a writer holding
	// writing changes it; mu guards it for Spooled.
	mu       sync.Mutex
	spool    []gateway.AuditEntry
	spoolMax int
	dropped  int64
	failed   error // the last write's error; nil once one succeeded
	retrying bool  // a retry goroutine runs
}

// maxAuditSpool bounds the entries kept in memory while the database
// does not answer (about 10 MB: parameters are clipped when audited).
const maxAuditSpool = 10000

// maxAuditBatch bounds the rows of one INSERT (7 parameters each, under
// PostgreSQL's 65,535).
const maxAuditBatch = 1000

type pgPending struct {
	e   *gateway.AuditEntry
	doc []byte
}

var (
	_ gateway.AuditNewestFirst = (*Audit)(nil)
	_ gateway.AuditCounter     = (*Audit)(nil)
)

// For returns the sink of tenant's entries. Closing it waits for pending
// records and leaves the shared table open.
func (a *Audit) For(tenant string) gateway.AuditSink { return tenantAudit{a} }

type tenantAudit struct{ a *Audit }

func (t tenantAudit) Record(e *gateway.AuditEntry) error { return t.a.Record(e) }
func (t tenantAudit) Failed() error                      { return t.a.Failed() }
func (t tenantAudit) Close() error                       { t.a.commits.Wait(); return nil }

// Where returns the database without its password.
func (a *Audit) Where() string { return a.db.location }

// Failed returns the error of the last failed write, or nil once a commit
// or the spool's retry succeeded after it.
func (a *Audit) Failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failed
}

// Stats returns how many entries and transactions this process committed
// (entries over commits is the group commit's batch size).
func (a *Audit) Stats() (entries, commits int64) { return a.commits.Stats() }

// Record writes e and returns once it is committed.
func (a *Audit) Record(e *gateway.AuditEntry) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	return a.commits.Submit(pgPending{e: e, doc: doc})
}

// commit writes the spooled entries, then the batch. When either fails,
// the batch joins the spool and the batch's callers get the error (their
// entries go to the server log too): the entries of calls made while the
// database is down reach the table when it answers again (with the next
// batch, the retry or Close), unless the process ends first or the spool
// is full.
func (a *Audit) commit(batch []pgPending) error {
	a.writing.Lock()
	defer a.writing.Unlock()
	err := a.flushSpool(context.Background())
	if err == nil {
		err = a.insert(batch)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failed = err
	if err != nil {
		for _, p := range batch {
			if len(a.spool) >= a.spoolMax {
				a.dropped++
				continue
			}
			a.spool = append(a.spool, *p.e)
		}
		if len(a.spool) > 0 && !a.retrying && a.life.Err() == nil {
			a.retrying = true
			a.retries.Add(1)
			go a.retry()
		}
	}
	return err
}

// retry writes the spool every retryEvery until it is empty (the
// database answered: Failed is nil again, so calls run again without one
// being refused first) or Close.
func (a *Audit) retry() {
	defer a.retries.Done()
	tick := time.NewTicker(a.retryEvery)
	defer tick.Stop()
	for {
		select {
		case <-a.life.Done():
			a.mu.Lock()
			a.retrying = false
			a.mu.Unlock()
			return
		case <-tick.C:
		}
		a.writing.Lock()
		err := a.flushSpool(a.life)
		a.mu.Lock()
		done := err == nil
		if done {
			a.failed, a.retrying = nil, false
		}
		a.mu.Unlock()
		a.writing.Unlock()
		if done {
			return
		}
	}
}

// flushSpool writes the spooled entries through Import, which skips an
// entry a failed commit did write after all (a timeout after the row was
// committed, or an orphaned statement finishing later). Each Import
// gets the store's timeout within ctx.
func (a *Audit) flushSpool(ctx context.Context) error {
	for {
		a.mu.Lock()
		n := min(len(a.spool), maxAuditBatch)
		head := a.spool[:n:n]
		a.mu.Unlock()
		if n == 0 {
			return nil
		}
		ictx, cancel := context.WithTimeout(ctx, a.timeout)
		_, err := a.Import(ictx, head)
		cancel()
		if err != nil {
			return err
		}
		a.mu.Lock()
		a.spool = a.spool[n:]
		if len(a.spool) == 0 {
			a.spool = nil // release the array
		}
		a.mu.Unlock()
	}
}

// Close refuses further records, stops the retry, waits for the running
// commit and writes what the spool holds, within ctx (at shutdown). The
// error says how many entries were not written, and how many the full
// spool dropped before: nothing of the entries themselves.
func (a *Audit) Close(ctx context.Context) error {
	a.mu.Lock() // commit starts a retry under mu, never after this
	a.stop()
	a.mu.Unlock()
	a.retries.Wait()
	closed := make(chan struct{})
	go func() { a.commits.Close(); close(closed) }()
	var err error
	select {
	case <-closed:
		a.writing.Lock()
		err = a.flushSpool(ctx)
		a.writing.Unlock()
	case <-ctx.Done():
		err = fmt.Errorf("%w (a commit was still running)", ErrUnreachable)
	}
	held, dropped := a.Spooled()
	switch {
	case held > 0:
		return fmt.Errorf("audit store: %d audit entries kept in memory while the database did not answer are lost (%d more dropped earlier, the spool being full): %s",
			held, dropped, strings.TrimPrefix(fmt.Sprint(err), "audit store: "))
	case dropped > 0:
		return fmt.Errorf("audit store: %d audit entries were dropped while the database did not answer, the spool being full", dropped)
	}
	return nil
}

// Spooled returns how many entries of failed commits wait in memory for
// the database, and how many were dropped because the spool was full.
func (a *Audit) Spooled() (held int, dropped int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.spool), a.dropped
}

// insert inserts a batch in one statement and one transaction.
func (a *Audit) insert(batch []pgPending) error {
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

// tenantsSQL lists the tenants with a loose index scan on (tenant, at):
// one index probe per tenant (the next tenant after the last), where
// SELECT DISTINCT reads the whole index. On 1,000,000 rows of 4 tenants:
// 17 shared buffers and 1.5 ms instead of 3,851 and 524 ms (EXPLAIN
// ANALYZE, PostgreSQL 15, load 6); the console's audit page asks on
// every view of all tenants.
const tenantsSQL = `WITH RECURSIVE t(tenant) AS (
		(SELECT tenant FROM audit_entries ORDER BY tenant LIMIT 1)
		UNION ALL
		SELECT (SELECT a.tenant FROM audit_entries a WHERE a.tenant > t.tenant ORDER BY a.tenant LIMIT 1)
		FROM t WHERE t.tenant IS NOT NULL)
	SELECT tenant FROM t WHERE tenant IS NOT NULL`

// Tenants lists the tenants with entries, in order.
func (a *Audit) Tenants(ctx context.Context) ([]string, error) {
	rows, err := a.query(ctx, tenantsSQL)
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return out, nil
}

// readMode is how the audit table is read: each query as an unnamed
// statement (its description cached, still one round trip), so
// PostgreSQL plans it for its parameters every time. A named prepared
// statement (pgx's default) switches to a generic plan after five runs
// when that looks no dearer on average (plan_cache_mode auto), and a
// plan for an average tenant is wrong for a small one in a big table.
// Measured with EXPLAIN (ANALYZE, BUFFERS) on 1,000,000 rows (tenants of
// 70%, 20%, 9% and 1%; PostgreSQL 15), shared buffers of the 1% tenant,
// custom plan against generic plan:
//
//	newest 500                     474 ->  3,335  ((tenant, at) -> (at))
//	newest 500, status denied      274 -> 67,977  (the 70% tenant: 446 -> 1,671)
//	newest 500, last 24 h          326 ->  2,278
//	next page (keyset)             479 ->  3,540
//	hourly chart, 24 h              49 ->  2,183  (auto chose it after five runs for the 70% tenant)
//
// Planning each time costs 0.1-0.6 ms (warm session, load 8); the counts with a
// status or an agent, and the hourly chart with a status, plan alike
// either way.
const readMode = pgx.QueryExecModeCacheDescribe

// query runs a read of the audit table in readMode.
func (a *Audit) query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return a.db.pool.Query(ctx, sql, append([]any{readMode}, args...)...)
}

// filterSQL returns the WHERE clause (and its arguments) selecting
// tenant's rows (every tenant's when tenant is "") that f may select. The
// filter runs in SQL (on the tenant and time index) and again on each
// decoded entry, which keeps its exact semantics (times to the
// nanosecond, short tool names).
func filterSQL(tenant string, f gateway.AuditFilter) (string, []any) {
	q := "true"
	var args []any
	if tenant != "" {
		args = append(args, tenant)
		q = "tenant = $1"
	}
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
	return q, args
}

// Read returns tenant's entries the filter selects, oldest first.
func (a *Audit) Read(ctx context.Context, tenant string, f gateway.AuditFilter) (*gateway.AuditReadResult, error) {
	if err := gateway.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	where, args := filterSQL(tenant, f)
	rows, err := a.query(ctx, "SELECT entry FROM audit_entries WHERE "+where+" ORDER BY at, id", args...)
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

// NewestFirst opens a cursor on tenant's entries that f selects, newest
// first. It reads a page of rows at a time by keyset (ORDER BY at DESC,
// id DESC LIMIT n, the next page starting below the last row's (at, id)),
// on the (tenant, at) index: memory stays bounded by a page whatever the
// table's size, and a reader that wants the newest entries stops early.
// The order is Read's, reversed.
func (a *Audit) NewestFirst(ctx context.Context, tenant string, f gateway.AuditFilter) (gateway.AuditCursor, error) {
	if err := gateway.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	return &auditCursor{a: a, ctx: ctx, tenant: tenant, f: f}, nil
}

// Latest opens a cursor on the newest n entries f selects, newest first,
// of tenant or, when tenant is "", of every tenant (in one query, on the
// (at) index). It reads n rows (ORDER BY at DESC, id DESC LIMIT n; more
// only for rows the SQL filter keeps and the entry's filter does not, or
// that do not decode), not the table, so `audit --limit N` reads what it
// prints.
func (a *Audit) Latest(ctx context.Context, tenant string, f gateway.AuditFilter, n int) (gateway.AuditCursor, error) {
	if tenant != "" {
		if err := gateway.ValidateTenant(tenant); err != nil {
			return nil, err
		}
	}
	if n <= 0 {
		return nil, fmt.Errorf("audit store: the newest %d entries: want a positive number", n)
	}
	return &auditCursor{a: a, ctx: ctx, tenant: tenant, f: f, want: n}, nil
}

// auditCursor is NewestFirst's cursor.
type auditCursor struct {
	a      *Audit
	ctx    context.Context
	tenant string // "": every tenant
	f      gateway.AuditFilter
	want   int // entries to return at most (0: all)
	given  int // entries returned

	page    []gateway.AuditEntry // decoded and selected, newest first
	started bool                 // a page was read: lastAt and lastID are set
	lastAt  time.Time            // the last row read
	lastID  int64
	end     bool // the last page was read
	rows    int  // rows read, to name a skipped one
	skipped []string
	err     error
}

func (c *auditCursor) Next() (gateway.AuditEntry, bool) {
	if c.want > 0 && c.given >= c.want {
		return gateway.AuditEntry{}, false
	}
	for len(c.page) == 0 {
		if c.end || c.err != nil {
			return gateway.AuditEntry{}, false
		}
		c.fetch()
	}
	e := c.page[0]
	c.page = c.page[1:]
	c.given++
	return e, true
}

// fetch reads the next page of rows.
func (c *auditCursor) fetch() {
	where, args := filterSQL(c.tenant, c.f)
	if c.started {
		args = append(args, c.lastAt, c.lastID)
		n := len(args)
		// at <= lastAt bounds the index scan; the row comparison breaks
		// ties between entries of the same microsecond.
		where += fmt.Sprintf(" AND at <= $%d AND (at, id) < ($%d, $%d)", n-1, n-1, n)
	}
	limit := c.a.pageRows
	if c.want > 0 {
		limit = min(limit, c.want-c.given)
	}
	args = append(args, limit)
	q := fmt.Sprintf("SELECT id, at, entry FROM audit_entries WHERE %s ORDER BY at DESC, id DESC LIMIT $%d", where, len(args))
	rows, err := c.a.query(c.ctx, q, args...)
	if err != nil {
		c.err = fmt.Errorf("audit store: %v", redactErr(err))
		return
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&c.lastID, &c.lastAt, &doc); err != nil {
			c.err = fmt.Errorf("audit store: %v", redactErr(err))
			return
		}
		n++
		c.rows++
		var e gateway.AuditEntry
		if err := json.Unmarshal(doc, &e); err != nil {
			if len(c.skipped) < 20 {
				of := "tenant " + c.tenant
				if c.tenant == "" {
					of = "every tenant"
				}
				c.skipped = append(c.skipped, fmt.Sprintf("audit_entries row %d from the newest of %s: not an entry", c.rows, of))
			}
			continue
		}
		if c.f.Match(&e) {
			c.page = append(c.page, e)
		}
	}
	if err := rows.Err(); err != nil {
		c.err = fmt.Errorf("audit store: %v", redactErr(err))
		return
	}
	c.started = true
	c.end = n < limit
}

func (c *auditCursor) Err() error        { return c.err }
func (c *auditCursor) Skipped() []string { return c.skipped }
func (c *auditCursor) Close() error      { c.page, c.end = nil, true; return nil }

// splitSince prepares an aggregate over what f selects. The at column
// keeps microseconds and an entry its time to the nanosecond, so when
// f.Since has nanoseconds below its microsecond, rows of that very
// microsecond may fall either side of it: the SQL filter (the returned
// filter) then starts at the next microsecond, and the rows of that
// microsecond are decoded and matched here (edge, a handful at most), so
// the answers are exactly the walk's.
func (a *Audit) splitSince(ctx context.Context, tenant string, f gateway.AuditFilter) (gateway.AuditFilter, []gateway.AuditEntry, error) {
	us := f.Since.Truncate(time.Microsecond)
	if f.Since.IsZero() || us.Equal(f.Since) {
		return f, nil, nil
	}
	g := f
	g.Since = time.Time{}
	where, args := filterSQL(tenant, g)
	args = append(args, us)
	rows, err := a.query(ctx, fmt.Sprintf("SELECT entry FROM audit_entries WHERE %s AND at = $%d", where, len(args)), args...)
	if err != nil {
		return f, nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return f, nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	var edge []gateway.AuditEntry
	for _, doc := range docs {
		var e gateway.AuditEntry
		if json.Unmarshal(doc, &e) == nil && f.Match(&e) {
			edge = append(edge, e)
		}
	}
	g.Since = us.Add(time.Microsecond)
	return g, edge, nil
}

// CountAudit returns how many of tenant's entries f selects, with one
// COUNT(*) on the (tenant, at) index instead of reading the entries. A
// row whose entry does not decode (none that Record wrote) counts here
// while a walk skips it.
func (a *Audit) CountAudit(ctx context.Context, tenant string, f gateway.AuditFilter) (int, error) {
	if err := gateway.ValidateTenant(tenant); err != nil {
		return 0, err
	}
	g, edge, err := a.splitSince(ctx, tenant, f)
	if err != nil {
		return 0, err
	}
	where, args := filterSQL(tenant, g)
	var n int
	if err := a.db.pool.QueryRow(ctx, "SELECT count(*) FROM audit_entries WHERE "+where, append([]any{readMode}, args...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return n + len(edge), nil
}

// HourlyAudit returns how many of tenant's entries f selects fall in each
// UTC hour of [from, to), by status, with one GROUP BY on the (tenant, at)
// index. from and to are whole hours (so microseconds decide alike).
func (a *Audit) HourlyAudit(ctx context.Context, tenant string, f gateway.AuditFilter, from, to time.Time) ([]gateway.AuditHourCount, error) {
	if err := gateway.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	g, edge, err := a.splitSince(ctx, tenant, f)
	if err != nil {
		return nil, err
	}
	where, args := filterSQL(tenant, g)
	args = append(args, from, to)
	n := len(args)
	q := fmt.Sprintf(`SELECT date_trunc('hour', at AT TIME ZONE 'UTC'), status, count(*) FROM audit_entries
		WHERE %s AND at >= $%d AND at < $%d GROUP BY 1, 2 ORDER BY 1, 2`, where, n-1, n)
	rows, err := a.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	var out []gateway.AuditHourCount
	for rows.Next() {
		var c gateway.AuditHourCount
		if err := rows.Scan(&c.Hour, &c.Status, &c.Calls); err != nil {
			rows.Close()
			return nil, fmt.Errorf("audit store: %v", redactErr(err))
		}
		c.Hour = c.Hour.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit store: %v", redactErr(err))
	}
	for _, e := range edge {
		if t := e.Time.UTC(); !t.Before(from) && t.Before(to) {
			out = append(out, gateway.AuditHourCount{Hour: t.Truncate(time.Hour), Status: e.Status, Calls: 1})
		}
	}
	return out, nil
}

// Prune deletes the entries older than maxAge and returns how many it
// deleted. Every replica may run it; they delete the same rows.
func (a *Audit) Prune(ctx context.Context, maxAge time.Duration) (int64, error) {
	if maxAge <= 0 {
		return 0, errors.New("audit store: a retention age must be positive")
	}
	tag, err := a.db.pool.Exec(ctx, "DELETE FROM audit_entries WHERE at < now() - make_interval(secs => $1)", readMode, maxAge.Seconds())
	if err != nil {
		return 0, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return tag.RowsAffected(), nil
}

// Import inserts the entries the table lacks, in their order, and returns
// how many it inserted: an entry is already there when a row of its
// tenant has its time, execution id and the same JSON. It runs in one transaction under
// an advisory lock, so `store copy` can run again (or twice at once)
// without duplicating an entry. At most maxAuditBatch entries a call.
func (a *Audit) Import(ctx context.Context, entries []gateway.AuditEntry) (int, error) {
	if len(entries) == 0 {
		return 0, nil
	}
	if len(entries) > maxAuditBatch {
		return 0, fmt.Errorf("audit store: import %d entries at once, at most %d", len(entries), maxAuditBatch)
	}
	var (
		at                                      = make([]time.Time, len(entries))
		tenant, agent, tool, status, exec, docs = make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries))
	)
	for i := range entries {
		e := &entries[i]
		if err := gateway.ValidateTenant(e.Tenant); err != nil {
			return 0, err
		}
		doc, err := json.Marshal(e)
		if err != nil {
			return 0, fmt.Errorf("audit: encode: %w", err)
		}
		at[i], tenant[i], agent[i], tool[i], status[i], exec[i], docs[i] = e.Time, e.Tenant, e.Agent, e.Tool, e.Status, e.ExecutionID, string(doc)
	}
	var added int64
	err := pgx.BeginFunc(ctx, a.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", a.db.lockKey("audit-import", "")); err != nil {
			return err
		}
		// In the given order, so ids (the tie-break of one instant) keep it.
		tag, err := tx.Exec(ctx, `INSERT INTO audit_entries (at, tenant, agent, tool, status, execution_id, entry)
			SELECT v.at, v.tenant, v.agent, v.tool, v.status, v.execution_id, v.entry::jsonb
			FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
				WITH ORDINALITY AS v(at, tenant, agent, tool, status, execution_id, entry, n)
			WHERE NOT EXISTS (SELECT 1 FROM audit_entries x
				WHERE x.tenant = v.tenant AND x.at = v.at AND x.execution_id = v.execution_id AND x.entry = v.entry::jsonb)
			ORDER BY v.n`,
			at, tenant, agent, tool, status, exec, docs)
		added = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit store: %v", redactErr(err))
	}
	return int(added), nil
}
