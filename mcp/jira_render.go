package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Sizes that keep Jira answers inside a context window. Text is measured in
// characters (runes) of markdown; past a limit it is cut at a line or word
// boundary and a marker says how much was left out and how to read it all.
const (
	// searchTextLimit caps each description, comment or rich-text field in
	// search results.
	searchTextLimit = 500
	// issueTextLimit caps the description and rich-text custom fields of
	// atlassian_jira_get_issue.
	issueTextLimit = 8000
	// commentTextLimit caps each comment of atlassian_jira_get_issue.
	commentTextLimit = 1500
	// maxIssueComments is how many of the most recent comments get_issue
	// shows; the rest are counted.
	maxIssueComments = 10
	// maxChangelogEntries is how many of the most recent change sets
	// get_issue shows; the rest are counted.
	maxChangelogEntries = 10
	// maxValueChars caps any other rendered field value (a list of many
	// options, an unknown object shown as JSON).
	maxValueChars = 1000
)

// jiraStatus is a status with its category ("To Do", "In Progress",
// "Done"): the category is what tells open work from finished work across
// workflows with different status names.
type jiraStatus struct {
	Name     string `json:"name" jsonschema:"the status name, e.g. In Review"`
	Category string `json:"category,omitempty" jsonschema:"the status category: To Do, In Progress or Done"`
}

func (s *jiraStatus) String() string {
	if s == nil {
		return ""
	}
	if s.Category == "" || strings.EqualFold(s.Category, s.Name) {
		return s.Name
	}
	return s.Name + " [" + s.Category + "]"
}

// newJiraStatus renders a Jira status; nil stays nil.
func newJiraStatus(st *atlassian.Status) *jiraStatus {
	if st == nil || st.Name == "" {
		return nil
	}
	out := &jiraStatus{Name: st.Name}
	if c := st.StatusCategory; c != nil {
		out.Category = c.Name
		if out.Category == "" {
			out.Category = categoryName(c.Key)
		}
	}
	return out
}

// jiraUser is a user as answers show them: the display name, and the
// account id the write tools also accept.
type jiraUser struct {
	Name      string `json:"name"`
	AccountID string `json:"accountId,omitempty"`
}

// newJiraUser renders a user; nil (unassigned) stays nil.
func newJiraUser(u *atlassian.User) *jiraUser {
	if u == nil || (u.AccountID == "" && u.DisplayName == "") {
		return nil
	}
	return &jiraUser{Name: userName(u), AccountID: u.AccountID}
}

// userName is a user's display name, or their account id when the name is
// hidden.
func userName(u *atlassian.User) string {
	if u == nil {
		return ""
	}
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.AccountID
}

func (u *jiraUser) String() string {
	if u == nil {
		return ""
	}
	return u.Name
}

// formatTime writes a Jira timestamp as RFC 3339 in UTC ("" for none).
func formatTime(t atlassian.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// jiraIssueRef is another issue as answers mention it: parent, sub-task,
// linked issue.
type jiraIssueRef struct {
	Key     string      `json:"key"`
	Summary string      `json:"summary,omitempty"`
	Status  *jiraStatus `json:"status,omitempty"`
	Type    string      `json:"type,omitempty"`
}

func newJiraIssueRef(r *atlassian.IssueRef) *jiraIssueRef {
	if r == nil || (r.Key == "" && r.ID == "") {
		return nil
	}
	out := &jiraIssueRef{Key: r.Key}
	if out.Key == "" {
		out.Key = r.ID
	}
	if f := r.Fields; f != nil {
		out.Summary = f.Summary
		out.Status = newJiraStatus(f.Status)
		if f.IssueType != nil {
			out.Type = f.IssueType.Name
		}
	}
	return out
}

func (r *jiraIssueRef) String() string {
	if r == nil {
		return ""
	}
	s := r.Key
	if r.Summary != "" {
		s += " " + strconv.Quote(r.Summary)
	}
	if r.Status != nil {
		s += " (" + r.Status.String() + ")"
	}
	return s
}

// jiraLink is one issue link read from the issue's side: "this issue
// ‹Relation› Issue", e.g. "this blocks ENG-4", "this is blocked by ENG-3".
type jiraLink struct {
	ID string `json:"id,omitempty"`
	// LinkType is the link type's name, e.g. Blocks.
	LinkType string `json:"linkType"`
	// Direction is "outward" or "inward": which phrase of the type applies.
	Direction string `json:"direction"`
	// Relation reads "this issue ‹Relation› Issue".
	Relation string       `json:"relation"`
	Issue    jiraIssueRef `json:"issue"`
}

func (l jiraLink) String() string { return l.Relation + " " + l.Issue.String() }

// issueLinks reads fields.issuelinks with the direction GET semantics give
// them (ATLASSIAN.md §2.9): on issue X an entry holding inwardIssue Y reads
// "X ‹type.inward› Y", one holding outwardIssue Y reads "X ‹type.outward› Y".
func issueLinks(links []atlassian.IssueLink) []jiraLink {
	out := make([]jiraLink, 0, len(links))
	for _, l := range links {
		var other *atlassian.IssueRef
		link := jiraLink{ID: l.ID, LinkType: l.Type.Name}
		switch {
		case l.InwardIssue != nil:
			other = l.InwardIssue
			link.Direction, link.Relation = "inward", l.Type.Inward
		case l.OutwardIssue != nil:
			other = l.OutwardIssue
			link.Direction, link.Relation = "outward", l.Type.Outward
		default:
			continue
		}
		if link.Relation == "" {
			link.Relation = strings.ToLower(l.Type.Name)
		}
		if ref := newJiraIssueRef(other); ref != nil {
			link.Issue = *ref
			out = append(out, link)
		}
	}
	return out
}

// truncateText cuts s to at most limit runes, preferring a line or word
// boundary, closes a code fence the cut left open, and appends a marker
// saying how much was left out; more (e.g. "read it with
// atlassian_jira_get_issue ENG-1") tells how to get all of it.
func truncateText(s string, limit int, more string) (string, bool) {
	n := utf8.RuneCountInString(s)
	if limit <= 0 || n <= limit {
		return s, false
	}
	// Byte offset of rune number limit.
	cut := len(s)
	for i := range s {
		if limit == 0 {
			cut = i
			break
		}
		limit--
	}
	head := s[:cut]
	// Back off to a line break, else a space, within the last fifth.
	floor := len(head) * 4 / 5
	if i := strings.LastIndexByte(head, '\n'); i > 0 && i >= floor {
		head = head[:i]
	} else if i := strings.LastIndexByte(head, ' '); i > 0 && i >= floor {
		head = head[:i]
	}
	head = strings.TrimRight(head, " \t\n")
	if openFence(head) {
		head += "\n```"
	}
	shown := utf8.RuneCountInString(head)
	marker := fmt.Sprintf("\n\n[… truncated: %d of %d characters shown", shown, n)
	if more != "" {
		marker += "; " + more
	}
	return head + marker + "]", true
}

// openFence reports whether markdown ends inside a ``` code block.
func openFence(md string) bool {
	open := false
	for line := range strings.SplitSeq(md, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			open = !open
		}
	}
	return open
}

