package jql

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF      tokKind = iota
	tWord             // unquoted string (may be a keyword)
	tQuoted           // "..." or '...'
	tLParen           // (
	tRParen           // )
	tComma            // ,
	tLBracket         // [
	tRBracket         // ]
	tEq               // =
	tNe               // !=
	tLike             // ~
	tNotLike          // !~
	tLt               // <
	tGt               // >
	tLe               // <=
	tGe               // >=
	tBang             // !
	tAnd              // & &&
	tOr               // | ||
)

// token is one lexeme with its 1-based line and character, counted in UTF-16
// code units the way Jira (Java) counts them.
type token struct {
	kind tokKind
	text string // unescaped value for words and quoted strings, else the symbol
	line int
	col  int
}

func (t token) where() string { return fmt.Sprintf(" (line %d, character %d)", t.line, t.col) }

// keyword returns the lower-case keyword a word token spells, or "".
func (t token) keyword() string {
	if t.kind != tWord {
		return ""
	}
	switch strings.ToLower(t.text) {
	case "and":
		return "and"
	case "or":
		return "or"
	case "not":
		return "not"
	case "in":
		return "in"
	case "is":
		return "is"
	case "empty":
		return "empty"
	case "null":
		return "null"
	case "order":
		return "order"
	case "by":
		return "by"
	case "asc":
		return "asc"
	case "desc":
		return "desc"
	case "was":
		return "was"
	case "changed":
		return "changed"
	}
	return ""
}

// reservedWords are words Jira refuses unquoted (JqlStringSupportImpl),
// minus the ones that are JQL keywords.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`abort access add alias all alter any as audit avg begin between boolean
		break byte catch char character check checkpoint collate collation column commit connect continue
		count create current date decimal declare decrement default defaults define delete delimiter
		difference distinct divide do double drop else encoding end equals escape exclusive exec execute
		exists explain false fetch file field first float for function go goto grant greater group having
		identified if immediate increment index initial inner inout input insert int integer intersect
		intersection into isempty isnull join last left less like limit lock long max min minus mode modify
		modulo more multiply next noaudit notin nowait number object of option outer output power previous
		prior privileges public raise raw remainder rename resource return returns revoke right row rowid
		rownum rows select session set share size sqrt start strict string subtract sum synonym table then
		trans transaction trigger true uid union unique update user validate values view when whenever where
		while with`) {
		m[w] = true
	}
	return m
}()

func isReservedWord(s string) bool { return reservedWords[strings.ToLower(s)] }

// isReservedChar reports the characters Jira reserves outside strings.
func isReservedChar(r rune) bool {
	switch r {
	case '{', '}', '*', '/', '%', '+', '^', '$', '#', '@', '?', ';':
		return true
	}
	return false
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u3000'
}

// isIllegal reports characters that must be escaped even inside strings.
func isIllegal(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xfffe, r == 0xffff, r == utf8.RuneError:
		return true
	}
	return false
}

// endsWord reports characters that end an unquoted word.
func endsWord(r rune) bool {
	switch r {
	case '"', '\'', '=', '!', '<', '>', '(', ')', ',', '~', '[', ']', '|', '&':
		return true
	}
	return isSpace(r)
}

const validEscapes = `The valid escape sequences are \', \", \t, \n, \r, \\, '\ ' and \uXXXX.`

type lexer struct {
	src  string
	pos  int // byte offset
	line int
	col  int // 1-based column of src[pos] in UTF-16 units
}

func (lx *lexer) peekRune() (rune, int) {
	if lx.pos >= len(lx.src) {
		return -1, 0
	}
	r, n := utf8.DecodeRuneInString(lx.src[lx.pos:])
	if r == utf8.RuneError && n <= 1 {
		return utf8.RuneError, 1
	}
	return r, n
}

func (lx *lexer) advance(r rune, n int) {
	lx.pos += n
	switch {
	case r == '\n':
		lx.line++
		lx.col = 1
	case r > 0xffff:
		lx.col += 2
	default:
		lx.col++
	}
}

func (lx *lexer) errAt(line, col int, msg string) *Error {
	return &Error{Messages: []string{syntaxPrefix + msg + fmt.Sprintf(" (line %d, character %d)", line, col)}}
}

func (lx *lexer) illegal(r rune) *Error {
	return lx.errAt(lx.line, lx.col, fmt.Sprintf("The character 'U+%04X' on line %d at position %d must be escaped. Use the escape '\\u%04x' instead.", r, lx.line, lx.col, r))
}

