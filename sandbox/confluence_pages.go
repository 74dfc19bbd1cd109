package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// v2 pages: get, bulk, create, update, delete, blog posts, folders and the
// hierarchy (ATLASSIAN.md §3.3-§3.8).

// bodyFormats are the body-format values v2 accepts; the sandbox serves
// storage and atlas_doc_format and rejects the rendered views it cannot
// produce faithfully.
var bodyFormats = map[string]bool{"storage": true, "atlas_doc_format": true}

func bodyFormat(w http.ResponseWriter, r *http.Request) (string, bool) {
	f := r.URL.Query().Get("body-format")
	if f == "" || bodyFormats[f] {
		return f, true
	}
	switch f {
	case "view", "export_view", "anonymous_export_view", "styled_view", "editor":
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"The sandbox serves body-format storage and atlas_doc_format only, not "+f)
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Provided value {"+truncate(f, 80)+"} for 'body-format' is not valid. Valid values: storage, atlas_doc_format, view, export_view, anonymous_export_view, styled_view, editor")
	}
	return "", false
}

// pageJSON renders a page as v2's PageSingle/PageBulk. Call with s.mu held.
func (s *Server) pageJSON(c *confState, p *cPage, format string, withLabels bool) map[string]any {
	out := map[string]any{
		"id":          p.ID,
		"status":      p.Status,
		"title":       p.Title,
		"spaceId":     p.SpaceID,
		"parentId":    nil,
		"parentType":  nil,
		"position":    p.Position,
		"authorId":    p.AuthorID,
		"ownerId":     p.OwnerID,
		"lastOwnerId": nil,
		"createdAt":   isoTime(p.CreatedAt),
		"version": map[string]any{
			"number":    p.Version,
			"message":   p.VersionMsg,
			"minorEdit": false,
			"authorId":  p.VersionBy,
			"createdAt": isoTime(p.VersionAt),
		},
		"_links": map[string]any{
			"webui":    c.webui(p),
			"editui":   "/pages/resumedraft.action?draftId=" + p.ID,
			"edituiv2": "/spaces/" + c.spaceKey(p) + "/pages/edit-v2/" + p.ID,
			"tinyui":   tinyui(p.ID),
			"base":     s.wikiBase(),
		},
	}
	if p.ParentID != "" {
		out["parentId"] = p.ParentID
		out["parentType"] = "page"
		if par := c.content[p.ParentID]; par != nil && par.Type != "page" {
			out["parentType"] = par.Type
		}
	}
	switch format {
	case "storage":
		out["body"] = map[string]any{"storage": map[string]any{"representation": "storage", "value": p.Body}}
	case "atlas_doc_format":
		out["body"] = map[string]any{"atlas_doc_format": map[string]any{"representation": "atlas_doc_format", "value": s.pageADF(p)}}
	}
	if withLabels {
		results := []any{}
		for i, l := range p.Labels {
			if i == 50 {
				break
			}
			results = append(results, map[string]any{"id": l.ID, "name": l.Name, "prefix": l.Prefix})
		}
		meta := map[string]any{"hasMore": len(p.Labels) > 50}
		if len(p.Labels) > 50 {
			meta["cursor"] = encodeCursor(cursorState{Offset: 50, Kind: "labels", Key: p.ID})
		}
		out["labels"] = map[string]any{"results": results, "meta": meta,
			"_links": map[string]any{"self": "/wiki/api/v2/pages/" + p.ID + "/labels"}}
	}
	return out
}

func (c *confState) spaceKey(p *cPage) string {
	if sp := c.spaceByID[p.SpaceID]; sp != nil {
		return sp.Key
	}
	return ""
}

// pageADF returns the page body as an ADF JSON string: the verbatim ADF
// when the page was created from ADF, else a conversion of the storage.
func (s *Server) pageADF(p *cPage) string {
	if p.ADF != "" {
		return p.ADF
	}
	root, err := parseStorage(p.Body)
	if err != nil {
		return `{"type":"doc","version":1,"content":[]}`
	}
	return storageToADF(root, func(id string) string {
		if u := s.userByID(id); u != nil {
			return u.DisplayName
		}
		return "Unknown user"
	})
}

