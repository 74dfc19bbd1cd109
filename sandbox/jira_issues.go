package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// issueFromPath resolves the {issueIdOrKey} path value under s.mu, writing
// the 404 when there is no such issue.
func (s *Server) issueFromPath(w http.ResponseWriter, r *http.Request, j *jiraState) *jIssue {
	is := j.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		jiraError(w, http.StatusNotFound, []string{jMsgIssueNotFound}, nil)
	}
	return is
}

// getIssue serves GET /rest/api/3/issue/{issueIdOrKey}.
func (s *Server) getIssue(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	fs := jParseFieldSel(q["fields"], "*all")
	ex := jParseExpand(q["expand"]...)
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	jWriteJSON(w, http.StatusOK, s.jRenderer(c).issue(is, fs, ex, 100))
}

// createIssue serves POST /rest/api/3/issue: it decodes the body, checks
// it through issueCreate's steps (the order of the steps is the order in
// which Jira reports errors) and stores the issue once nothing is wrong.
func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	if !jRejectUnknown(w, body, "com.atlassian.jira.rest.v2.issue.IssueUpdateBean", "fields", "update", "transition", "properties", "historyMetadata") {
		return
	}
	fields, update, ok := jFieldsAndUpdate(w, body)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := &issueCreate{s: s, j: j, c: c, body: body, fields: fields, update: update, errs: map[string]string{}}
	// Project and issue type first: without them nothing else can be checked.
	cr.resolveProject()
	cr.resolveIssueType()
	if len(cr.errs) > 0 {
		jiraError(w, http.StatusBadRequest, nil, cr.errs)
		return
	}
	cr.newIssue()
	cr.setFields()
	cr.applyUpdate()
	cr.checkSummaryAndParent()
	cr.keepReporter()
	cr.checkRequired()
	if msg := cr.findInitialTransition(); msg != "" {
		jiraError(w, http.StatusBadRequest, []string{msg}, nil)
		return
	}
	if len(cr.errs) > 0 {
		jiraError(w, http.StatusBadRequest, nil, cr.errs)
		return
	}
	cr.store()
	is := cr.is
	rr := s.jRenderer(c)
	jWriteJSON(w, http.StatusCreated, map[string]any{"id": is.idStr(), "key": is.Key, "self": rr.base + "/issue/" + is.idStr()})
}

// issueCreate is a POST /issue being checked by createIssue's steps: each
// step adds Jira's field errors to errs, and the issue is stored only when
// there are none.
type issueCreate struct {
	s      *Server
	j      *jiraState
	c      *caller
	body   map[string]json.RawMessage
	fields map[string]json.RawMessage
	update map[string][]map[string]json.RawMessage
	errs   map[string]string

	// What the steps found: the project and issue type, the new issue
	// (not in the site until store), the links and comments update adds,
	// and the transition the body asks for (nil without one).
	p        *jProject
	it       *jIssueType
	is       *jIssue
	now      time.Time
	links    []jPendingLink
	comments []json.RawMessage
	initial  *jTransition
}

// resolveProject finds the project fields.project names by id or key.
func (cr *issueCreate) resolveProject() {
	if ref, ok := jParseRef(cr.fields["project"]); ok && !ref.isNull {
		switch {
		case ref.ID != "":
			cr.p = cr.j.projectByID[ref.ID]
		case ref.Key != "":
			cr.p = cr.j.projectByKey[strings.ToUpper(ref.Key)]
		}
	}
	if cr.p == nil {
		cr.errs["project"] = "Specify a valid project ID or key"
	}
}

// resolveIssueType finds the issue type fields.issuetype names among the
// project's; a named type of an unknown project is invalid too.
func (cr *issueCreate) resolveIssueType() {
	raw, ok := cr.fields["issuetype"]
	ref, parsed := jParseRef(raw)
	if !ok || !parsed || ref.isNull {
		cr.errs["issuetype"] = "Specify an issue type"
		return
	}
	if cr.p != nil {
		cr.it = jIssueTypeByRef(cr.p, ref)
	}
	if cr.it == nil {
		cr.errs["issuetype"] = "The issue type selected is invalid."
	}
}

// jIssueTypeByRef finds p's issue type by id (that id exactly) or by name.
func jIssueTypeByRef(p *jProject, ref jIdRef) *jIssueType {
	switch {
	case ref.ID != "":
		if it := p.issueType(ref.ID); it != nil && it.ID == ref.ID {
			return it
		}
	case ref.Name != "":
		return p.issueType(ref.Name)
	}
	return nil
}

// newIssue starts the issue in the workflow's initial status, reported and
// created by the caller, with the site's default priority (Medium, or the
// middle of the project's scheme when Medium is not in it).
func (cr *issueCreate) newIssue() {
	p, it, c := cr.p, cr.it, cr.c
	cr.now = cr.s.now()
	cr.is = &jIssue{Project: p, Type: it, Status: p.workflows[it.ID].Initial, Reporter: c.AccountID, Creator: c.AccountID,
		Created: cr.now, Updated: cr.now, StatusCat: cr.now, Custom: map[string]any{}}
	if def := cr.j.priority("Medium", ""); def != nil && p.hasPriority(def) {
		cr.is.Priority = def
	} else if len(p.Priorities) > 0 {
		cr.is.Priority = p.Priorities[len(p.Priorities)/2]
	}
}

