package adf

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// FromMarkdown converts markdown (CommonMark with GitHub's extensions:
// tables, strikethrough, task lists, autolinks) to an ADF document that is
// valid against the official ADF schema. See the package documentation for
// the extension syntaxes (mentions, status, dates, emoji, alerts, details).
//
// Invalid UTF-8 and NUL bytes are replaced by U+FFFD. Container nesting
// deeper than the limits is flattened (text is kept). Inputs larger than
// MaxInputSize return ErrTooLarge.
func FromMarkdown(md string) (*Doc, error) {
	return fromMarkdown(md, false)
}

// fromMarkdown is FromMarkdown; with storage set it builds the document for
// ToStorage rather than for the ADF schema (see mdConv.storage).
func fromMarkdown(md string, storage bool) (*Doc, error) {
	if len(md) > MaxInputSize {
		return nil, ErrTooLarge
	}
	sc := getScratch()
	doc := convertMarkdown(sanitizeMarkdown(md), storage, sc, nil)
	putScratch(sc)
	return doc, nil
}

// convertMarkdown converts sanitized markdown with the working memory sc
// (nil: its own) and takes nodes from na (nil: a fresh allocator).
func convertMarkdown(src []byte, storage bool, sc *mdScratch, na *nodeAlloc) *Doc {
	c := &mdConv{src: src, storage: storage, na: na}
	doc := NewDoc(c.fit("doc", markdownBlocks(src, storage, sc, na))...)
	assignTaskIDs(doc.Content, new(int))
	return doc
}

// assignTaskIDs gives task lists and items deterministic localIds derived
// from their order in the final document and their text, so the same
// document always gets the same ids.
func assignTaskIDs(nodes []*Node, ordinal *int) {
	for _, n := range nodes {
		switch n.Type {
		case "taskList", "taskItem":
			*ordinal++
			text := ""
			if n.Type == "taskItem" {
				text = plainText(n.Content)
			}
			n.SetAttr("localId", localID(n.Type, *ordinal, text))
		}
		if len(n.Content) > 0 && !inlineTypes[n.Type] {
			assignTaskIDs(n.Content, ordinal)
		}
	}
}

// maxMarkdownNesting caps the container markers honoured on one line and the
// depth of nested markdown containers (each adds two ADF levels).
const maxMarkdownNesting = 40

// codeParamsAttr is the codeBlock attribute that carries a code macro's
// parameters (other than the language) from markdown to ToStorage. Only
// documents built for storage have it; ADF has no such attribute.
const codeParamsAttr = "x-storage-params"

type mdConv struct {
	src []byte
	// storage builds the document for ToStorage, not for the ADF schema:
	// storage format holds what ADF cannot (an alert or a table in a quote
	// or panel, an image inside a paragraph, code macro parameters), and
	// markdown -> storage must not lose it on the way through ADF.
	storage bool
	skipBox bool // the next task checkbox belongs to the taskItem being built
	ic      inlineConv
	na      *nodeAlloc // shared by the converters of one document
}

// nodeAlloc hands out the nodes of one document: Nodes from a slab and
// small node slices from a shared backing array, one allocation for many
// (a converted document's nodes live and die together). A recycling
// allocator (AppendMarkdownJSON's, whose nodes never leave the call) keeps
// its chunks and hands them out again after reset.
type nodeAlloc struct {
	slab []Node
	ptrs []*Node

	recycle  bool
	slabs    [][]Node // every node chunk handed out (recycle only)
	ptrSlabs [][]*Node
	nSlabs   int // chunks of slabs in use since the last reset
	nPtrs    int
	langs    map[string]map[string]any // see languageAttrs
	mem      transientMem              // text, link attrs and marks (recycle only)
}

// Chunk sizes of a recycling allocator: its chunks outlive a document, so
// they start at full size.
const (
	nodeChunk = 128
	ptrChunk  = 1024
)

