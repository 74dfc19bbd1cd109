package mcp

import "testing"

// The pure helpers behind the scorecard's "did you mean" answers.

func TestQuoteBareValues(t *testing.T) {
	tests := []struct{ jql, want string }{
		{`project = ENG AND status = In Progress`, `project = ENG AND status = "In Progress"`},
		{`status=To Do AND assignee = currentUser() ORDER BY key`, `status = "To Do" AND assignee = currentUser() ORDER BY key`},
		{`summary ~ login fails OR project = OPS`, `summary ~ "login fails" OR project = OPS`},
		{`project = ENG AND status = "In Progress"`, ""}, // already quoted
		{`project = ENG AND status IN (Done, "To Do")`, ""},
		{`(status = In Review OR priority = High) AND labels in (a, b)`, `(status = "In Review" OR priority = High) AND labels in (a, b)`},
		{`assignee = currentUser()`, ""},
		{`project = ENG`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := quoteBareValues(tt.jql); got != tt.want {
			t.Errorf("quoteBareValues(%q) = %q, want %q", tt.jql, got, tt.want)
		}
	}
}

func TestUnambiguousDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"31/12/2026", "2026-12-31"},
		{"12/31/2026", "2026-12-31"},
		{"2026/12/31", "2026-12-31"},
		{"31.12.2026", "2026-12-31"},
		{"31 Dec 2026", "2026-12-31"},
		{"December 31, 2026", "2026-12-31"},
		{"3/4/2026", ""}, // March 4 or 3 April
		{"4/4/2026", "2026-04-04"},
		{"next week", ""},
		{"2026-13-01", ""},
	}
	for _, tt := range tests {
		if got := unambiguousDate(tt.in); got != tt.want {
			t.Errorf("unambiguousDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeySuggestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ENG 12", `; did you mean "ENG-12"?`},
		{"eng12", `; did you mean "ENG-12"?`},
		{"ENG_12", `; did you mean "ENG-12"?`},
		{"ENG #12", `; did you mean "ENG-12"?`},
		{"ENG-", ""},
		{"hello world", ""},
		{"12", ""},
	}
	for _, tt := range tests {
		if got := keySuggestion(tt.in); got != tt.want {
			t.Errorf("keySuggestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPastTheEnd(t *testing.T) {
	tests := []struct {
		startAt, matches, size int
		want                   string
	}{
		{900, 53, 25, "startAt 900 is past the end: the query matches 53 issues; the last page of 25 starts at startAt 50."},
		{100, 50, 25, "startAt 100 is past the end: the query matches 50 issues; the last page of 25 starts at startAt 25."},
		{10, 0, 25, "startAt 10 is past the end: the query matches no issues."},
	}
	for _, tt := range tests {
		if got := pastTheEnd(tt.startAt, tt.matches, tt.size); got != tt.want {
			t.Errorf("pastTheEnd(%d, %d, %d) = %q, want %q", tt.startAt, tt.matches, tt.size, got, tt.want)
		}
	}
}
