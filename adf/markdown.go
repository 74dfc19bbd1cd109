package adf

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser is built once; goldmark parsers hold no per-parse state and are
// safe for concurrent use.
var mdParser = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList),
	goldmark.WithParserOptions(parser.WithInlineParsers(
		util.Prioritized(inertDelimiters{}, 499),
		util.Prioritized(fastLinkify{extension.NewLinkifyParser(extension.WithLinkifyEmailRegexp(
			// GFM's extended e-mail autolinks allow only these characters
			// before the "@"; goldmark's default would also take "*" and "`".
			regexp.MustCompile(`^[a-zA-Z0-9._+\-]{1,64}@[a-zA-Z0-9\-]{1,63}(?:\.[a-zA-Z0-9\-]{1,63}){1,8}`)))}, 999),
	)),
).Parser()

// fastLinkify runs goldmark's GFM autolink parser only where a link can
// start. Goldmark tries it after every space, "_", "*", "~" and "(" and
// runs regular expressions each time; the cheap test here makes ordinary
// text (and hostile runs like "a_a_a_…") much faster.
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

// mayAutolink reports whether line could start a GFM extended autolink: a
// URL with a scheme goldmark links, "www.", or an e-mail address whose "@"
// comes within 64 local-part characters.
func mayAutolink(line []byte) bool {
	if bytes.HasPrefix(line, []byte("http://")) || bytes.HasPrefix(line, []byte("https://")) ||
		bytes.HasPrefix(line, []byte("ftp://")) || bytes.HasPrefix(line, []byte("www.")) {
		return true
	}
	for i := 0; i < len(line) && i <= 64; i++ {
		c := line[i]
		switch {
		case c == '@':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '+', c == '-':
		default:
			return false
		}
	}
	return false
}

// inertDelimiters turns "*" and "_" runs that can neither open nor close
// emphasis (snake_case inside words) into plain text before goldmark's
// emphasis parser sees them. The result is the same, but goldmark keeps
// every such run on its delimiter stack and slows down super-linearly: 32 KB
// of "a_" took 20 s. With this it is linear.
type inertDelimiters struct{}

func (inertDelimiters) Trigger() []byte { return []byte{'*', '_'} }

func (inertDelimiters) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, inertDelimiters{})
	if d == nil || d.CanOpen || d.CanClose {
		return nil
	}
	block.Advance(d.OriginalLength)
	return ast.NewTextSegment(segment.WithStop(segment.Start + d.OriginalLength))
}

func (inertDelimiters) IsDelimiter(c byte) bool { return c == '*' || c == '_' }

func (inertDelimiters) CanOpenCloser(*parser.Delimiter, *parser.Delimiter) bool { return false }

func (inertDelimiters) OnMatch(int) ast.Node { return nil }

// FromMarkdown converts markdown (CommonMark with GitHub's extensions:
// tables, strikethrough, task lists, autolinks) to an ADF document that is
// valid against the official ADF schema. See the package documentation for
// the extension syntaxes (mentions, status, dates, emoji, alerts, details).
//
// Invalid UTF-8 and NUL bytes are replaced by U+FFFD. Container nesting
// deeper than the limits is flattened (text is kept). Inputs larger than
// MaxInputSize return ErrTooLarge.
func FromMarkdown(md string) (*Doc, error) {
	if len(md) > MaxInputSize {
		return nil, ErrTooLarge
	}
	src := sanitizeMarkdown(md)
	root := mdParser.Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
	c := &mdConv{src: src}
	blocks := c.blocks(root, 0)
	doc := NewDoc(fit("doc", blocks)...)
	assignTaskIDs(doc.Content, new(int))
	return doc, nil
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

type mdConv struct {
	src     []byte
	skipBox bool // the next task checkbox belongs to the taskItem being built
	ic      inlineConv
}

// sanitizeMarkdown makes the input valid UTF-8 without NULs and caps the
// number of container markers (">", list bullets) at the start of a line, so
// hostile nesting cannot make the parser allocate without bound.
func sanitizeMarkdown(md string) []byte {
	if !utf8.ValidString(md) {
		md = strings.ToValidUTF8(md, "\uFFFD")
	}
	if strings.IndexByte(md, 0) >= 0 {
		md = strings.ReplaceAll(md, "\x00", "\uFFFD")
	}
	src := []byte(md)
	var out []byte
	last := 0
	for i := 0; i < len(src); {
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += i
		}
		if cut, resume := markerCut(src[i:end]); cut >= 0 {
			if out == nil {
				out = make([]byte, 0, len(src))
			}
			out = append(out, src[last:i+cut]...)
			out = append(out, ' ')
			last = i + resume
		}
		i = end + 1
	}
	if out != nil {
		src = append(out, src[last:]...)
	}
	return defuseLinkOpeners(src)
}

