package sandbox

import (
	"fmt"
	"strings"
	"testing"
)

func TestConfluenceUsersBulk(t *testing.T) {
	c := newConfClient(t)
	alex, riley := c.srv.users[0], c.srv.users[12]
	tests := []struct {
		name   string
		body   string
		status int
		want   []string // display names, in order
		err    string
	}{
		{"known, unknown and repeated ids", fmt.Sprintf(`{"accountIds":[%q,"557058:00000000-0000-0000-0000-000000000000",%q]}`, alex.AccountID, alex.AccountID), 200, []string{"Alex Morgan"}, ""},
		{"a deactivated account", fmt.Sprintf(`{"accountIds":[%q]}`, riley.AccountID), 200, []string{"Former user"}, ""},
		{"none found", `{"accountIds":["nobody"]}`, 200, nil, ""},
		{"empty list", `{"accountIds":[]}`, 400, nil, "accountIds is required"},
		{"no body", ``, 400, nil, "Request body is missing"},
		{"too many", `{"accountIds":[` + strings.Repeat(`"x",`, maxBulkUsers) + `"x"]}`, 400, nil, "at most 250"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := c.post("/wiki/api/v2/users-bulk", tt.body)
			if h.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", h.Status, tt.status, h.Body)
			}
			if tt.err != "" {
				if !strings.Contains(h.Body, tt.err) {
					t.Errorf("body %s lacks %q", h.Body, tt.err)
				}
				return
			}
			var got []string
			for _, r := range h.JSON(t)["results"].([]any) {
				got = append(got, r.(map[string]any)["displayName"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("names %v, want %v", got, tt.want)
			}
		})
	}
	// The endpoint needs read:user:confluence.
	other := c.srv.IssueToken("read:page:confluence").AccessToken
	h := do(t, "POST", c.srv.ConfluenceBaseURL()+"/wiki/api/v2/users-bulk", other, "application/json", `{"accountIds":["x"]}`)
	if h.Status != 401 || !strings.Contains(h.Body, "scope does not match") {
		t.Errorf("without the scope: %d %s", h.Status, h.Body)
	}
}