// node returns a new zero Node.
func (c *mdConv) node() *Node {
	if c.na == nil {
		c.na = new(nodeAlloc)
	}
	na := c.na
	if len(na.slab) == cap(na.slab) {
		na.nextSlab()
	}
	na.slab = na.slab[:len(na.slab)+1]
	return &na.slab[len(na.slab)-1]
}

// nextSlab makes na.slab an empty chunk of zero nodes.
func (na *nodeAlloc) nextSlab() {
	if !na.recycle {
		na.slab = make([]Node, 0, min(2*cap(na.slab)+8, nodeChunk))
		return
	}
	if na.nSlabs == len(na.slabs) {
		na.slabs = append(na.slabs, make([]Node, nodeChunk))
	}
	na.slab = na.slabs[na.nSlabs][:0]
	na.nSlabs++
}

// nextPtrs makes na.ptrs an empty backing array with room for n (at most
// 64) pointers.
func (na *nodeAlloc) nextPtrs(n int) {
	if !na.recycle {
		na.ptrs = make([]*Node, 0, max(n, min(2*cap(na.ptrs)+32, ptrChunk)))
		return
	}
	if na.nPtrs == len(na.ptrSlabs) {
		na.ptrSlabs = append(na.ptrSlabs, make([]*Node, ptrChunk))
	}
	na.ptrs = na.ptrSlabs[na.nPtrs][:0]
	na.nPtrs++
}

// reset zeroes what a recycling allocator handed out since the last reset
// and makes its chunks available again; it drops chunks beyond keep, so a
// huge document does not pin its memory.
func (na *nodeAlloc) reset(keep int) {
	// The chunk in use is cleared as far as it was used.
	for i, s := range na.slabs[:na.nSlabs] {
		if i == na.nSlabs-1 {
			s = s[:len(na.slab)]
		}
		clear(s)
	}
	for i, p := range na.ptrSlabs[:na.nPtrs] {
		if i == na.nPtrs-1 {
			p = p[:len(na.ptrs)]
		}
		clear(p)
	}
	if len(na.slabs) > keep {
		clear(na.slabs[keep:])
		na.slabs = na.slabs[:keep]
	}
	if k := keep / 8; len(na.ptrSlabs) > k {
		clear(na.ptrSlabs[k:])
		na.ptrSlabs = na.ptrSlabs[:k]
	}
	na.slab, na.ptrs, na.nSlabs, na.nPtrs = nil, nil, 0, 0
	na.mem.reset()
}

// one returns a node slice holding n alone.
func (c *mdConv) one(n *Node) []*Node { return append(c.nodes(1), n) }

// transient reports whether the document's nodes never leave the
// conversion (AppendMarkdownJSON encodes them and drops them), so nodes
// may share read-only attribute maps.
func (c *mdConv) transient() bool { return c.na != nil && c.na.recycle }

// headingLevels are the shared attrs of headings of a transient document.
var headingLevels = func() (m [7]map[string]any) {
	for i := range m {
		m[i] = map[string]any{"level": i}
	}
	return m
}()

// headingAttrs returns the attrs of a heading of the given level.
func (c *mdConv) headingAttrs(level int) map[string]any {
	if level >= 1 && level <= 6 && c.transient() {
		return headingLevels[level]
	}
	return map[string]any{"level": level}
}

// codeOnly is the shared marks of code in a transient document.
var codeOnly = []Mark{{Type: "code"}}

// codeMarks returns the marks of a code span inside marks: code, and the
// link marks has.
func (c *mdConv) codeMarks(marks []Mark) []Mark {
	links := 0
	for _, m := range marks {
		if m.Type == "link" {
			links++
		}
	}
	if links == 0 && c.transient() {
		return codeOnly[:1:1]
	}
	cm := make([]Mark, 1, 1+links)
	cm[0] = Mark{Type: "code"}
	for _, m := range marks {
		if m.Type == "link" {
			cm = append(cm, m)
		}
	}
	return sortMarks(cm)
}

// maxLanguages bounds the language attrs a recycling allocator keeps.
const maxLanguages = 32

