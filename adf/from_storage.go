package adf

import (
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// StorageToMarkdown converts a Confluence storage format body to markdown.
//
// Code macros become fenced code blocks with their language; info, tip,
// note and warning macros (and panel) become GitHub alerts; expand becomes
// <details>; task lists become "- [ ]" items; user links become
// @[Name](accountid:ID); page links become [text](confluence-page:KEY/Title);
// images and attachments become images and links; tables become GFM tables
// (block content in a cell is joined with <br>); emoticons become emoji;
// status macros and <time> become the status and date syntax of
// FromMarkdown. Every other macro becomes a visible {name:params}
// placeholder that keeps its name, parameters and body text. See the
// package notes in storage.go for the syntax and the limits: inputs larger
// than MaxInputSize fail with ErrTooLarge; malformed markup is read
// leniently and never fails.
func StorageToMarkdown(storage string) (string, error) {
	return markupToMarkdown(storage)
}

// HTMLToMarkdown converts an HTML fragment (such as the renderedFields of
// a Jira issue) to markdown with the conventions of StorageToMarkdown:
// storage format is XHTML, so both go through one parser and one set of
// renderers (GFM tables, fenced code, strikethrough). Markup is read
// leniently and never fails; inputs larger than MaxInputSize fail with
// ErrTooLarge.
func HTMLToMarkdown(html string) (string, error) {
	return markupToMarkdown(html)
}

// markupToMarkdown is the one HTML/storage -> markdown path.
func markupToMarkdown(storage string) (string, error) {
	if len(storage) > MaxInputSize {
		return "", ErrTooLarge
	}
	storage = cleanText(storage)
	doc := parseStorage(storage, maxStorageDepth)
	normalizeStorage(doc)
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(
			commonmark.WithHorizontalRule("---"),
			commonmark.WithListEndComment(false),
		),
		strikethrough.NewStrikethroughPlugin(),
		&storagePlugin{},
	))
	out, err := conv.ConvertNode(doc)
	if err != nil {
		return "", err
	}
	md := string(out)
	if md != "" {
		md += "\n"
	}
	return md, nil
}

// maxStorageDepth is how deep storage elements may nest before the parser
// flattens them. Real pages stay far below it (a table in a panel in a
// layout in a list is about 15). Every level of quote, panel or list adds a
// prefix to each line below it and a copy of its content, so the limit
// also bounds the output size and the work per input byte.
const maxStorageDepth = 32

// cleanText makes s valid UTF-8 without the control characters XML 1.0
// forbids (everything below U+0020 except tab, LF and CR, and U+FFFE/FFFF).
func cleanText(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				ok = false
				break
			}
			if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF) {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		if xmlChar(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xD800 && r <= 0xDFFF:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	case r > 0x10FFFF:
		return false
	}
	return true
}

// Element names the normalizer produces for the renderers. They cannot
// clash with storage: the tokenizer lower-cases every element name it
// reads, and these are upper case.
const (
	elCode        = "X-CODE"
	elAlert       = "X-ALERT"
	elDetails     = "X-DETAILS"
	elTaskList    = "X-TASKLIST"
	elTask        = "X-TASK"
	elMention     = "X-MENTION"
	elStatus      = "X-STATUS"
	elDate        = "X-DATE"
	elMacroBlock  = "X-MACRO"
	elMacroInline = "X-MACRO-INLINE"
	elRawInline   = "X-RAW"      // <u>, <sub>, <sup>: kept as inline HTML
	elVerbatim    = "X-VERBATIM" // markdown written as is (attribute "text")
	elLayout      = "X-LAYOUT"   // an ac:layout-section
)

// inlineParents are elements whose macro children are inline.
var inlineParents = map[string]bool{
	"p": true, "span": true, "a": true, "strong": true, "b": true, "em": true,
	"i": true, "u": true, "del": true, "s": true, "strike": true, "code": true,
	"sub": true, "sup": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "ac:task-body": true, "ac:link-body": true,
	elMention: true, "ac:inline-comment-marker": true, "small": true, "big": true,
}

