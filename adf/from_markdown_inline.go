package adf

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

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
	ic.addNode(ic.c.textNode(s, marks))
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
		if (dest == "" && !ic.c.storage) || hasCode(marks) {
			// ADF needs an href; storage keeps an empty link as <a href="">.
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
		ic.addImage(url, alt, unescapeText(string(x.Title)), marks, ic.allowMedia)
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
	htmlOpenRe  = lazyRegexp(`^<([a-zA-Z]+)(\s+style\s*=\s*"\s*(color|background-color)\s*:\s*(#[0-9a-fA-F]{6})\s*;?\s*")?\s*>$`)
	htmlCloseRe = lazyRegexp(`^</([a-zA-Z]+)\s*>$`)
	htmlBrRe    = lazyRegexp(`^<br\s*/?>$`)
)

// htmlOpenTag is htmlOpenRe's submatches in s. A tag with an attribute
// other than style (an "=" but no "style") cannot match, and most tags
// in READMEs are such (<img src=...>, <a href=...>, <p align=...>): they
// skip the pattern.
func htmlOpenTag(s string) []string {
	if strings.IndexByte(s, '=') >= 0 && !strings.Contains(s, "style") {
		return nil
	}
	return htmlOpenRe().FindStringSubmatch(s)
}

// htmlInline handles <br> and paired inline tags that map to marks (<u>,
// <sub>, <sup>, <s>, <b>, <i>, <span style="color: #rrggbb">). It returns the
// last node consumed.
func (ic *inlineConv) htmlInline(x *ast.RawHTML, marks []Mark, limit ast.Node) (ast.Node, bool) {
	s := rawHTMLText(ic.c.src, x)
	if htmlBrRe().MatchString(s) {
		ic.trimTrailingSpace()
		ic.addNode(&Node{Type: "hardBreak"})
		return x, true
	}
	mark, ok := htmlTagMark(s)
	if !ok {
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

// htmlTagMark returns the mark an inline HTML open tag stands for: <u>,
// <sub>, <sup>, <s>, <b>, <i>, ... and <span style="color: #rrggbb">.
// Both markdown paths use it.
func htmlTagMark(s string) (Mark, bool) {
	m := htmlOpenTag(s)
	if m == nil {
		return Mark{}, false
	}
	tag := strings.ToLower(m[1])
	switch {
	case tag == "span" && m[3] != "":
		t := "textColor"
		if strings.EqualFold(m[3], "background-color") {
			t = "backgroundColor"
		}
		return Mark{Type: t, Attrs: map[string]any{"color": strings.ToLower(m[4])}}, true
	case m[2] == "":
		mark, ok := htmlTagMarks[tag]
		return mark, ok
	}
	return Mark{}, false
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
		if om := htmlOpenTag(t); om != nil {
			if stacks == nil {
				stacks = map[string][]ast.Node{}
				pairs = map[ast.Node]ast.Node{}
				index = map[ast.Node]int{}
			}
			tag := strings.ToLower(om[1])
			stacks[tag] = append(stacks[tag], n)
			index[n] = i
		} else if cm := htmlCloseRe().FindStringSubmatch(t); cm != nil && stacks != nil {
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
	out := ic.c.nodes(len(ic.runs) + 2)
	arena := ic.c.str(ic.arena)
	for _, r := range ic.runs {
		if r.node != nil {
			out = append(out, r.node)
			continue
		}
		out = ic.c.scanExtensions(out, arena[r.rs:r.re], r.marks)
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

var entityRe = lazyRegexp(`^&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));`)

func entityAt(s string) (string, int) {
	m := entityRe().FindStringSubmatch(s)
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

// addImage adds an image: a mediaSingle block where media is allowed (its
// title becomes the caption), otherwise its alt text (or URL) linked to it.
// Both markdown paths call it, so they build images the same way.
func (ic *inlineConv) addImage(url, alt, title string, marks []Mark, allowMedia bool) {
	if allowMedia && url != "" {
		media := ic.c.node()
		media.Type, media.Attrs = "media", map[string]any{"type": "external", "url": url}
		if alt != "" {
			media.Attrs["alt"] = alt
		}
		ms := ic.c.node()
		ms.Type, ms.Attrs, ms.Content = "mediaSingle", ic.c.mediaSingleAttrs(), ic.c.one(media)
		if c := strings.Join(strings.Fields(title), " "); c != "" {
			// A title is the image's caption.
			ms.Content = append(ms.Content, &Node{Type: "caption", Content: []*Node{{Type: "text", Text: c}}})
		}
		ic.addNode(ms)
		return
	}
	if alt == "" {
		alt = url
	}
	if url == "" || hasCode(marks) {
		ic.addText(alt, marks)
		return
	}
	ic.addText(alt, ic.c.withLink(marks, Mark{Type: "link", Attrs: ic.c.linkAttrs(url)}))
}
