package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// jProjectNotFound writes Jira's 404 for an unknown project.
func jProjectNotFound(w http.ResponseWriter, idOrKey string) {
	what := "key"
	if _, err := strconv.Atoi(idOrKey); err == nil {
		what = "id"
	}
	jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("No project could be found with %s '%s'.", what, jTruncate(idOrKey, 80))}, nil)
}

// project renders a project; full adds what GET /project/{key} returns.
func (r *jRender) project(p *jProject, ex jExpandSet, full bool) map[string]any {
	m := r.projectShort(p)
	m["expand"] = "description,lead,issueTypes,url,projectKeys,permissions,insight"
	m["style"] = p.Style
	m["isPrivate"] = false
	m["properties"] = map[string]any{}
	if p.Category != "" {
		m["projectCategory"] = map[string]any{"self": r.base + "/projectCategory/1" + p.ID[len(p.ID)-1:], "id": "1" + p.ID[len(p.ID)-1:],
			"name": p.Category, "description": p.Category + " projects"}
	}
	if full || ex["description"] {
		m["description"] = p.Description
	}
	if full || ex["lead"] {
		m["lead"] = r.user(p.Lead)
	}
	if full || ex["issueTypes"] {
		its := make([]any, len(p.IssueTypes))
		for i, it := range p.IssueTypes {
			its[i] = r.issueType(it)
		}
		m["issueTypes"] = its
	}
	if full || ex["url"] {
		m["url"] = r.s.SiteURL + "/browse/" + p.Key
	}
	if full || ex["projectKeys"] {
		m["projectKeys"] = []string{p.Key}
	}
	if ex["insight"] {
		last := ""
		for _, is := range p.issues {
			if t := jiraTime(is.Created); t > last {
				last = t
			}
		}
		m["insight"] = map[string]any{"totalIssueCount": len(p.issues), "lastIssueUpdateTime": last}
	}
	if full {
		cs := make([]any, len(p.Components))
		for i, c := range p.Components {
			cs[i] = r.component(c)
		}
		m["components"] = cs
		vs := make([]any, len(p.Versions))
		for i, v := range p.Versions {
			vs[i] = r.version(v)
		}
		m["versions"] = vs
		m["assigneeType"] = "UNASSIGNED"
		if p.DefaultAssignee != "" {
			m["assigneeType"] = "PROJECT_LEAD"
		}
		m["roles"] = map[string]string{
			"Administrators": r.base + "/project/" + p.ID + "/role/10002",
			"Member":         r.base + "/project/" + p.ID + "/role/10003",
		}
	}
	return m
}

// projectSearch serves GET /rest/api/3/project/search.
func (s *Server) projectSearch(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	startAt, maxResults, ok := jPageParams(w, r, 50, 100)
	if !ok {
		return
	}
	if maxResults == 0 {
		maxResults = 50
	}
	orderBy := q.Get("orderBy")
	field := strings.TrimLeft(orderBy, "+-")
	switch field {
	case "", "key", "name", "category", "owner", "issueCount", "lastIssueUpdatedDate", "archivedDate", "deletedDate":
	default:
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Invalid orderBy value '%s'.", jTruncate(orderBy, 50))}, nil)
		return
	}
	query := strings.ToLower(q.Get("query"))
	keys := map[string]bool{}
	for _, v := range q["keys"] {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys[strings.ToUpper(k)] = true
			}
		}
	}
	typeKey := q.Get("typeKey")
	ex := jParseExpand(q["expand"]...)
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*jProject
	for _, p := range j.sortedProjects() {
		if len(keys) > 0 && !keys[p.Key] {
			continue
		}
		if query != "" && !strings.Contains(strings.ToLower(p.Key), query) && !strings.Contains(strings.ToLower(p.Name), query) {
			continue
		}
		if typeKey != "" && !strings.Contains(","+typeKey+",", ","+p.TypeKey+",") {
			continue
		}
		hits = append(hits, p)
	}
	switch field {
	case "name":
		sort.SliceStable(hits, func(a, b int) bool { return strings.ToLower(hits[a].Name) < strings.ToLower(hits[b].Name) })
	case "issueCount":
		sort.SliceStable(hits, func(a, b int) bool { return len(hits[a].issues) < len(hits[b].issues) })
	}
	if strings.HasPrefix(orderBy, "-") {
		for a, b := 0, len(hits)-1; a < b; a, b = a+1, b-1 {
			hits[a], hits[b] = hits[b], hits[a]
		}
	}
	lo, hi := jPageBounds(startAt, maxResults, len(hits))
	rr := s.jRenderer(c)
	vals := make([]any, 0, hi-lo)
	for _, p := range hits[lo:hi] {
		vals = append(vals, rr.project(p, ex, false))
	}
	self := rr.base + "/project/search"
	out := map[string]any{"self": self + "?maxResults=" + itoa(maxResults) + "&startAt=" + itoa(startAt), "maxResults": maxResults,
		"startAt": startAt, "total": len(hits), "isLast": hi >= len(hits), "values": vals}
	if hi < len(hits) {
		nq := r.URL.Query()
		nq.Set("startAt", itoa(hi))
		nq.Set("maxResults", itoa(maxResults))
		out["nextPage"] = self + "?" + nq.Encode()
	}
	jWriteJSON(w, http.StatusOK, out)
}

