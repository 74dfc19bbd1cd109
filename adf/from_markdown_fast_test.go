package adf

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fromMarkdownGoldmark is FromMarkdown without the fast path: the whole
// document goes through goldmark and the AST converter.
func fromMarkdownGoldmark(md string) *Doc {
	src := sanitizeMarkdown(md)
	c := &mdConv{src: src}
	doc := NewDoc(c.fit("doc", goldmarkBlocks(src, nil, false, nil))...)
	assignTaskIDs(doc.Content, new(int))
	return doc
}

// checkSamePaths fails when the fast path and goldmark's disagree on md.
func checkSamePaths(t *testing.T, md string) {
	t.Helper()
	fast, err := FromMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := fast.MarshalJSON()
	want, _ := fromMarkdownGoldmark(md).MarshalJSON()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-300)
		t.Fatalf("fast path differs from goldmark for %q\nfast:     …%s\ngoldmark: …%s", clip(md, 2000), clip(string(got[from:]), 600), clip(string(want[from:]), 600))
	}
	if err := Validate(fast); err != nil {
		t.Fatalf("invalid ADF for %q: %v", md, err)
	}
	checkJSONPath(t, md, got)
}

// fastConstructSeeds are inputs at the edges of what the fast path takes
// (tabs in indentation, autolinks, inline HTML), so the fuzzer starts there.
var fastConstructSeeds = []string{
	"- a\n\t- b\n", "- a\n\n\tb\n", "-\ta\n", "1.\ta\n\tb\n", "- a\n\t\tcode?\n",
	"> \ta\n", ">\t\tcode\n", "- a\n  \t- b\n", "\tcode\n", "  \tcode\n",
	"- a\n\t```\n\tx\n\t```\n", "- a\n\n\t\tx\n", "* a\n\t* b\n\t\t* c\n", "\t<b>\n",
	"<div>\n\t<b>\n</div>\n", "p\n\t<b>\n", "para\n\tcont\n", "- a\n\t<b>x</b>\n", "#\ta\n",
	"- a\n\t- b\n\n\t  c\n", "1. a\n\t- b\n", "10. a\n\t- b\n", "10. a\n\t  - b\n",
	"- a\n \t- b\n", "-  a\n\t b\n", ">- a\n>\t- b\n", "> - a\n>\t- b\n", "- a\n\t>b\n",
	"- a\n\t# h\n", "- a\n\t---\n", "- a\n\t\t- b\n", "\t- a\n", " \t- a\n", "\t\t- a\n",
	"- a\n\t-\tb\n", "- a\n\t~~~\n\tx\n\t\ty\n\t~~~\n", "* a\n\n\t\t\tcode\n",
	// GFM extended autolinks: where goldmark's linkify is tried and how a link ends.
	"see https://e.com and www.x.org\n",
	"(https://x.com/a_(b)) and https://x.com.\n",
	"**https://x.com**\n",
	"*https://x.com*\n",
	"a_https://x.com_\n",
	"~~https://x.com~~ ~~~https://y.com\n",
	"foo:https://x.com xhttp://y.com\n",
	"`c`https://x.com [a](b)https://y.com\n",
	"[https://x.com](https://x.com) [see www.x.com here]\n",
	"\\ https://x.com \\(https://y.com\n",
	"line\nhttps://x.com/?a=1&amp; more\n",
	"https://x.com/&copy; https://x.com/a;b\n",
	"http://localhost:3000/x and https://x.com:8080/y?\n",
	"https://x.com/`code` https://x.com/*a*\n",
	"www.x.com/a_b_c www.commonmark.org/he<lp\n",
	"[![b](https://i.com/x.svg)](https://x.com) https://x.com/@user/repo\n",
	"text!https://x.com ]https://y.com\n",
	"# https://x.com heading\n",
	"- item https://x.com\n  next www.y.io\n",
	"https://x.com/a)b) (www.x.com)\n",
	"ftp://files.x.org/a.txt, http://x.y.\n",
	"a *b https://x.com/c_d* e\n",
	"`` a ``https://x.com\n",
	"``` unclosed https://x.com\n",
	"HTTPS://X.COM https://X.COM\n",
	"[a](b) [c]https://x.com\n",
	"&amp;https://x.com\n",
	"![alt https://x.com](i.png)\n",
	// Inline HTML: which tags pair (per parent), <br>, tags kept as text.
	"a <b>bold</b> <br> b\n",
	"x<br />\ny<br/>z <BR>\n",
	"2<sup>53</sup> and H<sub>2</sub>O\n",
	"<b><i>x</i></b> <b><i>x</b></i>\n",
	"<b>a<b>b</b>c</b>\n",
	"*a<b>b*c</b>\n",
	"<b>*x*</b> *<i>y</i>*\n",
	"<span style=\"color: #ff0000\">red</span> <span>plain</span>\n",
	"<span style=\"background-color:#00FF00;\">bg</span>\n",
	"[<img src=\"x.svg\" alt=\"X\" />](https://x.com) <img src=a>\n",
	"<a href=\"https://x.com\"><img src=\"y\"></a>\n",
	"a < b > c <3 </ x> </3>\n",
	"<img\nsrc=\"x\"> and <a title='x\ny'>\n",
	"<https://x.com> <a@b.co> <x:y>\n",
	"<!-- c --> <?php ?> <!DOCTYPE>\n",
	"`<b>` <b>`x`</b>\n",
	"<u>under</u><ins>x</ins><del>d</del><s>s</s><strike>k</strike><em>e</em><strong>s</strong>\n",
	"<b>unclosed and </i> stray\n",
	"[<b>a</b>](x) [a<b>](y)</b>\n",
	"# head <sup>[![V][v]][p]</sup>\n\n[v]: /v.svg\n[p]: /p\n",
	"## <a name=\"x\"></a>Title\n",
	"text <b>bold</b>  \nnext\n",
	"<b> x </b>\n",
	"**<b>x</b>** _<i>y</i>_\n",
	"a<b>\n</b>c\n",
	"<div>inline?</div> text\n",
	"<b>a</b>https://x.com <br>https://y.com\n",
	"![<b>alt</b>](i.png)\n",
	"<B>caps</b>\n",
	"<b/>x</b>\n",
	"<span style=\"color: #ff0000\" >x</span>\n",
	"- item <br/>\n  more\n",
	"<a title=\"caf\u00e9\\!\">x</a> <b title=\"\xff\">y</b> <A A=\"\ufffd\\!\">0\n",
	"> [!NOTE]\n> Useful *info*.\n",
	"> [!tip]\n",
	"> [!IMPORTANT]\n>\n> # H\n> - a\n",
	">   [!WARNING]   \n>   text  \n> more\n",
	"> [!CAUTION]\n> [link](x)\n",
	"> [!ERROR]\n> (x)\n",
	"> [!SUCCESS]\n> <b>x</b>\n> ```\n> c\n> ```\n",
	"> [!NOTE]\nlazy\n",
	"> [!NOTE]\n> | a | b |\n> | - | - |\n",
	"> [!NOTE]\n> > [!TIP]\n> > x\n",
	"- > [!INFO]\n  > x\n",
	"> [!CUSTOM]\n> a\\\n> b\n",
	"> [!note]\n> [a]\n\n[!note]: /u\n",
	"> \t[!NOTE]\t\n> x\n",
	"> [!NOTE]\n> <details><summary>S</summary>\n>\n> b\n>\n> </details>\n",
}

