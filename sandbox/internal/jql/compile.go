package jql

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Compiled is a query validated against one Env and compiled into
// allocation-free closures. It is immutable and safe for concurrent use.
type Compiled struct {
	where       pred    // nil matches every issue
	order       []cmpFn // ORDER BY keys, then the key DESC tie-break
	projectKeys []string
}

type pred func(*Issue) bool

type cmpFn func(a, b *Issue) int

type compiledFor struct {
	env *Env
	c   *Compiled
	err error
}

// maxOrderBy is the enhanced search's limit on ORDER BY fields.
const maxOrderBy = 7

// Bounded reports whether the query restricts the issues at all; the
// enhanced search rejects unbounded queries such as "order by key desc".
func (q *Query) Bounded() bool { return q.Where != nil }

// Validate checks the query against env (fields, operators, values,
// functions) and returns an *Error holding every problem found, worded as
// Jira words them. A valid query is compiled and kept for Match and Sort.
func (q *Query) Validate(env *Env) error {
	_, err := q.compiledFor(env)
	return err
}

// Match reports whether the issue matches the query's restriction. Call it
// after Validate succeeded with the same env; an invalid query matches
// nothing.
func (q *Query) Match(is *Issue, env *Env) bool {
	c, err := q.compiledFor(env)
	if err != nil {
		return false
	}
	return c.Match(is)
}

// Sort orders issues by the query's ORDER BY (key DESC when there is none),
// in place. Ties keep a total order through the key DESC tie-break.
func (q *Query) Sort(issues []*Issue, env *Env) {
	c, err := q.compiledFor(env)
	if err != nil {
		c = &Compiled{order: []cmpFn{cmpKeyDesc}}
	}
	c.Sort(issues)
}

// TopK returns the first k issues in the query's order without sorting the
// rest (O(n log k)); issues is left untouched.
func (q *Query) TopK(issues []*Issue, env *Env, k int) []*Issue {
	c, err := q.compiledFor(env)
	if err != nil {
		c = &Compiled{order: []cmpFn{cmpKeyDesc}}
	}
	return c.TopK(issues, k)
}

// ProjectKeys returns the project keys the whole query is restricted to when
// its top level is (or is an AND containing) project = X or project IN (...),
// so the caller can scan a per-project index; nil otherwise. It is known
// once Validate succeeded.
func (q *Query) ProjectKeys() []string {
	if cf := q.cache.Load(); cf != nil && cf.c != nil {
		return cf.c.projectKeys
	}
	return nil
}

func (q *Query) compiledFor(env *Env) (*Compiled, error) {
	if cf := q.cache.Load(); cf != nil && cf.env == env {
		return cf.c, cf.err
	}
	c, err := q.Compile(env)
	q.cache.Store(&compiledFor{env: env, c: c, err: err})
	return c, err
}

// Compile validates the query against env and returns its compiled form.
func (q *Query) Compile(env *Env) (*Compiled, error) {
	if env == nil {
		env = &Env{}
	}
	c := &compiler{env: env, now: env.now(), loc: env.loc(), projKeys: map[*Clause][]string{}}
	out := &Compiled{}
	if q.Where != nil {
		out.where = c.expr(q.Where, false)
		out.projectKeys = c.topProjectKeys(q.Where)
	}
	if len(q.OrderBy) > maxOrderBy {
		c.errorf("The ORDER BY clause can have at most %d fields.", maxOrderBy)
	}
	seen := map[string]string{} // canonical field -> the name first used
	for _, k := range q.OrderBy {
		if f := c.resolveField(k.Field, true); f != nil {
			if first, dup := seen[f.canon]; dup {
				if strings.EqualFold(first, f.name) {
					c.errorf("The sort field '%s' is referenced multiple times in the JQL sort.", f.name)
				} else {
					c.errorf("The sort field '%s' is referenced multiple times in the JQL sort. Field '%s' is an alias for field '%s'.", f.name, f.name, first)
				}
				continue
			}
			seen[f.canon] = f.name
			if cmp := c.sortKey(f, k.Order); cmp != nil {
				out.order = append(out.order, cmp)
			}
		}
	}
	out.order = append(out.order, cmpKeyDesc)
	if len(c.errs) > 0 {
		return nil, &Error{Messages: c.errs}
	}
	return out, nil
}

// Match reports whether the issue matches.
func (c *Compiled) Match(is *Issue) bool { return c.where == nil || c.where(is) }

// Filter appends the matching issues to dst and returns it.
func (c *Compiled) Filter(dst, issues []*Issue) []*Issue {
	for _, is := range issues {
		if c.where == nil || c.where(is) {
			dst = append(dst, is)
		}
	}
	return dst
}

