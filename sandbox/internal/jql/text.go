package jql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textQuery is a compiled `~` operand: Lucene-like syntax as Jira accepts it.
// Words are AND-ed; OR (or ||) separates alternatives; a leading - or !
// excludes a term, + requires it; "inner quotes" make a phrase; * and ? are
// wildcards (not at the start of a term). Matching is case-insensitive on
// word tokens with light English stemming and stop words ignored.
type textQuery struct {
	groups [][]textTerm // OR of groups, each an AND of terms
}

type textTerm struct {
	words   []textWord // a phrase: consecutive tokens
	exclude bool
	// prefix is the first word's stem (or the literal head of its pattern)
	// when it is ASCII: any matching text contains it, which a fast
	// substring scan checks before tokenising.
	prefix string
}

type textWord struct {
	s    string // folded stem, or folded pattern when wild
	wild bool
}

// compileText parses a text query; the error message is Jira's.
func compileText(q, field string) (*textQuery, string) {
	if strings.TrimSpace(q) == "" {
		return nil, fmt.Sprintf("The field '%s' does not support searching for an empty string.", field)
	}
	p := &textParser{q: q, field: field, tq: &textQuery{}, needTerm: true}
	for p.skipSpace() {
		if msg := p.next(); msg != "" {
			return nil, msg
		}
	}
	if p.needTerm || !p.sawTerm {
		return nil, p.cantParse()
	}
	p.tq.groups = append(p.tq.groups, p.group)
	return p.tq, ""
}

// textParser is compileText's state: the query read up to i, the OR
// groups so far and the terms of the current one.
type textParser struct {
	q, field string
	i        int
	tq       *textQuery
	group    []textTerm

	needTerm   bool // at the start, or after OR/AND: a term must follow
	sawTerm    bool
	negateNext bool // a NOT word applies to the next term
}

func (p *textParser) cantParse() string {
	return fmt.Sprintf("Unable to parse the text '%s' for field '%s'.", p.q, p.field)
}

func isTextSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace moves past white space; it reports whether any query is left.
func (p *textParser) skipSpace() bool {
	for p.i < len(p.q) && isTextSpace(p.q[p.i]) {
		p.i++
	}
	return p.i < len(p.q)
}

// next reads one word, phrase or operator word; it returns the error
// message, if any.
func (p *textParser) next() string {
	prefix, ok := p.prefix()
	if !ok {
		return p.cantParse()
	}
	raw, phrase, ok := p.word()
	if !ok {
		return p.cantParse()
	}
	if raw == "" { // "" as a phrase
		p.needTerm, p.sawTerm = false, true
		return ""
	}
	if !phrase && prefix == 0 {
		if op := textOperators[raw]; op != nil {
			return op(p)
		}
	}
	if !phrase && (raw[0] == '*' || raw[0] == '?') {
		return fmt.Sprintf("The text query '%s' for field '%s' is not allowed to start with '%c'.", p.q, p.field, raw[0])
	}
	p.term(raw, phrase, prefix)
	return ""
}

// prefix reads a term's - + or ! prefix, or takes - from a NOT before it
// (0 for none); a prefix must be followed by its term.
func (p *textParser) prefix() (byte, bool) {
	prefix := byte(0)
	if p.negateNext {
		prefix, p.negateNext = '-', false
	}
	if c := p.q[p.i]; c == '-' || c == '+' || c == '!' {
		prefix = c
		p.i++
		if p.i >= len(p.q) || isTextSpace(p.q[p.i]) {
			return 0, false
		}
	}
	return prefix, true
}

// word reads a quoted phrase (false when it is not closed) or a word up
// to the next white space.
func (p *textParser) word() (raw string, phrase, ok bool) {
	q, i := p.q, p.i
	if q[i] == '"' {
		j := strings.IndexByte(q[i+1:], '"')
		if j < 0 {
			return "", false, false
		}
		p.i = i + j + 2
		return q[i+1 : i+1+j], true, true
	}
	j := i
	for j < len(q) && !isTextSpace(q[j]) {
		j++
	}
	p.i = j
	return q[i:j], false, true
}

