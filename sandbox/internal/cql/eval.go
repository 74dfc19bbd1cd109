package cql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/querykit"
)

// Content is the plain view of one piece of content that queries run over.
type Content struct {
	ID               string // numeric string
	Type             string // page, blogpost, folder, ...
	Status           string // current, draft, ...
	SpaceKey         string
	SpaceType        string // global, personal
	SpaceTitle       string
	Title            string
	Text             string   // plain text of the body
	Labels           []string // label names without prefix
	Ancestors        []string // ids, top to bottom
	ParentID         string
	CreatorAccountID string
	Contributors     []string // account ids of everyone who wrote a version
	Mentions         []string // account ids mentioned in the body
	Watchers         []string // account ids watching the content
	Favourites       []string // account ids that saved it as a favourite
	Macros           []string // names of macros used in the body
	Created          time.Time
	LastModified     time.Time
}

// Doc is a Content prepared for matching: its words are tokenised once.
type Doc struct {
	Content
	seq        []string            // tokens of title, text and labels, in order
	words      map[string]struct{} // the same tokens as a set
	titleW     []string            // tokens of the title
	spaceW     []string            // tokens of the space title
	idNum      uint64
	titleLower string
	// Lower-cased copies for case-insensitive equality.
	typeL, spaceL, spaceTypeL, spaceTitleL string
	labelsL, macrosL                       []string
}

// NewDoc prepares c for matching. Build it again after c changes.
func NewDoc(c Content) *Doc {
	d := &Doc{Content: c}
	d.titleW = tokens(c.Title, false)
	d.spaceW = tokens(c.SpaceTitle, false)
	d.seq = append(d.seq, d.titleW...)
	d.seq = append(d.seq, tokens(c.Text, false)...)
	for _, l := range c.Labels {
		d.seq = append(d.seq, tokens(l, false)...)
	}
	d.words = make(map[string]struct{}, len(d.seq))
	for _, w := range d.seq {
		d.words[w] = struct{}{}
	}
	d.idNum, _ = strconv.ParseUint(c.ID, 10, 64)
	d.titleLower = strings.ToLower(c.Title)
	d.typeL, d.spaceL = strings.ToLower(c.Type), strings.ToLower(c.SpaceKey)
	d.spaceTypeL, d.spaceTitleL = strings.ToLower(c.SpaceType), strings.ToLower(c.SpaceTitle)
	d.labelsL = lowerAll(c.Labels)
	d.macrosL = lowerAll(c.Macros)
	return d
}

// Words returns the distinct lower-case words text searches can match in
// d (title, body text and labels), for callers that keep an inverted index.
func (d *Doc) Words() []string {
	out := make([]string, 0, len(d.words))
	for w := range d.words {
		out = append(out, w)
	}
	return out
}

func lowerAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(x)
	}
	return out
}

// tokens splits s into lower-case words. With wild, '*' and '?' are kept
// as part of words (for query terms).
func tokens(s string, wild bool) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || (wild && (r == '*' || r == '?'))
		if in && start < 0 {
			start = i
		} else if !in && start >= 0 {
			out = append(out, strings.ToLower(s[start:i]))
			start = -1
		}
		i += n
	}
	if start >= 0 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

// Env is what a query needs besides the content: the clock and the caller.
type Env struct {
	Now         time.Time
	CurrentUser string         // account id for currentUser()
	Location    *time.Location // for dates and startOf/endOf; nil means UTC
	WeekStart   time.Weekday   // first day of the week for startOfWeek (Sunday by default)
}

// Matcher is a Query bound to an Env, ready to filter and sort Docs.
type Matcher struct {
	q     *Query
	match func(*Doc) bool
	score []func(*Doc) int
}

// Compile binds q to env, resolving functions and dates. The error is an
// *Error.
func (q *Query) Compile(env Env) (*Matcher, error) {
	if env.Location == nil {
		env.Location = time.UTC
	}
	if env.Now.IsZero() {
		env.Now = time.Now()
	}
	m := &Matcher{q: q, match: func(*Doc) bool { return true }}
	if q.Where != nil {
		f, err := m.compile(q.Where, env, false)
		if err != nil {
			return nil, err
		}
		m.match = f
	}
	return m, nil
}

// Match reports whether d satisfies the query's filter.
func (m *Matcher) Match(d *Doc) bool { return m.match(d) }

