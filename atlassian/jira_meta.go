package atlassian

import (
	"context"
	"fmt"
	"net/url"
)

// MetaService reads the metadata schema discovery needs.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ (create metadata)
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-priorities/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-link-types/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/ (statuses)
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
//
// Atlassian API: GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *MetaService) CreateMetaIssueTypes(ctx context.Context, projectIDOrKey string) ([]IssueType, error) {
	if err := checkID(kindProject, "projectIdOrKey", projectIDOrKey); err != nil {
		return nil, err
	}
	return createMetaAll[IssueType](ctx, s.c, newRoute("GET", "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", projectIDOrKey))
}

// CreateMetaFields returns the fields of the create screen of one issue
// type in a project (GET /issue/createmeta/{project}/issuetypes/{id}, all
// pages). allowedValues of priority are the project's priorities.
//
// Atlassian API: GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
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
//
// Atlassian API: GET /rest/api/3/field
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/)
func (s *MetaService) Fields(ctx context.Context) ([]Field, error) {
	var out []Field
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/field"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Priorities returns the site's priorities (GET /priority; prefer
// create-meta allowedValues for one project).
//
// Atlassian API: GET /rest/api/3/priority
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-priorities/)
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
//
// Atlassian API: GET /rest/api/3/project/{projectIdOrKey}/statuses
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/)
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
//
// Atlassian API: GET /rest/api/3/issueLinkType
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-link-types/)
func (s *MetaService) LinkTypes(ctx context.Context) ([]IssueLinkType, error) {
	var out struct {
		IssueLinkTypes []IssueLinkType `json:"issueLinkTypes"`
	}
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/issueLinkType"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.IssueLinkTypes, nil
}
