package atlassian

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// IssueSearchService runs enhanced JQL search (POST /rest/api/3/search/jql)
// and approximate counts. /rest/api/3/search is gone (410) and not used.
type IssueSearchService struct{ c *core }

// SearchOptions is the body of POST /search/jql.
type SearchOptions struct {
	// JQL must be bounded (Jira refuses "order by key" alone).
	JQL string `json:"jql"`
	// NextPageToken continues a previous search (valid 7 days).
	NextPageToken string `json:"nextPageToken,omitempty"`
	// MaxResults is the page size (Jira's default 50).
	MaxResults int `json:"maxResults,omitempty"`
	// Fields to return. Jira returns only ids when empty: always set it.
	Fields []string `json:"fields,omitempty"`
	// Expand is a comma-joined list on the wire (renderedFields, names,
	// schema, transitions, changelog, …).
	Expand []string `json:"-"`
	// Properties to return (at most 5).
	Properties []string `json:"properties,omitempty"`
	// FieldsByKeys makes Fields name fields by key.
	FieldsByKeys bool `json:"fieldsByKeys,omitempty"`
	// ReconcileIssues are ids (at most 50) of just-written issues to make
	// read-after-write consistent.
	ReconcileIssues []int64 `json:"reconcileIssues,omitempty"`
}

// searchBody is SearchOptions on the wire.
type searchBody struct {
	SearchOptions
	ExpandStr string `json:"expand,omitempty"`
}

// SearchResult is one page of a JQL search. Jira reports no total: use
// ApproximateCount.
type SearchResult struct {
	Issues []Issue `json:"issues"`
	// IsLast is true on the last page; NextPageToken is then empty.
	IsLast        bool   `json:"isLast"`
	NextPageToken string `json:"nextPageToken,omitempty"`
	// Names and Schema come with expand=names / expand=schema.
	Names  map[string]string      `json:"names,omitempty"`
	Schema map[string]FieldSchema `json:"schema,omitempty"`
}

// JQL returns one page of issues matching opts.JQL.
func (s *IssueSearchService) JQL(ctx context.Context, opts SearchOptions) (*SearchResult, error) {
	if strings.TrimSpace(opts.JQL) == "" {
		return nil, errors.New("jira: JQL is empty; Jira requires a bounded query such as project = KEY")
	}
	if opts.MaxResults < 0 {
		return nil, fmt.Errorf("jira: maxResults %d is negative", opts.MaxResults)
	}
	rt := newRoute("POST", "/rest/api/3/search/jql")
	rt.idempotent = true // a read: safe to retry
	body := searchBody{SearchOptions: opts, ExpandStr: strings.Join(opts.Expand, ",")}
	var out SearchResult
	if err := s.c.do(ctx, rt, nil, body, &out); err != nil {
		return nil, err
	}
	if out.NextPageToken == "" {
		out.IsLast = true
	}
	return &out, nil
}

// All iterates over every issue matching opts.JQL, following
// nextPageToken from opts.NextPageToken on. It stops at the first error
// (yielded with a nil issue), when the consumer stops, on the last page, or
// when Jira repeats a token (which would loop forever).
func (s *IssueSearchService) All(ctx context.Context, opts SearchOptions) iter.Seq2[*Issue, error] {
	return func(yield func(*Issue, error) bool) {
		seen := map[string]bool{}
		for page := 0; ; page++ {
			if page >= maxPages {
				yield(nil, fmt.Errorf("jira: search stopped after %d pages", maxPages))
				return
			}
			res, err := s.JQL(ctx, opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range res.Issues {
				if !yield(&res.Issues[i], nil) {
					return
				}
			}
			if res.IsLast || res.NextPageToken == "" {
				return
			}
			if seen[res.NextPageToken] {
				yield(nil, errors.New("jira: search returned a nextPageToken it had returned before; stopping"))
				return
			}
			seen[res.NextPageToken] = true
			opts.NextPageToken = res.NextPageToken
		}
	}
}

// ApproximateCount returns Jira's estimate of how many issues match jql
// (POST /search/approximate-count).
func (s *IssueSearchService) ApproximateCount(ctx context.Context, jql string) (int64, error) {
	if strings.TrimSpace(jql) == "" {
		return 0, errors.New("jira: JQL is empty")
	}
	rt := newRoute("POST", "/rest/api/3/search/approximate-count")
	rt.idempotent = true
	var out struct {
		Count int64 `json:"count"`
	}
	if err := s.c.do(ctx, rt, nil, map[string]string{"jql": jql}, &out); err != nil {
		return 0, err
	}
	return out.Count, nil
}

// UsersService searches Jira users.
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
func (s *UsersService) Search(ctx context.Context, opts UserSearchOptions) ([]User, error) {
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
func (s *UsersService) Assignable(ctx context.Context, opts AssignableOptions) ([]User, error) {
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
func (s *UsersService) Picker(ctx context.Context, opts PickerOptions) (*PickerResult, error) {
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

// ProjectsService lists projects.
type ProjectsService struct{ c *core }

// ProjectSearchOptions are the query parameters of GET /project/search.
type ProjectSearchOptions struct {
	StartAt    int
	MaxResults int // at most 100 (default 50)
	OrderBy    string
	Query      string
	Keys       []string
	TypeKey    string
	Action     string // view (default), browse, edit, create
	Expand     []string
}

// ProjectPage is one page of a project search.
type ProjectPage struct {
	Values     []Project `json:"values"`
	StartAt    int       `json:"startAt"`
	MaxResults int       `json:"maxResults"`
	Total      int       `json:"total"`
	IsLast     bool      `json:"isLast"`
}

// Search returns one page of projects.
func (s *ProjectsService) Search(ctx context.Context, opts ProjectSearchOptions) (*ProjectPage, error) {
	q := url.Values{}
	setInt(q, "startAt", opts.StartAt)
	setInt(q, "maxResults", opts.MaxResults)
	if opts.OrderBy != "" {
		q.Set("orderBy", opts.OrderBy)
	}
	if opts.Query != "" {
		q.Set("query", opts.Query)
	}
	for _, k := range opts.Keys {
		if err := checkID(kindProject, "keys", k); err != nil {
			return nil, err
		}
		q.Add("keys", k)
	}
	if opts.TypeKey != "" {
		q.Set("typeKey", opts.TypeKey)
	}
	if opts.Action != "" {
		q.Set("action", opts.Action)
	}
	setList(q, "expand", opts.Expand)
	var out ProjectPage
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/project/search"), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// All returns every project matching opts, paging with startAt until
// isLast.
func (s *ProjectsService) All(ctx context.Context, opts ProjectSearchOptions) ([]Project, error) {
	var all []Project
	for page := 0; page < maxPages; page++ {
		p, err := s.Search(ctx, opts)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Values...)
		if p.IsLast || len(p.Values) == 0 {
			return all, nil
		}
		opts.StartAt = p.StartAt + len(p.Values)
	}
	return nil, fmt.Errorf("jira: project search stopped after %d pages", maxPages)
}