// languageAttrs returns the attrs of a code block whose info string starts
// with lang (escapes and entities unresolved). A transient document's
// code blocks of one language share a map, kept by the allocator.
func (c *mdConv) languageAttrs(lang []byte) map[string]any {
	if !c.transient() {
		return map[string]any{"language": unescapeText(string(lang))}
	}
	na := c.na
	if m, ok := na.langs[string(lang)]; ok {
		return m
	}
	m := map[string]any{"language": unescapeText(string(lang))}
	if na.langs == nil || len(na.langs) >= maxLanguages {
		na.langs = make(map[string]map[string]any)
	}
	na.langs[string(lang)] = m
	return m
}

// textNode returns a new text node.
func (c *mdConv) textNode(s string, marks []Mark) *Node {
	n := c.node()
	n.Type, n.Text, n.Marks = "text", s, marks
	return n
}

// nodes returns an empty node slice with room for n, carved from a shared
// backing array when n is small (its capacity is exactly n, so an append
// past it copies rather than overwrites a neighbour).
func (c *mdConv) nodes(n int) []*Node {
	if n > 64 {
		return make([]*Node, 0, n)
	}
	if c.na == nil {
		c.na = new(nodeAlloc)
	}
	na := c.na
	if cap(na.ptrs)-len(na.ptrs) < n {
		na.nextPtrs(n)
	}
	k := len(na.ptrs)
	na.ptrs = na.ptrs[:k+n]
	return na.ptrs[k : k : k+n]
}

// ---- blocks ----

func (c *mdConv) blocks(parent ast.Node, depth int) []*Node {
	var out []*Node
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		if hb, ok := n.(*ast.HTMLBlock); ok {
			if title, rest, ok := detailsOpen(c.htmlBlockText(hb)); ok {
				exp, next := c.details(hb, title, rest, depth)
				out = append(out, exp)
				if next == nil {
					break
				}
				n = next
				continue
			}
		}
		out = append(out, c.block(n, depth)...)
	}
	return out
}

func (c *mdConv) block(n ast.Node, depth int) []*Node {
	switch b := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		return c.paragraph(b)
	case *ast.Heading:
		h := &Node{Type: "heading", Attrs: map[string]any{"level": b.Level}, Content: c.inlineOnly(b)}
		return []*Node{h}
	case *ast.ThematicBreak:
		return []*Node{{Type: "rule"}}
	case *ast.FencedCodeBlock:
		lang := string(b.Language(c.src))
		var params [][2]string
		if c.storage && b.Info != nil {
			// The code macro's other parameters travel in the info string.
			lang, params = splitCodeInfo(string(b.Info.Segment.Value(c.src)))
		}
		cb := c.codeBlock(b, lang)
		if len(params) > 0 {
			for i := range params {
				params[i][1] = unescapeText(params[i][1])
			}
			cb.SetAttr(codeParamsAttr, params)
		}
		return []*Node{cb}
	case *ast.CodeBlock:
		return []*Node{c.codeBlock(b, "")}
	case *ast.Blockquote:
		if depth >= maxMarkdownNesting {
			return c.blocks(b, depth)
		}
		return []*Node{c.blockquote(b, depth)}
	case *ast.List:
		if depth >= maxMarkdownNesting {
			var out []*Node
			for it := b.FirstChild(); it != nil; it = it.NextSibling() {
				out = append(out, c.blocks(it, depth)...)
			}
			return out
		}
		return []*Node{c.list(b, depth)}
	case *ast.HTMLBlock:
		return []*Node{rawParagraph(c.htmlBlockText(b))}
	case *east.Table:
		return []*Node{c.table(b)}
	case *ast.Document:
		return c.blocks(b, depth)
	case *ast.LinkReferenceDefinition:
		return nil // goldmark keeps definitions in the tree; they show nothing
	}
	// Anything else (future goldmark nodes) keeps its text.
	if n.Type() == ast.TypeBlock {
		if n.HasChildren() {
			return c.blocks(n, depth)
		}
		return []*Node{rawParagraph(string(n.Lines().Value(c.src)))}
	}
	return nil
}

