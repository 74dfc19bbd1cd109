package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/jql"
)

// Search texts Jira returns.
const (
	jMsgUnbounded  = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
	jMsgRemoved    = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
	jMsgBadToken   = "The provided next page token is invalid or expired."
	jTokenLifetime = 7 * 24 * time.Hour
)

// jSearchRequest is a /search/jql request, from the query string (GET) or
// the body (POST).
type jSearchRequest struct {
	JQL             string   `json:"jql"`
	NextPageToken   *string  `json:"nextPageToken"`
	MaxResults      *int     `json:"maxResults"`
	Fields          []string `json:"fields"`
	Expand          string   `json:"expand"`
	Properties      []string `json:"properties"`
	FieldsByKeys    bool     `json:"fieldsByKeys"`
	FailFast        bool     `json:"failFast"`
	ReconcileIssues []int64  `json:"reconcileIssues"`
}

// searchJQLGet serves GET /rest/api/3/search/jql.
func (s *Server) searchJQLGet(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	req := jSearchRequest{JQL: q.Get("jql"), Fields: q["fields"], Expand: strings.Join(q["expand"], ",")}
	if v, ok := q["nextPageToken"]; ok {
		req.NextPageToken = &v[0]
	}
	if q.Get("maxResults") != "" {
		n, ok := jIntParam(w, r, "maxResults", 50)
		if !ok {
			return
		}
		req.MaxResults = &n
	}
	for _, v := range q["reconcileIssues"] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("The 'reconcileIssues' parameter must hold issue ids, got '%s'.", jTruncate(p, 50))}, nil)
				return
			}
			req.ReconcileIssues = append(req.ReconcileIssues, n)
		}
	}
	s.searchJQL(w, c, req)
}

// searchJQLPost serves POST /rest/api/3/search/jql.
func (s *Server) searchJQLPost(w http.ResponseWriter, r *http.Request, c *caller) {
	var raw map[string]json.RawMessage
	if !decodeJira(w, r, &raw) {
		return
	}
	if !jRejectUnknown(w, raw, "com.atlassian.jira.rest.v2.search.SearchAndReconcileRequestBean",
		"jql", "nextPageToken", "maxResults", "fields", "expand", "properties", "fieldsByKeys", "failFast", "reconcileIssues") {
		return
	}
	b, _ := json.Marshal(raw)
	var req jSearchRequest
	if err := json.Unmarshal(b, &req); err != nil {
		jWriteDecodeError(w, err)
		return
	}
	s.searchJQL(w, c, req)
}

// jSearchToken is the decoded content of a nextPageToken: the offset of the
// next page, a hash of the query it belongs to and when it was issued.
type jSearchToken struct {
	offset int
	hash   uint64
	issued int64
}

func jQueryHash(jqlText string) uint64 {
	sum := sha256.Sum256([]byte(strings.TrimSpace(jqlText)))
	return binary.BigEndian.Uint64(sum[:8])
}

func (j *jiraState) encodeToken(t jSearchToken) string {
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[0:8], uint64(t.offset))
	binary.BigEndian.PutUint64(buf[8:16], t.hash)
	binary.BigEndian.PutUint64(buf[16:24], uint64(t.issued))
	mac := hmac.New(sha256.New, j.tokenSecret)
	mac.Write(buf[:])
	return base64.RawURLEncoding.EncodeToString(append(buf[:], mac.Sum(nil)[:12]...))
}

func (j *jiraState) decodeToken(s string) (jSearchToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 36 {
		return jSearchToken{}, false
	}
	mac := hmac.New(sha256.New, j.tokenSecret)
	mac.Write(b[:24])
	if !hmac.Equal(mac.Sum(nil)[:12], b[24:]) {
		return jSearchToken{}, false
	}
	off := binary.BigEndian.Uint64(b[0:8])
	if off > 1<<31 {
		return jSearchToken{}, false
	}
	return jSearchToken{offset: int(off), hash: binary.BigEndian.Uint64(b[8:16]), issued: int64(binary.BigEndian.Uint64(b[16:24]))}, true
}

// jqlError writes a JQL parse/validation error as Jira does.
func jqlError(w http.ResponseWriter, err error) {
	var je *jql.Error
	if errors.As(err, &je) {
		jiraError(w, http.StatusBadRequest, je.Messages, nil)
		return
	}
	jiraError(w, http.StatusBadRequest, []string{err.Error()}, nil)
}

