package adf

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// GFM tables (https://github.github.com/gfm/#tables-extension-), built as
// goldmark's extension/ast nodes by our own paragraph transformer rather
// than goldmark's extension package, whose package-level regular
// expressions cost the server's cold start milliseconds.
//
// A table is found when a paragraph closes: its first line that is a
// delimiter row ends the paragraph's text, the line before it is the
// header row, and every later line of the paragraph is a body row. The
// rules follow the spec, with goldmark's reading of its corners (the
// differential tests hold us to goldmark's tree):
//   - a header row of more cells than the delimiter row means no table
//     in this paragraph at all; one of fewer gets empty cells, as a body
//     row does;
//   - a pipe right after a backslash never separates cells, and one
//     leading and one trailing pipe are dropped from each row whatever
//     precedes them;
//   - a line of dashes alone (and no newline) is no delimiter row;
//   - body rows lose cells beyond the column count and get empty cells
//     (without the column's alignment) for missing ones.

// gfmTable finds tables in closing paragraphs.
type gfmTable struct{}

// tablePipesKey holds, in the parser context, the backslash offsets of
// "\|" inside cells that also hold a backtick: in a code span there the
// backslash goes (tablePipes drops it).
var tablePipesKey = parser.NewContextKey()

// pipeCells is what tablePipesKey holds: cells and the backslash offsets
// within them.
type pipeCells struct {
	cells []*east.TableCell
	at    []int
}

// Transform turns the paragraph, from the header row on, into a table.
func (gfmTable) Transform(para *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := para.Lines()
	if lines.Len() < 2 {
		return
	}
	src := reader.Source()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		aligns := delimiterRow(seg.Value(src))
		if aligns == nil {
			continue
		}
		head := tableRow(src, lines.At(i-1), aligns, true, pc)
		if head.ChildCount() != len(aligns) {
			return
		}
		table := east.NewTable()
		table.Alignments = aligns
		table.AppendChild(table, east.NewTableHeader(head))
		for j := i + 1; j < lines.Len(); j++ {
			table.AppendChild(table, tableRow(src, lines.At(j), aligns, false, pc))
		}
		parent := para.Parent()
		parent.InsertAfter(parent, para, table)
		if i == 1 {
			parent.RemoveChild(parent, para)
		} else {
			// The paragraph keeps the lines above the header, the last
			// one without its newline (closing the paragraph trims the
			// rest of its white space; a setext heading taking its lines
			// keeps that).
			lines.SetSliced(0, i-1)
			last := lines.At(i - 2)
			lines.Set(i-2, last.WithStop(last.Stop-1))
		}
		return
	}
}

// delimiterRow reads line as a table's delimiter row: its column
// alignments, or nil when it is not one. Only spaces, tabs, "-", ":" and
// "|" may appear, indented less than four columns; each cell between
// pipes (the outer ones optional) is "-"s with an optional ":" at either
// end, padded by whitespace.
func delimiterRow(line []byte) []east.Alignment {
	if w, _ := util.IndentWidth(line, 0); w > 3 {
		return nil
	}
	dashes := true
	for _, c := range line {
		if c != '-' && c != ':' && c != '|' && !util.IsSpace(c) {
			return nil
		}
		dashes = dashes && c == '-'
	}
	if dashes {
		// Only the last line of the input, lazily continuing a paragraph
		// in a container, can be all dashes (others end in a newline):
		// goldmark reads it as a setext underline, not a delimiter row.
		return nil
	}
	cols := bytes.Split(line, []byte{'|'})
	if util.IsBlank(cols[0]) {
		cols = cols[1:] // a leading pipe
	}
	if len(cols) > 0 && util.IsBlank(cols[len(cols)-1]) {
		cols = cols[:len(cols)-1] // a trailing pipe
	}
	var aligns []east.Alignment
	for _, col := range cols {
		a, ok := delimiterCell(col)
		if !ok {
			return nil
		}
		aligns = append(aligns, a)
	}
	return aligns
}

