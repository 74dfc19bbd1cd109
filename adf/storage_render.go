package adf

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
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
		w.text(storagePlainText(n))
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
		w.codeMacro(n.StringAttr("language"), storagePlainText(n))
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
		for _, c := range n.Content {
			if c == nil {
				continue
			}
			if c.Type == "media" {
				w.media(c, true)
			} else if c.Type == "caption" {
				w.str("<p>")
				w.inlines(c.Content, depth+1)
				w.str("</p>")
			}
		}
	case "media":
		w.media(n, true)
	case "blockCard", "embedCard":
		u := n.StringAttr("url")
		w.str("<p>")
		if u != "" {
			w.link(u, func() { w.text(u) })
		} else {
			w.placeholder(n.Type, storagePlainText(n))
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
		w.placeholder(n.Type, storagePlainText(n))
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

func (w *storageWriter) codeMacro(lang, code string) {
	w.str(`<ac:structured-macro ac:name="code">`)
	if l := storageLanguage(lang); l != "" {
		w.param("language", l)
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
func (w *storageWriter) media(n *Node, block bool) {
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
	w.str("</ac:image>")
}

func unescapePath(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// statusColours maps ADF status colours to the status macro's colour.
var statusColours = map[string]string{
	"neutral": "Grey", "purple": "Purple", "blue": "Blue",
	"red": "Red", "yellow": "Yellow", "green": "Green",
}

func (w *storageWriter) inlines(nodes []*Node, depth int) {
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		if n == nil {
			continue
		}
		if href := linkHref(n); href != "" {
			// Group the run of nodes that share this link into one link.
			j := i + 1
			for j < len(nodes) && nodes[j] != nil && linkHref(nodes[j]) == href {
				j++
			}
			run := nodes[i:j]
			w.linkRun(href, run, depth)
			i = j - 1
			continue
		}
		w.inline(n, depth, false)
	}
}

func linkHref(n *Node) string {
	for _, m := range n.Marks {
		if m.Type == "link" {
			if h := m.StringAttr("href"); h != "" {
				return h
			}
		}
	}
	return ""
}

// linkRun writes the inline nodes of run (which share one link mark) as one
// link. A run of unformatted text gets a plain-text ac:link body.
func (w *storageWriter) linkRun(href string, run []*Node, depth int) {
	plain := true
	var text strings.Builder
	for _, r := range run {
		if r.Type != "text" || len(r.Marks) != 1 {
			plain = false
			break
		}
		text.WriteString(r.Text)
	}
	body := func() {
		for _, r := range run {
			w.inline(r, depth, true)
		}
	}
	if plain {
		w.linkPlain(href, text.String(), body)
		return
	}
	w.linkPlain(href, "", body)
}

// link writes a link to href around the content written by body.
func (w *storageWriter) link(href string, body func()) { w.linkPlain(href, "", body) }

// linkPlain writes a link to href around the content written by body.
// Links to Confluence pages, attachments, spaces and anchors become
// ac:link, with a plain-text body when plain is not empty.
func (w *storageWriter) linkPlain(href, plain string, body func()) {
	var resource string
	switch {
	case strings.HasPrefix(href, "confluence-page:"), strings.HasPrefix(href, "confluence-blogpost:"):
		kind, rest, _ := strings.Cut(href, ":")
		rest, anchor, _ := strings.Cut(rest, "#")
		space, title, ok := strings.Cut(rest, "/")
		if !ok {
			space, title = "", rest
		}
		tag := "ri:page"
		if kind == "confluence-blogpost" {
			tag = "ri:blog-post"
		}
		var b strings.Builder
		sw := &storageWriter{}
		sw.str("<" + tag)
		if space != "" {
			sw.attr("ri:space-key", unescapePath(space))
		}
		sw.attr("ri:content-title", unescapePath(title))
		sw.str(" />")
		b.WriteString(sw.b.String())
		resource = b.String()
		w.acLink(unescapePath(anchor), resource, plain, body)
		return
	case strings.HasPrefix(href, "confluence-attachment:"):
		fn, anchor, _ := strings.Cut(strings.TrimPrefix(href, "confluence-attachment:"), "#")
		sw := &storageWriter{}
		sw.str("<ri:attachment")
		sw.attr("ri:filename", unescapePath(fn))
		sw.str(" />")
		w.acLink(unescapePath(anchor), sw.b.String(), plain, body)
		return
	case strings.HasPrefix(href, "confluence-space:"):
		key, _, _ := strings.Cut(strings.TrimPrefix(href, "confluence-space:"), "#")
		sw := &storageWriter{}
		sw.str("<ri:space")
		sw.attr("ri:space-key", unescapePath(key))
		sw.str(" />")
		w.acLink("", sw.b.String(), plain, body)
		return
	case strings.HasPrefix(href, "#") && len(href) > 1:
		w.acLink(unescapePath(href[1:]), "", plain, body)
		return
	}
	w.str("<a")
	w.attr("href", href)
	w.str(">")
	body()
	w.str("</a>")
}

// acLink writes <ac:link> with an optional anchor, a resource identifier
// and a plain-text body (plain) or a rich one (body).
func (w *storageWriter) acLink(anchor, resource, plain string, body func()) {
	w.str("<ac:link")
	if anchor != "" {
		w.attr("ac:anchor", anchor)
	}
	w.str(">")
	w.str(resource)
	if plain != "" {
		w.str("<ac:plain-text-link-body>")
		w.cdata(plain)
		w.str("</ac:plain-text-link-body></ac:link>")
		return
	}
	w.str("<ac:link-body>")
	body()
	w.str("</ac:link-body></ac:link>")
}

// markTags maps marks to their storage open and close tags, outermost
// first. link is handled by inlines; code must be innermost.
var markOrder = []string{"strong", "em", "underline", "strike", "subsup", "textColor", "backgroundColor", "code"}

func (w *storageWriter) inline(n *Node, depth int, inLink bool) {
	if depth > MaxDepth+8 {
		w.text(storagePlainText(n))
		return
	}
	var closes []string
	for _, mt := range markOrder {
		for _, m := range n.Marks {
			if m.Type != mt {
				continue
			}
			switch mt {
			case "strong":
				w.str("<strong>")
				closes = append(closes, "</strong>")
			case "em":
				w.str("<em>")
				closes = append(closes, "</em>")
			case "underline":
				w.str("<u>")
				closes = append(closes, "</u>")
			case "strike":
				w.str(`<span style="text-decoration: line-through;">`)
				closes = append(closes, "</span>")
			case "subsup":
				tag := "sup"
				if m.StringAttr("type") == "sub" {
					tag = "sub"
				}
				w.str("<" + tag + ">")
				closes = append(closes, "</"+tag+">")
			case "textColor", "backgroundColor":
				c := m.StringAttr("color")
				if !isHexColour(c) {
					continue
				}
				prop := "color"
				if mt == "backgroundColor" {
					prop = "background-color"
				}
				w.str(`<span style="` + prop + `: ` + c + `;">`)
				closes = append(closes, "</span>")
			case "code":
				w.str("<code>")
				closes = append(closes, "</code>")
			}
		}
	}
	switch n.Type {
	case "text":
		w.inlineText(n.Text, hasMark(n, "code") || inLink)
	case "hardBreak":
		w.str("<br />")
	case "mention":
		w.str("<ac:link><ri:user")
		w.attr("ri:account-id", n.StringAttr("id"))
		w.str(" /></ac:link>")
	case "emoji":
		short := n.StringAttr("shortName")
		txt := n.StringAttr("text")
		switch name := emoticonName(short, txt); {
		case name != "":
			w.str("<ac:emoticon")
			w.attr("ac:name", name)
			w.str(" />")
		case txt != "" && isShortcode(short):
			// Confluence Cloud's form for any emoji: the legacy name is a
			// fallback, the shortname and text say which emoji it is.
			w.str(`<ac:emoticon ac:name="blue-star"`)
			w.attr("ac:emoji-shortname", short)
			w.attr("ac:emoji-id", emojiID(n.StringAttr("id"), txt))
			w.attr("ac:emoji-fallback", txt)
			w.str(" />")
		case txt != "":
			w.text(txt)
		default:
			w.text(short)
		}
	case "date":
		w.date(n)
	case "status":
		w.str(`<ac:structured-macro ac:name="status">`)
		if c := statusColours[n.StringAttr("color")]; c != "" {
			w.param("colour", c)
		}
		w.param("title", n.StringAttr("text"))
		w.str("</ac:structured-macro>")
	case "inlineCard":
		u := n.StringAttr("url")
		if u == "" || inLink {
			w.placeholder("card", u)
		} else {
			w.link(u, func() { w.text(u) })
		}
	case "inlineExtension":
		w.extensionInline(n)
	case "mediaInline", "media":
		w.media(n, false)
	case "placeholder":
		// Editor prompt text: not content.
	default:
		if len(n.Content) > 0 {
			w.placeholder(n.Type, "")
			w.inlines(n.Content, depth+1)
		} else {
			w.placeholder(n.Type, storagePlainText(n))
		}
	}
	for i := len(closes) - 1; i >= 0; i-- {
		w.str(closes[i])
	}
}

// inlineText writes text, turning {name:params} tokens of inline macros
// (see storage.go) back into structured macros unless literal is set.
func (w *storageWriter) inlineText(s string, literal bool) {
	for !literal {
		start := strings.IndexByte(s, '{')
		if start < 0 {
			break
		}
		name, params, end, ok := parseMacroToken(s[start:])
		if !ok || (params == nil && !inlineKnownMacros[name]) {
			w.text(s[:start+1])
			s = s[start+1:]
			continue
		}
		w.text(s[:start])
		w.macroInline(name, params)
		s = s[start+end:]
	}
	w.text(s)
}

func isShortcode(s string) bool {
	if len(s) < 3 || s[0] != ':' || s[len(s)-1] != ':' {
		return false
	}
	for _, r := range s[1 : len(s)-1] {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '+' || r == '-') {
			return false
		}
	}
	return true
}

// emojiID is the emoji id Confluence uses for a standard emoji: its code
// points in hex joined by "-" (without variation selectors).
func emojiID(id, text string) string {
	if id != "" {
		return id
	}
	var parts []string
	for _, r := range text {
		if r == 0xFE0F {
			continue
		}
		parts = append(parts, strconv.FormatInt(int64(r), 16))
	}
	return strings.Join(parts, "-")
}

func hasMark(n *Node, t string) bool {
	for _, m := range n.Marks {
		if m.Type == t {
			return true
		}
	}
	return false
}

func isHexColour(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// date writes <time datetime="YYYY-MM-DD" /> from the ms timestamp.
func (w *storageWriter) date(n *Node) {
	ts := n.StringAttr("timestamp")
	if ts == "" {
		if v, ok := n.IntAttr("timestamp"); ok {
			ts = strconv.Itoa(v)
		}
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
	if err != nil || ms < -62135596800000 || ms > 253402300799000 {
		w.placeholder("date", ts)
		return
	}
	day := time.UnixMilli(ms).UTC().Format("2006-01-02")
	w.str(`<time datetime="` + day + `" />`)
}

// confluenceMacroExtension is the extensionType of Confluence macros kept
// in ADF.
const confluenceMacroExtension = "com.atlassian.confluence.macro.core"

// extensionParams reads the macro parameters of an ADF extension node:
// attrs.parameters.macroParams.{name}.value, in name order.
func extensionParams(n *Node) [][2]string {
	p, _ := n.Attrs["parameters"].(map[string]any)
	mp, _ := p["macroParams"].(map[string]any)
	var out [][2]string
	for _, k := range sortedKeys(mp) {
		v := mp[k]
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		out = append(out, [2]string{k, attrString(v)})
	}
	return out
}

func (w *storageWriter) extension(n *Node, depth int) {
	key := n.StringAttr("extensionKey")
	if n.StringAttr("extensionType") != confluenceMacroExtension || !validMacroName(key) {
		w.str("<p>")
		w.placeholder("extension "+n.StringAttr("extensionType")+" "+key, "")
		w.str("</p>")
		if len(n.Content) > 0 {
			w.blocks(n.Content, depth+1)
		}
		return
	}
	params := extensionParams(n)
	if n.Type == "bodiedExtension" {
		w.macroBlock(key, params, n.Content, depth)
		return
	}
	w.macroBlock(key, params, nil, depth)
}

func (w *storageWriter) extensionInline(n *Node) {
	key := n.StringAttr("extensionKey")
	if n.StringAttr("extensionType") != confluenceMacroExtension || !validMacroName(key) {
		w.placeholder("extension "+key, "")
		return
	}
	w.macroInline(key, extensionParams(n))
}

func (w *storageWriter) macroStart(name string, params [][2]string) {
	w.str("<ac:structured-macro")
	w.attr("ac:name", name)
	w.str(">")
	for _, p := range params {
		w.param(p[0], p[1])
	}
}

func (w *storageWriter) macroInline(name string, params [][2]string) {
	w.macroStart(name, params)
	w.str("</ac:structured-macro>")
}

// macroBlock writes a macro with an optional body: a single code block
// becomes a plain-text body, anything else a rich-text body.
func (w *storageWriter) macroBlock(name string, params [][2]string, body []*Node, depth int) {
	w.macroStart(name, params)
	switch {
	case len(body) == 1 && body[0] != nil && body[0].Type == "codeBlock":
		w.str("<ac:plain-text-body>")
		w.cdata(storagePlainText(body[0]))
		w.str("</ac:plain-text-body>")
	case len(body) > 0:
		w.str("<ac:rich-text-body>")
		w.blocks(body, depth+1)
		w.str("</ac:rich-text-body>")
	}
	w.str("</ac:structured-macro>")
}

// knownMacros are Confluence macros whose bare {name} paragraph is taken
// as the macro (with parameters, any valid name is).
var knownMacros = map[string]bool{
	"toc": true, "children": true, "jira": true, "anchor": true, "excerpt": true,
	"excerpt-include": true, "include": true, "recently-updated": true,
	"contentbylabel": true, "pagetree": true, "pagetreesearch": true, "attachments": true,
	"gallery": true, "livesearch": true, "section": true, "column": true,
	"widget": true, "roadmap": true, "details": true, "detailssummary": true,
	"multimedia": true, "view-file": true, "viewpdf": true, "profile": true,
	"profile-picture": true, "create-from-template": true, "blog-posts": true,
	"space-details": true, "listlabels": true, "popular-labels": true,
	"related-labels": true, "index": true, "tasks-report-macro": true,
	"content-report-table": true, "spaces": true, "recently-updated-dashboard": true,
	"network": true, "iframe": true, "html": true, "status": true, "noformat": true,
}

// inlineKnownMacros are macros a bare {name} token inside text stands for.
var inlineKnownMacros = map[string]bool{"anchor": true, "profile-picture": true}

func validMacroName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// macroToken reports whether paragraph p is exactly one {name:params}
// token, returning the name and the parameters (nil when there are none).
func macroToken(p *Node) (string, [][2]string, bool) {
	s, ok := paragraphText(p)
	if !ok {
		return "", nil, false
	}
	name, params, end, ok := parseMacroToken(s)
	if !ok || end != len(s) {
		return "", nil, false
	}
	return name, params, true
}

// extensionPrefix starts ToMarkdown's placeholder for an ADF extension
// node holding a Confluence macro.
const extensionPrefix = "[extension: " + confluenceMacroExtension + " key="

// extensionToken reads ToMarkdown's placeholder for a Confluence macro
// extension, `[extension: com.atlassian.confluence.macro.core key=NAME
// param="value" ...]`, when it is the whole paragraph.
func extensionToken(p *Node) (string, [][2]string, bool) {
	s, ok := paragraphText(p)
	if !ok || !strings.HasPrefix(s, extensionPrefix) || !strings.HasSuffix(s, "]") {
		return "", nil, false
	}
	s = s[len(extensionPrefix) : len(s)-1]
	name, rest, _ := strings.Cut(s, " ")
	if !validMacroName(name) {
		return "", nil, false
	}
	var params [][2]string
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		key, after, ok := strings.Cut(rest, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			return "", nil, false
		}
		q, err := strconv.QuotedPrefix(after)
		if err != nil {
			return "", nil, false
		}
		val, err := strconv.Unquote(q)
		if err != nil {
			return "", nil, false
		}
		if key != "text" {
			params = append(params, [2]string{key, val})
		}
		rest = after[len(q):]
	}
	return name, params, true
}

// paragraphText is the text of a paragraph that holds one unmarked text
// node.
func paragraphText(p *Node) (string, bool) {
	if p.Type != "paragraph" || len(p.Content) != 1 || p.Content[0] == nil || p.Content[0].Type != "text" || len(p.Content[0].Marks) > 0 {
		return "", false
	}
	return strings.TrimSpace(p.Content[0].Text), true
}

// layoutToken reads "[layout: N columns]" (ToMarkdown's and
// StorageToMarkdown's layout marker).
func layoutToken(t string) (int, bool) {
	rest, ok := strings.CutPrefix(t, "[layout: ")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, " columns]")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n >= 1 && n <= 5
}

// columnToken reads "[column K]" or "[column K, width W%]", returning the
// width ("" when absent).
func columnToken(n *Node) (string, bool) {
	t, ok := paragraphText(n)
	if !ok {
		return "", false
	}
	rest, ok := strings.CutPrefix(t, "[column ")
	if !ok || !strings.HasSuffix(rest, "]") {
		return "", false
	}
	rest = rest[:len(rest)-1]
	num, width, _ := strings.Cut(rest, ", width ")
	if _, err := strconv.Atoi(num); err != nil {
		return "", false
	}
	return strings.TrimSuffix(width, "%"), true
}

// layoutFromMarkers writes the blocks between "[layout: N columns]" and
// "[/layout]" as an ac:layout, splitting columns at "[column K...]".
func (w *storageWriter) layoutFromMarkers(cols int, body []*Node, depth int) {
	var columns [][]*Node
	var widths []string
	for _, n := range body {
		if n == nil {
			continue
		}
		if width, ok := columnToken(n); ok {
			columns = append(columns, []*Node{})
			widths = append(widths, width)
			continue
		}
		if len(columns) == 0 {
			columns = append(columns, []*Node{})
			widths = append(widths, "")
		}
		columns[len(columns)-1] = append(columns[len(columns)-1], n)
	}
	if len(columns) == 0 {
		columns, widths = [][]*Node{{}}, []string{""}
	}
	w.openLayout()
	w.str("<ac:layout-section")
	w.attr("ac:type", layoutType(widths))
	w.str(">")
	for _, c := range columns {
		w.str("<ac:layout-cell>")
		w.blocks(c, depth+2)
		w.str("</ac:layout-cell>")
	}
	w.str("</ac:layout-section></ac:layout>")
}

// openLayout starts an ac:layout, or continues the one the previous
// sibling block closed: consecutive layout sections share one ac:layout,
// as in the pages Confluence writes. (Whatever was written last ends with
// "</ac:layout>" only when it was a layout: text is escaped and CDATA ends
// with "]]>".)
func (w *storageWriter) openLayout() {
	const end = "</ac:layout>"
	if bytes.HasSuffix(w.b.Bytes(), []byte(end)) {
		w.b.Truncate(w.b.Len() - len(end))
		return
	}
	w.str("<ac:layout>")
}

// layoutColumnWidth is a layoutColumn's width attribute as text.
func layoutColumnWidth(c *Node) string {
	switch v := c.Attrs["width"].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// layoutType picks Confluence's layout type for columns of these widths
// (in %, "" when unknown).
func layoutType(widths []string) string {
	f := make([]float64, len(widths))
	known := true
	for i, s := range widths {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			known = false
		}
		f[i] = v
	}
	switch len(widths) {
	case 1:
		return "single"
	case 2:
		switch {
		case known && f[0]+5 < f[1]:
			return "two_left_sidebar"
		case known && f[1]+5 < f[0]:
			return "two_right_sidebar"
		}
		return "two_equal"
	case 3:
		if known && f[1] > f[0]+5 && f[1] > f[2]+5 {
			return "three_with_sidebars"
		}
		return "three_equal"
	case 4:
		return "four_equal"
	}
	return "five_equal"
}

// macroClosers indexes, for one list of sibling blocks, the paragraphs
// that can close a bodied macro: "{name}" by name and "[/extension]", so
// finding the end of a macro costs a lookup, not a scan of what follows
// (a page of many macro tokens stays linear).
type macroClosers struct {
	at    map[string][]int // closing paragraph indices by name, ascending
	opens map[string][]int // "{name:params}" opening indices by name
}

func findClosers(nodes []*Node) *macroClosers {
	c := &macroClosers{at: map[string][]int{}, opens: map[string][]int{}}
	for i, n := range nodes {
		if n == nil || n.Type != "paragraph" {
			continue
		}
		t, ok := paragraphText(n)
		if !ok || len(t) < 3 {
			continue
		}
		if t == "[/extension]" || t == "[/layout]" {
			c.at[t] = append(c.at[t], i)
			continue
		}
		if name, params, end, ok := parseMacroToken(t); ok && end == len(t) {
			if params == nil {
				c.at[name] = append(c.at[name], i)
			} else {
				c.opens[name] = append(c.opens[name], i)
			}
		}
	}
	return c
}

// next returns the first closing index for name after i, or -1.
func (c *macroClosers) next(name string, i int) int {
	list := c.at[name]
	k := sort.SearchInts(list, i+1)
	if k < len(list) {
		return list[k]
	}
	return -1
}

// opensBetween reports whether another {name:params} opening sits between
// i and end (then the {name} at end closes that one, not ours).
func (c *macroClosers) opensBetween(name string, i, end int) bool {
	list := c.opens[name]
	k := sort.SearchInts(list, i+1)
	return k < len(list) && list[k] < end
}

// maxMacroParams bounds the length of a {name:params} parameter list.
const maxMacroParams = 2048

// parseMacroToken parses "{name}" or "{name:k=v|k2=v2}" at the start of s,
// returning the token length. Backslash escapes "|", "}", "=" and "\".
func parseMacroToken(s string) (name string, params [][2]string, end int, ok bool) {
	if len(s) < 3 || s[0] != '{' {
		return "", nil, 0, false
	}
	// Names and parameter lists are bounded, so scanning a text full of
	// "{" stays linear.
	i := 1
	for i < len(s) && i <= 65 && s[i] != ':' && s[i] != '}' {
		i++
	}
	if i >= len(s) || (s[i] != ':' && s[i] != '}') {
		return "", nil, 0, false
	}
	name = s[1:i]
	if !validMacroName(name) {
		return "", nil, 0, false
	}
	if s[i] == '}' {
		return name, nil, i + 1, true
	}
	i++ // past ':'
	var key, cur strings.Builder
	haveKey := false
	flush := func() {
		if haveKey || cur.Len() > 0 {
			params = append(params, [2]string{key.String(), cur.String()})
		}
		key.Reset()
		cur.Reset()
		haveKey = false
	}
	for limit := min(len(s), i+maxMacroParams); i < limit; i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '=' && !haveKey:
			key.WriteString(cur.String())
			cur.Reset()
			haveKey = true
		case c == '|':
			flush()
		case c == '}':
			flush()
			if params == nil {
				params = [][2]string{}
			}
			return name, params, i + 1, true
		case c == '\n' || c == '{':
			// A value never holds a bare "{" (escape it), so a text full
			// of "{" costs one short scan per brace.
			return "", nil, 0, false
		default:
			cur.WriteByte(c)
		}
	}
	return "", nil, 0, false
}

// storagePlainText returns the text content of n and its descendants. It
// walks with an explicit stack, so any depth is fine.
func storagePlainText(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	stack := []*Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
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
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return b.String()
}
