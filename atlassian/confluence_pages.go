package atlassian

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// FlexID is an id that Confluence sends as a string (v2) or a number (some
// v1 shapes). It reads both and writes a string.
type FlexID string

// UnmarshalJSON reads a JSON string or number.
func (f *FlexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = FlexID(n.String())
	}
	return nil
}

// String returns the id.
func (f FlexID) String() string { return string(f) }

// PagesService reads and creates pages (Confluence v2).
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-ancestors/
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-children/
//   - https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-label/
type PagesService struct{ c *core }

// Body is a page body in one representation.
type Body struct {
	Representation string `json:"representation"`
	// Value is the body: storage XHTML, or for atlas_doc_format a JSON
	// string holding the ADF document.
	Value string `json:"value"`
}

// PageBody holds the representations a page was fetched with.
type PageBody struct {
	Storage        *Body `json:"storage,omitempty"`
	AtlasDocFormat *Body `json:"atlas_doc_format,omitempty"`
	View           *Body `json:"view,omitempty"`
}

// Version is a page version.
type Version struct {
	Number    int    `json:"number"`
	Message   string `json:"message,omitempty"`
	MinorEdit bool   `json:"minorEdit,omitempty"`
	AuthorID  string `json:"authorId,omitempty"`
	CreatedAt Time   `json:"createdAt"`
}

// LabelList is a page's labels as v2 embeds them (include-labels).
type LabelList struct {
	Results []Label `json:"results"`
	Links   Links   `json:"_links"`
}

// Page is a Confluence page (v2 PageSingle / PageBulk).
type Page struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	Title      string     `json:"title"`
	SpaceID    string     `json:"spaceId"`
	ParentID   string     `json:"parentId,omitempty"`
	ParentType string     `json:"parentType,omitempty"`
	Position   *int       `json:"position,omitempty"`
	AuthorID   string     `json:"authorId,omitempty"`
	OwnerID    string     `json:"ownerId,omitempty"`
	CreatedAt  Time       `json:"createdAt"`
	Version    *Version   `json:"version,omitempty"`
	Body       *PageBody  `json:"body,omitempty"`
	Labels     *LabelList `json:"labels,omitempty"`
	Links      Links      `json:"_links"`
}

// PageGetOptions are the query parameters of GET /wiki/api/v2/pages/{id}.
type PageGetOptions struct {
	// BodyFormat: storage, atlas_doc_format, view, … (no body when empty).
	BodyFormat string
	// IncludeLabels returns up to 50 labels.
	IncludeLabels bool
	// GetDraft returns the draft.
	GetDraft bool
	// Version fetches an older version.
	Version int
}

// Get returns a page.
//
// Atlassian API: GET /wiki/api/v2/pages/{id}
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/)
func (s *PagesService) Get(ctx context.Context, pageID string, opts *PageGetOptions) (*Page, error) {
	return getPage(ctx, s.c, "page id", "/wiki/api/v2/pages/{id}", pageID, opts)
}

