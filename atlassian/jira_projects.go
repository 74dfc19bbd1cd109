package atlassian

import (
	"context"
	"fmt"
	"net/url"
)

// ProjectsService lists projects.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/
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
//
// Atlassian API: GET /rest/api/3/project/search
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/)
func (s *ProjectsService) Search(ctx context.Context, opts *ProjectSearchOptions) (*ProjectPage, error) {
	if opts == nil {
		opts = &ProjectSearchOptions{}
	}
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
//
// Atlassian API: GET /rest/api/3/project/search
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/)
func (s *ProjectsService) All(ctx context.Context, opts *ProjectSearchOptions) ([]Project, error) {
	cur := deref(opts) // paging moves startAt of a copy, never the caller's
	var all []Project
	for page := 0; page < maxPages; page++ {
		p, err := s.Search(ctx, &cur)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Values...)
		if p.IsLast || len(p.Values) == 0 {
			return all, nil
		}
		cur.StartAt = p.StartAt + len(p.Values)
	}
	return nil, fmt.Errorf("jira: project search stopped after %d pages", maxPages)
}
