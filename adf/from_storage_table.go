package adf

import (
	"bytes"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"golang.org/x/net/html"
)

// renderTable writes a GFM table. The first row is the header row (GFM
// needs one; a table without <th> gets its first row promoted). Block
// content in a cell is joined with <br>; "|" is escaped; spanned cells
// are followed by empty cells so columns stay aligned.
func renderTable(ctx converter.Context, w converter.Writer, n *html.Node) {
	var rows [][]string
	var collect func(*html.Node)
	collect = func(p *html.Node) {
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "thead", "tbody", "tfoot":
				collect(c)
			case "tr":
				var row []string
				for cell := c.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type != html.ElementNode || (cell.Data != "td" && cell.Data != "th") {
						continue
					}
					row = append(row, renderCell(ctx, cell))
					if span := attr(cell, "colspan"); span != "" {
						for i := 1; i < atoiBounded(span, 64); i++ {
							row = append(row, "")
						}
					}
				}
				rows = append(rows, row)
			}
		}
	}
	collect(n)
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	w.WriteString("\n\n")
	for i, r := range rows {
		w.WriteString("|")
		for j := 0; j < cols; j++ {
			cell := ""
			if j < len(r) {
				cell = r[j]
			}
			w.WriteString(" ")
			w.WriteString(cell)
			w.WriteString(" |")
		}
		w.WriteString("\n")
		if i == 0 {
			w.WriteString("|")
			for j := 0; j < cols; j++ {
				w.WriteString(" --- |")
			}
			w.WriteString("\n")
		}
	}
	w.WriteString("\n")
}

// cellKey marks the rendering context of a table cell.
type cellKey struct{}

func inCell(ctx converter.Context) bool {
	v, _ := ctx.Value(cellKey{}).(bool)
	return v
}

// renderInline renders the children of n.
func renderInline(ctx converter.Context, n *html.Node) []byte {
	var buf bytes.Buffer
	ctx.RenderChildNodes(ctx, &buf, n)
	return buf.Bytes()
}

// renderCellCode writes code inside a table cell: one code span per line.
func renderCellCode(w converter.Writer, lang, code string) {
	w.WriteString(cellCode(lang, code))
	w.WriteString("\n\n")
}

// renderCellTable writes a table nested in a cell: rows on lines, cells
// separated by " / ".
func renderCellTable(ctx converter.Context, w converter.Writer, n *html.Node) {
	var rows func(*html.Node)
	rows = func(p *html.Node) {
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.Data {
			case "thead", "tbody", "tfoot":
				rows(c)
			case "tr":
				first := true
				for cell := c.FirstChild; cell != nil; cell = cell.NextSibling {
					if cell.Type != html.ElementNode || (cell.Data != "td" && cell.Data != "th") {
						continue
					}
					if !first {
						w.WriteString(" / ")
					}
					first = false
					w.Write(bytes.ReplaceAll(renderBlockChildren(ctx, cell), []byte("\n"), []byte(" ")))
				}
				w.WriteString("\n")
			}
		}
	}
	rows(n)
	w.WriteString("\n")
}

// renderCell renders a table cell on one line.
func renderCell(ctx converter.Context, cell *html.Node) string {
	ctx = ctx.WithValue(cellKey{}, true)
	content := renderBlockChildren(ctx, cell)
	content = ctx.UnEscapeContent(content)
	s := strings.ReplaceAll(string(content), codeBlockNewline, "\n")
	var b strings.Builder
	blank := false
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " ")
		line = unescapeLineStart(line)
		if strings.TrimSpace(line) == "" {
			blank = true
			continue
		}
		if i > 0 && b.Len() > 0 {
			b.WriteString("<br>")
			if blank {
				b.WriteString("<br>")
			}
		}
		blank = false
		b.WriteString(line)
	}
	out := b.String()
	// Escape every pipe, in text, code spans and URLs alike (GFM reads
	// "\|" as a pipe inside a cell's code span too).
	out = strings.ReplaceAll(out, "|", `\|`)
	return out
}
