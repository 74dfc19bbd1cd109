package adf

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

type inlineCtx int

const (
	ctxBlock   inlineCtx = iota // paragraph: hard breaks are backslash-newline
	ctxHeading                  // one line: hard breaks are <br>
	ctxTable                    // one line inside a table: <br>, pipes escaped
	ctxTask                     // task spanItem: like a paragraph
)

// spanMarks are the marks rendered as markdown or inline HTML around text.
var spanMarks = setOf("link", "em", "strong", "strike", "underline", "subsup", "textColor", "backgroundColor")

type spanItem struct {
	node *Node
	mark *Mark
	kids []spanItem
	// cont says the mark continues before (0) / after (1) this span: the
	// run was split by nesting, so this edge is not the mark's real edge.
	cont [2]bool
}

func markKey(m Mark) string {
	if len(m.Attrs) == 0 {
		return m.Type
	}
	var b strings.Builder
	b.WriteString(m.Type)
	keys := make([]string, 0, len(m.Attrs))
	for k := range m.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + fmt.Sprint(m.Attrs[k]))
	}
	return b.String()
}

func nodeHasMark(n *Node, key string) bool {
	if n.Type != "text" {
		return false
	}
	for _, m := range n.Marks {
		if spanMarks[m.Type] && markKey(m) == key {
			return true
		}
	}
	return false
}

// buildSpans nests marked inline nodes: at each step the mark that runs
// longest from the current node becomes a span around that run.
func buildSpans(nodes []*Node, active map[string]bool) []spanItem {
	return buildSpansIn(nodes, 0, len(nodes), active)
}

func buildSpansIn(all []*Node, lo, hi int, active map[string]bool) []spanItem {
	nodes := all[:hi]
	var out []spanItem
	for i := lo; i < hi; {
		n := nodes[i]
		best, bestEnd := -1, i
		if n.Type == "text" {
			for mi, m := range n.Marks {
				if !spanMarks[m.Type] || active[markKey(m)] {
					continue
				}
				if m.Type == "link" && m.StringAttr("href") == "" {
					continue
				}
				k := markKey(m)
				j := i + 1
				for j < len(nodes) && nodeHasMark(nodes[j], k) {
					j++
				}
				if j > bestEnd || (j == bestEnd && best >= 0 && rankOf(m.Type) < rankOf(n.Marks[best].Type)) {
					best, bestEnd = mi, j
				}
			}
		}
		if best < 0 {
			out = append(out, spanItem{node: n})
			i++
			continue
		}
		m := n.Marks[best]
		inner := make(map[string]bool, len(active)+1)
		for k := range active {
			inner[k] = true
		}
		inner[markKey(m)] = true
		k := markKey(m)
		cont := [2]bool{i > 0 && nodeHasMark(all[i-1], k), bestEnd < len(all) && nodeHasMark(all[bestEnd], k)}
		out = append(out, spanItem{mark: &m, kids: buildSpansIn(all, i, bestEnd, inner), cont: cont})
		i = bestEnd
	}
	return out
}

func (r *mdRenderer) inline(nodes []*Node, ctx inlineCtx, depth int) string {
	if len(nodes) == 0 || r.tooDeep(depth) {
		return ""
	}
	// Leading and trailing hard breaks cannot be written in markdown.
	for len(nodes) > 0 && nodes[0].Type == "hardBreak" {
		nodes = nodes[1:]
	}
	for len(nodes) > 0 && nodes[len(nodes)-1].Type == "hardBreak" {
		nodes = nodes[:len(nodes)-1]
	}
	w := &inlineWriter{r: r, ctx: ctx, lineStart: true, depth: depth}
	w.items(buildSpans(mergeAdjacentText(nodes), nil), 0)
	out := w.b.String()
	for {
		// A break followed only by blanks ends the block: drop it.
		out = strings.TrimRight(out, " \t")
		switch {
		case strings.HasSuffix(out, "\\\n") && !escapedAt(out, len(out)-2):
			out = out[:len(out)-2]
		case strings.HasSuffix(out, "  \n"):
			out = out[:len(out)-3]
		case strings.HasSuffix(out, "<br>") && !escapedAt(out, len(out)-4):
			out = out[:len(out)-4]
		default:
			return out
		}
	}
}