// runJQL parses, validates and runs text under s.mu, returning the matching
// views in the query's order up to limit (all when limit < 0) and the
// number of matches. It writes the error itself and returns ok=false.
func (s *Server) runJQL(w http.ResponseWriter, j *jiraState, c *caller, text string, limit int) (hits []*jql.Issue, total int, ok bool) {
	q, err := jql.Parse(text)
	if err != nil {
		jqlError(w, err)
		return nil, 0, false
	}
	if !q.Bounded() {
		jiraError(w, http.StatusBadRequest, []string{jMsgUnbounded}, nil)
		return nil, 0, false
	}
	env := s.jqlEnv(j, c.AccountID)
	comp, err := q.Compile(env)
	if err != nil {
		jqlError(w, err)
		return nil, 0, false
	}
	var matched []*jql.Issue
	if keys := comp.ProjectKeys(); keys != nil {
		n := 0
		for _, k := range keys {
			if p := j.project(k); p != nil {
				n += len(p.views)
			}
		}
		matched = make([]*jql.Issue, 0, n)
		for _, k := range keys {
			if p := j.project(k); p != nil {
				matched = comp.Filter(matched, p.views)
			}
		}
	} else {
		matched = comp.Filter(make([]*jql.Issue, 0, len(j.views)), j.views)
	}
	total = len(matched)
	if limit >= 0 && limit < len(matched) {
		return comp.TopK(matched, limit), total, true
	}
	comp.Sort(matched)
	return matched, total, true
}

// searchJQL runs an enhanced search.
func (s *Server) searchJQL(w http.ResponseWriter, c *caller, req jSearchRequest) {
	if len(req.ReconcileIssues) > 50 {
		jiraError(w, http.StatusBadRequest, []string{"The number of issues to reconcile can't exceed 50."}, nil)
		return
	}
	if len(req.Properties) > 5 {
		jiraError(w, http.StatusBadRequest, []string{"The number of properties can't exceed 5."}, nil)
		return
	}
	fs := jParseFieldSel(req.Fields, "id")
	ex := jParseExpand(req.Expand)
	maxResults := 50
	if req.MaxResults != nil {
		maxResults = *req.MaxResults
	}
	limit := 100
	if fs.idOnly() || (!fs.all && !fs.nav && len(fs.include) == 1 && fs.include["key"]) ||
		(!fs.all && !fs.nav && len(fs.include) == 2 && fs.include["key"] && fs.include["id"]) {
		limit = 5000 // only ids/keys requested
	}
	if maxResults <= 0 {
		maxResults = 50
	}
	if maxResults > limit {
		maxResults = limit
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	offset := 0
	hash := jQueryHash(req.JQL)
	now := s.now()
	if req.NextPageToken != nil && *req.NextPageToken != "" {
		t, ok := j.decodeToken(*req.NextPageToken)
		if !ok || t.hash != hash || now.Sub(time.Unix(t.issued, 0)) > jTokenLifetime {
			jiraError(w, http.StatusBadRequest, []string{jMsgBadToken}, nil)
			return
		}
		offset = t.offset
	}
	hits, total, ok := s.runJQL(w, j, c, req.JQL, offset+maxResults)
	if !ok {
		return
	}
	lo, hi := jPageBounds(offset, maxResults, len(hits))
	rr := s.jRenderer(c)
	rr.search = true
	issues := make([]any, 0, hi-lo)
	for _, v := range hits[lo:hi] {
		is := j.issueByID[int(v.ID)]
		if fs.idOnly() && len(ex) == 0 {
			issues = append(issues, map[string]any{"id": is.idStr()})
			continue
		}
		m := rr.issue(is, fs, ex, 20)
		delete(m, "names")
		delete(m, "schema")
		issues = append(issues, m)
	}
	out := map[string]any{"issues": issues, "isLast": offset+maxResults >= total}
	if offset+maxResults < total {
		out["nextPageToken"] = j.encodeToken(jSearchToken{offset: offset + maxResults, hash: hash, issued: now.Unix()})
	}
	if ex["names"] || ex["schema"] {
		names := map[string]string{}
		schema := map[string]any{}
		for _, f := range j.fields {
			if fs.wants(f) {
				names[f.ID] = f.Name
				schema[f.ID] = rr.fieldSchema(f)
			}
		}
		if ex["names"] {
			out["names"] = names
		}
		if ex["schema"] {
			out["schema"] = schema
		}
	}
	jWriteJSON(w, http.StatusOK, out)
}

// approximateCount serves POST /rest/api/3/search/approximate-count.
func (s *Server) approximateCount(w http.ResponseWriter, r *http.Request, c *caller) {
	var raw map[string]json.RawMessage
	if !decodeJira(w, r, &raw) {
		return
	}
	if !jRejectUnknown(w, raw, "com.atlassian.jira.rest.v2.search.JQLCountRequestBean", "jql") {
		return
	}
	var text string
	if v, ok := raw["jql"]; ok && json.Unmarshal(v, &text) != nil {
		jiraError(w, http.StatusBadRequest, []string{"Can not deserialize value of type java.lang.String from non-string token"}, nil)
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	_, total, ok := s.runJQL(w, j, c, text, 0)
	if !ok {
		return
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"count": total})
}

// searchRemoved serves the removed GET/POST /rest/api/3/search.
func (s *Server) searchRemoved(w http.ResponseWriter, r *http.Request, c *caller) {
	jiraError(w, http.StatusGone, []string{jMsgRemoved}, nil)
}

// bulkFetch serves POST /rest/api/3/issue/bulkfetch: up to 100 issues by
// id or key, returned in ascending id order, with unknown ones listed in
// issueErrors.
func (s *Server) bulkFetch(w http.ResponseWriter, r *http.Request, c *caller) {
	var raw map[string]json.RawMessage
	if !decodeJira(w, r, &raw) {
		return
	}
	if !jRejectUnknown(w, raw, "com.atlassian.jira.rest.v2.issue.BulkFetchIssueRequestBean",
		"issueIdsOrKeys", "fields", "expand", "properties", "fieldsByKeys") {
		return
	}
	var req struct {
		IssueIdsOrKeys []string `json:"issueIdsOrKeys"`
		Fields         []string `json:"fields"`
		Expand         []string `json:"expand"`
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &req); err != nil {
		jWriteDecodeError(w, err)
		return
	}
	if len(req.IssueIdsOrKeys) == 0 {
		jiraError(w, http.StatusBadRequest, []string{"At least one issue key or id is required."}, nil)
		return
	}
	if len(req.IssueIdsOrKeys) > 100 {
		jiraError(w, http.StatusBadRequest, []string{"The number of issues to fetch can't exceed 100."}, nil)
		return
	}
	fs := jParseFieldSel(req.Fields, "*navigable")
	ex := jParseExpand(req.Expand...)
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*jIssue
	seen := map[*jIssue]bool{}
	errs := []any{}
	for _, k := range req.IssueIdsOrKeys {
		is := j.issue(k)
		if is == nil {
			errs = append(errs, map[string]any{"errorMessages": []string{jMsgIssueNotFoundFor(k)}, "errors": map[string]string{}, "status": 404})
			continue
		}
		if !seen[is] {
			seen[is] = true
			found = append(found, is)
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].ID < found[b].ID })
	rr := s.jRenderer(c)
	rr.search = true
	issues := make([]any, 0, len(found))
	for _, is := range found {
		issues = append(issues, rr.issue(is, fs, ex, 40))
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"expand": "schema,names", "issues": issues, "issueErrors": errs})
}

