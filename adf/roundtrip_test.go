package adf

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
)

// roundTripPieces are markdown fragments, including syntax that must be
// escaped, combined at random by TestGeneratedRoundTrips.
var roundTripPieces = []string{
	"a", "b c", "*", "**", "_", "__", "~~", "`", "``", "[", "]", "(", ")", "![", "<u>", "</u>", "<sub>", "</sub>",
	"<br>", "\\", "\n", "\n\n", "- ", "1. ", "> ", "> [!NOTE]\n", "# ", "| a | b |\n| --- | --- |\n| ", "|", " ",
	"  ", "\t", "{status:green X}", "{date:2026-01-02}", ":smile:", "@[N](accountid:1)", "http://x.com", "www.y.org",
	"a@b.co", "&amp;", "&", "<details><summary>T</summary>\n\n", "\n</details>\n", "```\n", "x.", "#", "-", "+", "=",
	"!", "{", "}", ":", "@", "3) ", "- [ ] ", "- [x] ", "<span style=\"color: #ff0000\">", "</span>", "<b>", "</b>",
	"é", "\u00a0", "***", "\\*", ". ", "1", "_a_", "*a*",
}

// TestGeneratedRoundTrips converts generated markdown and checks that the
// ADF it gives is valid and reads back unchanged through markdown:
// FromMarkdown(ToMarkdown(d)) == d for d = FromMarkdown(md).
func TestGeneratedRoundTrips(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	n := 10000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := 1 + r.Intn(20); j > 0; j-- {
			b.WriteString(roundTripPieces[r.Intn(len(roundTripPieces))])
		}
		md := b.String()
		d1, err := FromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(d1); err != nil {
			t.Fatalf("FromMarkdown(%q) is invalid: %v", md, err)
		}
		md1, err := ToMarkdown(d1)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := FromMarkdown(md1)
		if err != nil {
			t.Fatal(err)
		}
		j1, _ := d1.MarshalJSON()
		j2, _ := d2.MarshalJSON()
		if !bytes.Equal(j1, j2) {
			t.Fatalf("ADF -> markdown -> ADF changed the document\nmd:  %q\nmd1: %q\nadf1: %s\nadf2: %s", md, md1, j1, j2)
		}
	}
}
