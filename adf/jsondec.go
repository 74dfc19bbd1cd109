package adf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonDec decodes ADF JSON straight into Doc/Node/Mark values in one pass
// (no intermediate map per node), checking the full JSON grammar. Attribute
// values become map[string]any, []any, string, json.Number, bool or nil;
// unknown keys are kept as compacted raw JSON.
type jsonDec struct {
	data []byte
	pos  int
}

type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("adf: malformed JSON: %s at offset %d", e.msg, e.off)
}

func (d *jsonDec) fail(msg string) error {
	return &syntaxError{msg: msg, off: d.pos}
}

func (d *jsonDec) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDec) peek() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *jsonDec) expect(c byte) error {
	if d.peek() != c {
		if d.pos >= len(d.data) {
			return d.fail("unexpected end of input, want " + strconv.QuoteRune(rune(c)))
		}
		return d.fail(fmt.Sprintf("unexpected %q, want %q", d.data[d.pos], c))
	}
	d.pos++
	return nil
}

// object iterates the members of an object, calling f with each key; f must
// consume the value.
func (d *jsonDec) object(f func(key string) error) error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.fail("want an object key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		if err := f(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.fail("want ',' or '}' in object")
		}
	}
}

// array iterates the elements of an array; f must consume each element.
func (d *jsonDec) array(f func(i int) error) error {
	if err := d.expect('['); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		if err := f(i); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.fail("want ',' or ']' in array")
		}
	}
}

func (d *jsonDec) str() (string, error) {
	if err := d.expect('"'); err != nil {
		return "", err
	}
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := string(d.data[start:d.pos])
			d.pos++
			return s, nil
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			return "", d.fail("control character in string")
		}
		d.pos++
	}
	return "", d.fail("unterminated string")
}

func (d *jsonDec) strSlow(start int) (string, error) {
	b := make([]byte, 0, d.pos-start+16)
	b = append(b, d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(b), nil
		case c < 0x20:
			return "", d.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.data) {
			return "", d.fail("unterminated string")
		}
		e := d.data[d.pos+1]
		d.pos += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.fail("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
					save := d.pos
					d.pos += 2
					if lo, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r2 = dec
						} else {
							d.pos = save
						}
					} else {
						d.pos = save
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", d.fail("bad escape in string")
		}
	}
	return "", d.fail("unterminated string")
}

func (d *jsonDec) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

func (d *jsonDec) number() (json.Number, error) {
	start := d.pos
	p := d.pos
	n := len(d.data)
	if p < n && d.data[p] == '-' {
		p++
	}
	switch {
	case p < n && d.data[p] == '0':
		p++
	case p < n && d.data[p] >= '1' && d.data[p] <= '9':
		for p < n && d.data[p] >= '0' && d.data[p] <= '9' {
			p++
		}
	default:
		d.pos = p
		return "", d.fail("bad number")
	}
	if p < n && d.data[p] == '.' {
		p++
		if p >= n || d.data[p] < '0' || d.data[p] > '9' {
			d.pos = p
			return "", d.fail("bad number")
		}
		for p < n && d.data[p] >= '0' && d.data[p] <= '9' {
			p++
		}
	}
	if p < n && (d.data[p] == 'e' || d.data[p] == 'E') {
		p++
		if p < n && (d.data[p] == '+' || d.data[p] == '-') {
			p++
		}
		if p >= n || d.data[p] < '0' || d.data[p] > '9' {
			d.pos = p
			return "", d.fail("bad number")
		}
		for p < n && d.data[p] >= '0' && d.data[p] <= '9' {
			p++
		}
	}
	d.pos = p
	return json.Number(d.data[start:p]), nil
}

func (d *jsonDec) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return d.fail("bad literal")
	}
	d.pos += len(word)
	return nil
}

// value decodes any JSON value.
func (d *jsonDec) value() (any, error) {
	switch c := d.peek(); {
	case c == '{':
		m := map[string]any{}
		err := d.object(func(k string) error {
			v, err := d.value()
			m[k] = v
			return err
		})
		return m, err
	case c == '[':
		list := []any{}
		err := d.array(func(int) error {
			v, err := d.value()
			list = append(list, v)
			return err
		})
		return list, err
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 0:
		return nil, d.fail("unexpected end of input")
	default:
		return nil, d.fail(fmt.Sprintf("unexpected %q", c))
	}
}

// raw consumes one value and returns it as compact JSON.
func (d *jsonDec) raw() (json.RawMessage, error) {
	d.ws()
	start := d.pos
	if _, err := d.value(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, d.data[start:d.pos]); err != nil {
		return nil, d.fail(err.Error())
	}
	return json.RawMessage(b.Bytes()), nil
}

// structural errors (valid JSON, wrong ADF shape) are plain errors.
func shapeErr(format string, args ...any) error {
	return fmt.Errorf("adf: "+format, args...)
}

func kindAt(d *jsonDec) string {
	switch d.peek() {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a bool"
	case 'n':
		return "null"
	case 0:
		return "missing"
	}
	return "a number"
}