// setFields sets the fields of "fields" in key order; a field also in
// "update", unknown or not on the screen is refused.
func (cr *issueCreate) setFields() {
	keys := make([]string, 0, len(cr.fields))
	for k := range cr.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "project" || k == "issuetype" {
			continue
		}
		if _, both := cr.update[k]; both {
			cr.errs[k] = fmt.Sprintf("Field '%s' cannot be set in both 'fields' and 'update'.", k)
			continue
		}
		f := cr.editable(k)
		if f == nil {
			continue
		}
		if msg := cr.s.setField(cr.j, cr.is, f, cr.fields[k]); msg != "" {
			cr.errs[k] = msg
		}
	}
}

// editable is field k when the project's screen for the issue type has
// it; otherwise it records the not-on-screen error and returns nil.
func (cr *issueCreate) editable(k string) *jField {
	f := cr.j.fieldByID[k]
	if f == nil || !jFieldEditable(cr.p, cr.it, k) {
		cr.errs[k] = fmt.Sprintf(jMsgNotOnScreen, k)
		return nil
	}
	return f
}

// applyUpdate applies the operations of "update": links and comments are
// kept for store, other fields take their verbs in order until one fails.
func (cr *issueCreate) applyUpdate() {
	for k, ops := range cr.update {
		if _, done := cr.errs[k]; done {
			continue
		}
		if cr.s.addingOps(cr.j, k, ops, cr.errs, &cr.links, &cr.comments) {
			continue
		}
		f := cr.editable(k)
		if f == nil {
			continue
		}
		for _, op := range ops {
			if msg := cr.s.applyVerb(cr.j, cr.is, f, op); msg != "" {
				cr.errs[k] = msg
				break
			}
		}
	}
}

// checkSummaryAndParent requires a summary, and a parent for a sub-task
// (unless the parent given was refused with its own error).
func (cr *issueCreate) checkSummaryAndParent() {
	if _, ok := cr.errs["summary"]; !ok && cr.is.Summary == "" {
		cr.errs["summary"] = "You must specify a summary of the issue."
	}
	if cr.it.Subtask && cr.is.Parent == nil {
		if _, ok := cr.errs["parent"]; !ok {
			cr.errs["issuetype"] = "Issue type is a sub-task but parent issue key or id not specified."
		}
	}
}

// keepReporter makes the caller the reporter when none valid was set.
func (cr *issueCreate) keepReporter() {
	if cr.is.Reporter == "" || cr.s.userByID(cr.is.Reporter) == nil {
		cr.is.Reporter = cr.c.AccountID
	}
}

// checkRequired reports each of the issue type's required fields that is
// not given (in fields or update) with a value, unless it has its own
// error already.
func (cr *issueCreate) checkRequired() {
	for _, fid := range cr.p.required[cr.it.ID] {
		if _, bad := cr.errs[fid]; bad {
			continue
		}
		f := cr.j.fieldByID[fid]
		if f == nil {
			continue
		}
		if !cr.requiredGiven(f) {
			cr.errs[fid] = f.Name + " is required."
		}
	}
}

// requiredGiven reports whether required field f was given: named in
// fields or update, and for a custom field or the priority, holding a
// value after them.
func (cr *issueCreate) requiredGiven(f *jField) bool {
	_, set := cr.fields[f.ID]
	if _, viaUpdate := cr.update[f.ID]; viaUpdate {
		set = true
	}
	if f.Custom {
		set = set && cr.is.Custom[f.ID] != nil
	}
	if f.ID == "priority" {
		set = set && cr.is.Priority != nil
	}
	return set
}

// findInitialTransition finds the transition the body's "transition":
// {"id": ...} asks for, which must leave the workflow's initial status. It
// returns the error message when there is no such transition and no field
// error to report instead.
func (cr *issueCreate) findInitialTransition() string {
	raw, ok := cr.body["transition"]
	if !ok || jIsJSONNull(raw) {
		return ""
	}
	ref, _ := jParseRef(raw)
	for _, t := range cr.p.workflows[cr.it.ID].available(cr.is.Status) {
		if ref.ID != "" && t.ID == ref.ID {
			cr.initial = t
		}
	}
	if cr.initial == nil && len(cr.errs) == 0 {
		return fmt.Sprintf("Transition id '%s' is not valid for this issue.", jTruncate(ref.ID, 20))
	}
	return ""
}

// store takes the initial transition, adds the issue to the site with the
// reporter watching it, makes its links and comments, and refreshes the
// search view of every issue it touched.
func (cr *issueCreate) store() {
	j, is, now, author := cr.j, cr.is, cr.now, cr.c.AccountID
	if initial := cr.initial; initial != nil {
		is.History = append(is.History, &jHistory{ID: j.newID(), Author: author, Created: now, Items: []jChangeItem{{
			Field: "status", FieldType: "jira", FieldID: "status", From: is.Status.ID, FromString: is.Status.Name, To: initial.To.ID, ToSt: initial.To.Name}}})
		if initial.To.Cat != is.Status.Cat {
			is.StatusCat = now
		}
		if initial.To.Cat == catComplete {
			is.Resolution, is.Resolved = j.resolutions[0], now
		}
		is.Status = initial.To
	}
	j.insertIssue(is)
	is.Watchers = jAppendUnique(is.Watchers, is.Reporter)
	for _, pl := range cr.links {
		j.addLink(pl, is)
	}
	for _, b := range cr.comments {
		is.Comments = append(is.Comments, &jComment{ID: j.newID(), Author: author, Body: b, Created: now, Updated: now})
	}
	j.refreshView(is)
	for _, l := range is.Links {
		j.refreshView(jOther(l, is))
	}
	if is.Parent != nil {
		j.refreshView(is.Parent)
	}
}

