package sandbox

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// jira returns s's Jira state, creating an empty one on first use. The
// first use is in seedJira/generateJira/registerJira, before the server
// serves, so the field is never written concurrently.
func (s *Server) jira() *jiraState {
	if j, ok := s.jiraExt.(*jiraState); ok {
		return j
	}
	j := newJiraState()
	j.initUsers(s.users)
	s.jiraExt = j
	return j
}

// Status category keys, as JQL's statusCategory and the REST statusCategory.key use them.
const (
	catNew           = "new"
	catIndeterminate = "indeterminate"
	catDone          = "done"
)

// jStatusCategory is a status category (To Do, In Progress, Done).
type jStatusCategory struct {
	ID        int
	Key       string
	Name      string
	ColorName string
}

var (
	catToDo       = &jStatusCategory{2, catNew, "To Do", "blue-gray"}
	catInProgress = &jStatusCategory{4, catIndeterminate, "In Progress", "yellow"}
	catComplete   = &jStatusCategory{3, catDone, "Done", "green"}
)

// jStatus is a workflow status.
type jStatus struct {
	ID          string
	Name        string
	Description string
	Cat         *jStatusCategory
}

// jTransition is one workflow transition. From empty means a global
// transition (available from every status but its target).
type jTransition struct {
	ID        string
	Name      string
	From      []*jStatus
	To        *jStatus
	HasScreen bool
	Fields    []string // field ids on the transition screen
}

// jWorkflow is the workflow an issue type uses in a project.
type jWorkflow struct {
	Name        string
	Initial     *jStatus
	Statuses    []*jStatus
	Transitions []*jTransition
}

