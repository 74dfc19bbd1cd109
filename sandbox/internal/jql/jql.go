// Package jql is the sandbox's JQL engine: it parses Jira Query Language,
// validates a query against what the in-memory site knows (fields, projects,
// users, statuses), matches issues and sorts them, answering with Jira
// Cloud's own error texts wherever they are known.
//
// A query is used in three steps:
//
//	q, err := jql.Parse(text)          // syntax: *Error "Error in the JQL Query: ..."
//	err = q.Validate(env)              // meaning: unknown fields, values, operators
//	for _, is := range issues { if q.Match(is, env) { ... } }
//	q.Sort(hits, env)                  // or q.TopK(hits, env, 25)
//
// Validate compiles the query into closures over *Issue with every constant
// resolved up front (names folded, time bounds computed from Env.Now once), so
// Match does no allocation per issue. Compile gives the same compiled form as
// a value that is safe to share between goroutines.
//
// Supported: the fields project, issuetype/type, status, statusCategory,
// priority, resolution, assignee, reporter, creator, watcher, watchers,
// labels, component, fixVersion, parent, key/issuekey/id/issue, summary,
// description, environment, comment, text, created, updated,
// resolved/resolutiondate, due/duedate, sprint, issueLinkType, rank (ORDER BY
// only) and custom fields by name or cf[N]; every operator but the history
// ones; AND, OR, NOT, !, &&, ||, parentheses; ORDER BY up to 7 fields; the
// functions currentUser, now, startOf/endOf Day, Week, Month and Year,
// openSprints, closedSprints, futureSprints, standardIssueTypes,
// subTaskIssueTypes, watchedIssues, linkedIssues, releasedVersions,
// unreleasedVersions, latestReleasedVersion and earliestUnreleasedVersion.
// Not supported, each with a clear error: WAS and CHANGED (no change
// history), membersOf (no groups), the other Jira functions, and fields the
// sandbox does not model (votes, attachments, worklogs, time tracking...).
// Text search (~) tokenises words case-insensitively with light stemming and
// stop words, AND-s words, and knows "phrases", OR, -exclusions and trailing
// or inner * and ? wildcards; it does not rank by relevance.
//
// With no ORDER BY, results are ordered by key descending (project key, then
// issue number), which is also the final tie-break of every explicit order.
// Fields without an explicit direction sort in their Jira default order:
// date-times (created, updated, resolved) and priority descending,
// everything else (due dates included) ascending. Empty values sort
// last when ascending and first when descending.
package jql

import (
	"strings"
	"time"
)

// Issue is the view of one issue the engine matches and sorts. The caller
// flattens rich text (ADF) to plain text before filling it.
type Issue struct {
	ID                                 int64
	Key                                string
	ProjectID, ProjectKey, ProjectName string
	IssueType                          string
	Subtask                            bool
	Status                             string
	StatusCategory                     string // category key: "new", "indeterminate", "done"
	Priority                           string
	Assignee, Reporter, Creator        *User // nil = none
	Labels, Components, FixVersions    []string
	Parent                             string // parent issue key, "" if none
	Summary, Description, Environment  string // plain text
	Comments                           []string
	Created, Updated                   time.Time
	Resolved, Due                      time.Time // zero = unset; Due is a calendar date
	Resolution                         string    // "" = unresolved
	Sprints                            []Sprint
	Watchers                           []string // account ids
	Links                              []Link   // issue links, seen from this issue
	// Custom holds custom field values by field id ("customfield_10016"):
	// float64 (or int, int64) for numbers, string for text and single
	// options, []string (or []any of strings) for multi-selects and arrays,
	// time.Time (or a REST date string) for dates, *User (or an account id
	// string) for user pickers, []Sprint for a sprint field.
	Custom map[string]any
}

// User is a Jira user as the engine resolves it.
type User struct {
	AccountID, DisplayName, Email string
}

// Sprint is a Jira Software sprint an issue belongs to.
type Sprint struct {
	ID    int
	Name  string
	State string // "active", "future", "closed"
}

// Link is one issue link seen from the issue holding it.
type Link struct {
	Type   string // link type name, e.g. "Blocks"
	Phrase string // this issue's phrase: "blocks" or "is blocked by"
	Key    string // the other issue
}

// Version is a project version, for fixVersion values and the version
// functions.
type Version struct {
	ProjectKey, Name string
	Released         bool
	ReleaseDate      time.Time // zero = none
}

// Field describes a custom field known to the site.
type Field struct {
	ID   string // "customfield_10016"
	Name string // "Story Points"
	// Type is one of "number", "string", "option", "array", "date",
	// "datetime", "user", "sprint".
	Type string
}

// ProjectRef names a project for validating and resolving project values.
type ProjectRef struct {
	ID, Key, Name string
}

// Env is what the site knows when a query is validated and run. Empty lists
// switch the matching validation off (any value is accepted).
type Env struct {
	Now         time.Time      // zero means time.Now()
	Location    *time.Location // user time zone for dates and startOfDay() etc.; nil means UTC
	CurrentUser string         // account id for currentUser(); "" = anonymous
	Fields      []Field
	Projects    []ProjectRef
	Statuses    []string
	IssueTypes  []string
	Priorities  []string // highest first, e.g. Highest, High, Medium, Low, Lowest
	Resolutions []string
	Users       []User
	Sprints     []Sprint // known sprints, for validating sprint values
	// IssueTypeIDs, StatusIDs, PriorityIDs and ResolutionIDs map ids to
	// names, so `issuetype = 10001` works as on Jira; nil maps are fine.
	IssueTypeIDs, StatusIDs, PriorityIDs, ResolutionIDs map[string]string
	// IssueExists reports whether an issue key exists, for validating
	// key = and parent = values; nil skips that check.
	IssueExists func(key string) bool
	// Versions are the site's project versions: fixVersion values are
	// validated against them and releasedVersions() and friends read them.
	// nil leaves fixVersion unchecked and the version functions unsupported.
	Versions []Version
	// LinksOf returns an issue's links, for linkedIssues(); nil leaves
	// that function unsupported.
	LinksOf func(key string) []Link
}

func (env *Env) now() time.Time {
	if env == nil || env.Now.IsZero() {
		return time.Now()
	}
	return env.Now
}

func (env *Env) loc() *time.Location {
	if env == nil || env.Location == nil {
		return time.UTC
	}
	return env.Location
}

// Error is a JQL error with Jira's wording. Validation can find several
// problems at once; Jira returns each as one entry of errorMessages.
type Error struct {
	Messages []string
}

// Error joins the messages with a space, the way they read in one line.
func (e *Error) Error() string { return strings.Join(e.Messages, " ") }

// syntaxPrefix starts every parse error, as on Jira.
const syntaxPrefix = "Error in the JQL Query: "

func syntaxErr(msg string, tok token) *Error {
	if tok.kind == tEOF {
		return &Error{Messages: []string{syntaxPrefix + msg}}
	}
	return &Error{Messages: []string{syntaxPrefix + msg + tok.where()}}
}