func jOther(l *jLink, is *jIssue) *jIssue {
	if l.Inward == is {
		return l.Outward
	}
	return l.Inward
}

// applyVerb applies one update operation ({"add": v} / {"set": v} /
// {"remove": v} / {"edit": v}) to field f of is.
func (s *Server) applyVerb(j *jiraState, is *jIssue, f *jField, op map[string]json.RawMessage) string {
	if len(op) != 1 {
		return fmt.Sprintf("Field '%s' requires exactly one operation per entry.", f.ID)
	}
	for verb, raw := range op {
		switch verb {
		case "set":
			if f.ID == "parent" {
				var none struct {
					None bool `json:"none"`
				}
				if json.Unmarshal(raw, &none) == nil && none.None {
					if is.Type.Subtask {
						return "Issue type is a sub-task but parent issue key or id not specified."
					}
					s.reparent(is, nil)
					return ""
				}
			}
			if f.ID == "components" || f.ID == "fixVersions" {
				if strings.TrimSpace(string(raw)) == `""` {
					raw = json.RawMessage("[]")
				}
			}
			return s.setField(j, is, f, raw)
		case "add", "remove":
			add := verb == "add"
			switch {
			case f.ID == "labels":
				var l string
				if json.Unmarshal(raw, &l) != nil {
					return jMsgMustBeString
				}
				if add {
					if msg := jCheckLabel(l); msg != "" {
						return msg
					}
					is.Labels = jAppendUnique(is.Labels, l)
				} else {
					is.Labels = jRemoveString(is.Labels, l)
				}
			case f.ID == "components":
				comp, msg := jFindComponent(is.Project, raw)
				if msg != "" {
					return msg
				}
				var out []*jComponent
				for _, c := range is.Components {
					if c != comp {
						out = append(out, c)
					}
				}
				if add {
					out = append(out, comp)
				}
				is.Components = out
			case f.ID == "fixVersions":
				v, msg := jFindVersion(is.Project, raw)
				if msg != "" {
					return msg
				}
				var out []*jVersion
				for _, x := range is.FixVersions {
					if x != v {
						out = append(out, x)
					}
				}
				if add {
					out = append(out, v)
				}
				is.FixVersions = out
			case f.Kind == fkMultiOpt:
				o, msg := jFindOption(f, raw)
				if msg != "" {
					return msg
				}
				old, _ := is.Custom[f.ID].([]*jOption)
				var out []*jOption
				for _, x := range old {
					if x != o {
						out = append(out, x)
					}
				}
				if add {
					out = append(out, o)
				}
				if len(out) == 0 {
					delete(is.Custom, f.ID)
				} else {
					is.Custom[f.ID] = out
				}
			default:
				return fmt.Sprintf("Field '%s' does not support operation '%s'. Supported operation(s) are: 'set'", f.ID, verb)
			}
		case "edit":
			if f.ID != "timetracking" {
				return fmt.Sprintf("Field '%s' does not support operation 'edit'. Supported operation(s) are: 'set'", f.ID)
			}
			return s.setField(j, is, f, raw)
		default:
			return fmt.Sprintf("Field '%s' does not support operation '%s'", f.ID, verb)
		}
	}
	return ""
}

