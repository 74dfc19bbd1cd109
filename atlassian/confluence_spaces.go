package atlassian

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// SpacesService lists spaces (v2).
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-space/
type SpacesService struct{ c *core }

// Space is a Confluence space (v2 SpaceBulk).
type Space struct {
	ID         string `json:"id"`
	Key        string `json:"key"`
	Name       string `json:"name"`
	Type       string `json:"type,omitempty"`
	Status     string `json:"status,omitempty"`
	HomepageID string `json:"homepageId,omitempty"`
	AuthorID   string `json:"authorId,omitempty"`
	CreatedAt  Time   `json:"createdAt"`
	Links      Links  `json:"_links"`
}

// SpaceListOptions are the query parameters of GET /wiki/api/v2/spaces.
type SpaceListOptions struct {
	IDs    []string
	Keys   []string
	Type   string // global, collaboration, knowledge_base, personal
	Status string // current, archived
	Sort   string // id, key, name (prefix - for descending)
	// Limit is the page size (at most 250).
	Limit int
	// Max stops after this many spaces (0: all). Ask for one more than
	// you show to learn whether there are more.
	Max int
}

// List returns the spaces matching opts, following cursors to the end or
// until opts.Max spaces.
//
// Atlassian API: GET /wiki/api/v2/spaces
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-space/)
func (s *SpacesService) List(ctx context.Context, opts *SpaceListOptions) ([]Space, error) {
	if opts == nil {
		opts = &SpaceListOptions{}
	}
	q := url.Values{}
	for _, id := range opts.IDs {
		if err := checkID(kindNumeric, "space id", id); err != nil {
			return nil, err
		}
	}
	for _, k := range opts.Keys {
		if err := checkSpaceKey(k); err != nil {
			return nil, err
		}
	}
	setList(q, "ids", opts.IDs)
	setList(q, "keys", opts.Keys)
	if opts.Type != "" {
		q.Set("type", opts.Type)
	}
	if opts.Status != "" {
		q.Set("status", opts.Status)
	}
	if opts.Sort != "" {
		q.Set("sort", opts.Sort)
	}
	setInt(q, "limit", min(opts.Limit, bulkLimit))
	var all []Space
	err := s.c.eachPage(ctx, "/wiki/api/v2/spaces", q, func(raw json.RawMessage) error {
		var ss []Space
		if err := json.Unmarshal(raw, &ss); err != nil {
			return err
		}
		all = append(all, ss...)
		if opts.Max > 0 && len(all) >= opts.Max {
			all = all[:opts.Max]
			return errStopPaging
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ByKeys returns the spaces with the given keys (250 keys a call, cursors
// followed); keys that do not exist or may not be seen are absent.
//
// Atlassian API: GET /wiki/api/v2/spaces
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-space/)
func (s *SpacesService) ByKeys(ctx context.Context, keys []string) ([]Space, error) {
	var all []Space
	for start := 0; start < len(keys); start += bulkLimit {
		chunk := keys[start:min(start+bulkLimit, len(keys))]
		got, err := s.List(ctx, &SpaceListOptions{Keys: chunk, Limit: bulkLimit})
		if err != nil {
			return nil, err
		}
		all = append(all, got...)
	}
	return all, nil
}

var spaceKeyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_]+$`) })

// checkSpaceKey validates a space key: letters, digits and underscores,
// or "~" and an account id for a personal space.
func checkSpaceKey(k string) error {
	if strings.HasPrefix(k, "~") {
		return checkID(kindAccount, "personal space key", k[1:])
	}
	if err := checkID(kindLabel, "space key", k); err != nil {
		return err
	}
	if !spaceKeyRe().MatchString(k) {
		return fmt.Errorf("%w: space key %q is not letters, digits and underscores", ErrInvalidID, k)
	}
	return nil
}