// textOperators handle the operator words (bare, without a prefix).
var textOperators = map[string]func(p *textParser) string{
	"OR": (*textParser).or, "||": (*textParser).or,
	"AND": (*textParser).and, "&&": (*textParser).and,
	"NOT": (*textParser).not,
}

// or closes the current group; a term must come before and after it.
func (p *textParser) or() string {
	if p.needTerm {
		return p.cantParse()
	}
	p.tq.groups = append(p.tq.groups, p.group)
	p.group, p.needTerm = nil, true
	return ""
}

// and needs a term before and after it, and otherwise changes nothing.
func (p *textParser) and() string {
	if p.needTerm {
		return p.cantParse()
	}
	p.needTerm = true
	return ""
}

// not excludes the next term; it cannot end the query.
func (p *textParser) not() string {
	if p.i >= len(p.q) {
		return p.cantParse()
	}
	p.negateNext = true
	return ""
}

// term adds a word or phrase to the current group (unless it has no
// words, only stop words or punctuation), with the ASCII prefix of its
// first word for the index.
func (p *textParser) term(raw string, phrase bool, prefix byte) {
	t := textTerm{words: splitWords(raw, !phrase), exclude: prefix == '-' || prefix == '!'}
	p.needTerm, p.sawTerm = false, true
	if len(t.words) == 0 {
		return
	}
	w := t.words[0].s
	if t.words[0].wild {
		w = w[:strings.IndexAny(w, "*?")]
	}
	if isASCII(w) {
		t.prefix = w
	}
	p.group = append(p.group, t)
}

// splitWords tokenises a query term like the indexed text, keeping * and ?
// inside words when wildcards are allowed.
func splitWords(s string, wild bool) []textWord {
	var out []textWord
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) && !(wild && (r == '*' || r == '?')) {
			i += n
			continue
		}
		j := i
		hasWild := false
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if isWordRune(r) {
				j += n
				continue
			}
			if wild && (r == '*' || r == '?') {
				hasWild = true
				j += n
				continue
			}
			break
		}
		w := s[i:j]
		i = j
		if hasWild {
			out = append(out, textWord{s: strings.ToLower(w), wild: true})
			continue
		}
		if isStopWord(w) {
			continue
		}
		out = append(out, textWord{s: strings.ToLower(stem(w))})
	}
	return out
}

func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// nextWord finds the next word token of s at or after i: s[start:end].
func nextWord(s string, i int) (start, end int) {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if isWordRune(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			break
		}
		i += n
	}
	start = i
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !isWordRune(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += n
	}
	return start, i
}

var stopWords = [...]string{"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
	"no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with"}

