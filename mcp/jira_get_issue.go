package mcp

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraGetIssueArgs are the arguments of atlassian_jira_get_issue.
type jiraGetIssueArgs struct {
	IssueKey string  `json:"issueKey" jsonschema:"issue key (ENG-123) or numeric id"`
	Expand   *string `json:"expand,omitempty" jsonschema:"comma-separated; default changelog,transitions; empty for none" pattern:"^( *([cC]hangelog|[tT]ransitions|[rR]endered[fF]ields) *(,|$))*$"`
	Fields   string  `json:"fields,omitempty" jsonschema:"comma-separated field ids or display names; default all"`
}

// issueKeyPattern matches an issue key or a numeric id.
var issueKeyPattern = lazyRegexp(`^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$`)

// getIssueExpands are the expand values the tool accepts, by folded name.
var getIssueExpands = map[string]string{"changelog": "changelog", "renderedfields": "renderedFields", "transitions": "transitions"}

// expandValueRe is the one value the expand parameter's pattern allows
// between commas: the handler accepts exactly what a client that checks
// the schema lets through (a capital first letter included), no more.
var expandValueRe = lazyRegexp(`^(?:[cC]hangelog|[tT]ransitions|[rR]endered[fF]ields)$`)

// jiraComment is one comment as markdown.
type jiraComment struct {
	ID      string `json:"id"`
	Author  string `json:"author,omitempty"`
	Created string `json:"created,omitempty"`
	Updated string `json:"updated,omitempty"`
	Body    string `json:"body"`
}

// jiraTransition is a workflow move available from the current status.
type jiraTransition struct {
	ID   string      `json:"id"`
	Name string      `json:"name"`
	To   *jiraStatus `json:"to,omitempty"`
}

// jiraChange is one change set of the changelog.
type jiraChange struct {
	Created string `json:"created"`
	Author  string `json:"author,omitempty"`
	// Changes read "Field: from → to".
	Changes []string `json:"changes"`
}

// jiraGetIssueResult is the answer of atlassian_jira_get_issue.
type jiraGetIssueResult struct {
	Key        string        `json:"key"`
	ID         string        `json:"id"`
	URL        string        `json:"url,omitempty" jsonschema:"the issue's page on the site"`
	Summary    string        `json:"summary,omitempty"`
	Project    string        `json:"project,omitempty"`
	Type       string        `json:"type,omitempty"`
	Status     *jiraStatus   `json:"status,omitempty"`
	Resolution string        `json:"resolution,omitempty"`
	Priority   string        `json:"priority,omitempty"`
	Assignee   *jiraUser     `json:"assignee,omitempty" jsonschema:"absent when unassigned"`
	Reporter   *jiraUser     `json:"reporter,omitempty"`
	Labels     []string      `json:"labels,omitempty"`
	Components []string      `json:"components,omitempty"`
	Parent     *jiraIssueRef `json:"parent,omitempty"`
	// Watchers are present when the issue's watches field was read.
	Watchers    *jiraWatchers `json:"watchers,omitempty"`
	Created     string        `json:"created,omitempty"`
	Updated     string        `json:"updated,omitempty"`
	DueDate     string        `json:"dueDate,omitempty"`
	Description string        `json:"description,omitempty" jsonschema:"markdown"`
	// CustomFields are the non-empty custom fields by display name.
	CustomFields map[string]any `json:"customFields,omitempty" jsonschema:"non-empty custom fields keyed by display name; options as their value, users as names, rich text as markdown, sprints as name (state)"`
	// OtherFields are the remaining non-empty system fields by display name.
	OtherFields map[string]any `json:"otherFields,omitempty"`
	Subtasks    []jiraIssueRef `json:"subtasks,omitempty"`
	// Links read "this issue ‹relation› issue".
	Links []jiraLink `json:"links,omitempty"`
	// Comments are the most recent ones, oldest first.
	Comments      []jiraComment `json:"comments,omitempty"`
	CommentsTotal int           `json:"commentsTotal,omitempty"`
	// Transitions are present with expand=transitions.
	Transitions []jiraTransition `json:"transitions,omitempty"`
	// Changelog holds the most recent change sets, newest first.
	Changelog      []jiraChange `json:"changelog,omitempty"`
	ChangelogTotal int          `json:"changelogTotal,omitempty"`
	// Rendered is Jira's rendering of text and date fields, as markdown.
	Rendered map[string]string `json:"renderedFields,omitempty"`
}

