package adf

import (
	"bytes"

	"github.com/yuin/goldmark/util"
)

// GFM tables on the markdown fast path. Goldmark finds a table when a
// paragraph closes (gfmTable in gfm_table.go): the paragraph's first line
// that is a delimiter row ends its text, the line before is the header
// row, every later line a body row. A top-level paragraph the block
// scanner saw is read here the same way, with gfm_table.go's own row
// splitting, and converted to the paragraph above the table (if any) and
// the table, each cell's text by the fast inline converter (in a cell
// with "\|" after a backtick, code spans drop the backslash of each
// "\|", as tablePipes does: fastConv.tickPipes). Where the result is not
// certain the paragraph goes to goldmark:
//   - in a block quote or list (goldmark's lazy lines and container
//     prefixes; tables there are rare);
//   - a cell the inline converter refuses (HTML comments, autolinks and
//     e-mail addresses it does not take, nested brackets, ...), a cell
//     holding "<pre" (cellWithCode's code blocks);
//   - a table under a setext underline (the scanner gives up on the
//     document: goldmark then reads the paragraph already trimmed);
//   - with CRLF line ends, what crSafe refuses for any paragraph.

// paraTable converts a top-level paragraph that may hold a table
// (paraMayBeTable): the paragraph above the table and the table, or the
// paragraph alone when no line is a delimiter row under a header row of
// at most as many cells.
func (f *fastConv) paraTable(b *fblock) ([]*Node, bool) {
	lines := b.lines
	for i := 1; i < len(lines); i++ {
		// The scanner's line starts after its indentation, goldmark's at
		// the line start (a top-level paragraph's lines have no prefix).
		start := bytes.LastIndexByte(f.src[:lines[i].start], '\n') + 1
		aligns := delimiterRow(f.src[start:lines[i].end])
		if aligns == nil {
			continue
		}
		if f.rowCells(lines[i-1]) > len(aligns) {
			// tableRow pads a header row of fewer cells, as a body row;
			// one of more is no header, and goldmark looks no further.
			break
		}
		return f.table(lines, i, len(aligns))
	}
	return f.paragraph(lines)
}

// rowCells counts the cells of a row line as a header row keeps them.
func (f *fastConv) rowCells(l fseg) int {
	line := trimSpace(f.src[l.start:l.end])
	from, to := rowSpan(line)
	n := 0
	for ; from < to; n++ {
		end, _ := cellEnd(line, from, to)
		from = end + 1
	}
	return n
}

// trimSpace trims line of white space as goldmark trims a segment.
func trimSpace(line []byte) []byte {
	line = line[util.TrimLeftSpaceLength(line):]
	return line[:len(line)-util.TrimRightSpaceLength(line)]
}

// table converts lines[:delim-1] as the paragraph above the table (none
// when delim is 1) and lines[delim-1:] as a table of cols columns whose
// delimiter row is lines[delim].
func (f *fastConv) table(lines []fseg, delim, cols int) ([]*Node, bool) {
	var above []*Node
	if delim > 1 {
		var ok bool
		if above, ok = f.paragraph(lines[:delim-1]); !ok {
			return nil, false
		}
	}
	body := lines[delim+1:]
	rows := f.mc.nodes(1 + len(body))
	for k := -1; k < len(body); k++ {
		l, header := lines[delim-1], true
		if k >= 0 {
			l, header = body[k], false
		}
		cells, blank, ok := f.tableCells(l, header, cols)
		if !ok {
			return nil, false
		}
		if keepRow(header, blank, len(body) > 0, len(cells)) {
			rows = append(rows, f.mc.rowNode(cells))
		}
	}
	return append(append(f.mc.nodes(len(above)+1), above...), f.mc.tableNode(rows)), true
}

// tableCells converts the cells of row line l, cols of them (a row loses
// the cells beyond, which paraTable made sure a header row has none of,
// and gets blank ones for the missing); blank reports whether all are
// blank.
func (f *fastConv) tableCells(l fseg, header bool, cols int) (cells []*Node, blank, ok bool) {
	line := f.src[l.start:l.end]
	base := l.start + util.TrimLeftSpaceLength(line)
	line = trimSpace(line)
	from, to := rowSpan(line)
	cells = f.mc.nodes(cols)
	blank = true
	for from < to && len(cells) < cols {
		end, tickPipe := cellEnd(line, from, to)
		a, b := trimCell(line, from, end)
		if bytes.Contains(line[a:b], []byte("<pre")) {
			return nil, false, false
		}
		seg := [1]fseg{{base + a, base + b}}
		f.tickPipes = tickPipe
		runs, ok := f.inline(seg[:], true)
		f.tickPipes = false
		if !ok {
			return nil, false, false
		}
		content := f.mc.paragraphBlocks(runs)
		blank = blank && blankCell(content)
		cells = append(cells, f.mc.cellNode(header, content))
		from = end + 1
	}
	for len(cells) < cols {
		cells = append(cells, f.mc.cellNode(header, f.mc.paragraphBlocks(nil)))
	}
	return cells, blank, true
}
