package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Confluence Cloud as reached through the OAuth gateway (ATLASSIAN.md §3):
// the v1 CQL search and label writes, the v2 pages and spaces APIs, and 410
// Gone for the v1 content and space endpoints the gateway has removed.

// Scopes per operation (ATLASSIAN.md §1.8).
var (
	scopesSearch     = []string{"search:confluence", "read:content-details:confluence"}
	scopesReadPage   = []string{"read:page:confluence"}
	scopesWritePage  = []string{"write:page:confluence"}
	scopesReadSpace  = []string{"read:space:confluence"}
	scopesReadBlog   = []string{"read:page:confluence", "read:blogpost:confluence"}
	scopesReadFolder = []string{"read:folder:confluence", "read:hierarchical-content:confluence"}
	scopesAncestors  = []string{"read:content.metadata:confluence"}
	scopesHierarchy  = []string{"read:hierarchical-content:confluence"}
	scopesWriteLabel = []string{"write:confluence-content", "write:label:confluence"}
)

// goneMessage is the gateway's answer for removed v1 endpoints.
const goneMessage = "com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed"

// registerConfluence mounts the Confluence Cloud routes.
func (s *Server) registerConfluence() {
	s.confluence() // the state exists before the server serves
	s.api(Confluence, "GET /wiki/rest/api/search", scopesSearch, s.confSearch)
	s.api(Confluence, "POST /wiki/rest/api/content/{id}/label", scopesWriteLabel, s.confAddLabels)
	s.api(Confluence, "DELETE /wiki/rest/api/content/{id}/label", scopesWriteLabel, s.confRemoveLabel)
	s.api(Confluence, "DELETE /wiki/rest/api/content/{id}/label/{label}", scopesWriteLabel, s.confRemoveLabel)
	s.api(Confluence, "GET /wiki/rest/api/user/current", []string{"read:confluence-user", "read:user:confluence"}, s.confCurrentUser)
	s.api(Confluence, "POST /wiki/api/v2/users-bulk", []string{"read:user:confluence"}, s.confUsersBulk)

	s.api(Confluence, "GET /wiki/api/v2/pages", scopesReadPage, s.confListPages)
	s.api(Confluence, "POST /wiki/api/v2/pages", scopesWritePage, s.confCreatePage)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}", scopesReadPage, s.confGetPage)
	s.api(Confluence, "PUT /wiki/api/v2/pages/{id}", scopesWritePage, s.confUpdatePage)
	s.api(Confluence, "DELETE /wiki/api/v2/pages/{id}", []string{"delete:page:confluence"}, s.confDeletePage)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}/ancestors", scopesAncestors, s.confAncestors)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}/direct-children", scopesHierarchy, s.confDirectChildren)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}/descendants", scopesHierarchy, s.confDescendants)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}/children", scopesReadPage, s.confChildren)
	s.api(Confluence, "GET /wiki/api/v2/pages/{id}/labels", scopesReadPage, s.confPageLabels)
	s.api(Confluence, "GET /wiki/api/v2/blogposts", scopesReadBlog, s.confListBlogPosts)
	s.api(Confluence, "GET /wiki/api/v2/blogposts/{id}", scopesReadBlog, s.confGetBlogPost)
	s.api(Confluence, "GET /wiki/api/v2/folders/{id}", scopesReadFolder, s.confGetFolder)
	s.api(Confluence, "GET /wiki/api/v2/spaces", scopesReadSpace, s.confListSpaces)
	s.api(Confluence, "GET /wiki/api/v2/spaces/{id}/pages", scopesReadPage, s.confSpacePages)
	s.api(Confluence, "GET /wiki/api/v2/spaces/{id}", scopesReadSpace, s.confGetSpace)

	gone := func(w http.ResponseWriter, _ *http.Request, _ *caller) {
		confluenceV1Error(w, http.StatusGone, goneMessage)
	}
	s.api(Confluence, "/wiki/rest/api/content", nil, gone)
	s.api(Confluence, "/wiki/rest/api/content/{rest...}", nil, gone)
	s.api(Confluence, "/wiki/rest/api/space", nil, gone)
	s.api(Confluence, "/wiki/rest/api/space/{rest...}", nil, gone)
}

