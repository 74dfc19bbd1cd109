package sandbox

import (
	"net/http"
	"sort"
	"strings"
)

// v2 spaces (ATLASSIAN.md §3.7) and a space's pages.

// confSpacePages is GET /spaces/{id}/pages (depth=all, or root for the
// pages at the top of the space's tree).
func (s *Server) confSpacePages(w http.ResponseWriter, r *http.Request, _ *caller) {
	id := r.PathValue("id")
	if !isContentID(id) {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Provided value {"+truncate(id, 80)+"} for 'id' is not the correct type. Expected type is SpaceId")
		return
	}
	switch r.URL.Query().Get("depth") {
	case "", "all", "root":
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'depth' is not valid. Valid values: all, root")
		return
	}
	s.mu.Lock()
	found := s.confluence().spaceByID[id] != nil
	s.mu.Unlock()
	if !found {
		notFoundV2(w)
		return
	}
	s.listContent(w, r, "page", id)
}

// spaceJSON renders a space as v2's SpaceBulk/SpaceSingle.
func spaceJSON(sp *cSpace, descFormat string) map[string]any {
	out := map[string]any{
		"id":          sp.ID,
		"key":         sp.Key,
		"name":        sp.Name,
		"type":        sp.Type,
		"status":      sp.Status,
		"authorId":    sp.AuthorID,
		"createdAt":   isoTime(sp.CreatedAt),
		"homepageId":  sp.HomepageID,
		"description": nil,
		"icon":        nil,
		"_links":      map[string]any{"webui": "/spaces/" + sp.Key},
	}
	switch descFormat {
	case "plain":
		out["description"] = map[string]any{"plain": map[string]any{"representation": "plain", "value": sp.Description}}
	case "view":
		out["description"] = map[string]any{"view": map[string]any{"representation": "view", "value": "<p>" + sp.Description + "</p>"}}
	}
	return out
}

func (s *Server) confListSpaces(w http.ResponseWriter, r *http.Request, _ *caller) {
	q := r.URL.Query()
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	ids, ok := splitIDs(strings.Join(q["ids"], ","))
	if !ok {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value for 'ids' is not valid. Expected a comma-separated list of space ids")
		return
	}
	keys := queryList(q, "keys")
	if len(ids) > 250 || len(keys) > 250 {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "At most 250 ids or keys are allowed")
		return
	}
	typ, status := q.Get("type"), q.Get("status")
	switch typ {
	case "", "global", "personal", "collaboration", "knowledge_base":
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(typ, 40)+"} for 'type' is not valid. Valid values: global, collaboration, knowledge_base, personal")
		return
	}
	switch status {
	case "", "current", "archived":
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(status, 40)+"} for 'status' is not valid. Valid values: current, archived")
		return
	}
	sortBy := q.Get("sort")
	switch strings.TrimPrefix(sortBy, "-") {
	case "", "id", "key", "name":
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(sortBy, 40)+"} for 'sort' is not valid. Valid values: id, -id, key, -key, name, -name")
		return
	}
	key := strings.Join(ids, ",") + "|" + strings.Join(keys, ",") + "|" + typ + "|" + status + "|" + sortBy
	off, ok := v2Offset(w, r, "spaces", key)
	if !ok {
		return
	}
	idSet, keySet := toSet(ids), toSet(keys)
	s.mu.Lock()
	var hits []*cSpace
	for _, sp := range s.confluence().spaces {
		if len(idSet) > 0 && !idSet[sp.ID] || len(keySet) > 0 && !keySet[sp.Key] ||
			typ != "" && sp.Type != typ || status != "" && sp.Status != status {
			continue
		}
		hits = append(hits, sp)
	}
	if sortBy != "" && sortBy != "id" {
		desc := strings.HasPrefix(sortBy, "-")
		field := strings.TrimPrefix(sortBy, "-")
		sort.SliceStable(hits, func(i, j int) bool {
			a, b := hits[i], hits[j]
			if desc {
				a, b = b, a
			}
			switch field {
			case "key":
				return a.Key < b.Key
			case "name":
				return a.Name < b.Name
			}
			return idLess(a.ID, b.ID)
		})
	}
	end := min(off+limit, len(hits))
	var results []any
	for i := off; i < end; i++ {
		results = append(results, spaceJSON(hits[i], q.Get("description-format")))
	}
	s.mu.Unlock()
	s.v2Page(w, r, results, end < len(hits), end, "spaces", key)
}

func (s *Server) confGetSpace(w http.ResponseWriter, r *http.Request, _ *caller) {
	id := r.PathValue("id")
	if !isContentID(id) {
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER",
			"Provided value {"+truncate(id, 80)+"} for 'id' is not the correct type. Expected type is SpaceId")
		return
	}
	s.mu.Lock()
	sp := s.confluence().spaceByID[id]
	var out map[string]any
	if sp != nil {
		out = spaceJSON(sp, r.URL.Query().Get("description-format"))
	}
	s.mu.Unlock()
	if out == nil {
		notFoundV2(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
