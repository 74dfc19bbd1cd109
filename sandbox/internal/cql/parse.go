// Package cql parses and evaluates the Confluence Query Language (CQL) for
// the sandbox's v1 search endpoint.
//
// It covers what agents write against Confluence Cloud: the fields type,
// space (space.key, space.type, space.title), title, text, label, ancestor,
// parent, id/content, creator, contributor, mention, watcher, favourite,
// macro, created and lastmodified; the operators = != ~ !~ < > <= >= IN and NOT IN; AND, OR,
// NOT and parentheses; the functions currentUser(), now() and the
// startOf/endOf Day/Week/Month/Year family; and ORDER BY with ASC/DESC.
//
// Parse builds a Query whose String form is canonical, Compile binds it to
// an evaluation environment (the clock and the current user), and the
// resulting Matcher filters and sorts Docs built from plain Content values.
package cql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a CQL error. Pos is the 0-based byte offset in the query where
// the problem was found (-1 when it is not about one position).
type Error struct {
	Pos int
	Msg string
}

// Error returns the message, with the position when known.
func (e *Error) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("%s (at character %d)", e.Msg, e.Pos+1)
	}
	return e.Msg
}

// Query is a parsed CQL query: an optional filter and an optional ordering.
type Query struct {
	Where   Expr        // nil when the query has only an ORDER BY
	OrderBy []OrderTerm // empty for the default (relevance) order
}

// OrderTerm is one ORDER BY key.
type OrderTerm struct {
	Field string // canonical field name, e.g. "lastmodified"
	Desc  bool
}

// Expr is a node of the filter: *And, *Or, *Not or *Clause.
type Expr interface {
	String() string
	prec() int
}

// And matches when both sides match.
type And struct{ L, R Expr }

// Or matches when either side matches.
type Or struct{ L, R Expr }

// Not matches when X does not.
type Not struct{ X Expr }

// Clause is one comparison: Field Op Values. Op is one of = != ~ !~ < > <=
// >= IN "NOT IN"; Values has one element except for IN and NOT IN.
type Clause struct {
	Field  string
	Op     string
	Values []Value
}

// Value is a literal string or a function call.
type Value struct {
	Func string   // canonical function name, "" for a literal
	Text string   // the literal's text (unquoted)
	Args []string // function arguments
}

func (*And) prec() int    { return 1 }
func (*Or) prec() int     { return 0 }
func (*Not) prec() int    { return 2 }
func (*Clause) prec() int { return 3 }

func wrap(e Expr, min int) string {
	if e.prec() < min {
		return "(" + e.String() + ")"
	}
	return e.String()
}

// String renders the node in canonical CQL.
func (e *And) String() string { return wrap(e.L, 1) + " AND " + wrap(e.R, 2) }

// String renders the node in canonical CQL.
func (e *Or) String() string { return wrap(e.L, 0) + " OR " + wrap(e.R, 1) }

// String renders the node in canonical CQL.
func (e *Not) String() string { return "NOT " + wrap(e.X, 2) }

// String renders the node in canonical CQL.
func (c *Clause) String() string {
	var b strings.Builder
	b.WriteString(c.Field)
	b.WriteByte(' ')
	b.WriteString(c.Op)
	b.WriteByte(' ')
	if c.Op == "IN" || c.Op == "NOT IN" {
		b.WriteByte('(')
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	} else if len(c.Values) > 0 {
		b.WriteString(c.Values[0].String())
	}
	return b.String()
}

// String renders the value in canonical CQL: literals always quoted.
func (v Value) String() string {
	if v.Func == "" {
		return quote(v.Text)
	}
	args := make([]string, len(v.Args))
	for i, a := range v.Args {
		args[i] = quote(a)
	}
	return v.Func + "(" + strings.Join(args, ", ") + ")"
}

