package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"strings"
)

// jUserMatches reports whether u matches a user-search query: an
// email-shaped query matches the email exactly; otherwise a prefix of the
// display name, of any word in it, or of the email matches
// (case-insensitive).
func jUserMatches(u *User, query string) bool {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return true
	}
	if strings.Contains(q, "@") {
		return strings.EqualFold(u.Email, q)
	}
	name := strings.ToLower(u.DisplayName)
	if strings.HasPrefix(name, q) || strings.HasPrefix(strings.ToLower(u.Email), q) {
		return true
	}
	for _, w := range strings.Fields(name) {
		if strings.HasPrefix(w, q) {
			return true
		}
	}
	return false
}

// userSearch serves GET /rest/api/3/user/search.
func (s *Server) userSearch(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	query, accountID := q.Get("query"), q.Get("accountId")
	if query != "" && accountID != "" {
		jiraError(w, http.StatusBadRequest, []string{"The query parameter and the accountId parameter cannot be used together."}, nil)
		return
	}
	if query == "" && accountID == "" && q.Get("property") == "" {
		jiraError(w, http.StatusBadRequest, []string{"One of 'query' or 'accountId' or 'property' query parameters must be provided."}, nil)
		return
	}
	startAt, maxResults, ok := jPageParams(w, r, 50, 1000)
	if !ok {
		return
	}
	var hits []*User
	for _, u := range s.users {
		if (accountID != "" && u.AccountID == accountID) || (accountID == "" && jUserMatches(u, query)) {
			hits = append(hits, u)
		}
	}
	s.writeUsers(w, c, hits, startAt, maxResults)
}

func (s *Server) writeUsers(w http.ResponseWriter, c *caller, hits []*User, startAt, maxResults int) {
	lo, hi := jPageBounds(startAt, maxResults, len(hits))
	rr := s.jRenderer(c)
	out := make([]any, 0, hi-lo)
	for _, u := range hits[lo:hi] {
		out = append(out, rr.userObj(u))
	}
	jWriteJSON(w, http.StatusOK, out)
}

// userPicker serves GET /rest/api/3/user/picker.
func (s *Server) userPicker(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	query := q.Get("query")
	if strings.TrimSpace(query) == "" {
		jiraError(w, http.StatusBadRequest, []string{"The 'query' parameter is required."}, nil)
		return
	}
	maxResults, ok := jIntParam(w, r, "maxResults", 50)
	if !ok {
		return
	}
	exclude := map[string]bool{}
	for _, v := range q["excludeAccountIds"] {
		for _, id := range strings.Split(v, ",") {
			exclude[strings.TrimSpace(id)] = true
		}
	}
	var hits []*User
	for _, u := range s.users {
		if !exclude[u.AccountID] && jUserMatches(u, query) {
			hits = append(hits, u)
		}
	}
	shown := hits
	if len(shown) > maxResults {
		shown = shown[:maxResults]
	}
	users := make([]any, 0, len(shown))
	for _, u := range shown {
		users = append(users, map[string]any{
			"accountId":   u.AccountID,
			"accountType": u.AccountType,
			"html":        jHighlight(u.DisplayName, query) + " - " + jHighlight(u.Email, query),
			"displayName": u.DisplayName,
			"avatarUrl":   u.AvatarURL(16),
		})
	}
	jWriteJSON(w, http.StatusOK, map[string]any{"users": users, "total": len(hits),
		"header": fmt.Sprintf("Showing %d of %d matching users", len(shown), len(hits))})
}

// jHighlight wraps the first case-insensitive occurrence of q in s with
// <strong>, as the picker's html does.
func jHighlight(s, q string) string {
	i := strings.Index(strings.ToLower(s), strings.ToLower(strings.TrimSpace(q)))
	if i < 0 || q == "" {
		return s
	}
	n := len(strings.TrimSpace(q))
	return s[:i] + "<strong>" + s[i:i+n] + "</strong>" + s[i+n:]
}

// assignableSearch serves GET /rest/api/3/user/assignable/search.
func (s *Server) assignableSearch(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	query, accountID := q.Get("query"), q.Get("accountId")
	if query != "" && accountID != "" {
		jiraError(w, http.StatusBadRequest, []string{"The query parameter and the accountId parameter cannot be used together."}, nil)
		return
	}
	startAt, maxResults, ok := jPageParams(w, r, 50, math.MaxInt)
	if !ok {
		return
	}
	j := s.jira()
	s.mu.Lock()
	project, issueKey, issueID := q.Get("project"), q.Get("issueKey"), q.Get("issueId")
	switch {
	case issueKey != "" || issueID != "":
		k := issueKey
		if k == "" {
			k = issueID
		}
		if j.issue(k) == nil {
			s.mu.Unlock()
			jiraError(w, http.StatusNotFound, []string{jMsgIssueNotFound}, nil)
			return
		}
	case project != "":
		if j.project(project) == nil {
			s.mu.Unlock()
			jiraError(w, http.StatusNotFound, []string{fmt.Sprintf("No project could be found with key '%s'.", jTruncate(project, 80))}, nil)
			return
		}
	default:
		s.mu.Unlock()
		jiraError(w, http.StatusBadRequest, []string{"A project key, issue key or issue ID must be provided."}, nil)
		return
	}
	s.mu.Unlock()
	var hits []*User
	for _, u := range s.users {
		if !u.Active || u.AccountType != "atlassian" {
			continue
		}
		if (accountID != "" && u.AccountID == accountID) || (accountID == "" && jUserMatches(u, query)) {
			hits = append(hits, u)
		}
	}
	s.writeUsers(w, c, hits, startAt, maxResults)
}

// getUser serves GET /rest/api/3/user?accountId=.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.URL.Query().Get("accountId")
	if id == "" {
		jiraError(w, http.StatusBadRequest, []string{"The accountId query parameter needs to be provided."}, nil)
		return
	}
	u := s.userByID(id)
	if u == nil {
		jiraError(w, http.StatusNotFound, []string{"Specified user does not exist or you do not have required permissions"}, nil)
		return
	}
	out := s.jRenderer(c).userObj(u)
	out["locale"] = "en_US"
	out["groups"] = map[string]any{"size": 1, "items": []any{}}
	out["applicationRoles"] = map[string]any{"size": 1, "items": []any{}}
	jWriteJSON(w, http.StatusOK, out)
}

// myself serves GET /rest/api/3/myself.
func (s *Server) myself(w http.ResponseWriter, r *http.Request, c *caller) {
	u := s.userByID(c.AccountID)
	if u == nil {
		jiraError(w, http.StatusUnauthorized, []string{"You are not authenticated. Authentication required to perform this operation."}, nil)
		return
	}
	out := s.jRenderer(c).userObj(u)
	out["locale"] = "en_US"
	out["groups"] = map[string]any{"size": 2, "items": []any{}}
	out["applicationRoles"] = map[string]any{"size": 1, "items": []any{}}
	jWriteJSON(w, http.StatusOK, out)
}
