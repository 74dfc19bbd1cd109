package adf

import (
	"strings"
	"testing"
)

// fastTableCases are GFM tables at the edges of what the fast path
// converts itself; TestFastTables and the fuzzers start from them.
var fastTableCases = []fastCase{
	{"simple", "| a | b |\n| - | - |\n| 1 | 2 |\n", takeFast},
	{"no outer pipes", "a | b\n--|--\n1 | 2\n", takeFast},
	{"alignments", "| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n", takeFast},
	{"header only", "| a | b |\n|---|---|\n", takeFast},
	{"one column", "| a |\n| - |\n| 1 |\n", takeFast},
	{"one column no pipes", "a\n:-\nb\n", takeFast},
	{"paragraph above", "intro *text*\nmore\n| a | b |\n| - | - |\n| 1 | 2 |\n", takeFast},
	{"paragraph above trailing spaces", "intro  \n| a |\n| - |\n", takeFast},
	{"paragraph above backslash", "intro\\\n| a |\n| - |\n", takeFast},
	{"short body rows", "| a | b | c |\n|---|---|---|\n| 1 |\n| 1 | 2 |\n|\n", takeFast},
	{"long body rows", "| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |\n", takeFast},
	{"empty cells", "| a | | c |\n|---|---|---|\n| | x | |\n||||\n", takeFast},
	{"blank header", "| | |\n|---|---|\n| 1 | 2 |\n", takeFast},
	{"blank header alone", "| | |\n|---|---|\n", takeFast},
	{"header of more cells", "| a | b |\n| - |\n| 1 |\n", takeFast},
	{"header of fewer cells", "| a |\n| - | :-: |\n| 1 | 2 |\n", takeFast},
	{"header of no cells", "|\n|-\n", takeFast},
	{"header mismatch then delimiter", "a | b\n| - |\n| - | - |\n", takeFast},
	{"second delimiter row is a body row", "| a |\n| - |\n| - |\n", takeFast},
	{"inline markup", "| *em* | **strong** | ~~del~~ | `code` |\n|---|---|---|---|\n| [l](https://x.com \"t\") | ![i](i.png) | a\\*b | &amp; &copy; |\n", takeFastLF},
	{"images split cells", "| a |\n|---|\n| x ![i](i.png) y |\n| ![j](j.png) |\n", takeFast},
	{"badges", "| pkg | ver |\n|---|---|\n| x | [![npm](https://img.shields.io/npm/v/x.svg)](https://npm.im/x) |\n", takeFast},
	{"escaped pipes", "| a \\| b | c |\n|---|---|\n| \\|x\\| | \\\\|\n", takeFast},
	{"code with pipe split", "| `a | b` |\n|---|---|\n", takeFastLF},
	{"autolinks", "| url |\n|---|\n| https://x.com/a_b and www.y.org. |\n| (https://z.com) |\n", takeFast},
	{"inline html", "| a |\n|---|\n| x<br>y <b>z</b> 2<sup>3</sup> |\n", takeFast},
	{"uppercase pre", "| a |\n|---|\n| <PRE>x</PRE> |\n", takeFast},
	{"tabs and padding", "|\ta\t|  b  |\n|\t:-:\t| --- |\n|1\t|\t2|\n", takeFast},
	{"indented rows", "   | a |\n   | - |\n    | 1 |\n", takeFast},
	{"delimiter indented four", "| a |\n    | - |\n", takeFast},
	{"trailing backslash cell", "| a\\ | b |\n|---|---|\n", takeFast},
	{"dashes in text", "a - b\nc -- d\n", takeFast},
	{"unicode", "| é | 日本 |\n|---|---|\n| ñ | 語 |\n", takeFast},
	{"entity pipe", "| a &#124; b |\n|---|\n", takeFast},
	{"between blocks", "# T\n\n| a |\n|---|\n| 1 |\n\ntext\n\n- x\n", takeFast},
	{"interrupted by heading", "| a |\n|---|\n| 1 |\n# h\n", takeFast},
	{"interrupted by list", "| a |\n|---|\n| 1 |\n- x\n", takeFast},
	{"two tables", "| a |\n|---|\n\n| b | c |\n|:-|-:|\n| 1 | 2 |\n", takeFast},
	{"no final newline", "| a | b |\n|---|---|\n| 1 | 2 |", takeFast},
	{"reference links", "| [a] | [b][c] |\n|---|---|\n\n[a]: /a\n[c]: /c \"T\"\n", takeFast},
	{"code spans", "| `a` | ``b ` c`` |\n|---|---|\n| x `y` z | ` ` |\n", takeFastLF},
	{"html in header", "| <b>a</b> |\n|---|\n| 1 |\n", takeFastLF},
	{"code in last row", "| a |\n|---|\n| `x` <b>y</b> |\n", takeFast},
	{"html comment", "| a <!-- c --> |\n|---|\n", takeGoldmark},
	{"e-mail", "| a@b.co |\n|---|\n", takeGoldmark},
	{"angle autolink", "| <https://x.com> |\n|---|\n", takeGoldmark},
	{"nested brackets", "| [a [b] c](d) |\n|---|\n", takeGoldmark},
	{"pre cell", "| <pre>x</pre> |\n|---|\n", takeGoldmark},
	{"escaped pipe in code", "| `a \\| b` |\n|---|\n", takeFastLF},
	{"escaped pipes in code spans", "| a | b |\n|---|---|\n| `x \\| y` | `\\|` ` \\| ` `\\|\\|` |\n", takeFast},
	{"backslashes before pipe in code", "| a |\n|---|\n| `a\\\\|b` `\\\\\\|` |\n", takeFast},
	{"escaped pipe after code", "| a |\n|---|\n| `a` \\| b \\|`c` |\n", takeFast},
	{"escaped pipe after lone tick", "| a |\n|---|\n| `a \\| b | c\\|` |\n| \\`a \\| b` |\n", takeFastLF},
	{"escaped pipe in code and link", "| a |\n|---|\n| [`x\\|y`](u\\|v \"t\\|\") |\n", takeFast},
	{"setext under table", "| a |\n|---|\n| b |\n===\n", takeGoldmark},
	{"in a quote", "> | a |\n> |---|\n> | 1 |\n", takeGoldmark},
	{"in a list", "- | a |\n  |---|\n  | 1 |\n", takeGoldmark},
	{"definition above", "[x]: /u\n| a |\n| - |\n", takeGoldmark},
}

