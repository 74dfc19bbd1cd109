package atlassian

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// IssueLinksService creates issue links.
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-links/
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
//
// Atlassian API: POST /rest/api/3/issueLink
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-links/)
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
