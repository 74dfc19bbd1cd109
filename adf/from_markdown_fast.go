package adf

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// The markdown fast path. Goldmark builds a full AST and is the slower half
// of FromMarkdown; most real documents are paragraphs, headings, lists,
// quotes and code with simple inline markup, which the fast path converts
// straight from the source. It never guesses: the block scanner
// (from_markdown_fast_block.go) splits the document into top-level blocks
// exactly as CommonMark does, each block the fast converter can convert
// with certainty is converted here (top-level GFM tables too, see
// from_markdown_fast_table.go), and every other block (tables in quotes
// and lists, HTML comments, <...> autolinks, task lists, nested
// brackets, ...) goes to goldmark with the unchanged converter. The
// output is identical to goldmark's path; FuzzFastMarkdown checks that.

// markdownBlocks converts sanitized markdown to blocks with the working
// memory sc (nil: its own), taking nodes from na (nil: a fresh
// allocator); documents built for storage (see mdConv.storage) go to
// goldmark whole.
func markdownBlocks(src []byte, storage bool, sc *mdScratch, na *nodeAlloc) []*Node {
	if storage {
		return goldmarkBlocks(src, nil, true, na)
	}
	return markdownBlocksWith(src, nil, sc, na)
}

// fastStats counts, for tests and benchmarks, the source bytes each path took.
type fastStats struct {
	fast, goldmark int
	whole          int // documents the fast path refused outright
}

// markdownBlocksStats is markdownBlocks for a document built for ADF,
// counting in st (when not nil) the bytes each path took.
func markdownBlocksStats(src []byte, st *fastStats) []*Node {
	return markdownBlocksWith(src, st, nil, nil)
}

func markdownBlocksWith(src []byte, st *fastStats, sc *mdScratch, na *nodeAlloc) []*Node {
	// CRLF documents are scanned and converted with "\r\n" read as "\n";
	// goldmark's line-ending rules (hard breaks, trailing space trimming,
	// blank lines) treat the two alike, and the blocks where a "\r" can
	// reach goldmark's output (see crSafe) go to goldmark with their
	// original bytes. A lone CR sends the document to goldmark whole.
	orig := src
	var crs []int // offsets in src of the "\n" of each "\r\n" line end
	ok := true
	if bytes.IndexByte(src, '\r') >= 0 {
		src, crs, ok = stripCRLF(src)
	}
	var root *fblock
	if ok {
		root, ok = scanBlocks(src, sc)
	}
	if na == nil {
		na = new(nodeAlloc)
	}
	if !ok {
		if st != nil {
			st.whole++
			st.goldmark += len(src)
		}
		return goldmarkBlocks(orig, nil, false, na)
	}
	// at maps an offset of src at the start of a line to orig.
	at := func(off int) int { return off + sort.SearchInts(crs, off) }
	f := sc.fastConv(src, na)
	kids := root.kids
	n := len(kids)
	end := func(i int) int {
		if i < n {
			return kids[i].start
		}
		return len(src)
	}
	details := detailsBlocks(src, kids)
	// Link reference definitions: every top-level block that may hold one
	// is parsed on its own first, so both paths see all of them, as in one
	// parse of the whole document. A paragraph of simple one-line
	// definitions is read here (fastDefinitions) and converts to nothing;
	// any other block goes to goldmark for its definitions.
	var pc parser.Context
	var defsOnly []bool // kids that hold definitions and nothing else
	var fastDefs []bool // those of them fastDefinitions read
	if f.refs {
		pc = parser.NewContext()
		defsOnly = make([]bool, n)
		fastDefs = make([]bool, n)
		for i := range kids {
			text := orig[at(kids[i].start):at(end(i+1))]
			if !bytes.Contains(text, []byte("]:")) {
				continue
			}
			if kids[i].kind == fkPara {
				if refs, ok := fastDefinitions(src, kids[i].lines); ok {
					defsOnly[i], fastDefs[i] = true, true
					for _, r := range refs {
						pc.AddReference(r)
					}
					continue
				}
			}
			ctx := parser.NewContext()
			doc := mdParser().Parse(textReader(text), parser.WithContext(ctx))
			// Definitions do not depend on other definitions: a block that
			// holds nothing else converts to nothing with any context.
			defsOnly[i] = true
			for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
				if c.Kind() != ast.KindLinkReferenceDefinition {
					defsOnly[i] = false
					break
				}
			}
			for _, r := range ctx.References() {
				pc.AddReference(r) // the first definition of a label wins
			}
		}
		f.pc = pc
	}
	conv := make([][]*Node, n)
	ok1 := make([]bool, n)
	for i, b := range kids {
		if details != nil && details[i] {
			continue
		}
		conv[i], ok1[i] = f.block(b, 0)
		if ok1[i] && crs != nil && !f.crSafe(b) {
			ok1[i] = false
		}
		if fastDefs != nil && fastDefs[i] {
			ok1[i] = true // definitions only: nothing to convert
		}
	}
	// A goldmark chunk starts and ends where a blank line separates
	// top-level blocks; blocks touching a goldmark block without a blank line
	// join its chunk.
	sep := func(i int) bool { return i == 0 || i == n || blankBefore(src, kids[i].start) }
	for changed := true; changed; {
		changed = false
		for i := 0; i < n; i++ {
			if ok1[i] {
				continue
			}
			if i > 0 && ok1[i-1] && !sep(i) {
				ok1[i-1], changed = false, true
			}
			if i+1 < n && ok1[i+1] && !sep(i+1) {
				ok1[i+1], changed = false, true
			}
		}
	}
	// The goldmark chunks; one of definitions only converts to nothing.
	type chunk struct {
		from, to int // kids[from:to]
		empty    bool
	}
	var chunks []chunk
	for i := 0; i < n; {
		if ok1[i] {
			i++
			continue
		}
		c := chunk{from: i, empty: defsOnly != nil}
		for i < n && !ok1[i] {
			c.empty = c.empty && defsOnly[i]
			i++
		}
		c.to = i
		chunks = append(chunks, c)
	}
	var out []*Node
	next := 0
	for i := 0; i < n; {
		if ok1[i] {
			out = append(out, conv[i]...)
			if st != nil {
				st.fast += end(i+1) - kids[i].start
			}
			i++
			continue
		}
		c := chunks[next]
		next++
		if !c.empty {
			out = append(out, goldmarkBlocks(orig[at(kids[c.from].start):at(end(c.to))], pc, false, f.mc.na)...)
		}
		if st != nil {
			st.goldmark += end(c.to) - kids[c.from].start
		}
		i = c.to
	}
	return out
}

