package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Jira's texts for common errors.
const (
	jMsgIssueNotFound = "Issue does not exist or you do not have permission to see it."
	jMsgNoContent     = "No content to map due to end-of-input"
)

// Scope lists per operation (ATLASSIAN.md §1.8: classic first, granular after).
var (
	jScopeReadIssue = []string{"read:jira-work", "read:issue:jira", "read:issue-meta:jira"}
	jScopeSearch    = []string{"read:jira-work", "read:issue-details:jira"}
	jScopeWriteWork = []string{"write:jira-work", "write:issue:jira"}
	jScopeComment   = []string{"write:jira-work", "write:comment:jira"}
	jScopeReadComm  = []string{"read:jira-work", "read:comment:jira"}
	jScopeWorklog   = []string{"write:jira-work", "write:issue-worklog:jira"}
	jScopeReadWlog  = []string{"read:jira-work", "read:issue-worklog:jira"}
	jScopeLink      = []string{"write:jira-work", "write:issue-link:jira"}
	jScopeReadLink  = []string{"read:jira-work", "read:issue-link:jira"}
	jScopeWatcher   = []string{"write:jira-work", "write:issue.watcher:jira"}
	jScopeReadWatch = []string{"read:jira-work", "read:issue.watcher:jira"}
	jScopeTransRead = []string{"read:jira-work", "read:issue.transition:jira"}
	jScopeChangelog = []string{"read:jira-work", "read:issue.changelog:jira"}
	jScopeUser      = []string{"read:jira-user", "read:user:jira"}
	jScopeProject   = []string{"read:jira-work", "read:project:jira"}
	jScopeField     = []string{"read:jira-work", "read:field:jira"}
	jScopeMeta      = []string{"read:jira-work", "read:issue-meta:jira"}
	jScopeStatus    = []string{"read:jira-work", "read:status:jira"}
	jScopeLinkType  = []string{"read:jira-work", "read:issue-link-type:jira"}
	jScopePriority  = []string{"read:jira-work", "read:priority:jira"}
	jScopePriSearch = []string{"manage:jira-configuration"}
	jScopeComponent = []string{"read:jira-work", "read:project.component:jira"}
	jScopeVersion   = []string{"read:jira-work", "read:project-version:jira"}
)

// decodeJira decodes r's JSON body into dst, answering malformed input the
// way Jira's JSON layer (Jackson) does. It returns false after writing the
// error.
func decodeJira(w http.ResponseWriter, r *http.Request, dst any) bool {
	err := decodeJSON(r, dst)
	if err == nil {
		return true
	}
	jWriteDecodeError(w, err)
	return false
}

func jWriteDecodeError(w http.ResponseWriter, err error) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errBodyTooLarge):
		jiraError(w, http.StatusRequestEntityTooLarge, []string{"The request body is too large."}, nil)
	case errors.Is(err, errEmptyBody):
		jiraError(w, http.StatusBadRequest, []string{jMsgNoContent}, nil)
	case errors.As(err, &syn):
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Unexpected character: was expecting a valid JSON value at offset %d", syn.Offset)}, nil)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "request body"
		}
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Can not deserialize value of %s: unexpected JSON %s", where, typ.Value)}, nil)
	default:
		jiraError(w, http.StatusBadRequest, []string{"Unexpected end-of-input: expected close marker for OBJECT"}, nil)
	}
}

// jRejectUnknown answers 400 if obj has a key not in allowed, as Jackson
// does for beans without @JsonIgnoreProperties.
func jRejectUnknown(w http.ResponseWriter, obj map[string]json.RawMessage, bean string, allowed ...string) bool {
	for k := range obj {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Unrecognized field \"%s\" (Class %s), not marked as ignorable", k, bean)}, nil)
			return false
		}
	}
	return true
}

// jIntParam reads a non-negative integer query parameter. Jira answers a
// malformed number with 400.
func jIntParam(w http.ResponseWriter, r *http.Request, name string, dflt int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return dflt, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("The '%s' parameter must be an integer, got '%s'.", name, jTruncate(v, 50))}, nil)
		return 0, false
	}
	if n < 0 {
		n = 0
	}
	return n, true
}

// jPageParams reads startAt (default 0) and maxResults (default dflt,
// capped at max), answering Jira's 400 for a non-integer.
func jPageParams(w http.ResponseWriter, r *http.Request, dflt, max int) (startAt, maxResults int, ok bool) {
	if startAt, ok = jIntParam(w, r, "startAt", 0); !ok {
		return 0, 0, false
	}
	if maxResults, ok = jIntParam(w, r, "maxResults", dflt); !ok {
		return 0, 0, false
	}
	return startAt, min(maxResults, max), true
}

func jTruncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// jPageBounds clamps startAt/maxResults to a slice of length n.
func jPageBounds(startAt, maxResults, n int) (int, int) {
	if startAt > n {
		startAt = n
	}
	end := startAt + maxResults
	if end > n || end < startAt {
		end = n
	}
	return startAt, end
}

// jIdRef is the {"id"|"key"|"name"|"value"} object Jira accepts for
// references to projects, issue types, priorities, components...
type jIdRef struct {
	ID        string
	Key       string
	Name      string
	Value     string
	AccountID string
	isNull    bool
}

// jParseRef parses a reference object. ok is false when raw is not an
// object (or null).
func jParseRef(raw json.RawMessage) (ref jIdRef, ok bool) {
	t := strings.TrimSpace(string(raw))
	if t == "null" || t == "" {
		return jIdRef{isNull: true}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return ref, false
	}
	str := func(k string) string {
		v, ok := m[k]
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return n.String()
		}
		return ""
	}
	return jIdRef{ID: str("id"), Key: str("key"), Name: str("name"), Value: str("value"), AccountID: str("accountId")}, true
}

func jIsJSONNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