func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// String renders the query in canonical CQL. Parsing the result gives a
// query with the same String.
func (q *Query) String() string {
	var b strings.Builder
	if q.Where != nil {
		b.WriteString(q.Where.String())
	}
	if len(q.OrderBy) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("ORDER BY ")
		for i, o := range q.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.Field)
			if o.Desc {
				b.WriteString(" DESC")
			} else {
				b.WriteString(" ASC")
			}
		}
	}
	return b.String()
}

// fieldSpec says which operators a field takes and how its values read.
type fieldSpec struct {
	name string   // canonical
	ops  []string // allowed operators
	kind int
}

const (
	kindString = iota // compared case-insensitively
	kindText          // word matching
	kindID            // numeric content id
	kindUser          // account id or currentUser()
	kindDate          // date or date function
)

var (
	opsEq     = []string{"=", "!=", "IN", "NOT IN"}
	opsText   = []string{"~", "!~"}
	opsDate   = []string{"=", "!=", "<", ">", "<=", ">="}
	opsTitle  = []string{"=", "!=", "~", "!~", "IN", "NOT IN"}
	opsIDComp = []string{"=", "!=", "IN", "NOT IN", "<", ">", "<=", ">="}
)

var fields = map[string]fieldSpec{
	"type":         {"type", opsEq, kindString},
	"space":        {"space", opsEq, kindString},
	"space.key":    {"space.key", opsEq, kindString},
	"space.type":   {"space.type", opsEq, kindString},
	"space.title":  {"space.title", opsTitle, kindString},
	"title":        {"title", opsTitle, kindString},
	"text":         {"text", opsText, kindText},
	"label":        {"label", opsEq, kindString},
	"ancestor":     {"ancestor", opsEq, kindID},
	"parent":       {"parent", opsEq, kindID},
	"id":           {"id", opsIDComp, kindID},
	"content":      {"content", opsEq, kindID},
	"creator":      {"creator", opsEq, kindUser},
	"contributor":  {"contributor", opsEq, kindUser},
	"mention":      {"mention", opsEq, kindUser},
	"watcher":      {"watcher", opsEq, kindUser},
	"favourite":    {"favourite", opsEq, kindUser},
	"favorite":     {"favourite", opsEq, kindUser},
	"macro":        {"macro", opsEq, kindString},
	"created":      {"created", opsDate, kindDate},
	"lastmodified": {"lastmodified", opsDate, kindDate},
}

var unsupportedUserFields = map[string]bool{
	"user": true, "user.fullname": true, "user.accountid": true, "user.userkey": true,
}

var orderFields = map[string]bool{
	"title": true, "created": true, "lastmodified": true, "id": true, "type": true, "space": true,
}

// Functions and the number of arguments they take (max).
var functions = map[string]int{
	"currentuser":  0,
	"now":          1,
	"startofday":   1,
	"startofweek":  1,
	"startofmonth": 1,
	"startofyear":  1,
	"endofday":     1,
	"endofweek":    1,
	"endofmonth":   1,
	"endofyear":    1,
}

var funcCanon = map[string]string{
	"currentuser": "currentUser", "now": "now",
	"startofday": "startOfDay", "startofweek": "startOfWeek", "startofmonth": "startOfMonth", "startofyear": "startOfYear",
	"endofday": "endOfDay", "endofweek": "endOfWeek", "endofmonth": "endOfMonth", "endofyear": "endOfYear",
}

// Token kinds.
const (
	tEOF = iota
	tWord
	tString
	tOp
	tLParen
	tRParen
	tComma
)