// visible reports whether a GET for p should see it given the statuses
// asked for (default current and archived; drafts need get-draft or
// status=draft).
func visible(p *cPage, r *http.Request) bool {
	q := r.URL.Query()
	statuses := queryList(q, "status")
	if len(statuses) == 0 {
		statuses = []string{"current", "archived"}
		if q.Get("get-draft") == "true" {
			statuses = append(statuses, "draft")
		}
	}
	for _, st := range statuses {
		if st == p.Status {
			return true
		}
	}
	return false
}

func (s *Server) confGetPage(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.getContent(w, r, "page")
}

func (s *Server) confGetBlogPost(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.getContent(w, r, "blogpost")
}

func (s *Server) confGetFolder(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.getContent(w, r, "folder")
}

// getContent serves GET /pages/{id}, /blogposts/{id} and /folders/{id}:
// each answers 404 for content of another type, as Cloud does.
func (s *Server) getContent(w http.ResponseWriter, r *http.Request, typ string) {
	id, ok := pageID(w, r)
	if !ok {
		return
	}
	format := ""
	if typ != "folder" {
		if format, ok = bodyFormat(w, r); !ok {
			return
		}
	}
	s.mu.Lock()
	c := s.confluence()
	p := c.content[id]
	if p == nil || p.Type != typ || !visible(p, r) {
		s.mu.Unlock()
		notFoundV2(w)
		return
	}
	out := s.contentJSON(c, p, format, r.URL.Query().Get("include-labels") == "true")
	if r.URL.Query().Get("include-version") == "false" {
		delete(out, "version")
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// contentJSON is pageJSON shaped for p's type: blog posts have no place in
// a tree, folders have a type and no body.
func (s *Server) contentJSON(c *confState, p *cPage, format string, withLabels bool) map[string]any {
	out := s.pageJSON(c, p, format, withLabels)
	switch p.Type {
	case "blogpost":
		for _, k := range []string{"parentId", "parentType", "position", "ownerId", "lastOwnerId"} {
			delete(out, k)
		}
	case "folder":
		out["type"] = "folder"
		delete(out, "body")
		delete(out, "labels")
	}
	return out
}

func (s *Server) confListPages(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.listContent(w, r, "page", "")
}

func (s *Server) confListBlogPosts(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.listContent(w, r, "blogpost", "")
}

// listContent serves the v2 bulk lists of pages and blog posts, optionally
// within one space (inSpace, from the path).
func (s *Server) listContent(w http.ResponseWriter, r *http.Request, typ, inSpace string) {
	q := r.URL.Query()
	ids, ok := splitIDs(strings.Join(q["id"], ","))
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'id' is not valid. Expected a comma-separated list of content ids")
		return
	}
	if len(ids) > 250 {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'id' is not valid. At most 250 ids are allowed")
		return
	}
	spaceIDs, ok := splitIDs(strings.Join(q["space-id"], ","))
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'space-id' is not valid")
		return
	}
	if inSpace != "" {
		spaceIDs = []string{inSpace}
	}
	format, ok := bodyFormat(w, r)
	if !ok {
		return
	}
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	rootOnly := q.Get("depth") == "root"
	key := typ + "|" + strings.Join(ids, ",") + "|" + strings.Join(spaceIDs, ",") + "|" + q.Get("title") + "|" + q.Get("sort") + "|" + q.Get("depth")
	off, ok := v2Offset(w, r, "pages", key)
	if !ok {
		return
	}
	idSet := toSet(ids)
	spSet := toSet(spaceIDs)
	title := q.Get("title")
	s.mu.Lock()
	c := s.confluence()
	var hits []*cPage
	for _, p := range c.ordered {
		if p.Type != typ || !visible(p, r) || len(idSet) > 0 && !idSet[p.ID] ||
			len(spSet) > 0 && !spSet[p.SpaceID] || title != "" && p.Title != title || rootOnly && p.ParentID != "" {
			continue
		}
		hits = append(hits, p)
	}
	sortPages(hits, q.Get("sort"))
	var results []any
	end := min(off+limit, len(hits))
	for i := off; i < end; i++ {
		results = append(results, s.contentJSON(c, hits[i], format, false))
	}
	s.mu.Unlock()
	s.v2Page(w, r, results, end < len(hits), end, "pages", key)
}

func toSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// sortPages applies a v2 sort parameter (id by default).
func sortPages(ps []*cPage, by string) {
	desc := strings.HasPrefix(by, "-")
	key := strings.TrimPrefix(by, "-")
	less := func(a, b *cPage) bool { return idLess(a.ID, b.ID) }
	switch key {
	case "title":
		less = func(a, b *cPage) bool { return a.Title < b.Title }
	case "created-date":
		less = func(a, b *cPage) bool { return a.CreatedAt.Before(b.CreatedAt) }
	case "modified-date":
		less = func(a, b *cPage) bool { return a.VersionAt.Before(b.VersionAt) }
	case "child-position":
		less = func(a, b *cPage) bool { return a.Position < b.Position }
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if desc {
			return less(ps[j], ps[i])
		}
		return less(ps[i], ps[j])
	})
}

// pageCreate is v2's PageCreateRequest.
type pageCreate struct {
	SpaceID  json.RawMessage `json:"spaceId"`
	Status   string          `json:"status"`
	Title    *string         `json:"title"`
	ParentID json.RawMessage `json:"parentId"`
	Body     *pageBody       `json:"body"`
}

// rawID reads an id sent as a JSON string or number.
func rawID(m json.RawMessage) (string, bool) {
	if len(m) == 0 || string(m) == "null" {
		return "", true
	}
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s, isContentID(s)
	}
	var n json.Number
	if json.Unmarshal(m, &n) == nil {
		return n.String(), isContentID(n.String())
	}
	return "", false
}

func (s *Server) confCreatePage(w http.ResponseWriter, r *http.Request, c *caller) {
	var req pageCreate
	if err := decodeJSON(r, &req); err != nil {
		switch {
		case errors.Is(err, errBodyTooLarge):
			confluenceError(w, http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "Request entity too large: the request body is over 5 MB")
		case errors.Is(err, errEmptyBody):
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Request body is missing")
		default:
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Invalid request body: "+err.Error())
		}
		return
	}
	q := r.URL.Query()
	spaceID, ok := rawID(req.SpaceID)
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'spaceId' is not the correct type. Expected type is SpaceId")
		return
	}
	if spaceID == "" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "spaceId is required")
		return
	}
	parentID, ok := rawID(req.ParentID)
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'parentId' is not the correct type. Expected type is ContentId")
		return
	}
	status := req.Status
	if status == "" {
		status = "current"
	}
	if status != "current" && status != "draft" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(status, 40)+"} for 'status' is not valid. Valid values: current, draft")
		return
	}
	title := ""
	if req.Title != nil {
		title = strings.TrimSpace(*req.Title)
	}
	if status == "current" && title == "" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Title is required when creating a published page")
		return
	}
	if len(title) > 255 {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Title must be 255 characters or fewer")
		return
	}
	rootLevel := q.Get("root-level") == "true"
	if rootLevel && parentID != "" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "parentId cannot be given when root-level is true")
		return
	}
	page := &cPage{Title: title, Status: status, AuthorID: c.AccountID}
	if !decodePageBody(w, req.Body, page) {
		return
	}
	s.mu.Lock()
	st := s.confluence()
	sp := st.spaceByID[spaceID]
	if sp == nil {
		s.mu.Unlock()
		confluenceError(w, http.StatusNotFound, "NOT_FOUND", "Space not found or you do not have permission to create content in it: "+spaceID)
		return
	}
	switch {
	case rootLevel:
	case parentID == "":
		parentID = sp.HomepageID
	default:
		par := st.content[parentID]
		if par == nil || par.Status == "draft" {
			s.mu.Unlock()
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The parent content with id "+parentID+" does not exist")
			return
		}
		if par.SpaceID != sp.ID {
			s.mu.Unlock()
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The parent content with id "+parentID+" is not in the space "+spaceID)
			return
		}
		if par.Type == "blogpost" {
			// Blog posts are outside the page tree: nothing nests under them.
			s.mu.Unlock()
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The parent content with id "+parentID+" cannot have child pages")
			return
		}
	}
	if status == "current" {
		for _, p := range st.ordered {
			if p.SpaceID == sp.ID && p.Status == "current" && p.Type == "page" && p.Title == title {
				s.mu.Unlock()
				confluenceError(w, http.StatusBadRequest, "BAD_REQUEST",
					"A page with this title already exists: A page already exists with the same TITLE in this space")
				return
			}
		}
	}
	now := s.now()
	page.SpaceID, page.ParentID, page.CreatedAt, page.VersionAt = sp.ID, parentID, now, now
	st.addPage(page)
	format := "storage"
	if page.ADF != "" {
		format = "atlas_doc_format"
	}
	out := s.pageJSON(st, page, format, false)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// pageBody is the body of a create or update request.
