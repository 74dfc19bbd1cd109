package adf

import (
	"bytes"
	"regexp"
	"sync"
)

// This file holds the block-structure scanner of the markdown fast path
// (see from_markdown_fast.go). It follows the CommonMark block algorithm
// (the reference implementation's line-by-line container matching) closely
// enough to know, for every top-level block, which source lines it spans,
// and records leaf content for the blocks the fast converter handles. Where
// it is not sure it agrees with goldmark it gives up (fblocks.failed) and
// the whole document goes to goldmark.

type fkind uint8

const (
	fkDoc fkind = iota
	fkQuote
	fkList
	fkItem
	fkPara
	fkHeading // ATX
	fkSetext
	fkFence
	fkIndented
	fkHTML
	fkRule
)

// fseg is a piece of source: src[start:end].
type fseg struct{ start, end int }

type fblock struct {
	parent  *fblock
	kids    []*fblock
	lines   []fseg
	linesAt int // index of lines[0] in fscan.lines, -1 when lines is a slice of its own
	start   int // source offset of the line the block starts on
	level   int // heading level

	kind  fkind
	open  bool
	odd   bool // content the fast converter must not take (split tab)
	early bool // HTML block whose first line held its end condition
	fresh bool // fence whose opening line is being read
	lazy  bool // paragraph with a lazy continuation line

	// lists and items
	ordered   bool
	bullet    byte // '-', '*', '+' or the ordered delimiter '.' / ')'
	startNum  int
	markerOff int
	padding   int

	// fenced code
	fenceChar byte
	fenceLen  int
	fenceOff  int
	info      fseg

	htmlType int
}

// fscan is the block scanner state for one document.
type fscan struct {
	src     []byte
	doc     *fblock
	tip     *fblock
	oldtip  *fblock
	matched *fblock
	failed  bool

	line      []byte // current line without its newline
	lineStart int
	hasNL     bool
	offset    int
	column    int
	partial   bool // offset is inside a tab partly consumed as columns
	nnOffset  int  // next non-space
	nnColumn  int
	indent    int
	indented  bool
	blank     bool
	allClosed bool
	blocks    *blockAlloc
	lines     []fseg // storage for the blocks' lines (see pushLine)
}

// blockAlloc hands out the scanner's blocks from chunks (never grown, so
// pointers stay valid): one allocation for many small blocks. A pooled
// one (in mdScratch) keeps its chunks for the next document.
type blockAlloc struct {
	slab    []fblock
	chunks  [][]fblock // every chunk handed out (recycle only)
	n       int        // chunks in use since the last reset
	recycle bool

	kids     []*fblock   // the current chunk of kids slices
	kidChunk [][]*fblock // every kids chunk handed out (recycle only)
	nKids    int         // kids chunks in use since the last reset
}

// kidsChunk is the size of a chunk of kids slices; a slice larger than a
// quarter of one grows on its own.
const kidsChunk = 512

// appendKid is append(kids, b), growing kids (a slice appendKid made, or
// nil) into the allocator's kids memory instead of a new array each time.
func (a *blockAlloc) appendKid(kids []*fblock, b *fblock) []*fblock {
	if len(kids) < cap(kids) {
		return append(kids, b)
	}
	n := max(4, 2*cap(kids))
	if n > kidsChunk/4 {
		return append(kids, b)
	}
	if cap(a.kids)-len(a.kids) < n {
		switch {
		case !a.recycle:
			a.kids = make([]*fblock, 0, kidsChunk)
		default:
			if a.nKids == len(a.kidChunk) {
				a.kidChunk = append(a.kidChunk, make([]*fblock, kidsChunk))
			}
			a.kids = a.kidChunk[a.nKids][:0]
			a.nKids++
		}
	}
	k := len(a.kids)
	a.kids = a.kids[:k+n]
	return append(append(a.kids[k:k:k+n], kids...), b)
}

