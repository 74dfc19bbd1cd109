package sandbox

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Confluence storage format handling: a well-formedness check (what
// Confluence does before it accepts a body), the plain text, mentions and
// macros that CQL searches over, and a best-effort conversion to ADF for
// body-format=atlas_doc_format. The stored body itself is never rewritten.

// xnode is one node of a parsed storage body: an element or a text run.
type xnode struct {
	name     xml.Name // Space holds the prefix ("ac", "ri") as written
	attrs    []xml.Attr
	children []*xnode
	text     string // for text nodes
	isText   bool
}

func (n *xnode) attr(space, local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) is(space, local string) bool {
	return !n.isText && n.name.Space == space && n.name.Local == local
}

// child returns the first child element named space:local.
func (n *xnode) child(space, local string) *xnode {
	for _, c := range n.children {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

// errStorage wraps what is wrong with a storage body, for the 400 message.
type errStorage struct{ msg string }

func (e *errStorage) Error() string { return "Error parsing xhtml: " + e.msg }

// parseStorage parses a storage-format body into a tree. Namespace prefixes
// (ac:, ri:) need no declaration, HTML entities such as &nbsp; are known,
// and no element closes itself (encoding/xml's HTMLAutoClose would treat
// <ac:link> like HTML's <link>).
func parseStorage(body string) (*xnode, error) {
	const open, close = "<sbx-root>", "</sbx-root>"
	d := xml.NewDecoder(strings.NewReader(open + body + close))
	d.Strict = true
	d.AutoClose = nil
	d.Entity = xml.HTMLEntity
	root := &xnode{name: xml.Name{Local: "sbx-root"}}
	stack := []*xnode{}
	var cur *xnode
	done := false
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, &errStorage{fmt.Sprintf("%s at line %d", se.Msg, se.Line)}
			}
			return nil, &errStorage{err.Error()}
		}
		if done {
			if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) == "" {
				continue
			}
			return nil, &errStorage{"content after the end of the body"}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if cur == nil {
				if t.Name.Local != "sbx-root" {
					return nil, &errStorage{"unexpected start"}
				}
				cur = root
				continue
			}
			n := &xnode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...)}
			cur.children = append(cur.children, n)
			stack = append(stack, cur)
			cur = n
		case xml.EndElement:
			if cur == nil {
				return nil, &errStorage{"unexpected end"}
			}
			if t.Name != cur.name {
				return nil, &errStorage{fmt.Sprintf("Unexpected close tag </%s>; expected </%s>", qname(t.Name), qname(cur.name))}
			}
			if len(stack) == 0 {
				done = true
				continue
			}
			cur = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if cur == nil {
				continue
			}
			cur.children = append(cur.children, &xnode{isText: true, text: string(t)})
		}
	}
	if !done {
		return nil, &errStorage{"unexpected end of the body (an element is not closed)"}
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// storageFacts is what search needs from a body.
type storageFacts struct {
	Text     string
	Mentions []string
	Macros   []string
}

var blockElements = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "tr": true, "td": true, "th": true, "div": true, "pre": true, "br": true,
	"blockquote": true, "task": true, "plain-text-body": true, "rich-text-body": true, "hr": true,
}

// extractFacts walks a parsed body for its plain text, mentions and macros.
func extractFacts(root *xnode) storageFacts {
	var f storageFacts
	var b strings.Builder
	seenM := map[string]bool{}
	seenU := map[string]bool{}
	var walk func(n *xnode)
	walk = func(n *xnode) {
		if n.isText {
			b.WriteString(n.text)
			return
		}
		switch {
		case n.is("ac", "parameter"), n.is("ac", "task-id"), n.is("ac", "task-status"):
			return
		case n.is("ac", "structured-macro"), n.is("ac", "macro"):
			if name := n.attr("ac", "name"); name != "" && !seenM[name] {
				seenM[name] = true
				f.Macros = append(f.Macros, name)
			}
		case n.is("ac", "link"):
			// A page link without a body renders as the page's title.
			if pg := n.child("ri", "page"); pg != nil && n.child("ac", "plain-text-link-body") == nil && n.child("ac", "link-body") == nil {
				b.WriteString(pg.attr("ri", "content-title"))
			}
		case n.is("ri", "user"):
			if id := n.attr("ri", "account-id"); id != "" && !seenU[id] {
				seenU[id] = true
				f.Mentions = append(f.Mentions, id)
			}
		}
		for _, c := range n.children {
			walk(c)
		}
		if blockElements[n.name.Local] {
			b.WriteByte('\n')
		}
	}
	walk(root)
	f.Text = strings.Join(strings.Fields(b.String()), " ")
	return f
}

