package adf

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ToMarkdown renders an ADF document as markdown that FromMarkdown reads
// back to the same document wherever markdown can express it. Every node
// type of the ADF spec is handled; nodes markdown cannot express (media
// files, extensions, layouts, decisions, unknown types) become readable
// placeholders in square brackets that keep their text and essential
// attributes. Nothing is dropped silently. Documents nested deeper than
// MaxDepth return ErrTooDeep.
func ToMarkdown(d *Doc) (string, error) {
	if d == nil {
		return "", errors.New("adf: nil document")
	}
	r := &mdRenderer{}
	out := r.blocks(d.Content, 1)
	if r.err != nil {
		return "", r.err
	}
	if out == "" {
		return "", nil
	}
	return out + "\n", nil
}

// Markdown renders the document as markdown; see ToMarkdown.
func (d *Doc) Markdown() (string, error) { return ToMarkdown(d) }

type mdRenderer struct {
	err error
}

func (r *mdRenderer) tooDeep(depth int) bool {
	if depth > MaxDepth {
		if r.err == nil {
			r.err = ErrTooDeep
		}
		return true
	}
	return false
}

// blocks renders block nodes separated by blank lines.
func (r *mdRenderer) blocks(nodes []*Node, depth int) string {
	if r.tooDeep(depth) {
		return ""
	}
	var b strings.Builder
	prevList := ""
	alt := false
	for _, n := range nodes {
		if n == nil {
			continue
		}
		// Consecutive lists of the same kind need a different marker, or
		// markdown would merge them into one list.
		family := listFamily(n.Type)
		if family != "" && family == prevList {
			alt = !alt
		} else {
			alt = false
		}
		s := r.block(n, depth, alt)
		if family != "" {
			prevList = family
		} else if s != "" {
			prevList = ""
		}
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (r *mdRenderer) block(n *Node, depth int, alt bool) string {
	switch n.Type {
	case "paragraph":
		return r.inline(n.Content, ctxBlock, depth)
	case "heading":
		level, _ := n.IntAttr("level")
		level = min(max(level, 1), 6)
		s := r.inline(n.Content, ctxHeading, depth)
		if s == "" {
			return strings.Repeat("#", level)
		}
		if j := len(strings.TrimRight(s, "#")); j < len(s) && (j == 0 || s[j-1] == ' ' || s[j-1] == '\t') {
			// A trailing run of "#" after a space would be read as the
			// closing sequence.
			s = s[:j] + `\` + s[j:]
		}
		return strings.Repeat("#", level) + " " + s
	case "bulletList":
		marker := "-"
		if alt {
			marker = "*"
		}
		var items []string
		for _, it := range n.Content {
			items = append(items, r.listItem(it, marker, depth+1))
		}
		return strings.Join(items, "\n")
	case "orderedList":
		start, ok := n.IntAttr("order")
		if !ok || start < 0 {
			start = 1
		}
		start = min(start, 999999999-len(n.Content))
		delim := "."
		if alt {
			delim = ")"
		}
		var items []string
		for i, it := range n.Content {
			items = append(items, r.listItem(it, strconv.Itoa(start+i)+delim, depth+1))
		}
		return strings.Join(items, "\n")
	case "taskList":
		return r.taskList(n, depth, alt)
	case "decisionList":
		marker := "-"
		if alt {
			marker = "*"
		}
		var items []string
		for _, it := range n.Content {
			label := "Decision: "
			if st := it.StringAttr("state"); st != "" && st != "DECIDED" {
				label = "Decision (" + st + "): "
			}
			body := r.inline(it.Content, ctxBlock, depth+2)
			if it.Type != "decisionItem" {
				body = r.block(it, depth+2, false)
			}
			items = append(items, indentRest(marker+" "+escapeText(label, true, false)+body, strings.Repeat(" ", len(marker)+1)))
		}
		return strings.Join(items, "\n")
	case "codeBlock":
		return adfCodeFence(plainText(n.Content), n.StringAttr("language"))
	case "blockquote":
		return adfPrefixLines(r.blocks(n.Content, depth+1), "> ", ">")
	case "rule":
		return "---"
	case "table":
		return r.table(n, depth+1)
	case "panel":
		name := panelAlerts[n.StringAttr("panelType")]
		if name == "" {
			name = "NOTE"
		}
		body := r.blocks(n.Content, depth+1)
		if body == "" {
			return "> [!" + name + "]"
		}
		sep := "\n"
		if len(n.Content) > 0 && (n.Content[0].Type != "paragraph" || len(n.Content[0].Content) == 0) {
			// Only a paragraph may continue the alert line; anything else
			// could be read as part of it (a "-" line as a heading underline).
			sep = "\n>\n"
		}
		return "> [!" + name + "]" + sep + adfPrefixLines(body, "> ", ">")
	case "expand", "nestedExpand":
		body := r.blocks(n.Content, depth+1)
		s := "<details>\n<summary>" + htmlEscape(n.StringAttr("title")) + "</summary>\n\n"
		if body != "" {
			s += body + "\n\n"
		}
		return s + "</details>"
	case "mediaSingle", "mediaGroup":
		var parts []string
		for _, c := range n.Content {
			switch c.Type {
			case "media":
				parts = append(parts, r.media(c))
			case "caption":
				if s := r.inline(c.Content, ctxBlock, depth+1); s != "" {
					parts = append(parts, "*"+s+"*")
				}
			default:
				parts = append(parts, r.block(c, depth+1, false))
			}
		}
		return strings.Join(parts, "\n\n")
	case "media", "mediaInline":
		return r.media(n)
	case "blockCard", "embedCard":
		return r.card(n)
	case "extension", "bodiedExtension", "inlineExtension":
		head := extensionPlaceholder(n)
		if n.Type != "bodiedExtension" {
			return head
		}
		body := r.blocks(n.Content, depth+1)
		if body == "" {
			return head + "\n\n[/extension]"
		}
		return head + "\n\n" + body + "\n\n[/extension]"
	case "layoutSection":
		var b strings.Builder
		fmt.Fprintf(&b, "[layout: %d columns]", len(n.Content))
		for i, col := range n.Content {
			b.WriteString("\n\n")
			if w := attrString(col.Attrs["width"]); w != "" {
				fmt.Fprintf(&b, "[column %d, width %s%%]", i+1, w)
			} else {
				fmt.Fprintf(&b, "[column %d]", i+1)
			}
			if body := r.blocks(col.Content, depth+2); body != "" {
				b.WriteString("\n\n" + body)
			}
		}
		b.WriteString("\n\n[/layout]")
		return b.String()
	case "listItem":
		return r.listItem(n, "-", depth)
	case "taskItem", "blockTaskItem":
		return r.taskList(&Node{Type: "taskList", Content: []*Node{n}}, depth, alt)
	case "decisionItem":
		return r.block(&Node{Type: "decisionList", Content: []*Node{n}}, depth, alt)
	}
	if inlineTypes[n.Type] {
		return r.inline([]*Node{n}, ctxBlock, depth)
	}
	// Unknown block: a placeholder naming it, then its content.
	head := "[" + escapeText(n.Type, false, false) + "]"
	if len(n.Content) == 0 {
		if n.Text != "" {
			return head + " " + escapeText(n.Text, false, false)
		}
		return head
	}
	if allInline(n.Content) {
		return head + " " + r.inline(n.Content, ctxBlock, depth+1)
	}
	return head + "\n\n" + r.blocks(n.Content, depth+1)
}

// listFamily groups list types by the markers they share: bullet-style
// lists (bullets, tasks, decisions) all start with "-".
func listFamily(t string) string {
	switch t {
	case "bulletList", "taskList", "decisionList":
		return "bullet"
	case "orderedList":
		return "ordered"
	}
	return ""
}

func allInline(nodes []*Node) bool {
	for _, n := range nodes {
		if !inlineTypes[n.Type] {
			return false
		}
	}
	return true
}

// panelAlerts maps panel types to the alert names FromMarkdown reads back.
var panelAlerts = map[string]string{
	"info": "NOTE", "note": "IMPORTANT", "tip": "TIP", "warning": "WARNING",
	"error": "CAUTION", "success": "SUCCESS", "custom": "CUSTOM",
}

func (r *mdRenderer) listItem(it *Node, marker string, depth int) string {
	content := it.Content
	if it.Type != "listItem" {
		content = []*Node{it}
	}
	// A leading empty paragraph exists only because ADF forbids a list
	// spanItem that starts with a list; markdown writes that as "- - spanItem".
	if len(content) > 1 && content[0].Type == "paragraph" && len(content[0].Content) == 0 {
		switch content[1].Type {
		case "bulletList", "orderedList", "taskList":
			content = content[1:]
		}
	}
	body := r.blocks(content, depth+1)
	if body == "" {
		return marker
	}
	return indentRest(marker+" "+body, strings.Repeat(" ", len(marker)+1))
}

func (r *mdRenderer) taskList(n *Node, depth int, alt bool) string {
	marker := "-"
	if alt {
		marker = "*"
	}
	var lines []string
	for _, it := range n.Content {
		switch it.Type {
		case "taskItem", "blockTaskItem":
			box := "[ ] "
			if it.StringAttr("state") == "DONE" {
				box = "[x] "
			}
			var body string
			if it.Type == "taskItem" {
				body = r.inline(it.Content, ctxTask, depth+1)
			} else {
				body = r.blocks(it.Content, depth+1)
			}
			lines = append(lines, indentRest(marker+" "+box+body, "  "))
		case "taskList":
			sub := r.taskList(it, depth+1, false)
			if len(lines) == 0 {
				lines = append(lines, sub)
			} else {
				lines = append(lines, adfPrefixLines(sub, "  ", ""))
			}
		default:
			lines = append(lines, indentRest(marker+" "+r.block(it, depth+1, false), "  "))
		}
	}
	return strings.Join(lines, "\n")
}

func (r *mdRenderer) media(n *Node) string {
	typ := n.StringAttr("type")
	alt := n.StringAttr("alt")
	if url := n.StringAttr("url"); typ == "external" || (typ == "" && url != "") {
		return "![" + escapeText(alt, false, false) + "](" + linkDest(url) + ")"
	}
	var parts []string
	label := "media"
	if n.Type == "mediaInline" {
		label = "media inline"
	}
	if typ != "" {
		parts = append(parts, typ)
	}
	if alt != "" {
		parts = append(parts, "alt="+strconv.Quote(alt))
	}
	for _, k := range []string{"id", "collection", "width", "height"} {
		if v := attrString(n.Attrs[k]); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return "[" + escapeText(label+": "+strings.Join(parts, " "), false, false) + "]"
}

func (r *mdRenderer) card(n *Node) string {
	if url := n.StringAttr("url"); url != "" && !strings.ContainsAny(url, " <>\n") {
		return "<" + url + ">"
	}
	return "[" + n.Type + "]"
}

// extensionPlaceholder names an extension and its essential attributes.
func extensionPlaceholder(n *Node) string {
	parts := []string{"extension:"}
	if t := n.StringAttr("extensionType"); t != "" {
		parts = append(parts, t)
	}
	if k := n.StringAttr("extensionKey"); k != "" {
		parts = append(parts, "key="+k)
	}
	if p, ok := n.Attrs["parameters"].(map[string]any); ok {
		params := p
		if mp, ok := p["macroParams"].(map[string]any); ok {
			params = mp
		}
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := params[k]
			if m, ok := v.(map[string]any); ok {
				v = m["value"]
			}
			if s := attrString(v); s != "" {
				parts = append(parts, k+"="+strconv.Quote(s))
			}
		}
	}
	if t := n.StringAttr("text"); t != "" {
		parts = append(parts, "text="+strconv.Quote(t))
	}
	return "[" + escapeText(strings.Join(parts, " "), false, false) + "]"
}

// ---- tables ----

func (r *mdRenderer) table(n *Node, depth int) string {
	type cell struct {
		text   string
		header bool
	}
	var grid [][]*cell
	occupied := map[[2]int]bool{}
	for ri, row := range n.Content {
		for len(grid) <= ri {
			grid = append(grid, nil)
		}
		col := 0
		for _, c := range row.Content {
			for occupied[[2]int{ri, col}] {
				col++
			}
			colspan, _ := c.IntAttr("colspan")
			rowspan, _ := c.IntAttr("rowspan")
			colspan = min(max(colspan, 1), 1000)
			rowspan = min(max(rowspan, 1), len(n.Content)-ri)
			text := r.cellText(c, depth+2)
			for dr := 0; dr < rowspan; dr++ {
				for dc := 0; dc < colspan; dc++ {
					rr, cc := ri+dr, col+dc
					occupied[[2]int{rr, cc}] = true
					for len(grid) <= rr {
						grid = append(grid, nil)
					}
					for len(grid[rr]) <= cc {
						grid[rr] = append(grid[rr], nil)
					}
					if dr == 0 && dc == 0 {
						grid[rr][cc] = &cell{text: text, header: c.Type == "tableHeader"}
					} else {
						grid[rr][cc] = &cell{header: c.Type == "tableHeader"}
					}
				}
			}
			col += colspan
		}
	}
	width := 0
	for _, row := range grid {
		width = max(width, len(row))
	}
	if width == 0 {
		return ""
	}
	headerRow := len(grid) > 0
	if headerRow {
		for i := 0; i < width; i++ {
			if i >= len(grid[0]) || grid[0][i] == nil || !grid[0][i].header {
				headerRow = false
				break
			}
		}
	}
	writeRow := func(b *strings.Builder, row []*cell) {
		b.WriteString("|")
		for i := 0; i < width; i++ {
			t := ""
			if i < len(row) && row[i] != nil {
				t = row[i].text
			}
			b.WriteString(" " + t + " |")
		}
	}
	var b strings.Builder
	rows := grid
	if headerRow {
		writeRow(&b, grid[0])
		rows = grid[1:]
	} else {
		writeRow(&b, nil)
	}
	b.WriteString("\n|")
	for i := 0; i < width; i++ {
		b.WriteString(" --- |")
	}
	for _, row := range rows {
		b.WriteString("\n")
		writeRow(&b, row)
	}
	return b.String()
}

// cellText renders a table cell's blocks on one line, joined by <br>.
func (r *mdRenderer) cellText(c *Node, depth int) string {
	var parts []string
	var walk func(nodes []*Node, prefix string, d int)
	walk = func(nodes []*Node, prefix string, d int) {
		if r.tooDeep(d) {
			return
		}
		for _, b := range nodes {
			switch b.Type {
			case "paragraph", "heading", "taskItem", "decisionItem", "caption":
				s := r.inline(b.Content, ctxTable, d)
				if b.Type == "taskItem" {
					box := "[ ] "
					if b.StringAttr("state") == "DONE" {
						box = "[x] "
					}
					s = escapeText(box, false, true) + s
				}
				if s != "" || prefix != "" {
					parts = append(parts, prefix+s)
				}
			case "bulletList", "orderedList", "taskList", "decisionList", "listItem",
				"blockquote", "panel", "expand", "nestedExpand", "layoutSection", "layoutColumn", "bodiedExtension":
				p := prefix
				switch b.Type {
				case "listItem":
					p = prefix + "• "
				case "expand", "nestedExpand":
					parts = append(parts, "**"+escapeText(b.StringAttr("title"), false, true)+"**")
				case "bodiedExtension":
					parts = append(parts, escapeTable(extensionPlaceholder(b)))
				}
				walk(b.Content, p, d+1)
			case "codeBlock":
				for _, line := range strings.Split(plainText(b.Content), "\n") {
					if line != "" {
						parts = append(parts, prefix+escapeTable(codeSpan(line)))
					}
				}
			case "rule":
				parts = append(parts, "---")
			default:
				s := r.block(b, d, false)
				if s != "" {
					parts = append(parts, prefix+escapeTable(strings.ReplaceAll(s, "\n", " ")))
				}
			}
		}
	}
	walk(c.Content, "", depth)
	return strings.Join(parts, "<br>")
}

func escapeTable(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// ---- inline ----

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
		if _, ok := emojiByName[short]; ok && strings.HasPrefix(n.StringAttr("shortName"), ":") {
			w.write(":" + short + ":")
			return
		}
		if t := n.StringAttr("text"); t != "" {
			if name, ok := emojiByText[t]; ok {
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

// escapeStatus escapes status text: braces always, the rest as text.
func escapeStatus(s string, table bool) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "{}")
		if i < 0 {
			b.WriteString(escapeText(s, false, table))
			return b.String()
		}
		b.WriteString(escapeText(s[:i], false, table))
		b.WriteByte('\\')
		b.WriteByte(s[i])
		s = s[i+1:]
	}
}

func adfDateText(ts string) string {
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms < -62135596800000 || ms > 253402300799999 {
		return "[date: " + escapeText(ts, false, false) + "]"
	}
	t := time.UnixMilli(ms).UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return "{date:" + t.Format("2006-01-02") + "}"
	}
	if t.Nanosecond() != 0 {
		return "{date:" + t.Format("2006-01-02T15:04:05.000Z") + "}"
	}
	return "{date:" + t.Format("2006-01-02T15:04:05Z") + "}"
}

// codeSpan writes text as an inline code span with enough backticks.
func codeSpan(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// adfCodeFence writes a fenced code block.
func adfCodeFence(code, lang string) string {
	longest, run := 0, 0
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '`':
			run++
			longest = max(longest, run)
		default:
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	} else {
		lang = ""
	}
	if strings.Contains(lang, "`") {
		// Only a tilde fence may carry backticks in its info string.
		tl, tr := 0, 0
		for i := 0; i < len(code); i++ {
			if code[i] == '~' {
				tr++
				tl = max(tl, tr)
			} else {
				tr = 0
			}
		}
		fence = strings.Repeat("~", max(3, tl+1))
	}
	lang = strings.ReplaceAll(lang, `\`, `\\`)
	lang = strings.ReplaceAll(lang, "&", `\&`)
	code = strings.ReplaceAll(code, "\r\n", "\n")
	if code == "" {
		return fence + lang + "\n" + fence
	}
	return fence + lang + "\n" + code + "\n" + fence
}

// linkDest writes a link destination so that it reads back unchanged.
func linkDest(u string) string {
	var b strings.Builder
	angle := u == "" || strings.ContainsAny(u, " ()<>\t\n\r")
	if angle {
		b.WriteByte('<')
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '\\' || c == '<' || c == '>':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '&':
			if _, n := entityAt(u[i:]); n > 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case c == '\n' || c == '\r':
			b.WriteString("%0A")
		default:
			b.WriteByte(c)
		}
	}
	if angle {
		b.WriteByte('>')
	}
	return b.String()
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// escapeText escapes text so that markdown reads it back as the same text:
// markdown punctuation, entity-like ampersands, the extension syntaxes
// ({status:…}, {date:…}, :emoji:) and bare URLs or e-mail addresses that
// GFM would turn into links. At a line start, block markers are escaped.
func escapeText(s string, lineStart, table bool) string {
	return escapeWith(s, lineStart, table, false, false)
}

// escapeWith is escapeText; relaxed leaves alone characters that cannot
// start syntax where they stand (an underscore inside a word, a bracket not
// followed by "(", "<" not followed by a tag), which keeps prose and
// identifiers readable. inLink escapes every bracket (text of a link).
func escapeWith(s string, lineStart, table, relaxed, inLink bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	if lineStart {
		s = strings.TrimLeft(s, " \t")
		if s != "" {
			switch s[0] {
			case '#', '>', '-', '+', '=', '|':
				b.WriteByte('\\')
				b.WriteByte(s[0])
				s = s[1:]
			default:
				if s[0] >= '0' && s[0] <= '9' {
					j := 0
					for j < len(s) && j < 10 && s[j] >= '0' && s[j] <= '9' {
						j++
					}
					if j < len(s) && (s[j] == '.' || s[j] == ')') {
						b.WriteString(s[:j])
						b.WriteByte('\\')
						b.WriteByte(s[j])
						s = s[j+1:]
					}
				}
			}
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch c {
		case '`', '*', '~':
			b.WriteByte('\\')
		case '\\':
			if !relaxed || next == 0 || isASCIIPunct(next) {
				b.WriteByte('\\')
			}
		case '_':
			if !relaxed || i == 0 || next == 0 || !wordAround(s, i) {
				b.WriteByte('\\')
			}
		case '[':
			if !relaxed || inLink || i == 0 {
				b.WriteByte('\\')
			}
		case ']':
			if !relaxed || inLink || next == 0 || next == '(' || next == '[' || next == ':' {
				b.WriteByte('\\')
			}
		case '<':
			// "<" starts a tag or an autolink (even <|@x>) unless a space follows.
			if !relaxed || (next != ' ' && next != '\t') {
				b.WriteByte('\\')
			}
		case '|':
			if table {
				b.WriteByte('\\')
			}
		case '&':
			if _, n := entityAt(s[i:]); n > 0 {
				b.WriteByte('\\')
			}
		case '{':
			if strings.HasPrefix(s[i:], "{status:") || strings.HasPrefix(s[i:], "{date:") {
				b.WriteByte('\\')
			}
		case ':':
			if _, n := emojiAt(s[i:]); n > 0 {
				b.WriteByte('\\')
			} else if i >= 3 && strings.HasPrefix(s[i:], "://") && linkifyScheme(s[:i]) {
				b.WriteByte('\\')
			}
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") && (i == 3 || !isAlnum(s[i-4])) {
				b.WriteByte('\\')
			}
		case '@':
			if i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// wordAround reports whether s[i] sits between two word characters
// (neither whitespace nor punctuation), where "_" cannot be emphasis.
func wordAround(s string, i int) bool {
	p, _ := utf8.DecodeLastRuneInString(s[:i])
	n, _ := utf8.DecodeRuneInString(s[i+1:])
	return classRune(p) == 'a' && classRune(n) == 'a'
}

func linkifyScheme(before string) bool {
	if len(before) > 5 {
		before = before[len(before)-5:]
	}
	l := strings.ToLower(before)
	return strings.HasSuffix(l, "http") || strings.HasSuffix(l, "https") || strings.HasSuffix(l, "ftp")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '+' || c >= utf8.RuneSelf
}

// adfPrefixLines prefixes every line of s (blank lines get blankPrefix).
func adfPrefixLines(s, prefix, blankPrefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = blankPrefix
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// indentRest indents every line after the first (blank lines stay blank).
func indentRest(s, indent string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