// stripCRLF returns src with each "\r\n" made "\n" and the offsets (in
// the result) of those "\n"; ok is false when src holds a "\r" that ends
// no line that way (goldmark keeps a lone CR as text).
func stripCRLF(src []byte) (out []byte, crs []int, ok bool) {
	out = make([]byte, 0, len(src))
	for {
		k := bytes.IndexByte(src, '\r')
		if k < 0 {
			return append(out, src...), crs, true
		}
		if k+1 >= len(src) || src[k+1] != '\n' {
			return nil, nil, false
		}
		out = append(out, src[:k]...)
		crs = append(crs, len(out))
		src = src[k+1:]
	}
}

// crSafe reports whether a block the fast path converted reads the same
// in the CRLF original. Goldmark keeps a line's "\r" only in raw text:
// code block and HTML block lines, and inline constructs that span a line
// end (code spans, raw HTML, link titles and destinations); everywhere else
// "\r\n" ends a line as "\n" does. Blocks holding those go to goldmark.
func (f *fastConv) crSafe(b *fblock) bool {
	switch b.kind {
	case fkRule:
		return true
	case fkPara, fkHeading, fkSetext:
		return f.noSpans(b.lines, true)
	case fkQuote, fkList, fkItem:
		for _, k := range b.kids {
			if !f.crSafe(k) {
				return false
			}
		}
		return true
	}
	return false
}