// storageToADF converts a parsed storage body to an ADF document (as JSON).
// Unknown macros become extension nodes so nothing is dropped.
func storageToADF(root *xnode, users func(string) string) string {
	c := &storageADFConv{users: users}
	doc := map[string]any{"type": "doc", "version": 1, "content": c.blocks(root.children)}
	b, _ := json.Marshal(doc)
	return string(b)
}

type storageADFConv struct {
	users func(accountID string) string // display name for mentions
}

type sNode = map[string]any

func (c *storageADFConv) blocks(ns []*xnode) []sNode {
	out := []sNode{}
	var inline []sNode
	flush := func() {
		if len(inline) > 0 {
			out = append(out, sNode{"type": "paragraph", "content": inline})
			inline = nil
		}
	}
	for _, n := range ns {
		if n.isText {
			if strings.TrimSpace(n.text) == "" {
				continue
			}
			inline = append(inline, c.inline(n, nil)...)
			continue
		}
		if b := c.block(n); b != nil {
			flush()
			out = append(out, b)
			continue
		}
		inline = append(inline, c.inline(n, nil)...)
	}
	flush()
	return out
}

// block converts a block-level element, or returns nil for inline ones.
func (c *storageADFConv) block(n *xnode) sNode {
	switch {
	case n.name.Space == "" && n.name.Local == "p":
		return sNode{"type": "paragraph", "content": c.inlines(n.children, nil)}
	case n.name.Space == "" && len(n.name.Local) == 2 && n.name.Local[0] == 'h' && n.name.Local[1] >= '1' && n.name.Local[1] <= '6':
		return sNode{"type": "heading", "attrs": sNode{"level": int(n.name.Local[1] - '0')}, "content": c.inlines(n.children, nil)}
	case n.is("", "ul"), n.is("", "ol"):
		typ := "bulletList"
		if n.name.Local == "ol" {
			typ = "orderedList"
		}
		var items []sNode
		for _, li := range n.children {
			if li.is("", "li") {
				content := c.blocks(li.children)
				if len(content) == 0 || content[0]["type"] != "paragraph" {
					content = append([]sNode{{"type": "paragraph", "content": []sNode{}}}, content...)
				}
				items = append(items, sNode{"type": "listItem", "content": content})
			}
		}
		return sNode{"type": typ, "content": items}
	case n.is("", "pre"):
		return sNode{"type": "codeBlock", "content": textContent(plain(n))}
	case n.is("", "blockquote"):
		return sNode{"type": "blockquote", "content": c.blocks(n.children)}
	case n.is("", "hr"):
		return sNode{"type": "rule"}
	case n.is("", "table"):
		var rows []sNode
		var walkRows func(m *xnode)
		walkRows = func(m *xnode) {
			for _, ch := range m.children {
				switch {
				case ch.is("", "tbody"), ch.is("", "thead"):
					walkRows(ch)
				case ch.is("", "tr"):
					var cells []sNode
					for _, cell := range ch.children {
						if cell.is("", "td") || cell.is("", "th") {
							typ := "tableCell"
							if cell.name.Local == "th" {
								typ = "tableHeader"
							}
							content := c.blocks(cell.children)
							if len(content) == 0 {
								content = []sNode{{"type": "paragraph", "content": []sNode{}}}
							}
							cells = append(cells, sNode{"type": typ, "attrs": sNode{}, "content": content})
						}
					}
					rows = append(rows, sNode{"type": "tableRow", "content": cells})
				}
			}
		}
		walkRows(n)
		return sNode{"type": "table", "attrs": sNode{"isNumberColumnEnabled": false, "layout": "default"}, "content": rows}
	case n.is("ac", "task-list"):
		var items []sNode
		for i, t := range n.children {
			if !t.is("ac", "task") {
				continue
			}
			state := "TODO"
			if st := t.child("ac", "task-status"); st != nil && plain(st) == "complete" {
				state = "DONE"
			}
			var content []sNode
			if body := t.child("ac", "task-body"); body != nil {
				content = c.inlines(body.children, nil)
			}
			items = append(items, sNode{"type": "taskItem", "attrs": sNode{"localId": strconv.Itoa(i + 1), "state": state}, "content": content})
		}
		return sNode{"type": "taskList", "attrs": sNode{"localId": "tasks"}, "content": items}
	case n.is("ac", "structured-macro"):
		return c.macro(n)
	case n.is("ac", "image"):
		return sNode{"type": "mediaSingle", "attrs": sNode{"layout": "center"}, "content": []sNode{c.media(n)}}
	case n.is("", "div"):
		return sNode{"type": "paragraph", "content": c.inlines(n.children, nil)}
	}
	return nil
}