func jRemoveString(xs []string, x string) []string {
	var out []string
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

// editIssue serves PUT /rest/api/3/issue/{issueIdOrKey}.
func (s *Server) editIssue(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	if !jRejectUnknown(w, body, "com.atlassian.jira.rest.v2.issue.IssueUpdateBean", "fields", "update", "transition", "properties", "historyMetadata") {
		return
	}
	fields, update, ok := jFieldsAndUpdate(w, body)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	// Work on a copy so a rejected edit changes nothing.
	draft := jCloneIssue(is)
	ct := s.track(draft)
	errs := map[string]string{}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, both := update[k]; both {
			errs[k] = fmt.Sprintf("Field '%s' cannot be set in both 'fields' and 'update'.", k)
			continue
		}
		f := j.fieldByID[k]
		if f == nil || k == "project" || k == "issuetype" || !jFieldEditable(is.Project, is.Type, k) {
			errs[k] = fmt.Sprintf(jMsgNotOnScreen, k)
			continue
		}
		ct.touch(f)
		if msg := s.setField(j, draft, f, fields[k]); msg != "" {
			errs[k] = msg
		}
	}
	var links []jPendingLink
	var comments []json.RawMessage
	ukeys := make([]string, 0, len(update))
	for k := range update {
		ukeys = append(ukeys, k)
	}
	sort.Strings(ukeys)
	for _, k := range ukeys {
		if _, done := errs[k]; done {
			continue
		}
		ops := update[k]
		if s.addingOps(j, k, ops, errs, &links, &comments) {
			continue
		}
		f := j.fieldByID[k]
		if f == nil || k == "project" || k == "issuetype" || !jFieldEditable(is.Project, is.Type, k) {
			errs[k] = fmt.Sprintf(jMsgNotOnScreen, k)
			continue
		}
		ct.touch(f)
		for _, op := range ops {
			if msg := s.applyVerb(j, draft, f, op); msg != "" {
				errs[k] = msg
				break
			}
		}
	}
	for _, fid := range is.Project.required[is.Type.ID] {
		f := j.fieldByID[fid]
		if f == nil || errs[fid] != "" {
			continue
		}
		if _, touched := ct.before[fid]; !touched {
			continue
		}
		if (f.Custom && draft.Custom[fid] == nil) || (fid == "priority" && draft.Priority == nil) {
			errs[fid] = f.Name + " is required."
		}
	}
	if len(errs) > 0 {
		jiraError(w, http.StatusBadRequest, nil, errs)
		return
	}
	now := s.now()
	oldParent := is.Parent
	s.commitDraft(is, draft)
	ct.is = is
	ct.commit(j, c.AccountID, now)
	for _, pl := range links {
		j.addLink(pl, is)
		j.refreshView(jOther(is.Links[len(is.Links)-1], is))
	}
	for _, b := range comments {
		is.Comments = append(is.Comments, &jComment{ID: j.newID(), Author: c.AccountID, Body: b, Created: now, Updated: now})
		is.Updated = now
	}
	j.refreshView(is)
	if oldParent != nil {
		j.refreshView(oldParent)
	}
	if r.URL.Query().Get("returnIssue") == "true" {
		jWriteJSON(w, http.StatusOK, s.jRenderer(c).issue(is, jParseFieldSel(nil, "*all"), jParseExpand(r.URL.Query()["expand"]...), 100))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// jCloneIssue copies is deeply enough for a draft edit (slices and maps
// the setters replace or mutate).
func jCloneIssue(is *jIssue) *jIssue {
	d := *is
	d.Labels = append([]string(nil), is.Labels...)
	d.Components = append([]*jComponent(nil), is.Components...)
	d.FixVersions = append([]*jVersion(nil), is.FixVersions...)
	d.Custom = make(map[string]any, len(is.Custom))
	for k, v := range is.Custom {
		d.Custom[k] = v
	}
	d.ID = 0 // reparent on a draft must not touch the real parents' lists
	d.view = nil
	return &d
}

// commitDraft copies an accepted draft into the stored issue, keeping its
// identity and moving it between parents' child lists.
func (s *Server) commitDraft(is, draft *jIssue) {
	id, view, oldParent := is.ID, is.view, is.Parent
	*is = *draft
	is.ID, is.view, is.Parent = id, view, oldParent
	s.reparent(is, draft.Parent)
}

// addingOps collects the update verbs that add issue links and comments
// rather than change a field, and reports whether k is one of those; a bad
// operation is recorded in errs.
func (s *Server) addingOps(j *jiraState, k string, ops []map[string]json.RawMessage, errs map[string]string, links *[]jPendingLink, comments *[]json.RawMessage) bool {
	switch k {
	case "issuelinks":
		for _, op := range ops {
			pl, msg := s.parseLinkOp(j, op)
			if msg != "" {
				errs[k] = msg
				break
			}
			*links = append(*links, pl)
		}
		return true
	case "comment":
		for _, op := range ops {
			body, msg := jCommentAddOp(op)
			if msg != "" {
				errs[k] = msg
				break
			}
			*comments = append(*comments, body)
		}
		return true
	}
	return false
}

func jCommentAddOp(op map[string]json.RawMessage) (json.RawMessage, string) {
	raw, ok := op["add"]
	if !ok || len(op) != 1 {
		return nil, "Field 'comment' does not support this operation. Supported operation(s) are: 'add'"
	}
	var add struct {
		Body json.RawMessage `json:"body"`
	}
	if json.Unmarshal(raw, &add) != nil || len(add.Body) == 0 || jIsJSONNull(add.Body) {
		return nil, "Comment body can not be empty!"
	}
	if _, ok := jParseADF(add.Body); !ok {
		return nil, jMsgMustBeADF
	}
	if jTextTooLong(add.Body) {
		return nil, jMsgTextTooLong
	}
	return add.Body, ""
}

// --- transitions ---

// getTransitions serves GET /rest/api/3/issue/{issueIdOrKey}/transitions.
func (s *Server) getTransitions(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	ex := jParseExpand(q["expand"]...)
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	rr := s.jRenderer(c)
	out := []any{}
	wf := is.Project.workflows[is.Type.ID]
	only := q.Get("transitionId")
	for _, t := range wf.available(is.Status) {
		if only != "" && t.ID != only {
			continue
		}
		out = append(out, rr.transition(is, t, ex["transitions.fields"]))
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"expand": "transitions", "transitions": out})
}

// doTransition serves POST /rest/api/3/issue/{issueIdOrKey}/transitions.
func (s *Server) doTransition(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	if !jRejectUnknown(w, body, "com.atlassian.jira.rest.v2.issue.IssueUpdateBean", "fields", "update", "transition", "properties", "historyMetadata") {
		return
	}
	var tid string
	if raw, ok := body["transition"]; ok {
		if ref, ok := jParseRef(raw); ok {
			tid = ref.ID
		}
	}
	if tid == "" {
		jiraError(w, http.StatusBadRequest, []string{"Missing 'transition' identifier"}, nil)
		return
	}
	fields, update, ok := jFieldsAndUpdate(w, body)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	wf := is.Project.workflows[is.Type.ID]
	var tr *jTransition
	for _, t := range wf.available(is.Status) {
		if t.ID == tid {
			tr = t
		}
	}
	if tr == nil {
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Transition id '%s' is not valid for this issue.", tid)}, nil)
		return
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	onScreen := func(fid string) bool {
		for _, f := range tr.Fields {
			if f == fid {
				return true
			}
		}
		return false
	}
	draft := jCloneIssue(is)
	ct := s.track(draft)
	errs := map[string]string{}
	for k, raw := range fields {
		f := j.fieldByID[k]
		if f == nil || !onScreen(k) {
			errs[k] = fmt.Sprintf(jMsgNotOnScreen, k)
			continue
		}
		ct.touch(f)
		if msg := s.setField(j, draft, f, raw); msg != "" {
			errs[k] = msg
		}
	}
	var comments []json.RawMessage
	for k, ops := range update {
		if k != "comment" {
			f := j.fieldByID[k]
			if f == nil || !onScreen(k) {
				errs[k] = fmt.Sprintf(jMsgNotOnScreen, k)
				continue
			}
			ct.touch(f)
			for _, op := range ops {
				if msg := s.applyVerb(j, draft, f, op); msg != "" {
					errs[k] = msg
					break
				}
			}
			continue
		}
		for _, op := range ops {
			b, msg := jCommentAddOp(op)
			if msg != "" {
				errs["comment"] = msg
				break
			}
			comments = append(comments, b)
		}
	}
	if len(errs) > 0 {
		jiraError(w, http.StatusBadRequest, nil, errs)
		return
	}
	now := s.now()
	s.commitDraft(is, draft)
	ct.is = is
	// Status change (and the resolution a done status sets).
	var extra []jChangeItem
	from := is.Status
	extra = append(extra, jChangeItem{Field: "status", FieldType: "jira", FieldID: "status",
		From: from.ID, FromString: from.Name, To: tr.To.ID, ToSt: tr.To.Name})
	if tr.To.Cat == catComplete {
		if _, set := fields["resolution"]; !set && is.Resolution == nil {
			ct.touch(j.fieldByID["resolution"])
			is.Resolution = j.resolutions[0]
		}
		is.Resolved = now
	} else if is.Resolution != nil {
		ct.touch(j.fieldByID["resolution"])
		is.Resolution = nil
		is.Resolved = time.Time{}
	}
	if tr.To.Cat != from.Cat {
		is.StatusCat = now
	}
	is.Status = tr.To
	ct.commit(j, c.AccountID, now, extra...)
	for _, b := range comments {
		is.Comments = append(is.Comments, &jComment{ID: j.newID(), Author: c.AccountID, Body: b, Created: now, Updated: now})
	}
	j.refreshView(is)
	w.WriteHeader(http.StatusNoContent)
}

// --- comments ---

// addComment serves POST /rest/api/3/issue/{issueIdOrKey}/comment.
func (s *Server) addComment(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	raw, ok := body["body"]
	if !ok || jIsJSONNull(raw) {
		jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": "Comment body can not be empty!"})
		return
	}
	if _, ok := jParseADF(raw); !ok {
		jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": jMsgMustBeADF})
		return
	}
	if jTextTooLong(raw) {
		jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": jMsgTextTooLong})
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	now := s.now()
	cm := &jComment{ID: j.newID(), Author: c.AccountID, Body: append(json.RawMessage(nil), raw...), Created: now, Updated: now}
	is.Comments = append(is.Comments, cm)
	is.Updated = now
	j.refreshView(is)
	rr := s.jRenderer(c)
	out := rr.comment(is, cm, false)
	if jParseExpand(r.URL.Query()["expand"]...)["renderedBody"] {
		out["renderedBody"] = jAdfHTML(cm.Body)
	}
	jWriteJSON(w, http.StatusCreated, out)
}

// getComments serves GET /rest/api/3/issue/{issueIdOrKey}/comment.
func (s *Server) getComments(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 100, 5000)
	if !ok {
		return
	}
	orderBy := r.URL.Query().Get("orderBy")
	rendered := jParseExpand(r.URL.Query()["expand"]...)["renderedBody"]
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	cs := append([]*jComment(nil), is.Comments...)
	if strings.HasPrefix(orderBy, "-") {
		for a, b := 0, len(cs)-1; a < b; a, b = a+1, b-1 {
			cs[a], cs[b] = cs[b], cs[a]
		}
	}
	lo, hi := jPageBounds(startAt, maxResults, len(cs))
	rr := s.jRenderer(c)
	out := make([]any, 0, hi-lo)
	for _, cm := range cs[lo:hi] {
		m := rr.comment(is, cm, false)
		if rendered {
			m["renderedBody"] = jAdfHTML(cm.Body)
		}
		out = append(out, m)
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"startAt": startAt, "maxResults": maxResults, "total": len(cs), "comments": out})
}

// --- worklogs ---

// addWorklog serves POST /rest/api/3/issue/{issueIdOrKey}/worklog.
func (s *Server) addWorklog(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		TimeSpent        *string         `json:"timeSpent"`
		TimeSpentSeconds *json.Number    `json:"timeSpentSeconds"`
		Started          *string         `json:"started"`
		Comment          json.RawMessage `json:"comment"`
		Visibility       json.RawMessage `json:"visibility"`
		Properties       json.RawMessage `json:"properties"`
	}
	if !decodeJira(w, r, &body) {
		return
	}
	errs := map[string]string{}
	var secs int64
	switch {
	case body.TimeSpent == nil && body.TimeSpentSeconds == nil:
		errs["timeLogged"] = "You must indicate the time spent working."
	case body.TimeSpent != nil && body.TimeSpentSeconds != nil:
		errs["timeLogged"] = "Provide either timeSpent or timeSpentSeconds, not both."
	case body.TimeSpent != nil:
		n, ok := jParseDuration(*body.TimeSpent)
		if !ok {
			errs["timeLogged"] = "Invalid time duration entered."
		}
		secs = n
	default:
		n, err := body.TimeSpentSeconds.Int64()
		if err != nil || n < 60 {
			errs["timeLogged"] = "Invalid time duration entered."
		}
		secs = n
	}
	var started time.Time
	if body.Started == nil || strings.TrimSpace(*body.Started) == "" {
		errs["started"] = "You must specify a start date for the work log."
	} else {
		t, err := time.Parse(jiraTimeLayout, *body.Started)
		if err != nil {
			errs["started"] = "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."
		}
		started = t
	}
	if len(body.Comment) > 0 && !jIsJSONNull(body.Comment) {
		if _, ok := jParseADF(body.Comment); !ok {
			errs["comment"] = jMsgMustBeADF
		} else if jTextTooLong(body.Comment) {
			errs["comment"] = jMsgTextTooLong
		}
	} else {
		body.Comment = nil
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	if len(errs) > 0 {
		jiraError(w, http.StatusBadRequest, nil, errs)
		return
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	now := s.now()
	wl := &jWorklog{ID: j.newID(), Author: c.AccountID, Comment: append(json.RawMessage(nil), body.Comment...),
		Started: started, Seconds: secs, Created: now, Updated: now}
	is.Worklogs = append(is.Worklogs, wl)
	switch r.URL.Query().Get("adjustEstimate") {
	case "leave":
	case "new":
		if n, ok := jParseDuration(r.URL.Query().Get("newEstimate")); ok {
			is.RemainEst = n
		}
	case "manual":
		if n, ok := jParseDuration(r.URL.Query().Get("reduceBy")); ok {
			is.RemainEst = max(0, is.RemainEst-n)
		}
	default:
		is.RemainEst = max(0, is.RemainEst-secs)
	}
	is.Updated = now
	is.History = append(is.History, &jHistory{ID: j.newID(), Author: c.AccountID, Created: now, Items: []jChangeItem{
		{Field: "timespent", FieldType: "jira", FieldID: "timespent", From: jItoa64(is.timeSpent() - secs), To: jItoa64(is.timeSpent()),
			FromString: jItoa64(is.timeSpent() - secs), ToSt: jItoa64(is.timeSpent())},
		{Field: "WorklogId", FieldType: "jira", To: wl.ID, ToSt: wl.ID},
	}})
	j.refreshView(is)
	jWriteJSON(w, http.StatusCreated, s.jRenderer(c).worklog(is, wl))
}

func jItoa64(n int64) string { return strconv.FormatInt(n, 10) }

// getWorklogs serves GET /rest/api/3/issue/{issueIdOrKey}/worklog.
func (s *Server) getWorklogs(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 5000, math.MaxInt)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	lo, hi := jPageBounds(startAt, maxResults, len(is.Worklogs))
	rr := s.jRenderer(c)
	out := make([]any, 0, hi-lo)
	for _, wl := range is.Worklogs[lo:hi] {
		out = append(out, rr.worklog(is, wl))
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"startAt": startAt, "maxResults": maxResults, "total": len(is.Worklogs), "worklogs": out})
}

