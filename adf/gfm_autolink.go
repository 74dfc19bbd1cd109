package adf

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// gfmAutolink parses GFM extended autolinks
// (https://github.github.com/gfm/#autolinks-extension-): URLs starting
// "http://", "https://", "ftp://" or "www." and e-mail addresses, at the
// start of a line, after white space or after "*", "_", "~" or "(".
// URLs are read as goldmark's linkify reads them (linkifyAt, shared with
// the fast path); e-mail addresses by GFM's stricter local part (see
// emailLen).
type gfmAutolink struct{}

// Trigger is what goldmark's inline loop calls the parser at: " " stands
// for white space and the start of a line.
func (gfmAutolink) Trigger() []byte { return []byte{' ', '*', '_', '~', '('} }

// Parse reads an autolink at the position, or right after its one
// trigger character, which then stays text before the link.
func (gfmAutolink) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	if pc.IsInLinkLabel() {
		return nil
	}
	line, seg := block.PeekLine()
	skip := 0
	if len(line) > 0 {
		switch line[0] {
		case ' ', '*', '_', '~', '(':
			skip = 1
			line = line[1:]
		}
	}
	if !mayAutolink(line) {
		return nil
	}
	typ := ast.AutoLinkURL
	var proto []byte
	n, _ := linkifyAt(line)
	if bytes.HasPrefix(line, []byte("www.")) {
		// Goldmark's protocol for "www." text, kept (as it keeps it) when
		// only an e-mail address matches there: "www.@a.b" links to
		// "mailto:http://www.@a.b".
		proto = []byte("http")
	}
	if n == 0 {
		if len(line) == 0 || util.IsPunct(line[0]) {
			return nil
		}
		n = emailLen(line)
		if n == 0 {
			return nil
		}
		typ = ast.AutoLinkEmail
	}
	start := seg.Start + skip
	if skip > 0 {
		ast.MergeOrAppendTextSegment(parent, seg.WithStop(start))
	}
	block.Advance(skip + n)
	link := ast.NewAutoLink(typ, ast.NewTextSegment(text.NewSegment(start, start+n)))
	link.Protocol = proto
	return link
}

// emailLen is the length of the e-mail autolink at the start of line, 0
// for none: a local part of 1 to 64 of "a-zA-Z0-9._+-" (GFM's set, which
// is narrower than goldmark's default), "@", then up to nine labels of 1
// to 63 of "a-zA-Z0-9-" joined by dots, at least two. Where a label runs
// longer than 63 the address ends after its 63rd byte. An address
// followed directly by "-" or "_" is no link.
func emailLen(line []byte) int {
	i := 0
	for i < len(line) && i < 64 && isLocalPart(line[i]) {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != '@' {
		return 0
	}
	i++
	labels := 0
	for labels < 9 {
		j := i
		if labels > 0 {
			if j >= len(line) || line[j] != '.' {
				break
			}
			j++
		}
		k := j
		for k < len(line) && k-j < 63 && isLabelByte(line[k]) {
			k++
		}
		if k == j {
			break
		}
		if labels == 0 && (k >= len(line) || line[k] != '.') {
			return 0 // the first label is followed by a dot
		}
		i = k
		labels++
	}
	if labels < 2 {
		return 0
	}
	if i < len(line) && (line[i] == '-' || line[i] == '_') {
		return 0
	}
	return i
}

// isLabelByte reports whether c may appear in a domain label of an
// e-mail autolink.
func isLabelByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}
