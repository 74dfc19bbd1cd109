package mcp

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Description budgets. All eight descriptions together stay under about
// 12 KB however large the site: lists are ranked, capped, and end with
// "and N more" plus how to find the rest.
const (
	maxProjects     = 15
	maxIssueTypes   = 12
	maxStatuses     = 20
	maxCustomFields = 20
	maxSpaces       = 15
	maxLinkTypes    = 10
	// maxListChars caps one rendered list line.
	maxListChars = 700
)

// capped joins up to max items and says how many more there are; it also
// stops early when the line would pass maxListChars.
func capped(items []string, max int, moreHint string) string {
	var b strings.Builder
	n := 0
	for _, it := range items {
		if n == max || b.Len()+len(it) > maxListChars {
			break
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it)
		n++
	}
	if rest := len(items) - n; rest > 0 {
		fmt.Fprintf(&b, " (and %d more", rest)
		if moreHint != "" {
			b.WriteString("; " + moreHint)
		}
		b.WriteString(")")
	}
	return b.String()
}

// rankedProjects orders projects by issue count, then recent activity,
// then key (schema.RankProjects), so the projects agents most likely mean
// come first.
func rankedProjects(s *schema.Snapshot) []*schema.Project {
	if s == nil || s.Jira == nil {
		return nil
	}
	return schema.RankProjects(s.Jira.Projects)
}

// projectsLine lists "KEY - Name" for the top projects.
func projectsLine(s *schema.Snapshot) string {
	ps := rankedProjects(s)
	items := make([]string, len(ps))
	for i, p := range ps {
		items[i] = p.Key + " - " + p.Name
	}
	return capped(items, maxProjects, "JQL reaches every project by key")
}

// issueTypesLine lists the site's issue type names, most widely used first.
// A type that only a few projects have, or that only a few lack, says so:
// "Incident (OPS only)", "Bug (not MKT)", so an agent picks a type its
// project has.
func issueTypesLine(s *schema.Snapshot) string {
	counts := map[string]int{}
	in := map[string][]string{} // type name -> keys of the projects having it
	var names []string
	projects := rankedProjects(s)
	for _, p := range projects {
		for _, t := range p.IssueTypes {
			if counts[t.Name] == 0 {
				names = append(names, t.Name)
			}
			counts[t.Name]++
			in[t.Name] = append(in[t.Name], p.Key)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(counts[b], counts[a]) })
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = n + projectsNote(in[n], projects)
	}
	return capped(items, maxIssueTypes, "")
}

// maxNotedProjects is how many project keys a per-project note names.
const maxNotedProjects = 3

// projectsNote is " (OPS only)" when only a few of projects are in keys,
// " (not MKT)" when only a few are not, else "" (all of them, or too many
// either way to name).
func projectsNote(keys []string, projects []*schema.Project) string {
	switch {
	case len(keys) == len(projects):
		return ""
	case len(keys) <= maxNotedProjects:
		return " (" + strings.Join(keys, ", ") + " only)"
	case len(projects)-len(keys) <= maxNotedProjects:
		var not []string
		for _, p := range projects {
			if !slices.Contains(keys, p.Key) {
				not = append(not, p.Key)
			}
		}
		return " (not " + strings.Join(not, ", ") + ")"
	}
	return ""
}

// statusesLine lists status names grouped by category ("To Do: Open,
// Backlog; In Progress: ..."), each name once, most used projects first.
func statusesLine(s *schema.Snapshot) string {
	seen := map[string]bool{}
	groups := map[string][]string{}
	var order []string
	n := 0
	for _, p := range rankedProjects(s) {
		for _, t := range p.IssueTypes {
			for _, st := range t.Statuses {
				key := strings.ToLower(st.Name)
				if seen[key] {
					continue
				}
				seen[key] = true
				n++
				cat := categoryName(st.Category)
				if groups[cat] == nil {
					order = append(order, cat)
				}
				groups[cat] = append(groups[cat], st.Name)
			}
		}
	}
	rank := map[string]int{"To Do": 1, "In Progress": 2, "Done": 3}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(cmp.Or(rank[a], 4), cmp.Or(rank[b], 4)) })
	var b strings.Builder
	shown := 0
	for _, cat := range order {
		if shown == maxStatuses || b.Len() >= maxListChars {
			break
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(cat + ": ")
		for i, name := range groups[cat] {
			if shown == maxStatuses || b.Len()+len(name) > maxListChars {
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name)
			shown++
		}
	}
	if rest := n - shown; rest > 0 {
		fmt.Fprintf(&b, " (and %d more; statusCategory = \"To Do\" | \"In Progress\" | \"Done\" matches any)", rest)
	}
	return b.String()
}

// categoryName is the display name of a status category key.
func categoryName(key string) string {
	switch key {
	case "new":
		return "To Do"
	case "indeterminate":
		return "In Progress"
	case "done":
		return "Done"
	}
	return key
}