// adfMarkdown renders an ADF document (description, comment body, rich-text
// field) as markdown cut at limit runes (0: no limit). A value that is not
// ADF (a plain string from an old API) is shown as is; a document the
// converter rejects still shows its text.
func adfMarkdown(raw json.RawMessage, limit int, more string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var md string
	if raw[0] == '"' {
		_ = json.Unmarshal(raw, &md)
	} else if doc, err := adf.Parse(raw); err == nil {
		if md, err = adf.ToMarkdown(doc); err != nil {
			md = adfPlainText(raw)
		}
	} else {
		md = adfPlainText(raw)
	}
	md = strings.TrimSpace(md)
	md, _ = truncateText(md, limit, more)
	return md
}

// adfPlainText collects the text nodes of an ADF document, paragraph by
// paragraph: the fallback when a document cannot be converted.
func adfPlainText(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				b.WriteString(t)
			}
			if attrs, ok := x["attrs"].(map[string]any); ok && x["type"] == "mention" {
				if t, ok := attrs["text"].(string); ok {
					b.WriteString(t)
				}
			}
			walk(x["content"])
			if x["type"] == "paragraph" || x["type"] == "heading" {
				b.WriteString("\n")
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// fieldNamer names fields by their display name: from the snapshot, else
// from the names Jira sent with the answer (expand=names), else the id.
type fieldNamer struct {
	snap  *schema.Snapshot
	names map[string]string
}

func (n fieldNamer) name(id string) string {
	if n.snap != nil {
		if f, err := n.snap.Field(id); err == nil && f.Name != "" {
			return f.Name
		}
	}
	if name := n.names[id]; name != "" {
		return name
	}
	return id
}

// isCustom reports whether id is a custom field.
func isCustom(id string) bool { return strings.HasPrefix(id, "customfield_") }

// namedFields renders the raw fields with ids in keep (all of them when
// keep is nil) that are not in skip, keyed by display name; empty values
// are left out. Two fields sharing a display name are told apart by id.
func namedFields(raw map[string]json.RawMessage, keep []string, skip func(id string) bool, namer fieldNamer, textLimit int, more string) map[string]any {
	ids := keep
	if ids == nil {
		for id := range raw {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := map[string]any{}
	byName := map[string]string{}
	for _, id := range ids {
		if skip != nil && skip(id) {
			continue
		}
		v, ok := raw[id]
		if !ok {
			continue
		}
		val := fieldValue(v, textLimit, more)
		if val == nil {
			continue
		}
		name := namer.name(id)
		if prev, dup := byName[name]; dup {
			// Keep both, labelled by id.
			out[name+" ("+prev+")"] = out[name]
			delete(out, name)
			name += " (" + id + ")"
		}
		byName[name] = id
		out[name] = val
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// scalarJSON decodes the scalars most fields of an issue hold (null, a
// plain string, a number, a boolean) without a json.Decoder, whose buffer
// was a tenth of the bytes a get_issue call allocated; raw is one valid
// JSON value (from a decoded response). ok is false for anything else.
func scalarJSON(raw []byte) (any, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch c := raw[0]; {
	case c == 'n' && string(raw) == "null":
		return nil, true
	case c == 't' && string(raw) == "true":
		return true, true
	case c == 'f' && string(raw) == "false":
		return false, true
	case (c == '-' || c >= '0' && c <= '9') && raw[len(raw)-1] >= '0' && raw[len(raw)-1] <= '9':
		return json.Number(raw), true
	case c == '"' && len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw):
		return string(raw[1 : len(raw)-1]), true
	}
	return nil, false
}

// fieldValue renders a raw field value readably: options as their value,
// users as display names, ADF as markdown, sprints as "name (state)",
// issues as their key, dates in RFC 3339; a list as a list of strings.
// Empty values (null, "", [], {}) give nil.
func fieldValue(raw json.RawMessage, textLimit int, more string) any {
	v, ok := scalarJSON(raw)
	if !ok {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			return nil
		}
	}
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		return x
	case json.Number:
		return x
	case string:
		if x == "" {
			return nil
		}
		return scalarText(x, textLimit, more)
	case []any:
		var items []string
		for _, e := range x {
			if s := valueText(e, textLimit, more); s != "" {
				items = append(items, s)
			}
		}
		if len(items) == 0 {
			return nil
		}
		return items
	case map[string]any:
		if s := objectText(x, textLimit, more); s != "" {
			return s
		}
	}
	return nil
}

// jiraDateTime matches the timestamps Jira writes in field values.
var jiraDateTime = lazyRegexp(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)

// scalarText renders a string value: timestamps in RFC 3339 UTC, long text
// cut at limit.
func scalarText(s string, limit int, more string) string {
	if jiraDateTime.MatchString(s) {
		var t atlassian.Time
		if json.Unmarshal([]byte(strconv.Quote(s)), &t) == nil && !t.IsZero() {
			return formatTime(t)
		}
	}
	if limit <= 0 {
		limit = maxValueChars
	}
	s, _ = truncateText(s, limit, more)
	return s
}

// valueText renders one element of a list value as text.
func valueText(v any, limit int, more string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return scalarText(x, limit, more)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		return objectText(x, limit, more)
	}
	return ""
}

// objectText renders a JSON object value by its shape.
func objectText(m map[string]any, limit int, more string) string {
	str := func(k string) string { s, _ := m[k].(string); return s }
	switch {
	case m["type"] == "doc":
		b, _ := json.Marshal(m)
		return adfMarkdown(b, limit, more)
	case str("accountId") != "":
		if n := str("displayName"); n != "" {
			return n
		}
		return str("accountId")
	case str("value") != "": // select option, possibly cascading
		s := str("value")
		if child, ok := m["child"].(map[string]any); ok {
			if c, _ := child["value"].(string); c != "" {
				s += " / " + c
			}
		}
		return s
	case str("name") != "" && m["boardId"] != nil || str("name") != "" && str("state") != "" && m["goal"] != nil:
		// A sprint.
		if st := str("state"); st != "" {
			return str("name") + " (" + st + ")"
		}
		return str("name")
	case str("name") != "" && m["statusCategory"] != nil:
		b, _ := json.Marshal(m)
		var st atlassian.Status
		_ = json.Unmarshal(b, &st)
		return newJiraStatus(&st).String()
	case str("key") != "":
		s := str("key")
		if f, ok := m["fields"].(map[string]any); ok {
			if sum, _ := f["summary"].(string); sum != "" {
				s += " " + strconv.Quote(sum)
			}
		} else if n := str("name"); n != "" {
			s = n + " (" + s + ")" // a project
		}
		return s
	case str("name") != "":
		return str("name")
	case str("filename") != "":
		return str("filename")
	case m["timeSpent"] != nil || m["originalEstimate"] != nil || m["remainingEstimate"] != nil:
		var parts []string
		for _, p := range [][2]string{{"originalEstimate", "estimate"}, {"remainingEstimate", "remaining"}, {"timeSpent", "spent"}} {
			if s := str(p[0]); s != "" {
				parts = append(parts, p[1]+" "+s)
			}
		}
		return strings.Join(parts, ", ")
	case m["watchCount"] != nil:
		return fmt.Sprint(m["watchCount"])
	case m["votes"] != nil:
		return fmt.Sprint(m["votes"])
	case m["percent"] != nil:
		return fmt.Sprint(m["percent"]) + "%"
	case m["comments"] != nil || m["worklogs"] != nil:
		return fmt.Sprint(m["total"])
	}
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	s, _ := truncateText(string(b), min(maxValueChars, max(limit, 200)), "")
	return s
}

// renderValue writes a fieldValue result on one line of text.
func renderValue(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ", ")
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// indent prefixes every line of s but the first with pad, so multi-line
// markdown stays inside its item in a text rendering.
func indent(s, pad string) string {
	return strings.ReplaceAll(s, "\n", "\n"+pad)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