func (c *storageADFConv) media(n *xnode) sNode {
	if u := n.child("ri", "url"); u != nil {
		return sNode{"type": "media", "attrs": sNode{"type": "external", "url": u.attr("ri", "value")}}
	}
	name := ""
	if a := n.child("ri", "attachment"); a != nil {
		name = a.attr("ri", "filename")
	}
	return sNode{"type": "media", "attrs": sNode{"type": "file", "id": "attachment:" + name, "collection": "", "alt": name}}
}

func (c *storageADFConv) macro(n *xnode) sNode {
	name := n.attr("ac", "name")
	params := map[string]string{}
	for _, ch := range n.children {
		if ch.is("ac", "parameter") {
			params[ch.attr("ac", "name")] = plain(ch)
		}
	}
	body := n.child("ac", "rich-text-body")
	switch name {
	case "code", "noformat":
		attrs := sNode{}
		if l := params["language"]; l != "" {
			attrs["language"] = l
		}
		text := ""
		if pb := n.child("ac", "plain-text-body"); pb != nil {
			text = plain(pb)
		}
		return sNode{"type": "codeBlock", "attrs": attrs, "content": textContent(text)}
	case "info", "note", "warning", "tip", "panel":
		kind := map[string]string{"info": "info", "note": "note", "warning": "warning", "tip": "success", "panel": "info"}[name]
		var content []sNode
		if t := params["title"]; t != "" { // ADF panels have no title: keep it as text
			content = append(content, sNode{"type": "paragraph", "content": []sNode{{"type": "text", "text": t, "marks": []sNode{{"type": "strong"}}}}})
		}
		if body != nil {
			content = append(content, c.blocks(body.children)...)
		}
		return sNode{"type": "panel", "attrs": sNode{"panelType": kind}, "content": content}
	case "expand":
		var content []sNode
		if body != nil {
			content = c.blocks(body.children)
		}
		return sNode{"type": "expand", "attrs": sNode{"title": params["title"]}, "content": content}
	}
	p := map[string]any{}
	for k, v := range params {
		p[k] = map[string]string{"value": v}
	}
	typ := "extension"
	ext := sNode{"extensionType": "com.atlassian.confluence.macro.core", "extensionKey": name,
		"parameters": sNode{"macroParams": p, "macroMetadata": sNode{"title": name}}}
	if body != nil {
		typ = "bodiedExtension"
		return sNode{"type": typ, "attrs": ext, "content": c.blocks(body.children)}
	}
	return sNode{"type": typ, "attrs": ext}
}

func (c *storageADFConv) inlines(ns []*xnode, marks []sNode) []sNode {
	out := []sNode{}
	for _, n := range ns {
		out = append(out, c.inline(n, marks)...)
	}
	return out
}

