package atlassian

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// JiraClient is a Jira Cloud REST v3 client. Its services group the
// endpoints; all share one HTTP core (limiter, retry, logging).
type JiraClient struct {
	core *core

	// Issues gets, creates, edits, transitions, comments on, logs work on,
	// assigns and watches issues.
	Issues *IssuesService
	// Search runs enhanced JQL search (/search/jql) and approximate counts.
	Search *IssueSearchService
	// Users searches users (user search, assignable search, picker).
	Users *UsersService
	// Projects lists projects.
	Projects *ProjectsService
	// Meta reads schema metadata: create-meta, fields, priorities,
	// statuses, link types.
	Meta *MetaService
	// IssueLinks creates issue links.
	IssueLinks *IssueLinksService
}

// NewJiraClient returns a Jira client for baseURL (JiraBaseURL for the
// gateway, or the sandbox's) over hc, whose transport authenticates. A nil
// hc sends unauthenticated requests.
func NewJiraClient(baseURL string, hc *http.Client, opts ...Option) (*JiraClient, error) {
	c, err := newCore("jira", baseURL, hc, opts)
	if err != nil {
		return nil, err
	}
	return &JiraClient{
		core:       c,
		Issues:     &IssuesService{c: c},
		Search:     &IssueSearchService{c: c},
		Users:      &UsersService{c: c},
		Projects:   &ProjectsService{c: c},
		Meta:       &MetaService{c: c},
		IssueLinks: &IssueLinksService{c: c},
	}, nil
}

// BaseURL returns the configured base URL.
func (j *JiraClient) BaseURL() string { return j.core.base }

// Limiter returns the client's limiter (nil when rate limiting is off), to
// share it with a Confluence client of the same site or read its State.
func (j *JiraClient) Limiter() *Limiter { return j.core.lim }

// JiraTimeLayout is the layout Jira writes and expects for date-times
// ("2021-01-17T12:34:00.000+0000"; worklog started rejects "Z").
const JiraTimeLayout = "2006-01-02T15:04:05.000-0700"

// Time is a Jira or Confluence timestamp. It reads Jira's layout, RFC 3339
// and plain dates, and writes Jira's layout.
type Time struct{ time.Time }

var timeLayouts = []string{JiraTimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.000Z07:00", "2006-01-02"}

// UnmarshalJSON reads a timestamp string; null, "" and strings in an
// unknown layout give the zero Time. A non-string is an error.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		// The common case, a plain string: no second pass of encoding/json
		// (which validated b before calling) for every timestamp.
		s = string(b[1 : len(b)-1])
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v
			return nil
		}
	}
	// An unknown layout leaves the zero time rather than failing the
	// whole response over one timestamp.
	*t = Time{}
	return nil
}

// MarshalJSON writes Jira's layout, or null for the zero Time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(JiraTimeLayout))
}

// User is a Jira user. Privacy settings may leave EmailAddress empty.
//
// Jira's avatarUrls (four URLs per user) are not decoded: nothing reads
// them, and a map for every assignee, reporter and comment author and
// updater was a quarter of decoding an issue's typed fields (issue 12).
type User struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType,omitempty"`
	DisplayName  string `json:"displayName,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone,omitempty"`
	Self         string `json:"self,omitempty"`
}

// StatusCategory is a status's category (key "new", "indeterminate",
// "done").
type StatusCategory struct {
	ID        int    `json:"id,omitempty"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	ColorName string `json:"colorName,omitempty"`
}

// Status is an issue status.
type Status struct {
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name"`
	Description    string          `json:"description,omitempty"`
	StatusCategory *StatusCategory `json:"statusCategory,omitempty"`
}

// Priority is an issue priority.
type Priority struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	IconURL     string `json:"iconUrl,omitempty"`
	IsDefault   bool   `json:"isDefault,omitempty"`
}

// IssueType is an issue type.
type IssueType struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	Subtask        bool   `json:"subtask"`
	HierarchyLevel int    `json:"hierarchyLevel,omitempty"`
	IconURL        string `json:"iconUrl,omitempty"`
}