type pageBody struct {
	Representation string          `json:"representation"`
	Value          json.RawMessage `json:"value"`
}

// decodePageBody checks a request body and stores it in page (Body, and
// ADF when given as atlas_doc_format). On a bad body it writes the 400.
func decodePageBody(w http.ResponseWriter, b *pageBody, page *cPage) bool {
	if b == nil {
		return true
	}
	repr := b.Representation
	var value string
	if len(b.Value) > 0 && string(b.Value) != "null" {
		if err := json.Unmarshal(b.Value, &value); err != nil {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "body.value must be a string")
			return false
		}
	}
	page.ADF = ""
	switch repr {
	case "storage", "":
		if repr == "" && value != "" {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "body.representation is required")
			return false
		}
		if _, err := parseStorage(value); err != nil {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", err.Error())
			return false
		}
		page.Body = value
	case "atlas_doc_format":
		var doc map[string]any
		if err := json.Unmarshal([]byte(value), &doc); err != nil || doc["type"] != "doc" {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Invalid ADF: body.value must be a JSON string of an ADF document with type doc")
			return false
		}
		page.ADF = value
		page.Body = adfToStorage(doc)
	case "wiki":
		var sb strings.Builder
		for _, line := range strings.Split(value, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			sb.WriteString("<p>")
			xmlEscape(&sb, line)
			sb.WriteString("</p>")
		}
		page.Body = sb.String()
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(repr, 40)+"} for 'representation' is not valid. Valid values: storage, atlas_doc_format, wiki")
		return false
	}
	return true
}

// pageUpdate is v2's PageUpdateRequest.
type pageUpdate struct {
	ID       json.RawMessage `json:"id"`
	Status   string          `json:"status"`
	Title    *string         `json:"title"`
	SpaceID  json.RawMessage `json:"spaceId"`
	ParentID json.RawMessage `json:"parentId"`
	Body     *pageBody       `json:"body"`
	Version  *struct {
		Number  int    `json:"number"`
		Message string `json:"message"`
	} `json:"version"`
}