// get returns a new zero block.
func (a *blockAlloc) get() *fblock {
	if len(a.slab) == cap(a.slab) {
		switch {
		case !a.recycle:
			a.slab = make([]fblock, 0, min(8+2*cap(a.slab), 128))
		default:
			if a.n == len(a.chunks) {
				a.chunks = append(a.chunks, make([]fblock, 128))
			}
			a.slab = a.chunks[a.n][:0]
			a.n++
		}
	}
	a.slab = a.slab[:len(a.slab)+1]
	return &a.slab[len(a.slab)-1]
}

// reset zeroes the blocks handed out and keeps at most keep chunks.
func (a *blockAlloc) reset(keep int) {
	for i, c := range a.chunks[:a.n] {
		if i == a.n-1 {
			c = c[:len(a.slab)] // the chunk in use, as far as it was used
		}
		clear(c)
	}
	if len(a.chunks) > keep {
		clear(a.chunks[keep:])
		a.chunks = a.chunks[:keep]
	}
	a.slab, a.n = nil, 0
	for i, c := range a.kidChunk[:a.nKids] {
		if i == a.nKids-1 {
			c = c[:len(a.kids)]
		}
		clear(c)
	}
	if len(a.kidChunk) > keep {
		clear(a.kidChunk[keep:])
		a.kidChunk = a.kidChunk[:keep]
	}
	a.kids, a.nKids = nil, 0
}

const maxFastDepth = 12

// scanBlocks builds the block tree of src, or reports failed; its blocks
// and lines come from sc when not nil.
func scanBlocks(src []byte, sc *mdScratch) (*fblock, bool) {
	// A line adds at most one line to one block: the arena never grows.
	nl := bytes.Count(src, []byte{'\n'}) + 1
	s := &fscan{src: src}
	if sc != nil {
		if cap(sc.lines) < nl {
			sc.lines = make([]fseg, 0, nl)
		}
		s.lines, s.blocks = sc.lines[:0], &sc.blocks
	} else {
		s.lines, s.blocks = make([]fseg, 0, nl), new(blockAlloc)
	}
	s.doc = &fblock{kind: fkDoc, open: true}
	s.tip = s.doc
	s.oldtip = s.doc
	for pos := 0; pos < len(src) && !s.failed; {
		end := bytes.IndexByte(src[pos:], '\n')
		next := 0
		if end < 0 {
			end = len(src)
			next = len(src)
			s.hasNL = false
		} else {
			end += pos
			next = end + 1
			s.hasNL = true
		}
		s.lineStart = pos
		s.line = src[pos:end]
		s.incorporate()
		pos = next
	}
	if s.failed {
		return nil, false
	}
	for s.tip != nil {
		s.finalize(s.tip)
	}
	return s.doc, true
}

func (s *fscan) peek(i int) byte {
	if i < len(s.line) {
		return s.line[i]
	}
	return '\n'
}

func (s *fscan) findNextNonspace() {
	i, cols := s.offset, s.column
	for i < len(s.line) {
		c := s.line[i]
		if c == ' ' {
			i++
			cols++
		} else if c == '\t' {
			i++
			cols += 4 - cols%4
		} else {
			break
		}
	}
	s.blank = i == len(s.line)
	s.nnOffset = i
	s.nnColumn = cols
	s.indent = s.nnColumn - s.column
	s.indented = s.indent >= 4
}

func (s *fscan) advanceNextNonspace() {
	s.offset = s.nnOffset
	s.column = s.nnColumn
	s.partial = false
}

func (s *fscan) advanceOffset(count int, columns bool) {
	for count > 0 && s.offset < len(s.line) {
		c := s.line[s.offset]
		if c == '\t' {
			toTab := 4 - s.column%4
			if columns {
				s.partial = toTab > count
				adv := min(count, toTab)
				s.column += adv
				if !s.partial {
					s.offset++
				}
				count -= adv
			} else {
				s.partial = false
				s.column += toTab
				s.offset++
				count--
			}
		} else {
			s.partial = false
			s.offset++
			s.column++
			count--
		}
	}
}

