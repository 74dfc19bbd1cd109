package adf

import (
	"strings"
	"testing"
)

// fastDetailsCases are documents with <details> elements: the slow parts
// (substrings of md) are what goldmark must take with LF line ends, the
// run of top-level blocks from the one opening the element to the one
// closing it (up to the next block), and any other block mentioning
// "<details"; the fast path takes the rest.
var fastDetailsCases = []struct {
	name, md string
	slow     []string
}{
	{"body blocks", "intro\n\n<details><summary>S</summary>\n\nbody *x*\n\n</details>\n\nafter *y*\n",
		[]string{"<details><summary>S</summary>\n\nbody *x*\n\n</details>\n\n"}},
	{"one block", "<details><summary>S</summary>body</details>\n\nafter\n",
		[]string{"<details><summary>S</summary>body</details>\n\n"}},
	{"open attribute, upper case", "<DETAILS open>\n<Summary>T</Summary>\n\n- a\n\n</Details >\n\n# after\n",
		[]string{"<DETAILS open>\n<Summary>T</Summary>\n\n- a\n\n</Details >\n\n"}},
	{"nested", "<details>\n\n<details><summary>in</summary>\n\nx\n\n</details>\n\ny\n\n</details>\n\nafter\n",
		[]string{"<details>\n\n<details><summary>in</summary>\n\nx\n\n</details>\n\ny\n\n</details>\n\n"}},
	{"nested in one block", "<details>\n\n<details><summary>in</summary>x</details>\n\ny\n\n</details>\n\nafter\n",
		[]string{"<details>\n\n<details><summary>in</summary>x</details>\n\ny\n\n</details>\n\n"}},
	{"two", "<details>\n\na\n\n</details>\n\nmid\n\n<details>\n\nb\n\n</details>\n\nend\n",
		[]string{"<details>\n\na\n\n</details>\n\n", "<details>\n\nb\n\n</details>\n\n"}},
	{"unclosed", "a\n\n<details>\n\nb\n\nc\n", []string{"<details>\n\nb\n\nc\n"}},
	{"nested unclosed", "<details>\n\n<details>\n\nb\n\n</details>\n\nc\n", []string{"<details>\n\n<details>\n\nb\n\n</details>\n\nc\n"}},
	{"close with text", "<details>\n\nb\n\n</details> tail\n\nafter\n", []string{"<details>\n\nb\n\n</details> tail\n\n"}},
	{"close then close", "<details>\n\na\n\n</details>\n\n</details>\n\nb\n", []string{"<details>\n\na\n\n</details>\n\n"}},
	{"close in a comment", "<details>\n\nb\n\n<!-- </details> -->\nafter\n\nend\n", []string{"<details>\n\nb\n\n<!-- </details> -->\nafter\n\n"}},
	{"close in a paragraph", "<details>\n\nb </details>\n\nc\n\n</details>\n\nend\n", []string{"<details>\n\nb </details>\n\nc\n\n</details>\n\n"}},
	{"paragraph above", "intro\n<details>\n\nb\n\n</details>\n\nend\n", []string{"intro\n<details>\n\nb\n\n</details>\n\n"}},
	{"in a list", "- <details><summary>S</summary>\n\n  body\n\n  </details>\n\nafter\n", []string{"- <details><summary>S</summary>\n\n  body\n\n  </details>\n\n"}},
	{"in a quote", "> <details>\n>\n> b\n\n</details>\n\nafter\n", []string{"> <details>\n>\n> b\n\n"}},
	{"inline", "a <details> b\n\n</details>\n\nafter\n", []string{"a <details> b\n\n"}},
	{"not first in its block", "<div><details>\n\nb\n\n</details></div>\n\nafter\n", []string{"<div><details>\n\n"}},
	{"in code", "```\n<details>\n```\n\nafter\n", []string{"```\n<details>\n```\n\n"}},
	{"indented four", "    <details>\n\nafter\n", []string{"    <details>\n\n"}},
	{"summary only", "<details><summary>a\nb</summary>\n\n</details>\n\nc\n", []string{"<details><summary>a\nb</summary>\n\n</details>\n\n"}},
	{"references", "<details>\n\n[a]\n\n</details>\n\n[a] [b]\n\n[a]: /a\n[b]: /b\n", []string{"<details>\n\n[a]\n\n</details>\n\n"}},
}

// TestFastDetails checks that the fast path leaves the blocks of a
// <details> element to goldmark and converts the rest of the document
// itself, with the same result as goldmark's, with LF and CRLF line ends.
func TestFastDetails(t *testing.T) {
	for _, tt := range fastDetailsCases {
		slow := 0
		for _, part := range tt.slow {
			if !strings.Contains(tt.md, part) {
				t.Fatalf("%s: slow part %q not in %q", tt.name, part, tt.md)
			}
			slow += len(part)
		}
		for _, eol := range []string{"LF", "CRLF"} {
			t.Run(tt.name+"/"+eol, func(t *testing.T) {
				md := tt.md
				if eol == "CRLF" {
					md = crlf(md)
				}
				checkSamePaths(t, md)
				var st fastStats
				markdownBlocksStats(sanitizeMarkdown(md), &st)
				if eol == "LF" && st.goldmark != slow {
					t.Errorf("goldmark took %d bytes, the fast path %d; want goldmark to take %d (%q)", st.goldmark, st.fast, slow, tt.slow)
				}
				if eol == "CRLF" && st.goldmark < slow {
					t.Errorf("goldmark took %d bytes; want at least the %d of %q", st.goldmark, slow, tt.slow)
				}
			})
		}
	}
}
