package sandbox

import (
	"errors"
	"net/http"
)

// maxBulkUsers is the most account ids one users-bulk call resolves; the
// sandbox refuses more rather than truncating silently.
const maxBulkUsers = 250

// confUserJSON is a v2 User as users-bulk returns it. Profile visibility
// is modelled the simple way: deactivated accounts show "Former user".
func (s *Server) confUserJSON(u *User) map[string]any {
	name, status := u.DisplayName, "active"
	if !u.Active {
		name, status = "Former user", "inactive"
	}
	return map[string]any{
		"accountId":     u.AccountID,
		"accountType":   u.AccountType,
		"accountStatus": status,
		"displayName":   name,
		"publicName":    name,
		"timeZone":      u.TimeZone,
		"profilePicture": map[string]any{
			"path": u.AvatarURL(48), "width": 48, "height": 48, "isDefault": false,
		},
		"isExternalCollaborator": false,
	}
}

// confUsersBulk serves POST /wiki/api/v2/users-bulk {"accountIds": [...]}:
// the users among the ids, in the order asked; unknown ids are left out
// ("results may be empty if no account IDs were found").
func (s *Server) confUsersBulk(w http.ResponseWriter, r *http.Request, _ *caller) {
	var req struct {
		AccountIDs []string `json:"accountIds"`
	}
	if err := decodeJSON(r, &req); err != nil {
		switch {
		case errors.Is(err, errBodyTooLarge):
			confluenceError(w, http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", "Request entity too large")
		case errors.Is(err, errEmptyBody):
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Request body is missing")
		default:
			confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "Invalid request body: "+err.Error())
		}
		return
	}
	switch {
	case len(req.AccountIDs) == 0:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "accountIds is required")
		return
	case len(req.AccountIDs) > maxBulkUsers:
		confluenceError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "accountIds may hold at most "+itoa(maxBulkUsers)+" ids")
		return
	}
	results := []any{}
	seen := map[string]bool{}
	for _, id := range req.AccountIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if u := s.userByID(id); u != nil {
			results = append(results, s.confUserJSON(u))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "_links": map[string]any{"base": s.wikiBase()}})
}