// getProject serves GET /rest/api/3/project/{projectIdOrKey}.
func (s *Server) getProject(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	jWriteJSON(w, http.StatusOK, s.jRenderer(c).project(p, jParseExpand(r.URL.Query()["expand"]...), true))
}

// projectStatuses serves GET /rest/api/3/project/{projectIdOrKey}/statuses.
func (s *Server) projectStatuses(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	rr := s.jRenderer(c)
	out := make([]any, 0, len(p.IssueTypes))
	for _, it := range p.IssueTypes {
		wf := p.workflows[it.ID]
		sts := make([]any, 0, len(wf.Statuses))
		for _, st := range wf.Statuses {
			m := rr.status(st)
			m["untranslatedName"] = st.Name
			sts = append(sts, m)
		}
		out = append(out, map[string]any{"self": rr.base + "/issuetype/" + it.ID, "id": it.ID, "name": it.Name,
			"subtask": it.Subtask, "statuses": sts})
	}
	jWriteJSON(w, http.StatusOK, out)
}

// projectComponents serves GET /rest/api/3/project/{projectIdOrKey}/components.
func (s *Server) projectComponents(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	rr := s.jRenderer(c)
	out := make([]any, 0, len(p.Components))
	for _, comp := range p.Components {
		m := rr.component(comp)
		m["lead"] = rr.user(comp.Lead)
		m["assigneeType"] = "PROJECT_DEFAULT"
		m["realAssigneeType"] = "PROJECT_DEFAULT"
		m["isAssigneeTypeValid"] = false
		m["project"] = p.Key
		m["projectId"], _ = strconv.Atoi(p.ID)
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// projectVersions serves GET /rest/api/3/project/{projectIdOrKey}/versions.
func (s *Server) projectVersions(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	rr := s.jRenderer(c)
	out := make([]any, 0, len(p.Versions))
	for _, v := range p.Versions {
		m := rr.version(v)
		m["projectId"], _ = strconv.Atoi(p.ID)
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// createmetaIssueTypes serves GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes.
func (s *Server) createmetaIssueTypes(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 50, 200)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	rr := s.jRenderer(c)
	lo, hi := jPageBounds(startAt, maxResults, len(p.IssueTypes))
	its := make([]any, 0, hi-lo)
	for _, it := range p.IssueTypes[lo:hi] {
		m := rr.issueType(it)
		m["untranslatedName"] = it.Name
		its = append(its, m)
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"maxResults": maxResults, "startAt": startAt, "total": len(p.IssueTypes), "issueTypes": its})
}

// createmetaFields serves GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}.
func (s *Server) createmetaFields(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 50, 200)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := j.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		jProjectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	itID := r.PathValue("issueTypeId")
	var it *jIssueType
	for _, x := range p.IssueTypes {
		if x.ID == itID {
			it = x
		}
	}
	if it == nil {
		jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("Issue type with id '%s' does not exist or is not valid for the project.", jTruncate(itID, 50))}, nil)
		return
	}
	rr := s.jRenderer(c)
	ids := append([]string{"summary", "issuetype", "project"}, p.screens[it.ID]...)
	seen := map[string]bool{}
	var metas []any
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		f := j.fieldByID[id]
		if f == nil || (id == "parent" && it.HierarchyLevel >= 1) {
			continue
		}
		metas = append(metas, rr.createMeta(p, it, f))
	}
	lo, hi := jPageBounds(startAt, maxResults, len(metas))
	page := metas[lo:hi]
	if page == nil {
		page = []any{}
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"maxResults": maxResults, "startAt": startAt, "total": len(metas), "fields": page, "results": page})
}