// lex splits the query into tokens, ending with tEOF.
func lex(src string) ([]token, error) {
	lx := &lexer{src: src, line: 1, col: 1}
	var toks []token
	for {
		r, n := lx.peekRune()
		for n > 0 && isSpace(r) {
			lx.advance(r, n)
			r, n = lx.peekRune()
		}
		tok := token{line: lx.line, col: lx.col}
		if n == 0 {
			tok.kind = tEOF
			return append(toks, tok), nil
		}
		if isIllegal(r) {
			return nil, lx.illegal(r)
		}
		sym := func(k tokKind, s string) {
			tok.kind, tok.text = k, s
			for range len(s) {
				lx.advance(rune(s[0]), 1)
			}
		}
		next := byte(0)
		if lx.pos+1 < len(src) {
			next = src[lx.pos+1]
		}
		switch r {
		case '(':
			sym(tLParen, "(")
		case ')':
			sym(tRParen, ")")
		case ',':
			sym(tComma, ",")
		case '[':
			sym(tLBracket, "[")
		case ']':
			sym(tRBracket, "]")
		case '=':
			sym(tEq, "=")
		case '~':
			sym(tLike, "~")
		case '!':
			switch next {
			case '=':
				sym(tNe, "!=")
			case '~':
				sym(tNotLike, "!~")
			default:
				sym(tBang, "!")
			}
		case '<':
			if next == '=' {
				sym(tLe, "<=")
			} else {
				sym(tLt, "<")
			}
		case '>':
			if next == '=' {
				sym(tGe, ">=")
			} else {
				sym(tGt, ">")
			}
		case '&':
			if next == '&' {
				sym(tAnd, "&&")
			} else {
				sym(tAnd, "&")
			}
		case '|':
			if next == '|' {
				sym(tOr, "||")
			} else {
				sym(tOr, "|")
			}
		case '"', '\'':
			text, err := lx.quoted(r)
			if err != nil {
				return nil, err
			}
			tok.kind, tok.text = tQuoted, text
		default:
			if isReservedChar(r) {
				return nil, lx.errAt(lx.line, lx.col, fmt.Sprintf("The character '%c' is a reserved JQL character. You must enclose it in a string or use the escape '\\u%04x' instead.", r, r))
			}
			text, err := lx.word()
			if err != nil {
				return nil, err
			}
			tok.kind, tok.text = tWord, text
		}
		toks = append(toks, tok)
	}
}

// quoted reads a string in quote q; the opening quote is at lx.pos.
func (lx *lexer) quoted(q rune) (string, error) {
	startLine, startCol, start := lx.line, lx.col, lx.pos+1
	lx.advance(q, 1)
	var b strings.Builder
	for {
		r, n := lx.peekRune()
		if n == 0 {
			rest := strings.NewReplacer("\r", " ", "\n", " ").Replace(lx.src[start:])
			if rest == "" {
				return "", lx.errAt(startLine, startCol, "The quoted string has not been completed.")
			}
			return "", lx.errAt(startLine, startCol, fmt.Sprintf("The quoted string '%s' has not been completed.", rest))
		}
		if r == q {
			lx.advance(r, n)
			return b.String(), nil
		}
		if isIllegal(r) {
			return "", lx.illegal(r)
		}
		if r == '\\' {
			if err := lx.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		b.WriteRune(r)
		lx.advance(r, n)
	}
}

// word reads an unquoted string, with escapes.
func (lx *lexer) word() (string, error) {
	var b strings.Builder
	for {
		r, n := lx.peekRune()
		if n == 0 || endsWord(r) {
			return b.String(), nil
		}
		if isIllegal(r) {
			return "", lx.illegal(r)
		}
		if isReservedChar(r) {
			return "", lx.errAt(lx.line, lx.col, fmt.Sprintf("The character '%c' is a reserved JQL character. You must enclose it in a string or use the escape '\\u%04x' instead.", r, r))
		}
		if r == '\\' {
			if err := lx.escape(&b); err != nil {
				return "", err
			}
			continue
		}
		b.WriteRune(r)
		lx.advance(r, n)
	}
}

// escape reads a backslash escape at lx.pos into b.
func (lx *lexer) escape(b *strings.Builder) error {
	line, col := lx.line, lx.col
	lx.advance('\\', 1)
	r, n := lx.peekRune()
	if n == 0 {
		return lx.errAt(line, col, "The escape sequence has not been completed. "+validEscapes)
	}
	switch r {
	case '\'', '"', '\\', ' ':
		b.WriteRune(r)
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 'u':
		lx.advance(r, n)
		var v rune
		seq := `\u`
		for range 4 {
			h, hn := lx.peekRune()
			if hn == 0 {
				return lx.errAt(line, col, fmt.Sprintf("'%s' is an illegal JQL escape sequence. %s", seq, validEscapes))
			}
			seq += string(h)
			d := hexVal(h)
			if d < 0 {
				return lx.errAt(line, col, fmt.Sprintf("'%s' is an illegal JQL escape sequence. %s", seq, validEscapes))
			}
			v = v<<4 | rune(d)
			lx.advance(h, hn)
		}
		b.WriteRune(v)
		return nil
	default:
		return lx.errAt(line, col, fmt.Sprintf("'\\%c' is an illegal JQL escape sequence. %s", r, validEscapes))
	}
	lx.advance(r, n)
	return nil
}

func hexVal(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}
