package mcp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Limits of atlassian_jira_search.
const (
	defaultSearchResults = 25
	maxSearchResults     = 100
	// maxStartAt caps how far startAt may skip. Jira's search has no
	// offsets: the tool skips by reading the ids of the issues before
	// startAt, and every issue read costs rate-limit points from a pool
	// the whole app shares (ATLASSIAN.md §2.1, §5).
	maxStartAt = 1000
	// skipPageSize is the page size of the id-only pages read to skip.
	skipPageSize = 1000
	// tokenLifetime is how long a continuation token is honoured; Jira's
	// own nextPageToken expires after 7 days.
	tokenLifetime = 6 * 24 * time.Hour
)

// defaultSearchFields are always requested: the compact issue line.
var defaultSearchFields = []string{"summary", "status", "assignee", "priority", "issuetype", "created", "updated"}

// jiraSearchArgs are the arguments of atlassian_jira_search.
type jiraSearchArgs struct {
	JQL           string `json:"jql" jsonschema:"passed to Jira as is"`
	Fields        string `json:"fields,omitempty" jsonschema:"comma-separated field ids or display names to add (Story Points, customfield_10016); *all for every field"`
	MaxResults    *int   `json:"maxResults,omitempty" jsonschema:"issues per page, 1-100, default 25"`
	StartAt       int    `json:"startAt,omitempty" jsonschema:"0-based offset, at most 1000; further on, follow nextPageToken"`
	NextPageToken string `json:"nextPageToken,omitempty" jsonschema:"the previous answer's nextPageToken, same jql (valid ~6 days)"`
}

// jiraSearchIssue is one issue of a search answer.
type jiraSearchIssue struct {
	Key      string      `json:"key"`
	Summary  string      `json:"summary,omitempty"`
	Status   *jiraStatus `json:"status,omitempty"`
	Type     string      `json:"type,omitempty"`
	Priority string      `json:"priority,omitempty"`
	Assignee string      `json:"assignee,omitempty" jsonschema:"display name; absent when unassigned"`
	Created  string      `json:"created,omitempty"`
	Updated  string      `json:"updated,omitempty"`
	// Fields holds the other requested fields by display name.
	Fields map[string]any `json:"fields,omitempty" jsonschema:"the other requested fields, keyed by display name; values rendered as text or lists of text"`
}

// jiraSearchResult is the answer of atlassian_jira_search.
type jiraSearchResult struct {
	JQL     string            `json:"jql"`
	StartAt int               `json:"startAt"`
	Issues  []jiraSearchIssue `json:"issues"`
	// IsLast is true when no issue follows this page.
	IsLast bool `json:"isLast"`
	// NextPageToken continues with the next page (absent on the last).
	NextPageToken string `json:"nextPageToken,omitempty"`
	// NextStartAt is the startAt of the next page (absent on the last).
	NextStartAt int `json:"nextStartAt,omitempty"`
	// ApproximateTotal is Jira's estimate of all matches, on a first page
	// that is not the last.
	ApproximateTotal *int64 `json:"approximateTotal,omitempty"`
	Note             string `json:"note,omitempty"`
}