func isSpTab(c byte) bool { return c == ' ' || c == '\t' }

// cont reports whether the line continues container b: 0 matched, 1 not
// matched, 2 the line was consumed (a closing fence).
func (s *fscan) cont(b *fblock) int {
	switch b.kind {
	case fkDoc, fkList:
		return 0
	case fkQuote:
		if !s.indented && s.peek(s.nnOffset) == '>' {
			s.advanceNextNonspace()
			s.advanceOffset(1, false)
			if isSpTab(s.peek(s.offset)) {
				s.advanceOffset(1, true)
			}
			return 0
		}
		return 1
	case fkItem:
		if s.blank {
			if len(b.kids) == 0 {
				return 1
			}
			s.advanceNextNonspace()
			return 0
		}
		if s.indent >= b.markerOff+b.padding {
			s.advanceOffset(b.markerOff+b.padding, true)
			return 0
		}
		return 1
	case fkFence:
		if s.indent <= 3 && s.peek(s.nnOffset) == b.fenceChar {
			rest := s.line[s.nnOffset:]
			n := 0
			for n < len(rest) && rest[n] == b.fenceChar {
				n++
			}
			if n >= b.fenceLen && len(bytes.Trim(rest[n:], " \t")) == 0 {
				s.finalize(b)
				return 2
			}
		}
		for i := b.fenceOff; i > 0 && isSpTab(s.peek(s.offset)); i-- {
			s.advanceOffset(1, true)
		}
		return 0
	case fkIndented:
		if s.indent >= 4 {
			s.advanceOffset(4, true)
			return 0
		}
		if s.blank {
			s.advanceNextNonspace()
			return 0
		}
		return 1
	case fkHTML:
		return s.htmlCont(b)
	case fkPara:
		if s.blank {
			return 1
		}
		return 0
	}
	return 1
}

func (s *fscan) incorporate() {
	container := s.doc
	s.oldtip = s.tip
	s.offset, s.column, s.partial = 0, 0, false
	s.blank = false
	if bytes.IndexByte(s.line, '\r') >= 0 {
		s.failed = true
		return
	}
	if oddLeadingTab(s.line) && !s.inTopFence() {
		// goldmark counts a tab after other indentation as four columns
		// wherever it stands, the spec to the next tab stop: leave such
		// lines to goldmark. A tab on a tab stop reads the same in both.
		s.failed = true
		return
	}
	allMatched := true
	for len(container.kids) > 0 {
		last := container.kids[len(container.kids)-1]
		if !last.open {
			break
		}
		container = last
		s.findNextNonspace()
		switch s.cont(container) {
		case 1:
			allMatched = false
		case 2:
			return
		}
		if !allMatched {
			container = container.parent
			break
		}
	}
	s.allClosed = container == s.oldtip
	s.matched = container
	matchedLeaf := container.kind != fkPara && acceptsLines(container.kind)
	for !matchedLeaf {
		s.findNextNonspace()
		if !s.indented && !maybeSpecial(s.peek(s.nnOffset)) {
			s.advanceNextNonspace()
			break
		}
		res := s.blockStart(container)
		if s.failed {
			return
		}
		if res == 0 {
			s.advanceNextNonspace()
			break
		}
		container = s.tip
		if res == 2 {
			matchedLeaf = true
		}
	}
	if !s.allClosed && !s.blank && s.tip.kind == fkPara {
		s.addLine(s.tip) // lazy continuation
		s.tip.lazy = true
		return
	}
	s.closeUnmatched()
	switch {
	case acceptsLines(container.kind):
		s.addLine(container)
		if container.kind == fkHTML && container.htmlType >= 1 && container.htmlType <= 5 && len(container.lines) == 1 {
			// goldmark closes a type 1-5 block whose first line already
			// holds the end condition before reading the next line.
			first := container.lines[0]
			container.early = htmlClosed(container.htmlType, s.src[first.start:first.end])
		}
	case s.offset < len(s.line) && !s.blank:
		p := s.addChild(fkPara)
		s.advanceNextNonspace()
		s.addLine(p)
	}
}

