package atlassian

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// MetaService reads the metadata schema discovery needs.
type MetaService struct{ c *core }

// pageMeta is the paging part of create-meta answers.
type pageMeta struct {
	StartAt    int `json:"startAt"`
	MaxResults int `json:"maxResults"`
	Total      int `json:"total"`
}

// lastPage reports whether a create-meta page of n items, ending at
// offset end, is the last: by total when Jira sends one, else by a short
// page.
func (p pageMeta) lastPage(n, end int) bool {
	if n == 0 {
		return true
	}
	if p.Total > 0 {
		return end >= p.Total
	}
	return n < createMetaPageSize && (p.MaxResults == 0 || n < p.MaxResults)
}

// createMetaPageSize is the largest create-meta page Jira serves.
const createMetaPageSize = 200

// CreateMetaIssueTypes returns every issue type a caller may create in a
// project (GET /issue/createmeta/{project}/issuetypes, all pages).
func (s *MetaService) CreateMetaIssueTypes(ctx context.Context, projectIDOrKey string) ([]IssueType, error) {
	if err := checkID(kindProject, "projectIdOrKey", projectIDOrKey); err != nil {
		return nil, err
	}
	return createMetaAll[IssueType](ctx, s.c, newRoute("GET", "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", projectIDOrKey))
}

// CreateMetaFields returns the fields of the create screen of one issue
// type in a project (GET /issue/createmeta/{project}/issuetypes/{id}, all
// pages). allowedValues of priority are the project's priorities.
func (s *MetaService) CreateMetaFields(ctx context.Context, projectIDOrKey, issueTypeID string) ([]FieldMetadata, error) {
	if err := checkID(kindProject, "projectIdOrKey", projectIDOrKey); err != nil {
		return nil, err
	}
	if err := checkID(kindNumeric, "issueTypeId", issueTypeID); err != nil {
		return nil, err
	}
	return createMetaAll[FieldMetadata](ctx, s.c, newRoute("GET", "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}", projectIDOrKey, issueTypeID))
}

// createMetaPage is one page of a create-meta list. Jira names the list
// issueTypes or fields; older responses (and the spec's examples) values or
// results.
type createMetaPage[T any] struct {
	pageMeta
	IssueTypes []T `json:"issueTypes"`
	Fields     []T `json:"fields"`
	Values     []T `json:"values"`
	Results    []T `json:"results"`
}

func (p *createMetaPage[T]) items() []T {
	for _, list := range [][]T{p.IssueTypes, p.Fields, p.Values, p.Results} {
		if list != nil {
			return list
		}
	}
	return nil
}

// createMetaAll reads every page of a create-meta list.
func createMetaAll[T any](ctx context.Context, c *core, rt route) ([]T, error) {
	var all []T
	for page, start := 0, 0; page < maxPages; page++ {
		q := url.Values{}
		setInt(q, "startAt", start)
		q.Set("maxResults", fmt.Sprint(createMetaPageSize))
		var out createMetaPage[T]
		if err := c.do(ctx, rt, q, nil, &out); err != nil {
			return nil, err
		}
		got := out.items()
		all = append(all, got...)
		start += len(got)
		if out.lastPage(len(got), start) {
			return all, nil
		}
	}
	return nil, fmt.Errorf("jira: create-meta stopped after %d pages", maxPages)
}

// Field is a Jira field (GET /field).
type Field struct {
	ID          string       `json:"id"`
	Key         string       `json:"key,omitempty"`
	Name        string       `json:"name"`
	Custom      bool         `json:"custom"`
	Orderable   bool         `json:"orderable,omitempty"`
	Navigable   bool         `json:"navigable,omitempty"`
	Searchable  bool         `json:"searchable,omitempty"`
	ClauseNames []string     `json:"clauseNames,omitempty"`
	Schema      *FieldSchema `json:"schema,omitempty"`
}