// inlineMacros are macros Confluence renders inline wherever they sit.
var inlineMacros = map[string]bool{
	"status": true, "jira": true, "anchor": true, "profile-picture": true,
	"emoticon": true,
}

func newElement(name string) *html.Node {
	return &html.Node{Type: html.ElementNode, Data: name, DataAtom: atom.Lookup([]byte(name))}
}

func setAttr(n *html.Node, key, val string) {
	for i := range n.Attr {
		if n.Attr[i].Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

// moveChildren moves the children of from to the end of to.
func moveChildren(to, from *html.Node) {
	for c := from.FirstChild; c != nil; {
		next := c.NextSibling
		from.RemoveChild(c)
		to.AppendChild(c)
		c = next
	}
}

// replaceNode puts repl where n is and returns repl.
func replaceNode(n, repl *html.Node) *html.Node {
	n.Parent.InsertBefore(repl, n)
	n.Parent.RemoveChild(n)
	return repl
}

func textNode(s string) *html.Node { return &html.Node{Type: html.TextNode, Data: s} }

// normalizeStorage rewrites the ac:/ri: elements of a parsed storage tree
// into the x- elements (and plain HTML) that the renderers understand.
func normalizeStorage(doc *html.Node) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode {
				c = normalizeElement(c)
				if c != nil {
					walk(c)
				}
			}
			c = next
		}
	}
	walk(doc)
	canonicalMarks(doc)
	markAltLists(doc)
}

// markAltLists marks every list that directly follows a list of the same
// family (bullets and tasks, or numbers) with x-alt, alternating, so it is
// written with the other marker ("*", "1)"): markdown would merge two
// adjacent "-" lists into one. ToMarkdown does the same for ADF.
func markAltLists(n *html.Node) {
	prev, alt := "", false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			markAltLists(c)
		}
		if rendersNothing(c) {
			continue // whitespace, empty paragraphs and lists do not separate lists
		}
		family := ""
		if c.Type == html.ElementNode {
			switch c.Data {
			case "ul", elTaskList:
				family = "bullet"
			case "ol":
				family = "ordered"
			}
		}
		switch {
		case family != "" && family == prev:
			alt = !alt
			if alt {
				setAttr(c, "x-alt", "1")
			}
		case family != "":
			prev, alt = family, false
		default:
			prev, alt = "", false
		}
	}
}

// rendersNothing says whether n writes no markdown: whitespace, a comment,
// or an element with no text and no element inside but <br>.
func rendersNothing(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return strings.TrimSpace(n.Data) == ""
	case html.CommentNode:
		return true
	case html.ElementNode:
		if n.Data == "hr" || n.Data == "img" || strings.HasPrefix(n.Data, "X-") {
			return false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "br" {
				continue
			}
			if !rendersNothing(c) {
				return false
			}
		}
		return true
	}
	return false
}

// canonicalMarks reorders directly nested inline marks into the order
// ToStorage writes them (link outermost, then strong, em, u, strike,
// sub/sup, colour, background, code): ADF keeps marks as a set, so
// <sup><a>1</a></sup> comes back from markdown -> storage as
// <a><sup>1</sup></a>, and markdown written in the other order would change
// on the second round trip. Only a mark whose whole content is another
// mark is reordered.
func canonicalMarks(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		canonicalMarks(c)
	}
	for cur := n; ; {
		rc := markRankOf(cur)
		child := cur.FirstChild
		if rc < 0 || child == nil || child.NextSibling != nil {
			return
		}
		rk := markRankOf(child)
		if rk < 0 || rk >= rc {
			return
		}
		cur.Data, child.Data = child.Data, cur.Data
		cur.DataAtom, child.DataAtom = child.DataAtom, cur.DataAtom
		cur.Attr, child.Attr = child.Attr, cur.Attr
		cur = child
	}
}