// oddLeadingTab reports whether the indentation (spaces, tabs and quote
// markers) at the start of line holds a tab that does not start on a tab
// stop (column 0, 4, 8, ...).
func oddLeadingTab(line []byte) bool {
	col := 0
	for _, c := range line {
		switch c {
		case '\t':
			if col%4 != 0 {
				return true
			}
			col += 4
		case ' ', '>':
			col++
		default:
			return false
		}
	}
	return false
}

// inTopFence reports whether a fenced code block without indent is open at
// the top level (where a tab-indented line is plain content).
func (s *fscan) inTopFence() bool {
	if len(s.doc.kids) == 0 {
		return false
	}
	last := s.doc.kids[len(s.doc.kids)-1]
	return last.open && last.kind == fkFence && last.fenceOff == 0
}

func maybeSpecial(c byte) bool {
	switch c {
	case '#', '`', '~', '*', '+', '_', '=', '<', '>', '-', '|', '[':
		return true
	}
	return c >= '0' && c <= '9'
}

func acceptsLines(k fkind) bool {
	return k == fkPara || k == fkFence || k == fkIndented || k == fkHTML
}

func (s *fscan) closeUnmatched() {
	if !s.allClosed {
		for s.oldtip != s.matched {
			p := s.oldtip.parent
			s.finalize(s.oldtip)
			s.oldtip = p
		}
		s.allClosed = true
	}
}

func (s *fscan) finalize(b *fblock) {
	b.open = false
	s.tip = b.parent
}

func canContain(parent, child fkind) bool {
	switch parent {
	case fkDoc, fkQuote, fkItem:
		return child != fkItem
	case fkList:
		return child == fkItem
	}
	return false
}

// addContainer opens a quote or list, giving up beyond maxFastDepth.
func (s *fscan) addContainer(k fkind) *fblock {
	b := s.addChild(k)
	d := 0
	for p := b; p != nil; p = p.parent {
		d++
	}
	if d > maxFastDepth {
		s.failed = true
	}
	return b
}

func (s *fscan) addChild(k fkind) *fblock {
	for !canContain(s.tip.kind, k) {
		s.finalize(s.tip)
	}
	b := s.blocks.get()
	b.kind, b.parent, b.open, b.start = k, s.tip, true, s.lineStart
	s.tip.kids = s.blocks.appendKid(s.tip.kids, b)
	s.tip = b
	return b
}

// addLine records the rest of the current line in b.
func (s *fscan) addLine(b *fblock) {
	if b.fresh {
		b.fresh = false // the opening fence: its info string is kept apart
		return
	}
	if s.partial && b.kind != fkPara {
		b.odd = true // a tab split by the container indent: leave it to goldmark
	}
	end := s.lineStart + len(s.line)
	if s.hasNL {
		end++
	}
	if b.kind == fkFence && b.fenceOff > 0 && s.blank && len(s.line) > 0 {
		b.odd = true // goldmark keeps the spaces of a blank line in an indented fence
	}
	s.pushLine(b, fseg{s.lineStart + s.offset, end})
}

// pushLine appends seg to b's lines. Only the tip block gets lines, so the
// lines of a block are the last ones of the shared arena while it gets
// them: one allocation for all the blocks of a document.
func (s *fscan) pushLine(b *fblock, seg fseg) {
	n := len(b.lines)
	if n == 0 {
		b.linesAt = len(s.lines)
	} else if b.linesAt < 0 || b.linesAt+n != len(s.lines) {
		b.linesAt = -1
		b.lines = append(b.lines, seg) // capacity is len: this copies
		return
	}
	s.lines = append(s.lines, seg)
	b.lines = s.lines[b.linesAt:len(s.lines):len(s.lines)]
}

