package adf

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// spacedLinkSchemes are the link schemes whose destinations name Confluence
// content by title or file name, where a space is part of the name.
var spacedLinkSchemes = []string{"confluence-page:", "confluence-blogpost:", "confluence-attachment:"}

// spacedPageLink accepts "[text](confluence-page:SPACE/Page Title)" with
// spaces in the destination, which CommonMark would leave as text (it
// wants "%20" or "<...>"). Agents write titles as they read them, so the
// link is taken when it is unambiguous: one line, a label of plain text,
// a destination with a Confluence scheme, balanced parentheses and no
// quote, angle bracket or backslash (so no link title can be meant). The
// destination is stored as the "%20" form, exactly as if it had been
// written so. Every other "[" is left to goldmark's link parser; the fast
// path never takes such a link (a space ends its destination), so both
// paths give the same document.
type spacedPageLink struct{}

func (spacedPageLink) Trigger() []byte { return []byte{'['} }

func (spacedPageLink) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, seg := block.PeekLine()
	label, dest, n := scanSpacedPageLink(line)
	if n == 0 || seg.Padding != 0 {
		return nil
	}
	link := ast.NewLink()
	link.Destination = []byte(dest)
	link.AppendChild(link, ast.NewTextSegment(text.NewSegment(seg.Start+1, seg.Start+1+label)))
	block.Advance(n)
	return link
}

// scanSpacedPageLink matches an unambiguous spaced Confluence link at the
// start of line. It returns the label's length, the escaped destination
// and the bytes consumed, or n == 0 when line holds no such link.
func scanSpacedPageLink(line []byte) (label int, dest string, n int) {
	if len(line) < 4 || line[0] != '[' {
		return 0, "", 0
	}
	end := bytes.IndexByte(line, ']')
	if end < 2 || end+1 >= len(line) || line[end+1] != '(' {
		return 0, "", 0
	}
	// A plain label: nothing another inline parser would take.
	if bytes.ContainsAny(line[1:end], "[`*_~<>\\&!\n\r") || len(bytes.TrimSpace(line[1:end])) == 0 {
		return 0, "", 0
	}
	rest := line[end+2:]
	depth, closeAt := 0, -1
	for i, c := range rest {
		switch c {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				closeAt = i
			}
			depth--
		case '"', '\'', '<', '>', '\\', '\n', '\r', '\t':
			return 0, "", 0
		}
		if closeAt >= 0 {
			break
		}
	}
	if closeAt < 0 {
		return 0, "", 0
	}
	raw := strings.TrimSpace(string(rest[:closeAt]))
	if !strings.Contains(raw, " ") {
		return 0, "", 0 // the ordinary link parser takes it
	}
	for _, scheme := range spacedLinkSchemes {
		if name, ok := strings.CutPrefix(raw, scheme); ok && strings.TrimSpace(name) == name && name != "" {
			return end - 1, scheme + escapeSpacedName(name), end + 2 + closeAt + 1
		}
	}
	return 0, "", 0
}

// escapeSpacedName writes the name as the "%20" form: spaces become %20,
// and a "%" that starts no escape becomes %25, so the name reads back
// (unescapePath) as written.
func escapeSpacedName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			b.WriteString("%20")
		case c == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])):
			b.WriteString("%25")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