func (c *storageADFConv) inline(n *xnode, marks []sNode) []sNode {
	if n.isText {
		if n.text == "" {
			return nil
		}
		t := sNode{"type": "text", "text": n.text}
		if len(marks) > 0 {
			t["marks"] = append([]sNode(nil), marks...)
		}
		return []sNode{t}
	}
	with := func(m sNode) []sNode {
		return c.inlines(n.children, append(append([]sNode(nil), marks...), m))
	}
	switch {
	case n.is("", "strong"), n.is("", "b"):
		return with(sNode{"type": "strong"})
	case n.is("", "em"), n.is("", "i"):
		return with(sNode{"type": "em"})
	case n.is("", "u"):
		return with(sNode{"type": "underline"})
	case n.is("", "code"):
		return with(sNode{"type": "code"})
	case n.is("", "sub"), n.is("", "sup"):
		return with(sNode{"type": "subsup", "attrs": sNode{"type": n.name.Local}})
	case n.is("", "a"):
		return with(sNode{"type": "link", "attrs": sNode{"href": n.attr("", "href")}})
	case n.is("", "br"):
		return []sNode{{"type": "hardBreak"}}
	case n.is("ac", "emoticon"):
		return []sNode{{"type": "emoji", "attrs": sNode{"shortName": ":" + n.attr("ac", "name") + ":"}}}
	case n.is("ac", "link"):
		if u := n.child("ri", "user"); u != nil {
			id := u.attr("ri", "account-id")
			return []sNode{{"type": "mention", "attrs": sNode{"id": id, "text": "@" + c.users(id)}}}
		}
		text := ""
		if b := n.child("ac", "plain-text-link-body"); b != nil {
			text = plain(b)
		} else if b := n.child("ac", "link-body"); b != nil {
			text = plain(b)
		}
		if p := n.child("ri", "page"); p != nil {
			if text == "" {
				text = p.attr("ri", "content-title")
			}
			return []sNode{{"type": "text", "text": text, "marks": []sNode{{"type": "link", "attrs": sNode{"href": "/wiki/display/" + p.attr("ri", "space-key") + "/" + strings.ReplaceAll(p.attr("ri", "content-title"), " ", "+")}}}}}
		}
		if text == "" {
			return nil
		}
		return []sNode{{"type": "text", "text": text}}
	case n.is("ac", "image"):
		return []sNode{c.media(n)}
	case n.is("ac", "structured-macro"):
		if b := c.macro(n); b != nil {
			return []sNode{{"type": "inlineExtension", "attrs": b["attrs"]}}
		}
	}
	return c.inlines(n.children, marks)
}

func plain(n *xnode) string {
	if n.isText {
		return n.text
	}
	var b strings.Builder
	for _, c := range n.children {
		b.WriteString(plain(c))
	}
	return b.String()
}

func textContent(s string) []sNode {
	if s == "" {
		return []sNode{}
	}
	return []sNode{{"type": "text", "text": s}}
}

// adfToStorage renders an ADF document's text as storage paragraphs, for
// pages created with representation atlas_doc_format (the ADF itself is
// kept verbatim and returned as is).
func adfToStorage(doc map[string]any) string {
	var b strings.Builder
	var text func(n any) string
	text = func(n any) string {
		m, ok := n.(map[string]any)
		if !ok {
			return ""
		}
		if t, ok := m["text"].(string); ok {
			return t
		}
		var s strings.Builder
		if cs, ok := m["content"].([]any); ok {
			for _, c := range cs {
				s.WriteString(text(c))
			}
		}
		return s.String()
	}
	if cs, ok := doc["content"].([]any); ok {
		for _, c := range cs {
			b.WriteString("<p>")
			xmlEscape(&b, text(c))
			b.WriteString("</p>")
		}
	}
	return b.String()
}

func xmlEscape(b *strings.Builder, s string) {
	_ = xml.EscapeText(writerFunc(func(p []byte) (int, error) { b.Write(p); return len(p), nil }), []byte(s))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
