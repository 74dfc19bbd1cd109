package adf

// A hand-written reader of goldmark's inline HTML tag patterns (htmlTagRes,
// from parser/raw_html.go). Run by the regexp backtracker, the open tag
// pattern cost about 30k instructions a tag (its attribute loop tries every
// alternative at every byte); badge lines of READMEs hold dozens of tags.
// Both patterns are anchored and read deterministically: outside a quoted
// value a quote cannot appear, each name and unquoted value is as long as
// the bytes allowed, and what may follow each piece starts with bytes the
// piece cannot hold, so the first way through is the only one.
// FuzzInlineTag checks the reader against the patterns.

// tagSpace is the attribute-leading whitespace class [\r\n \t].
func tagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func tagNameStart(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func tagNameByte(c byte) bool { return tagNameStart(c) || c >= '0' && c <= '9' || c == '-' }

func attrNameStart(c byte) bool { return tagNameStart(c) || c == '_' || c == ':' }

func attrNameByte(c byte) bool {
	return attrNameStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// unquotedByte is the class [^"'=<>`\x00-\x20].
func unquotedByte(c byte) bool {
	return c > 0x20 && c != '"' && c != '\'' && c != '=' && c != '<' && c != '>' && c != '`'
}

// inlineTagLen is the length of the match of goldmark's open tag pattern
// (close is false) or close tag pattern (close is true) at the start of s,
// or -1 when there is none.
func inlineTagLen(s []byte, close bool) int {
	i := 1
	if close {
		i = 2
		if len(s) < 2 || s[0] != '<' || s[1] != '/' {
			return -1
		}
	} else if len(s) < 1 || s[0] != '<' {
		return -1
	}
	if i >= len(s) || !tagNameStart(s[i]) {
		return -1
	}
	for i < len(s) && tagNameByte(s[i]) {
		i++
	}
	if !close {
		i = tagAttrs(s, i)
		if i < 0 {
			return -1
		}
	}
	i = tagEndSpace(s, i)
	if !close && i < len(s) && s[i] == '/' {
		i++
	}
	if i < len(s) && s[i] == '>' {
		return i + 1
	}
	return -1
}

// tagAttrs reads the attributes from s[i], returning where they end or -1
// when an attribute's value does not read (nothing else can follow then).
func tagAttrs(s []byte, i int) int {
	for {
		j := i
		for j < len(s) && tagSpace(s[j]) {
			j++
		}
		if j == i || j >= len(s) || !attrNameStart(s[j]) {
			return i
		}
		for j < len(s) && attrNameByte(s[j]) {
			j++
		}
		i = j
		for j < len(s) && tagSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			continue // no value: the spaces belong to what follows
		}
		j++
		for j < len(s) && tagSpace(s[j]) {
			j++
		}
		if i = tagValue(s, j); i < 0 {
			return -1
		}
	}
}

// tagValue reads an attribute value at s[j], returning its end or -1.
func tagValue(s []byte, j int) int {
	if j >= len(s) {
		return -1
	}
	if q := s[j]; q == '"' || q == '\'' {
		for k := j + 1; k < len(s); k++ {
			if s[k] == q {
				return k + 1
			}
		}
		return -1
	}
	k := j
	for k < len(s) && unquotedByte(s[k]) {
		k++
	}
	if k == j {
		return -1
	}
	return k
}

// tagEndSpace steps over (?:[ \t]|(?:\r\n|\n){0,1})* from s[i].
func tagEndSpace(s []byte, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n':
			i++
		case s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		default:
			return i
		}
	}
	return i
}
