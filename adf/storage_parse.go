package adf

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// voidElements are HTML elements that never have content, so a start tag
// without "/>" still closes itself (storage is XHTML, but pasted HTML is
// common).
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true,
	"hr": true, "img": true, "input": true, "link": true, "meta": true,
	"param": true, "source": true, "track": true, "wbr": true,
}

// parseStorage turns storage format into a DOM tree. It does not use the
// HTML5 tree builder (html.Parse): that one ignores "/>" on unknown elements
// (so <ri:page/> would swallow its following siblings), treats CDATA as a
// bogus comment that ends at the first ">", and moves elements around
// (foster parenting in tables, implied </p>). Instead it walks the tokens
// and builds the tree the XML way: "/>" closes, an end tag closes up to the
// nearest open element of that name, an end tag with no open element is
// ignored, and a CDATA section is kept as verbatim text. Element and
// attribute names keep their prefix ("ac:structured-macro") and are
// lower-cased. Nesting deeper than maxDepth is flattened: deeper elements
// are added as siblings at the limit, so their text survives but the tree
// depth (and so recursion in the renderers) stays bounded.
func parseStorage(s string, maxDepth int) *html.Node {
	// Nodes are allocated in chunks rather than one by one.
	var chunk []html.Node
	newNode := func() *html.Node {
		if len(chunk) == cap(chunk) {
			chunk = make([]html.Node, 0, 128)
		}
		chunk = chunk[:len(chunk)+1]
		return &chunk[len(chunk)-1]
	}
	doc := newNode()
	doc.Type = html.DocumentNode
	z := html.NewTokenizer(strings.NewReader(s))
	z.AllowCDATA(true)
	stack := []*html.Node{doc}
	top := func() *html.Node { return stack[len(stack)-1] }
	// Adjacent text runs (split by CDATA sections or dropped comments) are
	// joined into one text node. They are collected and joined once when
	// the next element starts or ends: appending to the node's string each
	// time would be quadratic for "a<!---->a<!---->...".
	var pending []string
	var pendingNode *html.Node
	flush := func() {
		if len(pending) > 1 {
			pendingNode.Data = strings.Join(pending, "")
		}
		pending, pendingNode = pending[:0], nil
	}
	appendText := func(text string) {
		if text == "" {
			return
		}
		if pendingNode != nil {
			pending = append(pending, text)
			return
		}
		p := top()
		t := newNode()
		t.Type, t.Data = html.TextNode, text
		p.AppendChild(t)
		pending, pendingNode = append(pending, text), t
	}
	pos := 0 // offset in s of the current token
	for {
		tt := z.Next()
		raw := z.Raw()
		start := pos
		pos += len(raw)
		switch tt {
		case html.ErrorToken:
			flush()
			if z.Err() != io.EOF {
				// The tokenizer only fails on read errors or MaxBuf; neither
				// happens on a strings.Reader without MaxBuf. Keep what we
				// have.
				_ = z.Err()
			}
			return doc
		case html.TextToken:
			if bytes.HasPrefix(raw, []byte("<![CDATA[")) && bytes.HasSuffix(raw, []byte("]]>")) {
				// The tokenizer entity-decodes CDATA text; CDATA is literal.
				appendText(normalizeNewlines(s[start+len("<![CDATA[") : pos-len("]]>")]))
				continue
			}
			if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 && bytes.IndexByte(raw, 0) < 0 {
				// Nothing to decode: share the input's bytes.
				appendText(s[start:pos])
				continue
			}
			appendText(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			flush()
			name, hasAttr := z.TagName()
			n := newNode()
			n.Type, n.Data = html.ElementNode, intern(name)
			n.DataAtom = atom.Lookup(name)
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				n.Attr = append(n.Attr, html.Attribute{Key: intern(k), Val: string(v)})
			}
			top().AppendChild(n)
			if tt == html.SelfClosingTagToken || voidElements[n.Data] {
				continue
			}
			if len(stack) > maxDepth {
				continue // flattened: its children become its siblings
			}
			stack = append(stack, n)
		case html.EndTagToken:
			flush()
			name, _ := z.TagName()
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].Data == string(name) {
					stack = stack[:i]
					break
				}
			}
		}
		// Comments, doctypes and processing instructions are dropped.
	}
}

// internedNames are the element and attribute names of storage, shared
// instead of allocated per element (the map is never written after init).
var internedNames = func() map[string]string {
	names := []string{
		"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
		"span", "code", "pre", "a", "ul", "ol", "li", "table", "tbody", "thead", "tr", "th", "td",
		"colgroup", "col", "blockquote", "sub", "sup", "div", "img", "time", "del",
		"ac:structured-macro", "ac:parameter", "ac:plain-text-body", "ac:rich-text-body",
		"ac:link", "ac:plain-text-link-body", "ac:link-body", "ac:image", "ac:emoticon",
		"ac:task-list", "ac:task", "ac:task-id", "ac:task-status", "ac:task-body",
		"ac:layout", "ac:layout-section", "ac:layout-cell", "ac:inline-comment-marker",
		"ri:user", "ri:page", "ri:attachment", "ri:url", "ri:space",
		"ac:name", "ac:schema-version", "ac:macro-id", "ri:account-id", "ri:content-title",
		"ri:space-key", "ri:filename", "ri:value", "href", "style", "class", "datetime",
		"colspan", "rowspan", "start", "ac:alt", "ac:anchor", "ac:width", "ac:height",
		"data-layout", "ac:emoji-shortname", "ac:emoji-id", "ac:emoji-fallback", "ac:type",
		"ac:local-id", "local-id", "ac:ref",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = n
	}
	return m
}()

// intern returns b as a string, without allocating for common names.
func intern(b []byte) string {
	if s, ok := internedNames[string(b)]; ok {
		return s
	}
	return string(b)
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// attr returns the value of the attribute key of n, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf returns the concatenated text of n and its descendants.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			} else {
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// childElement returns the first child element of n named name, or nil.
func childElement(n *html.Node, name string) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == name {
			return c
		}
	}
	return nil
}