// jiraWatchers is how many watch an issue and whether the connected user
// is one of them.
type jiraWatchers struct {
	Count int `json:"count"`
	// ConnectedUserWatches is true when the user the connection acts for
	// watches the issue.
	ConnectedUserWatches bool `json:"connectedUserWatches"`
}

func (w *jiraWatchers) String() string {
	if w == nil {
		return ""
	}
	if w.ConnectedUserWatches {
		return fmt.Sprintf("%d (including the connected user)", w.Count)
	}
	return fmt.Sprintf("%d (not the connected user)", w.Count)
}

// Text renders the issue as compact markdown.
func (r jiraGetIssueResult) Text() string {
	var b section
	head := r.Key
	if r.Type != "" {
		head += " [" + r.Type + "]"
	}
	b.line("%s %s", head, r.Summary)
	b.field("URL", r.URL)
	var meta []string
	add := func(label, v string) {
		if v != "" {
			meta = append(meta, label+": "+v)
		}
	}
	add("Status", r.Status.String())
	add("Resolution", r.Resolution)
	add("Priority", r.Priority)
	if r.Assignee != nil {
		add("Assignee", r.Assignee.Name)
	} else if r.Status != nil {
		add("Assignee", "Unassigned")
	}
	add("Reporter", r.Reporter.String())
	add("Watchers", r.Watchers.String())
	if len(meta) > 0 {
		b.line("%s", strings.Join(meta, " | "))
	}
	meta = nil
	add("Project", r.Project)
	add("Labels", strings.Join(r.Labels, ", "))
	add("Components", strings.Join(r.Components, ", "))
	add("Parent", r.Parent.String())
	if len(meta) > 0 {
		b.line("%s", strings.Join(meta, " | "))
	}
	meta = nil
	add("Created", r.Created)
	add("Updated", r.Updated)
	add("Due", r.DueDate)
	if len(meta) > 0 {
		b.line("%s", strings.Join(meta, " | "))
	}
	fieldList := func(title string, m map[string]any) {
		if len(m) == 0 {
			return
		}
		b.line("%s:", title)
		for _, name := range sortedKeys(m) {
			b.line("- %s: %s", name, indent(renderValue(m[name]), "  "))
		}
	}
	fieldList("Custom fields", r.CustomFields)
	fieldList("Other fields", r.OtherFields)
	if r.Description != "" {
		// A blank line ends the description, so a quote or panel at its
		// end does not run into the next section.
		b.line("Description:\n%s\n", r.Description)
	}
	if len(r.Links) > 0 {
		b.line("Links (this issue …):")
		for _, l := range r.Links {
			b.line("- %s", l.String())
		}
	}
	if len(r.Subtasks) > 0 {
		b.line("Sub-tasks:")
		for _, s := range r.Subtasks {
			b.line("- %s", s.String())
		}
	}
	if r.CommentsTotal > 0 {
		b.line("Comments (%d most recent of %d):", len(r.Comments), r.CommentsTotal)
		for _, c := range r.Comments {
			b.line("- %s, %s: %s", c.Author, c.Created, indent(c.Body, "  "))
		}
	}
	if len(r.Transitions) > 0 {
		ts := make([]string, len(r.Transitions))
		for i, t := range r.Transitions {
			ts[i] = fmt.Sprintf("%q → %s", t.Name, t.To.String())
		}
		b.line("Available transitions: %s", strings.Join(ts, "; "))
	}
	if len(r.Changelog) > 0 {
		b.line("Recent changes (%d most recent of %d):", len(r.Changelog), r.ChangelogTotal)
		for _, c := range r.Changelog {
			b.line("- %s %s: %s", c.Created, c.Author, strings.Join(c.Changes, "; "))
		}
	}
	for _, name := range sortedKeys(r.Rendered) {
		b.line("Rendered %s: %s", name, indent(r.Rendered[name], "  "))
	}
	return b.String()
}