// fastSeeds are the markdown goldens, the FromMarkdown fuzz seeds,
// fastConstructSeeds and fastCaseDocs.
func fastSeeds(tb testing.TB) []string {
	out := append(append([]string(nil), fastConstructSeeds...), fastCaseDocs()...)
	for _, p := range markdownGoldens(tb) {
		src, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(src))
	}
	return append(out, fuzzSeeds(tb, "FuzzFromMarkdown", "FuzzFastMarkdown")...)
}

// fuzzSeeds are the string inputs kept under testdata/fuzz for the named
// fuzz targets.
func fuzzSeeds(tb testing.TB, targets ...string) []string {
	var out []string
	for _, target := range targets {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			if s, ok := fuzzCorpusString(raw); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestFastMarkdownMatchesGoldmark(t *testing.T) {
	for _, md := range fastSeeds(t) {
		checkSamePaths(t, md)
		checkSamePaths(t, crlf(md))
	}
}

// crlf is md with CRLF line ends: each input is checked in both forms.
func crlf(md string) string { return strings.ReplaceAll(md, "\n", "\r\n") }

func FuzzFastMarkdown(f *testing.F) {
	for _, md := range fastSeeds(f) {
		f.Add(md)
	}
	f.Fuzz(func(t *testing.T, md string) {
		checkSamePaths(t, md)
		checkSamePaths(t, crlf(md))
	})
}

// fuzzCorpusString reads a one-string file of Go's fuzz corpus format.
func fuzzCorpusString(raw []byte) (string, bool) {
	lines := bytes.SplitN(raw, []byte("\n"), 2)
	if len(lines) != 2 || string(lines[0]) != "go test fuzz v1" {
		return "", false
	}
	body := bytes.TrimSpace(lines[1])
	if !bytes.HasPrefix(body, []byte("string(")) || !bytes.HasSuffix(body, []byte(")")) {
		return "", false
	}
	s, err := strconv.Unquote(string(body[len("string(") : len(body)-1]))
	return s, err == nil
}

// TestFastMarkdownCorpus compares both paths on the README corpus of
// bench/mdadf when MDADF_CORPUS names it.
func TestFastMarkdownCorpus(t *testing.T) {
	dir := os.Getenv("MDADF_CORPUS")
	if dir == "" {
		t.Skip("MDADF_CORPUS not set (bench/mdadf/run.sh gathers the corpus)")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			checkSamePaths(t, string(src))
			checkSamePaths(t, crlf(string(src)))
		})
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestFastMarkdownShare reports how much of the corpus the fast path
// converts (MDADF_CORPUS), and which blocks it leaves to goldmark (-v).
func TestFastMarkdownShare(t *testing.T) {
	dir := os.Getenv("MDADF_CORPUS")
	if dir == "" {
		t.Skip("MDADF_CORPUS not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	var st fastStats
	total := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		s := sanitizeMarkdown(string(src))
		total += len(s)
		markdownBlocksStats(s, &st)
	}
	t.Logf("goldmark took %d of %d bytes (%.1f%%); %d whole documents", st.goldmark, total, 100*float64(st.goldmark)/float64(total), st.whole)
}

// TestFastMarkdownCases checks both paths agree on the constructs the fast
// path handles or hands over, and that it does take the ones it should.
func TestFastMarkdownCases(t *testing.T) {
	tests := []struct {
		name     string
		md       string
		wantFast bool // some block converted by the fast path
	}{
		{"prose", "# Title\n\nSome *em*, **strong**, ~~gone~~ and `code`.\n", true},
		{"lists", "- a\n- b\n  1. c\n  2. d\n\n3) e\n", true},
		{"quote and fence", "> quoted\n> more\n\n```go\nx := 1\n```\n", true},
		{"links and images", "See [the docs](https://e.com/x \"T\") and ![alt](i.png).\n", true},
		{"definitions after use", "Use [npm][] or [yarn][y].\n\nplain\n\n[npm]: https://npmjs.com\n[y]: https://yarnpkg.com \"Yarn\"\n", true},
		{"definitions only chunk", "text\n\n[a]: /a\n[b]: /b\n\nmore *text*\n", true},
		{"details after prose", "intro\n\n<details><summary>More</summary>\n\nbody *x*\n\n</details>\n\nafter\n", true},
		{"details in a list", "intro\n\n- <details><summary>S</summary>\n\n  body\n\n  </details>\n", true},
		{"badges", "[![npm](https://img.shields.io/npm/v/x.svg)](https://npmjs.com/x) [![ci][ci-img]][ci]\n\n[ci-img]: /ci.svg\n[ci]: /ci\n", true},
		{"table", "a\n\n| h | i |\n| - | - |\n| 1 | 2 |\n\nz\n", true},
		{"alert", "> [!NOTE]\n> careful\n", true},
		{"alert kinds", "> [!tip]\n\n> [!WARNING]  \n> a *b*\n>\n> - c\n\n> [!Caution]\n> x\ny\n", true},
		{"alert unknown", "> [!FOO]\n> x\n", false},
		{"alert bracket next", "> [!NOTE]\n> [x](y)\n", false},
		{"alert not alone", "> [!NOTE] x\n", false},
		{"task list", "- [ ] todo\n- [x] done\n", false},
		{"autolinks", "see https://e.com and (www.x.org/a_(b)).\n", true},
		{"e-mail autolink", "see https://e.com and www.x.org or a@b.co\n", false},
		{"badge lines", "[![a](x.svg)](https://x)\n[![b](y.svg)](https://y)\n", true},
		{"inline html", "a <b>bold</b> <br> b 2<sup>53</sup> [<img src=\"x\">](y)\n", true},
		{"html comment", "a <!-- c --> b\n", false},
		{"delimiter after a quote marker", ">*0\n>*\n", false},
		{"delimiters after quote markers", ">>_a\n>>_ ~~b\n>>~~\n", false},
		{"delimiter after a quote marker and space", "> *0\n> *\n", true},
		{"tab indent on a tab stop", "- a\n\t- b\n", true},
		{"tab indent after spaces", "- a\n  \t- b\n", false},
		{"crlf", "a\r\nb\r\n", true},
		{"crlf blocks", "# T #\r\n\r\n- a  \r\n  b\\\r\n  c\r\n\r\n> q\r\n\r\nS\r\n---\r\n***\r\n", true},
		{"crlf code and html", "```\r\nx\r\n```\r\n\r\n<div>\r\nx\r\n</div>\r\n\r\n    ind\r\n", false},
		{"crlf spans", "`a\r\nb` <b\r\nc=1>x</b> [l](u\r\n\"t\r\nz\")\r\n", false},
		{"crlf definitions", "[a]\r\n\r\n[a]: /u\r\n  \"t\r\nz\"\r\n", true},
		{"lone cr", "a\rb\r\n", false},
		{"definitions read fast", "[a] [B c][] [d]\n\n[a]: /a\n  [b  C]: <x y> \"T\"\n[d]: u(v)w (p q)\n[a]: /second\n", true},
		{"definition titles next line", "[a]\n\n[a]: /a\n\"t\"\n", true},
		{"definition not one", "[a]\n\n[a]: /a \"t\" x\n", true},
		{"definition escapes", "[a\\]] [b]\n\n[a\\]]: /a\\_b\n[b]: <c\\>d>\n", false},
		{"definition escapes after prose", "text\n\n[b]\n\n[b]: <c\\>d>\n", true},
		{"definition no space before title", "[a]\n\n[a]: <u>\"t\"\n[b]: /u'x'\n", true},
		{"definitions in a list", "- [a]\n\n  [a]: /a\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSamePaths(t, tt.md)
			var st fastStats
			markdownBlocksStats(sanitizeMarkdown(tt.md), &st)
			if got := st.fast > 0; got != tt.wantFast {
				t.Errorf("fast path took %d bytes, goldmark %d; want fast=%v", st.fast, st.goldmark, tt.wantFast)
			}
		})
	}
}

// TestMarkdownDefinitionsShowNothing checks that link reference
// definitions leave no trace in the document on either path: goldmark
// keeps them in its tree as blocks of their own.
func TestMarkdownDefinitionsShowNothing(t *testing.T) {
	tests := []struct{ name, md string }{
		{"after use", "see [a]\n\n[a]: /a\n"},
		{"before use", "[a]: /a \"T\"\n\nsee [a]\n"},
		{"before a paragraph", "[a]: /a\nsee [a]\n"},
		{"titled on the next line", "see [a]\n\n[a]: /a\n  'T'\n"},
		{"in a quote", "> [a]: /a\n>\n> see [a]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fast, err := FromMarkdown(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			for name, doc := range map[string]*Doc{"fast": fast, "goldmark": fromMarkdownGoldmark(tt.md)} {
				js, _ := doc.MarshalJSON()
				if bytes.Contains(js, []byte("]:")) {
					t.Errorf("%s path shows the definition: %s", name, js)
				}
				if !bytes.Contains(js, []byte(`"href":"/a"`)) {
					t.Errorf("%s path does not resolve the reference: %s", name, js)
				}
			}
		})
	}
}

