package adf

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Limits applied to every input. They bound memory and stack use; an input
// beyond them gets an error, never a panic.
const (
	// MaxInputSize is the largest input, in bytes, that Parse, FromMarkdown
	// and ToMarkdown's callers may pass (10 MiB). Jira and Confluence bodies
	// are far smaller; anything larger is rejected with ErrTooLarge.
	MaxInputSize = 10 << 20
	// MaxDepth is the deepest node nesting accepted (doc = depth 0). Parse
	// rejects deeper documents with ErrTooDeep; FromMarkdown flattens deeper
	// markdown structure (its content is kept, its nesting is not).
	MaxDepth = 100
)

// Errors returned for input outside the limits. Test with errors.Is.
var (
	// ErrTooLarge reports an input larger than MaxInputSize.
	ErrTooLarge = errors.New("adf: input larger than the 10 MiB limit")
	// ErrTooDeep reports a document nested deeper than MaxDepth.
	ErrTooDeep = errors.New("adf: document nested deeper than 100 levels")
	// ErrInvalidUTF8 reports ADF JSON that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("adf: input is not valid UTF-8")
)

// Doc is an ADF document: {"type":"doc","version":1,"content":[...]}.
// Top-level keys other than type, version and content are kept in Extra and
// written back unchanged.
type Doc struct {
	// Version is the ADF version; always 1 today. A zero Version is written as 1.
	Version int
	// Content holds the block nodes of the document.
	Content []*Node
	// Extra holds unknown top-level keys verbatim (raw JSON).
	Extra map[string]json.RawMessage
}

// Node is one ADF node. Unknown node types, unknown attributes and unknown
// keys are kept so that a parsed document writes back unchanged.
type Node struct {
	// Type is the node type, e.g. "paragraph" or "text".
	Type string
	// Attrs holds the node's attributes. Values are JSON values as decoded
	// with json.Number for numbers (so they write back exactly); converters
	// may also store Go ints and strings. A nil map means no "attrs" key; an
	// empty non-nil map writes "attrs":{}.
	Attrs map[string]any
	// Content holds child nodes. A nil slice means no "content" key; an empty
	// non-nil slice writes "content":[].
	Content []*Node
	// Marks holds the marks of a text (or other inline) node. Nil means no
	// "marks" key; empty non-nil writes "marks":[].
	Marks []Mark
	// Text is the text of a text node.
	Text string
	// Extra holds unknown keys verbatim (raw JSON).
	Extra map[string]json.RawMessage
}

// Mark is one ADF mark on an inline node, e.g. {"type":"strong"} or
// {"type":"link","attrs":{"href":"..."}}.
type Mark struct {
	// Type is the mark type, e.g. "strong" or "link".
	Type string
	// Attrs holds the mark's attributes (nil means none).
	Attrs map[string]any
	// Extra holds unknown keys verbatim (raw JSON).
	Extra map[string]json.RawMessage
}

// NewDoc returns a version 1 document holding the given block nodes.
func NewDoc(content ...*Node) *Doc {
	if content == nil {
		content = []*Node{}
	}
	return &Doc{Version: 1, Content: content}
}

// Attr returns the attribute named key and whether it is present.
func (n *Node) Attr(key string) (any, bool) {
	if n == nil || n.Attrs == nil {
		return nil, false
	}
	v, ok := n.Attrs[key]
	return v, ok
}

// StringAttr returns the attribute named key when it is a string, else "".
func (n *Node) StringAttr(key string) string {
	v, _ := n.Attr(key)
	return attrString(v)
}

// IntAttr returns the attribute named key as an int and whether it is a
// whole number (JSON numbers, Go integers and numeric strings count).
func (n *Node) IntAttr(key string) (int, bool) {
	v, ok := n.Attr(key)
	if !ok {
		return 0, false
	}
	return attrInt(v)
}

// SetAttr sets the attribute named key, creating the map when needed.
func (n *Node) SetAttr(key string, v any) {
	if n.Attrs == nil {
		n.Attrs = map[string]any{}
	}
	n.Attrs[key] = v
}

// StringAttr returns the mark attribute named key when it is a string, else "".
func (m Mark) StringAttr(key string) string {
	if m.Attrs == nil {
		return ""
	}
	return attrString(m.Attrs[key])
}

func attrString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	}
	return ""
}

func attrInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	case json.Number:
		if i, err := strconv.Atoi(string(x)); err == nil {
			return i, true
		}
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), true
		}
	case string:
		if i, err := strconv.Atoi(x); err == nil {
			return i, true
		}
	}
	return 0, false
}

// Parse decodes an ADF document. It is strict about structure (the root
// must be {"type":"doc"} with a numeric version and a content array; every
// node must be an object with a string type; content, marks and attrs must
// have the right JSON kinds) and lossless about everything else: unknown
// node types, marks, attributes and keys are kept and written back as they
// were. Inputs larger than MaxInputSize, deeper than MaxDepth or not valid
// UTF-8 are rejected. Parse does not check ADF content rules; use Validate.
func Parse(data []byte) (*Doc, error) {
	if len(data) > MaxInputSize {
		return nil, ErrTooLarge
	}
	if !utf8.Valid(data) {
		return nil, ErrInvalidUTF8
	}
	if err := checkJSONDepth(data, 2*MaxDepth+8); err != nil {
		return nil, err
	}
	d := &jsonDec{data: data}
	return d.doc()
}

// checkJSONDepth rejects JSON nested deeper than max arrays/objects without
// decoding it, so a hostile document cannot exhaust the stack.
func checkJSONDepth(data []byte, max int) error {
	depth := 0
	inStr := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > max {
				return ErrTooDeep
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// UnmarshalJSON decodes an ADF document with Parse.
func (d *Doc) UnmarshalJSON(data []byte) error {
	p, err := Parse(data)
	if err != nil {
		return err
	}
	*d = *p
	return nil
}

// MarshalJSON encodes the document deterministically: keys in a fixed order
// (type, version, content, then unknown keys sorted), attributes sorted, no
// HTML escaping, no insignificant whitespace.
func (d *Doc) MarshalJSON() ([]byte, error) {
	v := d.Version
	if v == 0 {
		v = 1
	}
	b := make([]byte, 0, 64+jsonSizeHint(d.Content))
	b = append(b, `{"type":"doc","version":`...)
	b = strconv.AppendInt(b, int64(v), 10)
	b = append(b, `,"content":`...)
	b = appendNodes(b, d.Content)
	b = appendExtra(b, d.Extra)
	return append(b, '}'), nil
}

// MarshalIndent returns the document as pretty JSON (two-space indent).
func (d *Doc) MarshalIndent() ([]byte, error) {
	raw, err := d.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(raw) * 2)
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// MarshalJSON encodes the node deterministically (type, attrs, text, marks,
// content, then unknown keys sorted).
func (n *Node) MarshalJSON() ([]byte, error) {
	return appendNode(nil, n), nil
}

// MarshalJSON encodes the mark deterministically (type, attrs, then unknown
// keys sorted).
func (m Mark) MarshalJSON() ([]byte, error) {
	return appendMark(nil, m), nil
}

// The encoder appends to a byte slice: bytes.Buffer's WriteByte and
// WriteString cost a call and a capacity check each, and they were a
// tenth of the instructions of converting and encoding a README.

func appendNodes(b []byte, nodes []*Node) []byte {
	b = append(b, '[')
	first := true
	for _, c := range nodes {
		if c == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendNode(b, c)
	}
	return append(b, ']')
}

func appendNode(b []byte, n *Node) []byte {
	b = appendTypeOpen(b, n.Type)
	if n.Attrs != nil {
		b = append(b, `,"attrs":`...)
		b = appendObject(b, n.Attrs)
	}
	if n.Type == "text" || n.Text != "" {
		b = append(b, `,"text":`...)
		b = appendString(b, n.Text)
	}
	if n.Marks != nil {
		b = append(b, `,"marks":[`...)
		for i, m := range n.Marks {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendMark(b, m)
		}
		b = append(b, ']')
	}
	if n.Content != nil {
		b = append(b, `,"content":`...)
		b = appendNodes(b, n.Content)
	}
	b = appendExtra(b, n.Extra)
	return append(b, '}')
}

// appendTypeOpen appends the opening of a node or mark of type t: the
// common types as one literal each instead of a JSON string encoded.
func appendTypeOpen(b []byte, t string) []byte {
	switch t {
	case "text":
		return append(b, `{"type":"text"`...)
	case "paragraph":
		return append(b, `{"type":"paragraph"`...)
	case "hardBreak":
		return append(b, `{"type":"hardBreak"`...)
	case "listItem":
		return append(b, `{"type":"listItem"`...)
	case "bulletList":
		return append(b, `{"type":"bulletList"`...)
	case "orderedList":
		return append(b, `{"type":"orderedList"`...)
	case "heading":
		return append(b, `{"type":"heading"`...)
	case "codeBlock":
		return append(b, `{"type":"codeBlock"`...)
	case "link":
		return append(b, `{"type":"link"`...)
	case "strong":
		return append(b, `{"type":"strong"`...)
	case "em":
		return append(b, `{"type":"em"`...)
	case "code":
		return append(b, `{"type":"code"`...)
	case "strike":
		return append(b, `{"type":"strike"`...)
	case "mediaSingle":
		return append(b, `{"type":"mediaSingle"`...)
	case "media":
		return append(b, `{"type":"media"`...)
	case "blockquote":
		return append(b, `{"type":"blockquote"`...)
	case "rule":
		return append(b, `{"type":"rule"`...)
	case "table":
		return append(b, `{"type":"table"`...)
	case "tableRow":
		return append(b, `{"type":"tableRow"`...)
	case "tableCell":
		return append(b, `{"type":"tableCell"`...)
	case "tableHeader":
		return append(b, `{"type":"tableHeader"`...)
	case "panel":
		return append(b, `{"type":"panel"`...)
	case "underline":
		return append(b, `{"type":"underline"`...)
	case "subsup":
		return append(b, `{"type":"subsup"`...)
	case "textColor":
		return append(b, `{"type":"textColor"`...)
	}
	b = append(b, `{"type":`...)
	return appendString(b, t)
}

func appendMark(b []byte, m Mark) []byte {
	b = appendTypeOpen(b, m.Type)
	if m.Attrs != nil {
		b = append(b, `,"attrs":`...)
		b = appendObject(b, m.Attrs)
	}
	b = appendExtra(b, m.Extra)
	return append(b, '}')
}

func appendExtra(b []byte, extra map[string]json.RawMessage) []byte {
	if len(extra) == 0 {
		return b
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = append(b, ',')
		b = appendString(b, k)
		b = append(b, ':')
		raw := extra[k]
		if len(raw) == 0 || !json.Valid(raw) {
			b = append(b, "null"...)
			continue
		}
		b = append(b, raw...)
	}
	return b
}

func appendObject(b []byte, m map[string]any) []byte {
	if len(m) == 1 { // most attrs (level, href, language, ...): no sorting
		for k, v := range m {
			b = append(b, '{')
			b = appendString(b, k)
			b = append(b, ':')
			b = appendValue(b, v)
			b = append(b, '}')
		}
		return b
	}
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		b = append(b, "null"...)
	case string:
		b = appendString(b, x)
	case json.Number:
		if x == "" {
			b = append(b, '0')
		} else {
			b = append(b, x...)
		}
	case bool:
		b = strconv.AppendBool(b, x)
	case int:
		b = strconv.AppendInt(b, int64(x), 10)
	case int64:
		b = strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		}
	case map[string]any:
		b = appendObject(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, e)
		}
		b = append(b, ']')
	case json.RawMessage:
		if json.Valid(x) {
			b = append(b, x...)
		} else {
			b = append(b, "null"...)
		}
	default:
		raw, err := json.Marshal(x)
		if err != nil {
			return append(b, "null"...)
		}
		b = append(b, raw...)
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string without HTML escaping. Invalid
// UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; ; {
		// Eight bytes at a time while none needs a look (no control
		// character, quote, backslash or non-ASCII byte), then a byte at a
		// time up to the one that does.
		for i+8 <= len(s) {
			w := s[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if !plainWord(x) {
				break
			}
			i += 8
		}
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, `\"`...)
			case '\\':
				b = append(b, `\\`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonPlain holds the bytes appendString copies as they are: printable
// ASCII other than '"' and '\\' (what plainWord accepts).
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether none of the eight bytes of x needs escaping
// or decoding: each is printable ASCII other than '"' and '\\'.
func plainWord(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	bs := x ^ (lo * '\\')
	// A byte is zero in q or bs, below 0x20 in x, or has its top bit set.
	bad := (q-lo)&^q | (bs-lo)&^bs | (x-lo*0x20)&^x | x
	return bad&hi == 0
}
