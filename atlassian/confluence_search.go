package atlassian

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
)

// ConfluenceSearchService runs CQL searches.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-search/
type ConfluenceSearchService struct{ c *core }

// CQLOptions are the query parameters of GET /wiki/rest/api/search.
type CQLOptions struct {
	CQL string
	// Limit is the page size (Confluence's default 25; 25 with body
	// expansions).
	Limit int
	// Cursor continues a previous search (CQLResult.NextCursor).
	Cursor string
	// Excerpt: highlight, indexed, none, highlight_unescaped,
	// indexed_unescaped.
	Excerpt string
	// Expand, e.g. content.space, content.version.
	Expand []string
	// IncludeArchivedSpaces searches archived spaces too.
	IncludeArchivedSpaces bool
}

// CQLResult is one page of CQL search results.
type CQLResult struct {
	Results   []SearchResultItem `json:"results"`
	Start     int                `json:"start"`
	Limit     int                `json:"limit"`
	Size      int                `json:"size"`
	TotalSize int                `json:"totalSize"`
	CQLQuery  string             `json:"cqlQuery,omitempty"`
	Links     Links              `json:"_links"`
	// NextCursor is the cursor of the next page ("" on the last page),
	// taken from _links.next after checking the link.
	NextCursor string `json:"-"`
}

// SearchResultItem is one CQL search hit.
type SearchResultItem struct {
	Content               *SearchContent `json:"content,omitempty"`
	Title                 string         `json:"title"`
	Excerpt               string         `json:"excerpt,omitempty"`
	URL                   string         `json:"url,omitempty"`
	EntityType            string         `json:"entityType,omitempty"`
	LastModified          Time           `json:"lastModified"`
	FriendlyLastModified  string         `json:"friendlyLastModified,omitempty"`
	ResultGlobalContainer *Container     `json:"resultGlobalContainer,omitempty"`
	// Space is the space of a hit whose entityType is space.
	Space *SpaceBrief `json:"space,omitempty"`
}

// SearchContent is the content of a search hit.
type SearchContent struct {
	ID     string      `json:"id"`
	Type   string      `json:"type"`
	Status string      `json:"status,omitempty"`
	Title  string      `json:"title"`
	Space  *SpaceBrief `json:"space,omitempty"`
	Links  Links       `json:"_links"`
}

// SpaceBrief is a space as v1 embeds it.
type SpaceBrief struct {
	ID   FlexID `json:"id,omitempty"`
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// Container is a search hit's container (its space).
type Container struct {
	Title      string `json:"title"`
	DisplayURL string `json:"displayUrl,omitempty"`
}

// cqlPath is the v1 search route.
const cqlPath = "/wiki/rest/api/search"

// CQL returns one page of CQL search results.
//
// Atlassian API: GET /wiki/rest/api/search
// (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-search/)
func (s *ConfluenceSearchService) CQL(ctx context.Context, opts *CQLOptions) (*CQLResult, error) {
	if opts == nil {
		opts = &CQLOptions{}
	}
	if strings.TrimSpace(opts.CQL) == "" {
		return nil, errors.New("confluence: CQL is empty")
	}
	q := url.Values{"cql": {opts.CQL}}
	setInt(q, "limit", opts.Limit)
	if opts.Cursor != "" {
		q.Set("cursor", opts.Cursor)
	}
	if opts.Excerpt != "" {
		q.Set("excerpt", opts.Excerpt)
	}
	setList(q, "expand", opts.Expand)
	if opts.IncludeArchivedSpaces {
		q.Set("includeArchivedSpaces", "true")
	}
	var out CQLResult
	if err := s.c.do(ctx, newRoute("GET", cqlPath), q, nil, &out); err != nil {
		return nil, err
	}
	cur, err := s.c.cursorFromNext(out.Links.Next, cqlPath)
	if err != nil {
		return nil, fmt.Errorf("confluence: GET %s: %w", cqlPath, err)
	}
	out.NextCursor = cur
	return &out, nil
}

// All iterates over every hit of opts.CQL, following cursors. It stops at
// the first error (yielded with a nil item), on the last page, or when a
// cursor repeats.
//
// Atlassian API: GET /wiki/rest/api/search
// (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-search/)
func (s *ConfluenceSearchService) All(ctx context.Context, opts *CQLOptions) iter.Seq2[*SearchResultItem, error] {
	cur := deref(opts) // paging moves the cursor of a copy, never the caller's
	return func(yield func(*SearchResultItem, error) bool) {
		seen := map[string]bool{}
		for page := 0; ; page++ {
			if page >= maxPages {
				yield(nil, fmt.Errorf("confluence: search stopped after %d pages", maxPages))
				return
			}
			res, err := s.CQL(ctx, &cur)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range res.Results {
				if !yield(&res.Results[i], nil) {
					return
				}
			}
			if res.NextCursor == "" {
				return
			}
			if seen[res.NextCursor] {
				yield(nil, errors.New("confluence: search returned a cursor it had returned before; stopping"))
				return
			}
			seen[res.NextCursor] = true
			cur.Cursor = res.NextCursor
		}
	}
}