type token struct {
	kind int
	text string
	pos  int
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-:@*?/+", r)
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '=' || c == '~':
			toks = append(toks, token{tOp, string(c), i})
			i++
		case c == '!':
			if i+1 < len(src) && (src[i+1] == '=' || src[i+1] == '~') {
				toks = append(toks, token{tOp, src[i : i+2], i})
				i += 2
			} else {
				return nil, &Error{i, "unexpected character '!'"}
			}
		case c == '<' || c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				toks = append(toks, token{tOp, src[i : i+2], i})
				i += 2
			} else {
				toks = append(toks, token{tOp, string(c), i})
				i++
			}
		case c == '"' || c == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) {
					b.WriteByte(src[i+1])
					i += 2
					continue
				}
				if src[i] == c {
					closed = true
					i++
					break
				}
				b.WriteByte(src[i])
				i++
			}
			if !closed {
				return nil, &Error{start, "unterminated string"}
			}
			toks = append(toks, token{tString, b.String(), start})
		default:
			start := i
			for i < len(src) {
				r, n := utf8.DecodeRuneInString(src[i:])
				if r == utf8.RuneError && n <= 1 || !isWordRune(r) {
					break
				}
				i += n
			}
			if i == start {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, &Error{i, fmt.Sprintf("unexpected character %q", r)}
			}
			toks = append(toks, token{tWord, src[start:i], start})
		}
	}
	toks = append(toks, token{tEOF, "", len(src)})
	return toks, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tWord && strings.EqualFold(t.text, kw)
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 100

// Parse parses a CQL query. The error is an *Error.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &Query{}
	if p.peek().kind == tEOF {
		return nil, &Error{0, "empty query"}
	}
	if !p.isKeyword("ORDER") {
		q.Where, err = p.parseOr()
		if err != nil {
			return nil, err
		}
	}
	if p.isKeyword("ORDER") {
		if q.OrderBy, err = p.parseOrder(); err != nil {
			return nil, err
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &Error{t.pos, fmt.Sprintf("unexpected %q", t.text)}
	}
	return q, nil
}

func (p *parser) parseOrder() ([]OrderTerm, error) {
	p.next() // ORDER
	if !p.isKeyword("BY") {
		return nil, &Error{p.peek().pos, "expected BY after ORDER"}
	}
	p.next()
	var out []OrderTerm
	for {
		t := p.next()
		if t.kind != tWord && t.kind != tString {
			return nil, &Error{t.pos, "expected a field to order by"}
		}
		name := strings.ToLower(t.text)
		if !orderFields[name] {
			return nil, &Error{t.pos, fmt.Sprintf("cannot order by field '%s'", t.text)}
		}
		o := OrderTerm{Field: name}
		if p.isKeyword("DESC") {
			o.Desc = true
			p.next()
		} else if p.isKeyword("ASC") {
			p.next()
		}
		out = append(out, o)
		if p.peek().kind != tComma {
			return out, nil
		}
		p.next()
	}
}

func (p *parser) parseOr() (Expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.next()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &Or{l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (Expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.next()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &And{l, r}
	}
	return l, nil
}

func (p *parser) parseUnary() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, &Error{p.peek().pos, "query is nested too deeply"}
	}
	if p.isKeyword("NOT") {
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &Not{x}, nil
	}
	if p.peek().kind == tLParen {
		p.next()
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tRParen {
			return nil, &Error{t.pos, "expected ')'"}
		}
		return x, nil
	}
	return p.parseClause()
}

