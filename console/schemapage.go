package console

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// schemaView is the schema browser of one connection, narrowed by the
// search box and the fields filter.
type schemaView struct {
	Connections []string
	Connection  string
	Snapshot    *schema.Snapshot
	Query       string
	// Matches counts what the search found (when Query is set).
	Matches int

	Projects   []*schema.Project
	Types      []projectTypes
	Statuses   []typeStatuses
	Fields     []*schema.Field
	FieldQuery string
	Sort, Dir  string
	SortLinks  map[string]string
	Priorities []*schema.Priority
	LinkTypes  []*schema.LinkType
	Spaces     []*schema.Space
	MoreSpaces bool
}

type projectTypes struct {
	Project *schema.Project
	Types   []*schema.IssueType
}

type typeStatuses struct {
	Project *schema.Project
	Type    *schema.IssueType
}

// match reports whether any of the texts contains the query q (already
// lower case); an empty query matches everything.
func match(q string, texts ...string) bool {
	if q == "" {
		return true
	}
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), q) {
			return true
		}
	}
	return false
}

// pickConnection returns the connection the request names, or the first.
func (c *Console) pickConnection(r *http.Request) ([]string, string, error) {
	conns, err := c.opts.Backend.Connections()
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, conn := range conns {
		names = append(names, conn.Name)
	}
	want := r.URL.Query().Get("connection")
	if want != "" && slices.Contains(names, want) {
		return names, want, nil
	}
	if len(names) > 0 {
		return names, names[0], nil
	}
	return names, "", nil
}

func (c *Console) schemaPage(w http.ResponseWriter, r *http.Request) {
	names, name, err := c.pickConnection(r)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The connections could not be read: "+err.Error())
		return
	}
	qs := r.URL.Query()
	v := &schemaView{Connections: names, Connection: name, Query: strings.TrimSpace(qs.Get("q")),
		FieldQuery: strings.TrimSpace(qs.Get("fq")), Sort: qs.Get("sort"), Dir: qs.Get("dir")}
	if len(v.Query) > 200 || len(v.FieldQuery) > 200 {
		c.fail(w, r, http.StatusBadRequest, "The search text is too long (at most 200 characters).")
		return
	}
	if !slices.Contains([]string{"id", "name", "type"}, v.Sort) {
		v.Sort = "name"
	}
	if v.Dir != "desc" {
		v.Dir = "asc"
	}
	if name != "" && tokenstore.ValidateName(name) == nil {
		v.Snapshot = c.opts.Backend.Snapshot(name)
	}
	v.fill()
	v.SortLinks = map[string]string{}
	for _, col := range []string{"id", "name", "type"} {
		dir := "asc"
		if col == v.Sort && v.Dir == "asc" {
			dir = "desc"
		}
		q := url.Values{"connection": {name}, "sort": {col}, "dir": {dir}}
		if v.Query != "" {
			q.Set("q", v.Query)
		}
		if v.FieldQuery != "" {
			q.Set("fq", v.FieldQuery)
		}
		v.SortLinks[col] = prefix + "/schema?" + q.Encode()
	}
	c.render(w, r, http.StatusOK, "schema", "", view{Title: "Schema", Nav: "schema", Data: v})
}

// fill narrows the snapshot to what the search and the filter select.
func (v *schemaView) fill() {
	s := v.Snapshot
	if s == nil {
		return
	}
	q := strings.ToLower(v.Query)
	if j := s.Jira; j != nil {
		for _, p := range j.Projects {
			pm := match(q, p.Key, p.Name)
			if pm {
				v.Projects = append(v.Projects, p)
			}
			pt := projectTypes{Project: p}
			for _, t := range p.IssueTypes {
				if pm || match(q, t.Name) {
					pt.Types = append(pt.Types, t)
				}
				if len(t.Statuses) == 0 {
					continue
				}
				ts := typeStatuses{Project: p, Type: &schema.IssueType{ID: t.ID, Name: t.Name, Subtask: t.Subtask}}
				for _, st := range t.Statuses {
					if pm || match(q, t.Name, st.Name, st.Category) {
						ts.Type.Statuses = append(ts.Type.Statuses, st)
					}
				}
				if len(ts.Type.Statuses) > 0 {
					v.Statuses = append(v.Statuses, ts)
				}
			}
			if len(pt.Types) > 0 {
				v.Types = append(v.Types, pt)
			}
		}
		fq := strings.ToLower(v.FieldQuery)
		for _, f := range s.CustomFields() {
			if match(q, f.ID, f.Name, f.Type) && match(fq, f.ID, f.Name, f.Type, f.Items) {
				v.Fields = append(v.Fields, f)
			}
		}
		key := func(f *schema.Field) string {
			switch v.Sort {
			case "id":
				return f.ID
			case "type":
				return f.Type + " " + f.Items
			}
			return strings.ToLower(f.Name)
		}
		slices.SortStableFunc(v.Fields, func(a, b *schema.Field) int {
			c := cmp.Compare(key(a), key(b))
			if v.Dir == "desc" {
				return -c
			}
			return c
		})
		for _, p := range j.Priorities {
			if match(q, p.Name) {
				v.Priorities = append(v.Priorities, p)
			}
		}
		for _, lt := range j.LinkTypes {
			if match(q, lt.Name, lt.Inward, lt.Outward) {
				v.LinkTypes = append(v.LinkTypes, lt)
			}
		}
	}
	if cf := s.Confluence; cf != nil {
		for _, sp := range cf.Spaces {
			if match(q, sp.Key, sp.Name) {
				v.Spaces = append(v.Spaces, sp)
			}
		}
		v.MoreSpaces = cf.MoreSpaces
	}
	if q != "" {
		v.Matches = len(v.Projects) + len(v.Fields) + len(v.Priorities) + len(v.LinkTypes) + len(v.Spaces)
		for _, t := range v.Types {
			v.Matches += len(t.Types)
		}
		for _, t := range v.Statuses {
			v.Matches += len(t.Type.Statuses)
		}
	}
}

// categoryName is a status category key as Jira shows it.
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
