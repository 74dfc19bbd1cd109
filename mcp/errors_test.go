package mcp

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// TestDescribeErrorStoreUnavailable: a call that failed because the
// server's database is down answers a short message saying so and to
// retry later, without the cause's address or driver text; other store
// errors keep their own message.
func TestDescribeErrorStoreUnavailable(t *testing.T) {
	down := fmt.Errorf("PostgreSQL store: %w", errors.Join(
		errors.New("the database is unreachable (connection refused) at 10.1.2.3:5432"), tokenstore.ErrUnavailable))
	tests := []struct {
		name  string
		err   error
		has   []string
		lacks []string
	}{
		{"refresh through a down store", fmt.Errorf("jira: POST /rest/api/3/search/jql: %w", down),
			[]string{"database is unavailable", "Retry"}, []string{"10.1.2.3", "PostgreSQL store", "POST", "connection refused"}},
		{"busy store keeps its message", fmt.Errorf("jira: GET /x: %w: another process has been refreshing", tokenstore.ErrBusy),
			[]string{"another process has been refreshing"}, []string{"unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeError(tt.err)
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("%q lacks %q", got, s)
				}
			}
			for _, s := range tt.lacks {
				if strings.Contains(got, s) {
					t.Errorf("%q has %q", got, s)
				}
			}
		})
	}
}