// maxLongLinkOpeners is how many "](" with no ")" or space within
// longLinkScan bytes a document may hold before the rest are escaped.
const (
	maxLongLinkOpeners = 64
	longLinkScan       = 256
)

// defuseLinkOpeners escapes the "(" of "](" that cannot close nearby once
// a document has more than maxLongLinkOpeners of them. Goldmark scans to the
// end of the line for each such opener, so "[a](" repeated makes parsing
// quadratic (1 MB took minutes); real documents never have that many.
func defuseLinkOpeners(src []byte) []byte {
	if bytes.Count(src, []byte("](")) <= maxLongLinkOpeners {
		return src
	}
	// stop[i] is the first index >= i holding ')' or whitespace (or len).
	stop := make([]int32, len(src)+1)
	stop[len(src)] = int32(len(src))
	for i := len(src) - 1; i >= 0; i-- {
		switch src[i] {
		case ')', ' ', '\t', '\n', '\r':
			stop[i] = int32(i)
		default:
			stop[i] = stop[i+1]
		}
	}
	var out []byte
	last, long := 0, 0
	for i := 0; i+1 < len(src); i++ {
		if src[i] != ']' || src[i+1] != '(' || int(stop[i+2])-(i+2) <= longLinkScan {
			continue
		}
		long++
		if long <= maxLongLinkOpeners {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(src)+len(src)/8)
		}
		out = append(out, src[last:i+1]...)
		out = append(out, '\\')
		last = i + 1
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

// markerCut reports where to cut a line whose leading container markers
// exceed maxMarkdownNesting: keep line[:cut], drop line[cut:resume]. It
// returns -1 when the line is fine.
func markerCut(line []byte) (cut, resume int) {
	markers := 0
	cut = -1
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '>':
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 10 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ') {
				i = j + 1
			} else {
				return cut, 0
			}
		default:
			if cut < 0 {
				return -1, 0
			}
			return cut, i
		}
		markers++
		if markers == maxMarkdownNesting {
			cut = i
		}
	}
	if cut < 0 {
		return -1, 0
	}
	return cut, len(line)
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
		return []*Node{c.codeBlock(b, string(b.Language(c.src)))}
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
	detailsOpenRe  = regexp.MustCompile(`(?is)^\s*<details(?:\s[^>]*)?>\s*(?:<summary(?:\s[^>]*)?>(.*?)</summary>)?`)
	detailsCloseRe = regexp.MustCompile(`(?i)</details\s*>`)
	detailsAnyRe   = regexp.MustCompile(`(?i)<details(?:\s[^>]*)?>|</details\s*>`)
)