// ProjectKeys is Query.ProjectKeys for the compiled form.
func (c *Compiled) ProjectKeys() []string { return c.projectKeys }

type compiler struct {
	env      *Env
	now      time.Time
	loc      *time.Location
	errs     []string
	projKeys map[*Clause][]string
	users    map[string]*User
}

func (c *compiler) errorf(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	for _, e := range c.errs {
		if e == msg {
			return
		}
	}
	c.errs = append(c.errs, msg)
}

func never(*Issue) bool { return false }

func (c *compiler) expr(e Expr, neg bool) pred {
	switch x := e.(type) {
	case *NotExpr:
		return c.expr(x.X, !neg)
	case *AndExpr:
		return c.join(x.Terms, neg, !neg)
	case *OrExpr:
		return c.join(x.Terms, neg, neg)
	case *Clause:
		return c.clause(x, neg)
	}
	return never
}

// join compiles terms (negated when neg) into an AND (all) or an OR;
// negation follows De Morgan as Jira's query normaliser does.
func (c *compiler) join(terms []Expr, neg, all bool) pred {
	ps := make([]pred, len(terms))
	for i, t := range terms {
		ps[i] = c.expr(t, neg)
	}
	if all {
		return func(is *Issue) bool {
			for _, p := range ps {
				if !p(is) {
					return false
				}
			}
			return true
		}
	}
	return func(is *Issue) bool {
		for _, p := range ps {
			if p(is) {
				return true
			}
		}
		return false
	}
}