// detailsBlocks marks the top-level blocks goldmark must convert for
// <details> (nil: none). A top-level HTML block opening one (detailsOpen)
// takes the blocks after it up to the HTML block that closes it as its
// body (mdConv.details): that run goes to goldmark as one chunk, and the
// fast path resumes after it. Any other block mentioning "<details" goes
// to goldmark too (a <details> inside a list or quote, or in an HTML
// block that does not open with it); an unclosed one takes the rest of
// the document.
func detailsBlocks(src []byte, kids []*fblock) []bool {
	k := indexFold(src, "<details")
	if k < 0 {
		return nil
	}
	n := len(kids)
	end := func(i int) int {
		if i+1 < n {
			return kids[i+1].start
		}
		return len(src)
	}
	marks := make([]bool, n)
	for i := 0; i < n; i++ {
		if k < kids[i].start || k >= end(i) {
			continue // no "<details" in this block
		}
		last := i
		if kids[i].kind == fkHTML {
			if _, rest, ok := detailsOpen(joinLines(src, kids[i].lines)); ok {
				var closed bool
				if last, closed = detailsLast(src, kids, i, rest); !closed {
					last = n - 1
				}
			}
		}
		for ; i <= last; i++ {
			marks[i] = true
		}
		i = last
		if k = indexFold(src[end(last):], "<details"); k < 0 {
			break
		}
		k += end(last)
	}
	return marks
}

// detailsLast is the index of the top-level block that closes the
// <details> opened by HTML block kids[i] (rest: its text after the
// summary), following mdConv.details: the block itself when it holds the
// matching </details>, else the next HTML block where the count of
// <details> and </details> tags drops to zero, a nested top-level
// <details> taking its own blocks. closed is false when none does.
func detailsLast(src []byte, kids []*fblock, i int, rest string) (last int, closed bool) {
	if _, ok := closeInBlock(rest); ok {
		return i, true
	}
	level := 1
	for j := i + 1; j < len(kids); j++ {
		if kids[j].kind != fkHTML {
			continue
		}
		s := joinLines(src, kids[j].lines)
		level = detailsLevel(level, s)
		if level <= 0 {
			return j, true
		}
		if level == 2 {
			if _, r, ok := detailsOpen(s); ok {
				if j, ok = detailsLast(src, kids, j, r); !ok {
					return 0, false
				}
				level = 1
			}
		}
	}
	return 0, false
}

// noSpans reports whether no inline construct that may span a line end
// (raw HTML, a link destination or title, and a code span when code)
// starts before the last of lines.
func (f *fastConv) noSpans(lines []fseg, code bool) bool {
	for _, l := range lines[:max(0, len(lines)-1)] {
		line := f.src[l.start:l.end]
		if code && bytes.IndexByte(line, '`') >= 0 || bytes.IndexByte(line, '<') >= 0 {
			return false
		}
		if k := bytes.LastIndex(line, []byte("](")); k >= 0 && bytes.IndexByte(line[k:], ')') < 0 {
			return false
		}
	}
	return true
}

// indexFold is the index of the first ASCII case-insensitive match of tag
// (which starts with "<") in s, or -1.
func indexFold(s []byte, tag string) int {
	for i := 0; ; {
		k := bytes.IndexByte(s[i:], '<')
		if k < 0 {
			return -1
		}
		i += k
		if i+len(tag) <= len(s) && strings.EqualFold(string(s[i:i+len(tag)]), tag) {
			return i
		}
		i++
	}
}

// blankBefore reports whether the line before offset is blank.
func blankBefore(src []byte, off int) bool {
	if off == 0 {
		return true
	}
	prev := src[:off-1]
	if k := bytes.LastIndexByte(prev, '\n'); k >= 0 {
		prev = prev[k+1:]
	}
	return len(bytes.Trim(prev, " \t")) == 0
}

func textReader(src []byte) text.Reader { return text.NewReader(src) }

// goldmarkBlocks converts src with goldmark and the AST converter; pc,
// when not nil, holds link reference definitions from the rest of the
// document (each call gets its own copy); na, when not nil, is the
// document's node allocator.
func goldmarkBlocks(src []byte, pc parser.Context, storage bool, na *nodeAlloc) []*Node {
	ctx := parser.NewContext()
	if pc != nil {
		for _, r := range pc.References() {
			ctx.AddReference(r)
		}
	}
	root := mdParser().Parse(text.NewReader(src), parser.WithContext(ctx))
	c := &mdConv{src: src, storage: storage, na: na}
	return c.blocks(root, 0)
}

// fastConv converts fast-path blocks.
type fastConv struct {
	src    []byte
	refs   bool           // the document may define link references
	pc     parser.Context // its definitions (when refs)
	mc     mdConv
	buf    []byte
	toks   []ftok
	open   []int       // the tokenizer's open brackets
	frames []emitFrame // emit's stack
	stack  []*Node     // gather's blocks
	// tickPipes is set while a table cell holding "\|" after a backtick
	// is converted: its code spans drop the backslash of each "\|", as
	// tablePipes cuts it on goldmark's path.
	tickPipes bool
}