// Component is a project component.
type Component struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Project is a Jira project.
type Project struct {
	ID             string      `json:"id"`
	Key            string      `json:"key"`
	Name           string      `json:"name"`
	ProjectTypeKey string      `json:"projectTypeKey,omitempty"`
	Style          string      `json:"style,omitempty"`
	Simplified     bool        `json:"simplified,omitempty"`
	Description    string      `json:"description,omitempty"`
	Lead           *User       `json:"lead,omitempty"`
	IssueTypes     []IssueType `json:"issueTypes,omitempty"`
	URL            string      `json:"url,omitempty"`
	Self           string      `json:"self,omitempty"`
	// Insight comes with expand=insight.
	Insight *ProjectInsight `json:"insight,omitempty"`
}

// ProjectInsight is a project's activity (project search expand=insight).
type ProjectInsight struct {
	TotalIssueCount     int64 `json:"totalIssueCount"`
	LastIssueUpdateTime Time  `json:"lastIssueUpdateTime"`
}

// IssueRef is an issue as other issues embed it (parent, subtasks, links):
// its id, key and a few fields.
type IssueRef struct {
	ID     string          `json:"id,omitempty"`
	Key    string          `json:"key"`
	Self   string          `json:"self,omitempty"`
	Fields *IssueRefFields `json:"fields,omitempty"`
}

// IssueRefFields are the fields Jira embeds in an IssueRef.
type IssueRefFields struct {
	Summary   string     `json:"summary,omitempty"`
	Status    *Status    `json:"status,omitempty"`
	Priority  *Priority  `json:"priority,omitempty"`
	IssueType *IssueType `json:"issuetype,omitempty"`
}

// IssueLinkType is a link type: "Blocks" reads outward "blocks" and inward
// "is blocked by".
type IssueLinkType struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Inward  string `json:"inward,omitempty"`
	Outward string `json:"outward,omitempty"`
	Self    string `json:"self,omitempty"`
}

// IssueLink is an entry of fields.issuelinks. On issue X, an entry with
// InwardIssue Y reads "X ‹Type.Inward› Y"; with OutwardIssue Y it reads
// "X ‹Type.Outward› Y" (ATLASSIAN.md §2.9).
type IssueLink struct {
	ID           string        `json:"id,omitempty"`
	Type         IssueLinkType `json:"type"`
	InwardIssue  *IssueRef     `json:"inwardIssue,omitempty"`
	OutwardIssue *IssueRef     `json:"outwardIssue,omitempty"`
}

// Comment is an issue comment; Body is ADF.
type Comment struct {
	ID           string          `json:"id"`
	Author       *User           `json:"author,omitempty"`
	UpdateAuthor *User           `json:"updateAuthor,omitempty"`
	Body         json.RawMessage `json:"body,omitempty"`
	RenderedBody string          `json:"renderedBody,omitempty"`
	Created      Time            `json:"created"`
	Updated      Time            `json:"updated"`
	Visibility   *Visibility     `json:"visibility,omitempty"`
	Self         string          `json:"self,omitempty"`
}

// CommentPage is fields.comment: a page of comments.
type CommentPage struct {
	Comments   []Comment `json:"comments"`
	StartAt    int       `json:"startAt"`
	MaxResults int       `json:"maxResults"`
	Total      int       `json:"total"`
}

// Visibility restricts a comment or worklog to a role or group.
type Visibility struct {
	Type       string `json:"type"` // "role" or "group"
	Value      string `json:"value,omitempty"`
	Identifier string `json:"identifier,omitempty"`
}

