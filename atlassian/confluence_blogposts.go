package atlassian

import (
	"context"
)

// BlogPostsService reads blog posts (Confluence v2).
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-blog-post/
type BlogPostsService struct{ c *core }

// Get returns a blog post. Blog posts have the shape of a page without a
// place in the page tree (no parent, no position).
//
// Atlassian API: GET /wiki/api/v2/blogposts/{id}
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-blog-post/)
func (s *BlogPostsService) Get(ctx context.Context, id string, opts *PageGetOptions) (*Page, error) {
	return getPage(ctx, s.c, "blog post id", "/wiki/api/v2/blogposts/{id}", id, opts)
}
