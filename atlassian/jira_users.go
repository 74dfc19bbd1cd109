package atlassian

import (
	"context"
	"errors"
	"net/url"
	"strings"
)

// UsersService searches Jira users.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/
type UsersService struct{ c *core }

// UserSearchOptions are the query parameters of GET /user/search. Query and
// AccountID are mutually exclusive.
type UserSearchOptions struct {
	Query      string
	AccountID  string
	StartAt    int
	MaxResults int
}

// Search finds users whose display name or email starts with Query (an
// empty list, not an error, without the Browse users permission).
//
// Atlassian API: GET /rest/api/3/user/search
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/)
func (s *UsersService) Search(ctx context.Context, opts *UserSearchOptions) ([]User, error) {
	if opts == nil {
		opts = &UserSearchOptions{}
	}
	q, err := userQuery(opts.Query, opts.AccountID)
	if err != nil {
		return nil, err
	}
	setInt(q, "startAt", opts.StartAt)
	setInt(q, "maxResults", opts.MaxResults)
	var out []User
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/user/search"), q, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func userQuery(query, accountID string) (url.Values, error) {
	q := url.Values{}
	switch {
	case query != "" && accountID != "":
		return nil, errors.New("jira: user search takes a query or an accountId, not both")
	case accountID != "":
		if err := checkID(kindAccount, "accountId", accountID); err != nil {
			return nil, err
		}
		q.Set("accountId", accountID)
	case query != "":
		q.Set("query", query)
	}
	return q, nil
}

// Myself returns the user the token acts for on this site (GET /myself;
// a cheap authenticated check of the Jira connection).
//
// Atlassian API: GET /rest/api/3/myself
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/)
func (s *UsersService) Myself(ctx context.Context) (*User, error) {
	var out User
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/myself"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AssignableOptions are the query parameters of GET
// /user/assignable/search: Query or AccountID, and Project or IssueKey.
type AssignableOptions struct {
	Query      string
	AccountID  string
	Project    string
	IssueKey   string
	StartAt    int
	MaxResults int
}

// Assignable finds users who can be assigned issues of a project or one
// issue.
//
// Atlassian API: GET /rest/api/3/user/assignable/search
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/)
func (s *UsersService) Assignable(ctx context.Context, opts *AssignableOptions) ([]User, error) {
	if opts == nil {
		opts = &AssignableOptions{}
	}
	q, err := userQuery(opts.Query, opts.AccountID)
	if err != nil {
		return nil, err
	}
	if opts.Project == "" && opts.IssueKey == "" {
		return nil, errors.New("jira: assignable search needs a project or an issue key")
	}
	if opts.Project != "" {
		if err := checkID(kindProject, "project", opts.Project); err != nil {
			return nil, err
		}
		q.Set("project", opts.Project)
	}
	if opts.IssueKey != "" {
		if err := checkID(kindIssue, "issueKey", opts.IssueKey); err != nil {
			return nil, err
		}
		q.Set("issueKey", opts.IssueKey)
	}
	setInt(q, "startAt", opts.StartAt)
	setInt(q, "maxResults", opts.MaxResults)
	var out []User
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/user/assignable/search"), q, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PickerOptions are the query parameters of GET /user/picker.
type PickerOptions struct {
	Query             string
	MaxResults        int
	ExcludeAccountIDs []string
}

// PickerResult is the answer of the user picker.
type PickerResult struct {
	Users  []PickerUser `json:"users"`
	Total  int          `json:"total"`
	Header string       `json:"header,omitempty"`
}

// PickerUser is a user picker match (HTML holds the match highlighted).
type PickerUser struct {
	AccountID   string `json:"accountId"`
	DisplayName string `json:"displayName,omitempty"`
	HTML        string `json:"html,omitempty"`
	AvatarURL   string `json:"avatarUrl,omitempty"`
}

// Picker finds users for a picker (exact name matches only without the
// Browse users permission).
//
// Atlassian API: GET /rest/api/3/user/picker
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-user-search/)
func (s *UsersService) Picker(ctx context.Context, opts *PickerOptions) (*PickerResult, error) {
	if opts == nil {
		opts = &PickerOptions{}
	}
	if strings.TrimSpace(opts.Query) == "" {
		return nil, errors.New("jira: user picker needs a query")
	}
	q := url.Values{"query": {opts.Query}}
	setInt(q, "maxResults", opts.MaxResults)
	for _, id := range opts.ExcludeAccountIDs {
		if err := checkID(kindAccount, "excludeAccountIds", id); err != nil {
			return nil, err
		}
		q.Add("excludeAccountIds", id)
	}
	var out PickerResult
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/user/picker"), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
