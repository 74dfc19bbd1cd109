package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// AuditEnv is one empty place where audit entries live. Sink opens a
// writer of one tenant's entries (as one replica's server does); Reader
// reads them back (as `atlassian-mcp audit` does, possibly elsewhere).
// Every reader must also be a gateway.AuditNewestFirst (the console's
// bounded audit page); a backend's reader may page in small steps so the
// suite's few entries cross its page boundaries.
type AuditEnv struct {
	Sink   func(t testing.TB, tenant string) gateway.AuditSink
	Reader func(t testing.TB) gateway.AuditReader
}

// RunAudit runs the audit suite; newEnv returns a fresh, empty place for
// each test.
func RunAudit(t *testing.T, newEnv func(t testing.TB) AuditEnv) {
	tests := []struct {
		name string
		fn   func(t *testing.T, env AuditEnv)
	}{
		{"RecordedEntriesReadBack", testAuditReadBack},
		{"Filters", testAuditFilters},
		{"ConcurrentRecordsAllDurable", testAuditConcurrent},
		{"NewestFirstIsReadReversed", testAuditNewestFirst},
		{"AggregatesEqualWalk", testAuditAggregates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newEnv(t))
		})
	}
}

// recordSample records sample entries 0..count-1 of tenant acme through
// one sink, each changed first by adjust when it is not nil, then entry
// globex of tenant globex (which no acme read may return), and returns
// acme's entries in the order recorded.
func recordSample(t *testing.T, env AuditEnv, count, globex int, adjust func(n int, e *gateway.AuditEntry)) []*gateway.AuditEntry {
	t.Helper()
	sink := env.Sink(t, "acme")
	all := make([]*gateway.AuditEntry, 0, count)
	for n := range count {
		e := auditEntry("acme", n)
		if adjust != nil {
			adjust(n, e)
		}
		if err := sink.Record(e); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	if err := env.Sink(t, "globex").Record(auditEntry("globex", globex)); err != nil {
		t.Fatal(err)
	}
	return all
}

var auditBase = time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)

// auditEntry is the n-th sample entry of tenant.
func auditEntry(tenant string, n int) *gateway.AuditEntry {
	statuses := []string{gateway.StatusOK, gateway.StatusError, gateway.StatusDenied}
	tools := []string{"atlassian_jira_search", "atlassian_jira_get_issue", "atlassian_confluence_search"}
	e := &gateway.AuditEntry{
		Time: auditBase.Add(time.Duration(n) * time.Minute), Tenant: tenant, Agent: fmt.Sprintf("agent%d", n%2),
		Tool: tools[n%3], Params: map[string]any{"jql": fmt.Sprintf("project = OPS AND n = %d", n), "maxResults": float64(n), "nested": map[string]any{"k": []any{"a", "b"}}},
		Sender: "ann@acme.com", Tier: "internal", TierSource: "directory", Required: "internal",
		ExecutionID: fmt.Sprintf("%s-%d", tenant, n), DurationMS: 1.5 * float64(n), Status: statuses[n%3],
	}
	if e.Status != gateway.StatusOK {
		e.Error = "something " + e.Status
	}
	if n%3 == 1 {
		e.Action = "transition"
	}
	return e
}