// Text renders the page compactly: one line per issue.
func (r jiraSearchResult) Text() string {
	var b strings.Builder
	switch {
	case len(r.Issues) == 0 && r.StartAt == 0:
		b.WriteString("No issues match.")
	case len(r.Issues) == 0:
		fmt.Fprintf(&b, "No issues from position %d on.", r.StartAt)
	default:
		fmt.Fprintf(&b, "Issues %d-%d", r.StartAt+1, r.StartAt+len(r.Issues))
		if r.ApproximateTotal != nil {
			fmt.Fprintf(&b, " of about %d", *r.ApproximateTotal)
		} else if r.IsLast {
			fmt.Fprintf(&b, " of %d", r.StartAt+len(r.Issues))
		}
		b.WriteString(":")
	}
	for _, is := range r.Issues {
		b.WriteString("\n- " + is.Key)
		if is.Type != "" {
			b.WriteString(" [" + is.Type + "]")
		}
		if is.Summary != "" {
			b.WriteString(" " + is.Summary)
		}
		var meta []string
		if is.Status != nil {
			meta = append(meta, is.Status.String())
		}
		if is.Priority != "" {
			meta = append(meta, is.Priority)
		}
		if is.Assignee != "" {
			meta = append(meta, is.Assignee)
		} else {
			meta = append(meta, "Unassigned")
		}
		if is.Updated != "" {
			meta = append(meta, "updated "+is.Updated)
		}
		b.WriteString(" | " + strings.Join(meta, " | "))
		for _, name := range sortedKeys(is.Fields) {
			b.WriteString("\n  " + name + ": " + indent(renderValue(is.Fields[name]), "    "))
		}
	}
	if r.Note != "" {
		b.WriteString("\n" + r.Note)
	}
	if !r.IsLast {
		fmt.Fprintf(&b, "\nMore issues follow: call again with nextPageToken=%q (or startAt=%d).", r.NextPageToken, r.NextStartAt)
	}
	return b.String()
}

// jiraSearchTool is atlassian_jira_search.
func jiraSearchTool(d *Deps) *Tool {
	cache := &tokenCache{}
	return newTool("atlassian_jira_search", "Search Jira issues", Jira, ReadOnly,
		describeJiraSearch,
		func(ctx context.Context, in *jiraSearchArgs) (jiraSearchResult, error) {
			return d.jiraSearch(ctx, in, cache)
		})
}

// describeJiraSearch tells an agent how to write JQL for this site. It is
// the one place the Jira site knowledge is said (projects, issue types,
// statuses, priorities, custom fields): it is a read-only tool, offered
// whenever Jira is, and the other Jira tools point here.
func describeJiraSearch(s *schema.Snapshot) string {
	var b section
	b.line("Search Jira issues with JQL; returns a page of issues: key, summary, status [category], type, priority, assignee, dates and requested fields by display name. JQL must be bounded (project = KEY AND ...). Text fields are markdown cut at %d characters.", searchTextLimit)
	if s == nil || s.Jira == nil {
		b.line("JQL: project = KEY, issuetype = Bug, status = \"In Progress\", statusCategory != Done, assignee = currentUser(), sprint in openSprints(), text ~ \"words\", created >= -7d, ORDER BY priority DESC. Custom fields by quoted name (\"Story Points\" > 3) or cf[10016].")
		b.line("Example: project = PROJ AND statusCategory != Done ORDER BY priority DESC")
		return b.String()
	}
	key := firstProjectKey(s)
	b.field("Projects", projectsLine(s))
	b.field("Issue types", issueTypesLine(s))
	b.field("Statuses by category", statusesLine(s))
	b.field("Priorities", prioritiesLine(s))
	b.field(customFieldsLabel, customFieldsLine(s))
	b.line("Examples:")
	b.line("- project = %s AND statusCategory != Done ORDER BY priority DESC", key)
	b.line("- assignee = currentUser() AND sprint in openSprints()")
	bug := "Bug"
	if !slices.Contains(issueTypeNames(s), "Bug") {
		if names := issueTypeNames(s); len(names) > 0 {
			bug = names[0]
		}
	}
	b.line("- project = %s AND issuetype = %q AND created >= -14d ORDER BY created DESC", key, bug)
	if sp := storyPointsField(s); sp != nil {
		b.line("- project = %s AND %q >= 5 AND statusCategory = \"In Progress\"", key, sp.Name)
	}
	return b.String()
}

// issueTypeNames lists the issue type names of the top project.
func issueTypeNames(s *schema.Snapshot) []string {
	var out []string
	if ps := rankedProjects(s); len(ps) > 0 {
		for _, t := range ps[0].IssueTypes {
			out = append(out, t.Name)
		}
	}
	return out
}