func (d *jsonDec) doc() (*Doc, error) {
	if d.peek() != '{' {
		if d.peek() == 0 {
			return nil, d.fail("empty input")
		}
		if _, err := d.value(); err != nil {
			return nil, err
		}
		return nil, shapeErr("document is not a JSON object")
	}
	doc := &Doc{}
	var typ string
	var sawType, sawVersion, sawContent bool
	err := d.object(func(k string) error {
		switch k {
		case "type":
			if d.peek() != '"' {
				typ = kindAt(d)
				_, err := d.value()
				return err
			}
			s, err := d.str()
			typ, sawType = strconv.Quote(s), s == "doc"
			return err
		case "version":
			if c := d.peek(); c != '-' && (c < '0' || c > '9') {
				_, err := d.value()
				return err
			}
			num, err := d.number()
			if err != nil {
				return err
			}
			v, ok := attrInt(num)
			if !ok {
				return shapeErr("version %s is not a whole number", num)
			}
			doc.Version, sawVersion = v, true
			return nil
		case "content":
			if d.peek() != '[' {
				_, err := d.value()
				return err
			}
			c, err := d.nodes("content", 1)
			doc.Content, sawContent = c, true
			return err
		default:
			return d.keep(&doc.Extra, k)
		}
	})
	if err != nil {
		return nil, err
	}
	if d.peek() != 0 {
		return nil, d.fail("data after the document")
	}
	switch {
	case !sawType:
		if typ == "" {
			typ = "missing"
		}
		return nil, shapeErr("root type is %s, want \"doc\"", typ)
	case !sawVersion:
		return nil, shapeErr("root has no numeric \"version\"")
	case !sawContent:
		return nil, shapeErr("root has no \"content\" array")
	}
	return doc, nil
}

func (d *jsonDec) nodes(path string, depth int) ([]*Node, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w (at %s)", ErrTooDeep, path)
	}
	out := []*Node{}
	err := d.array(func(i int) error {
		p := path + "[" + strconv.Itoa(i) + "]"
		if d.peek() != '{' {
			k := kindAt(d)
			if _, err := d.value(); err != nil {
				return err
			}
			return shapeErr("%s: node is %s, not an object", p, k)
		}
		n, err := d.node(p, depth)
		if err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

func (d *jsonDec) node(path string, depth int) (*Node, error) {
	n := &Node{}
	hasText := false
	wrong := func(key string) error {
		k := kindAt(d)
		if _, err := d.value(); err != nil {
			return err
		}
		return shapeErr("%s: %q is %s", path, key, k)
	}
	err := d.object(func(k string) error {
		switch k {
		case "type":
			if d.peek() != '"' {
				return wrong("type")
			}
			s, err := d.str()
			n.Type = s
			return err
		case "attrs":
			if d.peek() != '{' {
				return wrong("attrs")
			}
			v, err := d.value()
			if err != nil {
				return err
			}
			n.Attrs = v.(map[string]any)
			return nil
		case "content":
			if d.peek() != '[' {
				return wrong("content")
			}
			c, err := d.nodes(path+".content", depth+1)
			n.Content = c
			return err
		case "marks":
			if d.peek() != '[' {
				return wrong("marks")
			}
			n.Marks = []Mark{}
			return d.array(func(i int) error {
				mp := fmt.Sprintf("%s.marks[%d]", path, i)
				if d.peek() != '{' {
					k := kindAt(d)
					if _, err := d.value(); err != nil {
						return err
					}
					return shapeErr("%s: mark is %s, not an object", mp, k)
				}
				m, err := d.mark(mp)
				if err != nil {
					return err
				}
				n.Marks = append(n.Marks, m)
				return nil
			})
		case "text":
			if d.peek() != '"' {
				return wrong("text")
			}
			s, err := d.str()
			n.Text, hasText = s, true
			return err
		default:
			return d.keep(&n.Extra, k)
		}
	})
	if err != nil {
		return nil, err
	}
	if n.Type == "" {
		return nil, shapeErr("%s: node has no string \"type\"", path)
	}
	if n.Type == "text" && !hasText {
		return nil, shapeErr("%s: text node has no \"text\"", path)
	}
	return n, nil
}

func (d *jsonDec) mark(path string) (Mark, error) {
	var m Mark
	err := d.object(func(k string) error {
		switch k {
		case "type":
			if d.peek() != '"' {
				k := kindAt(d)
				if _, err := d.value(); err != nil {
					return err
				}
				return shapeErr("%s: mark \"type\" is %s", path, k)
			}
			s, err := d.str()
			m.Type = s
			return err
		case "attrs":
			if d.peek() != '{' {
				k := kindAt(d)
				if _, err := d.value(); err != nil {
					return err
				}
				return shapeErr("%s: mark \"attrs\" is %s, not an object", path, k)
			}
			v, err := d.value()
			if err != nil {
				return err
			}
			m.Attrs = v.(map[string]any)
			return nil
		default:
			return d.keep(&m.Extra, k)
		}
	})
	if err != nil {
		return Mark{}, err
	}
	if m.Type == "" {
		return Mark{}, shapeErr("%s: mark has no string \"type\"", path)
	}
	return m, nil
}

// keep reads the value of an unknown key k into extra, so a document read
// and written back loses nothing this package does not understand.
func (d *jsonDec) keep(extra *map[string]json.RawMessage, k string) error {
	r, err := d.raw()
	if err != nil {
		return err
	}
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	(*extra)[k] = r
	return nil
}