// delimiterCell reads one cell of a delimiter row.
func delimiterCell(cell []byte) (east.Alignment, bool) {
	i, j := 0, len(cell)
	for i < j && isRegexpSpace(cell[i]) {
		i++
	}
	for j > i && isRegexpSpace(cell[j-1]) {
		j--
	}
	cell = cell[i:j]
	left := len(cell) > 0 && cell[0] == ':'
	if left {
		cell = cell[1:]
	}
	right := len(cell) > 0 && cell[len(cell)-1] == ':'
	if right {
		cell = cell[:len(cell)-1]
	}
	if len(cell) == 0 {
		return 0, false
	}
	for _, c := range cell {
		if c != '-' {
			return 0, false
		}
	}
	switch {
	case left && right:
		return east.AlignCenter, true
	case left:
		return east.AlignLeft, true
	case right:
		return east.AlignRight, true
	}
	return east.AlignNone, true
}

// isRegexpSpace reports whether c is white space as a delimiter cell's
// padding allows it (space, tab, newline, form feed, carriage return; not
// vertical tab, which a delimiter row may hold but no cell accepts).
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// tableRow splits a row line into cells, each holding the trimmed text
// between its pipes as its one line (inline parsing comes later, as for
// any block). A header row keeps every cell; a body row keeps at most
// len(aligns); both are padded to that many.
func tableRow(src []byte, seg text.Segment, aligns []east.Alignment, header bool, pc parser.Context) *east.TableRow {
	seg = seg.TrimLeftSpace(src)
	seg = seg.TrimRightSpace(src)
	line := seg.Value(src)
	from, to := rowSpan(line)
	row := east.NewTableRow(aligns)
	n := 0
	for ; from < to; n++ {
		align := east.AlignNone
		if n < len(aligns) {
			align = aligns[n]
		} else if !header {
			return row
		}
		cell := east.NewTableCell()
		cell.Alignment = align
		end, tickPipe := cellEnd(line, from, to)
		if tickPipe {
			noteTickPipes(pc, cell, line[:end], from, seg.Start)
		}
		a, b := trimCell(line, from, end)
		cell.Lines().Append(text.NewSegment(seg.Start+a, seg.Start+b))
		row.AppendChild(row, cell)
		from = end + 1
	}
	for ; n < len(aligns); n++ {
		row.AppendChild(row, east.NewTableCell())
	}
	return row
}

// rowSpan returns where the cells of a row lie in line, the row trimmed
// of white space: after one leading pipe and before one trailing pipe,
// whatever precedes them.
func rowSpan(line []byte) (from, to int) {
	to = len(line)
	if to > 0 && line[0] == '|' {
		from++
	}
	if to > 0 && line[to-1] == '|' {
		to--
	}
	return from, to
}

// cellEnd returns the end of the cell that starts at line[from] in a
// row's cells line[:to]: the offset of the pipe that closes it, or to. A
// pipe right after a backslash closes no cell; tickPipe reports such a
// "\|" after a backtick of the cell (in a code span its backslash goes,
// see tablePipes).
func cellEnd(line []byte, from, to int) (end int, tickPipe bool) {
	tick := false
	for end = from; end < to; end++ {
		switch line[end] {
		case '`':
			tick = true
		case '|':
			if end == 0 || line[end-1] != '\\' {
				return end, tickPipe
			}
			tickPipe = tickPipe || tick
		}
	}
	return end, tickPipe
}

// trimCell returns the bounds of line[from:end] trimmed of white space
// as goldmark trims a segment (spaces, tabs, CR and LF).
func trimCell(line []byte, from, end int) (int, int) {
	from += util.TrimLeftSpaceLength(line[from:end])
	end -= util.TrimRightSpaceLength(line[from:end])
	return from, end
}

// noteTickPipes notes, for tablePipes, the backslash of each "\|" after a
// backtick in the cell line[from:] (every pipe there is escaped; a byte's
// source offset is base plus its offset in line).
func noteTickPipes(pc parser.Context, cell *east.TableCell, line []byte, from, base int) {
	tick := false
	for k := from; k < len(line); k++ {
		switch line[k] {
		case '`':
			tick = true
		case '|':
			if tick {
				notePipe(pc, cell, base+k-1)
			}
		}
	}
}

