package atlassian

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
)

// IssueSearchService runs enhanced JQL search (POST /rest/api/3/search/jql)
// and approximate counts. /rest/api/3/search is gone (410) and not used.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
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
//
// Atlassian API: POST /rest/api/3/search/jql
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/)
func (s *IssueSearchService) JQL(ctx context.Context, opts *SearchOptions) (*SearchResult, error) {
	if opts == nil {
		opts = &SearchOptions{}
	}
	if strings.TrimSpace(opts.JQL) == "" {
		return nil, errors.New("jira: JQL is empty; Jira requires a bounded query such as project = KEY")
	}
	if opts.MaxResults < 0 {
		return nil, fmt.Errorf("jira: maxResults %d is negative", opts.MaxResults)
	}
	rt := newRoute("POST", "/rest/api/3/search/jql")
	rt.idempotent = true // a read: safe to retry
	body := searchBody{SearchOptions: *opts, ExpandStr: strings.Join(opts.Expand, ",")}
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
//
// Atlassian API: POST /rest/api/3/search/jql
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/)
func (s *IssueSearchService) All(ctx context.Context, opts *SearchOptions) iter.Seq2[*Issue, error] {
	cur := deref(opts) // paging moves the token of a copy, never the caller's
	return func(yield func(*Issue, error) bool) {
		seen := map[string]bool{}
		for page := 0; ; page++ {
			if page >= maxPages {
				yield(nil, fmt.Errorf("jira: search stopped after %d pages", maxPages))
				return
			}
			res, err := s.JQL(ctx, &cur)
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
			cur.NextPageToken = res.NextPageToken
		}
	}
}

// ApproximateCount returns Jira's estimate of how many issues match jql
// (POST /search/approximate-count).
//
// Atlassian API: POST /rest/api/3/search/approximate-count
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/)
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
