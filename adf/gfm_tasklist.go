package adf

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// gfmTaskBox parses a GFM task list item marker
// (https://github.github.com/gfm/#task-list-items-extension-): "[ ]",
// "[x]" or "[X]" at the very start of a list item's first paragraph,
// followed by white space or the end of the line. The box and the white
// space after it (on that line) become an east.TaskCheckBox. As goldmark
// does, any white space character inside the brackets reads as unchecked.
type gfmTaskBox struct{}

// Trigger is the opening bracket.
func (gfmTaskBox) Trigger() []byte { return []byte{'['} }

// Parse reads the box when the position is the start of a list item's
// first block.
func (gfmTaskBox) Parse(parent ast.Node, block text.Reader, _ parser.Context) ast.Node {
	item := parent.Parent()
	if item == nil || item.FirstChild() != parent || parent.HasChildren() {
		return nil
	}
	if _, ok := item.(*ast.ListItem); !ok {
		return nil
	}
	line, _ := block.PeekLine()
	if len(line) < 3 || line[0] != '[' || line[2] != ']' {
		return nil
	}
	mark := line[1]
	if mark != 'x' && mark != 'X' && !isRegexpSpace(mark) {
		return nil
	}
	n := 3
	if n < len(line) && line[n] != ' ' && line[n] != '\t' && line[n] != '\n' && line[n] != '\r' {
		return nil // "[x](url)" and "[x]y" are not boxes
	}
	for n < len(line) && isRegexpSpace(line[n]) {
		n++
	}
	block.Advance(n)
	return east.NewTaskCheckBox(mark == 'x' || mark == 'X')
}