// mergeAdjacentText joins neighbouring text nodes with identical marks
// (without touching the input), so e.g. two code nodes become one code span.
func mergeAdjacentText(nodes []*Node) []*Node {
	merge := false
	for i := 1; i < len(nodes); i++ {
		if nodes[i].Type == "text" && nodes[i-1].Type == "text" && sameMarks(nodes[i].Marks, nodes[i-1].Marks) {
			merge = true
			break
		}
	}
	if !merge {
		return nodes
	}
	out := make([]*Node, 0, len(nodes))
	for i := 0; i < len(nodes); {
		n := nodes[i]
		j := i + 1
		for n.Type == "text" && j < len(nodes) && nodes[j].Type == "text" && sameMarks(n.Marks, nodes[j].Marks) {
			j++
		}
		if j == i+1 {
			out = append(out, n)
			i++
			continue
		}
		var b strings.Builder
		for _, m := range nodes[i:j] {
			b.WriteString(m.Text)
		}
		cp := *n
		cp.Text = b.String()
		out = append(out, &cp)
		i = j
	}
	return out
}

type inlineWriter struct {
	inLink    int // inside link text: brackets must be escaped
	r         *mdRenderer
	b         strings.Builder
	ctx       inlineCtx
	lineStart bool
	depth     int
}

func (w *inlineWriter) lastByte() byte {
	s := w.b.String()
	if s == "" {
		return ' '
	}
	return s[len(s)-1]
}

// items writes a sequence; next is the character class that follows it
// (0: end of line/whitespace, otherwise a punctuation byte).
func (w *inlineWriter) items(its []spanItem, next byte) {
	for i, it := range its {
		if it.mark == nil {
			w.leaf(it.node)
			continue
		}
		after := next
		if i+1 < len(its) {
			after = firstByteOf(its[i+1])
		}
		w.span(it, after)
	}
}

// firstByteOf approximates the first character an spanItem will write.
func firstByteOf(it spanItem) byte {
	if it.mark != nil {
		switch it.mark.Type {
		case "em", "strong":
			return '*'
		case "strike":
			return '~'
		case "link":
			return '['
		}
		return '<'
	}
	n := it.node
	switch n.Type {
	case "text":
		if hasCode(n.Marks) {
			return '`'
		}
		if n.Text == "" {
			return 0
		}
		r, _ := utf8.DecodeRuneInString(n.Text)
		return classRune(r)
	case "hardBreak":
		return 0
	}
	return '.'
}