// Score is d's relevance for the default order: higher is better.
func (m *Matcher) Score(d *Doc) int {
	s := 0
	for _, f := range m.score {
		s += f(d)
	}
	return s
}

// Sort orders docs by the query's ORDER BY, or by relevance (then most
// recently modified) when it has none. Ties break on ascending id.
func (m *Matcher) Sort(docs []*Doc) { m.SortTop(docs, len(docs)) }

// SortTop puts the first k docs of the Sort order, sorted, at the front of
// docs and returns them; the rest of docs is left in no particular order.
// It costs O(n log k), so a first page is cheap however many docs match.
func (m *Matcher) SortTop(docs []*Doc, k int) []*Doc {
	k = max(0, min(k, len(docs)))
	scored := len(m.score) > 0 && len(m.q.OrderBy) == 0
	rank := func(d *Doc) ranked {
		if scored {
			return ranked{d: d, score: m.Score(d)}
		}
		return ranked{d: d}
	}
	less := m.lessFunc()
	var items []ranked
	if k < len(docs)/4 {
		// Bounded max-heap of the k best seen so far.
		items = make([]ranked, 0, k)
		for _, d := range docs {
			it := rank(d)
			if len(items) < k {
				items = append(items, it)
				heapUp(items, len(items)-1, less)
			} else if k > 0 && less(it, items[0]) {
				items[0] = it
				heapDown(items, 0, less)
			}
		}
	} else {
		items = make([]ranked, len(docs))
		for i, d := range docs {
			items[i] = rank(d)
		}
	}
	slices.SortFunc(items, func(a, b ranked) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	})
	for i := 0; i < k; i++ {
		docs[i] = items[i].d
	}
	return docs[:k]
}

// ranked is a doc with its precomputed relevance.
type ranked struct {
	d     *Doc
	score int
}

