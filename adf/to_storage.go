package adf

import (
	"bytes"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// ToStorage writes an ADF document as Confluence storage format. The output
// is always well-formed XML (with the ac: and ri: prefixes undeclared, as
// Confluence expects): text and attributes are escaped, code bodies sit in
// CDATA split around "]]>", and nodes storage cannot express become their
// text with a visible placeholder. Confluence macros kept in ADF extension
// nodes (extensionType com.atlassian.confluence.macro.core) are written
// back as structured macros; a paragraph that is exactly a {name:params}
// token (see storage.go) becomes that macro. Nesting deeper than MaxDepth
// is flattened to text.
func ToStorage(d *Doc) (string, error) {
	if d == nil {
		return "", errors.New("adf: ToStorage: nil document")
	}
	w := &storageWriter{}
	w.b.Grow(1024)
	w.blocks(d.Content, 0)
	return w.b.String(), nil
}

type storageWriter struct {
	b      bytes.Buffer
	taskID int
}

func (w *storageWriter) str(s string) { w.b.WriteString(s) }

// text writes XML-escaped character data.
func (w *storageWriter) text(s string) { w.escaped(s, false) }

// attr writes ` key="escaped value"`.
func (w *storageWriter) attr(key, val string) {
	w.b.WriteByte(' ')
	w.b.WriteString(key)
	w.b.WriteString(`="`)
	w.escaped(val, true)
	w.b.WriteByte('"')
}

// escaped writes s with XML's special characters escaped; in an attribute
// value quotes, newlines and tabs are escaped too, so they survive
// attribute-value normalisation.
func (w *storageWriter) escaped(s string, inAttr bool) {
	s = cleanText(s)
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\r':
			esc = "&#13;"
		case inAttr && c == '"':
			esc = "&quot;"
		case inAttr && c == '\n':
			esc = "&#10;"
		case inAttr && c == '\t':
			esc = "&#9;"
		default:
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(esc)
		last = i + 1
	}
	w.b.WriteString(s[last:])
}