// Fields returns every field, system and custom (not paginated).
func (s *MetaService) Fields(ctx context.Context) ([]Field, error) {
	var out []Field
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/field"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Priorities returns the site's priorities (GET /priority; prefer
// create-meta allowedValues for one project).
func (s *MetaService) Priorities(ctx context.Context) ([]Priority, error) {
	var out []Priority
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/priority"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// IssueTypeStatuses are the statuses of one issue type in a project.
type IssueTypeStatuses struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"` // the issue type's name
	Subtask  bool     `json:"subtask"`
	Statuses []Status `json:"statuses"`
}

// ProjectStatuses returns the statuses of each issue type of a project.
func (s *MetaService) ProjectStatuses(ctx context.Context, projectIDOrKey string) ([]IssueTypeStatuses, error) {
	if err := checkID(kindProject, "projectIdOrKey", projectIDOrKey); err != nil {
		return nil, err
	}
	var out []IssueTypeStatuses
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/project/{projectIdOrKey}/statuses", projectIDOrKey), nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// LinkTypes returns the issue link types (404 when linking is off).
func (s *MetaService) LinkTypes(ctx context.Context) ([]IssueLinkType, error) {
	var out struct {
		IssueLinkTypes []IssueLinkType `json:"issueLinkTypes"`
	}
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/issueLinkType"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.IssueLinkTypes, nil
}

// IssueLinksService creates issue links.
type IssueLinksService struct{ c *core }

// IssueLinkRequest is the body of POST /issueLink. {inwardIssue: X,
// outwardIssue: Y} reads "X ‹type.outward› Y": to say "A blocks B" send
// inward A, outward B. Use ResolveLink to build it from a phrase.
type IssueLinkRequest struct {
	Type         IssueLinkType `json:"type"`
	InwardIssue  IssueKeyRef   `json:"inwardIssue"`
	OutwardIssue IssueKeyRef   `json:"outwardIssue"`
	// Comment is an optional comment ({"body": ADF}).
	Comment *CommentRequest `json:"comment,omitempty"`
}

// IssueKeyRef names an issue by key (or id).
type IssueKeyRef struct {
	Key string `json:"key"`
}

// Create links two issues. Jira answers 201 with an empty body (and
// reports success for a duplicate link).
func (s *IssueLinksService) Create(ctx context.Context, req *IssueLinkRequest) error {
	if req == nil {
		return errors.New("jira: nil issue link request")
	}
	if req.Type.ID == "" && req.Type.Name == "" {
		return errors.New("jira: issue link needs a type id or name")
	}
	if req.Type.ID != "" {
		if err := checkID(kindNumeric, "link type id", req.Type.ID); err != nil {
			return err
		}
	}
	if err := checkID(kindIssue, "inwardIssue", req.InwardIssue.Key); err != nil {
		return err
	}
	if err := checkID(kindIssue, "outwardIssue", req.OutwardIssue.Key); err != nil {
		return err
	}
	if req.Comment != nil {
		if err := checkADF(req.Comment.Body); err != nil {
			return fmt.Errorf("jira: link comment %w", err)
		}
	}
	// Send only what identifies the type: a name or an id.
	body := *req
	body.Type = IssueLinkType{ID: req.Type.ID}
	if body.Type.ID == "" {
		body.Type.Name = req.Type.Name
	}
	return s.c.do(ctx, newRoute("POST", "/rest/api/3/issueLink"), nil, body, nil)
}

// normPhrase lower-cases a phrase and collapses its spaces.
func normPhrase(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// LinkDirection says which issue goes where for "A ‹phrase› B" with link
// type lt. swap is false when phrase is lt's outward phrase or its name (A
// is the inward issue: "A blocks B" → inwardIssue A, outwardIssue B) and
// true when it is the inward phrase ("A is blocked by B" → inwardIssue B,
// outwardIssue A). ok is false when the phrase is none of them.
func LinkDirection(lt IssueLinkType, phrase string) (swap, ok bool) {
	p := normPhrase(phrase)
	if p == "" {
		return false, false
	}
	switch p {
	case normPhrase(lt.Outward), normPhrase(lt.Name):
		return false, true
	case normPhrase(lt.Inward):
		return true, true
	}
	return false, false
}

// ResolveLink builds the link request for "a ‹phrase› b", matching phrase
// (case and spacing ignored) against each type's name, outward and inward
// phrase. It fails, listing the known phrases, when nothing matches or when
// the phrase reads in opposite directions in different types.
func ResolveLink(types []IssueLinkType, a, phrase, b string) (*IssueLinkRequest, error) {
	type match struct {
		lt   IssueLinkType
		swap bool
	}
	var matches []match
	for _, lt := range types {
		if swap, ok := LinkDirection(lt, phrase); ok {
			matches = append(matches, match{lt, swap})
		}
	}
	if len(matches) == 0 {
		var known []string
		for _, lt := range types {
			for _, p := range []string{lt.Outward, lt.Inward} {
				if p != "" {
					known = append(known, strings.ToLower(p))
				}
			}
		}
		sort.Strings(known)
		known = compactStrings(known)
		return nil, fmt.Errorf("jira: no link type reads %q; known phrases: %s", phrase, strings.Join(known, ", "))
	}
	m := matches[0]
	for _, o := range matches[1:] {
		if o.lt.ID != m.lt.ID || o.lt.Name != m.lt.Name || o.swap != m.swap {
			var names []string
			for _, x := range matches {
				names = append(names, x.lt.Name)
			}
			return nil, fmt.Errorf("jira: phrase %q matches several link types (%s); name the link type", phrase, strings.Join(names, ", "))
		}
	}
	req := &IssueLinkRequest{Type: IssueLinkType{ID: m.lt.ID, Name: m.lt.Name}, InwardIssue: IssueKeyRef{Key: a}, OutwardIssue: IssueKeyRef{Key: b}}
	if m.swap {
		req.InwardIssue, req.OutwardIssue = req.OutwardIssue, req.InwardIssue
	}
	return req, nil
}

// compactStrings removes adjacent duplicates of a sorted slice.
func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ReadLink describes a fields.issuelinks entry from the point of view of
// the issue that holds it: the phrase ("is blocked by", "blocks") and the
// other issue.
func ReadLink(l IssueLink) (phrase string, other *IssueRef) {
	if l.InwardIssue != nil {
		return l.Type.Inward, l.InwardIssue
	}
	return l.Type.Outward, l.OutwardIssue
}