// --- links ---

// jPendingLink is a validated link request; self means "the issue being
// created/edited" on the side that was left out.
type jPendingLink struct {
	typ             *jLinkType
	inward, outward *jIssue // nil = the issue being written
}

// parseLinkOp validates an update.issuelinks {"add": {type, inwardIssue |
// outwardIssue}} operation. In it the named issue is the other side: an
// outwardIssue entry reads "this ‹type.outward› other".
func (s *Server) parseLinkOp(j *jiraState, op map[string]json.RawMessage) (jPendingLink, string) {
	raw, ok := op["add"]
	if !ok || len(op) != 1 {
		return jPendingLink{}, "Field 'issuelinks' does not support this operation. Supported operation(s) are: 'add'"
	}
	var add struct {
		Type         json.RawMessage `json:"type"`
		InwardIssue  json.RawMessage `json:"inwardIssue"`
		OutwardIssue json.RawMessage `json:"outwardIssue"`
	}
	if json.Unmarshal(raw, &add) != nil {
		return jPendingLink{}, "Invalid issue link."
	}
	ref, _ := jParseRef(add.Type)
	lt := j.linkType(ref.Name, ref.ID)
	if lt == nil {
		return jPendingLink{}, fmt.Sprintf("No issue link type with name '%s' found.", ref.Name+ref.ID)
	}
	pl := jPendingLink{typ: lt}
	find := func(raw json.RawMessage) *jIssue {
		r, ok := jParseRef(raw)
		if !ok || r.isNull {
			return nil
		}
		if r.Key != "" {
			return j.issue(r.Key)
		}
		return j.issue(r.ID)
	}
	switch {
	case len(add.OutwardIssue) > 0:
		pl.outward = find(add.OutwardIssue)
		if pl.outward == nil {
			return pl, "Issue Does Not Exist"
		}
	case len(add.InwardIssue) > 0:
		pl.inward = find(add.InwardIssue)
		if pl.inward == nil {
			return pl, "Issue Does Not Exist"
		}
	default:
		return pl, "Specify either an inward or an outward issue."
	}
	return pl, ""
}