// heapUp and heapDown keep h a max-heap under less (the root is the worst
// of the kept docs).
func heapUp(h []ranked, i int, less func(a, b ranked) bool) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(h[p], h[i]) {
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func heapDown(h []ranked, i int, less func(a, b ranked) bool) {
	for {
		l, big := 2*i+1, i
		if l < len(h) && less(h[big], h[l]) {
			big = l
		}
		if r := l + 1; r < len(h) && less(h[big], h[r]) {
			big = r
		}
		if big == i {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}

// lessFunc is the strict total order of results.
func (m *Matcher) lessFunc() func(a, b ranked) bool {
	if len(m.q.OrderBy) == 0 {
		return func(x, y ranked) bool {
			if x.score != y.score {
				return x.score > y.score
			}
			a, b := x.d, y.d
			if !a.LastModified.Equal(b.LastModified) {
				return a.LastModified.After(b.LastModified)
			}
			return a.idNum < b.idNum
		}
	}
	type key struct {
		cmp  func(a, b *Doc) int
		desc bool
	}
	keys := make([]key, len(m.q.OrderBy))
	for i, o := range m.q.OrderBy {
		keys[i] = key{comparator(o.Field), o.Desc}
	}
	return func(x, y ranked) bool {
		a, b := x.d, y.d
		for _, k := range keys {
			if c := k.cmp(a, b); c != 0 {
				return c < 0 != k.desc
			}
		}
		return a.idNum < b.idNum
	}
}

func comparator(field string) func(a, b *Doc) int {
	switch field {
	case "title":
		return func(a, b *Doc) int { return strings.Compare(a.titleLower, b.titleLower) }
	case "created":
		return func(a, b *Doc) int { return a.Created.Compare(b.Created) }
	case "lastmodified":
		return func(a, b *Doc) int { return a.LastModified.Compare(b.LastModified) }
	case "type":
		return func(a, b *Doc) int { return strings.Compare(a.Type, b.Type) }
	case "space":
		return func(a, b *Doc) int { return strings.Compare(a.SpaceKey, b.SpaceKey) }
	}
	return func(a, b *Doc) int {
		switch {
		case a.idNum < b.idNum:
			return -1
		case a.idNum > b.idNum:
			return 1
		}
		return 0
	}
}

func (m *Matcher) compile(e Expr, env Env, negated bool) (func(*Doc) bool, error) {
	switch e := e.(type) {
	case *And:
		if cost(e.L) > cost(e.R) { // AND commutes: test the cheap side first
			e = &And{e.R, e.L}
		}
		l, err := m.compile(e.L, env, negated)
		if err != nil {
			return nil, err
		}
		r, err := m.compile(e.R, env, negated)
		if err != nil {
			return nil, err
		}
		return func(d *Doc) bool { return l(d) && r(d) }, nil
	case *Or:
		l, err := m.compile(e.L, env, negated)
		if err != nil {
			return nil, err
		}
		r, err := m.compile(e.R, env, negated)
		if err != nil {
			return nil, err
		}
		return func(d *Doc) bool { return l(d) || r(d) }, nil
	case *Not:
		x, err := m.compile(e.X, env, !negated)
		if err != nil {
			return nil, err
		}
		return func(d *Doc) bool { return !x(d) }, nil
	case *Clause:
		return m.compileClause(e, env, negated)
	}
	return nil, &Error{-1, "unknown expression"}
}

// RequiredSpaces returns the space keys a matching doc must be in, when
// the filter implies them (space = X, space IN (...), under AND and OR),
// so a caller can look only at those spaces' content. ok is false when any
// space may match.
func (q *Query) RequiredSpaces() (keys []string, ok bool) {
	if q.Where == nil {
		return nil, false
	}
	return requiredSpaces(q.Where)
}

func requiredSpaces(e Expr) ([]string, bool) {
	switch e := e.(type) {
	case *And:
		if k, ok := requiredSpaces(e.L); ok {
			return k, true
		}
		return requiredSpaces(e.R)
	case *Or:
		l, lok := requiredSpaces(e.L)
		r, rok := requiredSpaces(e.R)
		if lok && rok {
			return append(l, r...), true
		}
	case *Clause:
		if (e.Field == "space" || e.Field == "space.key") && (e.Op == "=" || e.Op == "IN") {
			var keys []string
			for _, v := range e.Values {
				keys = append(keys, v.Text)
			}
			return keys, true
		}
	}
	return nil, false
}

// RequiredWords returns words every matching doc must contain among its
// Words (from text ~ and title ~ clauses joined by AND, wildcards left
// out), so a caller with an inverted index can start from the rarest.
// It returns nil when no word is required.
func (q *Query) RequiredWords() []string {
	if q.Where == nil {
		return nil
	}
	return requiredWords(q.Where)
}

func requiredWords(e Expr) []string {
	switch e := e.(type) {
	case *And:
		return append(requiredWords(e.L), requiredWords(e.R)...)
	case *Clause:
		if e.Op != "~" || e.Field != "text" && e.Field != "title" {
			return nil
		}
		var out []string
		for _, term := range parseTerms(e.Values[0].Text) {
			for _, w := range term {
				if !strings.ContainsAny(w, "*?") {
					out = append(out, w)
				}
			}
		}
		return out
	}
	return nil
}

// cost estimates how expensive an expression is to evaluate per doc.
func cost(e Expr) int {
	switch e := e.(type) {
	case *And:
		return cost(e.L) + cost(e.R)
	case *Or:
		return cost(e.L) + cost(e.R)
	case *Not:
		return cost(e.X)
	case *Clause:
		if e.Field == "text" {
			return 20
		}
		if e.Op == "~" || e.Op == "!~" {
			return 5
		}
		return len(e.Values)
	}
	return 1
}

// compileClause compiles one clause with its kind's compiler, negated
// for !=, !~ and NOT IN; negated says a NOT is above it (its words then
// do not score).
func (m *Matcher) compileClause(c *Clause, env Env, negated bool) (func(*Doc) bool, error) {
	compile := compileValueClause
	switch fields[c.Field].kind {
	case kindText:
		compile = compileTextClause
	case kindDate:
		compile = compileDateClause
	}
	pos, err := compile(m, c, env, negated)
	if err != nil {
		return nil, err
	}
	if negOp(c.Op) {
		return func(d *Doc) bool { return !pos(d) }, nil
	}
	return pos, nil
}

// negOp says whether op is the negation of another (!=, !~, NOT IN).
func negOp(op string) bool { return op == "!=" || op == "!~" || op == "NOT IN" }

// noWords is the error for a ~ value with no words in it.
func noWords(field string) error {
	return &Error{-1, fmt.Sprintf("the value for the field '%s' has no words to search for", field)}
}

// compileTextClause matches the words of text ~ (or !~) in the title and
// body; a match scores, and more when the title holds the words in
// sequence, unless the clause is negative or under a NOT.
func compileTextClause(m *Matcher, c *Clause, _ Env, negated bool) (func(*Doc) bool, error) {
	t := parseTerms(c.Values[0].Text)
	if len(t) == 0 {
		return nil, noWords(c.Field)
	}
	if !negOp(c.Op) && !negated {
		m.score = append(m.score, func(d *Doc) int {
			if !t.match(d.words, d.seq) {
				return 0
			}
			s := 1
			if t.matchSeq(d.titleW) {
				s += 3
			}
			return s
		})
	}
	return func(d *Doc) bool { return t.match(d.words, d.seq) }, nil
}

// dateMatchers match a date clause by operator: from is the value's time
// (its day's start when dayOnly) and to the next day's start.
var dateMatchers = map[string]func(get func(*Doc) time.Time, from, to time.Time, dayOnly bool) func(*Doc) bool{
	"=": dateEqual, "!=": dateEqual,
	"<": func(get func(*Doc) time.Time, from, _ time.Time, _ bool) func(*Doc) bool {
		return func(d *Doc) bool { return get(d).Before(from) }
	},
	"<=": func(get func(*Doc) time.Time, from, to time.Time, dayOnly bool) func(*Doc) bool {
		if dayOnly {
			return func(d *Doc) bool { return get(d).Before(to) }
		}
		return func(d *Doc) bool { return !get(d).After(from) }
	},
	">": func(get func(*Doc) time.Time, from, to time.Time, dayOnly bool) func(*Doc) bool {
		if dayOnly {
			return func(d *Doc) bool { return !get(d).Before(to) }
		}
		return func(d *Doc) bool { return get(d).After(from) }
	},
	">=": func(get func(*Doc) time.Time, from, _ time.Time, _ bool) func(*Doc) bool {
		return func(d *Doc) bool { return !get(d).Before(from) }
	},
}

// dateEqual matches a date on the value's day, or at its exact time.
func dateEqual(get func(*Doc) time.Time, from, to time.Time, dayOnly bool) func(*Doc) bool {
	if dayOnly {
		return func(d *Doc) bool { t := get(d); return !t.Before(from) && t.Before(to) }
	}
	return func(d *Doc) bool { return get(d).Equal(from) }
}

// compileDateClause matches created or lastmodified against a date or a
// date function.
func compileDateClause(_ *Matcher, c *Clause, env Env, _ bool) (func(*Doc) bool, error) {
	from, to, dayOnly, err := resolveDate(c.Values[0], env)
	if err != nil {
		return nil, err
	}
	get := func(d *Doc) time.Time { return d.Created }
	if c.Field == "lastmodified" {
		get = func(d *Doc) time.Time { return d.LastModified }
	}
	match := dateMatchers[c.Op]
	if match == nil {
		return nil, nil
	}
	return match(get, from, to, dayOnly), nil
}

// idRangeMatchers match content (never spaces) by id number: id < n and
// the like.
var idRangeMatchers = map[string]func(n uint64) func(*Doc) bool{
	"<":  func(n uint64) func(*Doc) bool { return func(d *Doc) bool { return d.typeL != "space" && d.idNum < n } },
	">":  func(n uint64) func(*Doc) bool { return func(d *Doc) bool { return d.typeL != "space" && d.idNum > n } },
	"<=": func(n uint64) func(*Doc) bool { return func(d *Doc) bool { return d.typeL != "space" && d.idNum <= n } },
	">=": func(n uint64) func(*Doc) bool { return func(d *Doc) bool { return d.typeL != "space" && d.idNum >= n } },
}

// compileValueClause matches the other fields: an id range, words in a
// title or space title, or the values themselves (currentUser() as the
// caller's account id).
func compileValueClause(m *Matcher, c *Clause, env Env, negated bool) (func(*Doc) bool, error) {
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = v.Text
		if v.Func == "currentUser" {
			vals[i] = env.CurrentUser
		}
	}
	if c.Field == "id" {
		if idRange := idRangeMatchers[c.Op]; idRange != nil {
			n, _ := strconv.ParseUint(vals[0], 10, 64)
			return idRange(n), nil
		}
	}
	if c.Op == "~" || c.Op == "!~" {
		return m.titleWords(c, vals[0], negated)
	}
	return valueMatcher(c.Field, vals), nil
}

// titleWords matches the words of title ~ (or !~) in the title, or of
// space.title ~ in the space's title; a title ~ match scores unless under
// a NOT.
func (m *Matcher) titleWords(c *Clause, value string, negated bool) (func(*Doc) bool, error) {
	t := parseTerms(value)
	if len(t) == 0 {
		return nil, noWords(c.Field)
	}
	src := func(d *Doc) []string { return d.titleW }
	if c.Field == "space.title" {
		src = func(d *Doc) []string { return d.spaceW }
	}
	pos := func(d *Doc) bool { return t.matchSeq(src(d)) }
	if c.Op == "~" && !negated && c.Field == "title" {
		m.score = append(m.score, func(d *Doc) int {
			if pos(d) {
				return 4
			}
			return 0
		})
	}
	return pos, nil
}

func valueMatcher(field string, vals []string) func(*Doc) bool {
	lower := lowerAll(vals)
	one := func(get func(*Doc) string, fold bool) func(*Doc) bool {
		want := vals
		if fold {
			want = lower
		}
		if len(want) == 1 {
			w := want[0]
			return func(d *Doc) bool { return get(d) == w }
		}
		return func(d *Doc) bool { return slices.Contains(want, get(d)) }
	}
	many := func(get func(*Doc) []string, fold bool) func(*Doc) bool {
		want := vals
		if fold {
			want = lower
		}
		if len(want) == 1 {
			w := want[0]
			return func(d *Doc) bool { return slices.Contains(get(d), w) }
		}
		return func(d *Doc) bool {
			for _, x := range get(d) {
				if slices.Contains(want, x) {
					return true
				}
			}
			return false
		}
	}
	switch field {
	case "type":
		return one(func(d *Doc) string { return d.typeL }, true)
	case "space", "space.key":
		return one(func(d *Doc) string { return d.spaceL }, true)
	case "space.type":
		return one(func(d *Doc) string { return d.spaceTypeL }, true)
	case "space.title":
		return one(func(d *Doc) string { return d.spaceTitleL }, true)
	case "title":
		return one(func(d *Doc) string { return d.titleLower }, true)
	case "label":
		return many(func(d *Doc) []string { return d.labelsL }, true)
	case "ancestor":
		return many(func(d *Doc) []string { return d.Ancestors }, false)
	case "parent":
		return one(func(d *Doc) string { return d.ParentID }, false)
	case "id", "content": // content ids; spaces have their own id space
		match := one(func(d *Doc) string { return d.ID }, false)
		return func(d *Doc) bool { return d.typeL != "space" && match(d) }
	case "creator":
		return one(func(d *Doc) string { return d.CreatorAccountID }, false)
	case "contributor":
		return many(func(d *Doc) []string { return d.Contributors }, false)
	case "mention":
		return many(func(d *Doc) []string { return d.Mentions }, false)
	case "watcher":
		return many(func(d *Doc) []string { return d.Watchers }, false)
	case "favourite":
		return many(func(d *Doc) []string { return d.Favourites }, false)
	case "macro":
		return many(func(d *Doc) []string { return d.macrosL }, true)
	}
	return func(*Doc) bool { return false }
}

// matchSeq is match for short token lists (titles), without a set.
func (t terms) matchSeq(seq []string) bool {
	for _, term := range t {
		if len(term) == 1 {
			found := false
			for _, x := range seq {
				if querykit.WildMatch(term[0], x) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
			continue
		}
		if !phraseIn(term, seq) {
			return false
		}
	}
	return true
}

// terms is a parsed text search value: every term must match. A term of
// more than one word is a phrase (its words must appear in order).
type terms [][]string

func parseTerms(s string) terms {
	var t terms
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			break
		}
		for _, w := range tokens(s[:i], true) {
			t = append(t, []string{w})
		}
		if p := tokens(s[i+1:i+1+j], true); len(p) > 0 {
			t = append(t, p)
		}
		s = s[i+1+j+1:]
	}
	for _, w := range tokens(s, true) {
		if w == "and" || w == "or" {
			continue
		}
		t = append(t, []string{w})
	}
	return t
}

func (t terms) match(set map[string]struct{}, seq []string) bool {
	for _, term := range t {
		if len(term) == 1 {
			if !wordIn(term[0], set) {
				return false
			}
			continue
		}
		if !phraseIn(term, seq) {
			return false
		}
	}
	return true
}

func wordIn(w string, set map[string]struct{}) bool {
	if !strings.ContainsAny(w, "*?") {
		_, ok := set[w]
		return ok
	}
	for x := range set {
		if querykit.WildMatch(w, x) {
			return true
		}
	}
	return false
}

func phraseIn(p []string, seq []string) bool {
	for i := 0; i+len(p) <= len(seq); i++ {
		ok := true
		for j, w := range p {
			if !querykit.WildMatch(w, seq[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

var dateLayouts = []struct {
	layout  string
	dayOnly bool
}{
	{"2006-01-02 15:04", false},
	{"2006/01/02 15:04", false},
	{"2006-01-02", true},
	{"2006/01/02", true},
}

func parseDate(s string) (time.Time, bool, bool) {
	return parseDateIn(s, time.UTC)
}

func parseDateIn(s string, loc *time.Location) (time.Time, bool, bool) {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l.layout, strings.TrimSpace(s), loc); err == nil {
			return t, l.dayOnly, true
		}
	}
	return time.Time{}, false, false
}

// parseIncrement reads a function argument like "-7d", "+2w" or "-1".
func parseIncrement(s, fn string) (int, byte, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("the argument '%s' to %s() is not a valid increment like \"-7d\" (units y, M, w, d, h, m)", s, fn)
	if s == "" {
		return 0, 0, bad
	}
	unit := byte(0)
	if c := s[len(s)-1]; c < '0' || c > '9' {
		unit = c
		s = s[:len(s)-1]
		if !strings.ContainsRune("yMwdhm", rune(unit)) {
			return 0, 0, bad
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > 100000 || n < -100000 {
		return 0, 0, bad
	}
	if unit == 0 {
		switch fn {
		case "startOfDay", "endOfDay":
			unit = 'd'
		case "startOfWeek", "endOfWeek":
			unit = 'w'
		case "startOfMonth", "endOfMonth":
			unit = 'M'
		case "startOfYear", "endOfYear":
			unit = 'y'
		default:
			return 0, 0, bad
		}
	}
	return n, unit, nil
}

// resolveDate turns a date value into an instant (from) and, for whole
// days, the end of that day (to).
func resolveDate(v Value, env Env) (from, to time.Time, dayOnly bool, err error) {
	if v.Func == "" {
		t, day, ok := parseDateIn(v.Text, env.Location)
		if !ok {
			return from, to, false, &Error{-1, fmt.Sprintf("the value '%s' is not a valid date", v.Text)}
		}
		return t, t.AddDate(0, 0, 1), day, nil
	}
	now := env.Now.In(env.Location)
	n, unit := 0, byte(0)
	if len(v.Args) == 1 {
		if n, unit, err = parseIncrement(v.Args[0], v.Func); err != nil {
			return from, to, false, &Error{-1, err.Error()}
		}
	}
	y, mo, d := now.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, env.Location)
	var t time.Time
	switch v.Func {
	case "now":
		t = now
	case "startOfDay", "endOfDay":
		t = day
	case "startOfWeek", "endOfWeek":
		back := (int(now.Weekday()) - int(env.WeekStart) + 7) % 7
		t = day.AddDate(0, 0, -back)
	case "startOfMonth", "endOfMonth":
		t = time.Date(y, mo, 1, 0, 0, 0, 0, env.Location)
	case "startOfYear", "endOfYear":
		t = time.Date(y, 1, 1, 0, 0, 0, 0, env.Location)
	}
	if unit != 0 {
		t = querykit.AddUnit(t, unit, n)
	}
	if strings.HasPrefix(v.Func, "end") {
		switch v.Func {
		case "endOfDay":
			t = t.AddDate(0, 0, 1)
		case "endOfWeek":
			t = t.AddDate(0, 0, 7)
		case "endOfMonth":
			t = t.AddDate(0, 1, 0)
		case "endOfYear":
			t = t.AddDate(1, 0, 0)
		}
		t = t.Add(-time.Millisecond)
	}
	return t, t, false, nil
}