// markRankOf is the nesting rank of an inline mark element after
// normalizeElement, or -1 for anything else.
func markRankOf(n *html.Node) int {
	if n.Type != html.ElementNode {
		return -1
	}
	switch n.Data {
	case "a":
		if attr(n, "href") == "" && attr(n, "name") != "" {
			return -1
		}
		return 0
	case "strong", "b":
		return 1
	case "em", "i":
		return 2
	case "del", "s", "strike":
		return 4
	case "code":
		return 8
	case elRawInline:
		switch attr(n, "tag") {
		case "u":
			return 3
		case "sub", "sup":
			return 5
		case "span":
			if strings.HasPrefix(attr(n, "style"), "background") {
				return 7
			}
			return 6
		}
	}
	return -1
}

// normalizeElement rewrites one element and returns the node whose
// children still need normalizing (nil when nothing is left to walk).
func normalizeElement(n *html.Node) *html.Node {
	switch n.Data {
	case "ac:structured-macro", "ac:macro":
		return normalizeMacro(n)
	case "ac:link":
		return normalizeLink(n)
	case "ac:image":
		return normalizeImage(n)
	case "ac:emoticon":
		return normalizeEmoticon(n)
	case "ac:task-list":
		return normalizeTaskList(n)
	case "time":
		d := newElement(elDate)
		setAttr(d, "datetime", attr(n, "datetime"))
		if t := strings.TrimSpace(textOf(n)); t != "" && t != strings.TrimSpace(attr(n, "datetime")) {
			// Text inside <time> (exports, other tools) is what the reader
			// sees: it is kept as text, since ADF's date has no text.
			setAttr(d, "text", "1")
		}
		moveChildren(d, n)
		if d.FirstChild == nil {
			d.AppendChild(textNode("date"))
		}
		replaceNode(n, d)
		return d
	case "span":
		style := strings.ToLower(attr(n, "style"))
		if strings.Contains(style, "line-through") {
			n.Data, n.DataAtom = "del", atom.Del
			return n
		}
		if prop, colour, ok := spanColour(style); ok {
			// FromMarkdown reads exactly this form back as textColor or
			// backgroundColor.
			n.Data, n.DataAtom = elRawInline, 0
			n.Attr = []html.Attribute{{Key: "tag", Val: "span"}, {Key: "style", Val: prop + ": " + colour}}
		}
		return n
	case "strong", "b", "em", "i", "del", "s", "strike", "code":
		// A mark inside the same mark means nothing more, and markdown
		// cannot nest it unambiguously (**a **b** c**): drop the inner one.
		if hasMarkAncestor(n, markKind[n.Data]) {
			n.Data, n.DataAtom = "span", atom.Span
			n.Attr = nil
		}
		return n
	case "u", "sub", "sup", "ins":
		tag := n.Data
		if tag == "ins" {
			tag = "u"
		}
		n.Data, n.DataAtom = elRawInline, 0
		n.Attr = []html.Attribute{{Key: "tag", Val: tag}}
		return n
	case "li":
		unwrapListParagraph(n)
		return n
	case "a":
		if !hasAttr(n, "href") {
			// An anchor target (<a id=...>, <a name=...>) is no link.
			n.Data, n.DataAtom = "span", atom.Span
			n.Attr = nil
		}
		return n
	case "p":
		// Breaks at the edges of a paragraph show nothing, and markdown
		// cannot write them (a "  " line would stay behind).
		for _, edge := range []func(*html.Node) *html.Node{
			func(p *html.Node) *html.Node { return p.FirstChild },
			func(p *html.Node) *html.Node { return p.LastChild },
		} {
			for c := edge(n); c != nil; c = edge(n) {
				if (c.Type == html.TextNode && strings.TrimSpace(c.Data) == "") || (c.Type == html.ElementNode && c.Data == "br") {
					n.RemoveChild(c)
					continue
				}
				break
			}
		}
		return n
	case "ac:placeholder":
		// Editor hint text of templates: not content.
		n.Parent.RemoveChild(n)
		return nil
	case "ac:parameter", "ri:user", "ri:page", "ri:attachment", "ri:url",
		"ri:space", "ri:blog-post", "ri:content-entity", "colgroup", "col":
		// Stray resource identifiers outside their macro/link carry no text.
		n.Parent.RemoveChild(n)
		return nil
	case "ac:layout-section":
		n.Data, n.DataAtom = elLayout, 0
		n.Attr = []html.Attribute{{Key: "type", Val: attr(n, "ac:type")}}
		return n
	case "ac:layout", "ac:layout-cell", "ac:rich-text-body", "ac:adf-content":
		n.Data, n.DataAtom = "div", atom.Div
		n.Attr = nil
		return n
	case "ac:plain-text-body":
		n.Data, n.DataAtom = "pre", atom.Pre
		return n
	case "ac:inline-comment-marker", "ac:link-body", "ac:plain-text-link-body",
		"ac:task-body":
		n.Data, n.DataAtom = "span", atom.Span
		n.Attr = nil
		return n
	case "ac:adf-extension":
		return normalizeADFExtension(n)
	}
	if strings.HasPrefix(n.Data, "ac:") || strings.HasPrefix(n.Data, "ri:") {
		// Unknown Confluence element: keep its content visibly.
		return normalizeUnknownElement(n)
	}
	return n
}