// blockStart tries the block starts at the current position: 0 none,
// 1 a container was opened, 2 a leaf was opened.
func (s *fscan) blockStart(container *fblock) int {
	c := s.peek(s.nnOffset)
	if s.indented {
		if s.tip.kind != fkPara && !s.blank {
			s.advanceOffset(4, true)
			s.closeUnmatched()
			s.addChild(fkIndented)
			return 2
		}
		return 0
	}
	rest := s.line[s.nnOffset:]
	switch c {
	case '>':
		s.advanceNextNonspace()
		s.advanceOffset(1, false)
		if isSpTab(s.peek(s.offset)) {
			s.advanceOffset(1, true)
		}
		s.closeUnmatched()
		s.addContainer(fkQuote)
		return 1
	case '#':
		n := 0
		for n < len(rest) && rest[n] == '#' {
			n++
		}
		if n <= 6 && (n == len(rest) || isSpTab(rest[n])) {
			s.advanceNextNonspace()
			s.advanceOffset(n, false)
			s.closeUnmatched()
			h := s.addChild(fkHeading)
			h.level = n
			s.pushLine(h, atxContent(s.line, s.offset, s.lineStart))
			s.offset = len(s.line)
			s.finalize(h)
			return 2
		}
	case '`', '~':
		n := 0
		for n < len(rest) && rest[n] == c {
			n++
		}
		if n >= 3 && (c == '~' || bytes.IndexByte(rest[n:], '`') < 0) {
			s.closeUnmatched()
			f := s.addChild(fkFence)
			f.fenceChar, f.fenceLen, f.fenceOff = c, n, s.indent
			f.fresh = true
			f.odd = !s.hasNL // goldmark reads the info string of a last line without newline differently
			s.advanceNextNonspace()
			s.advanceOffset(n, false)
			info := bytes.Trim(s.line[s.offset:], " \t\r\n") // goldmark's spaces: not \v or \f
			if len(info) > 0 {
				st := s.lineStart + s.offset + bytes.Index(s.line[s.offset:], info)
				f.info = fseg{st, st + len(info)}
			}
			s.offset = len(s.line)
			return 2
		}
	case '<':
		if t := s.htmlStart(container); t > 0 {
			s.closeUnmatched()
			h := s.addChild(fkHTML)
			h.htmlType = t
			return 2
		}
	}
	if c == '=' || c == '-' {
		if container.kind == fkPara && setextLine(rest) {
			if container.lazy || paraMayHoldDefinitions(s.src, container) || paraMayBeTable(s.src, container) {
				s.failed = true
				return 0
			}
			s.closeUnmatched()
			container.kind = fkSetext
			container.level = 2
			if c == '=' {
				container.level = 1
			}
			s.offset = len(s.line)
			s.finalize(container)
			return 2
		}
	}
	if (c == '*' || c == '-' || c == '_') && thematicBreak(rest) {
		s.closeUnmatched()
		r := s.addChild(fkRule)
		s.offset = len(s.line)
		s.finalize(r)
		return 2
	}
	if c == '*' || c == '-' || c == '+' || (c >= '0' && c <= '9') {
		return s.listStart(container)
	}
	return 0
}

func setextLine(rest []byte) bool {
	c := rest[0]
	i := 0
	for i < len(rest) && rest[i] == c {
		i++
	}
	return len(bytes.Trim(rest[i:], " \t")) == 0
}

