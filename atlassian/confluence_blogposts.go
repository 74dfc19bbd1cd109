package atlassian

import (
	"context"
	"net/url"
)

// BlogPostsService reads blog posts (Confluence v2).
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-blog-post/
type BlogPostsService struct{ c *core }

// Get returns a blog post. Blog posts have the shape of a page without a
// place in the page tree (no parent, no position).
func (s *BlogPostsService) Get(ctx context.Context, id string, opts *PageGetOptions) (*Page, error) {
	if err := checkID(kindNumeric, "blog post id", id); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		if opts.BodyFormat != "" {
			if err := checkBodyFormat(opts.BodyFormat); err != nil {
				return nil, err
			}
			q.Set("body-format", opts.BodyFormat)
		}
		if opts.IncludeLabels {
			q.Set("include-labels", "true")
		}
		if opts.GetDraft {
			q.Set("get-draft", "true")
		}
		setInt(q, "version", opts.Version)
	}
	var out Page
	if err := s.c.do(ctx, newRoute("GET", "/wiki/api/v2/blogposts/{id}", id), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