// createMeta renders FieldCreateMetadata for field f.
func (r *jRender) createMeta(p *jProject, it *jIssueType, f *jField) map[string]any {
	required := p.isRequired(it, f.ID)
	switch f.ID {
	case "summary", "issuetype", "project", "reporter":
		required = true
	case "parent":
		required = it.Subtask
	}
	m := map[string]any{"required": required, "schema": r.fieldSchema(f), "name": f.Name, "key": f.ID, "fieldId": f.ID,
		"hasDefaultValue": false, "operations": jOperations(f)}
	switch f.ID {
	case "issuetype":
		m["allowedValues"] = []any{r.issueType(it)}
	case "project":
		m["allowedValues"] = []any{r.projectShort(p)}
	case "priority":
		av := make([]any, len(p.Priorities))
		for i, pr := range p.Priorities {
			av[i] = r.priority(pr)
		}
		m["allowedValues"] = av
		for _, pr := range p.Priorities {
			if pr.IsDefault {
				m["hasDefaultValue"] = true
				m["defaultValue"] = r.priority(pr)
			}
		}
	case "components":
		av := make([]any, len(p.Components))
		for i, c := range p.Components {
			av[i] = r.component(c)
		}
		m["allowedValues"] = av
	case "fixVersions", "versions":
		av := make([]any, len(p.Versions))
		for i, v := range p.Versions {
			av[i] = r.version(v)
		}
		m["allowedValues"] = av
	case "labels":
		m["autoCompleteUrl"] = r.base + "/label/suggest?query="
	case "assignee", "reporter":
		m["autoCompleteUrl"] = r.base + "/user/assignable/search?project=" + p.Key + "&query="
		if f.ID == "reporter" {
			m["hasDefaultValue"] = true
		}
	case "issuelinks":
		m["autoCompleteUrl"] = r.base + "/issue/picker?currentProjectId=&showSubTaskParent=true&showSubTasks=true&currentIssueKey=null&query="
	}
	if len(f.Options) > 0 {
		av := []any{}
		for _, o := range f.Options {
			if !o.Disabled {
				av = append(av, r.option(f, o))
			}
		}
		m["allowedValues"] = av
	}
	return m
}

func jOperations(f *jField) []string {
	switch {
	case f.ID == "labels" || f.ID == "components" || f.ID == "fixVersions" || f.ID == "versions" || f.Kind == fkMultiOpt:
		return []string{"add", "set", "remove"}
	case f.ID == "issuelinks":
		return []string{"add"}
	case f.ID == "timetracking":
		return []string{"set", "edit"}
	}
	return []string{"set"}
}