func (s *Server) confUpdatePage(w http.ResponseWriter, r *http.Request, c *caller) {
	id, ok := pageID(w, r)
	if !ok {
		return
	}
	var req pageUpdate
	if err := decodeJSON(r, &req); err != nil {
		switch {
		case errors.Is(err, errBodyTooLarge):
			confluenceError(w, http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "Request entity too large: the request body is over 5 MB")
		case errors.Is(err, errEmptyBody):
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Request body is missing")
		default:
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Invalid request body: "+err.Error())
		}
		return
	}
	bodyID, ok := rawID(req.ID)
	if !ok || bodyID != id {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The id in the request body must match the page id in the path")
		return
	}
	if req.Status != "current" && req.Status != "draft" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "status is required and must be current or draft")
		return
	}
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" && req.Status == "current" {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Title is required when updating a published page")
		return
	}
	if req.Body == nil {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "body is required")
		return
	}
	if req.Version == nil {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "version is required")
		return
	}
	parentID, ok := rawID(req.ParentID)
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'parentId' is not the correct type. Expected type is ContentId")
		return
	}
	var next cPage
	if !decodePageBody(w, req.Body, &next) {
		return
	}
	title := strings.TrimSpace(*req.Title)
	s.mu.Lock()
	st := s.confluence()
	p := st.content[id]
	if p == nil || p.Type != "page" {
		s.mu.Unlock()
		notFoundV2(w)
		return
	}
	if req.Version.Number != p.Version+1 {
		cur := p.Version
		s.mu.Unlock()
		confluenceError(w, http.StatusConflict, "CONFLICT", fmt.Sprintf("Version must be incremented when updating a page. Current Version: [%d]. Provided version: [%d]", cur, req.Version.Number))
		return
	}
	if p.Status == "current" && req.Status == "draft" {
		s.mu.Unlock()
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "A published page cannot be changed back to a draft")
		return
	}
	if req.Status == "current" {
		for _, o := range st.ordered {
			if o != p && o.SpaceID == p.SpaceID && o.Status == "current" && o.Type == "page" && o.Title == title {
				s.mu.Unlock()
				confluenceError(w, http.StatusBadRequest, "BAD_REQUEST",
					"A page with this title already exists: A page already exists with the same TITLE in this space")
				return
			}
		}
	}
	if parentID != "" && parentID != p.ParentID {
		par := st.content[parentID]
		if par == nil || par.SpaceID != p.SpaceID {
			s.mu.Unlock()
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The parent content with id "+parentID+" does not exist in this space")
			return
		}
		for _, a := range append(st.ancestors(par), par.ID) {
			if a == p.ID {
				s.mu.Unlock()
				confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "A page cannot be moved under itself or its descendants")
				return
			}
		}
		st.move(p, par)
	}
	now := s.now()
	p.Title, p.Status, p.Body, p.ADF = title, req.Status, next.Body, next.ADF
	p.Version++
	p.VersionAt, p.VersionBy, p.VersionMsg = now, c.AccountID, req.Version.Message
	if !slices.Contains(p.Contribs, c.AccountID) {
		p.Contribs = append(p.Contribs, c.AccountID)
	}
	if root, err := parseStorage(p.Body); err == nil {
		p.facts = extractFacts(root)
	}
	st.index(p)
	format := "storage"
	if p.ADF != "" {
		format = "atlas_doc_format"
	}
	out := s.pageJSON(st, p, format, false)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// confDeletePage is v2's DELETE /pages/{id}: a current page goes to the
