package adf

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// gfmStrike parses GFM strikethrough
// (https://github.github.com/gfm/#strikethrough-extension-): text between
// runs of one or two tildes. The runs take part in goldmark's delimiter
// processing as "*" and "_" do, so they open and close by the same
// flanking rules and nest with emphasis; a run of three or more tildes
// is plain text.
type gfmStrike struct{}

// Trigger is the tilde.
func (gfmStrike) Trigger() []byte { return []byte{'~'} }

// Parse pushes a run of one or two tildes as a delimiter.
func (gfmStrike) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	if before == '~' {
		// The rest of a longer run that was already turned down.
		return nil
	}
	line, seg := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, gfmStrike{})
	if d == nil || d.OriginalLength > 2 {
		return nil
	}
	d.Segment = seg.WithStop(seg.Start + d.OriginalLength)
	block.Advance(d.OriginalLength)
	pc.PushDelimiter(d)
	return d
}

// IsDelimiter is true for the tilde.
func (gfmStrike) IsDelimiter(c byte) bool { return c == '~' }

// CanOpenCloser pairs tilde runs.
func (gfmStrike) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}

// OnMatch makes the strikethrough node.
func (gfmStrike) OnMatch(int) ast.Node { return east.NewStrikethrough() }