func (c *mdConv) codeBlock(n ast.Node, lang string) *Node {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(c.src))
	}
	code := strings.TrimSuffix(b.String(), "\n")
	cb := &Node{Type: "codeBlock"}
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	} else {
		lang = ""
	}
	if lang != "" {
		cb.Attrs = map[string]any{"language": unescapeText(lang)}
	}
	if code != "" {
		cb.Content = []*Node{{Type: "text", Text: code}}
	}
	return cb
}

// rawParagraph keeps raw text (HTML the converter does not understand) as a
// paragraph, one line per hard break.
func rawParagraph(s string) *Node {
	s = strings.TrimRight(s, "\n")
	p := &Node{Type: "paragraph", Content: []*Node{}}
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			p.Content = append(p.Content, &Node{Type: "hardBreak"})
		}
		if line != "" {
			p.Content = append(p.Content, &Node{Type: "text", Text: line})
		}
	}
	p.Content = trimBreaks(normalizeInline(p.Content))
	return p
}

func (c *mdConv) htmlBlockText(hb *ast.HTMLBlock) string {
	var b strings.Builder
	lines := hb.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(c.src))
	}
	if hb.HasClosure() {
		b.Write(hb.ClosureLine.Value(c.src))
	}
	return b.String()
}

var (
	detailsOpenRe  = lazyRegexp(`(?is)^\s*<details(?:\s[^>]*)?>\s*(?:<summary(?:\s[^>]*)?>(.*?)</summary>)?`)
	detailsCloseRe = lazyRegexp(`(?i)</details\s*>`)
	detailsAnyRe   = lazyRegexp(`(?i)<details(?:\s[^>]*)?>|</details\s*>`)
)

// detailsOpen recognises an HTML block that opens <details>, returning the
// summary title and whatever follows the summary in the same block.
func detailsOpen(s string) (title, rest string, ok bool) {
	m := detailsOpenRe().FindStringSubmatchIndex(s)
	if m == nil {
		return "", "", false
	}
	if m[2] >= 0 {
		title = strings.Join(strings.Fields(unescapeHTML(stripTags(s[m[2]:m[3]]))), " ")
	}
	return title, s[m[1]:], true
}

var tagRe = lazyRegexp(`<[^>]*>`)

func stripTags(s string) string { return tagRe().ReplaceAllString(s, "") }

// details builds an expand from a <details> HTML block. The body is either
// inside the same block (parsed as markdown) or the sibling blocks up to the
// HTML block holding the matching </details>. It returns the last node
// consumed (nil when the parent's children are exhausted).
func (c *mdConv) details(open *ast.HTMLBlock, title, rest string, depth int) (*Node, ast.Node) {
	exp := &Node{Type: "expand", Attrs: map[string]any{"title": title}}
	// Whole element in one block?
	if body, ok := closeInBlock(rest); ok {
		exp.Content = c.subMarkdown(body, depth+1)
		return exp, open
	}
	var content []*Node
	if strings.TrimSpace(rest) != "" {
		content = append(content, c.subMarkdown(rest, depth+1)...)
	}
	level := 1
	n := open.NextSibling()
	for ; n != nil; n = n.NextSibling() {
		if hb, ok := n.(*ast.HTMLBlock); ok {
			s := c.htmlBlockText(hb)
			level = detailsLevel(level, s)
			if level <= 0 {
				idx := detailsCloseRe().FindAllStringIndex(s, -1)
				before := s[:idx[len(idx)-1][0]]
				if strings.TrimSpace(before) != "" {
					content = append(content, c.subMarkdown(before, depth+1)...)
				}
				exp.Content = content
				return exp, n
			}
			if level == 2 {
				if t, r, ok := detailsOpen(s); ok {
					inner, last := c.details(hb, t, r, depth+1)
					content = append(content, inner)
					level = 1
					if last == nil {
						n = nil
						break
					}
					n = last
					continue
				}
			}
		}
		content = append(content, c.block(n, depth+1)...)
	}
	// Unclosed <details>: everything to the end of the container is the body.
	exp.Content = content
	return exp, nil
}

