package adf

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdParser is built once, on first use rather than at package init (it is
// a quarter of a megabyte of tables that a process which never converts
// markdown should not pay for at startup); goldmark parsers hold no
// per-parse state and are safe for concurrent use.
var mdParser = sync.OnceValue(func() parser.Parser { return newMDParser() })

// newMDParser is goldmark's CommonMark parser with our GFM extensions
// (gfm_*.go: tables, strikethrough, task list boxes, extended autolinks)
// and the tuning below. It uses goldmark's parser package alone: the
// renderer and goldmark's extension package (whose package-level regular
// expressions took 6 ms of every start) stay out of the binary.
func newMDParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithParagraphTransformers(util.Prioritized(gfmTable{}, 200)),
		parser.WithASTTransformers(util.Prioritized(tablePipes{}, 0)),
		parser.WithInlineParsers(
			util.Prioritized(gfmTaskBox{}, 0),
			util.Prioritized(spacedPageLink{}, 199), // before goldmark's link parser (200)
			util.Prioritized(inertDelimiters{}, 499),
			util.Prioritized(gfmStrike{}, 500),
			util.Prioritized(gfmAutolink{}, 999),
		),
	)
}

// mayAutolink reports whether line could start a GFM extended autolink: a
// URL with a scheme goldmark links, "www.", or an e-mail address whose "@"
// comes within 64 local-part characters.
func mayAutolink(line []byte) bool {
	if bytes.HasPrefix(line, []byte("http://")) || bytes.HasPrefix(line, []byte("https://")) ||
		bytes.HasPrefix(line, []byte("ftp://")) || bytes.HasPrefix(line, []byte("www.")) {
		return true
	}
	for i := 0; i < len(line) && i <= 64; i++ {
		c := line[i]
		switch {
		case c == '@':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '+', c == '-':
		default:
			return false
		}
	}
	return false
}

// inertDelimiters turns "*" and "_" runs that can neither open nor close
// emphasis (snake_case inside words) into plain text before goldmark's
// emphasis parser sees them. The result is the same, but goldmark keeps
// every such run on its delimiter stack and slows down super-linearly: 32 KB
// of "a_" took 20 s. With this it is linear.
type inertDelimiters struct{}

func (inertDelimiters) Trigger() []byte { return []byte{'*', '_'} }

func (inertDelimiters) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, segment := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, inertDelimiters{})
	if d == nil || d.CanOpen || d.CanClose {
		return nil
	}
	block.Advance(d.OriginalLength)
	return ast.NewTextSegment(segment.WithStop(segment.Start + d.OriginalLength))
}

func (inertDelimiters) IsDelimiter(c byte) bool { return c == '*' || c == '_' }

func (inertDelimiters) CanOpenCloser(*parser.Delimiter, *parser.Delimiter) bool { return false }

func (inertDelimiters) OnMatch(int) ast.Node { return nil }

// sanitizeMarkdown makes the input valid UTF-8 without NULs and caps the
// number of container markers (">", list bullets) at the start of a line, so
// hostile nesting cannot make the parser allocate without bound.
func sanitizeMarkdown(md string) []byte {
	return sanitizeMarkdownTo(nil, md)
}

// sanitizeMarkdownTo is sanitizeMarkdown writing to dst's memory when the
// result fits there.
func sanitizeMarkdownTo(dst []byte, md string) []byte {
	if !utf8.ValidString(md) {
		md = strings.ToValidUTF8(md, "\uFFFD")
	}
	if strings.IndexByte(md, 0) >= 0 {
		md = strings.ReplaceAll(md, "\x00", "\uFFFD")
	}
	src := append(dst[:0], md...)
	var out []byte
	last := 0
	for i := 0; i < len(src); {
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += i
		}
		if cut, resume := markerCut(src[i:end]); cut >= 0 {
			if out == nil {
				out = make([]byte, 0, len(src))
			}
			out = append(out, src[last:i+cut]...)
			out = append(out, ' ')
			last = i + resume
		}
		i = end + 1
	}
	if out != nil {
		src = append(out, src[last:]...)
	}
	return defuseLinkOpeners(src)
}

// maxLongLinkOpeners is how many "](" with no ")" or space within
// longLinkScan bytes a document may hold before the rest are escaped.
const (
	maxLongLinkOpeners = 64
	longLinkScan       = 256
)

// defuseLinkOpeners escapes the "(" of "](" that cannot close nearby once
// a document has more than maxLongLinkOpeners of them. Goldmark scans to the
// end of the line for each such opener, so "[a](" repeated makes parsing
// quadratic (1 MB took minutes); real documents never have that many.
func defuseLinkOpeners(src []byte) []byte {
	if bytes.Count(src, []byte("](")) <= maxLongLinkOpeners {
		return src
	}
	// next is the first index >= the current "](" + 2 holding ')' or
	// whitespace (or len): found by one forward scan, as stops only move on.
	next := -1
	var out []byte
	last, long := 0, 0
	for i := 0; i+1 < len(src); i++ {
		if src[i] != ']' || src[i+1] != '(' {
			continue
		}
		if next < i+2 {
			next = len(src)
			if k := bytes.IndexAny(src[i+2:], ") \t\n\r"); k >= 0 {
				next = i + 2 + k
			}
		}
		if next-(i+2) <= longLinkScan {
			continue
		}
		long++
		if long <= maxLongLinkOpeners {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(src)+len(src)/8)
		}
		out = append(out, src[last:i+1]...)
		out = append(out, '\\')
		last = i + 1
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

// markerCut reports where to cut a line whose leading container markers
// exceed maxMarkdownNesting: keep line[:cut], drop line[cut:resume]. It
// returns -1 when the line is fine.
func markerCut(line []byte) (cut, resume int) {
	markers := 0
	cut = -1
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '>':
			i++
		case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && (line[i+1] == ' ' || line[i+1] == '\t'):
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 10 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') && (j+1 == len(line) || line[j+1] == ' ') {
				i = j + 1
			} else {
				return cut, 0
			}
		default:
			if cut < 0 {
				return -1, 0
			}
			return cut, i
		}
		markers++
		if markers == maxMarkdownNesting {
			cut = i
		}
	}
	if cut < 0 {
		return -1, 0
	}
	return cut, len(line)
}
