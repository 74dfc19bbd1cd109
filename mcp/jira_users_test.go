package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestResolveUser(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	eng := userScope{Project: "ENG"}
	issue := userScope{IssueKey: "ENG-4"}
	site := userScope{}
	tests := []struct {
		name     string
		who      string
		scope    userScope
		wantID   string
		wantName string
		wantErr  []string
		searches int // user searches made (-1: don't check)
	}{
		{"exact display name", "Priya Raman", eng, priyaID, "Priya Raman", nil, 1},
		{"display name, other case and spacing", "  priya   RAMAN ", issue, priyaID, "Priya Raman", nil, 1},
		{"email", "jordan.lee@example.com", eng, jordanID, "Jordan Lee", nil, 1},
		{"one partial match", "Okafor", site, samID, "Sam Okafor", nil, 1},
		{"exact name beats prefix matches", "Chen Wei", eng, "60a1b2c3d4e5f6a7b8c9d0e1", "Chen Wei", nil, 1},
		{"account id is used as given", jordanID, eng, jordanID, "", nil, 0},
		{"old-style account id", samID, site, samID, "", nil, 0},
		{"ambiguous lists name, email and id", "chen", eng, "", "", []string{`"chen" matches 2 users`, "Chen Wei <chen.wei@example.com> (accountId 60a1b2c3d4e5f6a7b8c9d0e1)",
			"Emily Chen <emily.chen@example.org> (accountId 557058:7e6d5c4b-3a29-4817-b6f5-e4d3c2b1a098)", "Give the full display name"}, 1},
		{"none", "Quentin", eng, "", "", []string{`no user matches "Quentin" among the users who can be assigned issues in ENG`, "Check the spelling"}, 2},
		{"unknown email", "q@example.com", site, "", "", []string{`no user matches "q@example.com"`, "email only exactly"}, 1},
		{"deactivated", "Riley", eng, "", "", []string{"only deactivated or app accounts match (Riley Former <riley.former@example.com>"}, 2},
		{"app account", "automation@example.com", site, "", "", []string{"only deactivated or app accounts match"}, 1},
		{"empty", "  ", site, "", "", []string{"is empty"}, 0},
		{"control characters", "Pri\x00ya", site, "", "", []string{"is not a display name"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.site.ResetRequests()
			u, err := h.deps.resolveUser(ctx, "assignee", tt.who, tt.scope)
			if tt.wantErr != nil {
				var ae *ArgError
				if !errors.As(err, &ae) || ae.Param != "assignee" {
					t.Fatalf("got %+v, %v; want an ArgError for assignee", u, err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
			} else if err != nil || u.AccountID != tt.wantID || u.DisplayName != tt.wantName {
				t.Fatalf("got %+v, %v; want %s %q", u, err, tt.wantID, tt.wantName)
			}
			n := 0
			for _, r := range h.site.Requests() {
				if strings.Contains(r.Path, "/user/") {
					n++
					if tt.scope.assignable() && n == 1 && !strings.HasSuffix(r.Path, "/user/assignable/search") {
						t.Errorf("first search %s, want the assignable search", r.Path)
					}
				}
			}
			if tt.searches >= 0 && n != tt.searches {
				t.Errorf("%d user searches, want %d", n, tt.searches)
			}
		})
	}
}

func TestLooksLikeAccountID(t *testing.T) {
	for s, want := range map[string]bool{
		"5b10ac8d82e05b22cc7d4ef5":                    true,
		"557058:2f1c9a4e-8b7d-4e21-9c3a-5d6f7a8b9c01": true,
		"qm:1a2b3c4d-5e6f":                            true,
		"Priya":                                       false,
		"priya.raman@example.com":                     false,
		"deadbeef":                                    false,
		"Priya Raman":                                 false,
	} {
		if got := looksLikeAccountID(s); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

// "me" and currentUser() stand for the connected user wherever a user is
// taken; /myself is read once per connection.
func TestMeIsTheConnectedUser(t *testing.T) {
	h := newHarness(t)
	admin := h.site.Admin()
	h.site.ResetRequests()
	tests := []struct {
		name string
		tool string
		args map[string]any
		want string
	}{
		{"watch as me", "atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "add_watcher", "accountId": "me"}, admin.DisplayName + " now watches ENG-5"},
		{"assign to currentUser()", "atlassian_jira_manage_issue", map[string]any{"issueKey": "ENG-5", "action": "assign", "accountId": "currentUser()"}, "Assigned ENG-5 to " + admin.DisplayName},
		{"create assigned to Me", "atlassian_jira_create_issue", map[string]any{"projectKey": "ENG", "issueType": "Task", "summary": "Mine", "assignee": "Me"}, "Created ENG-"},
		{"update assignee myself", "atlassian_jira_update_issue", map[string]any{"issueKey": "ENG-4", "action": "update_fields", "fields": map[string]any{"assignee": "myself"}}, "assigned to " + admin.DisplayName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := h.callOK(tt.tool, tt.args, nil)
			if !strings.Contains(text, tt.want) {
				t.Errorf("answer %q lacks %q", text, tt.want)
			}
		})
	}
	myself := 0
	for _, r := range h.site.Requests() {
		if strings.HasSuffix(r.Path, "/myself") {
			myself++
		}
	}
	if myself != 1 {
		t.Errorf("/myself read %d times, want once", myself)
	}
	var issue jiraGetIssueResult
	text := h.callOK("atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-5"}, &issue)
	if issue.Assignee == nil || issue.Assignee.AccountID != admin.AccountID {
		t.Errorf("assignee %+v, want %s", issue.Assignee, admin.AccountID)
	}
	if issue.Watchers == nil || !issue.Watchers.ConnectedUserWatches || issue.Watchers.Count < 1 ||
		!strings.Contains(text, "Watchers: "+fmt.Sprint(issue.Watchers.Count)+" (including the connected user)") {
		t.Errorf("watchers %+v in %q", issue.Watchers, text)
	}
	var other jiraGetIssueResult
	h.callOK("atlassian_jira_get_issue", map[string]any{"issueKey": "ENG-3"}, &other)
	if other.Watchers == nil || other.Watchers.ConnectedUserWatches {
		t.Errorf("ENG-3 watchers %+v, want some without the connected user", other.Watchers)
	}
	// In JQL the connected user is currentUser(); "me" gets that hint.
	msg := h.callErr("atlassian_jira_search", map[string]any{"jql": "assignee = me"})
	if !strings.Contains(msg, "assignee = currentUser()") {
		t.Errorf("JQL error %q does not name currentUser()", msg)
	}
}