// notePipe records the backslash at offset at, in cell, for tablePipes.
func notePipe(pc parser.Context, cell *east.TableCell, at int) {
	pcs, _ := pc.Get(tablePipesKey).(*pipeCells)
	if pcs == nil {
		pcs = &pipeCells{}
		pc.Set(tablePipesKey, pcs)
	}
	if len(pcs.cells) == 0 || pcs.cells[len(pcs.cells)-1] != cell {
		pcs.cells = append(pcs.cells, cell)
	}
	pcs.at = append(pcs.at, at)
}

// tablePipes is the AST transformer that completes gfmTable: a "\|" in a
// table cell stands for "|" even inside a code span, where backslash
// escapes do not apply, so the backslash is cut out of the code span's
// text.
type tablePipes struct{}

// Transform removes the noted backslashes from code spans in noted cells.
func (tablePipes) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	pcs, _ := pc.Get(tablePipesKey).(*pipeCells)
	if pcs == nil {
		return
	}
	pc.Set(tablePipesKey, nil)
	for _, cell := range pcs.cells {
		_ = ast.Walk(cell, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if entering && n.Kind() == ast.KindCodeSpan {
				cutBackslashes(n, pcs.at)
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
	}
}

// cutBackslashes splits each text child of span around the offsets in at
// that it covers, dropping the byte there.
func cutBackslashes(span ast.Node, at []int) {
	for c := span.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if !ok {
			c = next
			continue
		}
		seg := t.Segment
		cur := ast.Node(t)
		for _, p := range at {
			if p < seg.Start || p >= seg.Stop {
				continue
			}
			rest := cur.(*ast.Text).Segment
			before := ast.NewRawTextSegment(rest.WithStop(p))
			after := ast.NewRawTextSegment(rest.WithStart(p + 1))
			span.InsertAfter(span, cur, before)
			span.InsertAfter(span, before, after)
			span.RemoveChild(span, cur)
			cur = after
		}
		c = next
	}
}

// The ADF nodes of a table, built alike by the goldmark path
// (mdConv.table) and the fast path (fastConv.table).

// tableAttrs are the shared attrs of the tables of a transient document.
var tableAttrs = map[string]any{"isNumberColumnEnabled": false, "layout": "default"}

// tableNode returns a table of rows; a table without rows gets one blank
// cell (ADF requires content).
func (c *mdConv) tableNode(rows []*Node) *Node {
	if len(rows) == 0 {
		rows = c.one(c.rowNode(c.one(c.cellNode(false, nil))))
	}
	t := c.node()
	t.Type, t.Content = "table", rows
	if c.transient() {
		t.Attrs = tableAttrs
	} else {
		t.Attrs = map[string]any{"isNumberColumnEnabled": false, "layout": "default"}
	}
	return t
}

// rowNode returns a table row of cells.
func (c *mdConv) rowNode(cells []*Node) *Node {
	r := c.node()
	r.Type, r.Content = "tableRow", cells
	return r
}

// cellNode returns a header row's cell (tableHeader) or a body row's
// (tableCell) holding a cell's converted blocks, fitted to a cell (no
// blocks: an empty paragraph).
func (c *mdConv) cellNode(header bool, content []*Node) *Node {
	n := c.node()
	n.Type, n.Content = "tableCell", c.fit("tableCell", content)
	if header {
		n.Type = "tableHeader"
	}
	return n
}

// blankCell reports whether a cell's converted blocks are blank: one
// block without content (the empty paragraph of an empty cell).
func blankCell(content []*Node) bool {
	return len(content) == 1 && len(content[0].Content) == 0
}

// keepRow reports whether a converted row of n cells stays in its table:
// a row without cells does not, nor does an all-blank header row with
// rows after it (more), which is how markdown writes a table without a
// header.
func keepRow(header, blank, more bool, n int) bool {
	return n > 0 && !(header && blank && more)
}
