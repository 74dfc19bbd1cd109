package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Jira's field validation texts.
const (
	jMsgNotOnScreen  = "Field '%s' cannot be set. It is not on the appropriate screen, or unknown."
	jMsgMustBeString = "Operation value must be a string"
	jMsgMustBeNumber = "Operation value must be a number"
	jMsgMustBeADF    = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
	jMsgBadDate      = "Error parsing date string: %s"
	jMsgHierarchy    = "Given parent issue does not belong to appropriate hierarchy."
	jMsgNoParent     = "Could not find issue by id or key."
)

// jFieldEditable reports whether field fid can be set on an issue of type it
// in project p (create and edit screens are the same in the sandbox).
func jFieldEditable(p *jProject, it *jIssueType, fid string) bool {
	switch fid {
	case "summary", "issuetype", "project":
		return true
	}
	return p.onScreen(it, fid)
}

// fieldWrite is one value being set on field f of issue is: raw as the
// request sent it, null when it is JSON null.
type fieldWrite struct {
	s    *Server
	j    *jiraState
	is   *jIssue
	f    *jField
	raw  json.RawMessage
	null bool
}

// fieldSetter applies a fieldWrite and returns Jira's error text, or "".
type fieldSetter func(w *fieldWrite) string

// systemSetters are the setters of the system fields a create or an edit
// can set, by field id.
var systemSetters = map[string]fieldSetter{
	"summary":      (*fieldWrite).setSummary,
	"description":  (*fieldWrite).setDocument,
	"environment":  (*fieldWrite).setDocument,
	"priority":     (*fieldWrite).setPriority,
	"assignee":     (*fieldWrite).setAssignee,
	"reporter":     (*fieldWrite).setReporter,
	"labels":       (*fieldWrite).setLabels,
	"components":   (*fieldWrite).setComponents,
	"fixVersions":  (*fieldWrite).setFixVersions,
	"duedate":      (*fieldWrite).setDueDate,
	"parent":       (*fieldWrite).setParent,
	"timetracking": (*fieldWrite).setTimeTracking,
	"issuelinks":   (*fieldWrite).setIssueLinks,
	"resolution":   (*fieldWrite).setResolution,
}

// customSetters are the setters of custom fields, by field kind; a null
// value clears any of them before its setter is chosen.
var customSetters = map[string]fieldSetter{
	fkNumber:    (*fieldWrite).setNumber,
	fkTextField: (*fieldWrite).setTextField,
	fkTextArea:  (*fieldWrite).setTextArea,
	fkDate:      (*fieldWrite).setDate,
	fkOption:    (*fieldWrite).setOption,
	fkMultiOpt:  (*fieldWrite).setMultiOption,
	fkSprint:    (*fieldWrite).setSprint,
}

// setField applies raw as the new value of field f on is and returns
// Jira's error text, or "". A field without a setter (a system field by
// id, a custom field by kind) is not on the screen.
func (s *Server) setField(j *jiraState, is *jIssue, f *jField, raw json.RawMessage) string {
	w := &fieldWrite{s: s, j: j, is: is, f: f, raw: raw, null: jIsJSONNull(raw)}
	set := systemSetters[f.ID]
	if f.Custom {
		if w.null {
			delete(is.Custom, f.ID)
			return ""
		}
		set = customSetters[f.Kind]
	}
	if set == nil {
		return fmt.Sprintf(jMsgNotOnScreen, f.ID)
	}
	return set(w)
}

// setSummary sets the summary: one line of at most 255 characters, trimmed.
func (w *fieldWrite) setSummary() string {
	var v string
	if json.Unmarshal(w.raw, &v) != nil || w.null {
		return jMsgMustBeString
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "You must specify a summary of the issue."
	}
	if utf8.RuneCountInString(v) > 255 {
		return "Summary must be less than 255 characters."
	}
	if strings.ContainsAny(v, "\r\n") {
		return "The summary is invalid because it contains newline characters."
	}
	w.is.Summary = v
	return ""
}

// setDocument sets the description or the environment: an ADF document,
// or null to clear it.
func (w *fieldWrite) setDocument() string {
	var doc json.RawMessage
	if !w.null {
		if _, ok := jParseADF(w.raw); !ok {
			return jMsgMustBeADF
		}
		if jTextTooLong(w.raw) {
			return jMsgTextTooLong
		}
		doc = append(json.RawMessage(nil), w.raw...)
	}
	if w.f.ID == "description" {
		w.is.Description = doc
	} else {
		w.is.Environment = doc
	}
	return ""
}

