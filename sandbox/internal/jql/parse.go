package jql

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// Query is a parsed JQL query.
type Query struct {
	Where   Expr      // nil when the query has no restriction
	OrderBy []SortKey // in the order written

	cache atomic.Pointer[compiledFor] // compiled form for the last Env
}

// SortKey is one ORDER BY entry.
type SortKey struct {
	Field FieldRef
	// Order is "ASC", "DESC" or "" (the field's default order).
	Order string
}

// FieldRef names a field as written: a name, or cf[N] for a custom field id.
type FieldRef struct {
	Name string // as written, without quotes; "cf[10016]" for CF refs
	CF   int64  // N of cf[N], 0 otherwise
}

// Expr is a node of the WHERE part: *AndExpr, *OrExpr, *NotExpr or *Clause.
type Expr interface {
	write(b *strings.Builder, parent int)
}

// AndExpr holds two or more terms joined by AND.
type AndExpr struct{ Terms []Expr }

// OrExpr holds two or more terms joined by OR.
type OrExpr struct{ Terms []Expr }

// NotExpr negates its operand.
type NotExpr struct{ X Expr }

// Clause is one terminal clause: field operator operand.
type Clause struct {
	Field   FieldRef
	Op      Op
	Operand Operand // nil only for CHANGED
	// Predicates of a history clause (WAS, CHANGED): AFTER, BEFORE,
	// DURING, ON, BY, FROM, TO with their operands.
	Predicates []Predicate
}

// Predicate is one history predicate such as BY currentUser().
type Predicate struct {
	Word    string // upper case
	Operand Operand
}

// historyPredicate reports whether t starts a WAS/CHANGED predicate.
func historyPredicate(t token) bool {
	if t.kind != tWord {
		return false
	}
	switch strings.ToLower(t.text) {
	case "after", "before", "during", "on", "by", "from", "to":
		return true
	}
	return false
}

// Op is a JQL operator.
type Op uint8

// The JQL operators. The WAS and CHANGED family parse but the sandbox keeps
// no change history, so Validate rejects them.
const (
	OpEq Op = iota
	OpNe
	OpLike
	OpNotLike
	OpLt
	OpGt
	OpLe
	OpGe
	OpIn
	OpNotIn
	OpIs
	OpIsNot
	OpWas
	OpWasNot
	OpWasIn
	OpWasNotIn
	OpChanged
)

var opText = [...]string{"=", "!=", "~", "!~", "<", ">", "<=", ">=", "in", "not in", "is", "is not", "was", "was not", "was in", "was not in", "changed"}

// String returns the operator as Jira prints it in messages ("not in").
func (o Op) String() string { return opText[o] }

// Operand is the right-hand side of a clause: *Value, *Empty, *List or *Func.
type Operand interface{ write(b *strings.Builder) }

// Value is a single literal.
type Value struct {
	Text   string
	Quoted bool
}

// Empty is the EMPTY or NULL operand.
type Empty struct{ Word string }

// List is a parenthesised list of operands.
type List struct{ Items []Operand }

// Func is a function call such as startOfDay(-1).
type Func struct {
	Name string
	Args []string
}

// String prints f as JQL: name(arg, ...).
func (f *Func) String() string {
	var b strings.Builder
	f.write(&b)
	return b.String()
}

const validOperators = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."

// maxDepth bounds nesting so a hostile query cannot exhaust the stack.
const maxDepth = 100