// available returns the transitions available from status st.
func (wf *jWorkflow) available(st *jStatus) []*jTransition {
	var out []*jTransition
	for _, t := range wf.Transitions {
		if t.To == st && len(t.From) == 0 {
			continue
		}
		if len(t.From) == 0 {
			out = append(out, t)
			continue
		}
		for _, f := range t.From {
			if f == st {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// jIssueType is an issue type.
type jIssueType struct {
	ID             string
	Name           string
	Description    string
	Subtask        bool
	HierarchyLevel int
	AvatarID       int
}

// jPriority is a priority.
type jPriority struct {
	ID          string
	Name        string
	Description string
	StatusColor string
	IsDefault   bool
}

// jResolution is a resolution.
type jResolution struct {
	ID, Name, Description string
}

// jComponent is a project component.
type jComponent struct {
	ID, Name, Description string
	Project               *jProject
	Lead                  string
}

// jVersion is a project version.
type jVersion struct {
	ID, Name    string
	Released    bool
	ReleaseDate string
	Project     *jProject
}

// jSprint is a board sprint.
type jSprint struct {
	ID                           int
	Name, State, Goal            string
	BoardID                      int
	Start, End, Complete         time.Time
	hasStart, hasEnd, isComplete bool
}

// jOption is a select list option of a custom field.
type jOption struct {
	ID, Value string
	Disabled  bool
}

// Field kinds (the sandbox's own classification; schema types derive from it).
const (
	fkString    = "string"    // system text (summary)
	fkADF       = "adf"       // description, environment
	fkTextField = "textfield" // custom single-line text
	fkTextArea  = "textarea"  // custom multi-line text (ADF)
	fkNumber    = "number"
	fkDate      = "date"
	fkDateTime  = "datetime"
	fkOption    = "option"
	fkMultiOpt  = "multioption"
	fkSprint    = "sprint"
	fkLabels    = "labels"
	fkUser      = "user"
	fkSystem    = "system" // rendered specially
)

// jField is a field of the site (system or custom).
type jField struct {
	ID          string
	Name        string
	Custom      bool
	CustomID    int
	Kind        string
	SchemaType  string // schema.type
	SchemaItems string // schema.items
	SchemaSys   string // schema.system
	CustomType  string // schema.custom
	Navigable   bool
	Orderable   bool
	Searchable  bool
	ClauseNames []string
	Options     []*jOption
	// render is a system field's renderer from fieldRenderers, looked up
	// once by addField (nil for custom fields and fields rendered as null).
	render fieldRenderer
}

// optionByValue finds an option by value (exact) or id.
func (f *jField) option(value, id string) *jOption {
	for _, o := range f.Options {
		if (id != "" && o.ID == id) || (id == "" && o.Value == value) {
			return o
		}
	}
	return nil
}

// jLinkType is an issue link type.
type jLinkType struct {
	ID, Name, Inward, Outward string
}

// jProject is a Jira project.
type jProject struct {
	ID, Key, Name, Description string
	Lead                       string
	TypeKey                    string
	Style                      string // classic / next-gen
	Category                   string
	IssueTypes                 []*jIssueType
	Components                 []*jComponent
	Versions                   []*jVersion
	Priorities                 []*jPriority
	DefaultAssignee            string                // "" = unassigned
	workflows                  map[string]*jWorkflow // issue type id -> workflow
	screens                    map[string][]string   // issue type id -> field ids on the create/edit screen
	required                   map[string][]string   // issue type id -> required field ids beyond the always-required
	issues                     []*jIssue
	views                      []*jqlView // issues' JQL views, same order
	nextNum                    int
}

func (p *jProject) issueType(nameOrID string) *jIssueType {
	for _, it := range p.IssueTypes {
		if it.ID == nameOrID || strings.EqualFold(it.Name, nameOrID) {
			return it
		}
	}
	return nil
}

func (p *jProject) onScreen(it *jIssueType, fieldID string) bool {
	for _, f := range p.screens[it.ID] {
		if f == fieldID {
			return true
		}
	}
	return false
}

func (p *jProject) isRequired(it *jIssueType, fieldID string) bool {
	for _, f := range p.required[it.ID] {
		if f == fieldID {
			return true
		}
	}
	return false
}

func (p *jProject) hasPriority(pr *jPriority) bool {
	for _, x := range p.Priorities {
		if x == pr {
			return true
		}
	}
	return false
}

// jComment is an issue comment.
type jComment struct {
	ID      string
	Author  string
	Body    json.RawMessage
	Text    string
	Created time.Time
	Updated time.Time
}

// jWorklog is an issue worklog.
type jWorklog struct {
	ID      string
	Author  string
	Comment json.RawMessage
	Started time.Time
	Seconds int64
	Created time.Time
	Updated time.Time
}

// jLink is an issue link: Inward "‹outward phrase›" Outward, e.g. for Blocks
// "Inward blocks Outward" and "Outward is blocked by Inward".
type jLink struct {
	ID      string
	Type    *jLinkType
	Inward  *jIssue
	Outward *jIssue
}

// jChangeItem is one field change of a history entry.
type jChangeItem struct {
	Field, FieldType, FieldID  string
	From, FromString, To, ToSt string
}

// jHistory is one changelog entry.
type jHistory struct {
	ID      string
	Author  string
	Created time.Time
	Items   []jChangeItem
}

// jIssue is one issue.
type jIssue struct {
	ID          int
	Key         string
	Project     *jProject
	Type        *jIssueType
	Status      *jStatus
	Summary     string
	Description json.RawMessage // ADF or nil
	Environment json.RawMessage // ADF or nil
	Priority    *jPriority
	Assignee    string
	Reporter    string
	Creator     string
	Labels      []string
	Components  []*jComponent
	FixVersions []*jVersion
	Parent      *jIssue
	Children    []*jIssue
	Created     time.Time
	Updated     time.Time
	Resolved    time.Time
	StatusCat   time.Time
	Due         string // yyyy-MM-dd or ""
	Resolution  *jResolution
	Custom      map[string]any // field id -> float64 | *jOption | []*jOption | string (date, text) | json.RawMessage (textarea) | []*jSprint
	Comments    []*jComment
	Worklogs    []*jWorklog
	Links       []*jLink
	Watchers    []string
	History     []*jHistory
	OrigEst     int64 // seconds, 0 = none
	RemainEst   int64

	view *jqlView
}

func (is *jIssue) idStr() string { return strconv.Itoa(is.ID) }

func (is *jIssue) timeSpent() int64 {
	var n int64
	for _, w := range is.Worklogs {
		n += w.Seconds
	}
	return n
}

// jiraState is the whole Jira side of a site.
type jiraState struct {
	projects     []*jProject
	projectByKey map[string]*jProject // upper-case key
	projectByID  map[string]*jProject
	issueTypes   []*jIssueType
	statuses     []*jStatus
	priorities   []*jPriority
	resolutions  []*jResolution
	fields       []*jField
	fieldByID    map[string]*jField
	linkTypes    []*jLinkType
	sprints      []*jSprint
	issues       []*jIssue
	views        []*jqlView         // issues' JQL views, same order
	issueByKey   map[string]*jIssue // upper-case key
	issueByID    map[int]*jIssue
	movedKeys    map[string]*jIssue // old key -> issue
	nextIssueID  int
	nextID       int // comments, worklogs, links, histories, components
	tokenSecret  []byte
	jq           jqlState
	rcache       map[string]json.RawMessage // rendered immutable objects (see jRender.cached)
	rcacheBase   string                     // the base URL rcache was rendered with
	textCache    map[string]string          // ADF JSON -> plain text, for shared seed documents
}

func newJiraState() *jiraState {
	return &jiraState{
		projectByKey: map[string]*jProject{},
		projectByID:  map[string]*jProject{},
		fieldByID:    map[string]*jField{},
		issueByKey:   map[string]*jIssue{},
		issueByID:    map[int]*jIssue{},
		movedKeys:    map[string]*jIssue{},
		nextIssueID:  10000,
		nextID:       10000,
		tokenSecret:  []byte("sandbox-jira-search-token"),
	}
}

func (j *jiraState) newID() string {
	j.nextID++
	return strconv.Itoa(j.nextID)
}

// project finds a project by id or key (case-insensitive).
func (j *jiraState) project(idOrKey string) *jProject {
	if p := j.projectByID[idOrKey]; p != nil {
		return p
	}
	return j.projectByKey[strings.ToUpper(idOrKey)]
}

// issue finds an issue by id or key (case-insensitive; moved keys too).
func (j *jiraState) issue(idOrKey string) *jIssue {
	if n, err := strconv.Atoi(idOrKey); err == nil {
		return j.issueByID[n]
	}
	k := strings.ToUpper(idOrKey)
	if is := j.issueByKey[k]; is != nil {
		return is
	}
	return j.movedKeys[k]
}

func (j *jiraState) issueType(nameOrID string) *jIssueType {
	for _, it := range j.issueTypes {
		if it.ID == nameOrID || strings.EqualFold(it.Name, nameOrID) {
			return it
		}
	}
	return nil
}

func (j *jiraState) priority(name, id string) *jPriority {
	for _, p := range j.priorities {
		if (id != "" && p.ID == id) || (id == "" && strings.EqualFold(p.Name, name)) {
			return p
		}
	}
	return nil
}

func (j *jiraState) resolution(name, id string) *jResolution {
	for _, r := range j.resolutions {
		if (id != "" && r.ID == id) || (id == "" && strings.EqualFold(r.Name, name)) {
			return r
		}
	}
	return nil
}

func (j *jiraState) linkType(name, id string) *jLinkType {
	for _, lt := range j.linkTypes {
		if (id != "" && lt.ID == id) || (id == "" && strings.EqualFold(lt.Name, name)) {
			return lt
		}
	}
	return nil
}

func (j *jiraState) addField(f *jField) {
	if f.Custom {
		f.CustomID, _ = strconv.Atoi(strings.TrimPrefix(f.ID, "customfield_"))
		f.ClauseNames = []string{"cf[" + strconv.Itoa(f.CustomID) + "]", f.Name}
		f.Navigable, f.Orderable, f.Searchable = true, true, true
	} else {
		f.render = fieldRenderers[f.ID]
	}
	j.fields = append(j.fields, f)
	j.fieldByID[f.ID] = f
}

// addProject registers p.
func (j *jiraState) addProject(p *jProject) {
	j.projects = append(j.projects, p)
	j.projectByKey[p.Key] = p
	j.projectByID[p.ID] = p
	if p.workflows == nil {
		p.workflows = map[string]*jWorkflow{}
	}
	if p.screens == nil {
		p.screens = map[string][]string{}
	}
	if p.required == nil {
		p.required = map[string][]string{}
	}
	j.jq.env = nil
}

// insertIssue gives is an id and key in its project and indexes it.
func (j *jiraState) insertIssue(is *jIssue) {
	j.nextIssueID++
	is.ID = j.nextIssueID
	is.Project.nextNum++
	is.Key = is.Project.Key + "-" + strconv.Itoa(is.Project.nextNum)
	if is.Custom == nil {
		is.Custom = map[string]any{}
	}
	if is.view == nil {
		is.view = &jqlView{}
	}
	j.issues = append(j.issues, is)
	j.views = append(j.views, is.view)
	j.issueByKey[is.Key] = is
	j.issueByID[is.ID] = is
	is.Project.issues = append(is.Project.issues, is)
	is.Project.views = append(is.Project.views, is.view)
	if is.Parent != nil {
		is.Parent.Children = append(is.Parent.Children, is)
	}
}

// sortedProjects returns the projects ordered by key.
func (j *jiraState) sortedProjects() []*jProject {
	out := append([]*jProject(nil), j.projects...)
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

// jiraTime formats t as Jira does: 2026-11-20T10:15:30.000+0000.
func jiraTime(t time.Time) string { return t.UTC().Format(jiraTimeLayout) }

const jiraTimeLayout = "2006-01-02T15:04:05.000-0700"
