package atlassian

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// LabelsService adds labels to content (v1; v2 has no label writes).
//
// Atlassian reference:
//   - https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-labels/
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
//
// Atlassian API: POST /wiki/rest/api/content/{id}/label
// (https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-labels/)
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