// addLink stores a pending link with self filling the open side.
func (j *jiraState) addLink(pl jPendingLink, self *jIssue) {
	in, out := pl.inward, pl.outward
	if in == nil {
		in = self
	}
	if out == nil {
		out = self
	}
	j.link(pl.typ, in, out)
}

// link stores "in ‹type.outward› out" unless it exists; it returns the link.
func (j *jiraState) link(lt *jLinkType, in, out *jIssue) *jLink {
	for _, l := range in.Links {
		if l.Type == lt && l.Inward == in && l.Outward == out {
			return l
		}
	}
	l := &jLink{ID: j.newID(), Type: lt, Inward: in, Outward: out}
	in.Links = append(in.Links, l)
	if out != in {
		out.Links = append(out.Links, l)
	}
	return l
}

// createLink serves POST /rest/api/3/issueLink. {inwardIssue: A,
// outwardIssue: B, type: Blocks} means "A blocks B".
func (s *Server) createLink(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	if !jRejectUnknown(w, body, "com.atlassian.jira.rest.v2.issue.link.LinkIssueRequestJsonBean", "type", "inwardIssue", "outwardIssue", "comment") {
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	tref, ok := jParseRef(body["type"])
	if !ok || tref.isNull || (tref.ID == "" && tref.Name == "") {
		jiraError(w, http.StatusBadRequest, []string{"Issue link type must be specified."}, nil)
		return
	}
	lt := j.linkType(tref.Name, tref.ID)
	if lt == nil {
		if tref.ID != "" {
			jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("No issue link type with id '%s' found.", tref.ID)}, nil)
		} else {
			jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("No issue link type with name '%s' found.", tref.Name)}, nil)
		}
		return
	}
	find := func(k string) (*jIssue, bool) {
		raw, present := body[k]
		ref, ok := jParseRef(raw)
		if !present || !ok || ref.isNull || (ref.ID == "" && ref.Key == "") {
			return nil, false
		}
		if ref.Key != "" {
			return j.issue(ref.Key), true
		}
		return j.issue(ref.ID), true
	}
	in, inOK := find("inwardIssue")
	out, outOK := find("outwardIssue")
	if !inOK || !outOK {
		jiraError(w, http.StatusBadRequest, []string{"Both inward and outward issues must be specified."}, nil)
		return
	}
	if in == nil || out == nil {
		jiraError(w, http.StatusNotFound, []string{"Issue Does Not Exist"}, nil)
		return
	}
	if in == out {
		jiraError(w, http.StatusBadRequest, []string{"You cannot link an issue to itself."}, nil)
		return
	}
	var comment json.RawMessage
	if raw, ok := body["comment"]; ok && !jIsJSONNull(raw) {
		var cb struct {
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal(raw, &cb) != nil || len(cb.Body) == 0 {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": "Comment body can not be empty!"})
			return
		}
		if _, ok := jParseADF(cb.Body); !ok {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": jMsgMustBeADF})
			return
		}
		if jTextTooLong(cb.Body) {
			jiraError(w, http.StatusBadRequest, nil, map[string]string{"comment": jMsgTextTooLong})
			return
		}
		comment = cb.Body
	}
	if !s.allowIssueWrite(w, in.Key) || !s.allowIssueWrite(w, out.Key) {
		return
	}
	now := s.now()
	l := j.link(lt, in, out)
	for _, is := range []*jIssue{in, out} {
		phrase, target := lt.Outward, out
		if is == out {
			phrase, target = lt.Inward, in
		}
		is.History = append(is.History, &jHistory{ID: j.newID(), Author: c.AccountID, Created: now, Items: []jChangeItem{
			{Field: "Link", FieldType: "jira", To: target.Key, ToSt: "This issue " + phrase + " " + target.Key}}})
		is.Updated = now
	}
	if comment != nil {
		in.Comments = append(in.Comments, &jComment{ID: j.newID(), Author: c.AccountID, Body: comment, Created: now, Updated: now})
	}
	_ = l
	j.refreshView(in)
	j.refreshView(out)
	w.WriteHeader(http.StatusCreated)
}

