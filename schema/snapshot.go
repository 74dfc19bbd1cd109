// Package schema discovers an Atlassian Cloud site's schema (Jira projects,
// issue types, fields, priorities, workflow statuses and link types;
// Confluence spaces), caches it in bbolt, and answers the lookups the tool
// layer uses to validate calls and to write errors that list what is valid.
//
// A Snapshot is immutable once built: the Store swaps whole snapshots
// atomically, so readers never lock and never see a half-refreshed schema.
// Tools work without a snapshot; it only enriches descriptions and validation.
package schema

import (
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// FormatVersion is the version of the Snapshot encoding. A cached snapshot
// of another version is rediscovered rather than misread.
const FormatVersion = 1

// Snapshot is everything discovered about one connection's site.
type Snapshot struct {
	FormatVersion int       `json:"formatVersion"`
	Connection    string    `json:"connection"`
	CloudID       string    `json:"cloudId"`
	SiteName      string    `json:"siteName,omitempty"`
	SiteURL       string    `json:"siteUrl,omitempty"`
	RefreshedAt   time.Time `json:"refreshedAt"`
	// Duration is how long discovery took.
	Duration time.Duration `json:"duration"`
	// Products lists the products the site has ("jira", "confluence"), as
	// re-detected from accessible-resources on every refresh.
	Products   []atlassian.Product `json:"products"`
	Jira       *Jira               `json:"jira,omitempty"`
	Confluence *Confluence         `json:"confluence,omitempty"`
	// Failures records what could not be discovered and why; a snapshot with
	// failures is partial but usable.
	Failures []Failure `json:"failures,omitempty"`

	indexOnce sync.Once
	idx       *index
}

// Failure is one part of discovery that failed.
type Failure struct {
	// Scope names what failed, e.g. "jira: project OPS: create metadata".
	Scope  string `json:"scope"`
	Reason string `json:"reason"`
}

// Jira is a site's Jira schema.
type Jira struct {
	Projects []*Project `json:"projects"`
	// Fields are all fields of the site, system and custom.
	Fields     []*Field    `json:"fields"`
	Priorities []*Priority `json:"priorities"`
	LinkTypes  []*LinkType `json:"linkTypes"`
}

// Project is a Jira project with its issue types.
type Project struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
	// Type is the project type key: software, business or service_desk.
	Type string `json:"type,omitempty"`
	// IssueCount and LastIssueUpdate rank projects in tool descriptions.
	IssueCount      int64        `json:"issueCount,omitempty"`
	LastIssueUpdate time.Time    `json:"lastIssueUpdate,omitzero"`
	IssueTypes      []*IssueType `json:"issueTypes"`
	// Priorities are the priority names valid in this project when its
	// priority scheme differs from the site's list; nil means the site's.
	Priorities []string `json:"priorities,omitempty"`
}

// IssueType is an issue type as a project offers it for creation.
type IssueType struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Subtask bool   `json:"subtask,omitempty"`
	// Fields are the create-screen fields of this type in this project.
	Fields []*FieldMeta `json:"fields,omitempty"`
	// Statuses are the workflow statuses of this type in this project.
	Statuses []*Status `json:"statuses,omitempty"`
}

// FieldMeta is a field on a project's create screen for one issue type.
type FieldMeta struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Required bool   `json:"required,omitempty"`
	// Type is the field's schema type (string, number, option, array, user,
	// date, datetime, priority, ...); Items the element type of arrays.
	Type  string `json:"type,omitempty"`
	Items string `json:"items,omitempty"`
	// Custom is the custom field type key, e.g.
	// "com.atlassian.jira.plugin.system.customfieldtypes:float".
	Custom     string `json:"custom,omitempty"`
	HasDefault bool   `json:"hasDefault,omitempty"`
	// AllowedValues are the names or values a select-like field accepts.
	AllowedValues []string `json:"allowedValues,omitempty"`
}

// Field is a site-wide Jira field.
type Field struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Custom bool   `json:"custom,omitempty"`
	Type   string `json:"type,omitempty"`
	Items  string `json:"items,omitempty"`
	// CustomType is the custom field type key for custom fields.
	CustomType string `json:"customType,omitempty"`
}

// Priority is a Jira priority.
type Priority struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Status is a workflow status with its category key: "new" (To Do),
// "indeterminate" (In Progress) or "done" (Done).
type Status struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

// LinkType is an issue link type with its phrases, e.g. Blocks:
// outward "blocks", inward "is blocked by".
type LinkType struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Inward  string `json:"inward"`
	Outward string `json:"outward"`
}

// Confluence is a site's Confluence schema.
type Confluence struct {
	Spaces []*Space `json:"spaces"`
	// MoreSpaces reports that the site has more spaces than discovery keeps.
	MoreSpaces bool `json:"moreSpaces,omitempty"`
}

// Space is a Confluence space.
type Space struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
	// Type is global, personal, collaboration or knowledge_base.
	Type string `json:"type,omitempty"`
}

// HasProduct reports whether the snapshot's site has the product.
func (s *Snapshot) HasProduct(p atlassian.Product) bool {
	if s == nil {
		return false
	}
	for _, have := range s.Products {
		if have == p {
			return true
		}
	}
	return false
}