// fastTableSeeds are table-heavy documents for the fuzzers: tables among
// other blocks, README-style option and API tables, and the corners
// where goldmark's reading of a paragraph decides (header cell counts,
// delimiter cells, pipes after backslashes, white space around cells).
var fastTableSeeds = []string{
	"# API\n\nSome text.\n\n| Option | Type | Default | Description |\n|--------|:----:|--------:|-------------|\n| `foo` | `string` | `\"x\"` | The *foo* option, see [docs](https://x.com/docs#foo). |\n| `bar` | `boolean` | `false` | **Bar**; also www.bar.io |\n| baz | number | 1 | ~~old~~ new\\|er |\n\n## Next\n\n- list\n- items\n",
	"Intro line\nA | B | C\n--- | :---: | ---:\nx | y\n1 | 2 | 3 | 4\n|\n\n> quote\n\n| h |\n|:-|\n",
	"|a|b|\n|-|-|\n|1|2|\n\n|a|\n|-|\n|1|2|\n\n| a |\n| -- |\n| ![i](i.png \"t\") ![j](j.png) |\n",
	"| a \\| b | `c \\| d` | e |\n|---|---|---|\n| \\ | \\\\| f\\ |\n",
	"  | a |  b  |\n  |:--:|:--|\n\t| x | y |\n| \t | \t |\n",
	"| <b>a</b> | <i>b</i> <br/> c |\n|----|----|\n| 2<sup>x</sup> | H<sub>2</sub>O |\n| <span style=\"color: #ff0000\">r</span> | &lt;x&gt; |\n",
	"| a |\n|---|\n| [x](y) [z][] |\n\n[z]: /z\n",
	"para\n| a | b |\n| --- |\n| 1 | 2 |\nmore | x\n-|-\n",
	"| a |\n|-:\n|:-:\n| --- | --- |\n",
	"a|b\n-|-\n*x|y*\n**p|q**\n[l|m](n)\n",
}

// TestFastTables checks that the fast path converts GFM tables itself
// (or leaves the ones it cannot be sure of to goldmark) and that either
// way the result is goldmark's, with LF and CRLF line ends.
func TestFastTables(t *testing.T) { checkFastCases(t, fastTableCases) }

// TestFastTableIsTable checks that the fast path's tables are tables:
// the differential tests would pass if both paths lost them alike.
func TestFastTableIsTable(t *testing.T) {
	tests := []struct {
		name, md string
		want     []string // in the JSON, in order
	}{
		{"header and body", "| a | b |\n|---|---|\n| 1 | 2 |\n",
			[]string{`"type":"table"`, `"type":"tableHeader"`, `"text":"a"`, `"type":"tableCell"`, `"text":"2"`}},
		{"paragraph above", "p\n| a |\n|---|\n",
			[]string{`"type":"paragraph"`, `"text":"p"`, `"type":"table"`, `"text":"a"`}},
		{"blank header dropped", "| |\n|---|\n| x |\n",
			[]string{`"content":[{"type":"tableRow","content":[{"type":"tableCell"`, `"text":"x"`}},
		{"padded header row", "| a |\n|---|---|\n",
			[]string{`"type":"table"`, `"text":"a"`, `{"type":"tableHeader","content":[{"type":"paragraph","content":[]}]}`}},
		{"padded body row", "| a | b |\n|---|---|\n| 1 |\n",
			[]string{`"text":"1"`, `{"type":"tableCell","content":[{"type":"paragraph","content":[]}]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarkdownToJSON(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			rest := string(got)
			for _, w := range tt.want {
				k := strings.Index(rest, w)
				if k < 0 {
					t.Fatalf("%s: no %s in order in %s", tt.md, w, got)
				}
				rest = rest[k+len(w):]
			}
		})
	}
}
