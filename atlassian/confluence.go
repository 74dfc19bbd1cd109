package atlassian

import (
	"net/http"
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
	// Users resolves account ids to people (v2).
	Users *ConfluenceUsersService
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
		Users:     &ConfluenceUsersService{c: c},
		Spaces:    &SpacesService{c: c},
		Labels:    &LabelsService{c: c},
	}, nil
}

// BaseURL returns the configured base URL (without /wiki).
func (cc *ConfluenceClient) BaseURL() string { return cc.core.base }

// Limiter returns the client's limiter (nil when rate limiting is off).
func (cc *ConfluenceClient) Limiter() *Limiter { return cc.core.lim }
