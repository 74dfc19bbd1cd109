package adf

import (
	"strconv"
	"strings"
	"time"
)

// statusColours maps ADF status colours to the status macro's colour.
var statusColours = map[string]string{
	"neutral": "Grey", "purple": "Purple", "blue": "Blue",
	"red": "Red", "yellow": "Yellow", "green": "Green",
}

func (w *storageWriter) inlines(nodes []*Node, depth int) {
	w.spans(nodes, nil, depth, false)
}

// spans writes inline nodes, opening each mark once for the whole run of
// nodes that shares it: at each node the mark with the longest run is
// opened first (ties go to the link, then markOrder), so
// "red, struck red, red" is one colour span around a strike, not three
// colour spans. open holds the marks already open around nodes. StorageToMarkdown reads the same nesting back, so the nesting is
// stable through markdown.
func (w *storageWriter) spans(nodes []*Node, open []*Mark, depth int, inLink bool) {
	for i := 0; i < len(nodes); {
		n := nodes[i]
		if n == nil {
			i++
			continue
		}
		var best *Mark
		bestEnd := i
		for _, mt := range spanOrder {
			for k := range n.Marks {
				m := &n.Marks[k]
				if m.Type != mt || !writesTag(m) {
					continue
				}
				if openMark(open, m) {
					continue
				}
				j := i + 1
				for j < len(nodes) && nodes[j] != nil && carriesMark(nodes[j], m) {
					j++
				}
				if j > bestEnd {
					best, bestEnd = m, j
				}
			}
		}
		if best == nil {
			w.inline(n, depth, inLink)
			i++
			continue
		}
		run := nodes[i:bestEnd]
		inner := append(open[:len(open):len(open)], best)
		if best.Type == "link" {
			w.linkRun(best.StringAttr("href"), run, inner, depth)
		} else {
			w.str(openTag(best))
			w.spans(run, inner, depth, inLink)
			w.str(closeTag(best))
		}
		i = bestEnd
	}
}

// spanOrder is the order marks open in when their runs are equally long:
// the link outermost, code innermost.
var spanOrder = append([]string{"link"}, markOrder...)

// carriesMark says whether n has mark m (same type and attributes).
func carriesMark(n *Node, m *Mark) bool {
	for _, x := range n.Marks {
		if x.Type == m.Type && sameAttrs(x.Attrs, m.Attrs) {
			return true
		}
	}
	return false
}

// openMark says whether a mark like m (same type and attributes) is open.
func openMark(open []*Mark, m *Mark) bool {
	for _, x := range open {
		if x.Type == m.Type && sameAttrs(x.Attrs, m.Attrs) {
			return true
		}
	}
	return false
}

// writesTag says whether a mark becomes an element in storage (a colour
// that is not #rrggbb does not).
func writesTag(m *Mark) bool {
	switch m.Type {
	case "textColor", "backgroundColor":
		return isHexColour(m.StringAttr("color"))
	case "link", "strong", "em", "underline", "strike", "subsup", "code":
		return true
	}
	return false
}

// openTag and closeTag are the storage elements of a mark other than link.
func openTag(m *Mark) string {
	switch m.Type {
	case "strong":
		return "<strong>"
	case "em":
		return "<em>"
	case "underline":
		return "<u>"
	case "strike":
		return `<span style="text-decoration: line-through;">`
	case "subsup":
		if m.StringAttr("type") == "sub" {
			return "<sub>"
		}
		return "<sup>"
	case "textColor":
		return `<span style="color: ` + m.StringAttr("color") + `;">`
	case "backgroundColor":
		return `<span style="background-color: ` + m.StringAttr("color") + `;">`
	case "code":
		return "<code>"
	}
	return ""
}

func closeTag(m *Mark) string {
	switch m.Type {
	case "strong":
		return "</strong>"
	case "em":
		return "</em>"
	case "underline":
		return "</u>"
	case "subsup":
		if m.StringAttr("type") == "sub" {
			return "</sub>"
		}
		return "</sup>"
	case "code":
		return "</code>"
	}
	return "</span>"
}

// linkRun writes the inline nodes of run (which share one link mark) as one
// link. A run of unformatted text gets a plain-text ac:link body.
func (w *storageWriter) linkRun(href string, run []*Node, open []*Mark, depth int) {
	plain := true
	var text strings.Builder
	for _, r := range run {
		if r.Type != "text" || len(r.Marks) != 1 {
			plain = false
			break
		}
		text.WriteString(r.Text)
	}
	body := func() { w.spans(run, open, depth, true) }
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

// markOrder is the nesting order of marks in storage, outermost first.
var markOrder = []string{"strong", "em", "underline", "strike", "subsup", "textColor", "backgroundColor", "code"}

func (w *storageWriter) inline(n *Node, depth int, inLink bool) {
	if depth > MaxDepth+8 {
		w.text(nodeText(n))
		return
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
		w.media(n, nil, false)
	case "mediaSingle":
		// An image inside a paragraph (documents built for storage).
		w.mediaNodes(n.Content, false, depth)
	case "placeholder":
		// Editor prompt text: not content.
	default:
		if len(n.Content) > 0 {
			w.placeholder(n.Type, "")
			w.inlines(n.Content, depth+1)
		} else {
			w.placeholder(n.Type, nodeText(n))
		}
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