// spanColour reads a text or background colour from a span's style
// ("color: rgb(255, 86, 48);" or "color: #FF5630") as #rrggbb.
func spanColour(style string) (prop, colour string, ok bool) {
	for _, decl := range strings.Split(style, ";") {
		k, v, found := strings.Cut(decl, ":")
		if !found {
			continue
		}
		k = strings.TrimSpace(k)
		if k != "color" && k != "background-color" {
			continue
		}
		if c, ok := cssColour(strings.TrimSpace(v)); ok {
			return k, c, true
		}
	}
	return "", "", false
}

// cssColour converts "#rgb", "#rrggbb" or "rgb(r, g, b)" to "#rrggbb".
func cssColour(v string) (string, bool) {
	const hex = "0123456789abcdef"
	switch {
	case len(v) == 7 && v[0] == '#' && isHexColour(v):
		return v, true
	case len(v) == 4 && v[0] == '#' && isHexColour("#"+v[1:]+v[1:]):
		return "#" + string([]byte{v[1], v[1], v[2], v[2], v[3], v[3]}), true
	case strings.HasPrefix(v, "rgb(") && strings.HasSuffix(v, ")"):
		parts := strings.Split(v[4:len(v)-1], ",")
		if len(parts) != 3 {
			return "", false
		}
		out := []byte{'#'}
		for _, p := range parts {
			p = strings.TrimSpace(p)
			if p == "" || len(p) > 3 {
				return "", false
			}
			n := atoiBounded(p, 255)
			if strings.Trim(p, "0123456789") != "" || n > 255 {
				return "", false
			}
			out = append(out, hex[n>>4], hex[n&15])
		}
		return string(out), true
	}
	return "", false
}

// markKind groups the element names of one inline mark.
var markKind = map[string]string{
	"strong": "strong", "b": "strong", "em": "em", "i": "em",
	"del": "del", "s": "del", "strike": "del", "code": "code",
}

// hasMarkAncestor reports whether an ancestor of n is the mark kind.
func hasMarkAncestor(n *html.Node, kind string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && markKind[p.Data] == kind {
			return true
		}
	}
	return false
}

// unwrapListParagraph turns <li><p>text</p><ul>...</ul></li> into
// <li>text<ul>...</ul></li> so the list stays tight in markdown ("- text"
// with the nested list right below, no blank line).
func unwrapListParagraph(li *html.Node) {
	var para *html.Node
	for c := li.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && c.Data == "p":
			if para != nil {
				return
			}
			para = c
		case c.Type == html.ElementNode && (c.Data == "ul" || c.Data == "ol" || c.Data == "ac:task-list"):
		default:
			return
		}
	}
	if para == nil || para != firstElementChild(li) {
		return
	}
	for c := para.FirstChild; c != nil; {
		next := c.NextSibling
		para.RemoveChild(c)
		li.InsertBefore(c, para)
		c = next
	}
	li.RemoveChild(para)
}