func entryJSON(t testing.TB, e any) string {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func testAuditReadBack(t *testing.T, env AuditEnv) {
	ctx := context.Background()
	want := map[string][]*gateway.AuditEntry{}
	for _, tenant := range []string{"acme", "globex"} {
		sink := env.Sink(t, tenant)
		for n := range 6 {
			e := auditEntry(tenant, n)
			if err := sink.Record(e); err != nil {
				t.Fatal(err)
			}
			want[tenant] = append(want[tenant], e)
		}
		if err := sink.Failed(); err != nil {
			t.Fatalf("Failed after good writes: %v", err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	r := env.Reader(t)
	tenants, err := r.Tenants(ctx)
	if err != nil || entryJSON(t, tenants) != `["acme","globex"]` {
		t.Fatalf("Tenants = %v, %v", tenants, err)
	}
	for tenant, entries := range want {
		res, err := r.Read(ctx, tenant, gateway.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Entries) != len(entries) || len(res.Skipped) != 0 {
			t.Fatalf("%s: read %d entries (skipped %v), want %d", tenant, len(res.Entries), res.Skipped, len(entries))
		}
		for i, e := range entries {
			if got := entryJSON(t, res.Entries[i]); got != entryJSON(t, e) {
				t.Fatalf("%s entry %d:\n got %s\nwant %s", tenant, i, got, entryJSON(t, e))
			}
		}
	}
	if r.Where() == "" {
		t.Fatal("Where is empty")
	}
}

func testAuditFilters(t *testing.T, env AuditEnv) {
	ctx := context.Background()
	all := recordSample(t, env, 9, 0, nil)
	r := env.Reader(t)
	filters := []struct {
		name string
		f    gateway.AuditFilter
	}{
		{"everything", gateway.AuditFilter{}},
		{"since an entry's exact time", gateway.AuditFilter{Since: all[4].Time}},
		{"short tool name", gateway.AuditFilter{Tool: "jira_search"}},
		{"full tool name", gateway.AuditFilter{Tool: "atlassian_confluence_search"}},
		{"agent", gateway.AuditFilter{Agent: "agent1"}},
		{"status", gateway.AuditFilter{Status: gateway.StatusDenied}},
		{"all at once", gateway.AuditFilter{Since: all[2].Time, Agent: "agent0", Status: gateway.StatusError}},
		{"nothing matches", gateway.AuditFilter{Agent: "nobody"}},
	}
	for _, tt := range filters {
		var want []string
		for _, e := range all {
			if tt.f.Match(e) {
				want = append(want, e.ExecutionID)
			}
		}
		res, err := r.Read(ctx, "acme", tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range res.Entries {
			got = append(got, e.ExecutionID)
		}
		if entryJSON(t, got) != entryJSON(t, want) {
			t.Errorf("%s: read %v, want %v", tt.name, got, want)
		}
	}
}

// testAuditConcurrent: entries recorded at once by many calls (and two
// writers, as two replicas) are all durable when Record returns.
func testAuditConcurrent(t *testing.T, env AuditEnv) {
	const writers, each = 16, 10
	sinks := []gateway.AuditSink{env.Sink(t, "acme"), env.Sink(t, "acme")}
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		sink := sinks[w%len(sinks)]
		wg.Go(func() {
			for i := range each {
				e := auditEntry("acme", i)
				e.ExecutionID = fmt.Sprintf("w%d-%d", w, i)
				if err := sink.Record(e); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Read before Close: Record's return is the durability promise.
	res, err := env.Reader(t).Read(context.Background(), "acme", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range res.Entries {
		ids[e.ExecutionID] = true
	}
	if len(res.Entries) != writers*each || len(ids) != writers*each {
		t.Fatalf("%d entries (%d distinct) read back, want %d", len(res.Entries), len(ids), writers*each)
	}
}

// testAuditNewestFirst: the cursor returns what Read returns, newest
// first, for every filter, across entries of the same instant (ties keep
// the order they were recorded in, reversed) and stops early without
// harm.
func testAuditNewestFirst(t *testing.T, env AuditEnv) {
	ctx := context.Background()
	all := recordSample(t, env, 14, 20, func(n int, e *gateway.AuditEntry) {
		if n >= 5 && n <= 9 { // five entries of one instant
			e.Time = auditBase.Add(5 * time.Minute)
		}
	})
	r := env.Reader(t)
	nf, ok := r.(gateway.AuditNewestFirst)
	if !ok {
		t.Fatalf("%T is not a gateway.AuditNewestFirst: the console would read every entry to show a page", r)
	}
	filters := []struct {
		name string
		f    gateway.AuditFilter
	}{
		{"everything", gateway.AuditFilter{}},
		{"since the shared instant", gateway.AuditFilter{Since: all[6].Time}},
		{"short tool name", gateway.AuditFilter{Tool: "jira_search"}},
		{"agent and status", gateway.AuditFilter{Agent: "agent1", Status: gateway.StatusError}},
		{"nothing matches", gateway.AuditFilter{Agent: "nobody"}},
	}
	for _, tt := range filters {
		var want []string
		for i := len(all) - 1; i >= 0; i-- {
			if tt.f.Match(all[i]) {
				want = append(want, all[i].ExecutionID)
			}
		}
		res, err := r.Read(ctx, "acme", tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var read []string
		for i := len(res.Entries) - 1; i >= 0; i-- {
			read = append(read, res.Entries[i].ExecutionID)
		}
		c, err := nf.NewestFirst(ctx, "acme", tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for e, ok := c.Next(); ok; e, ok = c.Next() {
			got = append(got, e.ExecutionID)
		}
		if err := c.Err(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(c.Skipped()) != 0 {
			t.Errorf("%s: skipped %v", tt.name, c.Skipped())
		}
		_ = c.Close()
		if entryJSON(t, got) != entryJSON(t, want) || entryJSON(t, got) != entryJSON(t, read) {
			t.Errorf("%s: newest first %v\nwant %v\n(Read reversed: %v)", tt.name, got, want, read)
		}
	}
	// A reader of the first page stops after it.
	c, err := nf.NewestFirst(ctx, "acme", gateway.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	first, ok := c.Next()
	if !ok || first.ExecutionID != all[len(all)-1].ExecutionID || entryJSON(t, first) != entryJSON(t, all[len(all)-1]) {
		t.Fatalf("first entry %v (%v), want %s", first.ExecutionID, ok, entryJSON(t, all[len(all)-1]))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := nf.NewestFirst(ctx, "../acme", gateway.AuditFilter{}); err == nil {
		t.Fatal("a tenant name with a path in it was accepted")
	}
}

// testAuditAggregates: a reader that counts by itself (gateway.AuditCounter)
// gives the total and the per-hour counts a walk over NewestFirst gives,
// under every filter, including a Since with nanoseconds inside the
// microsecond of stored entries.
func testAuditAggregates(t *testing.T, env AuditEnv) {
	ctx := context.Background()
	r := env.Reader(t)
	counter, ok := r.(gateway.AuditCounter)
	if !ok {
		t.Skipf("%T counts nothing by itself: the console walks its entries", r)
	}
	all := recordSample(t, env, 40, 3, func(n int, e *gateway.AuditEntry) {
		e.Time = auditBase.Add(time.Duration(n*47) * time.Minute) // over 31 hours
		if n >= 30 && n <= 33 {                                   // four entries of one microsecond, a few ns apart
			e.Time = auditBase.Add(20*time.Hour + time.Duration(n-30)*100*time.Nanosecond)
		}
	})
	inside := auditBase.Add(20*time.Hour + 150*time.Nanosecond) // between entries 31 and 32
	from, to := auditBase.Truncate(time.Hour).Add(2*time.Hour), auditBase.Truncate(time.Hour).Add(26*time.Hour)
	filters := []struct {
		name string
		f    gateway.AuditFilter
	}{
		{"everything", gateway.AuditFilter{}},
		{"since inside a microsecond", gateway.AuditFilter{Since: inside}},
		{"since an entry", gateway.AuditFilter{Since: all[12].Time}},
		{"short tool name", gateway.AuditFilter{Tool: "jira_search"}},
		{"agent and status", gateway.AuditFilter{Agent: "agent1", Status: gateway.StatusError}},
		{"since, tool and status", gateway.AuditFilter{Since: inside.Add(-5 * time.Hour), Tool: "atlassian_jira_get_issue", Status: gateway.StatusError}},
		{"nothing matches", gateway.AuditFilter{Agent: "nobody"}},
	}
	type key struct {
		hour   time.Time
		status string
	}
	for _, tt := range filters {
		cur, err := r.(gateway.AuditNewestFirst).NewestFirst(ctx, "acme", tt.f)
		if err != nil {
			t.Fatal(err)
		}
		wantTotal, wantHours := 0, map[key]int{}
		for e, ok := cur.Next(); ok; e, ok = cur.Next() {
			wantTotal++
			if h := e.Time.UTC(); !h.Before(from) && h.Before(to) {
				wantHours[key{h.Truncate(time.Hour), e.Status}]++
			}
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		_ = cur.Close()
		// The walk itself is checked against the entries written.
		written := 0
		for _, e := range all {
			if tt.f.Match(e) {
				written++
			}
		}
		if wantTotal != written {
			t.Fatalf("%s: the walk found %d entries, %d were written that match", tt.name, wantTotal, written)
		}
		total, err := counter.CountAudit(ctx, "acme", tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if total != wantTotal {
			t.Errorf("%s: CountAudit = %d, the walk counts %d", tt.name, total, wantTotal)
		}
		counts, err := counter.HourlyAudit(ctx, "acme", tt.f, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got := map[key]int{}
		for _, c := range counts {
			if c.Hour.Location() != time.UTC || !c.Hour.Equal(c.Hour.Truncate(time.Hour)) {
				t.Errorf("%s: hour %v is not a whole UTC hour", tt.name, c.Hour)
			}
			got[key{c.Hour, c.Status}] += c.Calls
		}
		if fmt.Sprint(got) != fmt.Sprint(wantHours) {
			t.Errorf("%s: HourlyAudit = %v, the walk counts %v", tt.name, got, wantHours)
		}
	}
}
