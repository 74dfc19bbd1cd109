package schema

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// MaxChoices caps how many valid choices a LookupError lists.
const MaxChoices = 20

// LookupError reports a name that the snapshot does not know, with the
// choices that would work, so a tool error can tell an LLM how to fix its call.
type LookupError struct {
	// What is the kind of thing looked up: "project", "issue type", ...
	What  string
	Value string
	// Scope narrows where it was looked up, e.g. "in project ENG".
	Scope string
	// Valid lists up to MaxChoices valid choices; More counts the rest.
	Valid []string
	More  int
	// Ambiguous is set when Value matched several things (listed in Valid).
	Ambiguous bool
	// Suggest is the one choice close enough to Value to be what was meant
	// (see Closest), or "".
	Suggest string
}

// Error says what was not found or was ambiguous, suggests the closest
// choice when there is one, and lists the valid choices (capped, with a
// count of the rest), so an LLM can correct its call from the text alone.
func (e *LookupError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		fmt.Fprintf(&b, "%s %q is ambiguous", e.What, e.Value)
	} else {
		fmt.Fprintf(&b, "unknown %s %q", e.What, e.Value)
	}
	if e.Scope != "" {
		b.WriteString(" " + e.Scope)
	}
	valid := "; valid: "
	if e.Suggest != "" && !e.Ambiguous {
		fmt.Fprintf(&b, "; did you mean %q?", e.Suggest)
		valid = " Valid: "
	}
	switch {
	case len(e.Valid) == 0:
		b.WriteString(" (none are available)")
	case e.Ambiguous:
		b.WriteString("; it matches: " + strings.Join(e.Valid, ", "))
	default:
		b.WriteString(valid + strings.Join(e.Valid, ", "))
	}
	if e.More > 0 {
		fmt.Fprintf(&b, " (and %d more)", e.More)
	}
	return b.String()
}

func lookupError(what, value, scope string, valid []string) *LookupError {
	e := &LookupError{What: what, Value: value, Scope: scope, Valid: valid}
	if what != "field" { // fields are listed as "Name (id)"; SimilarFields serves them
		e.Suggest = Closest(value, valid)
	}
	if len(valid) > MaxChoices {
		e.Valid, e.More = valid[:MaxChoices:MaxChoices], len(valid)-MaxChoices
	}
	return e
}