func firstElementChild(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

// macroInfo is a structured macro read from storage.
type macroInfo struct {
	name      string
	params    [][2]string // in document order
	plainBody *string
	richBody  *html.Node
}

func (m *macroInfo) param(key string) string {
	for _, p := range m.params {
		if p[0] == key {
			return p[1]
		}
	}
	return ""
}

func readMacro(n *html.Node) *macroInfo {
	m := &macroInfo{name: strings.ToLower(strings.TrimSpace(attr(n, "ac:name")))}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.Data {
		case "ac:parameter":
			key := attr(c, "ac:name")
			m.params = append(m.params, [2]string{key, parameterText(c)})
		case "ac:plain-text-body":
			if m.plainBody == nil {
				s := textOf(c)
				m.plainBody = &s
			}
		case "ac:rich-text-body":
			if m.richBody == nil {
				m.richBody = c
			}
		}
	}
	return m
}

// parameterText is the value of an ac:parameter. Parameters may hold
// resource identifiers (a user, a page) rather than text.
func parameterText(p *html.Node) string {
	if s := strings.TrimSpace(textOf(p)); s != "" {
		return s
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.Data == "ac:link" {
			if s := parameterText(c); s != "" {
				return s
			}
		}
		switch c.Data {
		case "ri:user":
			return attr(c, "ri:account-id")
		case "ri:page":
			if k := attr(c, "ri:space-key"); k != "" {
				return k + ":" + attr(c, "ri:content-title")
			}
			return attr(c, "ri:content-title")
		case "ri:space":
			return attr(c, "ri:space-key")
		case "ri:attachment":
			return attr(c, "ri:filename")
		case "ri:url":
			return attr(c, "ri:value")
		}
	}
	return ""
}

// isInlineContext reports whether n sits inside inline content.
func isInlineContext(n *html.Node) bool {
	if n.Parent == nil || n.Parent.Type != html.ElementNode {
		return false
	}
	return inlineParents[n.Parent.Data]
}

// Panel macros and their alert kind. Confluence's "note" macro is the
// yellow warning panel and its "warning" macro the red error panel (ADF
// panelType warning and error), so they map to [!WARNING] and [!CAUTION].
var macroToAlert = map[string]string{
	"info":    "NOTE",
	"tip":     "TIP",
	"note":    "WARNING",
	"warning": "CAUTION",
	"panel":   "IMPORTANT",
}

func normalizeMacro(n *html.Node) *html.Node {
	m := readMacro(n)
	switch m.name {
	case "code", "noformat":
		el := newElement(elCode)
		body := ""
		if m.plainBody != nil {
			body = *m.plainBody
		} else if m.richBody != nil {
			body = textOf(m.richBody)
		}
		setAttr(el, "lang", codeLanguageFromStorage(m.param("language")))
		// The other parameters (title, linenumbers, ...) are kept readable
		// after the language in the info string.
		var info strings.Builder
		for _, p := range m.params {
			if p[0] == "language" || !infoParamRe().MatchString(p[0]+`=""`) {
				continue
			}
			info.WriteString(" " + p[0] + "=" + quoteInfo(p[1]))
		}
		setAttr(el, "title", info.String())
		// In an attribute the code is safe from whitespace collapsing.
		setAttr(el, "code", body)
		replaceNode(n, el)
		return nil
	case "info", "tip", "note", "warning", "panel":
		el := newElement(elAlert)
		setAttr(el, "kind", macroToAlert[m.name])
		setAttr(el, "title", m.param("title"))
		if m.richBody != nil {
			moveChildren(el, m.richBody)
		} else if m.plainBody != nil {
			el.AppendChild(textNode(*m.plainBody))
		}
		replaceNode(n, el)
		return el
	case "expand":
		el := newElement(elDetails)
		setAttr(el, "title", m.param("title"))
		if m.richBody != nil {
			moveChildren(el, m.richBody)
		}
		replaceNode(n, el)
		return el
	case "status":
		el := newElement(elStatus)
		setAttr(el, "colour", m.param("colour"))
		setAttr(el, "title", m.param("title"))
		el.AppendChild(textNode("status"))
		replaceNode(n, el)
		return nil
	}
	name := m.name
	if name == "" {
		name = "macro"
	}
	tag := elMacroBlock
	if inlineMacros[name] || isInlineContext(n) {
		tag = elMacroInline
	}
	el := newElement(tag)
	setAttr(el, "name", name)
	setAttr(el, "params", macroParams(m.params))
	switch {
	case m.richBody != nil:
		setAttr(el, "body", "rich")
		moveChildren(el, m.richBody)
	case m.plainBody != nil:
		setAttr(el, "body", "plain")
		setAttr(el, "code", *m.plainBody)
		el.AppendChild(textNode(name))
	default:
		el.AppendChild(textNode(name))
	}
	replaceNode(n, el)
	if m.richBody != nil {
		return el
	}
	return nil
}