// wikiBase is Confluence's _links.base: the site, not the gateway.
func (s *Server) wikiBase() string { return s.SiteURL + "/wiki" }

// v2Limit reads a v2 limit parameter (1..max, default def). On a bad value
// it writes the 400 and returns false.
func v2Limit(w http.ResponseWriter, r *http.Request, def, max int) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Provided value {"+v+"} for 'limit' is not valid. It must be an integer between 1 and "+strconv.Itoa(max))
		return 0, false
	}
	return n, true
}

// cursorState is what the sandbox's opaque cursors carry.
type cursorState struct {
	Offset int    `json:"offset"`
	Kind   string `json:"kind"`
	Key    string `json:"key,omitempty"` // binds the cursor to its query
}

func encodeCursor(c cursorState) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, kind, key string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	var c cursorState
	if json.Unmarshal(b, &c) != nil || c.Kind != kind || c.Key != key || c.Offset < 0 {
		return 0, false
	}
	return c.Offset, true
}

// v2Offset reads the cursor of a v2 list. On a bad cursor it writes the
// 400 and returns false.
func v2Offset(w http.ResponseWriter, r *http.Request, kind, key string) (int, bool) {
	cur := r.URL.Query().Get("cursor")
	if cur == "" {
		return 0, true
	}
	off, ok := decodeCursor(cur, kind, key)
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Invalid cursor: "+truncate(cur, 80))
		return 0, false
	}
	return off, true
}

// wikiPath returns the request path without the gateway prefix
// (/ex/confluence/{cloudId}), i.e. starting at /wiki.
func wikiPath(r *http.Request) string {
	p := r.URL.Path
	if i := strings.Index(p, "/wiki/"); i >= 0 {
		return p[i:]
	}
	return p
}

// v2Page writes a v2 list page: {"results":[...],"_links":{"next","base"}}
// with a Link header when there is more. next carries /wiki, as in Cloud.
func (s *Server) v2Page(w http.ResponseWriter, r *http.Request, results []any, more bool, nextOffset int, kind, key string) {
	links := map[string]any{"base": s.wikiBase()}
	if more {
		q := r.URL.Query()
		q.Del("cursor")
		q.Set("cursor", encodeCursor(cursorState{Offset: nextOffset, Kind: kind, Key: key}))
		next := wikiPath(r) + "?" + q.Encode()
		links["next"] = next
		w.Header().Set("Link", "<"+next+`>; rel="next", <`+s.wikiBase()+`>; rel="base"`)
	}
	if results == nil {
		results = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "_links": links})
}

// pageID validates a content id path value. On a bad one it writes the 400.
func pageID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if !isContentID(id) {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Provided value {"+truncate(id, 80)+"} for 'id' is not the correct type. Expected type is ContentId")
		return "", false
	}
	return id, true
}

func isContentID(id string) bool {
	if id == "" || len(id) > 19 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// splitIDs parses a comma-separated id list parameter.
func splitIDs(v string) ([]string, bool) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !isContentID(p) {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}

// queryList reads a parameter that may be repeated or comma-separated.
func queryList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func notFoundV2(w http.ResponseWriter) {
	confluenceError(w, http.StatusNotFound, "NOT_FOUND", "Not Found")
}

// confCurrentUser is v1's GET /user/current, one of the v1 endpoints the
// gateway still serves.
func (s *Server) confCurrentUser(w http.ResponseWriter, _ *http.Request, c *caller) {
	u := s.userByID(c.AccountID)
	if u == nil {
		confluenceV1Error(w, http.StatusNotFound, "com.atlassian.confluence.api.service.exceptions.NotFoundException: User not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type":        "known",
		"accountId":   u.AccountID,
		"accountType": u.AccountType,
		"email":       u.Email,
		"publicName":  u.DisplayName,
		"displayName": u.DisplayName,
		"timeZone":    u.TimeZone,
		"profilePicture": map[string]any{
			"path": u.AvatarURL(48), "width": 48, "height": 48, "isDefault": false,
		},
		"isExternalCollaborator": false,
		"_links": map[string]any{
			"self":    s.wikiBase() + "/rest/api/user?accountId=" + u.AccountID,
			"base":    s.wikiBase(),
			"context": "/wiki",
		},
	})
}
