package atlassian

import (
	"context"
	"slices"
)

// ConfluenceUsersService resolves Confluence account ids (v2).
type ConfluenceUsersService struct{ c *core }

// ConfluenceUser is a v2 User: what a page's author, editor or mention
// shows. DisplayName may be a public name, or empty, by the user's profile
// visibility.
type ConfluenceUser struct {
	AccountID     string `json:"accountId"`
	AccountType   string `json:"accountType,omitempty"`
	AccountStatus string `json:"accountStatus,omitempty"`
	DisplayName   string `json:"displayName,omitempty"`
	PublicName    string `json:"publicName,omitempty"`
}

// usersBulkBatch is how many ids one users-bulk call carries.
const usersBulkBatch = 100

// Bulk returns the users with the given account ids (POST
// /wiki/api/v2/users-bulk, scope read:user:confluence), in batches of 100.
// Ids Confluence does not know are left out. Every id goes in a JSON body,
// never a URL, but each must still look like an account id.
//
// Atlassian API: POST /wiki/api/v2/users-bulk (Confluence REST v2, User group)
func (s *ConfluenceUsersService) Bulk(ctx context.Context, accountIDs []string) ([]ConfluenceUser, error) {
	var out []ConfluenceUser
	for batch := range slices.Chunk(accountIDs, usersBulkBatch) {
		for _, id := range batch {
			if err := checkID(kindAccount, "account id", id); err != nil {
				return nil, err
			}
		}
		rt := newRoute("POST", "/wiki/api/v2/users-bulk")
		rt.idempotent = true // a read: safe to retry
		var page struct {
			Results []ConfluenceUser `json:"results"`
		}
		if err := s.c.do(ctx, rt, nil, map[string]any{"accountIds": batch}, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Results...)
	}
	return out, nil
}
