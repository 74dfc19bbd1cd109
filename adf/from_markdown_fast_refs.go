package adf

import (
	"bytes"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// fastDefinitions parses a top-level paragraph that holds link reference
// definitions and nothing else, each on one line, the way goldmark's
// parseLinkReferenceDefinition (parser/link_ref.go) reads them:
//
//	[label]: destination
//	[label]: <destination> "title"
//
// It reports false, and the caller hands the paragraph to goldmark, for
// anything it is not sure of: a backslash anywhere, a bracket in the label,
// a destination or title on the next line (or a next line that may start
// one), a title holding its delimiter, or a line that is no definition.
// The references carry goldmark's raw label, destination and title bytes;
// the context normalises labels (util.ToLinkReference) as goldmark does.
func fastDefinitions(src []byte, lines []fseg) ([]parser.Reference, bool) {
	refs := make([]parser.Reference, 0, len(lines))
	for i, l := range lines {
		line := bytes.TrimRight(src[l.start:l.end], "\n")
		next := []byte(nil)
		if i+1 < len(lines) {
			next = src[lines[i+1].start:lines[i+1].end]
		}
		ref, ok := fastDefinition(line, next)
		if !ok {
			return nil, false
		}
		refs = append(refs, ref)
	}
	return refs, true
}

// fastDefinition parses one definition line; next is the paragraph's
// following line (nil for the last), which goldmark would read a title
// from when the line ends after the destination.
func fastDefinition(line, next []byte) (parser.Reference, bool) {
	line = bytes.TrimLeft(line, " \t") // goldmark skips spaces first; the block scanner capped the indent
	if len(line) < 2 || line[0] != '[' || bytes.IndexByte(line, '\\') >= 0 {
		return nil, false
	}
	k := bytes.IndexByte(line[1:], ']')
	if k < 0 {
		return nil, false
	}
	label := line[1 : 1+k]
	if bytes.IndexByte(label, '[') >= 0 || util.IsBlank(label) || len(label) > 999 {
		return nil, false
	}
	rest := line[k+2:]
	if len(rest) == 0 || rest[0] != ':' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	if len(rest) == 0 {
		return nil, false // the destination is on the next line
	}
	// The destination, as parseLinkDestination reads it.
	var dest []byte
	if rest[0] == '<' {
		e := bytes.IndexByte(rest, '>')
		if e < 0 {
			return nil, false
		}
		dest, rest = rest[1:e], rest[e+1:]
	} else {
		opened, i := 0, 0
	scan:
		for ; i < len(rest); i++ {
			switch c := rest[i]; {
			case c == '(':
				opened++
			case c == ')':
				opened--
				if opened < 0 {
					break scan
				}
			case util.IsSpace(c):
				break scan
			}
		}
		dest, rest = rest[:i], rest[i:]
		if len(dest) == 0 {
			return nil, false
		}
	}
	after := bytes.TrimLeft(rest, " \t")
	if len(after) == 0 {
		// The line ends after the destination: goldmark looks for a title
		// on the next line. Where that line cannot start one, it is none.
		if n := bytes.TrimLeft(next, " \t"); len(n) > 0 && (n[0] == '"' || n[0] == '\'' || n[0] == '(') {
			return nil, false
		}
		return parser.NewReference(label, dest, nil), true
	}
	if len(after) == len(rest) {
		return nil, false // no space before the title
	}
	opener := after[0]
	closer := opener
	switch opener {
	case '"', '\'':
	case '(':
		closer = ')'
	default:
		return nil, false
	}
	body := after[1:]
	e := bytes.IndexByte(body, closer)
	if e < 0 || bytes.IndexByte(body[:e], opener) >= 0 {
		return nil, false
	}
	if len(bytes.TrimLeft(body[e+1:], " \t")) > 0 {
		return nil, false
	}
	return parser.NewReference(label, dest, body[:e]), true
}