// linkByID finds a link by id.
func (j *jiraState) linkByID(id string) *jLink {
	for _, is := range j.issues {
		for _, l := range is.Links {
			if l.ID == id {
				return l
			}
		}
	}
	return nil
}

// getLink serves GET /rest/api/3/issueLink/{linkId}.
func (s *Server) getLink(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	l := j.linkByID(r.PathValue("linkId"))
	if l == nil {
		jiraError(w, http.StatusNotFound, []string{"No issue link with id '" + jTruncate(r.PathValue("linkId"), 50) + "' exists."}, nil)
		return
	}
	rr := s.jRenderer(c)
	jWriteJSON(w, http.StatusOK, map[string]any{"id": l.ID, "self": rr.base + "/issueLink/" + l.ID, "type": rr.linkType(l.Type),
		"inwardIssue": rr.issueRef(l.Inward), "outwardIssue": rr.issueRef(l.Outward)})
}

// deleteLink serves DELETE /rest/api/3/issueLink/{linkId}.
func (s *Server) deleteLink(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	l := j.linkByID(r.PathValue("linkId"))
	if l == nil {
		jiraError(w, http.StatusNotFound, []string{"No issue link with id '" + jTruncate(r.PathValue("linkId"), 50) + "' exists."}, nil)
		return
	}
	for _, is := range []*jIssue{l.Inward, l.Outward} {
		var keep []*jLink
		for _, x := range is.Links {
			if x != l {
				keep = append(keep, x)
			}
		}
		is.Links = keep
		is.Updated = s.now()
		j.refreshView(is)
	}
	w.WriteHeader(http.StatusNoContent)
}

// --- assignee and watchers ---

