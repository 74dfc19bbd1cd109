package atlassian

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// IssuesService handles /rest/api/3/issue endpoints.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-worklogs/
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-watchers/
type IssuesService struct{ c *core }

// IssueGetOptions are the query parameters of GET /issue/{key}.
type IssueGetOptions struct {
	// Fields to return (default all; "*navigable", "-field" allowed).
	Fields []string
	// Expand: renderedFields, names, schema, transitions, editmeta,
	// changelog, versionedRepresentations.
	Expand []string
	// Properties to return.
	Properties []string
	// FieldsByKeys makes Fields name fields by key instead of id.
	FieldsByKeys bool
	// UpdateHistory adds the issue to the user's recently viewed list.
	UpdateHistory bool
}

// Get returns an issue by key or id. Jira finds moved issues and keys in
// other case; use the returned key.
//
// Atlassian API: GET /rest/api/3/issue/{issueIdOrKey}
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Get(ctx context.Context, issueIDOrKey string, opts *IssueGetOptions) (*Issue, error) {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		setList(q, "fields", opts.Fields)
		setList(q, "expand", opts.Expand)
		setList(q, "properties", opts.Properties)
		if opts.FieldsByKeys {
			q.Set("fieldsByKeys", "true")
		}
		if opts.UpdateHistory {
			q.Set("updateHistory", "true")
		}
	}
	var out Issue
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/issue/{issueIdOrKey}", issueIDOrKey), q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FieldOperation is one verb of an edit's update map: {"add": …},
// {"set": …}, {"remove": …}, {"edit": …} or {"copy": …}. Exactly one
// should be set; values are JSON values (ADF for rich text).
type FieldOperation struct {
	Add    any `json:"add,omitempty"`
	Set    any `json:"set,omitempty"`
	Remove any `json:"remove,omitempty"`
	Edit   any `json:"edit,omitempty"`
	Copy   any `json:"copy,omitempty"`
}

// IssueRequest is the body of create and edit (IssueUpdateDetails). Field
// values are JSON values: {"id": …} or {"key": …} references, strings,
// arrays, and ADF documents (json.RawMessage or adf.Doc) for description,
// environment and textarea custom fields. A field may appear in Fields or
// Update, never both.
type IssueRequest struct {
	Fields     map[string]any              `json:"fields,omitempty"`
	Update     map[string][]FieldOperation `json:"update,omitempty"`
	Transition *TransitionRef              `json:"transition,omitempty"`
	Properties []EntityProperty            `json:"properties,omitempty"`
}

// EntityProperty is an issue property set on create or edit.
type EntityProperty struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

// TransitionRef names a transition by id.
type TransitionRef struct {
	ID string `json:"id"`
}

// adfFields are the system fields that take ADF; a plain string there is
// markdown or text that Jira would reject, so it is refused locally.
var adfFields = []string{"description", "environment"}

// check refuses a body that would put a string where Jira wants ADF.
func (r *IssueRequest) check() error {
	if r == nil {
		return errors.New("jira: nil issue request")
	}
	for _, f := range adfFields {
		v, ok := r.Fields[f]
		if !ok || v == nil {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("jira: field %s: %w", f, err)
		}
		if err := checkADF(b); err != nil {
			return fmt.Errorf("jira: field %s: %w", f, err)
		}
	}
	for _, f := range adfFields {
		for _, op := range r.Update[f] {
			if op.Set == nil {
				continue
			}
			b, err := json.Marshal(op.Set)
			if err != nil {
				return fmt.Errorf("jira: update %s: %w", f, err)
			}
			if err := checkADF(b); err != nil {
				return fmt.Errorf("jira: update %s set: %w", f, err)
			}
		}
	}
	for f := range r.Update {
		if _, both := r.Fields[f]; both {
			return fmt.Errorf("jira: field %s is in both fields and update; Jira accepts one", f)
		}
	}
	return nil
}