// detailsLevel is how deep in <details> elements the end of s is, for an
// HTML block s that starts level deep: each opening tag in it goes one
// deeper, each closing tag one out.
func detailsLevel(level int, s string) int {
	for _, m := range detailsAnyRe().FindAllString(s, -1) {
		if strings.HasPrefix(m, "</") {
			level--
		} else {
			level++
		}
	}
	return level
}

// closeInBlock finds the </details> that closes an element opened in the same
// HTML block, returning the body before it.
func closeInBlock(rest string) (string, bool) {
	level := 1
	for _, m := range detailsAnyRe().FindAllStringIndex(rest, -1) {
		if strings.HasPrefix(rest[m[0]:m[1]], "</") {
			level--
		} else {
			level++
		}
		if level == 0 {
			return rest[:m[0]], true
		}
	}
	return "", false
}

// subMarkdown parses a fragment (the body of a single-block <details>).
func (c *mdConv) subMarkdown(s string, depth int) []*Node {
	if depth >= maxMarkdownNesting {
		return []*Node{rawParagraph(s)}
	}
	src := []byte(s)
	root := mdParser().Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
	sub := &mdConv{src: src, storage: c.storage, na: c.na}
	out := sub.blocks(root, depth)
	return out
}

var alertRe = lazyRegexp(`^\s*\[!([A-Za-z]+)\]\s*$`)

// alertPanels maps GitHub alert names (and a few ADF-only names) to panel types.
var alertPanels = map[string]string{
	"NOTE": "info", "INFO": "info", "TIP": "tip", "IMPORTANT": "note", "WARNING": "warning",
	"CAUTION": "error", "ERROR": "error", "SUCCESS": "success", "CUSTOM": "custom",
}

func (c *mdConv) blockquote(b *ast.Blockquote, depth int) *Node {
	if p, ok := b.FirstChild().(*ast.Paragraph); ok && p.Lines().Len() > 0 {
		first := p.Lines().At(0)
		if m := alertRe().FindSubmatch(first.Value(c.src)); m != nil {
			if pt, ok := alertPanels[strings.ToUpper(string(m[1]))]; ok {
				var content []*Node
				if p.Lines().Len() > 1 {
					content = append(content, c.paragraphFrom(p, first.Stop)...)
				}
				content = append(content, c.blocksAfter(p, depth+1)...)
				return &Node{Type: "panel", Attrs: map[string]any{"panelType": pt}, Content: c.fit("panel", content)}
			}
		}
	}
	return &Node{Type: "blockquote", Content: c.fit("blockquote", c.blocks(b, depth+1))}
}

// blocksAfter converts the siblings following n (with <details> support).
func (c *mdConv) blocksAfter(n ast.Node, depth int) []*Node {
	var out []*Node
	for s := n.NextSibling(); s != nil; s = s.NextSibling() {
		if hb, ok := s.(*ast.HTMLBlock); ok {
			if title, rest, ok := detailsOpen(c.htmlBlockText(hb)); ok {
				exp, next := c.details(hb, title, rest, depth)
				out = append(out, exp)
				if next == nil {
					break
				}
				s = next
				continue
			}
		}
		out = append(out, c.block(s, depth)...)
	}
	return out
}

func taskBox(item ast.Node) (*east.TaskCheckBox, bool) {
	first := item.FirstChild()
	if first == nil {
		return nil, false
	}
	if _, ok := first.(*ast.Paragraph); !ok {
		if _, ok := first.(*ast.TextBlock); !ok {
			return nil, false
		}
	}
	cb, ok := first.FirstChild().(*east.TaskCheckBox)
	return cb, ok
}