func (f *fastConv) block(b *fblock, depth int) ([]*Node, bool) {
	switch b.kind {
	case fkPara:
		if f.mayBeDefinition(b) {
			return nil, false
		}
		if paraMayBeTable(f.src, b) {
			if depth > 0 {
				return nil, false // tables in quotes and lists go to goldmark
			}
			return f.paraTable(b)
		}
		return f.paragraph(b.lines)
	case fkHeading, fkSetext:
		if b.kind == fkSetext && f.mayBeDefinition(b) {
			return nil, false
		}
		runs, ok := f.inline(b.lines, false)
		if !ok {
			return nil, false
		}
		h := f.mc.node()
		h.Type, h.Attrs, h.Content = "heading", f.mc.headingAttrs(b.level), trimBreaks(runs)
		return f.mc.one(h), true
	case fkRule:
		r := f.mc.node()
		r.Type = "rule"
		return f.mc.one(r), true
	case fkFence:
		if b.odd {
			return nil, false
		}
		return f.mc.one(f.fence(b)), true
	case fkHTML:
		if b.odd {
			return nil, false
		}
		return f.mc.one(rawParagraph(joinLines(f.src, b.lines))), true
	case fkQuote:
		kids := b.kids
		var panel *Node
		var pre []*Node
		if len(kids) > 0 && kids[0].kind == fkPara && len(kids[0].lines) > 0 {
			p := kids[0]
			l := p.lines[0]
			if bytes.Contains(f.src[l.start:l.end], []byte("[!")) {
				pt, ok := f.alert(p)
				if !ok {
					return nil, false // an alert the fast path leaves to goldmark
				}
				panel = f.mc.node()
				panel.Type, panel.Attrs = "panel", map[string]any{"panelType": pt}
				if len(p.lines) > 1 {
					runs, ok := f.inline(p.lines[1:], true)
					if !ok {
						return nil, false
					}
					pre = f.mc.paragraphBlocks(runs)
				}
				kids = kids[1:]
			}
		}
		out, ok := f.gather(pre, kids, depth+1)
		if !ok {
			return nil, false
		}
		if panel != nil {
			panel.Content = f.mc.fit("panel", out)
			return f.mc.one(panel), true
		}
		q := f.mc.node()
		q.Type, q.Content = "blockquote", f.mc.fit("blockquote", out)
		return f.mc.one(q), true
	case fkList:
		list := f.mc.node()
		if b.ordered {
			list.Type = "orderedList"
			if b.startNum != 1 {
				list.Attrs = map[string]any{"order": b.startNum}
			}
		} else {
			list.Type = "bulletList"
		}
		if len(b.kids) > 0 {
			list.Content = f.mc.nodes(len(b.kids))
		}
		for _, it := range b.kids {
			if f.mayBeTask(it) {
				return nil, false
			}
			content, ok := f.gather(nil, it.kids, depth+2)
			if !ok {
				return nil, false
			}
			li := f.mc.node()
			li.Type, li.Content = "listItem", f.mc.fit("listItem", content)
			list.Content = append(list.Content, li)
		}
		return f.mc.one(list), true
	}
	return nil, false
}

// paragraph converts the lines of a paragraph.
func (f *fastConv) paragraph(lines []fseg) ([]*Node, bool) {
	runs, ok := f.inline(lines, true)
	if !ok {
		return nil, false
	}
	return f.mc.paragraphBlocks(runs), true
}

// gather converts kids and returns pre and their blocks in one node slice
// from the allocator (nil for none), collected on f.stack, which nested
// calls share above their own base.
func (f *fastConv) gather(pre []*Node, kids []*fblock, depth int) ([]*Node, bool) {
	base := len(f.stack)
	f.stack = append(f.stack, pre...)
	for _, k := range kids {
		blocks, ok := f.block(k, depth)
		if !ok {
			f.stack = f.stack[:base]
			return nil, false
		}
		f.stack = append(f.stack, blocks...)
	}
	var out []*Node
	if n := len(f.stack) - base; n > 0 {
		out = append(f.mc.nodes(n), f.stack[base:]...)
	}
	f.stack = f.stack[:base]
	return out, true
}

