package gateway

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestAuditBackwardIsReadAuditBackwards: over rotated files, a torn last
// line, a line that is not JSON and a filter, and with blocks small enough
// to cut lines, the backward reader gives ReadAudit's entries and skipped
// lines, newest first.
func TestAuditBackwardIsReadAuditBackwards(t *testing.T) {
	dir := t.TempDir()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Second); return clock }
	l, err := OpenAuditLog(dir, "acme", AuditOptions{MaxBytes: 2000, Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		status := StatusOK
		if i%7 == 0 {
			status = StatusError
		}
		if err := l.Record(entry(i, "atlassian_jira_search", "a", status, tick())); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "acme.*.jsonl"))
	if len(files) < 2 {
		t.Fatalf("want rotated files, have %v", files)
	}
	// A line that is not JSON in a rotated file; a torn last line in the
	// current one.
	appendTo := func(name, text string) {
		f, err := os.OpenFile(name, os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(text); err != nil {
			t.Fatal(err)
		}
	}
	appendTo(files[0], "garbage\n")
	appendTo(filepath.Join(dir, "acme.jsonl"), `{"time":"2026-01-01T00:`)

	for _, block := range []int{7, 100, 64 << 10} {
		for _, f := range []AuditFilter{{}, {Status: StatusError}, {Since: clock.Add(-20 * time.Second)}, {Agent: "nobody"}} {
			auditBlock = block
			want, err := ReadAudit(dir, "acme", f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewAuditBackward(dir, "acme", f)
			if err != nil {
				t.Fatal(err)
			}
			var got []AuditEntry
			for e, ok := r.Next(); ok; e, ok = r.Next() {
				got = append(got, e)
			}
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			r.Close()
			slices.Reverse(got)
			if len(got) != len(want.Entries) {
				t.Fatalf("block %d, filter %+v: %d entries, ReadAudit has %d", block, f, len(got), len(want.Entries))
			}
			for i := range got {
				if got[i].ExecutionID != want.Entries[i].ExecutionID || !got[i].Time.Equal(want.Entries[i].Time) {
					t.Fatalf("block %d, filter %+v: entry %d is %s, ReadAudit has %s", block, f, i, got[i].ExecutionID, want.Entries[i].ExecutionID)
				}
			}
			skipped := r.Skipped()
			slices.Sort(skipped)
			slices.Sort(want.Skipped)
			if !slices.Equal(skipped, want.Skipped) || len(skipped) != 2 {
				t.Fatalf("block %d: skipped %q, ReadAudit %q", block, skipped, want.Skipped)
			}
		}
	}
	auditBlock = 64 << 10
}