// jiraGetIssueTool is atlassian_jira_get_issue.
func jiraGetIssueTool(d *Deps) *Tool {
	return newTool("atlassian_jira_get_issue", "Get a Jira issue", Jira, ReadOnly,
		describeJiraGetIssue,
		func(ctx context.Context, in *jiraGetIssueArgs) (jiraGetIssueResult, error) {
			return d.jiraGetIssue(ctx, in)
		})
}

// describeJiraGetIssue documents the tool. The site's custom fields are
// listed once, in atlassian_jira_search.
func describeJiraGetIssue(s *schema.Snapshot) string {
	var b section
	b.line("Read one Jira issue by key (%s-123) or id: its fields (custom ones by display name), description and comments as markdown, links with their direction (\"this blocks %[1]s-4\"), sub-tasks, available transitions, recent changes, URL.", firstProjectKey(s))
	recent := fmt.Sprintf("%d most recent comments and change sets", maxIssueComments)
	if maxIssueComments != maxChangelogEntries {
		recent = fmt.Sprintf("%d most recent comments and %d most recent change sets", maxIssueComments, maxChangelogEntries)
	}
	b.line("The description is cut at %d characters and each comment at %d; the %s are shown, with totals.", issueTextLimit, commentTextLimit, recent)
	return b.String()
}

// jiraGetIssue runs one call of atlassian_jira_get_issue.
func (d *Deps) jiraGetIssue(ctx context.Context, in *jiraGetIssueArgs) (jiraGetIssueResult, error) {
	var zero jiraGetIssueResult
	if d.Jira == nil {
		return zero, errors.New("this connection has no Jira site")
	}
	key := strings.TrimSpace(in.IssueKey)
	if key == "" {
		return zero, argErrorf("issueKey", "is required: an issue key such as %s-123 or a numeric id", firstProjectKey(d.snapshot()))
	}
	if !issueKeyPattern.MatchString(key) || len(key) > 255 {
		return zero, argErrorf("issueKey", "%q is not an issue key (PROJECT-123) or a numeric issue id%s", key, keySuggestion(key))
	}
	expand := []string{"changelog", "transitions"}
	if in.Expand != nil {
		expand = nil
		for tok := range strings.SplitSeq(*in.Expand, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				continue
			}
			e, ok := getIssueExpands[strings.ToLower(tok)]
			if !ok || !expandValueRe.MatchString(tok) {
				hint := ""
				if ok {
					hint = fmt.Sprintf("; did you mean %q?", e)
				}
				return zero, argErrorf("expand", "unknown value %q%s; valid: changelog, renderedFields, transitions (comma-separated)", tok, hint)
			}
			if !slices.Contains(expand, e) {
				expand = append(expand, e)
			}
		}
	}
	snap := d.snapshot()
	fields, err := resolveFields(snap, in.Fields)
	if err != nil {
		return zero, err
	}
	if len(fields) > 0 && !slices.ContainsFunc(fields, func(f string) bool { return !strings.HasPrefix(f, "-") }) {
		// Only exclusions: all fields but those.
		fields = append([]string{"*all"}, fields...)
	}
	opts := &atlassian.IssueGetOptions{Fields: withoutNoise(fields, expand), Expand: slices.Clone(expand)}
	if snap == nil || snap.Jira == nil {
		opts.Expand = append(opts.Expand, "names")
	}
	is, err := d.Jira.Issues.Get(ctx, key, opts)
	if err != nil {
		var apiErr *atlassian.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return zero, argErrorf("issueKey", "issue %s does not exist or you may not see it (Jira: %s).%s Check the key, or find the issue with atlassian_jira_search.",
				key, strings.Join(apiErr.Messages(), " "), unknownProjectHint(snap, key))
		}
		return zero, err
	}
	return d.renderIssue(is, snap, fields), nil
}