// macroParams writes parameters the wiki-markup way: key=value|key=value,
// with "|", "{", "}", "=" and "\" in values escaped by a backslash.
func macroParams(params [][2]string) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('|')
		}
		if p[0] != "" {
			b.WriteString(escapeMacroValue(p[0]))
			b.WriteByte('=')
		}
		b.WriteString(escapeMacroValue(p[1]))
	}
	return b.String()
}

func escapeMacroValue(s string) string {
	if !strings.ContainsAny(s, "|{}\\=\n") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '|', '{', '}', '\\', '=':
			b.WriteByte('\\')
		case '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func normalizeADFExtension(n *html.Node) *html.Node {
	// <ac:adf-extension> wraps new-editor nodes (decision lists, ...) with an
	// <ac:adf-fallback> in plain storage: use the fallback when present.
	if fb := childElement(n, "ac:adf-fallback"); fb != nil {
		fb.Data, fb.DataAtom = "div", atom.Div
		n.Data, n.DataAtom = "div", atom.Div
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c != fb {
				n.RemoveChild(c)
			}
			c = next
		}
		return n
	}
	return normalizeUnknownElement(n)
}

func normalizeUnknownElement(n *html.Node) *html.Node {
	name := strings.TrimPrefix(strings.TrimPrefix(n.Data, "ac:"), "ri:")
	tag := elMacroBlock
	if isInlineContext(n) || n.FirstChild == nil {
		tag = elMacroInline
	}
	var params [][2]string
	for _, a := range n.Attr {
		params = append(params, [2]string{strings.TrimPrefix(strings.TrimPrefix(a.Key, "ac:"), "ri:"), a.Val})
	}
	el := newElement(tag)
	setAttr(el, "name", name)
	setAttr(el, "params", macroParams(params))
	if n.FirstChild != nil {
		setAttr(el, "body", "rich")
		moveChildren(el, n)
	}
	replaceNode(n, el)
	return el
}

// pageHref builds the confluence-page: URL of a page link.
// escapeAnchor percent-encodes an anchor for a markdown link fragment.
// "/" is left alone: anchors such as "API/v2-Guide" read back as written.
func escapeAnchor(a string) string {
	return strings.ReplaceAll(url.PathEscape(a), "%2F", "/")
}

func pageHref(space, title string) string {
	t := url.PathEscape(title)
	if space == "" {
		return "confluence-page:" + t
	}
	return "confluence-page:" + url.PathEscape(space) + "/" + t
}

func attachmentHref(filename string) string {
	return "confluence-attachment:" + url.PathEscape(filename)
}