// IssueFields are an issue's fields: the common ones typed, and every
// field (custom fields included) kept raw in Raw, so nothing is lost.
type IssueFields struct {
	Summary     string          `json:"summary,omitempty"`
	Status      *Status         `json:"status,omitempty"`
	Priority    *Priority       `json:"priority,omitempty"`
	Assignee    *User           `json:"assignee,omitempty"`
	Reporter    *User           `json:"reporter,omitempty"`
	Creator     *User           `json:"creator,omitempty"`
	IssueType   *IssueType      `json:"issuetype,omitempty"`
	Project     *Project        `json:"project,omitempty"`
	Labels      []string        `json:"labels,omitempty"`
	Components  []Component     `json:"components,omitempty"`
	Parent      *IssueRef       `json:"parent,omitempty"`
	Subtasks    []IssueRef      `json:"subtasks,omitempty"`
	IssueLinks  []IssueLink     `json:"issuelinks,omitempty"`
	Comment     *CommentPage    `json:"comment,omitempty"`
	Created     Time            `json:"created"`
	Updated     Time            `json:"updated"`
	DueDate     string          `json:"duedate,omitempty"`
	Resolution  *Resolution     `json:"resolution,omitempty"`
	Description json.RawMessage `json:"description,omitempty"` // ADF, or null

	// Raw holds every field as received, keyed by field id
	// ("customfield_10016", "summary", …).
	Raw map[string]json.RawMessage `json:"-"`
}

// Resolution is an issue resolution.
type Resolution struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// UnmarshalJSON fills Raw and the typed fields, decoding each value once
// (issue 12: decoding every issue twice, into a map and then into the
// struct, was a third of the HTTP benchmark's CPU). The object is copied
// once and split into its members by a scan that decodes nothing (Raw's
// values are slices of that copy); the typed fields are then decoded in one
// call from their own members only, never the custom fields around them.
// A typed field whose value has an unexpected shape is left zero (it stays
// readable in Raw) rather than failing the whole issue.
// TestIssueFieldsDecodeOnce checks the result against encoding/json
// decoding the struct by its tags.
//
// b must be valid JSON, as encoding/json guarantees to an Unmarshaler.
func (f *IssueFields) UnmarshalJSON(b []byte) error {
	own := bytes.Clone(b) // the caller's buffer may be reused (json.Decoder)
	raw := make(map[string]json.RawMessage, 64)
	keys := typedFieldKeys()
	buf := typedBuffers.Get().(*[]byte)
	defer typedBuffers.Put(buf)
	typed := append((*buf)[:0], '{')
	err := eachMember(own, func(k string, v []byte) {
		raw[k] = v
		if keys[k] && string(v) != "null" {
			if len(typed) > 1 {
				typed = append(typed, ',')
			}
			typed = strconv.AppendQuote(typed, k)
			typed = append(typed, ':')
			typed = append(typed, v...)
		}
	})
	if err != nil {
		return err
	}
	typed = append(typed, '}')
	*buf = typed // decoding copies what it keeps, so the buffer is reused
	type plain IssueFields
	var p plain
	if unmarshalJSON(typed, &p) != nil {
		// One field had an unexpected shape: decode field by field.
		p = plain{}
		for k, v := range raw {
			if keys[k] {
				one, _ := json.Marshal(map[string]json.RawMessage{k: v})
				_ = json.Unmarshal(one, &p)
			}
		}
	}
	*f = IssueFields(p)
	f.Raw = raw
	if d := raw["description"]; string(d) != "null" {
		f.Description = d
	}
	return nil
}

// typedBuffers hold the typed members of an issue while they are decoded.
var typedBuffers = sync.Pool{New: func() any { return new([]byte) }}

// typedFieldKeys are the JSON names of IssueFields' typed fields, from
// their tags (description excepted: it stays raw ADF).
var typedFieldKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	for sf := range reflect.TypeFor[IssueFields]().Fields() {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name != "" && name != "-" && name != "description" {
			keys[name] = true
		}
	}
	return keys
})

// MarshalJSON writes Raw when present (the issue as received), else the
// typed fields.
func (f IssueFields) MarshalJSON() ([]byte, error) {
	if f.Raw != nil {
		return json.Marshal(f.Raw)
	}
	type plain IssueFields
	return json.Marshal(plain(f))
}