// fence converts a fenced code block.
func (f *fastConv) fence(b *fblock) *Node {
	cb := f.mc.node()
	cb.Type = "codeBlock"
	if b.info.end > b.info.start {
		info := f.src[b.info.start:b.info.end]
		if i := bytes.IndexByte(info, ' '); i >= 0 {
			info = info[:i] // goldmark's Language: up to the first space only ("\f 0" has none)
		}
		if lang, ok := firstField(info); ok {
			cb.Attrs = f.mc.languageAttrs(lang)
		}
	}
	if s := strings.TrimSuffix(joinLines(f.src, b.lines), "\n"); s != "" {
		cb.Content = f.mc.one(f.mc.textNode(s, nil))
	}
	return cb
}

// firstField is the first of strings.Fields(string(s)), reporting whether
// there is one, without splitting the rest.
func firstField(s []byte) ([]byte, bool) {
	i := 0
	for i < len(s) && asciiSpace[s[i]] {
		i++
	}
	st := i
	for i < len(s) && !asciiSpace[s[i]] {
		if s[i] >= utf8.RuneSelf { // Unicode spaces separate fields too
			fs := strings.Fields(string(s))
			if len(fs) == 0 {
				return nil, false
			}
			return []byte(fs[0]), true
		}
		i++
	}
	return s[st:i], i > st
}

// asciiSpace holds the ASCII bytes unicode.IsSpace accepts.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// mayBeDefinition reports whether a paragraph may start with a link
// reference definition.
func (f *fastConv) mayBeDefinition(b *fblock) bool {
	if len(b.lines) == 0 {
		return false
	}
	first := bytes.TrimLeft(f.src[b.lines[0].start:b.lines[0].end], " \t")
	if len(first) == 0 || first[0] != '[' {
		return false
	}
	for _, l := range b.lines {
		if bytes.Contains(f.src[l.start:l.end], []byte("]:")) {
			return true
		}
	}
	// A label holds no unescaped bracket: a first line where one follows
	// the "[" (a badge's "[![", or "]" without ":") starts no definition.
	for i := 1; i < len(first); i++ {
		switch first[i] {
		case '\\':
			i++
		case '[', ']':
			return false
		}
	}
	return len(b.lines) > 1 // a label may span lines; do not guess
}

// mayBeTask reports whether a list item may start with a task checkbox.
func (f *fastConv) mayBeTask(it *fblock) bool {
	if len(it.kids) == 0 || it.kids[0].kind != fkPara || len(it.kids[0].lines) == 0 {
		return false
	}
	l := it.kids[0].lines[0]
	line := bytes.TrimLeft(f.src[l.start:l.end], " \t")
	if len(line) < 3 || line[0] != '[' {
		return false
	}
	k := bytes.IndexByte(line, ']')
	return k < 0 || len(bytes.Trim(line[1:k], " \txX\t\n")) == 0
}

// joinLines concatenates line segments into one string, copying once.
func joinLines(src []byte, lines []fseg) string {
	if len(lines) == 0 {
		return ""
	}
	contiguous := true
	n := 0
	for i, l := range lines {
		n += l.end - l.start
		if i > 0 && lines[i-1].end != l.start {
			contiguous = false
		}
	}
	if contiguous {
		return string(src[lines[0].start:lines[len(lines)-1].end])
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range lines {
		b.Write(src[l.start:l.end])
	}
	return b.String()
}

// alert returns the panel type of a quote whose first paragraph p opens
// with a GitHub alert line ("[!NOTE]" alone on it), as the goldmark path
// reads it (alertRe, alertPanels). ok is false for an unknown name and
// whenever the rest of the paragraph might read differently without its
// first line: a table or definition, a continuation line starting with
// "[" or "(" (a bracket that could follow the alert's "]"), a lazy line.
func (f *fastConv) alert(p *fblock) (string, bool) {
	l := p.lines[0]
	m := alertRe().FindSubmatch(f.src[l.start:l.end])
	if m == nil || p.lazy || paraMayBeTable(f.src, p) || f.mayBeDefinition(p) {
		return "", false
	}
	pt, ok := alertPanels[strings.ToUpper(string(m[1]))]
	if !ok {
		return "", false
	}
	if len(p.lines) > 1 {
		next := bytes.TrimLeft(f.src[p.lines[1].start:p.lines[1].end], " \t")
		if len(next) > 0 && (next[0] == '[' || next[0] == '(') {
			return "", false
		}
	}
	return pt, true
}