// trash (status trashed; children move up to its parent), a trashed one is
// purged with purge=true, a draft is deleted with draft=true.
func (s *Server) confDeletePage(w http.ResponseWriter, r *http.Request, _ *caller) {
	id, ok := pageID(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	p := c.content[id]
	if p == nil || p.Type != "page" {
		notFoundV2(w)
		return
	}
	switch {
	case p.Status == "current" && q.Get("purge") != "true" && q.Get("draft") != "true":
		if sp := c.spaceByID[p.SpaceID]; sp != nil && sp.HomepageID == p.ID {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "A space homepage cannot be deleted")
			return
		}
		p.Status = "trashed"
		if par := c.content[p.ParentID]; par != nil {
			for _, kid := range slices.Clone(p.Children) {
				if ch := c.content[kid]; ch != nil {
					c.move(ch, par)
				}
			}
		}
		c.index(p)
	case p.Status == "trashed" && q.Get("purge") == "true", p.Status == "draft" && q.Get("draft") == "true":
		c.remove(p)
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Use purge=true to delete a trashed page and draft=true to delete a draft")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lookupPage finds a page for a hierarchy route, writing 400/404 itself.
func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request) (*confState, *cPage, bool) {
	id, ok := pageID(w, r)
	if !ok {
		return nil, nil, false
	}
	s.mu.Lock()
	c := s.confluence()
	p := c.content[id]
	if p == nil || p.Type != "page" || p.Status == "draft" && r.URL.Query().Get("get-draft") != "true" {
		s.mu.Unlock()
		notFoundV2(w)
		return nil, nil, false
	}
	return c, p, true // s.mu stays held
}

func (s *Server) confAncestors(w http.ResponseWriter, r *http.Request, _ *caller) {
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	c, p, ok := s.lookupPage(w, r)
	if !ok {
		return
	}
	ids := c.ancestors(p)
	if len(ids) > limit { // the nearest ones; ask again with the first for more
		ids = ids[len(ids)-limit:]
	}
	results := make([]any, 0, len(ids))
	for _, id := range ids {
		typ := "page"
		if a := c.content[id]; a != nil {
			typ = a.Type
		}
		results = append(results, map[string]any{"id": id, "type": typ})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// childList returns p's children that are current, sorted.
func (c *confState) childList(p *cPage, sortBy string, pagesOnly bool) []*cPage {
	var out []*cPage
	for _, id := range p.Children {
		ch := c.content[id]
		if ch == nil || ch.Status != "current" || pagesOnly && ch.Type != "page" {
			continue
		}
		out = append(out, ch)
	}
	if sortBy == "" {
		sortBy = "child-position"
	}
	sortPages(out, sortBy)
	return out
}

func (s *Server) confDirectChildren(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.children(w, r, false)
}

func (s *Server) confChildren(w http.ResponseWriter, r *http.Request, _ *caller) {
	s.children(w, r, true)
}

func (s *Server) children(w http.ResponseWriter, r *http.Request, pagesOnly bool) {
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	kind := "direct-children"
	if pagesOnly {
		kind = "children"
	}
	off, ok := v2Offset(w, r, kind, r.PathValue("id")+"|"+r.URL.Query().Get("sort"))
	if !ok {
		return
	}
	c, p, ok := s.lookupPage(w, r)
	if !ok {
		return
	}
	kids := c.childList(p, r.URL.Query().Get("sort"), pagesOnly)
	end := min(off+limit, len(kids))
	var results []any
	for i := off; i < end; i++ {
		ch := kids[i]
		item := map[string]any{"id": ch.ID, "status": ch.Status, "title": ch.Title, "spaceId": ch.SpaceID, "childPosition": ch.Position}
		if !pagesOnly {
			item["type"] = ch.Type
		}
		results = append(results, item)
	}
	s.mu.Unlock()
	s.v2Page(w, r, results, end < len(kids), end, kind, p.ID+"|"+r.URL.Query().Get("sort"))
}

func (s *Server) confDescendants(w http.ResponseWriter, r *http.Request, _ *caller) {
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	depth := 2
	if v := r.URL.Query().Get("depth"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10 {
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
				"Provided value {"+truncate(v, 40)+"} for 'depth' is not valid. It must be an integer between 1 and 10")
			return
		}
		depth = n
	}
	key := r.PathValue("id") + "|" + strconv.Itoa(depth)
	off, ok := v2Offset(w, r, "descendants", key)
	if !ok {
		return
	}
	c, p, ok := s.lookupPage(w, r)
	if !ok {
		return
	}
	var all []map[string]any
	var walk func(par *cPage, d int)
	walk = func(par *cPage, d int) {
		for _, ch := range c.childList(par, "", false) {
			all = append(all, map[string]any{"id": ch.ID, "status": ch.Status, "title": ch.Title, "type": ch.Type,
				"parentId": par.ID, "depth": d, "childPosition": ch.Position})
			if d < depth {
				walk(ch, d+1)
			}
		}
	}
	walk(p, 1)
	end := min(off+limit, len(all))
	var results []any
	for i := off; i < end; i++ {
		results = append(results, all[i])
	}
	s.mu.Unlock()
	s.v2Page(w, r, results, end < len(all), end, "descendants", key)
}