// setPriority sets the priority by id or name, one of the project's
// scheme; null clears it.
func (w *fieldWrite) setPriority() string {
	ref, ok := jParseRef(w.raw)
	if !ok {
		return "Could not find valid 'id' or 'name' in priority object."
	}
	if ref.isNull {
		w.is.Priority = nil
		return ""
	}
	pr := w.j.priority(ref.Name, ref.ID)
	if pr == nil || !w.is.Project.hasPriority(pr) {
		if ref.ID != "" {
			return fmt.Sprintf("The priority selected is invalid. (id '%s')", ref.ID)
		}
		return "The priority selected is invalid."
	}
	w.is.Priority = pr
	return ""
}

// setAssignee sets the assignee by accountId (or id): an active person,
// "-1" for the project's default assignee, null or none to unassign.
func (w *fieldWrite) setAssignee() string {
	ref, ok := jParseRef(w.raw)
	if !ok {
		return "expected Object containing a 'accountId' property"
	}
	id := ref.AccountID
	if id == "" {
		id = ref.ID
	}
	if ref.isNull || id == "" {
		w.is.Assignee = ""
		return ""
	}
	if id == "-1" {
		w.is.Assignee = w.is.Project.DefaultAssignee
		return ""
	}
	u := w.s.userByID(id)
	if u == nil {
		return "Specified user does not exist or you do not have required permissions"
	}
	if !u.Active || u.AccountType != "atlassian" {
		return fmt.Sprintf("User '%s' cannot be assigned issues.", u.DisplayName)
	}
	w.is.Assignee = u.AccountID
	return ""
}

// setReporter sets the reporter by accountId (or id); it cannot be cleared.
func (w *fieldWrite) setReporter() string {
	ref, ok := jParseRef(w.raw)
	if !ok || ref.isNull {
		return "Reporter is required."
	}
	id := ref.AccountID
	if id == "" {
		id = ref.ID
	}
	if w.s.userByID(id) == nil {
		return "Specified reporter is not a user."
	}
	w.is.Reporter = id
	return ""
}

// setLabels sets the labels from an array of strings (duplicates dropped);
// null clears them.
func (w *fieldWrite) setLabels() string {
	var v []string
	if w.null {
		w.is.Labels = nil
		return ""
	}
	if json.Unmarshal(w.raw, &v) != nil {
		return "expected array of strings"
	}
	out := []string{}
	for _, l := range v {
		if msg := jCheckLabel(l); msg != "" {
			return msg
		}
		out = jAppendUnique(out, l)
	}
	w.is.Labels = out
	return ""
}

// setComponents sets the components from an array of project component
// references.
func (w *fieldWrite) setComponents() string {
	cs, msg := jParseComponents(w.is.Project, w.raw)
	if msg != "" {
		return msg
	}
	w.is.Components = cs
	return ""
}

// setFixVersions sets the fix versions from an array of project version
// references.
func (w *fieldWrite) setFixVersions() string {
	vs, msg := jParseVersions(w.is.Project, w.raw)
	if msg != "" {
		return msg
	}
	w.is.FixVersions = vs
	return ""
}

// setDueDate sets the due date (YYYY-MM-DD); null or "" clears it.
func (w *fieldWrite) setDueDate() string {
	if w.null {
		w.is.Due = ""
		return ""
	}
	var v string
	if json.Unmarshal(w.raw, &v) != nil {
		return fmt.Sprintf(jMsgBadDate, strings.Trim(string(w.raw), `"`))
	}
	if v == "" {
		w.is.Due = ""
		return ""
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return fmt.Sprintf(jMsgBadDate, v)
	}
	w.is.Due = v
	return ""
}

// setParent sets the parent through Server.setParent's hierarchy checks.
func (w *fieldWrite) setParent() string {
	return w.s.setParent(w.j, w.is, w.raw)
}

// setTimeTracking sets the original and remaining estimates (Jira duration
// text); an original estimate alone also sets the remaining one to what is
// left of it after the time logged.
func (w *fieldWrite) setTimeTracking() string {
	var tt struct {
		OriginalEstimate  *string `json:"originalEstimate"`
		RemainingEstimate *string `json:"remainingEstimate"`
	}
	if json.Unmarshal(w.raw, &tt) != nil {
		return "expected Object"
	}
	is := w.is
	if tt.OriginalEstimate != nil {
		sec, ok := jParseDuration(*tt.OriginalEstimate)
		if !ok {
			return "The original estimate specified is not valid."
		}
		is.OrigEst = sec
		if tt.RemainingEstimate == nil {
			is.RemainEst = max(0, sec-is.timeSpent())
		}
	}
	if tt.RemainingEstimate != nil {
		sec, ok := jParseDuration(*tt.RemainingEstimate)
		if !ok {
			return "The remaining estimate specified is not valid."
		}
		is.RemainEst = sec
	}
	return ""
}

