package adf

import (
	"strings"
	"testing"
)

// fastBreakCases are backslash hard breaks: the fast path reads one
// backslash before a line end itself where nothing on the lines before
// but a code span may span the line end, and leaves the rest to goldmark.
var fastBreakCases = []fastCase{
	{"option docs", "Type: `boolean`\\\nDefault: `false`\\\nValues: `a | b`\n", takeFastLF},
	{"code span holds it", "a `b\\\nc` d\n", takeFastLF},
	{"code span unclosed", "a `b\\\nc\n", takeFastLF},
	{"code span after", "a\\\n`b` c\\\n` d `\\\ne\n", takeFastLF},
	{"plain", "Type: boolean\\\nDefault: false\\\nValues: a\n", takeFast},
	{"spaces before", "a  \\\nb\n", takeFast},
	{"alone on its line", "a\n\\\nb\n", takeFast},
	{"indented", "a\n   \\\nb\n", takeFast},
	{"after an escape", "a\\*\\\nb\n", takeFast},
	{"in emphasis", "*a\\\nb* **c\\\nd**\n", takeFast},
	{"in link text", "x [a\\\nb](u)\n", takeFast},
	{"in image text", "x ![i\\\nj](k)\n", takeGoldmark}, // the fast path leaves breaks in alt text to goldmark
	{"before a link", "a\\\n[b](u)\n", takeFast},
	{"before a url", "a\\\nhttps://x.com b\\\nwww.y.org\n", takeFast},
	{"heading", "a\\\nb\n===\n", takeFast},
	{"in a list", "- a\\\n  b\n", takeFast},
	{"in a quote", "> a\\\n> b\n", takeFast},
	{"last line", "a\\\n", takeFast},
	{"two backslashes", "a\\\\\nb\n", takeGoldmark},
	{"three backslashes", "a\\\\\\\nb\n", takeGoldmark},
	{"space after", "a\\ \nb\n", takeGoldmark},
	{"two spaces after", "a\\  \nb\n", takeGoldmark},
	{"html before", "a <b>c</b>\\\nd\n", takeGoldmark},
	{"open link before", "[a](u \"t\\\nz\")\n", takeGoldmark},
	{"title with a parenthesis", "x [a](u \"x) y\\\nz\") [b](v 'x) y\\\nz')\n", takeGoldmark},
	{"destination", "x [a](u\\\nv)\n", takeGoldmark},
	{"link before", "x [a](u \"t\")\\\n[b](v)\n", takeFast},
}

// TestFastBreaks checks which path converts backslash hard breaks and
// that either way the result is goldmark's, with LF and CRLF line ends.
func TestFastBreaks(t *testing.T) { checkFastCases(t, fastBreakCases) }

// TestFastBreakIsBreak checks that the fast path's backslash breaks are
// hard breaks without their backslash: the differential tests would pass
// if both paths lost them alike.
func TestFastBreakIsBreak(t *testing.T) {
	got, err := MarkdownToJSON("a \\\nb\n")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"b"}`
	if !strings.Contains(string(got), want) {
		t.Errorf("got %s, want it to hold %s", got, want)
	}
}