// Issue is a Jira issue.
type Issue struct {
	ID     string      `json:"id"`
	Key    string      `json:"key"`
	Self   string      `json:"self,omitempty"`
	Fields IssueFields `json:"fields"`
	// RenderedFields holds HTML renderings (expand=renderedFields).
	RenderedFields map[string]json.RawMessage `json:"renderedFields,omitempty"`
	// Names maps field ids to display names (expand=names).
	Names map[string]string `json:"names,omitempty"`
	// Schema maps field ids to their schema (expand=schema).
	Schema map[string]FieldSchema `json:"schema,omitempty"`
	// Transitions are the available transitions (expand=transitions).
	Transitions []Transition `json:"transitions,omitempty"`
	// Changelog holds recent changes (expand=changelog).
	Changelog *Changelog `json:"changelog,omitempty"`
}

// FieldSchema describes a field's type.
type FieldSchema struct {
	Type     string `json:"type"`
	Items    string `json:"items,omitempty"`
	System   string `json:"system,omitempty"`
	Custom   string `json:"custom,omitempty"`
	CustomID int64  `json:"customId,omitempty"`
}

// Changelog is a page of an issue's change history.
type Changelog struct {
	StartAt    int       `json:"startAt"`
	MaxResults int       `json:"maxResults"`
	Total      int       `json:"total"`
	Histories  []History `json:"histories"`
}

// History is one change set.
type History struct {
	ID      string        `json:"id"`
	Author  *User         `json:"author,omitempty"`
	Created Time          `json:"created"`
	Items   []HistoryItem `json:"items"`
}

// HistoryItem is one changed field.
type HistoryItem struct {
	Field      string `json:"field"`
	FieldType  string `json:"fieldtype,omitempty"`
	FieldID    string `json:"fieldId,omitempty"`
	From       string `json:"from,omitempty"`
	FromString string `json:"fromString,omitempty"`
	To         string `json:"to,omitempty"`
	ToString   string `json:"toString,omitempty"`
}

// Transition is a workflow transition available on an issue.
type Transition struct {
	ID            string                   `json:"id"`
	Name          string                   `json:"name"`
	To            *Status                  `json:"to,omitempty"`
	HasScreen     bool                     `json:"hasScreen,omitempty"`
	IsAvailable   bool                     `json:"isAvailable,omitempty"`
	IsConditional bool                     `json:"isConditional,omitempty"`
	IsGlobal      bool                     `json:"isGlobal,omitempty"`
	IsInitial     bool                     `json:"isInitial,omitempty"`
	Fields        map[string]FieldMetadata `json:"fields,omitempty"`
}

// FieldMetadata describes a field on a create or transition screen
// (createmeta fields, transitions.fields).
type FieldMetadata struct {
	FieldID         string            `json:"fieldId,omitempty"`
	Key             string            `json:"key,omitempty"`
	Name            string            `json:"name"`
	Required        bool              `json:"required"`
	Schema          FieldSchema       `json:"schema"`
	Operations      []string          `json:"operations,omitempty"`
	AllowedValues   []json.RawMessage `json:"allowedValues,omitempty"`
	DefaultValue    json.RawMessage   `json:"defaultValue,omitempty"`
	HasDefaultValue bool              `json:"hasDefaultValue,omitempty"`
	AutoCompleteURL string            `json:"autoCompleteUrl,omitempty"`
}

// eachMember calls fn with the key and the raw value of each member of the
// JSON object b, which must be valid JSON. It only finds where values
// start and end; the values are slices of b.
func eachMember(b []byte, fn func(key string, value []byte)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("jira: issue fields are not a JSON object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) && b[i] == '"' {
		end := stringEnd(b, i)
		if end < i+2 || b[end-1] != '"' {
			break // unterminated
		}
		key := string(b[i+1 : end-1])
		if bytes.IndexByte(b[i:end], '\\') >= 0 || !utf8.Valid(b[i:end]) { // as encoding/json reads it
			if err := json.Unmarshal(b[i:end], &key); err != nil {
				return err
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			break
		}
		start := skipSpace(b, i+1)
		end = valueEnd(b, start)
		fn(key, b[start:end])
		i = skipSpace(b, end)
		if i < len(b) && b[i] == '}' {
			return nil
		}
		if i >= len(b) || b[i] != ',' {
			break
		}
		i = skipSpace(b, i+1)
	}
	return fmt.Errorf("jira: malformed issue fields at byte %d", i)
}

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] ('"').
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i // a number, true, false or null
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}