// setIssueLinks accepts and ignores issuelinks in fields: links are made
// with update.issuelinks or POST /issueLink.
func (w *fieldWrite) setIssueLinks() string {
	return ""
}

// setResolution sets the resolution by id or name; null clears it.
func (w *fieldWrite) setResolution() string {
	ref, ok := jParseRef(w.raw)
	if !ok {
		return "Could not find valid 'id' or 'name' in resolution object."
	}
	if ref.isNull {
		w.is.Resolution = nil
		return ""
	}
	res := w.j.resolution(ref.Name, ref.ID)
	if res == nil {
		return "The resolution selected is invalid."
	}
	w.is.Resolution = res
	return ""
}

func jCheckLabel(l string) string {
	if strings.TrimSpace(l) == "" {
		return "The label can't be empty."
	}
	if strings.ContainsAny(l, " \t\r\n") {
		return fmt.Sprintf("The label '%s' contains spaces which is invalid.", l)
	}
	if utf8.RuneCountInString(l) > 255 {
		return "The label must not exceed 255 characters."
	}
	return ""
}

func jAppendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func jParseComponents(p *jProject, raw json.RawMessage) ([]*jComponent, string) {
	if jIsJSONNull(raw) {
		return nil, ""
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, "expected array of component objects"
	}
	var out []*jComponent
	for _, it := range items {
		c, msg := jFindComponent(p, it)
		if msg != "" {
			return nil, msg
		}
		out = append(out, c)
	}
	return out, ""
}

func jFindComponent(p *jProject, raw json.RawMessage) (*jComponent, string) {
	ref, ok := jParseRef(raw)
	if !ok || ref.isNull || (ref.ID == "" && ref.Name == "") {
		return nil, "Please provide Component"
	}
	for _, c := range p.Components {
		if (ref.ID != "" && c.ID == ref.ID) || (ref.ID == "" && c.Name == ref.Name) {
			return c, ""
		}
	}
	if ref.ID != "" {
		return nil, fmt.Sprintf("Component with id '%s' does not exist.", ref.ID)
	}
	return nil, fmt.Sprintf("Component name '%s' is not valid", ref.Name)
}

func jParseVersions(p *jProject, raw json.RawMessage) ([]*jVersion, string) {
	if jIsJSONNull(raw) {
		return nil, ""
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, "expected array of version objects"
	}
	var out []*jVersion
	for _, it := range items {
		v, msg := jFindVersion(p, it)
		if msg != "" {
			return nil, msg
		}
		out = append(out, v)
	}
	return out, ""
}

func jFindVersion(p *jProject, raw json.RawMessage) (*jVersion, string) {
	ref, ok := jParseRef(raw)
	if !ok || ref.isNull || (ref.ID == "" && ref.Name == "") {
		return nil, "Please provide Version"
	}
	for _, v := range p.Versions {
		if (ref.ID != "" && v.ID == ref.ID) || (ref.ID == "" && v.Name == ref.Name) {
			return v, ""
		}
	}
	if ref.ID != "" {
		return nil, fmt.Sprintf("Version id '%s' is not valid", ref.ID)
	}
	return nil, fmt.Sprintf("Version name '%s' is not valid", ref.Name)
}

// setParent sets is's parent from a {"key"}/{"id"} reference, enforcing
// the hierarchy: sub-tasks under standard issues of the same project,
// standard issues under epics, epics under nothing.
func (s *Server) setParent(j *jiraState, is *jIssue, raw json.RawMessage) string {
	ref, ok := jParseRef(raw)
	if !ok {
		return jMsgNoParent
	}
	var parent *jIssue
	if !ref.isNull {
		switch {
		case ref.Key != "":
			parent = j.issue(ref.Key)
		case ref.ID != "":
			if _, err := strconv.Atoi(ref.ID); err == nil {
				parent = j.issue(ref.ID)
			}
		}
		if parent == nil {
			return jMsgNoParent
		}
	}
	if parent == nil {
		if is.Type.Subtask {
			return "Issue type is a sub-task but parent issue key or id not specified."
		}
		s.reparent(is, nil)
		return ""
	}
	if parent == is || parent.Type.HierarchyLevel != is.Type.HierarchyLevel+1 {
		return jMsgHierarchy
	}
	if is.Type.Subtask && parent.Project != is.Project {
		return "Sub-tasks must be created in the same project as the parent."
	}
	s.reparent(is, parent)
	return ""
}

