package adf

import "testing"

// fastListTabCases are list items with tabs after their markers, where
// the item's content column is the next tab stop: the fast path reads
// them itself at the top level and leaves the rest to goldmark.
var fastListTabCases = []fastCase{
	{"bullet", "*\t`scheme` (string)\n\n*\tb\n", takeFast},
	{"bullets tight", "-\ta\n-\tb\n+\tc\n", takeFast},
	{"ordered", "1.\ta\n2.\tb\n", takeFast},
	{"ordered paren", "1)\tx\n", takeFast},
	{"long number", "10.\ta\n\tb\n", takeFast},
	{"indented marker", "  -\ta\n   -\tb\n", takeFast},
	{"space then tab", "- \ta\n", takeFast},
	{"tab then space", "-\t a\n", takeFast},
	{"tab in content", "-\ta\tb\n- a\tb\n", takeFast},
	{"continuation", "*\ta\n\tb\n", takeFast},
	{"second paragraph", "*\ta\n\n\tb\n", takeFast},
	{"fence in item", "*\ta\n\n\t```\n\tx\n\t```\n", takeFastLF},
	{"indented code in item", "*\ta\n\n\t\tcode\n", takeGoldmark}, // the fast path converts no indented code
	{"nested on tab stop", "*\ta\n\t*\tb\n", takeGoldmark},
	{"interrupts paragraph", "para\n-\tb\n", takeFast},
	{"interrupts nested paragraph", "- a\n  b\n-\tc\n", takeFast},
	{"ordered interrupts paragraph", "para\n1.\tb\n2)\tc\n", takeFast},
	{"rule", "*\t*\t*\n", takeFast},
	{"lazy line", "-\ta\nb\n", takeFast},
	{"blank lines between", "-\ta\n\n\n-\tb\n\ntext\n", takeFast},
	{"code after tab", "-\t  a\n", takeGoldmark},
	{"two tabs", "-\t\ta\n", takeGoldmark},
	{"empty", "-\t\n", takeGoldmark},
	{"nested", "- a\n  -\tb\n", takeGoldmark},
	{"in a quote", "> -\ta\n", takeGoldmark},
}

// TestFastListTabs checks which path converts list items with tabs after
// their markers, and that either way the result is goldmark's, with LF
// and CRLF line ends.
func TestFastListTabs(t *testing.T) { checkFastCases(t, fastListTabCases) }