// getPage reads one page-shaped content item (a page or a blog post) by
// id at path, with opts as v2's query parameters.
func getPage(ctx context.Context, c *core, what, path, id string, opts *PageGetOptions) (*Page, error) {
	if err := checkID(kindNumeric, what, id); err != nil {
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
	if err := c.do(ctx, newRoute("GET", path, id), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// checkBodyFormat accepts v2's body formats.
func checkBodyFormat(f string) error {
	switch f {
	case "storage", "atlas_doc_format", "view", "export_view", "anonymous_export_view", "styled_view", "editor":
		return nil
	}
	return fmt.Errorf("confluence: body format %q is not storage, atlas_doc_format, view, export_view, anonymous_export_view, styled_view or editor", f)
}

// pagesPath is the v2 page list route.
const pagesPath = "/wiki/api/v2/pages"

// bulkLimit is the most ids (and results) one v2 list call takes.
const bulkLimit = 250

// GetMany returns the pages with the given ids (GET /wiki/api/v2/pages?id=…,
// 250 ids a call, cursors followed), in the order of ids; ids that do not
// exist or may not be seen are absent. bodyFormat may be empty.
//
// Atlassian API: GET /wiki/api/v2/pages
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/)
func (s *PagesService) GetMany(ctx context.Context, ids []string, bodyFormat string) ([]Page, error) {
	if bodyFormat != "" {
		if err := checkBodyFormat(bodyFormat); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if err := checkID(kindNumeric, "page id", id); err != nil {
			return nil, err
		}
	}
	byID := make(map[string]Page, len(ids))
	for start := 0; start < len(ids); start += bulkLimit {
		chunk := ids[start:min(start+bulkLimit, len(ids))]
		q := url.Values{"id": {strings.Join(chunk, ",")}, "limit": {strconv.Itoa(bulkLimit)}}
		if bodyFormat != "" {
			q.Set("body-format", bodyFormat)
		}
		err := s.c.eachPage(ctx, pagesPath, q, func(raw json.RawMessage) error {
			var ps []Page
			if err := json.Unmarshal(raw, &ps); err != nil {
				return err
			}
			for _, p := range ps {
				byID[p.ID] = p
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]Page, 0, len(byID))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
			delete(byID, id)
		}
	}
	return out, nil
}

// v2Page is a v2 list answer: results and _links.next.
type v2Page struct {
	Results json.RawMessage `json:"results"`
	Links   Links           `json:"_links"`
}

// eachPage GETs a v2 list at path with q and calls fn with each page's raw
// results, following _links.next (checked and reduced to its cursor) to
// the end.
func (c *core) eachPage(ctx context.Context, path string, q url.Values, fn func(json.RawMessage) error) error {
	return c.eachPageRoute(ctx, newRoute("GET", path), path, q, fn)
}

// Ancestor is a page's ancestor (id and type only; titles need GetMany).
type Ancestor struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Ancestors returns a page's ancestors, the root first (GET
// /pages/{id}/ancestors). The endpoint has no cursor: when a full page of
// 250 comes back, the call is repeated for the topmost ancestor returned
// until the root is reached.
//
// Atlassian API: GET /wiki/api/v2/pages/{id}/ancestors
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-ancestors/)
func (s *PagesService) Ancestors(ctx context.Context, pageID string) ([]Ancestor, error) {
	if err := checkID(kindNumeric, "page id", pageID); err != nil {
		return nil, err
	}
	var chain []Ancestor
	id := pageID
	seen := map[string]bool{pageID: true}
	for range maxPages {
		var out struct {
			Results []Ancestor `json:"results"`
		}
		q := url.Values{"limit": {strconv.Itoa(bulkLimit)}}
		if err := s.c.do(ctx, newRoute("GET", "/wiki/api/v2/pages/{id}/ancestors", id), q, nil, &out); err != nil {
			return nil, err
		}
		chain = append(out.Results, chain...)
		if len(out.Results) < bulkLimit {
			return chain, nil
		}
		id = out.Results[0].ID
		if err := checkID(kindNumeric, "ancestor id", id); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, errors.New("confluence: the ancestor chain loops")
		}
		seen[id] = true
	}
	return nil, errors.New("confluence: ancestors stopped: the chain does not end")
}

// Child is an item of a page's direct children: a page, folder,
// whiteboard, database or embed.
type Child struct {
	ID            string `json:"id"`
	Status        string `json:"status,omitempty"`
	Title         string `json:"title"`
	Type          string `json:"type"`
	SpaceID       string `json:"spaceId,omitempty"`
	ChildPosition *int   `json:"childPosition,omitempty"`
}

// ChildrenOptions are the query parameters of GET
// /pages/{id}/direct-children.
type ChildrenOptions struct {
	// Limit is the page size (at most 250).
	Limit int
	// Sort, e.g. child-position, -modified-date, title.
	Sort string
	// Max stops after this many children (0: all).
	Max int
}