func jMsgIssueNotFoundFor(k string) string {
	return fmt.Sprintf("Issue with key or id '%s' does not exist or you do not have permission to see it.", jTruncate(k, 80))
}

// parseJQL serves POST /rest/api/3/jql/parse: each query is parsed and
// (with validation=strict or warn, the default) validated against the site.
func (s *Server) parseJQL(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Queries []string `json:"queries"`
	}
	if !decodeJira(w, r, &req) {
		return
	}
	if req.Queries == nil {
		jiraError(w, http.StatusBadRequest, []string{"The 'queries' field is required."}, nil)
		return
	}
	mode := r.URL.Query().Get("validation")
	switch mode {
	case "", "strict", "warn", "none":
	default:
		jiraError(w, http.StatusBadRequest, []string{fmt.Sprintf("Invalid validation value '%s'.", jTruncate(mode, 30))}, nil)
		return
	}
	j := s.jira()
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.jqlEnv(j, c.AccountID)
	out := make([]any, 0, len(req.Queries))
	for _, text := range req.Queries {
		entry := map[string]any{"query": text}
		q, err := jql.Parse(text)
		if err == nil && mode != "none" {
			_, err = q.Compile(env)
		}
		if err != nil {
			var je *jql.Error
			msgs := []string{err.Error()}
			if errors.As(err, &je) {
				msgs = je.Messages
			}
			entry["errors"] = msgs
		} else {
			entry["structure"] = map[string]any{"jql": q.String()}
		}
		out = append(out, entry)
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"queries": out})
}