func thematicBreak(rest []byte) bool {
	c := rest[0]
	n := 0
	for _, x := range rest {
		switch {
		case x == c:
			n++
		case x == ' ' || x == '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// atxContent returns the heading text of an ATX heading line: leading and
// trailing space and the closing sequence of "#" removed.
func atxContent(line []byte, from, lineStart int) fseg {
	t := line[from:]
	st := 0
	for st < len(t) && isSpTab(t[st]) {
		st++
	}
	end := len(t)
	for end > st && isSpTab(t[end-1]) {
		end--
	}
	// closing sequence: spaces then #s at the end (or the whole content)
	k := end
	for k > st && t[k-1] == '#' {
		k--
	}
	if k < end && (k == st || isSpTab(t[k-1])) {
		end = k
		for end > st && isSpTab(t[end-1]) {
			end--
		}
	}
	return fseg{lineStart + from + st, lineStart + from + end}
}

func (s *fscan) listStart(container *fblock) int {
	if s.indent >= 4 {
		return 0
	}
	rest := s.line[s.nnOffset:]
	var ordered bool
	var bullet byte
	start := 0
	markerLen := 0
	switch c := rest[0]; {
	case c == '*' || c == '-' || c == '+':
		bullet = c
		markerLen = 1
	case c >= '0' && c <= '9':
		n := 0
		for n < len(rest) && n < 10 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 9 || n == len(rest) || (rest[n] != '.' && rest[n] != ')') {
			return 0
		}
		for _, d := range rest[:n] {
			start = start*10 + int(d-'0')
		}
		if container.kind == fkPara && start != 1 {
			return 0
		}
		ordered, bullet, markerLen = true, rest[n], n+1
	default:
		return 0
	}
	if markerLen < len(rest) && !isSpTab(rest[markerLen]) {
		return 0
	}
	tabs := bytes.IndexByte(spaceRun(rest[markerLen:]), '\t') >= 0
	if tabs && !s.atLineStart(container) {
		s.failed = true // goldmark counts columns from where the container left the line
		return 0
	}
	if container.kind == fkPara && len(bytes.Trim(rest[markerLen:], " \t")) == 0 {
		return 0
	}
	markerOff := s.indent
	s.advanceNextNonspace()
	s.advanceOffset(markerLen, true)
	spCol, spOff, spPartial := s.column, s.offset, s.partial
	for {
		s.advanceOffset(1, true)
		if !(s.column-spCol < 5 && isSpTab(s.peek(s.offset))) {
			break
		}
	}
	blankItem := s.offset >= len(s.line)
	after := s.column - spCol
	padding := markerLen + after
	if tabs && (after >= 5 || blankItem) {
		// Indented code in the item, or an empty item: where a tab is
		// split, goldmark's padding and the spec's may part.
		s.failed = true
		return 0
	}
	if after >= 5 || after < 1 || blankItem {
		padding = markerLen + 1
		s.column, s.offset, s.partial = spCol, spOff, spPartial
		if isSpTab(s.peek(s.offset)) {
			s.advanceOffset(1, true)
		}
	}
	if blankItem {
		// Empty items are where goldmark's list rules and the spec's part.
		s.failed = true
		return 0
	}
	s.closeUnmatched()
	if s.tip.kind != fkList || s.tip.ordered != ordered || s.tip.bullet != bullet {
		l := s.addContainer(fkList)
		l.ordered, l.bullet, l.startNum = ordered, bullet, start
	}
	it := s.addChild(fkItem)
	it.markerOff, it.padding = markerOff, padding
	return 1
}

// spaceRun is the run of spaces and tabs s starts with.
func spaceRun(s []byte) []byte {
	i := 0
	for i < len(s) && isSpTab(s[i]) {
		i++
	}
	return s[:i]
}

// atLineStart reports whether a list marker found in container stands
// where goldmark reads the line from its start, so that its byte offsets
// are the spec's columns: the line matched only the document, a
// top-level list or a top-level paragraph (which the item interrupts),
// and nothing before the marker but spaces. There a tab
// after the marker reaches the same tab stop in both (goldmark's
// calcListOffset and util.IndentPosition count tab widths from the byte
// offset in the line goldmark peeks, which inside another container
// starts where that container's indentation ends).
func (s *fscan) atLineStart(container *fblock) bool {
	top := container.kind == fkDoc || (container.kind == fkList || container.kind == fkPara) && container.parent.kind == fkDoc
	return top && s.offset == 0 && s.column == 0 && !s.partial && s.nnColumn == s.nnOffset
}

// paraMayHoldDefinitions reports whether a paragraph may start with a link
// reference definition (which changes how a setext underline reads).
func paraMayHoldDefinitions(src []byte, p *fblock) bool {
	if len(p.lines) == 0 {
		return false
	}
	first := bytes.TrimLeft(src[p.lines[0].start:p.lines[0].end], " \t")
	return len(first) > 0 && first[0] == '['
}

// paraMayBeTable reports whether a line after the first of a paragraph
// could be a table's delimiter row (goldmark turns such paragraphs into
// tables, also under a setext underline).
func paraMayBeTable(src []byte, p *fblock) bool {
	for _, l := range p.lines[min(1, len(p.lines)):] {
		line := bytes.TrimSpace(src[l.start:l.end])
		if len(line) > 0 && bytes.IndexByte(line, '-') >= 0 && len(bytes.Trim(line, "|-: \t")) == 0 {
			return true
		}
	}
	return false
}

// ---- HTML blocks (goldmark's rules, which differ from the spec in details) ----

const fastAttrPattern = `(?:[\r\n \t]+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:[\r\n \t]*=[\r\n \t]*(?:[^\"'=<>` + "`" + `\x00-\x20]+|'[^']*'|"[^"]*"))?)`

type htmlRes struct {
	type1Open, type1Close, type4Open, type7 *regexp.Regexp
}

var htmlBlockRes = sync.OnceValue(func() *htmlRes {
	return &htmlRes{
		type1Open:  regexp.MustCompile(`(?i)^[ ]{0,3}<(script|pre|style|textarea)(?:\s.*|>.*|/>.*|)(?:\r\n|\n)?$`),
		type1Close: regexp.MustCompile(`(?i)^.*</(?:script|pre|style|textarea)>.*`),
		type4Open:  regexp.MustCompile(`^[ ]{0,3}<![A-Z]+.*(?:\r\n|\n)?$`),
		type7:      regexp.MustCompile(`^[ ]{0,3}<(/[ ]*)?([a-zA-Z]+[a-zA-Z0-9\-]*)(` + fastAttrPattern + `*)[ ]*(?:>|/>)[ ]*(?:\r\n|\n)?$`),
	}
})

var htmlBlockTags = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []string{"address", "article", "aside", "base", "basefont", "blockquote", "body",
		"caption", "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
		"fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3",
		"h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main",
		"menu", "menuitem", "meta", "nav", "noframes", "ol", "optgroup", "option", "p", "param",
		"search", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title",
		"tr", "track", "ul"} {
		m[t] = true
	}
	return m
})

// peekLine is the rest of the line from the current offset, with its
// newline, as goldmark's reader sees it.
func (s *fscan) peekLine() []byte {
	end := s.lineStart + len(s.line)
	if s.hasNL {
		end++
	}
	return s.src[s.lineStart+s.offset : end]
}

// htmlStart returns the HTML block type starting on this line (0: none),
// as goldmark's HTML block parser decides it.
func (s *fscan) htmlStart(container *fblock) int {
	if s.partial {
		s.failed = true
		return 0
	}
	line := s.peekLine()
	re := htmlBlockRes()
	switch {
	case re.type1Open.Match(line):
		return 1
	case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("<!--")) && leadSpaces(line) <= 3:
		return 2
	case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("<?")) && leadSpaces(line) <= 3:
		return 3
	case re.type4Open.Match(line):
		return 4
	case bytes.HasPrefix(bytes.TrimLeft(line, " "), []byte("<![CDATA[")) && leadSpaces(line) <= 3:
		return 5
	}
	// Goldmark tries its type 7 pattern, then type 6; both read the same
	// tag name (htmlLineTag), and a block tag makes either type 6. The
	// type 6 test is cheap and decides most HTML lines (<p align=...>,
	// <div>); the type 7 pattern is not (a regexp over the whole line),
	// and needs the line to hold one tag alone (oneTag).
	tag, rest, named := htmlLineTag(line)
	if !named {
		return 0
	}
	block := htmlBlockTags()[string(bytes.ToLower(tag))]
	if block && type6Rest(rest) {
		return 6
	}
	if !oneTag(rest) {
		return 0
	}
	if m := re.type7.FindSubmatchIndex(line); m != nil {
		isClose := m[2] > -1 && line[m[2]] == '/'
		hasAttr := m[6] != m[7]
		if block {
			return 6
		}
		tag := string(bytes.ToLower(line[m[4]:m[5]]))
		// goldmark asks whether the last opened block is a paragraph.
		lastPara := container.kind == fkPara || (!s.allClosed && !s.blank && s.tip.kind == fkPara)
		if tag != "script" && tag != "style" && tag != "pre" && !lastPara && !(isClose && hasAttr) {
			return 7
		}
	}
	return 0
}