func isStopWord(w string) bool {
	if len(w) > 5 {
		return false
	}
	for _, s := range stopWords {
		if len(s) == len(w) && strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// stem strips a few English suffixes so that fix, fixes, fixed and fixing
// meet. It only ever shortens, so both sides of a comparison agree.
func stem(w string) string {
	lw := len(w)
	has := func(suf string) bool {
		return lw-len(suf) >= 3 && strings.EqualFold(w[lw-len(suf):lw], suf)
	}
	if has("s") && !has("ss") && !has("us") && !has("is") {
		lw--
	}
	if has("ing") {
		lw -= 3
	} else if has("ed") {
		lw -= 2
	}
	if has("e") {
		lw--
	}
	return w[:lw]
}

// match reports whether the text held by src matches the query.
func (tq *textQuery) match(is *Issue, src textSource) bool {
	for _, g := range tq.groups {
		if tq.groupMatches(g, is, src) {
			return true
		}
	}
	return false
}

func (tq *textQuery) groupMatches(g []textTerm, is *Issue, src textSource) bool {
	if len(g) == 0 {
		return false
	}
	required := false
	for i := range g {
		t := &g[i]
		found := false
		for k := 0; ; k++ {
			s, ok := src(is, k)
			if !ok {
				break
			}
			if s != "" && t.in(s) {
				found = true
				break
			}
		}
		if found == t.exclude {
			return false
		}
		if !t.exclude {
			required = true
		}
	}
	return required
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether s contains sub (lower-case ASCII)
// ignoring ASCII case, using IndexByte to skip ahead.
func containsFoldASCII(s, sub string) bool {
	if sub == "" {
		return true
	}
	lo, up := sub[0], sub[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// next occurrence (absolute) of each case of the first byte; -1 = none
	// left. Each is recomputed only once passed, so the scan stays linear.
	nextLo, nextUp := -2, -2
	find := func(c byte, from int) int {
		if j := strings.IndexByte(s[from:], c); j >= 0 {
			return from + j
		}
		return -1
	}
	for i := 0; i+len(sub) <= len(s); {
		if nextLo != -1 && nextLo < i {
			nextLo = find(lo, i)
		}
		if up != lo && nextUp != -1 && nextUp < i {
			nextUp = find(up, i)
		}
		j := nextLo
		if up != lo && nextUp >= 0 && (j < 0 || nextUp < j) {
			j = nextUp
		}
		if j < 0 || j+len(sub) > len(s) {
			return false
		}
		if strings.EqualFold(s[j:j+len(sub)], sub) {
			return true
		}
		i = j + 1
	}
	return false
}

// in reports whether the phrase occurs in s.
func (t *textTerm) in(s string) bool {
	if t.prefix != "" && !containsFoldASCII(s, t.prefix) {
		return false
	}
	for i := 0; i < len(s); {
		a, b := nextWord(s, i)
		if a == b {
			return false
		}
		i = b
		w := s[a:b]
		if !t.words[0].matches(w) || isStopWord(w) {
			continue
		}
		if len(t.words) == 1 || t.restAt(s, b) {
			return true
		}
	}
	return false
}

func (t *textTerm) restAt(s string, i int) bool {
	for k := 1; k < len(t.words); {
		a, b := nextWord(s, i)
		if a == b {
			return false
		}
		i = b
		w := s[a:b]
		if isStopWord(w) {
			continue
		}
		if !t.words[k].matches(w) {
			return false
		}
		k++
	}
	return true
}

func (w *textWord) matches(tok string) bool {
	// Cheap reject on the first ASCII letter before stemming.
	if c, p := tok[0], w.s[0]; c < utf8.RuneSelf && p < utf8.RuneSelf && p != '*' && p != '?' {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p {
			return false
		}
	}
	if w.wild {
		return globFold(w.s, tok)
	}
	st := stem(tok)
	return strings.EqualFold(st, w.s)
}

// globFold matches tok against a folded pattern with * and ?.
func globFold(p, tok string) bool {
	// Iterative glob with single backtrack point, rune-wise.
	pi, ti := 0, 0
	starP, starT := -1, 0
	for ti < len(tok) {
		tr, tn := utf8.DecodeRuneInString(tok[ti:])
		if pi < len(p) {
			pr, pn := utf8.DecodeRuneInString(p[pi:])
			switch {
			case pr == '*':
				starP, starT = pi, ti
				pi += pn
				continue
			case pr == '?' || pr == unicode.ToLower(tr):
				pi += pn
				ti += tn
				continue
			}
		}
		if starP < 0 {
			return false
		}
		_, sn := utf8.DecodeRuneInString(tok[starT:])
		starT += sn
		pi, ti = starP+1, starT
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// textSource yields the k-th text of an issue for a text field; ok is false
// past the last one. Indexing (rather than a callback) keeps matching free
// of allocations.
type textSource func(is *Issue, k int) (string, bool)
