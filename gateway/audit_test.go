package gateway

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func entry(i int, tool, agent, status string, at time.Time) *AuditEntry {
	return &AuditEntry{Time: at, Tenant: "acme", Agent: agent, Tool: tool, Status: status, ExecutionID: fmt.Sprintf("e%d", i)}
}

func TestAuditRecordAndFilter(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	recs := []*AuditEntry{
		entry(1, "atlassian_jira_search", "ops", StatusOK, t0),
		entry(2, "atlassian_jira_create_issue", "ops", StatusDenied, t0.Add(time.Minute)),
		entry(3, "atlassian_confluence_search", "mail", StatusError, t0.Add(2*time.Minute)),
		entry(4, "atlassian_jira_search", "mail", StatusOK, t0.Add(3*time.Minute)),
	}
	for _, e := range recs {
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(recs[0]); err != ErrAuditClosed {
		t.Fatalf("record after close: %v", err)
	}
	tests := []struct {
		name string
		f    AuditFilter
		want string
	}{
		{"all", AuditFilter{}, "e1 e2 e3 e4"},
		{"since", AuditFilter{Since: t0.Add(90 * time.Second)}, "e3 e4"},
		{"tool full name", AuditFilter{Tool: "atlassian_jira_search"}, "e1 e4"},
		{"tool short name", AuditFilter{Tool: "jira_search"}, "e1 e4"},
		{"agent", AuditFilter{Agent: "mail"}, "e3 e4"},
		{"status", AuditFilter{Status: StatusDenied}, "e2"},
		{"combined", AuditFilter{Agent: "ops", Status: StatusOK}, "e1"},
		{"nothing", AuditFilter{Agent: "nobody"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadAudit(dir, "acme", tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got.Entries {
				ids = append(ids, e.ExecutionID)
			}
			if s := strings.Join(ids, " "); s != tt.want || len(got.Skipped) != 0 {
				t.Fatalf("got %q (skipped %v), want %q", s, got.Skipped, tt.want)
			}
		})
	}
	if st, err := os.Stat(filepath.Join(dir, "acme.jsonl")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("log file mode: %v %v", st.Mode(), err)
	}
	if tenants, err := AuditTenants(dir); err != nil || strings.Join(tenants, ",") != "acme" {
		t.Fatalf("AuditTenants = %v, %v", tenants, err)
	}
}

func TestAuditTornLastLineIsSkippedAndSealed(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range 3 {
		if err := l.Record(entry(i, "atlassian_jira_search", "a", StatusOK, now)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	// A crash mid-write leaves half a line.
	f, err := os.OpenFile(filepath.Join(dir, "acme.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-11-29T10:00:00Z","tenant":"acme","tool":"atlassian_jira_se`)
	f.Close()
	got, err := ReadAudit(dir, "acme", AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 3 || len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0], "acme.jsonl:4: torn last line") {
		t.Fatalf("entries %d, skipped %v", len(got.Entries), got.Skipped)
	}
	// Reopening seals the torn line, so new entries are whole lines.
	l, err = OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Record(entry(9, "atlassian_jira_get_issue", "a", StatusOK, now)); err != nil {
		t.Fatal(err)
	}
	l.Close()
	got, err = ReadAudit(dir, "acme", AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 4 || got.Entries[3].ExecutionID != "e9" || len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0], "not a JSON entry") {
		t.Fatalf("after reopen: entries %d, skipped %v", len(got.Entries), got.Skipped)
	}
}

func TestAuditRotationAndRetention(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	l, err := OpenAuditLog(dir, "acme", AuditOptions{MaxBytes: 600, MaxFiles: 2, Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if err := l.Record(entry(i, "atlassian_jira_search", "a", StatusOK, clock)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "acme*.jsonl"))
	if len(files) != 3 { // two rotated files kept, plus the current one
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		if st, _ := os.Stat(f); st.Size() > 600 {
			t.Errorf("%s is %d bytes, over the 600 limit", f, st.Size())
		}
	}
	got, err := ReadAudit(dir, "acme", AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The newest entries survive, in order.
	n := len(got.Entries)
	if n == 0 || n >= 40 || got.Entries[n-1].ExecutionID != "e39" {
		t.Fatalf("%d entries, last %+v", n, got.Entries[n-1])
	}
	for i := 1; i < n; i++ {
		var a, b int
		fmt.Sscanf(got.Entries[i-1].ExecutionID, "e%d", &a)
		fmt.Sscanf(got.Entries[i].ExecutionID, "e%d", &b)
		if b != a+1 {
			t.Fatalf("entries out of order or missing: %s then %s", got.Entries[i-1].ExecutionID, got.Entries[i].ExecutionID)
		}
	}
}

func TestAuditRetentionByAge(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "acme.20200101T000000.000000000Z.jsonl")
	if err := os.WriteFile(old, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, past, past)
	l, err := OpenAuditLog(dir, "acme", AuditOptions{MaxBytes: 10, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 2 {
		if err := l.Record(entry(i, "atlassian_jira_search", "a", StatusOK, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("a rotated file older than MaxAge survived: %v", err)
	}
}

func TestAuditConcurrentRecordsAreAllDurable(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenAuditLog(dir, "acme", AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if err := l.Record(entry(i, "atlassian_jira_search", "a", StatusOK, time.Now())); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	l.Close()
	got, err := ReadAudit(dir, "acme", AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range got.Entries {
		seen[e.ExecutionID] = true
	}
	if len(got.Entries) != 64 || len(seen) != 64 || len(got.Skipped) != 0 {
		t.Fatalf("%d entries, %d distinct, skipped %v", len(got.Entries), len(seen), got.Skipped)
	}
}

func TestAuditParams(t *testing.T) {
	long := strings.Repeat("é", 300)
	action, got := auditParams(map[string]any{
		"action":   "add_comment",
		"jql":      "project = ENG AND status = Done",
		"issueKey": "ENG-1",
		"comment":  long,
		"apiToken": "s3cret",
		"fields":   map[string]any{"password": "p", "summary": "x"},
		"labels":   []any{"a", "b"},
		"many":     make([]any, 30),
	})
	if action != "add_comment" {
		t.Fatalf("action %q", action)
	}
	if got["jql"] != "project = ENG AND status = Done" || got["issueKey"] != "ENG-1" {
		t.Fatalf("identifiers changed: %v", got)
	}
	c := got["comment"].(string)
	if len(c) > auditTextLimit+40 || !strings.HasSuffix(c, "... (600 bytes)") || !strings.HasPrefix(c, "éé") {
		t.Fatalf("long text: %q", c)
	}
	if got["apiToken"] != "[redacted]" || got["fields"].(map[string]any)["password"] != "[redacted]" {
		t.Fatalf("secrets audited: %v", got)
	}
	if m := got["many"].([]any); len(m) != auditListLimit+1 || m[auditListLimit] != "... 10 more" {
		t.Fatalf("long list: %v", m)
	}
	if a, p := auditParams(nil); a != "" || p != nil {
		t.Fatalf("no arguments: %q %v", a, p)
	}
}

func TestValidateTenantRefusesPaths(t *testing.T) {
	for _, name := range []string{"", "../x", "a/b", ".hidden", "a.b", strings.Repeat("a", 65)} {
		if ValidateTenant(name) == nil {
			t.Errorf("tenant %q accepted", name)
		}
		if _, err := OpenAuditLog(t.TempDir(), name, AuditOptions{}); err == nil {
			t.Errorf("audit log for %q opened", name)
		}
	}
}

// TestIsTenantNameMatchesItsExpression checks the hand-written name check against the regular
// expression it replaces, on every string of up to two bytes over a small
// alphabet and on the boundary lengths.
func TestIsTenantNameMatchesItsExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	alphabet := []string{"a", "Z", "0", "9", "-", "_", ".", "/", " ", "\n", "\x00", "\xc3\xbc", "\xff"}
	cases := []string{"", strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 65), "a" + strings.Repeat("-", 63), "a\n", "ab\n"}
	for _, a := range alphabet {
		cases = append(cases, a)
		for _, b := range alphabet {
			cases = append(cases, a+b, "x"+a+b)
		}
	}
	for _, c := range cases {
		if got, want := isTenantName(c), re.MatchString(c); got != want {
			t.Errorf("%q: %v, the regular expression says %v", c, got, want)
		}
	}
}

// BenchmarkAuditRecord is one durable audit write (write + fsync), alone
// and with concurrent writers sharing fsyncs.
func BenchmarkAuditRecord(b *testing.B) {
	e := &AuditEntry{Time: time.Now(), Tenant: "acme", Agent: "ops", Tool: "atlassian_jira_search",
		Params: map[string]any{"jql": "project = ENG ORDER BY created DESC"}, Status: StatusOK, ExecutionID: "x-0123456789abcdef"}
	b.Run("serial", func(b *testing.B) {
		l, err := OpenAuditLog(b.TempDir(), "acme", AuditOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		for b.Loop() {
			if err := l.Record(e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel64", func(b *testing.B) {
		l, err := OpenAuditLog(b.TempDir(), "acme", AuditOptions{})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		b.SetParallelism(64)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := l.Record(e); err != nil {
					b.Error(err)
				}
			}
		})
	})
}

// FuzzReadAudit feeds arbitrary log files to the reader: it never fails on
// content, and every non-blank line is either an entry or reported.
func FuzzReadAudit(f *testing.F) {
	f.Add([]byte(`{"time":"2026-11-29T10:00:00Z","tenant":"acme","tool":"atlassian_jira_search","execution_id":"e1","duration_ms":1,"status":"ok"}` + "\n"))
	f.Add([]byte(`{"time":"2026-11-29T10:00:00Z","tenant":"acme","tool":"atlassian_jira_se`))
	f.Add([]byte("\n\n{}\nnot json\n\x00\xff"))
	f.Add([]byte(`{"time":"bad","tool":"x"}` + "\n" + `[1,2]` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "acme.jsonl"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := ReadAudit(dir, "acme", AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for _, l := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if len(res.Entries)+len(res.Skipped) != lines {
			t.Fatalf("%d entries + %d skipped, %d non-blank lines", len(res.Entries), len(res.Skipped), lines)
		}
	})
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"24h", now.Add(-24 * time.Hour), false},
		{"7d", now.Add(-7 * 24 * time.Hour), false},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-11-29T10:00:00Z", time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), false},
		{"-1h", time.Time{}, true},
		{"1.5d", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSince(tt.in, now)
			if (err != nil) != tt.err || !got.Equal(tt.want) {
				t.Fatalf("ParseSince(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}