// FuzzHTMLLineType6 checks htmlLineTag and type6Rest against goldmark's
// type 6 HTML block pattern they replace, and that oneTag holds for every
// line goldmark's type 7 pattern matches.
func FuzzHTMLLineType6(f *testing.F) {
	re := regexp.MustCompile(`^[ ]{0,3}<(?:/[ ]*)?([a-zA-Z]+[a-zA-Z0-9\-]*)(?:[ ].*|>.*|/>.*|)(?:\r\n|\n)?$`)
	type7 := htmlBlockRes().type7
	for _, s := range []string{"<div>\n", "   </ p class=x>", "<p\talign=x>\n", "    <div>", "<h1-x/>", "<a1 href>", "<1a>", "<div", "<div\n", "< div>", "<div>x\ny\n", "<DIV >",
		"<a href=\"x>y\" b='>' c=d />  \n", "<a href=\"x\"><img src=y></a>\n", "<img\n src=x>", "<x a = 'b\"c' >"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(strings.TrimSuffix(s, "\n"), "\n") || strings.Contains(s, "\r") {
			return // a line: at most its line end
		}
		m := re.FindStringSubmatch(s)
		tag, rest, ok := htmlLineTag([]byte(s))
		got := ok && type6Rest(rest)
		if got != (m != nil) || got && string(tag) != m[1] {
			t.Fatalf("%q: htmlLineTag %q %v, type6Rest %v; pattern %q", s, tag, ok, got, m)
		}
		if m7 := type7.FindStringSubmatchIndex(s); m7 != nil && (!ok || !oneTag(rest) || string(tag) != s[m7[4]:m7[5]]) {
			t.Fatalf("%q: type 7 matches (tag %q) but htmlLineTag %q %v, oneTag %v", s, s[m7[4]:m7[5]], tag, ok, oneTag(rest))
		}
	})
}