// DirectChildren returns the direct children of a page, following cursors
// to the end or until opts.Max children. Filter on Type == "page" for pages
// only.
//
// Atlassian API: GET /wiki/api/v2/pages/{id}/direct-children
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-children/)
func (s *PagesService) DirectChildren(ctx context.Context, pageID string, opts *ChildrenOptions) ([]Child, error) {
	if err := checkID(kindNumeric, "page id", pageID); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		setInt(q, "limit", min(opts.Limit, bulkLimit))
		if opts.Sort != "" {
			q.Set("sort", opts.Sort)
		}
	}
	var all []Child
	path := "/wiki/api/v2/pages/" + pageID + "/direct-children"
	err := s.c.eachPageRoute(ctx, newRoute("GET", "/wiki/api/v2/pages/{id}/direct-children", pageID), path, q, func(raw json.RawMessage) error {
		var cs []Child
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		all = append(all, cs...)
		if opts != nil && opts.Max > 0 && len(all) >= opts.Max {
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

// errStopPaging, returned by an eachPage callback, ends the paging without
// an error (the caller has what it asked for).
var errStopPaging = errors.New("stop paging")

// eachPageRoute is eachPage for a route with path parameters; path is the
// filled path the next links must carry.
func (c *core) eachPageRoute(ctx context.Context, rt route, path string, q url.Values, fn func(json.RawMessage) error) error {
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		var out v2Page
		if err := c.do(ctx, rt, q, nil, &out); err != nil {
			return err
		}
		if len(out.Results) > 0 && !bytes.Equal(out.Results, []byte("null")) {
			if err := fn(out.Results); err == errStopPaging {
				return nil
			} else if err != nil {
				return &APIError{StatusCode: 200, Method: rt.method, Path: rt.tmpl, Message: "the response is not the expected JSON: " + jsonErrText(err), product: c.product}
			}
		}
		cur, err := c.cursorFromNext(out.Links.Next, path)
		if err != nil {
			return fmt.Errorf("%s: %s %s: %w", c.product, rt.method, rt.tmpl, err)
		}
		if cur == "" {
			return nil
		}
		if seen[cur] {
			return fmt.Errorf("%s: %s %s: the cursor repeated; stopping", c.product, rt.method, rt.tmpl)
		}
		seen[cur] = true
		q.Set("cursor", cur)
	}
	return fmt.Errorf("%s: %s %s: stopped after %d pages", c.product, rt.method, rt.tmpl, maxPages)
}

// Labels returns a page's labels (GET /pages/{id}/labels, all cursors).
//
// Atlassian API: GET /wiki/api/v2/pages/{id}/labels
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-label/)
func (s *PagesService) Labels(ctx context.Context, pageID string) ([]Label, error) {
	if err := checkID(kindNumeric, "page id", pageID); err != nil {
		return nil, err
	}
	var all []Label
	q := url.Values{"limit": {strconv.Itoa(bulkLimit)}}
	err := s.c.eachPageRoute(ctx, newRoute("GET", "/wiki/api/v2/pages/{id}/labels", pageID), "/wiki/api/v2/pages/"+pageID+"/labels", q, func(raw json.RawMessage) error {
		var ls []Label
		if err := json.Unmarshal(raw, &ls); err != nil {
			return err
		}
		all = append(all, ls...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// PageCreateRequest is the body of POST /wiki/api/v2/pages. SpaceID is
// required (resolve a key with Spaces.ByKeys); Body carries storage format
// (or atlas_doc_format), never markdown.
type PageCreateRequest struct {
	SpaceID  string `json:"spaceId"`
	Status   string `json:"status,omitempty"` // current (default) or draft
	Title    string `json:"title"`
	ParentID string `json:"parentId,omitempty"`
	Body     Body   `json:"body"`
}

// PageCreateOptions are the query parameters of a page create.
type PageCreateOptions struct {
	// RootLevel creates the page outside the homepage tree (no ParentID).
	RootLevel bool
	// Private makes the page visible to its creator only.
	Private bool
}

// Create creates a page. It is never retried after a timeout or a dropped
// connection: that could create a duplicate.
//
// Atlassian API: POST /wiki/api/v2/pages
// (https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/)
func (s *PagesService) Create(ctx context.Context, req *PageCreateRequest, opts *PageCreateOptions) (*Page, error) {
	if req == nil {
		return nil, errors.New("confluence: nil page request")
	}
	if err := checkID(kindNumeric, "space id", req.SpaceID); err != nil {
		return nil, err
	}
	if req.ParentID != "" {
		if err := checkID(kindNumeric, "parent id", req.ParentID); err != nil {
			return nil, err
		}
	}
	switch req.Status {
	case "", "current", "draft":
	default:
		return nil, fmt.Errorf("confluence: page status %q is not current or draft", req.Status)
	}
	if strings.TrimSpace(req.Title) == "" && req.Status != "draft" {
		return nil, errors.New("confluence: a published page needs a title")
	}
	switch req.Body.Representation {
	case "storage", "atlas_doc_format", "wiki":
	case "":
		return nil, errors.New("confluence: page body needs a representation (storage)")
	default:
		return nil, fmt.Errorf("confluence: body representation %q is not storage, atlas_doc_format or wiki", req.Body.Representation)
	}
	q := url.Values{}
	if opts != nil {
		if opts.RootLevel {
			if req.ParentID != "" {
				return nil, errors.New("confluence: a root-level page takes no parent")
			}
			q.Set("root-level", "true")
		}
		if opts.Private {
			q.Set("private", "true")
		}
	}
	var out Page
	if err := s.c.do(ctx, newRoute("POST", pagesPath), q, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