// storyPointsField is a numeric custom field to show in an example: the
// first in rankedCustomFields's order, found without sorting them all.
func storyPointsField(s *schema.Snapshot) *schema.Field {
	use := customFieldUse(s)
	var best *schema.Field
	for _, f := range s.CustomFields() {
		if f.Type != "number" {
			continue
		}
		if best == nil || use[f.ID] > use[best.ID] || use[f.ID] == use[best.ID] && f.Name < best.Name {
			best = f
		}
	}
	return best
}

// jiraSearch runs one call of atlassian_jira_search.
func (d *Deps) jiraSearch(ctx context.Context, in *jiraSearchArgs, cache *tokenCache) (jiraSearchResult, error) {
	var zero jiraSearchResult
	if d.Jira == nil {
		return zero, errors.New("this connection has no Jira site")
	}
	jql := strings.TrimSpace(in.JQL)
	if jql == "" {
		return zero, argErrorf("jql", "is required: a bounded JQL query such as project = %s ORDER BY updated DESC", firstProjectKey(d.snapshot()))
	}
	if err := checkQuery("jql", "JQL", jql); err != nil {
		return zero, err
	}
	size := defaultSearchResults
	if in.MaxResults != nil {
		size = *in.MaxResults
		if size < 1 || size > maxSearchResults {
			return zero, argErrorf("maxResults", "must be between 1 and %d (got %d); the default is %d", maxSearchResults, size, defaultSearchResults)
		}
	}
	if in.StartAt < 0 {
		return zero, argErrorf("startAt", "must be 0 or more (got %d)", in.StartAt)
	}
	snap := d.snapshot()
	extra, err := resolveFields(snap, in.Fields)
	if err != nil {
		return zero, err
	}
	fields := slices.Clone(defaultSearchFields)
	for _, f := range extra {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	opts := atlassian.SearchOptions{JQL: jql, MaxResults: size, Fields: fields}
	if snap == nil || snap.Jira == nil {
		opts.Expand = []string{"names"} // display names without a snapshot
	}

	startAt := in.StartAt
	if in.NextPageToken != "" {
		tok, err := decodePageToken(in.NextPageToken, jql, d.now())
		if err != nil {
			return zero, err
		}
		if in.StartAt != 0 && in.StartAt != tok.Offset {
			return zero, argErrorf("startAt", "%d does not match the nextPageToken, which continues at %d; pass one or the other", in.StartAt, tok.Offset)
		}
		startAt, opts.NextPageToken = tok.Offset, tok.Jira
	} else if startAt > 0 {
		if startAt > maxStartAt {
			return zero, argErrorf("startAt", "may be at most %d (got %d). Jira's search has no offsets, so the tool skips issues by reading them, which spends the site's rate limit; "+
				"to read further follow nextPageToken from page to page, or narrow the jql (e.g. add updated >= -30d or a key range)", maxStartAt, startAt)
		}
		token, reached, err := d.skipIssues(ctx, jql, startAt, cache)
		if err != nil {
			return zero, searchError(err, snap, jql)
		}
		if token == "" {
			return jiraSearchResult{JQL: jql, StartAt: startAt, Issues: []jiraSearchIssue{}, IsLast: true,
				Note: pastTheEnd(startAt, reached, size)}, nil
		}
		opts.NextPageToken = token
	}

	page, err := d.Jira.Search.JQL(ctx, &opts)
	if err != nil && in.NextPageToken == "" && opts.NextPageToken != "" && badPageToken(err) {
		// A token from the cache that Jira no longer honours: skip afresh.
		cache.forget(jql)
		token, _, serr := d.skipIssues(ctx, jql, startAt, cache)
		if serr != nil {
			return zero, searchError(serr, snap, jql)
		}
		opts.NextPageToken = token
		page, err = d.Jira.Search.JQL(ctx, &opts)
	}
	if err != nil {
		return zero, searchError(err, snap, jql)
	}
	namer := fieldNamer{snap: snap, names: page.Names}
	res := jiraSearchResult{JQL: jql, StartAt: startAt, Issues: make([]jiraSearchIssue, 0, len(page.Issues)), IsLast: page.IsLast || page.NextPageToken == ""}
	for i := range page.Issues {
		res.Issues = append(res.Issues, searchIssue(&page.Issues[i], extra, namer))
	}
	if len(res.Issues) == 0 && startAt == 0 {
		res.Note = jqlEmptyHint(jql, snap)
	}
	if !res.IsLast {
		res.NextStartAt = startAt + len(page.Issues)
		res.NextPageToken = encodePageToken(pageToken{Jira: page.NextPageToken, Offset: res.NextStartAt, Hash: jqlHash(jql), Issued: d.now().Unix()})
		cache.put(jql, res.NextStartAt, page.NextPageToken, d.now())
		if startAt == 0 && in.NextPageToken == "" {
			// One more call, only on a first page that is not the last
			// (a single page's total is exact): Jira's estimate of all
			// matches, from its own cheap rate bucket, so the agent knows
			// the scale before deciding to page on. A failure only loses
			// the estimate.
			if n, err := d.Jira.Search.ApproximateCount(ctx, jql); err == nil {
				res.ApproximateTotal = &n
			} else if ctx.Err() != nil {
				return zero, ctx.Err()
			}
		}
	}
	return res, nil
}

// skipIssues reads the ids of the first n matches in large id-only pages
// and returns Jira's nextPageToken positioned at match n, or "" with the
// number of matches when the query has n or fewer. It starts from the
// closest token at or before n that an earlier page of the same query left
// in the cache, so paging on with startAt costs no skipping.
func (d *Deps) skipIssues(ctx context.Context, jql string, n int, cache *tokenCache) (token string, reached int, err error) {
	opts := atlassian.SearchOptions{JQL: jql, Fields: []string{"id"}}
	fromCache := false
	if off, tok := cache.get(jql, n, d.now()); off > 0 {
		reached, opts.NextPageToken, fromCache = off, tok, true
	}
	for reached < n {
		opts.MaxResults = min(n-reached, skipPageSize)
		page, err := d.Jira.Search.JQL(ctx, &opts)
		if err != nil && fromCache && badPageToken(err) {
			// A cached token Jira no longer honours: start from the top.
			cache.forget(jql)
			reached, opts.NextPageToken, fromCache = 0, "", false
			continue
		}
		fromCache = false
		if err != nil {
			return "", reached, err
		}
		reached += len(page.Issues)
		if page.IsLast || page.NextPageToken == "" || len(page.Issues) == 0 {
			return "", reached, nil
		}
		opts.NextPageToken = page.NextPageToken
	}
	cache.put(jql, n, opts.NextPageToken, d.now())
	return opts.NextPageToken, reached, nil
}

// tokenCache remembers, per query, Jira's nextPageToken at the offsets
// earlier pages ended at, for an hour (Jira honours them for 7 days). It
// holds at most maxCachedTokens and starts over when full.
type tokenCache struct {
	mu      sync.Mutex
	entries map[tokenKey]cachedToken
}

type tokenKey struct {
	hash   uint64
	offset int
}

type cachedToken struct {
	token string
	at    time.Time
}

const (
	maxCachedTokens = 1024
	cachedTokenTTL  = time.Hour
)

func (c *tokenCache) put(jql string, offset int, token string, now time.Time) {
	if c == nil || token == "" || offset <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCachedTokens {
		c.entries = map[tokenKey]cachedToken{}
	}
	c.entries[tokenKey{jqlHash(jql), offset}] = cachedToken{token, now}
}

// forget drops every token of jql.
func (c *tokenCache) forget(jql string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	h := jqlHash(jql)
	for k := range c.entries {
		if k.hash == h {
			delete(c.entries, k)
		}
	}
}

// badPageToken reports Jira refusing a nextPageToken (invalid or expired).
func badPageToken(err error) bool {
	var apiErr *atlassian.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(strings.Join(apiErr.Messages(), " ")), "next page token")
}