// checkADF refuses a value that is not an ADF document object.
func checkADF(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	var doc struct {
		Type    string          `json:"type"`
		Version json.RawMessage `json:"version"`
	}
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &doc) != nil || doc.Type != "doc" {
		return errors.New(`takes an ADF document ({"type":"doc","version":1,…}), not text; convert markdown first`)
	}
	return nil
}

// CreatedIssue is the answer to a create.
type CreatedIssue struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self,omitempty"`
}

// Create creates an issue (POST /issue). It is never retried after a
// timeout or a dropped connection: that could create a duplicate.
//
// Atlassian API: POST /rest/api/3/issue
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Create(ctx context.Context, req *IssueRequest) (*CreatedIssue, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	var out CreatedIssue
	if err := s.c.do(ctx, newRoute("POST", "/rest/api/3/issue"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// IssueEditOptions are the query parameters of PUT /issue/{key}.
type IssueEditOptions struct {
	// NotifyUsers sends notifications (Jira's default: true).
	NotifyUsers *bool
	// OverrideScreenSecurity and OverrideEditableFlag need admin rights.
	OverrideScreenSecurity bool
	OverrideEditableFlag   bool
}

// Edit edits an issue's fields (PUT /issue/{key}); transitions in the
// body are ignored by Jira, use DoTransition.
//
// Atlassian API: PUT /rest/api/3/issue/{issueIdOrKey}
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Edit(ctx context.Context, issueIDOrKey string, req *IssueRequest, opts *IssueEditOptions) error {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	q := url.Values{}
	if opts != nil {
		setBool(q, "notifyUsers", opts.NotifyUsers)
		if opts.OverrideScreenSecurity {
			q.Set("overrideScreenSecurity", "true")
		}
		if opts.OverrideEditableFlag {
			q.Set("overrideEditableFlag", "true")
		}
	}
	rt := newRoute("PUT", "/rest/api/3/issue/{issueIdOrKey}", issueIDOrKey)
	rt.issue = issueIDOrKey
	return s.c.do(ctx, rt, q, req, nil)
}

// TransitionsOptions are the query parameters of GET
// /issue/{key}/transitions.
type TransitionsOptions struct {
	// ExpandFields adds each transition's screen fields
	// (expand=transitions.fields).
	ExpandFields bool
	// TransitionID restricts the answer to one transition.
	TransitionID string
	// IncludeUnavailable includes transitions whose conditions fail.
	IncludeUnavailable bool
}

// Transitions returns the transitions available on an issue (an empty list
// when the caller may not transition it).
//
// Atlassian API: GET /rest/api/3/issue/{issueIdOrKey}/transitions
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Transitions(ctx context.Context, issueIDOrKey string, opts *TransitionsOptions) ([]Transition, error) {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		if opts.ExpandFields {
			q.Set("expand", "transitions.fields")
		}
		if opts.TransitionID != "" {
			if err := checkID(kindNumeric, "transitionId", opts.TransitionID); err != nil {
				return nil, err
			}
			q.Set("transitionId", opts.TransitionID)
		}
		if opts.IncludeUnavailable {
			q.Set("includeUnavailableTransitions", "true")
		}
	}
	var out struct {
		Transitions []Transition `json:"transitions"`
	}
	if err := s.c.do(ctx, newRoute("GET", "/rest/api/3/issue/{issueIdOrKey}/transitions", issueIDOrKey), q, nil, &out); err != nil {
		return nil, err
	}
	return out.Transitions, nil
}

// TransitionRequest is the body of POST /issue/{key}/transitions: the
// transition, and screen fields or update verbs (a comment is
// update.comment[{add:{body: ADF}}]).
type TransitionRequest struct {
	Transition TransitionRef               `json:"transition"`
	Fields     map[string]any              `json:"fields,omitempty"`
	Update     map[string][]FieldOperation `json:"update,omitempty"`
}

// TransitionComment returns the update map that adds an ADF comment with a
// transition.
func TransitionComment(body json.RawMessage) map[string][]FieldOperation {
	return map[string][]FieldOperation{"comment": {{Add: map[string]any{"body": body}}}}
}

// DoTransition moves an issue through a transition.
//
// Atlassian API: POST /rest/api/3/issue/{issueIdOrKey}/transitions
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) DoTransition(ctx context.Context, issueIDOrKey string, req *TransitionRequest) error {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return err
	}
	if req == nil {
		return errors.New("jira: nil transition request")
	}
	if err := checkID(kindNumeric, "transition id", req.Transition.ID); err != nil {
		return err
	}
	if ops, ok := req.Update["comment"]; ok {
		for _, op := range ops {
			if m, ok := op.Add.(map[string]any); ok {
				if b, err := json.Marshal(m["body"]); err == nil {
					if err := checkADF(b); err != nil {
						return fmt.Errorf("jira: transition comment: %w", err)
					}
				}
			}
		}
	}
	rt := newRoute("POST", "/rest/api/3/issue/{issueIdOrKey}/transitions", issueIDOrKey)
	rt.issue = issueIDOrKey
	return s.c.do(ctx, rt, nil, req, nil)
}