// norm folds a name for case- and space-insensitive comparison.
func norm(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// index holds the snapshot's lookup maps, built once on first use.
type index struct {
	projects   map[string]*Project   // by folded key and folded name
	fields     map[string][]*Field   // by id and folded name (names may repeat)
	priorities map[string]*Priority  // by folded name and id
	spaces     map[string]*Space     // by folded key
	linkTypes  map[string]linkPhrase // by folded name, inward and outward phrase
}

type linkPhrase struct {
	lt     *LinkType
	inward bool
}

func (s *Snapshot) index() *index {
	s.indexOnce.Do(func() {
		x := &index{
			projects:   map[string]*Project{},
			fields:     map[string][]*Field{},
			priorities: map[string]*Priority{},
			spaces:     map[string]*Space{},
			linkTypes:  map[string]linkPhrase{},
		}
		if j := s.Jira; j != nil {
			for _, p := range j.Projects {
				x.projects[norm(p.Key)] = p
			}
			for _, p := range j.Projects { // keys win over names
				if _, taken := x.projects[norm(p.Name)]; !taken {
					x.projects[norm(p.Name)] = p
				}
			}
			for _, f := range j.Fields {
				x.fields[f.ID] = append(x.fields[f.ID], f)
				if n := norm(f.Name); n != f.ID {
					x.fields[n] = append(x.fields[n], f)
				}
			}
			for _, p := range j.Priorities {
				x.priorities[norm(p.Name)] = p
				x.priorities[p.ID] = p
			}
			for _, lt := range j.LinkTypes {
				x.linkTypes[norm(lt.Name)] = linkPhrase{lt: lt}
				x.linkTypes[norm(lt.Outward)] = linkPhrase{lt: lt}
				if _, taken := x.linkTypes[norm(lt.Inward)]; !taken {
					x.linkTypes[norm(lt.Inward)] = linkPhrase{lt: lt, inward: true}
				}
			}
		}
		if c := s.Confluence; c != nil {
			for _, sp := range c.Spaces {
				x.spaces[norm(sp.Key)] = sp
			}
		}
		s.idx = x
	})
	return s.idx
}

// ProjectKeys lists the project keys as "KEY" strings, in snapshot order.
func (s *Snapshot) ProjectKeys() []string {
	if s == nil || s.Jira == nil {
		return nil
	}
	keys := make([]string, len(s.Jira.Projects))
	for i, p := range s.Jira.Projects {
		keys[i] = p.Key
	}
	return keys
}

// Project finds a project by key, case-insensitively, or else by its exact
// (case-insensitive) name.
func (s *Snapshot) Project(keyOrName string) (*Project, error) {
	if s != nil && s.Jira != nil {
		if p, ok := s.index().projects[norm(keyOrName)]; ok {
			return p, nil
		}
	}
	return nil, lookupError("project", keyOrName, "", s.ProjectKeys())
}

// IssueType finds one of the project's issue types by name
// (case-insensitive) or id.
func (p *Project) IssueType(nameOrID string) (*IssueType, error) {
	n := norm(nameOrID)
	names := make([]string, 0, len(p.IssueTypes))
	for _, t := range p.IssueTypes {
		if norm(t.Name) == n || t.ID == nameOrID {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return nil, lookupError("issue type", nameOrID, "in project "+p.Key, names)
}

// Priority finds a priority by name (case-insensitive) or id. With a project
// whose priority scheme differs from the site's, only its priorities match.
func (s *Snapshot) Priority(p *Project, nameOrID string) (*Priority, error) {
	var valid []string
	if s != nil && s.Jira != nil {
		pr, ok := s.index().priorities[norm(nameOrID)]
		if !ok {
			pr, ok = s.index().priorities[nameOrID]
		}
		if p != nil && len(p.Priorities) > 0 {
			if ok && slices.ContainsFunc(p.Priorities, func(n string) bool { return norm(n) == norm(pr.Name) }) {
				return pr, nil
			}
			return nil, prioritySuggest(lookupError("priority", nameOrID, "in project "+p.Key, p.Priorities), p.Priorities)
		}
		if ok {
			return pr, nil
		}
		for _, pr := range s.Jira.Priorities {
			valid = append(valid, pr.Name)
		}
	}
	return nil, prioritySuggest(lookupError("priority", nameOrID, "", valid), valid)
}

// priorityConventions maps priority names other trackers and habits use
// ("P1", "Critical") to the names of Jira's default scheme they mean, the
// most likely first.
var priorityConventions = map[string][]string{
	"p0": {"Highest"}, "p1": {"Highest"}, "blocker": {"Highest"}, "critical": {"Highest"}, "urgent": {"Highest"},
	"showstopper": {"Highest"}, "sev1": {"Highest"}, "p2": {"High"}, "major": {"High"}, "important": {"High"},
	"p3": {"Medium"}, "normal": {"Medium"}, "moderate": {"Medium"}, "sev3": {"Medium"}, "sev2": {"High"},
	"p4": {"Low"}, "minor": {"Low"}, "sev4": {"Low"}, "p5": {"Lowest"}, "trivial": {"Lowest"},
}

// prioritySuggest fills e.Suggest from priorityConventions when nothing
// spelt alike was found and the conventional name is one of valid.
func prioritySuggest(e *LookupError, valid []string) *LookupError {
	if e.Suggest != "" {
		return e
	}
	key := strings.ReplaceAll(strings.ReplaceAll(norm(e.Value), " ", ""), "-", "")
	for _, want := range priorityConventions[key] {
		if i := slices.IndexFunc(valid, func(v string) bool { return norm(v) == norm(want) }); i >= 0 {
			e.Suggest = valid[i]
			return e
		}
	}
	return e
}

// Field finds a field by id ("customfield_10016", "summary"), by the JQL
// form "cf[10016]", or by display name (case-insensitive). A display name
// shared by several fields is an ambiguous LookupError listing their ids.
func (s *Snapshot) Field(idOrName string) (*Field, error) {
	if s == nil || s.Jira == nil {
		return nil, lookupError("field", idOrName, "", nil)
	}
	key := idOrName
	if strings.HasPrefix(strings.ToLower(key), "cf[") && strings.HasSuffix(key, "]") {
		key = "customfield_" + key[3:len(key)-1]
	}
	x := s.index()
	found := x.fields[key]
	if len(found) == 0 {
		found = x.fields[norm(key)]
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var names []string
		for _, f := range s.Jira.Fields {
			if f.Custom {
				names = append(names, fmt.Sprintf("%s (%s)", f.Name, f.ID))
			}
		}
		return nil, lookupError("field", idOrName, "", names)
	default:
		ids := make([]string, len(found))
		for i, f := range found {
			ids[i] = fmt.Sprintf("%s (%s)", f.Name, f.ID)
		}
		e := lookupError("field", idOrName, "", ids)
		e.Ambiguous = true
		return nil, e
	}
}

// CustomFields returns the site's custom fields in snapshot order.
func (s *Snapshot) CustomFields() []*Field {
	if s == nil || s.Jira == nil {
		return nil
	}
	var out []*Field
	for _, f := range s.Jira.Fields {
		if f.Custom {
			out = append(out, f)
		}
	}
	return out
}

// RequiredFields lists the fields a create of this issue type must set that
// have no default, leaving out project and issue type (always given).
func (t *IssueType) RequiredFields() []*FieldMeta {
	var out []*FieldMeta
	for _, f := range t.Fields {
		if f.Required && !f.HasDefault && f.ID != "project" && f.ID != "issuetype" {
			out = append(out, f)
		}
	}
	return out
}

// StatusNames lists every workflow status name of the site, deduplicated
// case-insensitively and sorted, independent of any transition.
func (s *Snapshot) StatusNames() []string {
	if s == nil || s.Jira == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range s.Jira.Projects {
		for _, t := range p.IssueTypes {
			for _, st := range t.Statuses {
				if n := norm(st.Name); !seen[n] {
					seen[n] = true
					out = append(out, st.Name)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// LinkType finds a link type by its name ("Blocks") or one of its phrases
// ("blocks", "is blocked by"), case-insensitively. inward reports that the
// phrase is the type's inward phrase: "A is blocked by B" means B blocks A.
func (s *Snapshot) LinkType(nameOrPhrase string) (lt *LinkType, inward bool, err error) {
	if s != nil && s.Jira != nil {
		if m, ok := s.index().linkTypes[norm(nameOrPhrase)]; ok {
			return m.lt, m.inward, nil
		}
	}
	var valid []string
	if s != nil && s.Jira != nil {
		for _, lt := range s.Jira.LinkTypes {
			valid = append(valid, lt.Outward, lt.Inward)
		}
	}
	return nil, false, lookupError("link type", nameOrPhrase, "", valid)
}

// Space finds a Confluence space by key, case-insensitively.
func (s *Snapshot) Space(key string) (*Space, error) {
	var valid []string
	if s != nil && s.Confluence != nil {
		if sp, ok := s.index().spaces[norm(key)]; ok {
			return sp, nil
		}
		for _, sp := range s.Confluence.Spaces {
			valid = append(valid, sp.Key)
		}
	}
	e := lookupError("space", key, "", valid)
	if s != nil && s.Confluence != nil {
		names := make([]string, len(s.Confluence.Spaces))
		for i, sp := range s.Confluence.Spaces {
			names[i] = sp.Name
		}
		// A space's name where its key belongs is the common mistake.
		n := Closest(key, names)
		if i := slices.IndexFunc(names, func(n string) bool { return norm(n) == norm(key) }); i >= 0 {
			n = names[i]
		}
		if n != "" && e.Suggest == "" {
			e.Suggest = s.Confluence.Spaces[slices.Index(names, n)].Key
		}
	}
	return nil, e
}

// RankProjects returns the projects in the order agents most likely mean
// them: most issues first, then the most recently updated, then by key.
// Discovery reads the top ones' statuses and create fields up front, and
// tool descriptions list them in this order.
//
// The sort is an unstable one with the given order as the last key: the
// same order as a stable sort, without its O(n log² n) merging (tool
// descriptions rank a 500-project site several times while a stdio server
// starts; issue 12).
func RankProjects(ps []*Project) []*Project {
	type ranked struct {
		p  *Project
		at int
	}
	order := make([]ranked, len(ps))
	for i, p := range ps {
		order[i] = ranked{p, i}
	}
	slices.SortFunc(order, func(a, b ranked) int {
		if c := cmp.Compare(b.p.IssueCount, a.p.IssueCount); c != 0 {
			return c
		}
		if c := b.p.LastIssueUpdate.Compare(a.p.LastIssueUpdate); c != 0 {
			return c
		}
		if c := cmp.Compare(a.p.Key, b.p.Key); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	out := make([]*Project, len(ps))
	for i, r := range order {
		out[i] = r.p
	}
	return out
}
