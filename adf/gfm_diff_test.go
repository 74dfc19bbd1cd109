package adf

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The differential tests below hold our GFM extensions (gfm_*.go) to
// goldmark's: the parser as it was built before them, from goldmark's
// extension package, must give byte-identical ADF on every input. This
// file is the only place that package is imported.

// goldmarkGFMParser is newMDParser as it was with goldmark's extensions.
var goldmarkGFMParser = sync.OnceValue(func() parser.Parser {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithParserOptions(parser.WithInlineParsers(
			util.Prioritized(strictTaskBox{extension.NewTaskCheckBoxParser()}, 0),
			util.Prioritized(spacedPageLink{}, 199),
			util.Prioritized(inertDelimiters{}, 499),
			util.Prioritized(fastLinkify{extension.NewLinkifyParser(extension.WithLinkifyEmailRegexp(
				regexp.MustCompile(`^[a-zA-Z0-9._+\-]{1,64}@[a-zA-Z0-9\-]{1,63}(?:\.[a-zA-Z0-9\-]{1,63}){1,8}`)))}, 999),
		)),
	).Parser()
})

// strictTaskBox is goldmark's task checkbox parser with GFM's rule that
// whitespace (or the end of the line) follows the box.
type strictTaskBox struct{ inner parser.InlineParser }

func (s strictTaskBox) Trigger() []byte { return s.inner.Trigger() }

func (s strictTaskBox) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 3 || line[0] != '[' || line[2] != ']' || (len(line) > 3 && line[3] != ' ' && line[3] != '\t' && line[3] != '\n' && line[3] != '\r') {
		return nil
	}
	return s.inner.Parse(parent, block, pc)
}

// fastLinkify runs goldmark's linkify parser only where mayAutolink says a
// link can start.
type fastLinkify struct{ inner parser.InlineParser }

func (f fastLinkify) Trigger() []byte { return f.inner.Trigger() }

func (f fastLinkify) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) > 0 {
		switch line[0] {
		case ' ', '*', '_', '~', '(':
			line = line[1:]
		}
	}
	if !mayAutolink(line) {
		return nil
	}
	return f.inner.Parse(parent, block, pc)
}

// withParser runs f with mdParser returning p.
func withParser(p parser.Parser, f func()) {
	saved := mdParser
	mdParser = func() parser.Parser { return p }
	defer func() { mdParser = saved }()
	f()
}

// gfmOutputs is every conversion of md that goes through the markdown
// parser: the goldmark path alone, FromMarkdown (fast path and goldmark
// chunks) and the storage variant, as JSON.
func gfmOutputs(t testing.TB, md string) [3][]byte {
	var out [3][]byte
	out[0], _ = fromMarkdownGoldmark(md).MarshalJSON()
	d, err := FromMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	out[1], _ = d.MarshalJSON()
	d, err = fromMarkdown(md, true)
	if err != nil {
		t.Fatal(err)
	}
	out[2], _ = d.MarshalJSON()
	return out
}

// checkSameGFM fails when our extensions and goldmark's convert md
// differently.
func checkSameGFM(t testing.TB, md string) {
	t.Helper()
	src := sanitizeMarkdown(md)
	if got, want := gfmTree(mdParser(), src), gfmTree(goldmarkGFMParser(), src); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-200)
		t.Fatalf("our GFM extensions build another tree than goldmark's for %q\nours:     …%s\ngoldmark: …%s",
			clip(md, 2000), clip(got[from:], 600), clip(want[from:], 600))
	}
	var want [3][]byte
	withParser(goldmarkGFMParser(), func() { want = gfmOutputs(t, md) })
	got := gfmOutputs(t, md)
	for k, name := range []string{"goldmark path", "FromMarkdown", "storage"} {
		if !bytes.Equal(got[k], want[k]) {
			g, w := got[k], want[k]
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			from := max(0, i-200)
			t.Fatalf("%s: our GFM extensions differ from goldmark's for %q\nours:     …%s\ngoldmark: …%s",
				name, clip(md, 2000), clip(string(g[from:]), 600), clip(string(w[from:]), 600))
		}
	}
}

// gfmTree parses src with p and writes the tree out: each node's kind,
// its lines or text segment, and the fields of the nodes our extensions
// build (alignments, checked state, autolink type and protocol).
func gfmTree(p parser.Parser, src []byte) string {
	root := p.Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
	var b strings.Builder
	depth := 0
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			depth--
			return ast.WalkContinue, nil
		}
		depth++
		fmt.Fprintf(&b, "%*s%s", depth, "", n.Kind())
		if n.Type() == ast.TypeBlock {
			for i := 0; i < n.Lines().Len(); i++ {
				seg := n.Lines().At(i)
				fmt.Fprintf(&b, " [%d:%d+%d]", seg.Start, seg.Stop, seg.Padding)
			}
		}
		switch x := n.(type) {
		case *ast.Text:
			fmt.Fprintf(&b, " %d:%d soft=%v hard=%v raw=%v", x.Segment.Start, x.Segment.Stop, x.SoftLineBreak(), x.HardLineBreak(), x.IsRaw())
		case *ast.AutoLink:
			fmt.Fprintf(&b, " type=%d proto=%q url=%q label=%q", x.AutoLinkType, x.Protocol, x.URL(src), x.Label(src))
		case *east.Table:
			fmt.Fprintf(&b, " %v", x.Alignments)
		case *east.TableRow:
			fmt.Fprintf(&b, " %v", x.Alignments)
		case *east.TableHeader:
			fmt.Fprintf(&b, " %v", x.Alignments)
		case *east.TableCell:
			fmt.Fprintf(&b, " %v", x.Alignment)
		case *east.TaskCheckBox:
			fmt.Fprintf(&b, " %v", x.IsChecked)
		}
		b.WriteByte('\n')
		return ast.WalkContinue, nil
	})
	return b.String()
}

