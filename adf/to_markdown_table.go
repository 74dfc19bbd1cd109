package adf

import (
	"regexp"
	"strings"
	"sync"
)

func (r *mdRenderer) table(n *Node, depth int) string {
	type cell struct {
		text   string
		header bool
	}
	var grid [][]*cell
	occupied := map[[2]int]bool{}
	for ri, row := range n.Content {
		for len(grid) <= ri {
			grid = append(grid, nil)
		}
		col := 0
		for _, c := range row.Content {
			for occupied[[2]int{ri, col}] {
				col++
			}
			colspan, _ := c.IntAttr("colspan")
			rowspan, _ := c.IntAttr("rowspan")
			colspan = min(max(colspan, 1), 1000)
			rowspan = min(max(rowspan, 1), len(n.Content)-ri)
			text := r.cellText(c, depth+2)
			for dr := 0; dr < rowspan; dr++ {
				for dc := 0; dc < colspan; dc++ {
					rr, cc := ri+dr, col+dc
					occupied[[2]int{rr, cc}] = true
					for len(grid) <= rr {
						grid = append(grid, nil)
					}
					for len(grid[rr]) <= cc {
						grid[rr] = append(grid[rr], nil)
					}
					if dr == 0 && dc == 0 {
						grid[rr][cc] = &cell{text: text, header: c.Type == "tableHeader"}
					} else {
						grid[rr][cc] = &cell{header: c.Type == "tableHeader"}
					}
				}
			}
			col += colspan
		}
	}
	width := 0
	for _, row := range grid {
		width = max(width, len(row))
	}
	if width == 0 {
		return ""
	}
	headerRow := len(grid) > 0
	if headerRow {
		for i := 0; i < width; i++ {
			if i >= len(grid[0]) || grid[0][i] == nil || !grid[0][i].header {
				headerRow = false
				break
			}
		}
	}
	writeRow := func(b *strings.Builder, row []*cell) {
		b.WriteString("|")
		for i := 0; i < width; i++ {
			t := ""
			if i < len(row) && row[i] != nil {
				t = row[i].text
			}
			b.WriteString(" " + t + " |")
		}
	}
	var b strings.Builder
	rows := grid
	if headerRow {
		writeRow(&b, grid[0])
		rows = grid[1:]
	} else {
		writeRow(&b, nil)
	}
	b.WriteString("\n|")
	for i := 0; i < width; i++ {
		b.WriteString(" --- |")
	}
	for _, row := range rows {
		b.WriteString("\n")
		writeRow(&b, row)
	}
	return b.String()
}

// cellText renders a table cell's blocks on one line, joined by <br>.
func (r *mdRenderer) cellText(c *Node, depth int) string {
	var parts []string
	var walk func(nodes []*Node, prefix string, d int)
	walk = func(nodes []*Node, prefix string, d int) {
		if r.tooDeep(d) {
			return
		}
		for _, b := range nodes {
			switch b.Type {
			case "paragraph", "heading", "taskItem", "decisionItem", "caption":
				s := r.inline(b.Content, ctxTable, d)
				if b.Type == "taskItem" {
					box := "[ ] "
					if b.StringAttr("state") == "DONE" {
						box = "[x] "
					}
					s = escapeText(box, false, true) + s
				}
				if s != "" || prefix != "" {
					parts = append(parts, prefix+s)
				}
			case "bulletList", "orderedList", "taskList", "decisionList", "listItem",
				"blockquote", "panel", "expand", "nestedExpand", "layoutSection", "layoutColumn", "bodiedExtension":
				p := prefix
				switch b.Type {
				case "listItem":
					p = prefix + "• "
				case "expand", "nestedExpand":
					parts = append(parts, "**"+escapeText(b.StringAttr("title"), false, true)+"**")
				case "bodiedExtension":
					parts = append(parts, escapeTable(extensionPlaceholder(b)))
				}
				walk(b.Content, p, d+1)
			case "codeBlock":
				parts = append(parts, prefix+escapeTable(cellCode(b.StringAttr("language"), plainText(b.Content))))
			case "rule":
				parts = append(parts, "---")
			default:
				s := r.block(b, d, false)
				if s != "" {
					parts = append(parts, prefix+escapeTable(strings.ReplaceAll(s, "\n", " ")))
				}
			}
		}
	}
	walk(c.Content, "", depth)
	return strings.Join(parts, "<br>")
}

func escapeTable(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// cellCode writes a code block for a GFM table cell, which holds one line:
// <pre lang="py">line 1<br>line 2</pre>, with the markdown punctuation in
// the code backslash-escaped so it reads back literally. FromMarkdown
// reads this form back as a code block in the cell (StorageToMarkdown
// writes the same for a code macro in a cell). The caller escapes "|".
func cellCode(lang, code string) string {
	var b strings.Builder
	b.WriteString("<pre")
	if lang != "" {
		b.WriteString(` lang="` + strings.ReplaceAll(htmlEscape(lang), `"`, "&quot;") + `"`)
	}
	b.WriteString(">")
	for i, line := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		for j := 0; j < len(line); j++ {
			if strings.IndexByte(cellCodeEscapes, line[j]) >= 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(line[j])
		}
	}
	b.WriteString("</pre>")
	return b.String()
}

// cellCodeEscapes are the characters escaped in cellCode: everything that
// could start markdown, HTML, an entity or an extension inline.
const cellCodeEscapes = "\\`*_[]<>&~!{}:@$"

// cellCodeRe matches a cellCode block in a table cell's source.
var cellCodeRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`<pre(?: lang="([^"]*)")?>((?:[^<\\]|\\.|<br>)*)</pre>`)
})