// prioritiesLine lists the site's priorities in scheme order.
func prioritiesLine(s *schema.Snapshot) string {
	if s == nil || s.Jira == nil {
		return ""
	}
	names := make([]string, len(s.Jira.Priorities))
	for i, p := range s.Jira.Priorities {
		names[i] = p.Name
	}
	line := capped(names, 10, "")
	// Projects with a priority scheme of their own, grouped by scheme:
	// "; MKT: only High, Medium, Low".
	var schemes []string
	byScheme := map[string][]string{}
	for _, p := range rankedProjects(s) {
		if len(p.Priorities) == 0 || slices.Equal(p.Priorities, names) {
			continue
		}
		k := strings.Join(p.Priorities, ", ")
		if byScheme[k] == nil {
			schemes = append(schemes, k)
		}
		byScheme[k] = append(byScheme[k], p.Key)
	}
	for i, k := range schemes {
		if i == maxNotedProjects {
			line += fmt.Sprintf("; %d more projects have their own (errors list a project's)", len(schemes)-i)
			break
		}
		keys := byScheme[k]
		if len(keys) > maxNotedProjects {
			keys = append(keys[:maxNotedProjects:maxNotedProjects], fmt.Sprintf("+%d", len(byScheme[k])-maxNotedProjects))
		}
		line += "; " + strings.Join(keys, ", ") + ": only " + capped(strings.Split(k, ", "), 10, "")
	}
	return line
}

// rankedCustomFields orders custom fields by how many create screens of the
// top projects use them, so fields in use come before the long tail.
//
// The counts are looked up once per field, not twice per comparison, and
// the sort is an unstable one with the snapshot's order as the last key
// (the same order as a stable sort, without its O(n log² n) merging): with
// 2,000 custom fields this ranking was 6% of a stdio server's CPU to its
// first tools/list (issue 12).
func rankedCustomFields(s *schema.Snapshot) []*schema.Field {
	fields := s.CustomFields()
	use := customFieldUse(s)
	type ranked struct {
		uses, at int
		field    *schema.Field
	}
	order := make([]ranked, len(fields))
	for i, f := range fields {
		order[i] = ranked{use[f.ID], i, f}
	}
	slices.SortFunc(order, func(a, b ranked) int {
		if c := cmp.Compare(b.uses, a.uses); c != 0 {
			return c
		}
		if c := cmp.Compare(a.field.Name, b.field.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	for i, r := range order {
		fields[i] = r.field
	}
	return fields
}

// customFieldUse counts the create screens of the top projects that show
// each custom field, by field id: rankedCustomFields's order. A sum needs
// no ranking: the projects are read in the snapshot's order.
func customFieldUse(s *schema.Snapshot) map[string]int {
	use := map[string]int{}
	if s == nil || s.Jira == nil {
		return use
	}
	for _, p := range s.Jira.Projects {
		for _, t := range p.IssueTypes {
			for _, f := range t.Fields {
				use[f.ID]++
			}
		}
	}
	return use
}

// customFieldsLabel introduces customFieldsLine once: the numbers are the
// N of the field id customfield_N (cf[N] in JQL).
const customFieldsLabel = "Custom fields, name (N, type), id customfield_N, cf[N] in JQL"

// customFieldsLine lists "Name (N, type)" for the top custom fields, N
// being the number of the id customfield_N; other ids print whole.
func customFieldsLine(s *schema.Snapshot) string {
	fields := rankedCustomFields(s)
	items := make([]string, len(fields))
	for i, f := range fields {
		typ := f.Type
		if f.Items != "" {
			typ += " of " + f.Items
		}
		items[i] = f.Name + " (" + strings.TrimPrefix(f.ID, "customfield_") + ", " + typ + ")"
	}
	return capped(items, maxCustomFields, "any field id or display name works")
}

// linkTypesLine lists link phrases: "blocks / is blocked by".
func linkTypesLine(s *schema.Snapshot) string {
	if s == nil || s.Jira == nil {
		return ""
	}
	items := make([]string, len(s.Jira.LinkTypes))
	for i, lt := range s.Jira.LinkTypes {
		items[i] = strconv.Quote(lt.Outward)
		if lt.Inward != lt.Outward {
			items[i] += " / " + strconv.Quote(lt.Inward)
		}
	}
	return capped(items, maxLinkTypes, "")
}

// spacesLine lists "KEY - Name" for the spaces.
func spacesLine(s *schema.Snapshot) string {
	if s == nil || s.Confluence == nil {
		return ""
	}
	items := make([]string, len(s.Confluence.Spaces))
	for i, sp := range s.Confluence.Spaces {
		items[i] = sp.Key + " - " + sp.Name
	}
	hint := "CQL reaches every space by key"
	line := capped(items, maxSpaces, hint)
	if s.Confluence.MoreSpaces && len(items) <= maxSpaces {
		line += " (the site has more spaces; " + hint + ")"
	}
	return line
}

// firstProjectKey is a real key for examples, or a placeholder.
func firstProjectKey(s *schema.Snapshot) string {
	if ps := rankedProjects(s); len(ps) > 0 {
		return ps[0].Key
	}
	return "PROJ"
}

// firstSpaceKey is a real space key for examples, or a placeholder.
func firstSpaceKey(s *schema.Snapshot) string {
	if s != nil && s.Confluence != nil && len(s.Confluence.Spaces) > 0 {
		return s.Confluence.Spaces[0].Key
	}
	return "SPACE"
}

// section appends "label: value" lines for non-empty values.
type section struct{ b strings.Builder }

func (s *section) line(format string, args ...any) {
	s.b.WriteString(fmt.Sprintf(format, args...))
	s.b.WriteByte('\n')
}

func (s *section) field(label, value string) {
	if value != "" {
		s.line("%s: %s", label, value)
	}
}

func (s *section) String() string { return strings.TrimRight(s.b.String(), "\n") }