// htmlLineTag reads the start of goldmark's type 6 and 7 patterns,
// `^[ ]{0,3}<(/[ ]*)?([a-zA-Z]+[a-zA-Z0-9\-]*)`: the tag name and the
// rest of the line after it. The name is the longest run there, as in
// both patterns nothing that may follow it continues a name.
func htmlLineTag(line []byte) (tag, rest []byte, ok bool) {
	i := 0
	for i < len(line) && i < 4 && line[i] == ' ' {
		i++
	}
	if i > 3 || i >= len(line) || line[i] != '<' {
		return nil, nil, false
	}
	i++
	if i < len(line) && line[i] == '/' {
		i++
		for i < len(line) && line[i] == ' ' {
			i++
		}
	}
	st := i
	for i < len(line) && (line[i]|0x20 >= 'a' && line[i]|0x20 <= 'z' || i > st && (line[i] >= '0' && line[i] <= '9' || line[i] == '-')) {
		i++
	}
	if i == st {
		return nil, nil, false
	}
	return line[st:i], line[i:], true
}

// oneTag reports whether rest, the line after a tag name, may end the
// tag alone on its line as goldmark's type 7 pattern needs: its first ">"
// outside quoted attribute values is followed by spaces and the line end
// only. (Outside values, that pattern allows no quote, so a quote there
// opens a value.)
func oneTag(rest []byte) bool {
	var q byte
	for i, c := range rest {
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return len(bytes.TrimRight(rest[i+1:], " \n")) == 0
		}
	}
	return false
}

