package adf

import "unsafe"

// transientMem is the memory a recycling node allocator (a transient
// document's, see mdConv.transient) hands out besides nodes: text, link
// attrs and mark slices. None of it outlives the document: AppendMarkdownJSON
// encodes the nodes before the allocator is reset, so strings may view
// bytes the next document overwrites, and maps and mark slices are handed
// out again.
type transientMem struct {
	strs   []byte           // the current chunk of text; strings view it
	hrefs  []map[string]any // link attrs maps handed out since the last reset
	nHrefs int
	marks  []Mark // the current chunk of mark slices
	used   [][]Mark
}

// Chunk sizes and what a reset keeps.
const (
	strChunk   = 64 << 10
	markChunk  = 256
	keepHrefs  = 512
	keepMarkCh = 4
)

// str returns b as a string: a copy, or for a transient document a view of
// the allocator's text memory (one copy, no allocation per string).
func (c *mdConv) str(b []byte) string {
	if !c.transient() || len(b) == 0 {
		return string(b)
	}
	m := &c.na.mem
	if cap(m.strs)-len(m.strs) < len(b) {
		// The full chunk stays reachable through the strings that view it.
		m.strs = make([]byte, 0, max(strChunk, len(b)))
	}
	k := len(m.strs)
	m.strs = append(m.strs, b...)
	return unsafe.String(&m.strs[k], len(b))
}

// linkAttrs returns the attrs of a link mark to href: a new map, or for a
// transient document a map handed out again after a reset.
func (c *mdConv) linkAttrs(href string) map[string]any {
	if !c.transient() {
		return map[string]any{"href": href}
	}
	m := &c.na.mem
	if m.nHrefs == len(m.hrefs) {
		m.hrefs = append(m.hrefs, make(map[string]any, 2))
	}
	a := m.hrefs[m.nHrefs]
	m.nHrefs++
	clear(a)
	a["href"] = href
	return a
}

// centerLayout is the shared attrs of a transient document's mediaSingle.
var centerLayout = map[string]any{"layout": "center"}

// mediaSingleAttrs returns the attrs of an image's mediaSingle.
func (c *mdConv) mediaSingleAttrs() map[string]any {
	if c.transient() {
		return centerLayout
	}
	return map[string]any{"layout": "center"}
}

// withMark is withMark(marks, m) whose new slice, for a transient
// document, is carved from the allocator's mark memory.
func (c *mdConv) withMark(marks []Mark, m Mark) []Mark {
	if !c.transient() {
		return withMark(marks, m)
	}
	for _, x := range marks {
		if x.Type == m.Type && (m.Type != "subsup" || sameAttrs(x.Attrs, m.Attrs)) {
			return marks
		}
	}
	out := c.na.mem.markSlice(len(marks) + 1)
	for _, x := range marks {
		if x.Type != m.Type {
			out = append(out, x)
		}
	}
	out = append(out, m)
	return sortMarks(out)
}

// withLink is withMark(withoutMark(marks, "link"), link) for a link mark.
func (c *mdConv) withLink(marks []Mark, link Mark) []Mark {
	if !c.transient() {
		return withMark(withoutMark(marks, "link"), link)
	}
	out := c.na.mem.markSlice(len(marks) + 1)
	for _, x := range marks {
		if x.Type != "link" {
			out = append(out, x)
		}
	}
	out = append(out, link)
	return sortMarks(out)
}

// markSlice returns an empty mark slice of capacity exactly n (an append
// past it copies rather than overwrites a neighbour).
func (m *transientMem) markSlice(n int) []Mark {
	if n > markChunk/4 {
		return make([]Mark, 0, n)
	}
	if cap(m.marks)-len(m.marks) < n {
		m.used = append(m.used, m.marks)
		m.marks = make([]Mark, 0, markChunk)
	}
	k := len(m.marks)
	m.marks = m.marks[:k+n]
	return m.marks[k : k : k+n]
}

// reset makes the memory available to the next document and drops what a
// large document took beyond what it keeps.
func (m *transientMem) reset() {
	if cap(m.strs) > strChunk {
		m.strs = nil
	}
	m.strs = m.strs[:0]
	if len(m.hrefs) > keepHrefs {
		clear(m.hrefs[keepHrefs:])
		m.hrefs = m.hrefs[:keepHrefs]
	}
	m.nHrefs = 0
	// Marks hold maps: clear what was used so they pin nothing.
	clear(m.marks)
	m.marks = m.marks[:0]
	for _, u := range m.used {
		clear(u)
	}
	if len(m.used) > 0 && cap(m.marks) == 0 {
		m.marks = m.used[0][:0]
	}
	clear(m.used)
	m.used = m.used[:0]
	if cap(m.used) > keepMarkCh {
		m.used = nil
	}
}