// Parse parses a JQL query. Errors are *Error with Jira's wording.
func Parse(query string) (*Query, error) {
	toks, err := lex(query)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &Query{}
	if t := p.peek(); t.kind != tEOF && t.keyword() != "order" {
		if q.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	t := p.peek()
	switch {
	case t.kind == tEOF:
	case t.keyword() == "order":
		if q.OrderBy, err = p.orderBy(); err != nil {
			return nil, err
		}
	default:
		return nil, syntaxErr(fmt.Sprintf("Expecting either 'OR' or 'AND' but got '%s'.", t.text), t)
	}
	return q, nil
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

func (p *parser) deeper() error {
	p.depth++
	if p.depth > maxDepth {
		return syntaxErr("The query is nested too deeply.", p.peek())
	}
	return nil
}

func (p *parser) or() (Expr, error) {
	if err := p.deeper(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	terms := []Expr{x}
	for t := p.peek(); t.kind == tOr || t.keyword() == "or"; t = p.peek() {
		p.next()
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, y)
	}
	if len(terms) == 1 {
		return x, nil
	}
	return &OrExpr{Terms: terms}, nil
}

func (p *parser) and() (Expr, error) {
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	terms := []Expr{x}
	for t := p.peek(); t.kind == tAnd || t.keyword() == "and"; t = p.peek() {
		p.next()
		y, err := p.not()
		if err != nil {
			return nil, err
		}
		terms = append(terms, y)
	}
	if len(terms) == 1 {
		return x, nil
	}
	return &AndExpr{Terms: terms}, nil
}

func (p *parser) not() (Expr, error) {
	t := p.peek()
	switch {
	case t.kind == tBang || t.keyword() == "not":
		p.next()
		if err := p.deeper(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &NotExpr{X: x}, nil
	case t.kind == tLParen:
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		switch c := p.next(); c.kind {
		case tRParen:
			return x, nil
		case tEOF:
			return nil, syntaxErr("Expecting ')' before the end of the query.", c)
		default:
			return nil, syntaxErr(fmt.Sprintf("Expecting ')' but got '%s'.", c.text), c)
		}
	}
	return p.clause()
}

func (p *parser) field() (FieldRef, error) {
	t := p.next()
	switch t.kind {
	case tEOF:
		return FieldRef{}, syntaxErr("Expecting a field name at the end of the query.", t)
	case tQuoted:
		if t.text == "" {
			return FieldRef{}, syntaxErr("A field name cannot be empty.", t)
		}
		return FieldRef{Name: t.text}, nil
	case tLBracket:
		return FieldRef{}, syntaxErr("Expecting a field name but got '['. Did you mean 'cf['?", t)
	case tWord:
		if t.keyword() != "" {
			break
		}
		if isReservedWord(t.text) {
			return FieldRef{}, reservedErr(t)
		}
		if strings.EqualFold(t.text, "cf") {
			return p.cf()
		}
		return FieldRef{Name: t.text}, nil
	}
	return FieldRef{}, syntaxErr(fmt.Sprintf("Expecting a field name but got '%s'. You must surround '%s' in quotation marks to use it as a field name.", t.text, t.text), t)
}

func reservedErr(t token) *Error {
	return syntaxErr(fmt.Sprintf("'%s' is a reserved JQL word. You must surround it in quotation marks to use it in a query.", t.text), t)
}

func (p *parser) cf() (FieldRef, error) {
	t := p.next()
	if t.kind == tEOF {
		return FieldRef{}, syntaxErr("Expecting '[' before the end of the query.", t)
	}
	if t.kind != tLBracket {
		return FieldRef{}, syntaxErr(fmt.Sprintf("Expecting '[' but got '%s'.", t.text), t)
	}
	t = p.next()
	if t.kind == tEOF {
		return FieldRef{}, syntaxErr("Expecting a custom field id (a positive number) before the end of the query.", t)
	}
	if t.kind != tWord || !isDigits(t.text) {
		return FieldRef{}, syntaxErr(fmt.Sprintf("Expecting a custom field id (a positive number) but got '%s'.", t.text), t)
	}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		return FieldRef{}, numberErr(t)
	}
	if n <= 0 {
		return FieldRef{}, syntaxErr(fmt.Sprintf("Expecting a custom field id (a positive number) but got '%s'.", t.text), t)
	}
	c := p.next()
	if c.kind == tEOF {
		return FieldRef{}, syntaxErr("Expecting ']' before the end of the query.", c)
	}
	if c.kind != tRBracket {
		return FieldRef{}, syntaxErr(fmt.Sprintf("Expecting ']' but got '%s'.", c.text), c)
	}
	return FieldRef{Name: "cf[" + strconv.FormatInt(n, 10) + "]", CF: n}, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func numberErr(t token) *Error {
	return syntaxErr(fmt.Sprintf("'%s' is not a valid number. Numbers must be between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807.", t.text), t)
}

func (p *parser) clause() (Expr, error) {
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	op, err := p.operator()
	if err != nil {
		return nil, err
	}
	c := &Clause{Field: f, Op: op}
	if op != OpChanged {
		if c.Operand, err = p.operand(); err != nil {
			return nil, err
		}
	}
	if op >= OpWas {
		for historyPredicate(p.peek()) {
			w := strings.ToUpper(p.next().text)
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			c.Predicates = append(c.Predicates, Predicate{Word: w, Operand: o})
		}
	}
	return c, nil
}

func (p *parser) operator() (Op, error) {
	t := p.next()
	switch t.kind {
	case tEOF:
		return 0, syntaxErr("Expecting operator before the end of the query. "+validOperators, t)
	case tEq:
		return OpEq, nil
	case tNe:
		return OpNe, nil
	case tLike:
		return OpLike, nil
	case tNotLike:
		return OpNotLike, nil
	case tLt:
		return OpLt, nil
	case tGt:
		return OpGt, nil
	case tLe:
		return OpLe, nil
	case tGe:
		return OpGe, nil
	}
	switch t.keyword() {
	case "in":
		return OpIn, nil
	case "not":
		n := p.next()
		if n.keyword() == "in" {
			return OpNotIn, nil
		}
		return 0, expectingWord("IN", n)
	case "is":
		n := p.peek()
		if n.keyword() == "not" {
			p.next()
			return OpIsNot, nil
		}
		if n.kind == tBang {
			return 0, expectingWord("NOT", n)
		}
		return OpIs, nil
	case "was":
		n := p.peek()
		switch n.keyword() {
		case "in":
			p.next()
			return OpWasIn, nil
		case "not":
			p.next()
			if p.peek().keyword() == "in" {
				p.next()
				return OpWasNotIn, nil
			}
			return OpWasNot, nil
		}
		return OpWas, nil
	case "changed":
		return OpChanged, nil
	}
	return 0, syntaxErr(fmt.Sprintf("Expecting operator but got '%s'. %s", t.text, validOperators), t)
}

func expectingWord(w string, t token) *Error {
	if t.kind == tEOF {
		return syntaxErr(fmt.Sprintf("Expecting '%s' before the end of the query.", w), t)
	}
	return syntaxErr(fmt.Sprintf("Expecting '%s' but got '%s'.", w, t.text), t)
}

func (p *parser) operand() (Operand, error) {
	if err := p.deeper(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := p.next()
	switch t.kind {
	case tEOF:
		return nil, syntaxErr("Expecting either a value, list or function before the end of the query.", t)
	case tWord, tQuoted:
		if p.peek().kind == tLParen {
			return p.function(t)
		}
		if t.kind == tQuoted {
			return &Value{Text: t.text, Quoted: true}, nil
		}
		switch t.keyword() {
		case "empty", "null":
			return &Empty{Word: strings.ToUpper(t.text)}, nil
		case "":
		default:
			return nil, badOperand(t)
		}
		if isReservedWord(t.text) {
			return nil, reservedErr(t)
		}
		if looksNumeric(t.text) {
			if _, err := strconv.ParseInt(t.text, 10, 64); err != nil {
				return nil, numberErr(t)
			}
		}
		return &Value{Text: t.text}, nil
	case tLParen:
		l := &List{}
		for {
			item, err := p.operand()
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, item)
			switch c := p.next(); c.kind {
			case tComma:
				continue
			case tRParen:
				return l, nil
			case tEOF:
				return nil, syntaxErr("Expecting ')' before the end of the query.", c)
			default:
				return nil, syntaxErr(fmt.Sprintf("Expecting ')' but got '%s'.", c.text), c)
			}
		}
	}
	return nil, badOperand(t)
}

func badOperand(t token) *Error {
	return syntaxErr(fmt.Sprintf("Expecting either a value, list or function but got '%s'. You must surround '%s' in quotation marks to use it as a value.", t.text, t.text), t)
}

func looksNumeric(s string) bool { return isDigits(strings.TrimPrefix(s, "-")) }

// function parses name(args...); name is the current token, '(' is next.
func (p *parser) function(name token) (Operand, error) {
	if name.text == "" {
		return nil, syntaxErr("A function name cannot be empty.", name)
	}
	if name.kind == tWord && name.keyword() != "" {
		return nil, badOperand(name)
	}
	p.next() // (
	f := &Func{Name: name.text}
	t := p.next()
	switch t.kind {
	case tRParen:
		return f, nil
	case tEOF:
		return nil, syntaxErr("Expecting ')' before the end of the query.", t)
	case tComma:
		return nil, syntaxErr("Expecting ')' but got ','.", t)
	}
	for {
		if t.kind != tWord && t.kind != tQuoted {
			return nil, syntaxErr(fmt.Sprintf("Expecting a function argument but got '%s'. You must surround '%s' in quotation marks to use it as an argument.", t.text, t.text), t)
		}
		f.Args = append(f.Args, t.text)
		c := p.next()
		switch c.kind {
		case tRParen:
			return f, nil
		case tEOF:
			return nil, syntaxErr("Expecting ')' before the end of the query.", c)
		case tComma:
		default:
			return nil, syntaxErr(fmt.Sprintf("Expecting ')' or ',' but got '%s'.", c.text), c)
		}
		t = p.next()
		switch t.kind {
		case tEOF:
			return nil, syntaxErr("Expecting a function argument at the end of the query.", t)
		case tRParen:
			return nil, syntaxErr("Function argument must be specified.", t)
		}
	}
}

func (p *parser) orderBy() ([]SortKey, error) {
	p.next() // order
	if t := p.next(); t.keyword() != "by" {
		return nil, expectingWord("by", t)
	}
	var keys []SortKey
	for {
		f, err := p.field()
		if err != nil {
			return nil, err
		}
		k := SortKey{Field: f}
		if kw := p.peek().keyword(); kw == "asc" || kw == "desc" {
			p.next()
			k.Order = strings.ToUpper(kw)
		}
		keys = append(keys, k)
		t := p.next()
		switch {
		case t.kind == tEOF:
			return keys, nil
		case t.kind == tComma:
			continue
		case k.Order != "":
			return nil, syntaxErr(fmt.Sprintf("Expecting ',' but got '%s'.", t.text), t)
		default:
			return nil, syntaxErr(fmt.Sprintf("Expecting either 'ASC' or 'DESC' but got '%s'.", t.text), t)
		}
	}
}

// String prints the query in a canonical form that parses back to an equal
// query.
func (q *Query) String() string {
	var b strings.Builder
	if q.Where != nil {
		q.Where.write(&b, precOr)
	}
	if len(q.OrderBy) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("ORDER BY ")
		for i, k := range q.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			k.Field.write(&b)
			if k.Order != "" {
				b.WriteByte(' ')
				b.WriteString(k.Order)
			}
		}
	}
	return b.String()
}

const (
	precOr = iota
	precAnd
	precNot
)

func (x *OrExpr) write(b *strings.Builder, parent int) {
	if parent > precOr {
		b.WriteByte('(')
	}
	for i, t := range x.Terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		t.write(b, precAnd)
	}
	if parent > precOr {
		b.WriteByte(')')
	}
}