// type6Rest reports whether goldmark's type 6 pattern matches the rest
// of a line after its tag name: `(?:[ ].*|>.*|/>.*|)(?:\r\n|\n)?$`
// (the line holds no line end but its last byte).
func type6Rest(rest []byte) bool {
	switch {
	case len(rest) == 0 || string(rest) == "\n" || string(rest) == "\r\n":
		return true
	case rest[0] == ' ' || rest[0] == '>':
		return true
	}
	return len(rest) >= 2 && rest[0] == '/' && rest[1] == '>'
}

func leadSpaces(b []byte) int {
	n := 0
	for n < len(b) && b[n] == ' ' {
		n++
	}
	return n
}

var htmlClosers = [...]string{2: "-->", 3: "?>", 4: ">", 5: "]]>"}

func htmlClosed(t int, line []byte) bool {
	if t == 1 {
		return htmlBlockRes().type1Close.Match(line)
	}
	return bytes.Contains(line, []byte(htmlClosers[t]))
}

// htmlCont is goldmark's HTML block Continue.
func (s *fscan) htmlCont(b *fblock) int {
	switch b.htmlType {
	case 6, 7:
		if s.blank {
			return 1
		}
		return 0
	}
	if b.early {
		// The first line held the end condition: the block closed there.
		return 1
	}
	line := s.peekLine()
	if htmlClosed(b.htmlType, line) {
		s.addLine(b)
		s.finalize(b)
		return 2
	}
	return 0
}