// reparent moves is under parent (nil: no parent), keeping Children lists
// right for issues already stored.
func (s *Server) reparent(is, parent *jIssue) {
	if is.Parent == parent {
		return
	}
	if old := is.Parent; old != nil && is.ID != 0 {
		for i, c := range old.Children {
			if c == is {
				old.Children = append(old.Children[:i:i], old.Children[i+1:]...)
				break
			}
		}
	}
	is.Parent = parent
	if parent != nil && is.ID != 0 {
		parent.Children = append(parent.Children, is)
	}
}

// setNumber sets a number custom field (finite).
func (w *fieldWrite) setNumber() string {
	var v float64
	if json.Unmarshal(w.raw, &v) != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return jMsgMustBeNumber
	}
	w.is.Custom[w.f.ID] = v
	return ""
}

// setTextField sets a single-line text custom field (at most 255
// characters); "" clears it.
func (w *fieldWrite) setTextField() string {
	var v string
	if json.Unmarshal(w.raw, &v) != nil {
		return jMsgMustBeString
	}
	if utf8.RuneCountInString(v) > 255 {
		return "The entered text is too long. It exceeds the allowed limit of 255 characters."
	}
	if v == "" {
		delete(w.is.Custom, w.f.ID)
	} else {
		w.is.Custom[w.f.ID] = v
	}
	return ""
}

// setTextArea sets a multi-line text custom field: an ADF document.
func (w *fieldWrite) setTextArea() string {
	if _, ok := jParseADF(w.raw); !ok {
		return jMsgMustBeADF
	}
	if jTextTooLong(w.raw) {
		return jMsgTextTooLong
	}
	w.is.Custom[w.f.ID] = append(json.RawMessage(nil), w.raw...)
	return ""
}

// setDate sets a date custom field (YYYY-MM-DD).
func (w *fieldWrite) setDate() string {
	var v string
	if json.Unmarshal(w.raw, &v) != nil {
		return fmt.Sprintf(jMsgBadDate, strings.Trim(string(w.raw), `"`))
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return fmt.Sprintf(jMsgBadDate, v)
	}
	w.is.Custom[w.f.ID] = v
	return ""
}

// setOption sets a select custom field to one of its enabled options.
func (w *fieldWrite) setOption() string {
	o, msg := jFindOption(w.f, w.raw)
	if msg != "" {
		return msg
	}
	w.is.Custom[w.f.ID] = o
	return ""
}

// setMultiOption sets a multi-select custom field from an array of option
// references; an empty array clears it.
func (w *fieldWrite) setMultiOption() string {
	var items []json.RawMessage
	if json.Unmarshal(w.raw, &items) != nil {
		return fmt.Sprintf("Specify a valid 'id' or 'name' for %s", w.f.Name)
	}
	var out []*jOption
	for _, it := range items {
		o, msg := jFindOption(w.f, it)
		if msg != "" {
			return msg
		}
		out = append(out, o)
	}
	if len(out) == 0 {
		delete(w.is.Custom, w.f.ID)
	} else {
		w.is.Custom[w.f.ID] = out
	}
	return ""
}

// setSprint puts the issue in an active or future sprint by id; the closed
// sprints it was in stay in its history.
func (w *fieldWrite) setSprint() string {
	var id float64
	if json.Unmarshal(w.raw, &id) != nil || id != math.Trunc(id) {
		return "Number value expected as the Sprint id."
	}
	sp := w.j.sprint(int(id))
	if sp == nil {
		return fmt.Sprintf("Sprint with id %d does not exist.", int64(id))
	}
	if sp.State == "closed" {
		return "Issue can be assigned only active or future sprints."
	}
	var keep []*jSprint
	if old, ok := w.is.Custom[w.f.ID].([]*jSprint); ok {
		for _, o := range old {
			if o.State == "closed" {
				keep = append(keep, o)
			}
		}
	}
	w.is.Custom[w.f.ID] = append(keep, sp)
	return ""
}

