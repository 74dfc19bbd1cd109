package adf

import "testing"

// fastEmailCases are texts with "@": the fast path converts those where
// no e-mail autolink can hold the "@" (nothing of a local part right
// before it) and leaves the others to goldmark.
var fastEmailCases = []fastCase{
	{"heading scope", "# @scope/pkg\n", takeFast},
	{"link text", "see [@scope/pkg](https://x.com) and [@a](b@c.io)\n", takeFast},
	{"mention", "by @user and (@other), ~@x~\n", takeFast},
	{"line start", "line\n@b.co\n", takeFast},
	{"after code", "`c`@b.co\n", takeFast},
	{"after emphasis", "*a*@b.co **@user** ~~@x~~\n", takeFast},
	{"after escape", "\\@b.co \\\\@c.io\n", takeFast},
	{"after entity", "&amp;@b.co\n", takeFast},
	{"after html", "<b>x</b>@b.co\n", takeFast},
	{"after bracket", "[x]@b.co\n", takeFast},
	{"address at start", "@a.b.co\n", takeFast},
	{"table cell", "| @a | b |\n|---|---|\n| @c | (@d) |\n", takeFast},
	{"address", "a@b.co\n", takeGoldmark},
	{"second at", "x @a@b.co\n", takeGoldmark},
	{"after underscore", "_a_@b.co\n", takeGoldmark},
	{"after dot", "a.@b.co\n", takeGoldmark},
	{"address in a cell", "| @a | b@c.io |\n|---|---|\n", takeGoldmark},
}

// TestFastEmail checks which path converts text with "@" and that either
// way the result is goldmark's, with LF and CRLF line ends.
func TestFastEmail(t *testing.T) { checkFastCases(t, fastEmailCases) }