// cdata writes s as CDATA, splitting it around every "]]>".
func (w *storageWriter) cdata(s string) {
	s = cleanText(s)
	w.str("<![CDATA[")
	w.str(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	w.str("]]>")
}

func (w *storageWriter) param(name, value string) {
	w.str(`<ac:parameter`)
	w.attr("ac:name", name)
	w.str(">")
	w.text(value)
	w.str("</ac:parameter>")
}

func (w *storageWriter) blocks(nodes []*Node, depth int) {
	var closers *macroClosers
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		if n == nil {
			continue
		}
		if t, ok := paragraphText(n); ok && (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[extension:") || strings.HasPrefix(t, "[layout: ")) {
			if closers == nil {
				closers = findClosers(nodes)
			}
			if cols, ok := layoutToken(t); ok {
				if end := closers.next("[/layout]", i); end > 0 {
					w.layoutFromMarkers(cols, nodes[i+1:end], depth)
					i = end
					continue
				}
			}
			if name, params, ok := extensionToken(n); ok {
				if end := closers.next("[/extension]", i); end > 0 {
					w.macroBlock(name, params, nodes[i+1:end], depth)
					i = end
				} else {
					w.macroBlock(name, params, nil, depth)
				}
				continue
			}
			if name, params, ok := macroToken(n); ok {
				if end := closers.next(name, i); end > 0 && !closers.opensBetween(name, i, end) {
					w.macroBlock(name, params, nodes[i+1:end], depth)
					i = end
					continue
				}
				if params != nil || knownMacros[name] {
					w.macroBlock(name, params, nil, depth)
					continue
				}
			}
		}
		w.block(n, depth)
	}
}

func (w *storageWriter) block(n *Node, depth int) {
	if depth > MaxDepth {
		w.str("<p>")
		w.text(nodeText(n))
		w.str("</p>")
		return
	}
	switch n.Type {
	case "paragraph":
		if len(n.Content) == 0 {
			w.str("<p />")
			return
		}
		content := trimInlineEdges(n.Content)
		if len(content) == 0 {
			return // whitespace only
		}
		w.str("<p>")
		w.inlines(content, depth+1)
		w.str("</p>")
	case "heading":
		level, ok := n.IntAttr("level")
		if !ok || level < 1 || level > 6 {
			level = min(max(level, 1), 6)
		}
		tag := "h" + strconv.Itoa(level)
		w.str("<" + tag + ">")
		w.inlines(trimInlineEdges(n.Content), depth+1)
		w.str("</" + tag + ">")
	case "bulletList":
		w.str("<ul>")
		w.listItems(n.Content, depth+1)
		w.str("</ul>")
	case "orderedList":
		w.str("<ol")
		if order, ok := n.IntAttr("order"); ok && order != 1 && order >= 0 {
			w.attr("start", strconv.Itoa(order))
		}
		w.str(">")
		w.listItems(n.Content, depth+1)
		w.str("</ol>")
	case "listItem":
		w.listItems([]*Node{n}, depth)
	case "taskList":
		w.taskList(n, depth+1)
	case "decisionList":
		w.str("<ul>")
		for _, it := range n.Content {
			if it == nil {
				continue
			}
			w.str("<li>")
			if it.StringAttr("state") == "DECIDED" {
				w.text("Decision: ")
			} else {
				w.text("Undecided: ")
			}
			w.inlines(it.Content, depth+2)
			w.str("</li>")
		}
		w.str("</ul>")
	case "codeBlock":
		params, _ := n.Attrs[codeParamsAttr].([][2]string)
		w.codeMacro(n.StringAttr("language"), params, nodeText(n))
	case "blockquote":
		w.str("<blockquote>")
		w.blocks(n.Content, depth+1)
		w.str("</blockquote>")
	case "rule":
		w.str("<hr />")
	case "panel":
		w.panel(n, depth)
	case "expand", "nestedExpand":
		w.str(`<ac:structured-macro ac:name="expand">`)
		if t := n.StringAttr("title"); t != "" {
			w.param("title", t)
		}
		w.str("<ac:rich-text-body>")
		w.blocks(n.Content, depth+1)
		w.str("</ac:rich-text-body></ac:structured-macro>")
	case "table":
		w.table(n, depth)
	case "mediaSingle", "mediaGroup":
		w.mediaNodes(n.Content, true, depth)
	case "media":
		w.media(n, nil, true)
	case "blockCard", "embedCard":
		u := n.StringAttr("url")
		w.str("<p>")
		if u != "" {
			w.link(u, func() { w.text(u) })
		} else {
			w.placeholder(n.Type, nodeText(n))
		}
		w.str("</p>")
	case "layoutSection":
		w.layout(n, depth)
	case "extension", "bodiedExtension":
		w.extension(n, depth)
	case "text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard",
		"inlineExtension", "mediaInline", "placeholder":
		// Inline content where a block belongs: wrap it.
		w.str("<p>")
		w.inlines([]*Node{n}, depth+1)
		w.str("</p>")
	default:
		// Unknown block: keep its text, say what it was.
		if len(n.Content) > 0 && hasBlockChildren(n) {
			w.str("<p>")
			w.placeholder(n.Type, "")
			w.str("</p>")
			w.blocks(n.Content, depth+1)
			return
		}
		w.str("<p>")
		w.placeholder(n.Type, nodeText(n))
		w.str("</p>")
	}
}

// trimInlineEdges drops the whitespace at the start and end of a run of
// inline nodes (markdown cannot keep it, so neither do we), copying the
// edge text nodes rather than changing them.
func trimInlineEdges(in []*Node) []*Node {
	out := in
	for len(out) > 0 && out[0] != nil && out[0].Type == "text" && len(out[0].Marks) == 0 {
		t := strings.TrimLeft(out[0].Text, " \t\n")
		if t != "" {
			if t != out[0].Text {
				cp := *out[0]
				cp.Text = t
				out = append([]*Node{&cp}, out[1:]...)
			}
			break
		}
		out = out[1:]
	}
	for len(out) > 0 && out[len(out)-1] != nil && out[len(out)-1].Type == "text" && len(out[len(out)-1].Marks) == 0 {
		last := out[len(out)-1]
		t := strings.TrimRight(last.Text, " \t\n")
		if t != "" {
			if t != last.Text {
				cp := *last
				cp.Text = t
				out = append(append([]*Node{}, out[:len(out)-1]...), &cp)
			}
			break
		}
		out = out[:len(out)-1]
	}
	return out
}

func hasBlockChildren(n *Node) bool {
	for _, c := range n.Content {
		if c != nil && !inlineTypes[c.Type] {
			return true
		}
	}
	return false
}

// placeholder writes a visible marker for something storage cannot hold.
func (w *storageWriter) placeholder(kind, text string) {
	w.text("[" + kind)
	if text != "" {
		w.text(": " + text)
	}
	w.text("]")
}

func (w *storageWriter) listItems(items []*Node, depth int) {
	for _, it := range items {
		if it == nil {
			continue
		}
		w.str("<li>")
		if it.Type == "listItem" {
			w.blocks(it.Content, depth+1)
		} else {
			w.blocks([]*Node{it}, depth+1)
		}
		w.str("</li>")
	}
}

func (w *storageWriter) taskList(n *Node, depth int) {
	w.str("<ac:task-list>")
	items := n.Content
	for i := 0; i < len(items); i++ {
		it := items[i]
		if it == nil {
			continue
		}
		if it.Type == "taskList" {
			// A nested list with no task before it gets an empty task.
			w.openTask("TODO")
			w.taskList(it, depth+1)
			w.str("</ac:task-body></ac:task>")
			continue
		}
		w.openTask(it.StringAttr("state"))
		if it.Type == "blockTaskItem" {
			w.blocks(it.Content, depth+1)
		} else {
			w.inlines(it.Content, depth+1)
		}
		// Nested task lists follow their parent item in ADF; storage puts
		// them inside the parent's body.
		for i+1 < len(items) && items[i+1] != nil && items[i+1].Type == "taskList" {
			i++
			w.taskList(items[i], depth+1)
		}
		w.str("</ac:task-body></ac:task>")
	}
	w.str("</ac:task-list>")
}

func (w *storageWriter) openTask(state string) {
	w.taskID++
	status := "incomplete"
	if state == "DONE" {
		status = "complete"
	}
	w.str("<ac:task><ac:task-id>" + strconv.Itoa(w.taskID) + "</ac:task-id><ac:task-status>" + status + "</ac:task-status><ac:task-body>")
}

func (w *storageWriter) codeMacro(lang string, params [][2]string, code string) {
	w.str(`<ac:structured-macro ac:name="code">`)
	if lang = strings.TrimSpace(lang); lang != "" {
		w.param("language", lang)
	}
	for _, p := range params {
		if p[0] != "language" && validMacroName(p[0]) {
			w.param(p[0], p[1])
		}
	}
	w.str("<ac:plain-text-body>")
	w.cdata(code)
	w.str("</ac:plain-text-body></ac:structured-macro>")
}

// panelMacros maps an ADF panelType to the Confluence macro that shows the
// same colour and icon (see macroToAlert for the way back).
var panelMacros = map[string]string{
	"info":    "info",
	"tip":     "tip",
	"success": "tip",
	"warning": "note",
	"error":   "warning",
	"note":    "panel",
	"custom":  "panel",
}

// notePanelColour is the background of ADF's purple note panel, used for
// the generic panel macro that stands for it.
const notePanelColour = "#EAE6FF"

func (w *storageWriter) panel(n *Node, depth int) {
	pt := n.StringAttr("panelType")
	macro := panelMacros[pt]
	if macro == "" {
		macro = "info"
	}
	w.str(`<ac:structured-macro`)
	w.attr("ac:name", macro)
	w.str(">")
	content := n.Content
	if title, ok := panelTitle(content); ok {
		// StorageToMarkdown writes a panel's title as a bold first line.
		w.param("title", title)
		content = content[1:]
	}
	if macro == "panel" {
		colour := n.StringAttr("panelColor")
		if colour == "" {
			colour = notePanelColour
		}
		w.param("bgColor", colour)
	}
	w.str("<ac:rich-text-body>")
	w.blocks(content, depth+1)
	w.str("</ac:rich-text-body></ac:structured-macro>")
}

// panelTitle reports whether a panel's content starts with a paragraph that
// is all bold text, followed by more content: that is the panel's title.
func panelTitle(content []*Node) (string, bool) {
	if len(content) < 2 || content[0] == nil || content[0].Type != "paragraph" || len(content[0].Content) != 1 {
		return "", false
	}
	t := content[0].Content[0]
	if t == nil || t.Type != "text" || len(t.Marks) != 1 || t.Marks[0].Type != "strong" {
		return "", false
	}
	title := strings.TrimSpace(t.Text)
	return title, title != ""
}

func (w *storageWriter) table(n *Node, depth int) {
	w.str("<table><tbody>")
	for _, row := range n.Content {
		if row == nil {
			continue
		}
		w.str("<tr>")
		for _, cell := range row.Content {
			if cell == nil {
				continue
			}
			tag := "td"
			if cell.Type == "tableHeader" {
				tag = "th"
			}
			w.str("<" + tag)
			if cs, ok := cell.IntAttr("colspan"); ok && cs > 1 {
				w.attr("colspan", strconv.Itoa(min(cs, 1000)))
			}
			if rs, ok := cell.IntAttr("rowspan"); ok && rs > 1 {
				w.attr("rowspan", strconv.Itoa(min(rs, 1000)))
			}
			w.str(">")
			w.blocks(cell.Content, depth+2)
			w.str("</" + tag + ">")
		}
		w.str("</tr>")
	}
	w.str("</tbody></table>")
}

func (w *storageWriter) layout(n *Node, depth int) {
	cols := 0
	for _, c := range n.Content {
		if c != nil && c.Type == "layoutColumn" {
			cols++
		}
	}
	var widths []string
	for _, c := range n.Content {
		if c != nil && c.Type == "layoutColumn" {
			widths = append(widths, layoutColumnWidth(c))
		}
	}
	typ := layoutType(widths)
	if cols == 0 {
		typ = "single"
	}
	w.openLayout()
	w.str("<ac:layout-section")
	w.attr("ac:type", typ)
	w.str(">")
	for _, c := range n.Content {
		if c == nil {
			continue
		}
		w.str("<ac:layout-cell>")
		if c.Type == "layoutColumn" {
			w.blocks(c.Content, depth+2)
		} else {
			w.blocks([]*Node{c}, depth+2)
		}
		w.str("</ac:layout-cell>")
	}
	w.str("</ac:layout-section></ac:layout>")
}

// media writes an image: an external URL as ri:url, a
// confluence-attachment: URL as ri:attachment, a Media Services file as a
// placeholder naming it.
// mediaNodes writes the content of a mediaSingle or mediaGroup: a caption
// goes inside the image before it (ac:caption), or is a paragraph of its
// own after media that storage cannot show.
func (w *storageWriter) mediaNodes(content []*Node, block bool, depth int) {
	for i, c := range content {
		if c == nil {
			continue
		}
		switch c.Type {
		case "media":
			var caption *Node
			if i+1 < len(content) && content[i+1] != nil && content[i+1].Type == "caption" && isExternalMedia(c) {
				caption = content[i+1]
			}
			w.media(c, caption, block)
		case "caption":
			if i > 0 && isExternalMedia(content[i-1]) {
				continue
			}
			if block {
				w.str("<p>")
			}
			w.inlines(c.Content, depth+1)
			if block {
				w.str("</p>")
			}
		}
	}
}

func (w *storageWriter) media(n *Node, caption *Node, block bool) {
	alt := n.StringAttr("alt")
	u := n.StringAttr("url")
	if n.StringAttr("type") != "external" || u == "" {
		label := n.StringAttr("alt")
		if label == "" {
			label = n.StringAttr("id")
		}
		if block {
			w.str("<p>")
		}
		w.placeholder("media", label)
		if block {
			w.str("</p>")
		}
		return
	}
	w.str("<ac:image")
	if alt != "" {
		w.attr("ac:alt", alt)
	}
	if wd, ok := n.IntAttr("width"); ok && wd > 0 {
		w.attr("ac:width", strconv.Itoa(wd))
	}
	w.str(">")
	if fn, ok := strings.CutPrefix(u, "confluence-attachment:"); ok {
		w.str("<ri:attachment")
		w.attr("ri:filename", unescapePath(fn))
		w.str(" />")
	} else {
		w.str("<ri:url")
		w.attr("ri:value", u)
		w.str(" />")
	}
	if caption != nil && len(caption.Content) > 0 {
		w.str("<ac:caption><p>")
		w.inlines(caption.Content, 1)
		w.str("</p></ac:caption>")
	}
	w.str("</ac:image>")
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
