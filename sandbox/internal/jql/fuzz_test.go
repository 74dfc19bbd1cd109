package jql

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics, that every error is an *Error, and
// that a query that parses prints to a form that parses to the same print
// (stable after one pass). Validation and matching run too, for panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "project = ENG", `project in (OPS, "Marketing") AND status != Done ORDER BY created DESC, key`,
		`summary ~ "\"dark mode\"" OR text ~ 'login*'`, "NOT (a = b OR c is not EMPTY) && d in (1, (2, 3))",
		`cf[10016] >= 3 and "Story Points" < 8`, "created > startOfDay(-1) and updated < -2w",
		"assignee = currentUser() || reporter in membersOf(x)", `comme\unt ~ 'test`, "a = func(abc, jk)",
		"sprint in openSprints() order by rank", `key > ENG-11 and id = 10001`, "status = In Progress",
		"summary ~ 100%", "a = \"x\\u0041\"", "priority=\"test\nword", "a=(a,(,bad))", "cf[1]=1 order by cf[2] asc",
		"status was Open", "status changed", "due <= endOfWeek(\"+1w\")", "a = '' and '' = b",
	} {
		f.Add(s)
	}
	env := fixtureEnv()
	issues := fixtureIssues()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) || len(je.Messages) == 0 {
				t.Fatalf("Parse(%q) error is not a *Error: %v", s, err)
			}
			return
		}
		once := q.String()
		q2, err := Parse(once)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, once, err)
		}
		if twice := q2.String(); twice != once {
			t.Fatalf("String not stable for %q:\n once  %q\n twice %q", s, once, twice)
		}
		if q.Bounded() != q2.Bounded() {
			t.Fatalf("Bounded differs after printing %q", s)
		}
		if err := q.Validate(env); err != nil {
			var je *Error
			if !errors.As(err, &je) || len(je.Messages) == 0 {
				t.Fatalf("Validate(%q) error is not a *Error: %v", s, err)
			}
			return
		}
		var hits []*Issue
		for _, is := range issues {
			if q.Match(is, env) {
				hits = append(hits, is)
			}
		}
		q.Sort(hits, env)
		_ = q.TopK(issues, env, 5)
		_ = q.ProjectKeys()
	})
}

// FuzzTextQuery checks the ~ operand parser and matcher: no panic, and a
// plain word always finds itself in a text that contains it.
func FuzzTextQuery(f *testing.F) {
	for _, s := range []string{"login", `"dark mode"`, "renew*", "c?v", "login -flaky", "dark OR csv", "AND", "BAD +",
		"*x", "Ünïcödé wörds", "a-b-c", `"unterminated`, "NOT foo", "+must have", "x||y", "crashes"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tq, msg := compileText(s, "summary")
		if tq != nil {
			is := &Issue{Summary: s, Description: "some other words " + s}
			src := func(is *Issue, k int) (string, bool) {
				switch k {
				case 0:
					return is.Summary, true
				case 1:
					return is.Description, true
				}
				return "", false
			}
			tq.match(is, src)
		} else if msg == "" {
			t.Fatalf("compileText(%q) gave neither a query nor an error", s)
		}
		// A plain ASCII word matches a text holding it.
		w := strings.TrimFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
		if i := strings.IndexFunc(w, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }); i >= 0 {
			w = w[:i]
		}
		if w == "" || isStopWord(w) || w == "OR" || w == "AND" || w == "NOT" {
			return
		}
		tq, msg = compileText(w, "summary")
		if tq == nil {
			t.Fatalf("compileText(%q): %s", w, msg)
		}
		text := "Before " + strings.ToUpper(w) + ", after."
		if !tq.match(&Issue{Summary: text}, single(func(is *Issue) string { return is.Summary })) {
			t.Fatalf("%q does not find itself in %q", w, text)
		}
	})
}