// assignIssue serves PUT /rest/api/3/issue/{issueIdOrKey}/assignee.
func (s *Server) assignIssue(w http.ResponseWriter, r *http.Request, c *caller) {
	var body map[string]json.RawMessage
	if !decodeJira(w, r, &body) {
		return
	}
	var id *string
	if raw, ok := body["accountId"]; ok && !jIsJSONNull(raw) {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			jiraError(w, http.StatusBadRequest, []string{"Can not deserialize value of type java.lang.String from non-string token"}, nil)
			return
		}
		id = &v
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	target := ""
	if id != nil {
		switch *id {
		case "-1":
			target = is.Project.DefaultAssignee
		default:
			u := s.userByID(*id)
			if u == nil {
				// ATLASSIAN.md §2.10: 400 when the user is not found.
				jiraError(w, http.StatusBadRequest, nil, map[string]string{"assignee": "Specified user does not exist or you do not have required permissions"})
				return
			}
			if !u.Active || u.AccountType != "atlassian" {
				jiraError(w, http.StatusBadRequest, nil, map[string]string{"assignee": fmt.Sprintf("User '%s' cannot be assigned issues.", u.DisplayName)})
				return
			}
			target = u.AccountID
		}
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	ct := s.track(is)
	ct.touch(j.fieldByID["assignee"])
	is.Assignee = target
	if target != "" {
		is.Watchers = jAppendUnique(is.Watchers, target)
	}
	ct.commit(j, c.AccountID, s.now())
	j.refreshView(is)
	w.WriteHeader(http.StatusNoContent)
}

// addWatcher serves POST /rest/api/3/issue/{issueIdOrKey}/watchers. The body
// is a bare JSON string (an account id); an empty body adds the caller.
func (s *Server) addWatcher(w http.ResponseWriter, r *http.Request, c *caller) {
	id := c.AccountID
	var v string
	if err := decodeJSON(r, &v); err != nil && err != errEmptyBody {
		jWriteDecodeError(w, err)
		return
	} else if err == nil {
		id = v
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	u := s.userByID(id)
	if u == nil {
		jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("The user with account ID '%s' does not exist.", jTruncate(id, 80))}, nil)
		return
	}
	if !u.Active {
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("The user '%s' is inactive and cannot watch issues.", u.DisplayName)}, nil)
		return
	}
	if !s.allowIssueWrite(w, is.Key) {
		return
	}
	is.Watchers = jAppendUnique(is.Watchers, u.AccountID)
	j.refreshView(is)
	w.WriteHeader(http.StatusNoContent)
}

// getWatchers serves GET /rest/api/3/issue/{issueIdOrKey}/watchers.
func (s *Server) getWatchers(w http.ResponseWriter, r *http.Request, c *caller) {
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	rr := s.jRenderer(c)
	ws := []any{}
	watching := false
	for _, id := range is.Watchers {
		if u := s.userByID(id); u != nil {
			m := rr.userObj(u)
			delete(m, "emailAddress")
			ws = append(ws, m)
		}
		watching = watching || id == c.AccountID
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"self": rr.base + "/issue/" + is.Key + "/watchers", "isWatching": watching,
		"watchCount": len(is.Watchers), "watchers": ws})
}

// removeWatcher serves DELETE /rest/api/3/issue/{issueIdOrKey}/watchers?accountId=.
func (s *Server) removeWatcher(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.URL.Query().Get("accountId")
	if id == "" {
		jiraError(w, http.StatusBadRequest, []string{"The accountId query parameter is required."}, nil)
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	if s.userByID(id) == nil {
		jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("The user with account ID '%s' does not exist.", jTruncate(id, 80))}, nil)
		return
	}
	is.Watchers = jRemoveString(is.Watchers, id)
	j.refreshView(is)
	w.WriteHeader(http.StatusNoContent)
}

// --- changelog ---

// getChangelog serves GET /rest/api/3/issue/{issueIdOrKey}/changelog
// (oldest first, paged).
func (s *Server) getChangelog(w http.ResponseWriter, r *http.Request, c *caller) {
	startAt, maxResults, ok := jPageParams(w, r, 100, 100)
	if !ok {
		return
	}
	if maxResults == 0 {
		maxResults = 100
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(w, r, j)
	if is == nil {
		return
	}
	rr := s.jRenderer(c)
	lo, hi := jPageBounds(startAt, maxResults, len(is.History))
	vals := make([]any, 0, hi-lo)
	for _, h := range is.History[lo:hi] {
		vals = append(vals, rr.history(h))
	}
	self := rr.base + "/issue/" + is.Key + "/changelog"
	out := map[string]any{"self": self + "?maxResults=" + itoa(maxResults) + "&startAt=" + itoa(startAt), "maxResults": maxResults,
		"startAt": startAt, "total": len(is.History), "isLast": hi >= len(is.History), "values": vals}
	if hi < len(is.History) {
		out["nextPage"] = self + "?maxResults=" + itoa(maxResults) + "&startAt=" + itoa(hi)
	}
	jWriteJSON(w, http.StatusOK, out)
}

// jFieldsAndUpdate decodes the "fields" and "update" members of an issue
// write body (create, edit, transition); a member of the wrong shape gets
// Jira's 400 and ok false.
func jFieldsAndUpdate(w http.ResponseWriter, body map[string]json.RawMessage) (fields map[string]json.RawMessage, update map[string][]map[string]json.RawMessage, ok bool) {
	if raw, has := body["fields"]; has && !jIsJSONNull(raw) && json.Unmarshal(raw, &fields) != nil {
		jiraError(w, http.StatusBadRequest, []string{"Can not deserialize instance of java.util.LinkedHashMap out of non-object token"}, nil)
		return nil, nil, false
	}
	if raw, has := body["update"]; has && !jIsJSONNull(raw) && json.Unmarshal(raw, &update) != nil {
		jiraError(w, http.StatusBadRequest, []string{"Can not deserialize instance of java.util.LinkedHashMap out of non-object token"}, nil)
		return nil, nil, false
	}
	return fields, update, true
}
