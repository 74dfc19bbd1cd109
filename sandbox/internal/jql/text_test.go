package jql

import (
	"strings"
	"testing"
)

// renderText writes a compiled text query as groups joined by " | ", each
// a list of terms: - for an excluded term, its words joined by + (a * after
// a wildcard word) and the ASCII prefix it is looked up by in brackets.
func renderText(tq *textQuery) string {
	var groups []string
	for _, g := range tq.groups {
		var terms []string
		for _, t := range g {
			var b strings.Builder
			if t.exclude {
				b.WriteByte('-')
			}
			for i, w := range t.words {
				if i > 0 {
					b.WriteByte('+')
				}
				b.WriteString(w.s)
				if w.wild {
					b.WriteByte('*')
				}
			}
			b.WriteString("[" + t.prefix + "]")
			terms = append(terms, b.String())
		}
		groups = append(groups, strings.Join(terms, " "))
	}
	return strings.Join(groups, " | ")
}

// TestCompileText pins the text operand parser's queries and error texts
// for each of its branches: spacing, the - + ! prefixes, phrases, the OR,
// AND and NOT words, leading wildcards and where a term is missing.
func TestCompileText(t *testing.T) {
	const field = "summary"
	cant := func(q string) string { return "Unable to parse the text '" + q + "' for field 'summary'." }
	tests := []struct{ q, want, err string }{
		{q: "", err: "The field 'summary' does not support searching for an empty string."},
		{q: " \t\r\n", err: "The field 'summary' does not support searching for an empty string."},
	}
	for _, tt := range compileTextCases {
		tests = append(tests, struct{ q, want, err string }{tt[0], tt[1], tt[2]})
	}
	for _, tt := range tests {
		tq, msg := compileText(tt.q, field)
		got := ""
		if tq != nil {
			got = renderText(tq)
		}
		want := tt.err
		if want == "cant" {
			want = cant(tt.q)
		}
		if got != tt.want || msg != want {
			t.Errorf("compileText(%q):\n got  %q, %q\n want %q, %q", tt.q, got, msg, tt.want, want)
		}
	}
}

// compileTextCases are query, rendered query and error ("cant" for the
// unparseable text message); a, not and the are stop words.
var compileTextCases = [][3]string{
	{"login", "login[login]", ""},
	{"  login\tcsv\n", "login[login] csv[csv]", ""},
	{"-flaky", "-flaky[flaky]", ""},
	{"+must", "must[must]", ""},
	{"!not", "", ""},
	{"- x", "", "cant"},
	{"x -", "", "cant"},
	{"+", "", "cant"},
	{"x !\t", "", "cant"},
	{"\"dark mode\"", "dark+mod[dark]", ""},
	{"\"unterminated", "", "cant"},
	{"x \"a", "", "cant"},
	{"\"\"", "", ""},
	{"\"\" OR x", " | x[x]", ""},
	{"x \"\"", "x[x]", ""},
	{"\"OR\"", "", ""},
	{"-OR", "", ""},
	{"+AND", "", ""},
	{"!NOT", "", ""},
	{"a OR b", " | b[b]", ""},
	{"a || b", " | b[b]", ""},
	{"OR a", "", "cant"},
	{"a OR", "", "cant"},
	{"a OR OR b", "", "cant"},
	{"a OR AND b", "", "cant"},
	{"||", "", "cant"},
	{"a AND b", "b[b]", ""},
	{"a && b", "b[b]", ""},
	{"AND a", "", "cant"},
	{"a AND", "", "cant"},
	{"a AND OR b", "", "cant"},
	{"&&", "", "cant"},
	{"NOT a", "", ""},
	{"a NOT", "", "cant"},
	{"NOT", "", "cant"},
	{"NOT ", "", "cant"},
	{"NOT -a", "", ""},
	{"NOT +a", "", ""},
	{"NOT \"a b\"", "-b[b]", ""},
	{"NOT NOT a", "", ""},
	{"a NOT OR b", "b[b]", ""},
	{"*x", "", "The text query '*x' for field 'summary' is not allowed to start with '*'."},
	{"?x", "", "The text query '?x' for field 'summary' is not allowed to start with '?'."},
	{"\"*x\"", "x[x]", ""},
	{"-*x", "", "The text query '-*x' for field 'summary' is not allowed to start with '*'."},
	{"+?x", "", "The text query '+?x' for field 'summary' is not allowed to start with '?'."},
	{"!*", "", "The text query '!*' for field 'summary' is not allowed to start with '*'."},
	{"x *y", "", "The text query 'x *y' for field 'summary' is not allowed to start with '*'."},
	{"renew*", "renew**[renew]", ""},
	{"c?v", "c?v*[c]", ""},
	{"re*ew", "re*ew*[re]", ""},
	{"Ünïcödé wörds", "ünïcödé[] wörd[]", ""},
	{"éa*", "éa**[]", ""},
	{"the", "", ""},
	{"the OR a", " | ", ""},
	{"a the", "", ""},
	{"a-b-c", "b+c[b]", ""},
	{"x||y", "x+y[x]", ""},
	{"a&&b", "b[b]", ""},
	{"login -flaky dark OR csv +renew* NOT crash", "login[login] -flaky[flaky] dark[dark] | csv[csv] renew**[renew] -crash[crash]", ""},
	{"Running tests", "runn[runn] test[test]", ""},
	{"running tests OR runs", "runn[runn] test[test] | run[run]", ""},
}