// CommentRequest is the body of POST /issue/{key}/comment; Body is ADF.
type CommentRequest struct {
	Body       json.RawMessage `json:"body"`
	Visibility *Visibility     `json:"visibility,omitempty"`
}

// AddComment adds an ADF comment to an issue.
//
// Atlassian API: POST /rest/api/3/issue/{issueIdOrKey}/comment
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/)
func (s *IssuesService) AddComment(ctx context.Context, issueIDOrKey string, req *CommentRequest) (*Comment, error) {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return nil, err
	}
	if req == nil || len(req.Body) == 0 {
		return nil, errors.New("jira: comment body is required")
	}
	if err := checkADF(req.Body); err != nil {
		return nil, fmt.Errorf("jira: comment body %w", err)
	}
	rt := newRoute("POST", "/rest/api/3/issue/{issueIdOrKey}/comment", issueIDOrKey)
	rt.issue = issueIDOrKey
	var out Comment
	if err := s.c.do(ctx, rt, nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WorklogRequest is the body of POST /issue/{key}/worklog. Exactly one of
// TimeSpent ("3h 20m") and TimeSpentSeconds; Started is required by Jira
// and is sent as "2006-01-02T15:04:05.000-0700" (never "Z"); Comment is
// ADF.
type WorklogRequest struct {
	TimeSpent        string
	TimeSpentSeconds int
	Started          time.Time
	Comment          json.RawMessage
	Visibility       *Visibility
}

// MarshalJSON writes the worklog in Jira's shape.
func (w WorklogRequest) MarshalJSON() ([]byte, error) {
	type body struct {
		TimeSpent        string          `json:"timeSpent,omitempty"`
		TimeSpentSeconds int             `json:"timeSpentSeconds,omitempty"`
		Started          string          `json:"started"`
		Comment          json.RawMessage `json:"comment,omitempty"`
		Visibility       *Visibility     `json:"visibility,omitempty"`
	}
	return json.Marshal(body{
		TimeSpent:        w.TimeSpent,
		TimeSpentSeconds: w.TimeSpentSeconds,
		Started:          w.Started.Format(JiraTimeLayout),
		Comment:          w.Comment,
		Visibility:       w.Visibility,
	})
}

// WorklogOptions are the query parameters of POST /issue/{key}/worklog.
type WorklogOptions struct {
	// AdjustEstimate: auto (default), new, leave, manual.
	AdjustEstimate string
	// NewEstimate (with new) and ReduceBy (with manual) are Jira durations.
	NewEstimate string
	ReduceBy    string
	NotifyUsers *bool
}

// Worklog is a created worklog.
type Worklog struct {
	ID               string          `json:"id"`
	IssueID          string          `json:"issueId,omitempty"`
	Author           *User           `json:"author,omitempty"`
	Comment          json.RawMessage `json:"comment,omitempty"`
	Started          Time            `json:"started"`
	TimeSpent        string          `json:"timeSpent,omitempty"`
	TimeSpentSeconds int             `json:"timeSpentSeconds,omitempty"`
	Created          Time            `json:"created"`
	Updated          Time            `json:"updated"`
	Self             string          `json:"self,omitempty"`
}

// AddWorklog logs work on an issue.
//
// Atlassian API: POST /rest/api/3/issue/{issueIdOrKey}/worklog
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-worklogs/)
func (s *IssuesService) AddWorklog(ctx context.Context, issueIDOrKey string, req *WorklogRequest, opts *WorklogOptions) (*Worklog, error) {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return nil, err
	}
	switch {
	case req == nil:
		return nil, errors.New("jira: nil worklog request")
	case (req.TimeSpent == "") == (req.TimeSpentSeconds <= 0):
		return nil, errors.New("jira: a worklog needs exactly one of timeSpent and timeSpentSeconds")
	case req.Started.IsZero():
		return nil, errors.New("jira: a worklog needs a start time")
	}
	if len(req.Comment) > 0 {
		if err := checkADF(req.Comment); err != nil {
			return nil, fmt.Errorf("jira: worklog comment %w", err)
		}
	}
	q := url.Values{}
	if opts != nil {
		switch opts.AdjustEstimate {
		case "", "auto", "new", "leave", "manual":
		default:
			return nil, fmt.Errorf("jira: adjustEstimate %q is not auto, new, leave or manual", opts.AdjustEstimate)
		}
		if opts.AdjustEstimate != "" {
			q.Set("adjustEstimate", opts.AdjustEstimate)
		}
		if opts.NewEstimate != "" {
			q.Set("newEstimate", opts.NewEstimate)
		}
		if opts.ReduceBy != "" {
			q.Set("reduceBy", opts.ReduceBy)
		}
		setBool(q, "notifyUsers", opts.NotifyUsers)
	}
	rt := newRoute("POST", "/rest/api/3/issue/{issueIdOrKey}/worklog", issueIDOrKey)
	rt.issue = issueIDOrKey
	var out Worklog
	if err := s.c.do(ctx, rt, q, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Assign assigns an issue to accountID ("-1" means the project's default
// assignee). Use Unassign to clear the assignee.
//
// Atlassian API: PUT /rest/api/3/issue/{issueIdOrKey}/assignee
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Assign(ctx context.Context, issueIDOrKey, accountID string) error {
	if err := checkID(kindAccount, "accountId", accountID); err != nil {
		return err
	}
	return s.assign(ctx, issueIDOrKey, map[string]any{"accountId": accountID})
}

// Unassign clears an issue's assignee ({"accountId": null}).
//
// Atlassian API: PUT /rest/api/3/issue/{issueIdOrKey}/assignee
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/)
func (s *IssuesService) Unassign(ctx context.Context, issueIDOrKey string) error {
	return s.assign(ctx, issueIDOrKey, map[string]any{"accountId": nil})
}

func (s *IssuesService) assign(ctx context.Context, issueIDOrKey string, body map[string]any) error {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return err
	}
	rt := newRoute("PUT", "/rest/api/3/issue/{issueIdOrKey}/assignee", issueIDOrKey)
	rt.issue = issueIDOrKey
	return s.c.do(ctx, rt, nil, body, nil)
}

// AddWatcher adds accountID as a watcher of an issue. The body is a bare
// JSON string, as Jira requires.
//
// Atlassian API: POST /rest/api/3/issue/{issueIdOrKey}/watchers
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-watchers/)
func (s *IssuesService) AddWatcher(ctx context.Context, issueIDOrKey, accountID string) error {
	if err := checkID(kindIssue, "issueIdOrKey", issueIDOrKey); err != nil {
		return err
	}
	if err := checkID(kindAccount, "accountId", accountID); err != nil {
		return err
	}
	rt := newRoute("POST", "/rest/api/3/issue/{issueIdOrKey}/watchers", issueIDOrKey)
	rt.issue = issueIDOrKey
	return s.c.do(ctx, rt, nil, accountID, nil)
}