// get returns the fresh token with the greatest offset at most n (0, "" for
// none).
func (c *tokenCache) get(jql string, n int, now time.Time) (int, string) {
	if c == nil {
		return 0, ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	h := jqlHash(jql)
	best, tok := 0, ""
	for k, v := range c.entries {
		if k.hash == h && k.offset <= n && k.offset > best && now.Sub(v.at) < cachedTokenTTL {
			best, tok = k.offset, v.token
		}
	}
	return best, tok
}

// searchIssue renders one issue of a search page.
func searchIssue(is *atlassian.Issue, extra []string, namer fieldNamer) jiraSearchIssue {
	f := &is.Fields
	out := jiraSearchIssue{Key: is.Key, Summary: f.Summary, Status: newJiraStatus(f.Status),
		Assignee: userName(f.Assignee), Created: formatTime(f.Created), Updated: formatTime(f.Updated)}
	if f.IssueType != nil {
		out.Type = f.IssueType.Name
	}
	if f.Priority != nil {
		out.Priority = f.Priority.Name
	}
	var keep []string
	all := false
	for _, id := range extra {
		switch {
		case id == "*all" || id == "*navigable":
			all = true
		case !strings.HasPrefix(id, "-"):
			keep = append(keep, id)
		}
	}
	if all {
		keep = nil
	} else if len(keep) == 0 {
		return out
	}
	more := "read it all with atlassian_jira_get_issue " + is.Key
	out.Fields = namedFields(f.Raw, keep, func(id string) bool {
		return id == "comment" || slices.Contains(defaultSearchFields, id) || (all && searchNoise[id])
	}, namer, searchTextLimit, more)
	if (all || slices.Contains(keep, "comment")) && f.Comment != nil {
		if cs := searchComments(f.Comment, more); len(cs) > 0 {
			if out.Fields == nil {
				out.Fields = map[string]any{}
			}
			out.Fields[namer.name("comment")] = cs
		}
	}
	return out
}

// searchNoise are fields *all brings that say little in a result list.
var searchNoise = map[string]bool{
	"lastViewed": true, "statuscategorychangedate": true, "progress": true, "aggregateprogress": true,
	"aggregatetimespent": true, "aggregatetimeestimate": true, "aggregatetimeoriginalestimate": true,
	"timeestimate": true, "timeoriginalestimate": true, "timespent": true, "workratio": true,
	"votes": true, "watches": true, "thumbnail": true, "worklog": true, "comment": true,
}

// searchComments renders a search result's comments, each cut short.
func searchComments(c *atlassian.CommentPage, more string) []string {
	var out []string
	for _, cm := range c.Comments {
		body := adfMarkdown(cm.Body, searchTextLimit, more)
		out = append(out, fmt.Sprintf("%s (%s): %s", userName(cm.Author), formatTime(cm.Created), body))
	}
	return out
}

// resolveFields turns a comma-separated list of field ids or display names
// into Jira field ids, keeping *all, *navigable and -exclusions. Without a
// snapshot ids pass as given and display names are refused.
func resolveFields(snap *schema.Snapshot, list string) ([]string, error) {
	var out []string
	for tok := range strings.SplitSeq(list, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		switch strings.ToLower(tok) {
		case "*all", "*navigable", "key", "id":
			out = append(out, strings.ToLower(tok))
			continue
		}
		prefix := ""
		if strings.HasPrefix(tok, "-") {
			prefix, tok = "-", strings.TrimSpace(tok[1:])
		}
		id, err := resolveField(snap, tok)
		if err != nil {
			return nil, err
		}
		if id = prefix + id; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// resolveField finds one field's id.
func resolveField(snap *schema.Snapshot, name string) (string, error) {
	if snap == nil || snap.Jira == nil {
		if id := schema.FieldRef(name); schema.IsFieldID(id) {
			return id, nil
		}
		return "", argErrorf("fields", "%q looks like a display name, but the site's field list has not loaded yet; name fields by id (summary, customfield_10016) or try again shortly", name)
	}
	f, err := snap.Field(name)
	if err == nil {
		return f.ID, nil
	}
	var le *schema.LookupError
	if errors.As(err, &le) && le.Ambiguous {
		return "", argErrorf("fields", "%s; name it by id", le.Error())
	}
	return "", unknownFieldError(snap, name)
}

// unknownFieldError says a field name is unknown, with the close names and
// the custom fields the site has.
func unknownFieldError(snap *schema.Snapshot, name string) error {
	var close []string
	for _, f := range snap.SimilarFields(name) {
		close = append(close, fmt.Sprintf("%s (%s)", f.Name, f.ID))
	}
	msg := fmt.Sprintf("unknown field %q", name)
	if len(close) > 0 {
		if len(close) > 8 {
			close = close[:8]
		}
		msg += "; did you mean " + strings.Join(close, ", ") + "?"
	} else {
		msg += "."
	}
	var custom []string
	for _, f := range rankedCustomFields(snap) {
		custom = append(custom, fmt.Sprintf("%s (%s)", f.Name, f.ID))
	}
	if len(custom) > 0 {
		msg += " Custom fields: " + capped(custom, maxCustomFields, "any field id or display name works") + "."
	}
	msg += " System fields go by id: summary, description, status, assignee, reporter, priority, labels, components, fixVersions, duedate, comment, issuelinks, subtasks, parent."
	return argErrorf("fields", "%s", msg)
}

// searchError turns a failed search into an answer: Jira's JQL messages
// verbatim plus a hint for the common mistakes.
func searchError(err error, snap *schema.Snapshot, jql string) error {
	var apiErr *atlassian.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return err
	}
	msgs := apiErr.Messages()
	text := strings.Join(msgs, " ")
	var hint string
	switch {
	case badPageToken(err):
		return argErrorf("nextPageToken", "Jira refused it: %s Start again from the first page (or use startAt).", text)
	case strings.Contains(text, "Unbounded JQL"):
		hint = fmt.Sprintf("Add a restriction before ORDER BY, e.g. project = %s AND ….", firstProjectKey(snap))
	case jqlMeValue(text) != "":
		f := jqlMeValue(text)
		hint = fmt.Sprintf("JQL names the connected user currentUser(), not me: %s = currentUser().", f)
	case jqlValueField(text) != "":
		hint = jqlValueHint(jqlValueField(text), snap)
		if fixed := jqlValueFix(text, jql, snap); fixed != "" {
			hint += " " + fixed
		}
	case strings.Contains(text, "does not exist or you do not have permission"):
		hint = jqlFieldSuggestion(text, snap) + "Custom fields go by quoted display name (\"Story Points\") or cf[10016]"
		if cf := customFieldsLine(snap); cf != "" {
			hint += "; this site has, as name (N, type) for cf[N]: " + cf
		}
		hint += "."
	case strings.Contains(text, "Error in the JQL Query"):
		hint = "Quote values with spaces or reserved words (status = \"In Progress\"); operators are =, !=, ~, IN, NOT IN, IS, IS NOT, <, >, <=, >=."
		if r := repairHint(jql, langJQL); r != "" {
			hint = strings.TrimSpace(r) // the repair says what was wrong
		}
	}
	if r := repairHint(jql, langJQL); r != "" && !strings.Contains(hint, "the query reads:") {
		hint = strings.TrimSpace(hint + r)
	}
	msg := "Jira rejected the JQL: " + strings.Join(msgs, " ")
	if hint != "" {
		msg += " Hint: " + hint
	}
	return argErrorf("jql", "%s", msg)
}

// jqlValueMsg matches "The value 'X' does not exist for the field 'F'."
var jqlValueMsg = lazyRegexp(`does not exist for the field '([^']+)'`)

// jqlMeMsg matches Jira's answer to "assignee = me".
var jqlMeMsg = lazyRegexp(`(?i)the value '(?:me|myself|current ?user)' does not exist for the field '([^']+)'`)

// jqlMeValue is the field a query compared with "me", or "".
func jqlMeValue(text string) string {
	if m := jqlMeMsg.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

func jqlValueField(text string) string {
	if m := jqlValueMsg.FindStringSubmatch(text); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// jqlValueMsgFull matches "The value 'X' does not exist for the field 'F'."
// with both parts.
var jqlValueMsgFull = lazyRegexp(`The value '([^']{1,255})' does not exist for the field '([^']+)'`)

// jqlValueFix is "Did you mean "Resolved"? The query reads: ..." when the
// value Jira did not know is spelt like (or, for priorities, is a common
// name for) exactly one valid value, else "".
func jqlValueFix(text, jql string, snap *schema.Snapshot) string {
	m := jqlValueMsgFull.FindStringSubmatch(text)
	if m == nil || snap == nil || snap.Jira == nil {
		return ""
	}
	value, field := m[1], strings.ToLower(m[2])
	var alt string
	switch field {
	case "status":
		alt = schema.Closest(value, snap.StatusNames())
	case "issuetype", "type":
		alt = schema.Closest(value, issueTypeNamesAll(snap))
	case "priority":
		var le *schema.LookupError
		if _, err := snap.Priority(nil, value); errors.As(err, &le) {
			alt = le.Suggest
		}
	}
	if alt == "" {
		return ""
	}
	fixed := strings.NewReplacer(`"`+value+`"`, strconv.Quote(alt), `'`+value+`'`, strconv.Quote(alt)).Replace(jql)
	if fixed == jql {
		re := regexp.MustCompile(`(?i)([=,(]\s*)` + regexp.QuoteMeta(value) + `\b`)
		fixed = re.ReplaceAllString(jql, "${1}"+strconv.Quote(alt))
	}
	if fixed == jql {
		return fmt.Sprintf("Did you mean %q?", alt)
	}
	return fmt.Sprintf("Did you mean %q? With it the query reads: %s", alt, fixed)
}

// jqlValueHint lists the valid values of a JQL field the site knows.
func jqlValueHint(field string, snap *schema.Snapshot) string {
	var valid []string
	switch field {
	case "project":
		for _, p := range rankedProjects(snap) {
			valid = append(valid, p.Key)
		}
		if len(valid) == 0 {
			return "Check the project key; it may also be a project the connected user cannot see."
		}
		return "Valid project keys: " + capped(valid, 30, "") + " (a project the connected user cannot see also gives this error)."
	case "status":
		valid = snap.StatusNames()
	case "issuetype", "type":
		valid = issueTypeNamesAll(snap)
	case "priority":
		if snap != nil && snap.Jira != nil {
			for _, p := range snap.Jira.Priorities {
				valid = append(valid, p.Name)
			}
		}
	}
	if len(valid) == 0 {
		return "Check the value's spelling and quote it if it contains spaces."
	}
	return fmt.Sprintf("Valid values of %s: %s.", field, capped(valid, 30, ""))
}

// issueTypeNamesAll lists every issue type name of the site once.
func issueTypeNamesAll(s *schema.Snapshot) []string {
	var out []string
	for _, p := range rankedProjects(s) {
		for _, t := range p.IssueTypes {
			if !slices.Contains(out, t.Name) {
				out = append(out, t.Name)
			}
		}
	}
	return out
}

// pageToken is the continuation the tool hands out: Jira's nextPageToken,
// the offset it continues at, a hash of the JQL it belongs to, and when it
// was issued.
type pageToken struct {
	Jira   string `json:"t"`
	Offset int    `json:"o"`
	Hash   uint64 `json:"h"`
	Issued int64  `json:"i"`
}

// pageTokenPrefix marks the tool's tokens (version 1).
const pageTokenPrefix = "js1."

func jqlHash(jql string) uint64 {
	// Exact text: Jira binds its token to the query as written.
	sum := sha256.Sum256([]byte(strings.TrimSpace(jql)))
	return binary.BigEndian.Uint64(sum[:8])
}

func encodePageToken(t pageToken) string {
	b, _ := json.Marshal(t)
	return pageTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// decodePageToken reads a token and checks it belongs to jql and is fresh.
func decodePageToken(s, jql string, now time.Time) (pageToken, error) {
	var t pageToken
	bad := argErrorf("nextPageToken", "is not a token this tool returned; pass the nextPageToken of the previous answer unchanged, or page with startAt")
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), pageTokenPrefix)
	if !ok || len(rest) > 8192 {
		return t, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Jira == "" || t.Offset <= 0 {
		return t, bad
	}
	if t.Hash != jqlHash(jql) {
		return t, argErrorf("nextPageToken", "belongs to a different query; pass the same jql as the call that returned it, or start this query from its first page")
	}
	if now.Sub(time.Unix(t.Issued, 0)) > tokenLifetime {
		return t, argErrorf("nextPageToken", "has expired (tokens last %d days); run the search again from the first page or with startAt", int(tokenLifetime.Hours()/24))
	}
	return t, nil
}

// pastTheEnd is the note of a page that starts after the last issue: how
// many issues match and where the last page of that size starts.
func pastTheEnd(startAt, matches, size int) string {
	if matches == 0 {
		return fmt.Sprintf("startAt %d is past the end: the query matches no issues.", startAt)
	}
	return fmt.Sprintf("startAt %d is past the end: the query matches %d issues; the last page of %d starts at startAt %d.", startAt, matches, size, (matches-1)/size*size)
}

// jqlFieldNotFound matches Jira's "Field 'X' does not exist ..." message.
var jqlFieldNotFound = lazyRegexp(`Field '([^']+)' does not exist`)

// jqlSystemFields are the JQL names of the system fields agents use most.
var jqlSystemFields = []string{
	"project", "issuetype", "type", "status", "statusCategory", "assignee", "reporter", "creator", "priority",
	"labels", "component", "fixVersion", "affectedVersion", "created", "updated", "resolved", "resolution",
	"duedate", "summary", "description", "text", "comment", "sprint", "parent", "key", "watcher", "environment",
}

// jqlFieldSuggestion is "Did you mean status? " when Jira names a field
// it does not know and one system or custom field name is close, else "".
func jqlFieldSuggestion(text string, snap *schema.Snapshot) string {
	m := jqlFieldNotFound.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	names := slices.Clone(jqlSystemFields)
	if snap != nil && snap.Jira != nil {
		for _, f := range snap.Jira.Fields {
			if f.Custom {
				names = append(names, f.Name)
			}
		}
	}
	c := schema.Closest(m[1], names)
	if c == "" {
		return ""
	}
	if strings.Contains(c, " ") {
		c = strconv.Quote(c)
	}
	return fmt.Sprintf("Did you mean %s? ", c)
}

// jqlTokenRe finds the tokens of a JQL query as quoteBareValues sees them.
var jqlTokenRe = lazyRegexp(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|!=|!~|>=|<=|[=~<>(),]|[^\s"'=~<>(),!]+|!`)

// quoteBareValues returns jql with every unquoted run of several words after
// =, !=, ~ or !~ (status = In Progress) quoted (status = "In Progress"), or
// "" when there is no such run.
func quoteBareValues(jql string) string {
	toks := jqlTokenRe.FindAllString(jql, -1)
	if len(toks) > 200 {
		return ""
	}
	isStop := func(t string) bool {
		switch strings.ToUpper(t) {
		case "AND", "OR", "ORDER", ")", "(", ",":
			return true
		}
		return false
	}
	var out []string
	changed := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		out = append(out, t)
		switch t {
		case "=", "!=", "~", "!~":
		default:
			continue
		}
		j := i + 1
		for j < len(toks) && !isStop(toks[j]) && toks[j][0] != '"' && toks[j][0] != '\'' {
			j++
		}
		if j-(i+1) < 2 || j < len(toks) && toks[j] == "(" {
			continue
		}
		out = append(out, strconv.Quote(strings.Join(toks[i+1:j], " ")))
		changed = true
		i = j - 1
	}
	if !changed {
		return ""
	}
	var b strings.Builder
	for i, t := range out {
		prev := ""
		if i > 0 {
			prev = strings.ToUpper(out[i-1])
		}
		// A "(" after a name opens a function's arguments: no space.
		callParen := t == "(" && prev != "" && !slices.Contains([]string{"IN", "AND", "OR", "NOT", "=", "!=", "~", "!~", ",", "("}, prev)
		if i > 0 && !callParen && t != ")" && t != "," && prev != "(" {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}