func (p *parser) parseClause() (Expr, error) {
	t := p.next()
	if t.kind != tWord {
		if t.kind == tEOF {
			return nil, &Error{t.pos, "expected a field name but the query ended"}
		}
		return nil, &Error{t.pos, fmt.Sprintf("expected a field name but found %q", t.text)}
	}
	name := strings.ToLower(t.text)
	if unsupportedUserFields[name] {
		return nil, &Error{t.pos, fmt.Sprintf("the field '%s' is not supported by content search; user fields like user, user.fullname, user.accountid and user.userkey must be searched with /wiki/rest/api/search/user", t.text)}
	}
	spec, ok := fields[name]
	if !ok {
		return nil, &Error{t.pos, fmt.Sprintf("no field exists with the name '%s'", t.text)}
	}
	opTok := p.next()
	var op string
	switch {
	case opTok.kind == tOp:
		op = opTok.text
	case opTok.kind == tWord && strings.EqualFold(opTok.text, "IN"):
		op = "IN"
	case opTok.kind == tWord && strings.EqualFold(opTok.text, "NOT") && p.isKeyword("IN"):
		p.next()
		op = "NOT IN"
	default:
		return nil, &Error{opTok.pos, fmt.Sprintf("expected an operator after '%s'", t.text)}
	}
	if !hasOp(spec.ops, op) {
		return nil, &Error{opTok.pos, fmt.Sprintf("the operator '%s' is not supported by the field '%s'", op, spec.name)}
	}
	c := &Clause{Field: spec.name, Op: op}
	if op == "IN" || op == "NOT IN" {
		if lp := p.next(); lp.kind != tLParen {
			return nil, &Error{lp.pos, fmt.Sprintf("expected '(' after %s", op)}
		}
		for {
			v, err := p.parseValue()
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, v)
			sep := p.next()
			if sep.kind == tRParen {
				break
			}
			if sep.kind != tComma {
				return nil, &Error{sep.pos, "expected ',' or ')' in the value list"}
			}
		}
	} else {
		v, err := p.parseValue()
		if err != nil {
			return nil, err
		}
		c.Values = []Value{v}
	}
	for _, v := range c.Values {
		if err := checkValue(spec, op, v, t.pos); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func hasOp(list []string, op string) bool {
	for _, o := range list {
		if o == op {
			return true
		}
	}
	return false
}

func (p *parser) parseValue() (Value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return Value{Text: t.text}, nil
	case tWord:
		if p.peek().kind != tLParen {
			return Value{Text: t.text}, nil
		}
		name := strings.ToLower(t.text)
		max, ok := functions[name]
		if !ok {
			return Value{}, &Error{t.pos, fmt.Sprintf("unknown function '%s()'", t.text)}
		}
		p.next() // (
		v := Value{Func: funcCanon[name]}
		for p.peek().kind != tRParen {
			if len(v.Args) > 0 {
				if c := p.next(); c.kind != tComma {
					return Value{}, &Error{c.pos, "expected ',' or ')' in the function arguments"}
				}
			}
			a := p.next()
			if a.kind != tString && a.kind != tWord {
				return Value{}, &Error{a.pos, fmt.Sprintf("bad argument to %s()", v.Func)}
			}
			v.Args = append(v.Args, a.text)
		}
		p.next() // )
		if len(v.Args) > max {
			return Value{}, &Error{t.pos, fmt.Sprintf("the function %s() takes at most %d argument(s)", v.Func, max)}
		}
		return v, nil
	case tEOF:
		return Value{}, &Error{t.pos, "expected a value but the query ended"}
	}
	return Value{}, &Error{t.pos, fmt.Sprintf("expected a value but found %q", t.text)}
}

// checkValue validates what can be validated without a clock.
func checkValue(spec fieldSpec, op string, v Value, pos int) error {
	switch spec.kind {
	case kindUser:
		if v.Func != "" && v.Func != "currentUser" {
			return &Error{pos, fmt.Sprintf("the function %s() cannot be used with the field '%s'", v.Func, spec.name)}
		}
	case kindDate:
		if v.Func == "currentUser" {
			return &Error{pos, fmt.Sprintf("the function currentUser() cannot be used with the field '%s'", spec.name)}
		}
		if v.Func == "" {
			if _, _, ok := parseDate(v.Text); !ok {
				return &Error{pos, fmt.Sprintf("the value '%s' for the field '%s' is not a valid date; use \"yyyy-MM-dd\", \"yyyy/MM/dd\", \"yyyy-MM-dd HH:mm\" or a function like now(\"-7d\")", v.Text, spec.name)}
			}
		} else if len(v.Args) == 1 {
			if _, _, err := parseIncrement(v.Args[0], v.Func); err != nil {
				return &Error{pos, err.Error()}
			}
		}
	default:
		if v.Func != "" {
			return &Error{pos, fmt.Sprintf("the function %s() cannot be used with the field '%s'", v.Func, spec.name)}
		}
		if spec.kind == kindID && !isDigits(v.Text) {
			return &Error{pos, fmt.Sprintf("the value '%s' for the field '%s' is not a content id", v.Text, spec.name)}
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