func (c *mdConv) list(l *ast.List, depth int) *Node {
	allTasks := l.FirstChild() != nil
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		if _, ok := taskBox(it); !ok {
			allTasks = false
			break
		}
	}
	if allTasks {
		return c.taskList(l, depth)
	}
	var list *Node
	if l.IsOrdered() {
		list = &Node{Type: "orderedList"}
		if l.Start != 1 {
			list.Attrs = map[string]any{"order": l.Start}
		}
	} else {
		list = &Node{Type: "bulletList"}
	}
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		content := c.blocks(it, depth+2)
		list.Content = append(list.Content, &Node{Type: "listItem", Content: c.fit("listItem", content)})
	}
	return list
}

func (c *mdConv) taskList(l *ast.List, depth int) *Node {
	tl := &Node{Type: "taskList", Attrs: map[string]any{"localId": ""}}
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		cb, _ := taskBox(it)
		state := "TODO"
		if cb.IsChecked {
			state = "DONE"
		}
		var inl []*Node
		var nested []*Node
		c.skipBox = true
		for b := it.FirstChild(); b != nil; b = b.NextSibling() {
			if l2, ok := b.(*ast.List); ok && depth+2 < maxMarkdownNesting {
				sub := c.list(l2, depth+2)
				if sub.Type == "taskList" {
					nested = append(nested, sub)
					continue
				}
				for _, li := range sub.Content {
					inl = appendLine(inl, append([]*Node{{Type: "text", Text: "- "}}, inlineText(li)...))
				}
				continue
			}
			for _, blk := range c.block(b, depth+2) {
				inl = appendLine(inl, inlineText(blk))
			}
			c.skipBox = false
		}
		c.skipBox = false
		item := &Node{Type: "taskItem", Attrs: map[string]any{
			"localId": "",
			"state":   state,
		}, Content: normalizeInline(inl)}
		tl.Content = append(tl.Content, item)
		tl.Content = append(tl.Content, nested...)
	}
	return tl
}

// appendLine appends inline content as a new line (after a hard break).
func appendLine(dst, line []*Node) []*Node {
	if len(line) == 0 {
		return dst
	}
	if len(dst) > 0 {
		dst = append(dst, &Node{Type: "hardBreak"})
	}
	return append(dst, line...)
}

// table converts a GFM table (see gfm_table.go for the nodes it builds).
func (c *mdConv) table(t *east.Table) *Node {
	var rows []*Node
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, header := r.(*east.TableHeader)
		cells := c.nodes(r.ChildCount())
		blank := true
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			content, ok := c.cellWithCode(cell)
			if !ok {
				content = c.paragraph(cell)
			}
			blank = blank && blankCell(content)
			cells = append(cells, c.cellNode(header, content))
		}
		if keepRow(header, blank, r.NextSibling() != nil, len(cells)) {
			rows = append(rows, c.rowNode(cells))
		}
	}
	return c.tableNode(rows)
}

// cellWithCode converts a table cell that holds code blocks in cellCode's
// form (<pre lang="x">line<br>line</pre>): the code becomes code blocks,
// the text around them paragraphs. ok is false for any other cell.
func (c *mdConv) cellWithCode(cell ast.Node) ([]*Node, bool) {
	lines := cell.Lines()
	if lines.Len() != 1 {
		return nil, false
	}
	seg := lines.At(0)
	if !bytes.Contains(seg.Value(c.src), []byte("<pre")) {
		return nil, false
	}
	raw := string(seg.Value(c.src))
	locs := cellCodeRe().FindAllStringSubmatchIndex(raw, -1)
	if locs == nil {
		return nil, false
	}
	var out []*Node
	text := func(s string) {
		s = strings.TrimSpace(strings.ReplaceAll(s, `\|`, "|"))
		for strings.HasPrefix(s, "<br>") || strings.HasSuffix(s, "<br>") {
			s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "<br>"), "<br>"))
		}
		if s != "" {
			out = append(out, c.subMarkdown(s, maxMarkdownNesting-1)...)
		}
	}
	prev := 0
	for _, m := range locs {
		text(raw[prev:m[0]])
		var code []string
		for _, line := range strings.Split(raw[m[4]:m[5]], "<br>") {
			code = append(code, unescapeText(line))
		}
		cb := &Node{Type: "codeBlock"}
		if m[2] >= 0 {
			if lang := unescapeHTML(raw[m[2]:m[3]]); lang != "" {
				cb.Attrs = map[string]any{"language": lang}
			}
		}
		if s := strings.Join(code, "\n"); s != "" {
			cb.Content = []*Node{{Type: "text", Text: s}}
		}
		out = append(out, cb)
		prev = m[1]
	}
	text(raw[prev:])
	return out, true
}