// listFields serves GET /rest/api/3/field.
func (s *Server) listFields(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.fields))
	for _, f := range j.fields {
		m := map[string]any{"id": f.ID, "key": f.ID, "name": f.Name, "untranslatedName": f.Name, "custom": f.Custom,
			"orderable": f.Orderable, "navigable": f.Navigable, "searchable": f.Searchable, "clauseNames": f.ClauseNames,
			"schema": rr.fieldSchema(f)}
		if f.Custom {
			delete(m, "untranslatedName")
			m["untranslatedName"] = f.Name
		}
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

func (r *jRender) priorityFull(p *jPriority) map[string]any {
	m := r.priority(p).(map[string]any)
	m["statusColor"] = p.StatusColor
	m["description"] = p.Description
	m["isDefault"] = p.IsDefault
	return m
}

// listPriorities serves GET /rest/api/3/priority.
func (s *Server) listPriorities(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.priorities))
	for _, p := range j.priorities {
		m := rr.priorityFull(p)
		delete(m, "isDefault")
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// searchPriorities serves GET /rest/api/3/priority/search (paged).
func (s *Server) searchPriorities(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 50, 50)
	if !ok {
		return
	}
	if maxResults == 0 {
		maxResults = 50
	}
	q := r.URL.Query()
	ids := map[string]bool{}
	for _, v := range q["id"] {
		for _, id := range strings.Split(v, ",") {
			ids[strings.TrimSpace(id)] = true
		}
	}
	name := strings.ToLower(q.Get("priorityName"))
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*jPriority
	for _, p := range j.priorities {
		if len(ids) > 0 && !ids[p.ID] {
			continue
		}
		if name != "" && !strings.Contains(strings.ToLower(p.Name), name) {
			continue
		}
		if pk := q.Get("projectId"); pk != "" {
			if proj := j.project(pk); proj == nil || !proj.hasPriority(p) {
				continue
			}
		}
		hits = append(hits, p)
	}
	lo, hi := jPageBounds(startAt, maxResults, len(hits))
	rr := s.jRenderer(c)
	vals := make([]any, 0, hi-lo)
	for _, p := range hits[lo:hi] {
		vals = append(vals, rr.priorityFull(p))
	}
	self := rr.base + "/priority/search"
	out := map[string]any{"self": self + "?maxResults=" + itoa(maxResults) + "&startAt=" + itoa(startAt), "maxResults": maxResults,
		"startAt": startAt, "total": len(hits), "isLast": hi >= len(hits), "values": vals}
	if hi < len(hits) {
		out["nextPage"] = self + "?maxResults=" + itoa(maxResults) + "&startAt=" + itoa(hi)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// listLinkTypes serves GET /rest/api/3/issueLinkType.
func (s *Server) listLinkTypes(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.linkTypes))
	for _, lt := range j.linkTypes {
		out = append(out, rr.linkType(lt))
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"issueLinkTypes": out})
}

// getLinkType serves GET /rest/api/3/issueLinkType/{issueLinkTypeId}.
func (s *Server) getLinkType(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("issueLinkTypeId")
	lt := j.linkType("", id)
	if lt == nil || id == "" {
		jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("No issue link type with id '%s' found.", jTruncate(id, 50))}, nil)
		return
	}
	jWriteJSON(w, http.StatusOK, s.jRenderer(c).linkType(lt))
}

// listIssueTypes serves GET /rest/api/3/issuetype.
func (s *Server) listIssueTypes(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.issueTypes))
	for _, it := range j.issueTypes {
		m := rr.issueType(it)
		m["untranslatedName"] = it.Name
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// listStatuses serves GET /rest/api/3/status.
func (s *Server) listStatuses(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.statuses))
	for _, st := range j.statuses {
		m := rr.status(st)
		m["untranslatedName"] = st.Name
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// listResolutions serves GET /rest/api/3/resolution.
func (s *Server) listResolutions(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.jRenderer(c)
	out := make([]any, 0, len(j.resolutions))
	for _, res := range j.resolutions {
		out = append(out, rr.resolution(res))
	}
	jWriteJSON(w, http.StatusOK, out)
}

// editMeta serves GET /rest/api/3/issue/{issueIdOrKey}/editmeta: the fields
// of the issue's edit screen with their schema, operations and allowed values.
func (s *Server) editMeta(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	rr := s.jRenderer(c)
	fields := map[string]any{}
	ids := append([]string{"summary"}, is.Project.screens[is.Type.ID]...)
	for _, id := range ids {
		f := j.fieldByID[id]
		if f == nil || id == "project" || id == "issuetype" || (id == "parent" && is.Type.HierarchyLevel >= 1) {
			continue
		}
		m := rr.createMeta(is.Project, is.Type, f)
		delete(m, "hasDefaultValue")
		delete(m, "defaultValue")
		fields[id] = m
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"fields": fields})
}