// issueTyped are the fields the answer shows in their own slots.
var issueTyped = map[string]bool{
	"summary": true, "status": true, "priority": true, "assignee": true, "reporter": true, "issuetype": true,
	"project": true, "labels": true, "components": true, "parent": true, "subtasks": true, "issuelinks": true,
	"comment": true, "created": true, "updated": true, "description": true, "resolution": true, "duedate": true,
	"watches": true,
}

// issueNoise are system fields left out unless asked for by name.
var issueNoise = map[string]bool{
	"lastViewed": true, "statuscategorychangedate": true, "progress": true, "aggregateprogress": true,
	"aggregatetimespent": true, "aggregatetimeestimate": true, "aggregatetimeoriginalestimate": true,
	"timeestimate": true, "timeoriginalestimate": true, "timespent": true, "workratio": true,
	"votes": true, "thumbnail": true, "worklog": true, "creator": true,
}

// noiseExclusions are the "-id" exclusions of issueNoise's fields, sorted.
var noiseExclusions = func() []string {
	var ex []string
	for id := range issueNoise {
		ex = append(ex, "-"+id)
	}
	slices.Sort(ex)
	return ex
}()

// withoutNoise is the fields parameter of a GET issue that asks for all
// fields (none given, or *all with exclusions): Jira is asked to leave out
// the issueNoise fields the answer drops anyway unless named (worklog,
// creator, votes, ...; a quarter of a typical issue's bytes, each decoded
// for nothing). With renderedFields expanded they stay, since the answer
// shows every rendered field.
func withoutNoise(fields, expand []string) []string {
	if slices.Contains(expand, "renderedFields") {
		return fields
	}
	if len(fields) > 0 && !slices.Contains(fields, "*all") {
		return fields
	}
	out := slices.Clone(fields)
	if len(out) == 0 {
		out = []string{"*all"}
	}
	for _, ex := range noiseExclusions {
		if !slices.Contains(fields, ex[1:]) && !slices.Contains(out, ex) {
			out = append(out, ex)
		}
	}
	return out
}

// renderIssue builds the answer from Jira's issue.
func (d *Deps) renderIssue(is *atlassian.Issue, snap *schema.Snapshot, asked []string) jiraGetIssueResult {
	f := &is.Fields
	namer := fieldNamer{snap: snap, names: is.Names}
	more := "the full text is on the issue's page"
	out := jiraGetIssueResult{
		Key: is.Key, ID: is.ID, Summary: f.Summary, Status: newJiraStatus(f.Status),
		Assignee: newJiraUser(f.Assignee), Reporter: newJiraUser(f.Reporter), Labels: f.Labels,
		Parent: newJiraIssueRef(f.Parent), Created: formatTime(f.Created), Updated: formatTime(f.Updated), DueDate: f.DueDate,
	}
	if d.SiteURL != "" && is.Key != "" {
		out.URL = strings.TrimRight(d.SiteURL, "/") + "/browse/" + is.Key
		more = "the full text is at " + out.URL
	}
	out.Description = adfMarkdown(f.Description, issueTextLimit, more)
	if f.Project != nil {
		out.Project = f.Project.Key
	}
	if f.IssueType != nil {
		out.Type = f.IssueType.Name
	}
	if f.Priority != nil {
		out.Priority = f.Priority.Name
	}
	if f.Resolution != nil {
		out.Resolution = f.Resolution.Name
	}
	for _, c := range f.Components {
		out.Components = append(out.Components, c.Name)
	}
	for i := range f.Subtasks {
		if ref := newJiraIssueRef(&f.Subtasks[i]); ref != nil {
			out.Subtasks = append(out.Subtasks, *ref)
		}
	}
	if links := issueLinks(f.IssueLinks); len(links) > 0 {
		out.Links = links
	}
	if raw := f.Raw["watches"]; len(raw) > 0 {
		var w struct {
			WatchCount int  `json:"watchCount"`
			IsWatching bool `json:"isWatching"`
		}
		if json.Unmarshal(raw, &w) == nil {
			out.Watchers = &jiraWatchers{Count: w.WatchCount, ConnectedUserWatches: w.IsWatching}
		}
	}
	explicit := func(id string) bool { return slices.Contains(asked, id) }
	out.CustomFields = namedFields(f.Raw, nil, func(id string) bool { return !isCustom(id) }, namer, issueTextLimit, more)
	out.OtherFields = namedFields(f.Raw, nil, func(id string) bool {
		return isCustom(id) || issueTyped[id] || issueNoise[id] && !explicit(id)
	}, namer, issueTextLimit, more)
	if c := f.Comment; c != nil {
		out.Comments, out.CommentsTotal = issueComments(c, more)
	}
	for _, t := range is.Transitions {
		out.Transitions = append(out.Transitions, jiraTransition{ID: t.ID, Name: t.Name, To: newJiraStatus(t.To)})
	}
	if cl := is.Changelog; cl != nil {
		out.Changelog, out.ChangelogTotal = recentChanges(cl)
	}
	out.Rendered = renderedFields(is, namer)
	return out
}