func (w *inlineWriter) span(it spanItem, next byte) {
	sub := &inlineWriter{r: w.r, ctx: w.ctx, lineStart: w.lineStart, depth: w.depth + 1, inLink: w.inLink}
	if w.r.tooDeep(sub.depth) {
		return
	}
	m := it.mark
	if m.Type == "link" {
		sub.inLink++
	}
	closer := byte('.')
	switch m.Type {
	case "em", "strong", "strike":
		closer = '*'
	}
	sub.items(it.kids, closer)
	inner := sub.b.String()
	switch m.Type {
	case "link":
		href := m.StringAttr("href")
		if inner == "" {
			// A link around nothing visible (spaces at a line start) cannot
			// be written.
			return
		}
		if isAutolinkable(href) && inner == escapeText(href, false, w.ctx == ctxTable) && w.lastByte() != '\\' {
			w.write("<" + href + ">")
			return
		}
		if out := w.b.String(); strings.HasSuffix(out, "!") && !escapedAt(out, len(out)-1) {
			// "![" would start an image.
			w.b.Reset()
			w.b.WriteString(out[:len(out)-1] + `\!`)
		}
		s := "[" + inner + "](" + linkDest(href)
		if t := m.StringAttr("title"); t != "" {
			s += ` "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t) + `"`
		}
		w.write(s + ")")
		return
	case "underline":
		w.write("<u>" + inner + "</u>")
		return
	case "subsup":
		tag := "sub"
		if m.StringAttr("type") == "sup" {
			tag = "sup"
		}
		w.write("<" + tag + ">" + inner + "</" + tag + ">")
		return
	case "textColor", "backgroundColor":
		color := strings.ToLower(m.StringAttr("color"))
		if !hexColor(color) {
			w.write(inner)
			return
		}
		prop := "color"
		if m.Type == "backgroundColor" {
			prop = "background-color"
		}
		w.write(`<span style="` + prop + `: ` + color + `">` + inner + "</span>")
		return
	}
	// em, strong, strike: whitespace moves outside the delimiters.
	core := strings.TrimLeft(inner, " \t")
	lead := inner[:len(inner)-len(core)]
	core2 := strings.TrimRight(core, " \t")
	// A trailing backslash-escaped space must stay escaped.
	if strings.HasSuffix(core2, `\`) && len(core2) < len(core) {
		core2 = core[:len(core2)+1]
	}
	trail := core[len(core2):]
	core = core2
	if (lead != "" && it.cont[0]) || (trail != "" && it.cont[1]) {
		// Moving the space out would change the document: keep it inside
		// HTML tags, which markdown reads back with the space.
		tag := map[string]string{"em": "em", "strong": "strong", "strike": "s"}[m.Type]
		w.write("<" + tag + ">" + inner + "</" + tag + ">")
		return
	}
	w.write(lead)
	if core == "" {
		w.write(trail)
		return
	}
	nextAfter := next
	if trail != "" {
		nextAfter = 0
	}
	prev := byte(0)
	if out := w.b.String(); out != "" {
		r, _ := utf8.DecodeLastRuneInString(out)
		prev = classRune(r)
	}
	var candidates [][2]string
	switch m.Type {
	case "em":
		candidates = [][2]string{{"*", "*"}, {"_", "_"}, {"<em>", "</em>"}}
	case "strong":
		candidates = [][2]string{{"**", "**"}, {"__", "__"}, {"<strong>", "</strong>"}}
	case "strike":
		candidates = [][2]string{{"~~", "~~"}, {"<s>", "</s>"}}
	}
	for _, c := range candidates {
		if c[0][0] == '<' || delimOK(c[0][0], prev, core, nextAfter) {
			w.write(c[0] + core + c[1])
			break
		}
	}
	w.write(trail)
}

// delimOK applies CommonMark's flanking rules to a delimiter run of d
// around core, with prev/next the neighbouring bytes (0 = whitespace or
// line edge).
func delimOK(d, prev byte, core string, next byte) bool {
	fr, _ := utf8.DecodeRuneInString(core)
	lr, _ := utf8.DecodeLastRuneInString(core)
	first, last := classRune(fr), classRune(lr)
	if prev == d || next == d || first == d || last == d || next == '*' && (d == '*' || d == '_') {
		return false
	}
	isWS := func(c byte) bool { return c == 0 || c == ' ' || c == '\t' || c == '\n' }
	isP := func(c byte) bool { return c != 0 && c < utf8.RuneSelf && isASCIIPunct(c) }
	// Non-ASCII neighbours: treat as letters (safe for most scripts).
	leftFlank := !isWS(first) && (!isP(first) || isWS(prev) || isP(prev))
	rightFlankOpen := !isWS(prev) && (!isP(prev) || isWS(first) || isP(first))
	rightFlank := !isWS(last) && (!isP(last) || isWS(next) || isP(next))
	leftFlankClose := !isWS(next) && (!isP(next) || isWS(last) || isP(last))
	switch d {
	case '*', '~':
		return leftFlank && rightFlank
	case '_':
		canOpen := leftFlank && (!rightFlankOpen || isP(prev))
		canClose := rightFlank && (!leftFlankClose || isP(next))
		return canOpen && canClose
	}
	return false
}

// classRune maps a character to the byte delimOK reasons about: 0 for
// whitespace, the character itself for ASCII punctuation, '.' for other
// punctuation and symbols, 'a' for anything else.
func classRune(r rune) byte {
	switch {
	case r < utf8.RuneSelf:
		c := byte(r)
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
			return 0
		}
		if isASCIIPunct(c) {
			return c
		}
		return 'a'
	case unicode.IsSpace(r):
		return 0
	case unicode.IsPunct(r) || unicode.IsSymbol(r):
		return '.'
	}
	return 'a'
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

func hexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isAutolinkable(href string) bool {
	if !(strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")) {
		return false
	}
	for i := 0; i < len(href); i++ {
		c := href[i]
		if c <= ' ' || c == '<' || c == '>' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	return true
}

func (w *inlineWriter) write(s string) {
	if s == "" {
		return
	}
	w.b.WriteString(s)
	w.lineStart = false
}

func (w *inlineWriter) hardBreak() {
	if w.ctx == ctxBlock || w.ctx == ctxTask {
		// Trailing spaces before a break would be lost; drop them now.
		s := w.b.String()
		t := strings.TrimRight(s, " \t")
		if len(t) != len(s) {
			w.b.Reset()
			w.b.WriteString(t)
		}
		if w.b.Len() == 0 {
			return
		}
		switch {
		case w.lineStart:
			// A second break in a row: a lone backslash line is not read
			// as a break, an HTML break is.
			w.b.WriteString("<br>")
		case strings.HasSuffix(t, `\`):
			// "\\\\" + "\\\n" is misread; two trailing spaces also break.
			w.b.WriteString("  \n")
		default:
			w.b.WriteString("\\\n")
		}
		w.lineStart = true
		return
	}
	w.write("<br>")
}

func (w *inlineWriter) leaf(n *Node) {
	switch n.Type {
	case "text":
		if hasCode(n.Marks) {
			s := codeSpan(strings.ReplaceAll(n.Text, "\n", " "))
			if w.ctx == ctxTable {
				s = escapeTable(s)
			}
			w.write(s)
			return
		}
		lines := strings.Split(strings.ReplaceAll(n.Text, "\r\n", "\n"), "\n")
		for i, line := range lines {
			if i > 0 {
				w.hardBreak()
			}
			if w.lineStart {
				line = strings.TrimLeft(line, " \t")
			}
			if line == "" {
				continue
			}
			w.write(escapeWith(line, w.lineStart, w.ctx == ctxTable, true, w.inLink > 0))
		}
	case "hardBreak":
		w.hardBreak()
	case "mention":
		name := strings.TrimPrefix(n.StringAttr("text"), "@")
		id := n.StringAttr("id")
		dest := "accountid:" + id
		w.write("@[" + escapeText(name, false, w.ctx == ctxTable) + "](" + linkDest(dest) + ")")
	case "emoji":
		short := strings.Trim(n.StringAttr("shortName"), ":")
		if _, ok := emojiByName()[short]; ok && strings.HasPrefix(n.StringAttr("shortName"), ":") {
			w.write(":" + short + ":")
			return
		}
		if t := n.StringAttr("text"); t != "" {
			if name, ok := emojiByText()[t]; ok {
				w.write(":" + name + ":")
				return
			}
			w.write(escapeText(t, w.lineStart, w.ctx == ctxTable))
			return
		}
		w.write(escapeText(n.StringAttr("shortName"), w.lineStart, w.ctx == ctxTable))
	case "date":
		w.write(adfDateText(n.StringAttr("timestamp")))
	case "status":
		color := n.StringAttr("color")
		if !statusColors[color] && !hexColor(color) {
			color = "neutral"
		}
		txt := n.StringAttr("text")
		if strings.TrimSpace(txt) == "" {
			w.write("[status: " + color + "]")
			return
		}
		w.write("{status:" + color + " " + escapeStatus(strings.TrimSpace(txt), w.ctx == ctxTable) + "}")
	case "inlineCard":
		w.write(w.r.card(n))
	case "placeholder":
		w.write("[placeholder: " + escapeText(n.StringAttr("text"), false, w.ctx == ctxTable) + "]")
	case "inlineExtension", "extension":
		s := extensionPlaceholder(n)
		if w.ctx == ctxTable {
			s = escapeTable(s)
		}
		w.write(s)
	case "mediaInline", "media":
		s := w.r.media(n)
		if w.ctx == ctxTable {
			s = escapeTable(s)
		}
		w.write(s)
	default:
		head := "[" + escapeText(n.Type, false, false) + "]"
		switch {
		case n.Text != "":
			w.write(head + " " + escapeText(n.Text, false, w.ctx == ctxTable))
		case len(n.Content) > 0 && allInline(n.Content):
			w.write(head + " ")
			w.items(buildSpans(n.Content, nil), 0)
		case len(n.Content) > 0:
			w.write(head + " " + escapeText(plainText(n.Content), false, w.ctx == ctxTable))
		default:
			w.write(head)
		}
	}
}