// gfmSeeds are inputs at the corners of tables, strikethrough, task boxes
// and autolinks.
var gfmSeeds = []string{
	"| a | b |\n| - | :-: |\n| 1 | 2 |\n",
	"a | b\n--|--\n1 | 2 | 3\n4\n",
	"| a |\n|:--|\n",
	"| a | b |\n| --- |\n",
	"text\n| a |\n| - |\n| b |\n",
	"x\ny\n| a |\n| - |\n",
	"| a |\n    | - |\n",
	"| a |\n   | - |\n",
	"| a |\n\t| - |\n",
	"a\n:-\n",
	"a\n-:\n",
	"|\n|\n",
	"||\n||\n",
	"| a \\| b | `c \\| d` |\n| - | - |\n| `\\|` | \\\\| |\n",
	"| `a\\|b\\|c` |\n| - |\n| x `\\|` y `\\|` |\n",
	"| a |\n| - |\n| b \\|\n",
	"| a |\n|-|\n|\n",
	"| a | b |\n| - | - |\n| c |\n",
	"| a |\n| - \v|\n",
	"| a |\n|:-:|\n| *b* ~~c~~ |\n",
	"> | a |\n> | - |\n> | b |\n",
	"- | a |\n  | - |\n  | b |\n",
	"| a |\r\n| - |\r\n| b |\r\n",
	"| a |\n| - |\n\n| b |\n",
	"[x]: /u\n| a |\n| - |\n",
	"| <pre>x</pre> |\n| - |\n",
	"~a~ ~~b~~ ~~~c~~~ ~~d~ ~e~~\n",
	"a~~b~~c ~~ x ~~ ~~*y*~~ *~~z~~*\n",
	"~~a\n\nb~~\n",
	"\\~~a~~ ~~a\\~~\n",
	"- [ ] a\n- [x] b\n- [X] c\n",
	"- [x]\n- [ ]\tb\n- [x](u)\n- [x]y\n",
	"* [ ]  \n  a\n",
	"1. [x] a\n   - [ ] b\n",
	"- a [x] b\n- > [x] c\n",
	"- [\t] a\n- [\f] b\n- [\r] c\n",
	"see a.b@c.de, x@y.z. _u@v.w_ -m@n.o p@q.r- s@t.u_\n",
	"a+b@c.d e..f@g.h @i.j k@l m@n.o.p.q.r.s.t.u.v.w.x\n",
	strings.Repeat("a", 65) + "@b.c " + strings.Repeat("b", 64) + "@c.d x@" + strings.Repeat("c", 64) + ".e\n",
	"y@z." + strings.Repeat("d", 70) + " (q@r.s) ~t@u.v~ *w@x.y*\n",
	"https://x.com/a)b) (https://y.com/(a)) www.x.com/a&amp; www.x.com/a&b;\n",
	"https://x.com... www.x.com?! http://x.y:80/p, ftp://a.b/c:\n",
	"[https://x.com see] [a](https://x.com) https://x\n",
	"*www.x.com* _https://y.com_ ~https://z.com~ ~~www.a.bc~~\n",
	"www." + strings.Repeat("a", 300) + ".com https://" + strings.Repeat("b.", 200) + "c\n",
}

// gfmCorpus is every input the differential test converts: gfmSeeds, the
// fast path's seeds (markdown goldens, FromMarkdown and fast path fuzz
// seeds), this test's own fuzz seeds, the corpus pages' markdown and,
// when MDADF_CORPUS names it, the README corpus.
func gfmCorpus(tb testing.TB) []string {
	out := append(append([]string(nil), gfmSeeds...), fastSeeds(tb)...)
	out = append(out, fuzzSeeds(tb, "FuzzGFMMatchesGoldmark")...)
	pattern := []string{filepath.Join(corpusDir, "*.md")}
	if dir := os.Getenv("MDADF_CORPUS"); dir != "" {
		pattern = append(pattern, filepath.Join(dir, "*.md"))
	}
	for _, p := range pattern {
		files, _ := filepath.Glob(p)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, string(raw))
		}
	}
	return out
}

func TestGFMMatchesGoldmark(t *testing.T) {
	for _, md := range gfmCorpus(t) {
		checkSameGFM(t, md)
		checkSameGFM(t, crlf(md))
	}
}

func FuzzGFMMatchesGoldmark(f *testing.F) {
	for _, md := range gfmCorpus(f) {
		f.Add(md)
	}
	f.Fuzz(func(t *testing.T, md string) {
		checkSameGFM(t, md)
	})
}