// TestSchemaFastCases validates what the fast path makes of every case
// list's documents and the table seeds (through MarkdownToJSON) against
// the official ADF schema.
func TestSchemaFastCases(t *testing.T) {
	s := loadSchema(t)
	mds := fastCaseDocs()
	for _, md := range mds {
		raw, err := MarkdownToJSON(md)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		schemaCheck(t, s, strconv.Quote(md), d)
	}
}

// pathTake says which path a fastCase must take.
type pathTake uint8

const (
	takeFast     pathTake = iota // the fast path converts all of it
	takeFastLF                   // the fast path with LF line ends, goldmark with CRLF (see crSafe)
	takeGoldmark                 // goldmark converts some of it
)

// fastCase is a document at the edge of what the fast path converts
// itself, and the path it must take; the fuzzers start from them too.
type fastCase struct {
	name string
	md   string
	take pathTake
}

// checkFastCases checks, with LF and CRLF line ends, that each case
// takes its path and that either way the result is goldmark's.
func checkFastCases(t *testing.T, cases []fastCase) {
	t.Helper()
	for _, tt := range cases {
		for _, eol := range []string{"LF", "CRLF"} {
			t.Run(tt.name+"/"+eol, func(t *testing.T) {
				md := tt.md
				fast := tt.take == takeFast || tt.take == takeFastLF && eol == "LF"
				if eol == "CRLF" {
					md = crlf(md)
				}
				checkSamePaths(t, md)
				var st fastStats
				markdownBlocksStats(sanitizeMarkdown(md), &st)
				if fast && (st.goldmark != 0 || st.fast == 0) {
					t.Errorf("goldmark took %d bytes, the fast path %d; want the fast path to take all", st.goldmark, st.fast)
				}
				if !fast && st.goldmark == 0 {
					t.Errorf("the fast path took all %d bytes; want goldmark to take some", st.fast)
				}
			})
		}
	}
}

// fastCaseDocs are the documents of every fast-path case list (tables,
// <details>, list tabs, "@" text, hard breaks) and the table seeds.
func fastCaseDocs() []string {
	out := append([]string(nil), fastTableSeeds...)
	for _, cases := range [][]fastCase{fastTableCases, fastListTabCases, fastEmailCases, fastBreakCases} {
		for _, c := range cases {
			out = append(out, c.md)
		}
	}
	for _, c := range fastDetailsCases {
		out = append(out, c.md)
	}
	return out
}
