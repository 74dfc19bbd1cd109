package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// Labels: the v2 read (ATLASSIAN.md §3.5) and the v1 add and remove, which
// have no v2 equivalent and so survive on the gateway.

func (s *Server) confPageLabels(w http.ResponseWriter, r *http.Request, _ *caller) {
	limit, ok := v2Limit(w, r, 25, 250)
	if !ok {
		return
	}
	prefix := r.URL.Query().Get("prefix")
	switch prefix {
	case "", "my", "team", "global", "system":
	default:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Provided value {"+truncate(prefix, 40)+"} for 'prefix' is not valid. Valid values: my, team, global, system")
		return
	}
	off, ok := v2Offset(w, r, "labels", r.PathValue("id")+"|"+prefix)
	if !ok {
		return
	}
	_, p, ok := s.lookupPage(w, r)
	if !ok {
		return
	}
	var ls []cLabel
	for _, l := range p.Labels {
		if prefix == "" || l.Prefix == prefix {
			ls = append(ls, l)
		}
	}
	end := min(off+limit, len(ls))
	var results []any
	for i := off; i < end; i++ {
		results = append(results, map[string]any{"id": ls[i].ID, "name": ls[i].Name, "prefix": ls[i].Prefix})
	}
	s.mu.Unlock()
	s.v2Page(w, r, results, end < len(ls), end, "labels", p.ID+"|"+prefix)
}

// labelCreate is v1's LabelCreate.
type labelCreate struct {
	Prefix string `json:"prefix"`
	Name   string `json:"name"`
}

// invalidLabelChars are the characters Confluence refuses in label names.
const invalidLabelChars = " :;,.?&[]()#^*@!<>\t\n\r"

func (s *Server) confAddLabels(w http.ResponseWriter, r *http.Request, _ *caller) {
	id := r.PathValue("id")
	if !isContentID(id) {
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Content id is not valid: "+truncate(id, 80))
		return
	}
	var raw json.RawMessage
	if err := decodeJSON(r, &raw); err != nil {
		if errors.Is(err, errBodyTooLarge) {
			confluenceV1Error(w, http.StatusRequestEntityTooLarge, "Request entity too large")
			return
		}
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse the label list: "+err.Error())
		return
	}
	var labels []labelCreate
	trimmed := strings.TrimSpace(string(raw))
	var err error
	if strings.HasPrefix(trimmed, "[") {
		err = json.Unmarshal(raw, &labels)
	} else {
		var one labelCreate
		err = json.Unmarshal(raw, &one)
		labels = []labelCreate{one}
	}
	if err != nil {
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Could not parse the label list: "+err.Error())
		return
	}
	var add []cLabel
	for _, l := range labels {
		name := strings.ToLower(strings.TrimSpace(l.Name))
		switch {
		case l.Prefix == "":
			confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Label prefix is required")
			return
		case l.Prefix != "global" && l.Prefix != "my" && l.Prefix != "team":
			confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Invalid label prefix: "+truncate(l.Prefix, 40))
			return
		case name == "":
			confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Label name is required")
			return
		case strings.ContainsAny(name, invalidLabelChars):
			confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Label '"+truncate(l.Name, 80)+"' contains invalid characters. Labels cannot contain spaces or any of :;,.?&[]()#^*@!<>")
			return
		case len(name) > 255:
			confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Label names must be 255 characters or fewer")
			return
		}
		add = append(add, cLabel{Prefix: l.Prefix, Name: name})
	}
	s.mu.Lock()
	c := s.confluence()
	p := c.content[id]
	if p == nil || p.Type == "folder" {
		s.mu.Unlock()
		confluenceV1Error(w, http.StatusNotFound, "com.atlassian.confluence.api.service.exceptions.NotFoundException: No content found with id: ContentId{id="+id+"}")
		return
	}
	if len(p.Labels)+len(add) > 500 {
		s.mu.Unlock()
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Too many labels: content can have at most 500 labels")
		return
	}
	c.addLabels(p, add)
	results := make([]any, 0, len(p.Labels))
	for _, l := range p.Labels {
		results = append(results, map[string]any{"prefix": l.Prefix, "name": l.Name, "id": l.ID, "label": l.Name})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"results": results, "start": 0, "limit": 200, "size": len(results),
		"_links": map[string]any{"self": s.wikiBase() + "/rest/api/content/" + id + "/label", "base": s.wikiBase(), "context": "/wiki"},
	})
}

// confRemoveLabel is v1's DELETE /content/{id}/label/{label} (or
// ?name=label for names the path cannot carry): 204, or 404 when the
// content or the label is not there.
func (s *Server) confRemoveLabel(w http.ResponseWriter, r *http.Request, _ *caller) {
	id := r.PathValue("id")
	if !isContentID(id) {
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Content id is not valid: "+truncate(id, 80))
		return
	}
	name := r.PathValue("label")
	if name == "" {
		name = r.URL.Query().Get("name")
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		confluenceV1Error(w, http.StatusBadRequest, "com.atlassian.confluence.api.service.exceptions.BadRequestException: Label name is required")
		return
	}
	s.mu.Lock()
	c := s.confluence()
	p := c.content[id]
	if p == nil {
		s.mu.Unlock()
		confluenceV1Error(w, http.StatusNotFound, "com.atlassian.confluence.api.service.exceptions.NotFoundException: No content found with id: ContentId{id="+id+"}")
		return
	}
	n := len(p.Labels)
	p.Labels = slices.DeleteFunc(p.Labels, func(l cLabel) bool { return l.Name == name })
	removed := len(p.Labels) != n
	if removed {
		c.index(p)
	}
	s.mu.Unlock()
	if !removed {
		confluenceV1Error(w, http.StatusNotFound, "com.atlassian.confluence.api.service.exceptions.NotFoundException: Label "+truncate(name, 80)+" is not on content "+id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