func (c *compiler) topProjectKeys(e Expr) []string {
	var keys []string
	switch x := e.(type) {
	case *Clause:
		keys = c.projKeys[x]
	case *AndExpr:
		for _, t := range x.Terms {
			if cl, ok := t.(*Clause); ok && c.projKeys[cl] != nil {
				keys = c.projKeys[cl]
				break
			}
		}
	}
	var out []string // distinct, so an index is scanned once per project
	for _, k := range keys {
		if !containsFold(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// flip is the operator NOT turns op into.
func flip(op Op) Op {
	switch op {
	case OpEq:
		return OpNe
	case OpNe:
		return OpEq
	case OpIn:
		return OpNotIn
	case OpNotIn:
		return OpIn
	case OpLike:
		return OpNotLike
	case OpNotLike:
		return OpLike
	case OpIs:
		return OpIsNot
	case OpIsNot:
		return OpIs
	case OpLt:
		return OpGe
	case OpGe:
		return OpLt
	case OpGt:
		return OpLe
	case OpLe:
		return OpGt
	}
	return op
}

func operandString(o Operand) string {
	var b strings.Builder
	o.write(&b)
	return b.String()
}

// atom is one flattened operand value.
type atom struct {
	text   string
	quoted bool
	empty  bool
	fn     *Func
}

func flatten(o Operand, out []atom) []atom {
	switch x := o.(type) {
	case *Value:
		out = append(out, atom{text: x.Text, quoted: x.Quoted})
	case *Empty:
		out = append(out, atom{empty: true})
	case *Func:
		out = append(out, atom{fn: x})
	case *List:
		for _, it := range x.Items {
			out = flatten(it, out)
		}
	}
	return out
}

func (c *compiler) clause(cl *Clause, neg bool) pred {
	f := c.resolveField(cl.Field, false)
	if f == nil {
		return never
	}
	op := cl.Op
	if op >= OpWas {
		c.errorf("The operator '%s' is not supported by the sandbox's JQL engine: it keeps no change history.", op)
		return never
	}
	if !c.operatorUsage(f, op, cl.Operand) {
		return never
	}
	if f.ops&(1<<op) == 0 {
		c.errorf("The operator '%s' is not supported by the '%s' field.", op, f.name)
		return never
	}
	if neg {
		op = flip(op)
	}
	empty := c.emptyPred(f)
	atoms := flatten(cl.Operand, nil)
	switch op {
	case OpIs:
		return empty
	case OpIsNot:
		return func(is *Issue) bool { return !empty(is) }
	case OpLike, OpNotLike:
		return c.like(f, cl, atoms, op == OpLike, empty)
	case OpLt, OpGt, OpLe, OpGe:
		return c.relational(f, atoms, op)
	}
	probe, hasEmpty := c.probe(f, cl, atoms)
	if probe == nil {
		return never
	}
	if op == OpEq || op == OpIn {
		if hasEmpty {
			return func(is *Issue) bool { return probe(is) || empty(is) }
		}
		return probe
	}
	return func(is *Issue) bool { return !empty(is) && !probe(is) }
}

func (c *compiler) emptyPred(f *fieldDef) pred {
	switch {
	case f.kind == kProject || f.kind == kKey || f.kind == kWatchers:
		return never
	case f.str != nil:
		str := f.str
		return func(is *Issue) bool { return str(is) == "" }
	case f.vals != nil:
		vals := f.vals
		return func(is *Issue) bool { _, ok := vals(is, 0); return !ok }
	case f.text != nil:
		text := f.text
		return func(is *Issue) bool {
			for k := 0; ; k++ {
				s, ok := text(is, k)
				if !ok {
					return true
				}
				if strings.TrimSpace(s) != "" {
					return false
				}
			}
		}
	case f.user != nil:
		user := f.user
		return func(is *Issue) bool { return user(is) == nil }
	case f.date != nil:
		date := f.date
		return func(is *Issue) bool { _, ok := date(is); return !ok }
	case f.num != nil:
		num := f.num
		return func(is *Issue) bool { _, ok := num(is); return !ok }
	case f.sprints != nil:
		sprints := f.sprints
		return func(is *Issue) bool { return len(sprints(is)) == 0 }
	}
	return never
}

// listFuncs are the functions that return lists (the rest return one value).
var listFuncs = map[string]bool{
	"membersof": true, "opensprints": true, "closedsprints": true, "futuresprints": true,
	"standardissuetypes": true, "subtaskissuetypes": true, "watchedissues": true, "linkedissues": true,
	"issuehistory": true, "votedissues": true, "updatedby": true,
	"projectsleadbyuser": true, "projectswhereuserhaspermission": true, "projectswhereuserhasrole": true,
	"componentsleadbyuser": true, "releasedversions": true, "unreleasedversions": true, "cascadeoption": true,
}

// operatorUsage checks the operand's shape against the operator, as Jira's
// operator usage validator does before any field-specific check.
func (c *compiler) operatorUsage(f *fieldDef, op Op, o Operand) bool {
	isList, isEmpty := false, false
	switch x := o.(type) {
	case *List:
		isList = true
	case *Func:
		lname := strings.ToLower(x.Name)
		_, known := knownFuncs[lname]
		if !known && !unsupportedFuncs[lname] {
			return true // reported as an unknown function later
		}
		isList = listFuncs[lname]
	case *Empty:
		isEmpty = true
	}
	switch op {
	case OpIs, OpIsNot:
		if !isEmpty {
			c.errorf("Operator '%s' does not support searching for non-empty values for field '%s'.", op, f.name)
			return false
		}
	case OpIn, OpNotIn:
		if isEmpty {
			c.errorf("Operator '%s' does not support the empty value representation '%s' for field '%s'.", op, operandString(o), f.name)
			return false
		}
		if !isList {
			c.errorf("Operator '%s' does not support the non-list value '%s' for field '%s'.", op, operandString(o), f.name)
			return false
		}
	case OpLt, OpGt, OpLe, OpGe:
		if isEmpty {
			c.errorf("Operator '%s' does not support the empty value representation '%s' for field '%s'.", op, operandString(o), f.name)
			return false
		}
		fallthrough
	default:
		if isList {
			c.errorf("Operator '%s' does not support the list value '%s' for field '%s'.", op, operandString(o), f.name)
			return false
		}
	}
	return true
}

// knownFuncs are functions the sandbox implements, by the field kinds that
// accept them.
var knownFuncs = map[string]kind{
	"currentuser": kUser, "membersof": kUser,
	"opensprints": kSprint, "closedsprints": kSprint, "futuresprints": kSprint,
	"standardissuetypes": kIssueType, "subtaskissuetypes": kIssueType,
	"watchedissues": kKey, "linkedissues": kKey,
	"releasedversions": kVersion, "unreleasedversions": kVersion,
	"latestreleasedversion": kVersion, "earliestunreleasedversion": kVersion,
	"now": kDate, "startofday": kDate, "endofday": kDate, "startofweek": kDate, "endofweek": kDate,
	"startofmonth": kDate, "endofmonth": kDate, "startofyear": kDate, "endofyear": kDate,
}

// unsupportedFuncs are real Jira functions the sandbox does not implement.
var unsupportedFuncs = map[string]bool{
	"issuehistory": true, "votedissues": true, "updatedby": true,
	"projectsleadbyuser": true, "projectswhereuserhaspermission": true, "projectswhereuserhasrole": true,
	"componentsleadbyuser": true, "lastlogin": true,
	"currentlogin": true, "cascadeoption": true, "issuesWithRemoteLinksByGlobalId": true,
	"approved": true, "approver": true, "pending": true, "pendingby": true, "myapproval": true,
	"myapprovals": true, "breached": true, "completed": true, "elapsed": true, "remaining": true,
	"running": true, "paused": true, "withincalendarhours": true, "everbreached": true,
}

// checkFunc reports Jira's error when fn cannot serve field f; ok means the
// caller should evaluate it.
func (c *compiler) checkFunc(f *fieldDef, fn *Func) bool {
	lname := strings.ToLower(fn.Name)
	k, known := knownFuncs[lname]
	switch {
	case known && k == kVersion && c.env.Versions == nil, lname == "linkedissues" && c.env.LinksOf == nil:
		c.errorf("Function '%s' is not supported by the sandbox's JQL engine.", fn.Name)
	case known && (k == f.kind || k == kUser && f.kind == kWatcher):
		return true
	case known:
		c.errorf("A value provided by the function '%s' is invalid for the field '%s'.", fn.Name, f.name)
	case unsupportedFuncs[lname]:
		c.errorf("Function '%s' is not supported by the sandbox's JQL engine.", fn.Name)
	default:
		c.errorf("Unable to find JQL function '%s'.", fn.String())
	}
	return false
}

var statusCategories = []struct{ key, name, id string }{
	{"new", "To Do", "2"}, {"indeterminate", "In Progress", "4"}, {"done", "Done", "3"}, {"undefined", "No Category", "1"},
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// anyVal reports whether any value of the field equals (case-insensitively)
// one of want.
func anyVal(vals textSource, is *Issue, want []string) bool {
	for k := 0; ; k++ {
		v, ok := vals(is, k)
		if !ok {
			return false
		}
		for _, w := range want {
			if v == w || strings.EqualFold(v, w) {
				return true
			}
		}
	}
}

// probeInput is the values of an =, !=, IN or NOT IN clause on a field,
// sorted by shape for the per-kind probers.
type probeInput struct {
	f     *fieldDef
	cl    *Clause
	atoms []atom
	strs  []string // the literal values
	fns   []*Func  // the functions the field accepts
	// hasEmpty reports EMPTY among the values (a prober may add its own
	// spelling of it, like resolution's "unresolved").
	hasEmpty bool
}

// prober compiles a clause's values for one kind of field into a test
// "does the field hold one of them"; nil when no issue can match.
type prober func(c *compiler, in *probeInput) pred

// probers are the probers by field kind.
var probers = map[kind]prober{
	kProject:        (*compiler).probeProject,
	kKey:            (*compiler).probeIssueKey,
	kParent:         (*compiler).probeIssueKey,
	kIssueType:      (*compiler).probeNamed,
	kStatus:         (*compiler).probeNamed,
	kPriority:       (*compiler).probeNamed,
	kResolution:     (*compiler).probeNamed,
	kStatusCategory: (*compiler).probeStatusCategory,
	kUser:           (*compiler).probeUser,
	kWatcher:        (*compiler).probeUser,
	kStrings:        (*compiler).probeStrings,
	kVersion:        (*compiler).probeVersion,
	kLinkType:       (*compiler).probeLinkType,
	kDate:           (*compiler).probeDate,
	kNumber:         (*compiler).probeNumber,
	kWatchers:       (*compiler).probeNumber,
	kSprint:         (*compiler).probeSprint,
}

// probe compiles the values of an =, !=, IN or NOT IN clause into a test
// "does the field hold one of them"; hasEmpty reports EMPTY among them.
func (c *compiler) probe(f *fieldDef, cl *Clause, atoms []atom) (p pred, hasEmpty bool) {
	in := &probeInput{f: f, cl: cl, atoms: atoms}
	for _, a := range atoms {
		switch {
		case a.empty:
			in.hasEmpty = true
		case a.fn != nil:
			if c.checkFunc(f, a.fn) {
				in.fns = append(in.fns, a.fn)
			}
		default:
			in.strs = append(in.strs, a.text)
		}
	}
	pr, ok := probers[f.kind]
	if !ok {
		return nil, in.hasEmpty
	}
	p = pr(c, in)
	return p, in.hasEmpty
}

// probeProject matches projects by key, name or id, and records plain key
// lists for the index.
func (c *compiler) probeProject(in *probeInput) pred {
	env, f, cl, strs, fns := c.env, in.f, in.cl, in.strs, in.fns
	var keys []string
	for _, s := range strs {
		if len(env.Projects) == 0 {
			keys = append(keys, strings.ToUpper(s))
			continue
		}
		found := false
		for _, pr := range env.Projects {
			if strings.EqualFold(pr.Key, s) || strings.EqualFold(pr.Name, s) || pr.ID == s {
				keys, found = append(keys, pr.Key), true
				break
			}
		}
		if !found {
			c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
		}
	}
	if !in.hasEmpty && len(fns) == 0 && len(keys) > 0 && (cl.Op == OpEq || cl.Op == OpIn) {
		c.projKeys[cl] = keys
	}
	if len(env.Projects) > 0 && len(keys) == len(strs) {
		// Every value resolved to a key: compare keys only.
		return func(is *Issue) bool {
			for _, k := range keys {
				if is.ProjectKey == k || strings.EqualFold(is.ProjectKey, k) {
					return true
				}
			}
			return false
		}
	}
	strs = append(strs, keys...)
	return func(is *Issue) bool {
		for _, s := range strs {
			if strings.EqualFold(is.ProjectKey, s) || strings.EqualFold(is.ProjectName, s) || is.ProjectID == s {
				return true
			}
		}
		return false
	}
}

// probeIssueKey matches issue keys and ids (key) or the parent key (parent),
// with linkedIssues() and watchedIssues().
func (c *compiler) probeIssueKey(in *probeInput) pred {
	env, f, strs, fns := c.env, in.f, in.strs, in.fns
	var ids []int64
	var keys []string
	for _, s := range strs {
		if f.kind == kKey && isDigits(s) {
			n, _ := strconv.ParseInt(s, 10, 64)
			ids = append(ids, n)
			continue
		}
		if _, _, ok := splitKey(s); !ok {
			c.errorf("The issue key '%s' for field '%s' is invalid.", s, f.name)
			continue
		}
		if env.IssueExists != nil && !env.IssueExists(strings.ToUpper(s)) {
			c.errorf("An issue with key '%s' does not exist for field '%s'.", s, f.name)
			continue
		}
		keys = append(keys, s)
	}
	watched := ""
	for _, fn := range fns {
		if strings.EqualFold(fn.Name, "linkedIssues") {
			keys = append(keys, c.linkedIssues(fn)...)
			continue
		}
		// watchedIssues()
		if watched = env.CurrentUser; watched == "" {
			watched = "\x00"
		}
	}
	if f.kind == kParent {
		return func(is *Issue) bool { return is.Parent != "" && containsFold(keys, is.Parent) }
	}
	return func(is *Issue) bool {
		for _, id := range ids {
			if is.ID == id {
				return true
			}
		}
		if containsFold(keys, is.Key) {
			return true
		}
		if watched != "" {
			for _, w := range is.Watchers {
				if w == watched {
					return true
				}
			}
		}
		return false
	}
}

// probeNamed matches named values (issue type, status, priority, resolution)
// checked against the known ones; "unresolved" is EMPTY, and
// standardIssueTypes()/subTaskIssueTypes() match by sub-task flag.
func (c *compiler) probeNamed(in *probeInput) pred {
	f, atoms, strs, fns := in.f, in.atoms, in.strs, in.fns
	var names []string
	for _, s := range strs {
		if f.kind == kResolution && strings.EqualFold(s, "unresolved") {
			in.hasEmpty = true
			continue
		}
		if name, ok := f.ids[s]; ok && isDigits(s) && !containsFold(f.known, s) {
			s = name
		}
		if len(f.known) > 0 && !containsFold(f.known, s) {
			if !atomFor(atoms, s).quoted && isDigits(s) {
				c.errorf("A value with ID '%s' does not exist for the field '%s'.", s, f.name)
			} else {
				c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
			}
			continue
		}
		names = append(names, s)
	}
	std, sub := false, false
	for _, fn := range fns {
		if strings.EqualFold(fn.Name, "standardIssueTypes") {
			std = true
		} else {
			sub = true
		}
	}
	str := f.str
	if !std && !sub && len(names) == 1 {
		name := names[0]
		return func(is *Issue) bool { v := str(is); return v == name || strings.EqualFold(v, name) }
	}
	return func(is *Issue) bool {
		if std && !is.Subtask || sub && is.Subtask {
			return true
		}
		v := str(is)
		for _, n := range names {
			if v == n || strings.EqualFold(v, n) {
				return true
			}
		}
		return false
	}
}

// probeStatusCategory matches status categories by key, name or id.
func (c *compiler) probeStatusCategory(in *probeInput) pred {
	f, strs := in.f, in.strs
	var keys []string
	for _, s := range strs {
		found := false
		for _, sc := range statusCategories {
			if strings.EqualFold(s, sc.key) || strings.EqualFold(s, sc.name) || s == sc.id {
				keys, found = append(keys, sc.key), true
				break
			}
		}
		if !found {
			c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
		}
	}
	return func(is *Issue) bool { return containsFold(keys, is.StatusCategory) }
}

// probeUser matches users (and watchers) by account id, display name or
// email, with currentUser().
func (c *compiler) probeUser(in *probeInput) pred {
	env, f, strs, fns := c.env, in.f, in.strs, in.fns
	var accounts, loose []string
	for _, fn := range fns {
		if strings.EqualFold(fn.Name, "currentUser") {
			if len(fn.Args) != 0 {
				c.errorf("Function '%s' expected '0' arguments but received '%d'.", fn.Name, len(fn.Args))
			} else if env.CurrentUser != "" {
				accounts = append(accounts, env.CurrentUser)
			}
			continue
		}
		if len(fn.Args) != 1 {
			c.errorf("Function '%s' expected '1' arguments but received '%d'.", fn.Name, len(fn.Args))
		} else {
			c.errorf("Function '%s' can not generate a list of usernames for group '%s'; the group does not exist.", fn.Name, fn.Args[0])
		}
	}
	for _, s := range strs {
		if len(env.Users) == 0 {
			loose = append(loose, s)
			continue
		}
		found := false
		for _, u := range env.Users {
			if u.AccountID == s || strings.EqualFold(u.DisplayName, s) || u.Email != "" && strings.EqualFold(u.Email, s) {
				accounts, found = append(accounts, u.AccountID), true
			}
		}
		if !found {
			c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
		}
	}
	if f.kind == kWatcher {
		accounts = append(accounts, loose...)
		vals := f.vals
		return func(is *Issue) bool {
			for k := 0; ; k++ {
				v, ok := vals(is, k)
				if !ok {
					return false
				}
				for _, a := range accounts {
					if v == a {
						return true
					}
				}
			}
		}
	}
	user := f.user
	return func(is *Issue) bool {
		u := user(is)
		if u == nil {
			return false
		}
		for _, a := range accounts {
			if u.AccountID == a {
				return true
			}
		}
		for _, l := range loose {
			if u.AccountID == l || strings.EqualFold(u.DisplayName, l) || u.Email != "" && strings.EqualFold(u.Email, l) {
				return true
			}
		}
		return false
	}
}

// probeStrings matches any value of a multi-valued text field (labels,
// components).
func (c *compiler) probeStrings(in *probeInput) pred {
	f, strs, fns := in.f, in.strs, in.fns
	if len(fns) > 0 {
		return nil
	}
	vals := f.vals
	return func(is *Issue) bool { return anyVal(vals, is, strs) }
}

// probeVersion matches fix versions by name or through a version function.
func (c *compiler) probeVersion(in *probeInput) pred {
	env, f, strs, fns := c.env, in.f, in.strs, in.fns
	if env.Versions != nil {
		for _, s := range strs {
			found := false
			for _, v := range env.Versions {
				found = found || strings.EqualFold(v.Name, s)
			}
			if !found {
				c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
			}
		}
	}
	var fromFns []Version
	for _, fn := range fns {
		fromFns = append(fromFns, c.versions(fn)...)
	}
	return func(is *Issue) bool {
		for _, name := range is.FixVersions {
			for _, s := range strs {
				if name == s || strings.EqualFold(name, s) {
					return true
				}
			}
			for _, v := range fromFns {
				if strings.EqualFold(v.ProjectKey, is.ProjectKey) && strings.EqualFold(v.Name, name) {
					return true
				}
			}
		}
		return false
	}
}

// probeLinkType matches the phrase of any of the issue's links.
func (c *compiler) probeLinkType(in *probeInput) pred {
	strs := in.strs
	return func(is *Issue) bool {
		for _, l := range is.Links {
			if containsFold(strs, l.Phrase) {
				return true
			}
		}
		return false
	}
}

// probeDate matches dates that fall on one of the given dates.
func (c *compiler) probeDate(in *probeInput) pred {
	f, atoms := in.f, in.atoms
	dates := c.dates(f, atoms)
	date := f.date
	return func(is *Issue) bool {
		t, ok := date(is)
		if !ok {
			return false
		}
		for _, d := range dates {
			if d.eq(t) {
				return true
			}
		}
		return false
	}
}

// probeNumber matches numbers (and the watcher count).
func (c *compiler) probeNumber(in *probeInput) pred {
	f, strs := in.f, in.strs
	var nums []float64
	for _, s := range strs {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			c.errorf("The value '%s' for field '%s' is invalid - please specify a number.", s, f.name)
			continue
		}
		nums = append(nums, n)
	}
	num := f.num
	return func(is *Issue) bool {
		v, ok := num(is)
		if !ok {
			return false
		}
		for _, n := range nums {
			if v == n {
				return true
			}
		}
		return false
	}
}

// probeSprint matches sprints by id, name or state (openSprints() and the
// like).
func (c *compiler) probeSprint(in *probeInput) pred {
	env, f, atoms, strs, fns := c.env, in.f, in.atoms, in.strs, in.fns
	var sids []int
	var names, states []string
	for _, fn := range fns {
		if len(fn.Args) != 0 {
			c.errorf("Function '%s' expected '0' arguments but received '%d'.", fn.Name, len(fn.Args))
		}
		switch strings.ToLower(fn.Name) {
		case "opensprints":
			states = append(states, "active")
		case "closedsprints":
			states = append(states, "closed")
		case "futuresprints":
			states = append(states, "future")
		}
	}
	for _, s := range strs {
		if n, err := strconv.Atoi(s); err == nil && !atomFor(atoms, s).quoted {
			if len(env.Sprints) > 0 && !sprintKnown(env.Sprints, n, "") {
				c.errorf("A value with ID '%s' does not exist for the field '%s'.", s, f.name)
			}
			sids = append(sids, n)
			continue
		}
		if len(env.Sprints) > 0 && !sprintKnown(env.Sprints, 0, s) {
			c.errorf("The value '%s' does not exist for the field '%s'.", s, f.name)
		}
		names = append(names, s)
	}
	sprints := f.sprints
	return func(is *Issue) bool {
		for _, sp := range sprints(is) {
			for _, id := range sids {
				if sp.ID == id {
					return true
				}
			}
			if containsFold(names, sp.Name) || containsFold(states, sp.State) {
				return true
			}
		}
		return false
	}
}

// linkedIssues resolves linkedIssues(key[, link phrase]) to keys.
func (c *compiler) linkedIssues(fn *Func) []string {
	if len(fn.Args) < 1 || len(fn.Args) > 2 {
		c.errorf("Function '%s' expected between '1' and '2' arguments but received '%d'.", fn.Name, len(fn.Args))
		return nil
	}
	key := fn.Args[0]
	if _, _, ok := splitKey(key); !ok || c.env.IssueExists != nil && !c.env.IssueExists(strings.ToUpper(key)) {
		c.errorf("Issue '%s' could not be found in function '%s'.", key, fn.Name)
		return nil
	}
	var out []string
	for _, l := range c.env.LinksOf(strings.ToUpper(key)) {
		if len(fn.Args) == 2 && !strings.EqualFold(l.Phrase, fn.Args[1]) {
			continue
		}
		out = append(out, l.Key)
	}
	return out
}

// versions resolves a version function to the versions it names.
func (c *compiler) versions(fn *Func) []Version {
	lname := strings.ToLower(fn.Name)
	single := lname == "latestreleasedversion" || lname == "earliestunreleasedversion"
	if single && len(fn.Args) != 1 {
		c.errorf("Function '%s' expected '1' arguments but received '%d'.", fn.Name, len(fn.Args))
		return nil
	}
	for _, p := range fn.Args {
		found := len(c.env.Projects) == 0
		for _, pr := range c.env.Projects {
			found = found || strings.EqualFold(pr.Key, p) || strings.EqualFold(pr.Name, p) || pr.ID == p
		}
		if !found {
			c.errorf("Could not resolve the project '%s' provided to function '%s'.", p, fn.Name)
			return nil
		}
	}
	inProjects := func(v Version) bool {
		if len(fn.Args) == 0 {
			return true
		}
		for _, p := range fn.Args {
			for _, pr := range c.env.Projects {
				if (strings.EqualFold(pr.Key, p) || strings.EqualFold(pr.Name, p) || pr.ID == p) && strings.EqualFold(pr.Key, v.ProjectKey) {
					return true
				}
			}
			if strings.EqualFold(p, v.ProjectKey) {
				return true
			}
		}
		return false
	}
	wantReleased := lname == "releasedversions" || lname == "latestreleasedversion"
	var out []Version
	for _, v := range c.env.Versions {
		if v.Released == wantReleased && inProjects(v) {
			out = append(out, v)
		}
	}
	if !single || len(out) == 0 {
		return out
	}
	// latest released: the newest release date; earliest unreleased: the
	// soonest one (undated versions last), first listed on ties.
	best := out[0]
	for _, v := range out[1:] {
		switch {
		case wantReleased && v.ReleaseDate.After(best.ReleaseDate):
			best = v
		case !wantReleased && !v.ReleaseDate.IsZero() && (best.ReleaseDate.IsZero() || v.ReleaseDate.Before(best.ReleaseDate)):
			best = v
		}
	}
	return []Version{best}
}

func sprintKnown(list []Sprint, id int, name string) bool {
	for _, s := range list {
		if id != 0 && s.ID == id || name != "" && strings.EqualFold(s.Name, name) {
			return true
		}
	}
	return false
}

// atomFor finds the atom holding text s.
func atomFor(atoms []atom, s string) atom {
	for _, x := range atoms {
		if x.fn == nil && !x.empty && x.text == s {
			return x
		}
	}
	return atom{}
}

// splitKey splits "ENG-12" into its project key and number.
func splitKey(s string) (string, int64, bool) {
	i := strings.LastIndexByte(s, '-')
	if i <= 0 || i == len(s)-1 || !isDigits(s[i+1:]) {
		return "", 0, false
	}
	for j := 0; j < i; j++ {
		ch := s[j]
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '_') {
			return "", 0, false
		}
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return s[:i], n, true
}

// dates resolves date operands (literals and functions).
func (c *compiler) dates(f *fieldDef, atoms []atom) []dateVal {
	var out []dateVal
	for _, a := range atoms {
		switch {
		case a.empty:
		case a.fn != nil:
			if !c.checkFunc(f, a.fn) {
				continue
			}
			t, msg := evalDateFunc(a.fn, c.now, c.loc)
			if msg != "" {
				c.errorf("%s", msg)
				continue
			}
			out = append(out, dateVal{at: t, end: t})
		default:
			d, ok := parseDate(a.text, c.now, c.loc)
			if !ok {
				c.errorf("Date value '%s' for field '%s' is invalid. %s", a.text, f.name, dateFormats)
				continue
			}
			out = append(out, d)
		}
	}
	return out
}

// relational compiles <, >, <= and >=.
func (c *compiler) relational(f *fieldDef, atoms []atom, op Op) pred {
	if len(atoms) != 1 || atoms[0].empty {
		return never // operatorUsage has reported it
	}
	at := atoms[0]
	if at.fn != nil && f.kind != kDate {
		c.checkFunc(f, at.fn)
		return never
	}
	test := func(d int) bool {
		switch op {
		case OpLt:
			return d < 0
		case OpLe:
			return d <= 0
		case OpGt:
			return d > 0
		}
		return d >= 0
	}
	switch f.kind {
	case kDate:
		ds := c.dates(f, atoms)
		if len(ds) != 1 {
			return never
		}
		bound, date := ds[0].at, f.date
		return func(is *Issue) bool {
			t, ok := date(is)
			return ok && test(t.Compare(bound))
		}
	case kNumber, kWatchers:
		n, err := strconv.ParseFloat(at.text, 64)
		if err != nil {
			c.errorf("The value '%s' for field '%s' is invalid - please specify a number.", at.text, f.name)
			return never
		}
		num := f.num
		return func(is *Issue) bool {
			v, ok := num(is)
			return ok && test(cmpFloat(v, n))
		}
	case kPriority:
		prios := c.priorities()
		r := rankOf(prios, at.text)
		if r == 0 {
			c.errorf("The value '%s' does not exist for the field '%s'.", at.text, f.name)
			return never
		}
		return func(is *Issue) bool {
			ir := rankOf(prios, is.Priority)
			return ir != 0 && test(ir-r)
		}
	case kKey:
		if isDigits(at.text) {
			id, _ := strconv.ParseInt(at.text, 10, 64)
			return func(is *Issue) bool { return test(cmpInt(is.ID, id)) }
		}
		proj, n, ok := splitKey(at.text)
		if !ok {
			c.errorf("The issue key '%s' for field '%s' is invalid.", at.text, f.name)
			return never
		}
		return func(is *Issue) bool {
			p, m, ok := splitKey(is.Key)
			return ok && strings.EqualFold(p, proj) && test(cmpInt(m, n))
		}
	}
	return never
}

// defaultPriorities rank priorities when the site lists none.
var defaultPriorities = []string{"Highest", "High", "Medium", "Low", "Lowest"}

func (c *compiler) priorities() []string {
	if len(c.env.Priorities) > 0 {
		return c.env.Priorities
	}
	return defaultPriorities
}

// rankOf is a priority's rank: highest priority ranks highest; 0 = unknown.
func rankOf(prios []string, name string) int {
	for i, p := range prios {
		if p == name {
			return len(prios) - i
		}
	}
	for i, p := range prios {
		if strings.EqualFold(p, name) {
			return len(prios) - i
		}
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// like compiles ~ and !~.
func (c *compiler) like(f *fieldDef, cl *Clause, atoms []atom, positive bool, empty pred) pred {
	if len(atoms) != 1 {
		return never
	}
	at := atoms[0]
	switch {
	case at.empty:
		if f.kind == kTextAll {
			c.errorf("The field '%s' does not support searching for EMPTY values.", f.name)
			return never
		}
		if positive {
			return empty
		}
		return func(is *Issue) bool { return !empty(is) }
	case at.fn != nil:
		c.checkFunc(f, at.fn)
		return never
	}
	tq, msg := compileText(at.text, f.name)
	if msg != "" {
		c.errorf("%s", msg)
		return never
	}
	src := f.text
	if positive {
		return func(is *Issue) bool { return tq.match(is, src) }
	}
	return func(is *Issue) bool { return !empty(is) && !tq.match(is, src) }
}