// detailsOpen recognises an HTML block that opens <details>, returning the
// summary title and whatever follows the summary in the same block.
func detailsOpen(s string) (title, rest string, ok bool) {
	m := detailsOpenRe.FindStringSubmatchIndex(s)
	if m == nil {
		return "", "", false
	}
	if m[2] >= 0 {
		title = strings.Join(strings.Fields(unescapeHTML(stripTags(s[m[2]:m[3]]))), " ")
	}
	return title, s[m[1]:], true
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tagRe.ReplaceAllString(s, "") }

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
			for _, m := range detailsAnyRe.FindAllString(s, -1) {
				if strings.HasPrefix(m, "</") {
					level--
				} else {
					level++
				}
			}
			if level <= 0 {
				idx := detailsCloseRe.FindAllStringIndex(s, -1)
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

// closeInBlock finds the </details> that closes an element opened in the same
// HTML block, returning the body before it.
func closeInBlock(rest string) (string, bool) {
	level := 1
	for _, m := range detailsAnyRe.FindAllStringIndex(rest, -1) {
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
	root := mdParser.Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
	sub := &mdConv{src: src}
	out := sub.blocks(root, depth)
	return out
}

var alertRe = regexp.MustCompile(`^\s*\[!([A-Za-z]+)\]\s*$`)

// alertPanels maps GitHub alert names (and a few ADF-only names) to panel types.
var alertPanels = map[string]string{
	"NOTE": "info", "INFO": "info", "TIP": "tip", "IMPORTANT": "note", "WARNING": "warning",
	"CAUTION": "error", "ERROR": "error", "SUCCESS": "success", "CUSTOM": "custom",
}

func (c *mdConv) blockquote(b *ast.Blockquote, depth int) *Node {
	if p, ok := b.FirstChild().(*ast.Paragraph); ok && p.Lines().Len() > 0 {
		first := p.Lines().At(0)
		if m := alertRe.FindSubmatch(first.Value(c.src)); m != nil {
			if pt, ok := alertPanels[strings.ToUpper(string(m[1]))]; ok {
				var content []*Node
				if p.Lines().Len() > 1 {
					content = append(content, c.paragraphFrom(p, first.Stop)...)
				}
				content = append(content, c.blocksAfter(p, depth+1)...)
				return &Node{Type: "panel", Attrs: map[string]any{"panelType": pt}, Content: fit("panel", content)}
			}
		}
	}
	return &Node{Type: "blockquote", Content: fit("blockquote", c.blocks(b, depth+1))}
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
		list.Content = append(list.Content, &Node{Type: "listItem", Content: fit("listItem", content)})
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

func (c *mdConv) table(t *east.Table) *Node {
	tbl := &Node{Type: "table", Attrs: map[string]any{"isNumberColumnEnabled": false, "layout": "default"}}
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, header := r.(*east.TableHeader)
		cellType := "tableCell"
		if header {
			cellType = "tableHeader"
		}
		row := &Node{Type: "tableRow"}
		empty := true
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			content := c.paragraph(cell)
			if len(content) != 1 || len(content[0].Content) != 0 {
				empty = false
			}
			row.Content = append(row.Content, &Node{Type: cellType, Content: fit("tableCell", content)})
		}
		if header && empty && r.NextSibling() != nil {
			// An all-empty header row is how markdown writes a table without one.
			continue
		}
		if len(row.Content) == 0 {
			continue
		}
		tbl.Content = append(tbl.Content, row)
	}
	if len(tbl.Content) == 0 {
		tbl.Content = []*Node{{Type: "tableRow", Content: []*Node{{Type: "tableCell", Content: []*Node{emptyParagraph()}}}}}
	}
	return tbl
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
	runs := ic.finish()
	media := false
	for _, r := range runs {
		if r.Type == "mediaSingle" {
			media = true
			break
		}
	}
	if !media {
		return []*Node{{Type: "paragraph", Content: trimBreaks(runs)}}
	}
	var out []*Node
	cur := []*Node{}
	for _, r := range runs {
		if r.Type == "mediaSingle" {
			if len(cur) > 0 {
				out = append(out, &Node{Type: "paragraph", Content: trimBreaks(cur)})
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

// ---- inline ----

// mdRun is one inline piece before normalisation: raw markdown text (escapes
// and entities unresolved, extensions not yet recognised) or a final node.
type mdRun struct {
	rs, re int // raw markdown text: inlineConv.arena[rs:re]
	marks  []Mark
	node   *Node
}

type inlineConv struct {
	pairs      map[ast.Node]ast.Node // open tag -> close tag among current siblings
	index      map[ast.Node]int      // sibling position of paired tags
	c          *mdConv
	runs       []mdRun
	arena      []byte // raw text of all runs, appended in order
	allowMedia bool
	from       int
}

// inline returns the converter's reusable inline state, reset.
func (c *mdConv) inline(allowMedia bool, from int) *inlineConv {
	ic := &c.ic
	ic.c = c
	ic.runs = ic.runs[:0]
	ic.arena = ic.arena[:0]
	ic.allowMedia = allowMedia
	ic.from = from
	return ic
}

func (ic *inlineConv) addRaw(s []byte, marks []Mark) {
	if len(s) == 0 {
		return
	}
	if k := len(ic.runs) - 1; k >= 0 && ic.runs[k].node == nil && ic.runs[k].re == len(ic.arena) && sameMarks(ic.runs[k].marks, marks) {
		ic.arena = append(ic.arena, s...)
		ic.runs[k].re = len(ic.arena)
		return
	}
	rs := len(ic.arena)
	ic.arena = append(ic.arena, s...)
	ic.runs = append(ic.runs, mdRun{rs: rs, re: len(ic.arena), marks: marks})
}

var space = []byte{' '}

func (ic *inlineConv) addNode(n *Node) { ic.runs = append(ic.runs, mdRun{node: n}) }

func (ic *inlineConv) addText(s string, marks []Mark) {
	if s == "" {
		return
	}
	ic.addNode(&Node{Type: "text", Text: s, Marks: marks})
}

func (ic *inlineConv) children(parent ast.Node, marks []Mark) {
	savedPairs, savedIndex := ic.pairs, ic.index
	ic.pairs, ic.index = ic.pairTags(parent)
	defer func() { ic.pairs, ic.index = savedPairs, savedIndex }()
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		if ic.from >= 0 {
			if t, ok := n.(*ast.Text); ok && t.Segment.Start < ic.from {
				continue
			}
			if n.Kind() != ast.KindText && startOf(n) < ic.from {
				continue
			}
		}
		if raw, ok := n.(*ast.RawHTML); ok {
			if next, handled := ic.htmlInline(raw, marks, nil); handled {
				n = next
				continue
			}
		}
		ic.inline(n, marks)
	}
}

// startOf returns the source offset of an inline node's first text.
func startOf(n ast.Node) int {
	for ; n != nil; n = n.FirstChild() {
		if t, ok := n.(*ast.Text); ok {
			return t.Segment.Start
		}
		if r, ok := n.(*ast.RawHTML); ok && r.Segments.Len() > 0 {
			return r.Segments.At(0).Start
		}
	}
	return 1 << 62
}

func (ic *inlineConv) inline(n ast.Node, marks []Mark) {
	src := ic.c.src
	switch x := n.(type) {
	case *ast.Text:
		v := x.Segment.Value(src)
		if x.HardLineBreak() {
			ic.addRaw(bytes.TrimRight(v, " \t"), marks)
			ic.trimTrailingSpace()
			ic.addNode(&Node{Type: "hardBreak"})
			return
		}
		if x.IsRaw() {
			ic.addText(string(v), marks)
		} else {
			ic.addRaw(v, marks)
		}
		if x.SoftLineBreak() {
			ic.addRaw(space, marks)
		}
	case *ast.String:
		if x.IsRaw() || x.IsCode() {
			ic.addText(string(x.Value), marks)
		} else {
			ic.addRaw(x.Value, marks)
		}
	case *ast.CodeSpan:
		var b strings.Builder
		for t := x.FirstChild(); t != nil; t = t.NextSibling() {
			switch tt := t.(type) {
			case *ast.Text:
				v := tt.Segment.Value(src)
				if bytes.HasSuffix(v, []byte("\n")) {
					v = append(v[:len(v)-1:len(v)-1], ' ')
				}
				b.Write(v)
			case *ast.String:
				b.Write(tt.Value)
			}
		}
		cm := []Mark{{Type: "code"}}
		for _, m := range marks {
			if m.Type == "link" {
				cm = append(cm, m)
			}
		}
		ic.addText(b.String(), sortMarks(cm))
	case *ast.Emphasis:
		t := "em"
		if x.Level >= 2 {
			t = "strong"
		}
		ic.children(x, withMark(marks, Mark{Type: t}))
	case *east.Strikethrough:
		ic.children(x, withMark(marks, Mark{Type: "strike"}))
	case *ast.Link:
		dest := unescapeText(string(x.Destination))
		if id, ok := strings.CutPrefix(dest, "accountid:"); ok && id != "" {
			label := plainInline(ic.c, x)
			ic.stripAt()
			attrs := map[string]any{"id": id}
			if label != "" {
				attrs["text"] = "@" + strings.TrimPrefix(label, "@")
			}
			ic.addNode(&Node{Type: "mention", Attrs: attrs})
			return
		}
		if dest == "" || hasCode(marks) {
			ic.children(x, marks)
			return
		}
		lm := Mark{Type: "link", Attrs: map[string]any{"href": dest}}
		if len(x.Title) > 0 {
			lm.Attrs["title"] = unescapeText(string(x.Title))
		}
		ic.children(x, withMark(withoutMark(marks, "link"), lm))
	case *ast.AutoLink:
		url := string(x.URL(src))
		label := string(x.Label(src))
		if x.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(url), "mailto:") {
			url = "mailto:" + url
		} else if x.AutoLinkType == ast.AutoLinkURL && strings.HasPrefix(label, "www.") && url == label {
			url = "http://" + url
		}
		ic.addText(label, withMark(withoutMark(marks, "link"), Mark{Type: "link", Attrs: map[string]any{"href": url}}))
	case *ast.Image:
		url := unescapeText(string(x.Destination))
		alt := plainInline(ic.c, x)
		if ic.allowMedia && url != "" {
			media := &Node{Type: "media", Attrs: map[string]any{"type": "external", "url": url}}
			if alt != "" {
				media.Attrs["alt"] = alt
			}
			ic.addNode(&Node{Type: "mediaSingle", Attrs: map[string]any{"layout": "center"}, Content: []*Node{media}})
			return
		}
		if alt == "" {
			alt = url
		}
		if url == "" || hasCode(marks) {
			ic.addText(alt, marks)
			return
		}
		ic.addText(alt, withMark(withoutMark(marks, "link"), Mark{Type: "link", Attrs: map[string]any{"href": url}}))
	case *ast.RawHTML:
		ic.addText(rawHTMLText(src, x), marks)
	case *east.TaskCheckBox:
		if ic.c.skipBox {
			// The task item's own box: its state is in the taskItem attrs.
			ic.c.skipBox = false
			return
		}
		// A checkbox in a list that is not all tasks: keep it as text.
		if x.IsChecked {
			ic.addText("[x] ", marks)
		} else {
			ic.addText("[ ] ", marks)
		}
	default:
		if n.HasChildren() {
			ic.children(n, marks)
		}
	}
}

func rawHTMLText(src []byte, x *ast.RawHTML) string {
	var b strings.Builder
	for i := 0; i < x.Segments.Len(); i++ {
		seg := x.Segments.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// htmlTagMarks maps inline HTML tags to the marks they stand for.
var htmlTagMarks = map[string]Mark{
	"u": {Type: "underline"}, "ins": {Type: "underline"},
	"s": {Type: "strike"}, "del": {Type: "strike"}, "strike": {Type: "strike"},
	"b": {Type: "strong"}, "strong": {Type: "strong"},
	"i": {Type: "em"}, "em": {Type: "em"},
	"sub": {Type: "subsup", Attrs: map[string]any{"type": "sub"}},
	"sup": {Type: "subsup", Attrs: map[string]any{"type": "sup"}},
}

var (
	htmlOpenRe  = regexp.MustCompile(`^<([a-zA-Z]+)(\s+style\s*=\s*"\s*(color|background-color)\s*:\s*(#[0-9a-fA-F]{6})\s*;?\s*")?\s*>$`)
	htmlCloseRe = regexp.MustCompile(`^</([a-zA-Z]+)\s*>$`)
	htmlBrRe    = regexp.MustCompile(`^<br\s*/?>$`)
)

// htmlInline handles <br> and paired inline tags that map to marks (<u>,
// <sub>, <sup>, <s>, <b>, <i>, <span style="color: #rrggbb">). It returns the
// last node consumed.
func (ic *inlineConv) htmlInline(x *ast.RawHTML, marks []Mark, limit ast.Node) (ast.Node, bool) {
	s := rawHTMLText(ic.c.src, x)
	if htmlBrRe.MatchString(s) {
		ic.trimTrailingSpace()
		ic.addNode(&Node{Type: "hardBreak"})
		return x, true
	}
	m := htmlOpenRe.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	tag := strings.ToLower(m[1])
	var mark Mark
	switch {
	case tag == "span" && m[3] != "":
		t := "textColor"
		if strings.EqualFold(m[3], "background-color") {
			t = "backgroundColor"
		}
		mark = Mark{Type: t, Attrs: map[string]any{"color": strings.ToLower(m[4])}}
	case m[2] == "":
		var ok bool
		if mark, ok = htmlTagMarks[tag]; !ok {
			return nil, false
		}
	default:
		return nil, false
	}
	// The matching close tag among the siblings (paired once per parent).
	end := ic.pairs[x]
	if end == nil || (limit != nil && ic.index[end] >= ic.index[limit]) {
		return nil, false
	}
	inner := marks
	if !hasCode(marks) {
		inner = withMark(marks, mark)
	}
	for n := x.NextSibling(); n != end; n = n.NextSibling() {
		if raw, ok := n.(*ast.RawHTML); ok {
			if next, handled := ic.htmlInline(raw, inner, end); handled {
				for n != next {
					n = n.NextSibling()
				}
				continue
			}
		}
		ic.inline(n, inner)
	}
	return end, true
}

// pairTags matches inline HTML open and close tags among parent's children
// in one pass (a stack per tag name), so finding a close tag is O(1).
func (ic *inlineConv) pairTags(parent ast.Node) (map[ast.Node]ast.Node, map[ast.Node]int) {
	var pairs map[ast.Node]ast.Node
	var index map[ast.Node]int
	var stacks map[string][]ast.Node
	i := 0
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		i++
		r, ok := n.(*ast.RawHTML)
		if !ok {
			continue
		}
		t := rawHTMLText(ic.c.src, r)
		if om := htmlOpenRe.FindStringSubmatch(t); om != nil {
			if stacks == nil {
				stacks = map[string][]ast.Node{}
				pairs = map[ast.Node]ast.Node{}
				index = map[ast.Node]int{}
			}
			tag := strings.ToLower(om[1])
			stacks[tag] = append(stacks[tag], n)
			index[n] = i
		} else if cm := htmlCloseRe.FindStringSubmatch(t); cm != nil && stacks != nil {
			tag := strings.ToLower(cm[1])
			if st := stacks[tag]; len(st) > 0 {
				pairs[st[len(st)-1]] = n
				stacks[tag] = st[:len(st)-1]
				index[n] = i
			}
		}
	}
	return pairs, index
}

// stripAt removes the "@" written before a mention link.
func (ic *inlineConv) stripAt() {
	k := len(ic.runs) - 1
	if k < 0 || ic.runs[k].node != nil {
		return
	}
	r := ic.arena[ic.runs[k].rs:ic.runs[k].re]
	if len(r) > 0 && r[len(r)-1] == '@' && !escapedAt(string(r), len(r)-1) {
		ic.runs[k].re--
	}
}

// escapedAt reports whether s[i] is preceded by an odd number of backslashes.
func escapedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

func (ic *inlineConv) trimTrailingSpace() {
	k := len(ic.runs) - 1
	if k >= 0 && ic.runs[k].node == nil {
		ic.runs[k].re = ic.runs[k].rs + len(bytes.TrimRight(ic.arena[ic.runs[k].rs:ic.runs[k].re], " \t"))
	}
}

// finish resolves escapes, recognises the extension syntaxes in plain text,
// and returns normalised inline nodes.
func (ic *inlineConv) finish() []*Node {
	out := make([]*Node, 0, len(ic.runs)+2)
	arena := string(ic.arena)
	for _, r := range ic.runs {
		if r.node != nil {
			out = append(out, r.node)
			continue
		}
		out = scanExtensions(out, arena[r.rs:r.re], r.marks)
	}
	return normalizeInline(out)
}

// normalizeInline merges adjacent text nodes with identical marks and drops
// empty ones.
func normalizeInline(in []*Node) []*Node {
	out := mergeText(in)
	for pass := 0; pass < 4 && liftEdgeSpaces(out); pass++ {
		flat := make([]*Node, 0, len(out)+4)
		for _, n := range out {
			if n.Type == "\x00split" {
				flat = append(flat, n.Content...)
			} else {
				flat = append(flat, n)
			}
		}
		out = mergeText(flat)
	}
	if k := len(out) - 1; k >= 0 && out[k].Type == "text" && !hasCode(out[k].Marks) {
		out[k].Text = strings.TrimRight(out[k].Text, " \t")
		if out[k].Text == "" {
			out = out[:k]
		}
	}
	if out == nil {
		out = []*Node{}
	}
	return out
}

// mergeText drops empty text, trims whitespace markdown cannot keep (at a
// line start and before a hard break) and merges adjacent text nodes with
// identical marks. It works in place.
func mergeText(in []*Node) []*Node {
	out := in[:0]
	var pending []string // text to append to the last node, joined once
	flush := func() {
		if len(pending) > 0 {
			k := len(out) - 1
			out[k].Text += strings.Join(pending, "")
			pending = pending[:0]
		}
	}
	for _, n := range in {
		switch n.Type {
		case "text":
			if len(n.Marks) == 0 {
				n.Marks = nil
			}
			if !hasCode(n.Marks) {
				if k := len(out) - 1; k < 0 || out[k].Type == "hardBreak" {
					n.Text = strings.TrimLeft(n.Text, " \t")
				}
			}
			if n.Text == "" {
				continue
			}
			if k := len(out) - 1; k >= 0 && out[k].Type == "text" && sameMarks(out[k].Marks, n.Marks) {
				pending = append(pending, n.Text)
				continue
			}
		case "hardBreak":
			flush()
			if k := len(out) - 1; k >= 0 && out[k].Type == "text" && !hasCode(out[k].Marks) {
				out[k].Text = strings.TrimRight(out[k].Text, " \t")
				if out[k].Text == "" {
					out = out[:k]
				}
			}
		}
		flush()
		out = append(out, n)
	}
	flush()
	return out
}

// edgeMarks are the marks markdown writes with delimiters that cannot sit
// next to whitespace inside them.
var edgeMarks = setOf("em", "strong", "strike")

func hasMarkKey(n *Node, m Mark) bool {
	if n == nil || n.Type != "text" {
		return false
	}
	for _, x := range n.Marks {
		if x.Type == m.Type && sameAttrs(x.Attrs, m.Attrs) {
			return true
		}
	}
	return false
}

// liftEdgeSpaces moves whitespace at the edge of an em/strong/strike run
// out of that mark, as markdown does, so a converted document reads back
// unchanged. It reports whether it changed anything.
func liftEdgeSpaces(nodes []*Node) bool {
	changed := false
	for i, n := range nodes {
		if n.Type != "text" || hasCode(n.Marks) || len(n.Marks) == 0 {
			continue
		}
		var prev, next *Node
		if i > 0 {
			prev = nodes[i-1]
			if prev.Type == "\x00split" {
				prev = prev.Content[len(prev.Content)-1]
			}
		}
		if i+1 < len(nodes) {
			next = nodes[i+1]
		}
		core := strings.Trim(n.Text, " \t")
		if core == "" {
			keep := n.Marks[:0:0]
			for _, m := range n.Marks {
				if !edgeMarks[m.Type] || (hasMarkKey(prev, m) && hasMarkKey(next, m)) {
					keep = append(keep, m)
				}
			}
			if len(keep) != len(n.Marks) {
				n.Marks = keep
				changed = true
			}
			continue
		}
		if len(core) == len(n.Text) {
			continue
		}
		lead := n.Text[:strings.Index(n.Text, core)]
		trail := n.Text[len(lead)+len(core):]
		var leadMarks, trailMarks []Mark
		liftLead, liftTrail := false, false
		for _, m := range n.Marks {
			if lead != "" && edgeMarks[m.Type] && !hasMarkKey(prev, m) {
				liftLead = true
			} else {
				leadMarks = append(leadMarks, m)
			}
			if trail != "" && edgeMarks[m.Type] && !hasMarkKey(next, m) {
				liftTrail = true
			} else {
				trailMarks = append(trailMarks, m)
			}
		}
		if !liftLead && !liftTrail {
			continue
		}
		changed = true
		// Split in place: the whitespace becomes separate nodes around the core.
		var repl []*Node
		text := core
		if liftLead {
			repl = append(repl, &Node{Type: "text", Text: lead, Marks: leadMarks})
		} else {
			text = lead + text
		}
		if !liftTrail {
			text += trail
		}
		n.Text = text
		repl = append(repl, n)
		if liftTrail {
			repl = append(repl, &Node{Type: "text", Text: trail, Marks: trailMarks})
		}
		nodes[i] = &Node{Type: "\x00split", Content: repl}
	}
	if !changed {
		return false
	}
	// Expand the split placeholders (done in a second pass so indexes hold).
	return true
}

var (
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z)?$`)
)

// scanExtensions splits raw text into text nodes and the extension nodes
// written inline: {status:COLOR Text}, {date:YYYY-MM-DD} and :emoji:.
func scanExtensions(out []*Node, raw string, marks []Mark) []*Node {
	if !strings.ContainsAny(raw, "\\&{:") {
		return append(out, &Node{Type: "text", Text: raw, Marks: marks})
	}
	code := hasCode(marks)
	start := 0
	flush := func(out []*Node, start, end int) []*Node {
		if end > start {
			out = append(out, &Node{Type: "text", Text: unescapeText(raw[start:end]), Marks: marks})
		}
		return out
	}
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '{':
			if code {
				continue
			}
			rest := raw[i:]
			if strings.HasPrefix(rest, "{status:") {
				if body, n := braceBody(rest, len("{status:")); n > 0 {
					if node := statusNode(unescapeText(body)); node != nil {
						out = flush(out, start, i)
						out = append(out, node)
						i += n - 1
						start = i + 1
					}
				}
			} else if strings.HasPrefix(rest, "{date:") {
				if body, n := braceBody(rest, len("{date:")); n > 0 && dateRe.MatchString(body) {
					if node := dateNode(body); node != nil {
						out = flush(out, start, i)
						out = append(out, node)
						i += n - 1
						start = i + 1
					}
				}
			}
		case ':':
			if code {
				continue
			}
			if name, n := emojiAt(raw[i:]); n > 0 {
				out = flush(out, start, i)
				out = append(out, &Node{Type: "emoji", Attrs: map[string]any{"shortName": ":" + name + ":", "text": emojiByName[name]}})
				i += n - 1
				start = i + 1
			}
		}
	}
	return flush(out, start, len(raw))
}

// braceBody returns the text after the prefix up to the first unescaped
// "}" (no "{" allowed) and the length consumed including the brace.
func braceBody(s string, prefix int) (string, int) {
	for i := prefix; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{', '\n':
			return "", 0
		case '}':
			if i == prefix {
				return "", 0
			}
			return s[prefix:i], i + 1
		}
	}
	return "", 0
}

// emojiAt recognises a known :shortcode: at the start of s.
func emojiAt(s string) (string, int) {
	if len(s) < 3 || s[0] != ':' {
		return "", 0
	}
	for i := 1; i < len(s) && i < 40; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-':
		case c == ':' && i > 1:
			if _, ok := emojiByName[s[1:i]]; ok {
				return s[1:i], i + 1
			}
			return "", 0
		default:
			return "", 0
		}
	}
	return "", 0
}

func statusNode(body string) *Node {
	body = strings.TrimSpace(body)
	color, txt, _ := strings.Cut(body, " ")
	color = strings.ToLower(color)
	if color == "grey" || color == "gray" {
		color = "neutral"
	}
	if hexColor(color) {
		color = strings.ToLower(color)
	} else if !statusColors[color] {
		color, txt = "neutral", body
	}
	txt = strings.TrimSpace(txt)
	if txt == "" {
		return nil
	}
	return &Node{Type: "status", Attrs: map[string]any{"text": txt, "color": color}}
}

func dateNode(s string) *Node {
	var t time.Time
	var err error
	if len(s) == 10 {
		t, err = time.Parse("2006-01-02", s)
	} else {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return nil
	}
	return &Node{Type: "date", Attrs: map[string]any{"timestamp": strconv.FormatInt(t.UnixMilli(), 10)}}
}

// unescapeText resolves backslash escapes and HTML entities as CommonMark
// does for text.
func unescapeText(s string) string {
	if strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && util.IsPunct(s[i+1]):
			b.WriteByte(s[i+1])
			i++
		case c == '&':
			if r, n := entityAt(s[i:]); n > 0 {
				b.WriteString(r)
				i += n - 1
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var entityRe = regexp.MustCompile(`^&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));`)

func entityAt(s string) (string, int) {
	m := entityRe.FindStringSubmatch(s)
	if m == nil {
		return "", 0
	}
	switch {
	case m[1] != "" || m[2] != "":
		var v int64
		if m[1] != "" {
			v, _ = strconv.ParseInt(m[1], 16, 32)
		} else {
			v, _ = strconv.ParseInt(m[2], 10, 32)
		}
		r := rune(v)
		if r == 0 || !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		return string(r), len(m[0])
	default:
		if e, ok := util.LookUpHTML5EntityByName(m[3]); ok {
			return string(e.Characters), len(m[0])
		}
	}
	return "", 0
}

// unescapeHTML resolves entities in HTML text (the <summary> title).
func unescapeHTML(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' {
			if r, n := entityAt(s[i:]); n > 0 {
				b.WriteString(r)
				i += n - 1
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// plainInline returns the plain text of an inline subtree (link labels, alt text).
func plainInline(c *mdConv, n ast.Node) string {
	ic := &inlineConv{c: c, from: -1}
	ic.children(n, nil)
	return plainText(ic.finish())
}

// plainText concatenates the text of inline nodes.
func plainText(nodes []*Node) string {
	var b strings.Builder
	for _, n := range nodes {
		writePlain(&b, n)
	}
	return b.String()
}

func writePlain(b *strings.Builder, n *Node) {
	switch n.Type {
	case "text":
		b.WriteString(n.Text)
	case "hardBreak":
		b.WriteByte('\n')
	case "mention", "emoji", "status":
		if t := n.StringAttr("text"); t != "" {
			b.WriteString(t)
		} else {
			b.WriteString(n.StringAttr("shortName"))
		}
	default:
		for _, c := range n.Content {
			writePlain(b, c)
		}
	}
}

// inlineText flattens a block to inline content (for inline-only places).
func inlineText(n *Node) []*Node {
	if inlineTypes[n.Type] {
		return []*Node{n}
	}
	switch n.Type {
	case "paragraph", "heading":
		return n.Content
	case "codeBlock":
		var out []*Node
		for i, line := range strings.Split(plainText(n.Content), "\n") {
			if i > 0 {
				out = append(out, &Node{Type: "hardBreak"})
			}
			if line != "" {
				out = append(out, &Node{Type: "text", Text: line, Marks: []Mark{{Type: "code"}}})
			}
		}
		return out
	case "mediaSingle":
		for _, m := range n.Content {
			if m.Type == "media" && m.StringAttr("url") != "" {
				alt := m.StringAttr("alt")
				if alt == "" {
					alt = m.StringAttr("url")
				}
				return []*Node{{Type: "text", Text: alt, Marks: []Mark{{Type: "link", Attrs: map[string]any{"href": m.StringAttr("url")}}}}}
			}
		}
		return nil
	case "rule":
		return []*Node{{Type: "text", Text: "---"}}
	}
	var out []*Node
	for _, c := range n.Content {
		out = appendLine(out, inlineText(c))
	}
	return out
}

// ---- marks ----

var markRank = map[string]int{
	"link": 0, "em": 1, "strong": 2, "strike": 3, "underline": 4, "subsup": 5,
	"textColor": 6, "backgroundColor": 7, "code": 8,
}

func sortMarks(m []Mark) []Mark {
	for i := 1; i < len(m); i++ {
		for j := i; j > 0 && rankOf(m[j].Type) < rankOf(m[j-1].Type); j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
	return m
}

func rankOf(t string) int {
	if r, ok := markRank[t]; ok {
		return r
	}
	return 100
}

func withMark(marks []Mark, m Mark) []Mark {
	for _, x := range marks {
		if x.Type == m.Type && (m.Type != "subsup" || sameAttrs(x.Attrs, m.Attrs)) {
			return marks
		}
	}
	out := make([]Mark, 0, len(marks)+1)
	for _, x := range marks {
		if x.Type != m.Type {
			out = append(out, x)
		}
	}
	out = append(out, m)
	return sortMarks(out)
}

func withoutMark(marks []Mark, t string) []Mark {
	for i, x := range marks {
		if x.Type == t {
			out := make([]Mark, 0, len(marks)-1)
			out = append(out, marks[:i]...)
			return append(out, marks[i+1:]...)
		}
	}
	return marks
}

func hasCode(marks []Mark) bool {
	for _, m := range marks {
		if m.Type == "code" {
			return true
		}
	}
	return false
}

func sameMarks(a, b []Mark) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || !sameAttrs(a[i].Attrs, b[i].Attrs) {
			return false
		}
	}
	return true
}

func sameAttrs(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	simple := true
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		as, aok := av.(string)
		bs, bok := bv.(string)
		if aok && bok {
			if as != bs {
				return false
			}
			continue
		}
		simple = false
	}
	if simple {
		return true
	}
	var x, y bytes.Buffer
	writeObject(&x, a)
	writeObject(&y, b)
	return bytes.Equal(x.Bytes(), y.Bytes())
}