func (x *AndExpr) write(b *strings.Builder, parent int) {
	if parent > precAnd {
		b.WriteByte('(')
	}
	for i, t := range x.Terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		t.write(b, precNot)
	}
	if parent > precAnd {
		b.WriteByte(')')
	}
}

func (x *NotExpr) write(b *strings.Builder, _ int) {
	b.WriteString("NOT ")
	x.X.write(b, precNot)
}

func (c *Clause) write(b *strings.Builder, _ int) {
	c.Field.write(b)
	b.WriteByte(' ')
	b.WriteString(strings.ToUpper(c.Op.String()))
	if c.Operand != nil {
		b.WriteByte(' ')
		c.Operand.write(b)
	}
	for _, p := range c.Predicates {
		b.WriteByte(' ')
		b.WriteString(p.Word)
		b.WriteByte(' ')
		p.Operand.write(b)
	}
}

func (f FieldRef) write(b *strings.Builder) {
	if f.CF > 0 {
		b.WriteString(f.Name)
		return
	}
	writeString(b, f.Name, false)
}

func (v *Value) write(b *strings.Builder) { writeString(b, v.Text, v.Quoted) }

func (e *Empty) write(b *strings.Builder) { b.WriteString(e.Word) }

func (l *List) write(b *strings.Builder) {
	b.WriteByte('(')
	for i, it := range l.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		it.write(b)
	}
	b.WriteByte(')')
}

func (f *Func) write(b *strings.Builder) {
	writeString(b, f.Name, false)
	b.WriteByte('(')
	for i, a := range f.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		writeString(b, a, false)
	}
	b.WriteByte(')')
}

// writeString writes s bare when it lexes back to the same single word,
// otherwise as a double-quoted string with escapes.
func writeString(b *strings.Builder, s string, quoted bool) {
	if !quoted && bareOK(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case isIllegal(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

func bareOK(s string) bool {
	if s == "" || isReservedWord(s) || (token{kind: tWord, text: s}).keyword() != "" || strings.EqualFold(s, "cf") {
		return false
	}
	if looksNumeric(s) {
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return false
		}
	}
	for _, r := range s {
		if endsWord(r) || isReservedChar(r) || isIllegal(r) || r == '\\' {
			return false
		}
	}
	return true
}