func jFindOption(f *jField, raw json.RawMessage) (*jOption, string) {
	ref, ok := jParseRef(raw)
	if !ok || ref.isNull || (ref.ID == "" && ref.Value == "") {
		return nil, fmt.Sprintf("Specify a valid 'id' or 'name' for %s", f.Name)
	}
	o := f.option(ref.Value, ref.ID)
	if o == nil || o.Disabled {
		if ref.ID != "" {
			return nil, fmt.Sprintf("Option id '%s' is not valid", ref.ID)
		}
		return nil, fmt.Sprintf("Option value '%s' is not valid", ref.Value)
	}
	return o, ""
}

// fieldString is the changelog form (id, display string) of field fid of is.
func (s *Server) fieldString(is *jIssue, f *jField) (string, string) {
	switch f.ID {
	case "summary":
		return "", is.Summary
	case "description":
		return "", jAdfText(is.Description)
	case "environment":
		return "", jAdfText(is.Environment)
	case "priority":
		if is.Priority == nil {
			return "", ""
		}
		return is.Priority.ID, is.Priority.Name
	case "assignee", "reporter":
		id := is.Assignee
		if f.ID == "reporter" {
			id = is.Reporter
		}
		if u := s.userByID(id); u != nil {
			return id, u.DisplayName
		}
		return "", ""
	case "labels":
		return "", strings.Join(is.Labels, " ")
	case "components":
		var ids, names []string
		for _, c := range is.Components {
			ids, names = append(ids, c.ID), append(names, c.Name)
		}
		return strings.Join(ids, ","), strings.Join(names, ", ")
	case "fixVersions":
		var ids, names []string
		for _, v := range is.FixVersions {
			ids, names = append(ids, v.ID), append(names, v.Name)
		}
		return strings.Join(ids, ","), strings.Join(names, ", ")
	case "duedate":
		return is.Due, is.Due
	case "parent":
		if is.Parent == nil {
			return "", ""
		}
		return is.Parent.idStr(), is.Parent.Key
	case "timetracking":
		return strconv.FormatInt(is.OrigEst, 10), jFormatDuration(is.OrigEst)
	case "resolution":
		if is.Resolution == nil {
			return "", ""
		}
		return is.Resolution.ID, is.Resolution.Name
	}
	if f.Custom {
		switch x := is.Custom[f.ID].(type) {
		case float64:
			return "", strconv.FormatFloat(x, 'f', -1, 64)
		case string:
			return "", x
		case json.RawMessage:
			return "", jAdfText(x)
		case *jOption:
			return x.ID, x.Value
		case []*jOption:
			var ids, vals []string
			for _, o := range x {
				ids, vals = append(ids, o.ID), append(vals, o.Value)
			}
			return strings.Join(ids, ","), strings.Join(vals, ",")
		case []*jSprint:
			var ids, names []string
			for _, sp := range x {
				ids, names = append(ids, itoa(sp.ID)), append(names, sp.Name)
			}
			return strings.Join(ids, ", "), strings.Join(names, ", ")
		}
	}
	return "", ""
}

// jChangeTracker records field values before a write and turns the
// differences into one changelog entry.
type jChangeTracker struct {
	s      *Server
	is     *jIssue
	before map[string][2]string
	order  []*jField
}

func (s *Server) track(is *jIssue) *jChangeTracker {
	return &jChangeTracker{s: s, is: is, before: map[string][2]string{}}
}

func (ct *jChangeTracker) touch(f *jField) {
	if _, ok := ct.before[f.ID]; ok {
		return
	}
	id, str := ct.s.fieldString(ct.is, f)
	ct.before[f.ID] = [2]string{id, str}
	ct.order = append(ct.order, f)
}

// commit appends the changelog entry (if anything changed) and bumps
// updated. It reports whether anything changed.
func (ct *jChangeTracker) commit(j *jiraState, author string, at time.Time, extra ...jChangeItem) bool {
	items := append([]jChangeItem(nil), extra...)
	for _, f := range ct.order {
		id, str := ct.s.fieldString(ct.is, f)
		b := ct.before[f.ID]
		if b[0] == id && b[1] == str {
			continue
		}
		name := f.ID
		typ := "jira"
		if f.Custom {
			name, typ = f.Name, "custom"
		}
		items = append(items, jChangeItem{Field: name, FieldType: typ, FieldID: f.ID, From: b[0], FromString: b[1], To: id, ToSt: str})
	}
	if len(items) == 0 {
		return false
	}
	ct.is.History = append(ct.is.History, &jHistory{ID: j.newID(), Author: author, Created: at, Items: items})
	ct.is.Updated = at
	return true
}