// issueComments keeps the most recent maxIssueComments comments, oldest
// first, each as markdown cut at commentTextLimit; total counts them all.
func issueComments(c *atlassian.CommentPage, more string) ([]jiraComment, int) {
	cs := slices.Clone(c.Comments)
	slices.SortStableFunc(cs, func(a, b atlassian.Comment) int { return a.Created.Compare(b.Created.Time) })
	total := max(c.Total, len(cs))
	if len(cs) > maxIssueComments {
		cs = cs[len(cs)-maxIssueComments:]
	}
	out := make([]jiraComment, 0, len(cs))
	for _, cm := range cs {
		jc := jiraComment{ID: cm.ID, Author: userName(cm.Author), Created: formatTime(cm.Created),
			Body: adfMarkdown(cm.Body, commentTextLimit, more)}
		if !cm.Updated.Equal(cm.Created.Time) {
			jc.Updated = formatTime(cm.Updated)
		}
		out = append(out, jc)
	}
	return out, total
}

// recentChanges keeps the maxChangelogEntries most recent change sets,
// newest first; total counts them all.
func recentChanges(cl *atlassian.Changelog) ([]jiraChange, int) {
	hs := slices.Clone(cl.Histories)
	slices.SortStableFunc(hs, func(a, b atlassian.History) int {
		return cmp.Or(b.Created.Compare(a.Created.Time), cmp.Compare(b.ID, a.ID))
	})
	total := max(cl.Total, len(hs))
	if len(hs) > maxChangelogEntries {
		hs = hs[:maxChangelogEntries]
	}
	out := make([]jiraChange, 0, len(hs))
	for _, h := range hs {
		ch := jiraChange{Created: formatTime(h.Created), Author: userName(h.Author)}
		for _, it := range h.Items {
			from, to := it.FromString, it.ToString
			if from == "" {
				from = it.From
			}
			if to == "" {
				to = it.To
			}
			from, _ = truncateText(from, 200, "")
			to, _ = truncateText(to, 200, "")
			ch.Changes = append(ch.Changes, fmt.Sprintf("%s: %s → %s", it.Field, orNone(from), orNone(to)))
		}
		out = append(out, ch)
	}
	return out, total
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// renderedFields turns expand=renderedFields (HTML and formatted dates)
// into markdown keyed by display name.
func renderedFields(is *atlassian.Issue, namer fieldNamer) map[string]string {
	out := map[string]string{}
	for id, raw := range is.RenderedFields {
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			continue
		}
		if strings.Contains(s, "<") {
			if md, err := adf.HTMLToMarkdown(s); err == nil {
				s = strings.TrimSpace(md)
			}
		}
		s, _ = truncateText(s, issueTextLimit, "")
		if s != "" {
			out[namer.name(id)] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
