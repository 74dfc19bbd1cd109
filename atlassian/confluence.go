package atlassian

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// ConfluenceClient is a Confluence Cloud client: v2 for pages and spaces,
// v1 for CQL search and label writes (the only v1 calls the OAuth gateway
// still serves).
type ConfluenceClient struct {
	core *core

	// Search runs CQL searches (v1).
	Search *ConfluenceSearchService
	// Pages reads and creates pages (v2).
	Pages *PagesService
	// BlogPosts reads blog posts (v2).
	BlogPosts *BlogPostsService
	// Spaces lists spaces (v2).
	Spaces *SpacesService
	// Labels adds labels to content (v1).
	Labels *LabelsService
}

// NewConfluenceClient returns a Confluence client for baseURL
// (ConfluenceBaseURL for the gateway, or a site URL); API paths start with
// /wiki, so a trailing /wiki on baseURL is dropped.
func NewConfluenceClient(baseURL string, hc *http.Client, opts ...Option) (*ConfluenceClient, error) {
	c, err := newCore("confluence", baseURL, hc, opts)
	if err != nil {
		return nil, err
	}
	c.base = strings.TrimSuffix(c.base, "/wiki")
	return &ConfluenceClient{
		core:      c,
		Search:    &ConfluenceSearchService{c: c},
		Pages:     &PagesService{c: c},
		BlogPosts: &BlogPostsService{c: c},
		Spaces:    &SpacesService{c: c},
		Labels:    &LabelsService{c: c},
	}, nil
}

// BaseURL returns the configured base URL (without /wiki).
func (cc *ConfluenceClient) BaseURL() string { return cc.core.base }

// Limiter returns the client's limiter (nil when rate limiting is off).
func (cc *ConfluenceClient) Limiter() *Limiter { return cc.core.lim }

// ConfluenceSearchService runs CQL searches.
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
func (s *ConfluenceSearchService) CQL(ctx context.Context, opts CQLOptions) (*CQLResult, error) {
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
func (s *ConfluenceSearchService) All(ctx context.Context, opts CQLOptions) iter.Seq2[*SearchResultItem, error] {
	return func(yield func(*SearchResultItem, error) bool) {
		seen := map[string]bool{}
		for page := 0; ; page++ {
			if page >= maxPages {
				yield(nil, fmt.Errorf("confluence: search stopped after %d pages", maxPages))
				return
			}
			res, err := s.CQL(ctx, opts)
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
			opts.Cursor = res.NextCursor
		}
	}
}

// LabelsService adds labels to content (v1; v2 has no label writes).
type LabelsService struct{ c *core }

// Label is a Confluence label.
type Label struct {
	ID     FlexID `json:"id,omitempty"`
	Name   string `json:"name"`
	Prefix string `json:"prefix,omitempty"`
	Label  string `json:"label,omitempty"`
}

// LabelCreate is one label to add; Prefix is usually "global".
type LabelCreate struct {
	Prefix string `json:"prefix"`
	Name   string `json:"name"`
}

// labelForbidden are the characters Confluence refuses in a label.
const labelForbidden = "!#&()*,.:;<>?@[]^"

// maxLabelLen is Confluence's label length limit.
const maxLabelLen = 255

// Add adds labels to a page or blog post (POST
// /wiki/rest/api/content/{id}/label) and returns the content's labels.
// Existing labels are kept. Names are lower-cased by Confluence; names
// with spaces are refused here (Confluence would split them).
func (s *LabelsService) Add(ctx context.Context, contentID string, labels []LabelCreate) ([]Label, error) {
	if err := checkID(kindNumeric, "content id", contentID); err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, errors.New("confluence: no labels to add")
	}
	body := make([]LabelCreate, len(labels))
	for i, l := range labels {
		if l.Prefix == "" {
			l.Prefix = "global"
		}
		if err := checkLabel(l.Name); err != nil {
			return nil, err
		}
		body[i] = l
	}
	var out struct {
		Results []Label `json:"results"`
	}
	if err := s.c.do(ctx, newRoute("POST", "/wiki/rest/api/content/{id}/label", contentID), nil, body, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// checkLabel refuses label names Confluence would reject or split.
func checkLabel(name string) error {
	if name == "" {
		return fmt.Errorf("%w: label is empty", ErrInvalidID)
	}
	if len(name) > maxLabelLen {
		return fmt.Errorf("%w: label is longer than %d bytes", ErrInvalidID, maxLabelLen)
	}
	if strings.ContainsAny(name, " \t\r\n"+labelForbidden) {
		return fmt.Errorf("%w: label %q contains a space or one of %s", ErrInvalidID, name, labelForbidden)
	}
	return checkID(kindLabel, "label", name)
}