func emptyParagraph() *Node { return &Node{Type: "paragraph", Content: []*Node{}} }

// paragraph converts a paragraph-like node; images split it into mediaSingle
// blocks.
func (c *mdConv) paragraph(n ast.Node) []*Node {
	return c.paragraphFrom(n, -1)
}

// paragraphFrom converts the inline children of n that start at or after
// offset from (-1: all).
func (c *mdConv) paragraphFrom(n ast.Node, from int) []*Node {
	ic := c.inline(true, from)
	ic.children(n, nil)
	return c.paragraphBlocks(ic.finish())
}

// paragraphBlocks wraps a paragraph's inline nodes; images (mediaSingle)
// split it into blocks (for ADF; storage keeps them inline).
func (c *mdConv) paragraphBlocks(runs []*Node) []*Node {
	storage := c.storage
	media := false
	for _, r := range runs {
		if r.Type == "mediaSingle" {
			media = true
			break
		}
	}
	if media && storage && len(runs) > 1 {
		// Storage holds an image inside a paragraph: keep it inline
		// rather than splitting the paragraph around it.
		media = false // ToStorage writes a mediaSingle inline as an image
	}
	if !media {
		p := c.node()
		p.Type, p.Content = "paragraph", trimBreaks(runs)
		return append(c.nodes(1), p)
	}
	var out []*Node
	cur := []*Node{}
	for _, r := range runs {
		if r.Type == "mediaSingle" {
			if len(cur) > 0 {
				p := c.node()
				p.Type, p.Content = "paragraph", trimBreaks(cur)
				out = append(out, p)
				cur = []*Node{}
			}
			out = append(out, r)
			continue
		}
		cur = append(cur, r)
	}
	cur = trimBreaks(cur)
	if len(cur) > 0 || len(out) == 0 {
		out = append(out, &Node{Type: "paragraph", Content: cur})
	}
	return out
}

// inlineOnly converts inline children where no block may appear (headings).
func (c *mdConv) inlineOnly(n ast.Node) []*Node {
	ic := c.inline(false, -1)
	ic.children(n, nil)
	return trimBreaks(ic.finish())
}

// trimBreaks removes leading and trailing hard breaks and blanks, which
// render as nothing and cannot be written in markdown.
func trimBreaks(in []*Node) []*Node {
	for {
		for len(in) > 0 && in[0].Type == "hardBreak" {
			in = in[1:]
		}
		for len(in) > 0 && in[len(in)-1].Type == "hardBreak" {
			in = in[:len(in)-1]
		}
		if len(in) > 0 && in[0].Type == "text" && !hasCode(in[0].Marks) {
			if t := strings.TrimLeft(in[0].Text, " \t"); t != in[0].Text {
				cp := *in[0]
				cp.Text = t
				in = append([]*Node{&cp}, in[1:]...)
				if t == "" {
					in = in[1:]
					continue
				}
			}
		}
		if k := len(in) - 1; k >= 0 && in[k].Type == "text" && !hasCode(in[k].Marks) {
			if t := strings.TrimRight(in[k].Text, " \t"); t != in[k].Text {
				cp := *in[k]
				cp.Text = t
				in = append(in[:k:k], &cp)
				if t == "" {
					in = in[:k]
					continue
				}
			}
		}
		break
	}
	if in == nil {
		in = []*Node{}
	}
	return in
}