func normalizeLink(n *html.Node) *html.Node {
	var target *html.Node
	var body *html.Node
	bodyText := ""
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch {
		case strings.HasPrefix(c.Data, "ri:"):
			if target == nil {
				target = c
			}
		case c.Data == "ac:plain-text-link-body":
			bodyText = textOf(c)
		case c.Data == "ac:link-body":
			body = c
		}
	}
	anchor := attr(n, "ac:anchor")
	if target != nil && target.Data == "ri:user" {
		el := newElement(elMention)
		id := attr(target, "ri:account-id")
		if id == "" {
			id = attr(target, "ri:userkey")
		}
		if id == "" {
			id = attr(target, "ri:username")
		}
		setAttr(el, "id", id)
		name := strings.TrimSpace(bodyText)
		if name == "" && body != nil {
			name = strings.TrimSpace(textOf(body))
		}
		setAttr(el, "name", name)
		el.AppendChild(textNode("mention"))
		replaceNode(n, el)
		return nil
	}
	a := newElement("a")
	label := ""
	href := ""
	if target == nil {
		if anchor != "" {
			href = "#" + escapeAnchor(anchor)
			label = anchor
		}
	} else {
		switch target.Data {
		case "ri:page", "ri:blog-post":
			title := attr(target, "ri:content-title")
			href = pageHref(attr(target, "ri:space-key"), title)
			label = title
			if target.Data == "ri:blog-post" {
				href = strings.Replace(href, "confluence-page:", "confluence-blogpost:", 1)
			}
		case "ri:attachment":
			fn := attr(target, "ri:filename")
			href = attachmentHref(fn)
			label = fn
		case "ri:space":
			k := attr(target, "ri:space-key")
			href = "confluence-space:" + url.PathEscape(k)
			label = k
		case "ri:url":
			href = attr(target, "ri:value")
			label = href
		case "ri:content-entity":
			href = "confluence-content:" + url.PathEscape(attr(target, "ri:content-id"))
			label = attr(target, "ri:content-id")
		default:
			label = strings.TrimPrefix(target.Data, "ri:")
		}
		if anchor != "" {
			href += "#" + escapeAnchor(anchor)
		}
	}
	setAttr(a, "href", href)
	switch {
	case body != nil && strings.TrimSpace(textOf(body)) != "":
		moveChildren(a, body)
	case strings.TrimSpace(bodyText) != "":
		a.AppendChild(textNode(bodyText))
	case label != "":
		a.AppendChild(textNode(label))
	default:
		a.AppendChild(textNode("link"))
	}
	replaceNode(n, a)
	return a
}

func normalizeImage(n *html.Node) *html.Node {
	img := newElement("img")
	src := ""
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.Data {
		case "ri:url":
			src = attr(c, "ri:value")
		case "ri:attachment":
			src = attachmentHref(attr(c, "ri:filename"))
		}
		if src != "" {
			break
		}
	}
	alt := attr(n, "ac:alt")
	if alt == "" {
		alt = attr(n, "ac:title")
	}
	setAttr(img, "src", src)
	setAttr(img, "alt", alt)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "ac:caption" {
			// The caption travels as the image title: ![alt](src "caption").
			if t := strings.Join(strings.Fields(textOf(c)), " "); t != "" {
				setAttr(img, "title", t)
			}
		}
	}
	if src == "" {
		n.Parent.RemoveChild(n)
		return nil
	}
	if isInlineContext(n) {
		replaceNode(n, img)
		return nil
	}
	// A block-level image is a paragraph of its own.
	p := newElement("p")
	p.AppendChild(img)
	replaceNode(n, p)
	return nil
}

func normalizeEmoticon(n *html.Node) *html.Node {
	text := emoticonMarkdown(attr(n, "ac:name"), attr(n, "ac:emoji-shortname"), attr(n, "ac:emoji-fallback"))
	el := newElement(elVerbatim)
	setAttr(el, "text", text)
	el.AppendChild(textNode("emoji"))
	replaceNode(n, el)
	return nil
}

func normalizeTaskList(n *html.Node) *html.Node {
	list := newElement(elTaskList)
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.ElementNode && c.Data == "ac:task" {
			task := newElement(elTask)
			status := ""
			if s := childElement(c, "ac:task-status"); s != nil {
				status = strings.TrimSpace(textOf(s))
			}
			setAttr(task, "status", status)
			if b := childElement(c, "ac:task-body"); b != nil {
				moveChildren(task, b)
			}
			list.AppendChild(task)
		}
		c = next
	}
	replaceNode(n, list)
	return list
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hasAttr says whether n has the attribute key (even if empty).
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
