package mcp

import "testing"

func TestRepairQuery(t *testing.T) {
	tests := []struct {
		name, q string
		lang    queryLang
		want    string
	}{
		{"nothing to fix", `project = ENG AND created >= "2026-01-31" ORDER BY key`, langJQL, ""},
		{"quoted text stays", `project = ENG AND text ~ "LIMIT 5 at 31/12/2026 openSprints"`, langJQL, ""},
		{"ambiguous date is left alone", `project = ENG AND created >= "03/04/2026"`, langJQL, ""},
		{"date and limit", `project = ENG AND created >= 31/12/2025 LIMIT 10`, langJQL, `project = ENG AND created >= "2025-12-31"`},
		{"function in quotes stays", `project = ENG AND summary ~ "now" AND sprint in openSprints`, langJQL, `project = ENG AND summary ~ "now" AND sprint in openSprints()`},
		{"CQL relative date", `type = page AND created >= -2w`, langCQL, `type = page AND created >= now("-2w")`},
		{"CQL words", `"release notes"`, langCQL, `text ~ "release notes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := repairQuery(tt.q, tt.lang)
			if got != tt.want || (got == "") != (len(why) == 0) {
				t.Fatalf("repairQuery(%q) = %q, %q; want %q", tt.q, got, why, tt.want)
			}
		})
	}
}

// FuzzRepairQuery: no panic, and a repaired query needs no second repair
// of the same kind that changes it back.
func FuzzRepairQuery(f *testing.F) {
	for _, s := range []string{`project = ENG AND created >= 31/12/2025 LIMIT 10`, "status = \u201cIn Progress\u201d", `runbook`,
		`created > -7d AND title ~ a b c`, `assignee = a@b.c AND sprint in openSprints`, `x = "unterminated`} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, q string, cql bool) {
		lang := langJQL
		if cql {
			lang = langCQL
		}
		fixed, why := repairQuery(q, lang)
		if fixed != "" && len(why) == 0 {
			t.Fatalf("%q repaired to %q without saying why", q, fixed)
		}
		_ = repairHint(q, lang)
	})
}
