package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// jRender renders Jira objects for one request. It holds the base URL so
// every self link points back at the sandbox's gateway.
type jRender struct {
	s    *Server
	j    *jiraState
	base string // .../ex/jira/{cloudId}/rest/api/3
	me   string // the caller's account id (isWatching, hasVoted)
	// search caps embedded comments at 20 per issue, as search results do.
	search bool
	loc    *time.Location // the caller's time zone; nil = UTC
	// sel caches the fields a request's selection picks (one selection per
	// renderer: every issue of a response uses the same fields parameter).
	sel []*jField
}

func (s *Server) jRenderer(c *caller) *jRender {
	r := &jRender{s: s, j: s.jira(), base: s.JiraBaseURL() + "/rest/api/3"}
	if c != nil {
		r.me = c.AccountID
		r.loc = r.j.jq.locs[c.AccountID]
	}
	return r
}

func jAvatarURLs(prefix string, id int) map[string]string {
	return map[string]string{
		"48x48": prefix + "?size=large&avatarId=" + itoa(id),
		"24x24": prefix + "?size=small&avatarId=" + itoa(id),
		"16x16": prefix + "?size=xsmall&avatarId=" + itoa(id),
		"32x32": prefix + "?size=medium&avatarId=" + itoa(id),
	}
}

// user renders a user (nil for "" or an unknown id), from the render cache.
func (r *jRender) user(id string) any {
	if id == "" {
		return nil
	}
	u := r.s.userByID(id)
	if u == nil {
		return nil
	}
	return r.cached("u:"+id, func() any { return r.userObj(u) })
}

// cached returns the JSON of build(), computed once per key and site base
// URL. Only immutable objects (users, statuses, issue types, priorities,
// projects) go through it; callers hold s.mu.
func (r *jRender) cached(key string, build func() any) json.RawMessage {
	c := r.j.rcache
	if c == nil || r.j.rcacheBase != r.base {
		c = map[string]json.RawMessage{}
		r.j.rcache, r.j.rcacheBase = c, r.base
	}
	if b, ok := c[key]; ok {
		return b
	}
	b, _ := json.Marshal(build())
	c[key] = b
	return b
}

func (r *jRender) statusJ(st *jStatus) any {
	return r.cached("s:"+st.ID, func() any { return r.status(st) })
}

func (r *jRender) issueTypeJ(it *jIssueType) any {
	return r.cached("t:"+it.ID, func() any { return r.issueType(it) })
}

func (r *jRender) priorityJ(p *jPriority) any {
	if p == nil {
		return nil
	}
	return r.cached("p:"+p.ID, func() any { return r.priority(p) })
}

func (r *jRender) projectJ(p *jProject) any {
	return r.cached("P:"+p.ID, func() any { return r.projectShort(p) })
}

func (r *jRender) userObj(u *User) map[string]any {
	return map[string]any{
		"self":         r.base + "/user?accountId=" + u.AccountID,
		"accountId":    u.AccountID,
		"emailAddress": u.Email,
		"avatarUrls": map[string]string{
			"48x48": u.AvatarURL(48), "24x24": u.AvatarURL(24), "16x16": u.AvatarURL(16), "32x32": u.AvatarURL(32),
		},
		"displayName": u.DisplayName,
		"active":      u.Active,
		"timeZone":    u.TimeZone,
		"accountType": u.AccountType,
	}
}

func (r *jRender) statusCategory(c *jStatusCategory) map[string]any {
	return map[string]any{"self": r.base + "/statuscategory/" + itoa(c.ID), "id": c.ID, "key": c.Key,
		"colorName": c.ColorName, "name": c.Name}
}

func (r *jRender) status(st *jStatus) map[string]any {
	return map[string]any{
		"self":           r.base + "/status/" + st.ID,
		"description":    st.Description,
		"iconUrl":        r.s.SiteURL + "/",
		"name":           st.Name,
		"id":             st.ID,
		"statusCategory": r.statusCategory(st.Cat),
	}
}

func (r *jRender) issueType(it *jIssueType) map[string]any {
	return map[string]any{
		"self":           r.base + "/issuetype/" + it.ID,
		"id":             it.ID,
		"description":    it.Description,
		"iconUrl":        r.s.SiteURL + "/rest/api/2/universal_avatar/view/type/issuetype/avatar/" + itoa(it.AvatarID) + "?size=medium",
		"name":           it.Name,
		"subtask":        it.Subtask,
		"avatarId":       it.AvatarID,
		"hierarchyLevel": it.HierarchyLevel,
	}
}

func (r *jRender) priority(p *jPriority) any {
	if p == nil {
		return nil
	}
	return map[string]any{
		"self":    r.base + "/priority/" + p.ID,
		"iconUrl": r.s.SiteURL + "/images/icons/priorities/" + strings.ToLower(p.Name) + ".svg",
		"name":    p.Name,
		"id":      p.ID,
	}
}

func (r *jRender) resolution(res *jResolution) any {
	if res == nil {
		return nil
	}
	return map[string]any{"self": r.base + "/resolution/" + res.ID, "id": res.ID, "description": res.Description, "name": res.Name}
}

func (r *jRender) projectShort(p *jProject) map[string]any {
	return map[string]any{
		"self":           r.base + "/project/" + p.ID,
		"id":             p.ID,
		"key":            p.Key,
		"name":           p.Name,
		"projectTypeKey": p.TypeKey,
		"simplified":     p.Style == "next-gen",
		"avatarUrls":     jAvatarURLs(r.s.SiteURL+"/rest/api/3/universal_avatar/view/type/project/avatar/10400", 10400),
	}
}

func (r *jRender) component(c *jComponent) map[string]any {
	return map[string]any{"self": r.base + "/component/" + c.ID, "id": c.ID, "name": c.Name, "description": c.Description}
}

func (r *jRender) version(v *jVersion) map[string]any {
	m := map[string]any{"self": r.base + "/version/" + v.ID, "id": v.ID, "name": v.Name, "archived": false,
		"released": v.Released, "description": ""}
	if v.ReleaseDate != "" {
		m["releaseDate"] = v.ReleaseDate
	}
	return m
}

func (r *jRender) sprint(sp *jSprint) map[string]any {
	m := map[string]any{"id": sp.ID, "name": sp.Name, "state": sp.State, "boardId": sp.BoardID, "goal": sp.Goal}
	if sp.hasStart {
		m["startDate"] = sp.Start.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if sp.hasEnd {
		m["endDate"] = sp.End.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if sp.isComplete {
		m["completeDate"] = sp.Complete.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return m
}

func (r *jRender) option(f *jField, o *jOption) map[string]any {
	return map[string]any{"self": r.base + "/customFieldOption/" + o.ID, "value": o.Value, "id": o.ID}
}

// issueRef is the short issue form used by parent, subtasks and links.
func (r *jRender) issueRef(is *jIssue) map[string]any {
	return map[string]any{
		"id":   is.idStr(),
		"key":  is.Key,
		"self": r.base + "/issue/" + is.idStr(),
		"fields": map[string]any{
			"summary":   is.Summary,
			"status":    r.statusJ(is.Status),
			"priority":  r.priorityJ(is.Priority),
			"issuetype": r.issueTypeJ(is.Type),
		},
	}
}

// link renders link l as seen from issue from: the other issue is under
// inwardIssue when from is the outward side (the entry reads "from
// ‹type.inward› other") and under outwardIssue otherwise.
func (r *jRender) link(l *jLink, from *jIssue) map[string]any {
	m := map[string]any{
		"id":   l.ID,
		"self": r.base + "/issueLink/" + l.ID,
		"type": r.linkType(l.Type),
	}
	if l.Outward == from {
		m["inwardIssue"] = r.issueRef(l.Inward)
	} else {
		m["outwardIssue"] = r.issueRef(l.Outward)
	}
	return m
}

func (r *jRender) linkType(lt *jLinkType) map[string]any {
	return map[string]any{"id": lt.ID, "name": lt.Name, "inward": lt.Inward, "outward": lt.Outward,
		"self": r.base + "/issueLinkType/" + lt.ID}
}

func (r *jRender) comment(is *jIssue, c *jComment, rendered bool) map[string]any {
	m := map[string]any{
		"self":         r.base + "/issue/" + is.idStr() + "/comment/" + c.ID,
		"id":           c.ID,
		"author":       r.user(c.Author),
		"body":         c.Body,
		"updateAuthor": r.user(c.Author),
		"created":      r.time(c.Created),
		"updated":      r.time(c.Updated),
		"jsdPublic":    true,
	}
	if rendered {
		m["body"] = jAdfHTML(c.Body)
		m["created"] = jRenderedTime(c.Created)
		m["updated"] = jRenderedTime(c.Updated)
	}
	return m
}

func (r *jRender) worklog(is *jIssue, w *jWorklog) map[string]any {
	m := map[string]any{
		"self":             r.base + "/issue/" + is.idStr() + "/worklog/" + w.ID,
		"author":           r.user(w.Author),
		"updateAuthor":     r.user(w.Author),
		"created":          r.time(w.Created),
		"updated":          r.time(w.Updated),
		"started":          r.time(w.Started),
		"timeSpent":        jFormatDuration(w.Seconds),
		"timeSpentSeconds": w.Seconds,
		"id":               w.ID,
		"issueId":          is.idStr(),
	}
	if len(w.Comment) > 0 {
		m["comment"] = w.Comment
	}
	return m
}

func (r *jRender) history(h *jHistory) map[string]any {
	items := make([]map[string]any, len(h.Items))
	for i, it := range h.Items {
		m := map[string]any{"field": it.Field, "fieldtype": it.FieldType}
		if it.FieldID != "" {
			m["fieldId"] = it.FieldID
		}
		m["from"], m["fromString"], m["to"], m["toString"] = jNilIfEmpty(it.From), jNilIfEmpty(it.FromString), jNilIfEmpty(it.To), jNilIfEmpty(it.ToSt)
		items[i] = m
	}
	return map[string]any{"id": h.ID, "author": r.user(h.Author), "created": r.time(h.Created), "items": items}
}

func jNilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// time formats t as Jira does, in the caller's time zone
// (2026-11-20T05:00:00.000-0500 for a user in New York).
func (r *jRender) time(t time.Time) string {
	if r.loc != nil {
		return t.In(r.loc).Format(jiraTimeLayout)
	}
	return jiraTime(t)
}

func jRenderedTime(t time.Time) string { return t.UTC().Format("02/Jan/06 3:04 PM") }

func (r *jRender) transition(is *jIssue, t *jTransition, withFields bool) map[string]any {
	m := map[string]any{
		"id":            t.ID,
		"name":          t.Name,
		"to":            r.statusJ(t.To),
		"hasScreen":     t.HasScreen,
		"isGlobal":      len(t.From) == 0,
		"isInitial":     false,
		"isAvailable":   true,
		"isConditional": false,
		"isLooped":      false,
	}
	if withFields {
		fields := map[string]any{}
		for _, fid := range t.Fields {
			if fid == "comment" {
				continue
			}
			f := r.j.fieldByID[fid]
			if f == nil {
				continue
			}
			fm := map[string]any{"required": false, "schema": r.fieldSchema(f), "name": f.Name, "key": f.ID,
				"hasDefaultValue": false, "operations": []string{"set"}}
			switch fid {
			case "resolution":
				av := []any{}
				for _, res := range r.j.resolutions {
					av = append(av, r.resolution(res))
				}
				fm["allowedValues"] = av
				fm["required"] = t.To.Cat == catComplete
			}
			fields[fid] = fm
		}
		m["fields"] = fields
	}
	return m
}

// fieldSchema renders a field's schema object.
func (r *jRender) fieldSchema(f *jField) map[string]any {
	m := map[string]any{"type": f.SchemaType}
	if f.SchemaItems != "" {
		m["items"] = f.SchemaItems
	}
	if f.Custom {
		m["custom"] = f.CustomType
		m["customId"] = f.CustomID
	} else {
		m["system"] = f.SchemaSys
	}
	return m
}

// fieldRenderer renders the value of one system field of an issue.
type fieldRenderer func(r *jRender, is *jIssue) any

// fieldRenderers are the renderers of the system fields, by field id
// (addField keeps a field's on the field); a field without one renders as
// null.
var fieldRenderers = map[string]fieldRenderer{
	"summary":                  func(_ *jRender, is *jIssue) any { return is.Summary },
	"description":              func(_ *jRender, is *jIssue) any { return jRawOrNil(is.Description) },
	"environment":              func(_ *jRender, is *jIssue) any { return jRawOrNil(is.Environment) },
	"issuetype":                func(r *jRender, is *jIssue) any { return r.issueTypeJ(is.Type) },
	"project":                  func(r *jRender, is *jIssue) any { return r.projectJ(is.Project) },
	"status":                   func(r *jRender, is *jIssue) any { return r.statusJ(is.Status) },
	"statusCategory":           func(r *jRender, is *jIssue) any { return r.statusCategory(is.Status.Cat) },
	"priority":                 func(r *jRender, is *jIssue) any { return r.priorityJ(is.Priority) },
	"resolution":               func(r *jRender, is *jIssue) any { return r.resolution(is.Resolution) },
	"assignee":                 func(r *jRender, is *jIssue) any { return r.user(is.Assignee) },
	"reporter":                 func(r *jRender, is *jIssue) any { return r.user(is.Reporter) },
	"creator":                  func(r *jRender, is *jIssue) any { return r.user(is.Creator) },
	"labels":                   func(_ *jRender, is *jIssue) any { return jNonNilStrings(is.Labels) },
	"components":               (*jRender).componentsValue,
	"fixVersions":              (*jRender).fixVersionsValue,
	"versions":                 func(*jRender, *jIssue) any { return []any{} },
	"attachment":               func(*jRender, *jIssue) any { return []any{} },
	"parent":                   (*jRender).parentValue,
	"subtasks":                 (*jRender).subtasksValue,
	"issuelinks":               (*jRender).issueLinksValue,
	"comment":                  (*jRender).commentValue,
	"worklog":                  (*jRender).worklogValue,
	"timetracking":             (*jRender).timeTrackingValue,
	"created":                  func(r *jRender, is *jIssue) any { return r.time(is.Created) },
	"updated":                  func(r *jRender, is *jIssue) any { return r.time(is.Updated) },
	"resolutiondate":           (*jRender).resolutionDateValue,
	"statuscategorychangedate": func(r *jRender, is *jIssue) any { return r.time(is.StatusCat) },
	"duedate":                  func(_ *jRender, is *jIssue) any { return jNilIfEmpty(is.Due) },
	"watches":                  (*jRender).watchesValue,
	"votes":                    (*jRender).votesValue,
	"timespent":                (*jRender).timeSpentValue,
	"aggregatetimespent":       (*jRender).timeSpentValue,
	"timeoriginalestimate":     (*jRender).originalEstimateValue,
	"timeestimate":             (*jRender).remainingEstimateValue,
	"progress":                 (*jRender).progressValue,
}

// fieldValue renders the value of field f of issue is: a custom field by
// the type of its value, a system field by its renderer.
func (r *jRender) fieldValue(is *jIssue, f *jField) any {
	if f.Custom {
		return r.customValue(is, f)
	}
	if f.render != nil {
		return f.render(r, is)
	}
	return nil
}

// componentsValue renders the issue's components.
func (r *jRender) componentsValue(is *jIssue) any {
	out := make([]any, len(is.Components))
	for i, c := range is.Components {
		out[i] = r.component(c)
	}
	return out
}

// fixVersionsValue renders the issue's fix versions.
func (r *jRender) fixVersionsValue(is *jIssue) any {
	out := make([]any, len(is.FixVersions))
	for i, v := range is.FixVersions {
		out[i] = r.version(v)
	}
	return out
}

// parentValue renders the parent as an issue reference, or null.
func (r *jRender) parentValue(is *jIssue) any {
	if is.Parent == nil {
		return nil
	}
	return r.issueRef(is.Parent)
}

// subtasksValue renders the children that are sub-tasks (an epic's
// children are not).
func (r *jRender) subtasksValue(is *jIssue) any {
	out := []any{}
	for _, c := range is.Children {
		if c.Type.Subtask {
			out = append(out, r.issueRef(c))
		}
	}
	return out
}

// issueLinksValue renders the issue's links from its side.
func (r *jRender) issueLinksValue(is *jIssue) any {
	out := make([]any, len(is.Links))
	for i, l := range is.Links {
		out[i] = r.link(l, is)
	}
	return out
}

// commentValue renders the comments page (the first 20 in a search).
func (r *jRender) commentValue(is *jIssue) any {
	shown := is.Comments
	if r.search && len(shown) > 20 {
		shown = shown[:20]
	}
	cs := make([]any, len(shown))
	for i, c := range shown {
		cs[i] = r.comment(is, c, false)
	}
	return map[string]any{"comments": cs, "self": r.base + "/issue/" + is.idStr() + "/comment",
		"maxResults": len(cs), "total": len(is.Comments), "startAt": 0}
}

// worklogValue renders the worklogs page.
func (r *jRender) worklogValue(is *jIssue) any {
	ws := make([]any, len(is.Worklogs))
	for i, w := range is.Worklogs {
		ws[i] = r.worklog(is, w)
	}
	return map[string]any{"startAt": 0, "maxResults": 20, "total": len(ws), "worklogs": ws}
}

// timeTrackingValue renders the estimates and time spent, each only when
// there is one.
func (r *jRender) timeTrackingValue(is *jIssue) any {
	m := map[string]any{}
	if is.OrigEst > 0 {
		m["originalEstimate"] = jFormatDuration(is.OrigEst)
		m["originalEstimateSeconds"] = is.OrigEst
	}
	if is.OrigEst > 0 || is.RemainEst > 0 {
		m["remainingEstimate"] = jFormatDuration(is.RemainEst)
		m["remainingEstimateSeconds"] = is.RemainEst
	}
	if sp := is.timeSpent(); sp > 0 {
		m["timeSpent"] = jFormatDuration(sp)
		m["timeSpentSeconds"] = sp
	}
	return m
}

// resolutionDateValue renders when the issue was resolved, or null.
func (r *jRender) resolutionDateValue(is *jIssue) any {
	if is.Resolved.IsZero() {
		return nil
	}
	return r.time(is.Resolved)
}

// watchesValue renders the watcher count and whether the caller watches.
func (r *jRender) watchesValue(is *jIssue) any {
	watching := false
	for _, w := range is.Watchers {
		if w == r.me {
			watching = true
		}
	}
	return map[string]any{"self": r.base + "/issue/" + is.Key + "/watchers", "watchCount": len(is.Watchers), "isWatching": watching}
}

// votesValue renders the votes: the sandbox has none.
func (r *jRender) votesValue(is *jIssue) any {
	return map[string]any{"self": r.base + "/issue/" + is.Key + "/votes", "votes": 0, "hasVoted": false}
}

// timeSpentValue renders the seconds logged, or null for none.
func (r *jRender) timeSpentValue(is *jIssue) any {
	if sp := is.timeSpent(); sp > 0 {
		return sp
	}
	return nil
}

// originalEstimateValue renders the original estimate in seconds, or null.
func (r *jRender) originalEstimateValue(is *jIssue) any {
	if is.OrigEst > 0 {
		return is.OrigEst
	}
	return nil
}

// remainingEstimateValue renders the remaining estimate in seconds, or
// null when the issue has no estimate at all.
func (r *jRender) remainingEstimateValue(is *jIssue) any {
	if is.OrigEst > 0 || is.RemainEst > 0 {
		return is.RemainEst
	}
	return nil
}

// progressValue renders the time spent against spent plus remaining, with
// the percentage when the total is not zero.
func (r *jRender) progressValue(is *jIssue) any {
	sp := is.timeSpent()
	total := sp + is.RemainEst
	m := map[string]any{"progress": sp, "total": total}
	if total > 0 {
		m["percent"] = sp * 100 / total
	}
	return m
}

func (r *jRender) customValue(is *jIssue, f *jField) any {
	v, ok := is.Custom[f.ID]
	if !ok || v == nil {
		return nil
	}
	switch x := v.(type) {
	case float64:
		return x
	case string:
		return x
	case json.RawMessage:
		return x
	case *jOption:
		return r.option(f, x)
	case []*jOption:
		out := make([]any, len(x))
		for i, o := range x {
			out[i] = r.option(f, o)
		}
		return out
	case []*jSprint:
		out := make([]any, len(x))
		for i, sp := range x {
			out[i] = r.sprint(sp)
		}
		return out
	}
	return nil
}

func jRawOrNil(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func jNonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// jFieldSel is a parsed `fields` parameter.
type jFieldSel struct {
	all     bool            // *all
	nav     bool            // *navigable
	include map[string]bool // explicit ids
	exclude map[string]bool // -id
}

// jParseFieldSel parses fields values (each may be comma-separated). dflt
// applies when no value is given: "*all" for GET issue, "id" for search.
func jParseFieldSel(values []string, dflt string) jFieldSel {
	var parts []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	}
	if len(parts) == 0 {
		parts = []string{dflt}
	}
	fs := jFieldSel{include: map[string]bool{}, exclude: map[string]bool{}}
	for _, p := range parts {
		switch {
		case p == "*all":
			fs.all = true
		case p == "*navigable":
			fs.nav = true
		case p == "*none":
		case strings.HasPrefix(p, "-"):
			fs.exclude[p[1:]] = true
		default:
			fs.include[p] = true
		}
	}
	if !fs.all && !fs.nav && len(fs.include) == 0 && len(fs.exclude) > 0 {
		fs.all = true // only exclusions: everything else
	}
	return fs
}

// idOnly reports whether the selection asks for nothing beyond id.
func (fs jFieldSel) idOnly() bool {
	if fs.all || fs.nav {
		return false
	}
	for k := range fs.include {
		if k != "id" {
			return false
		}
	}
	return true
}

func (fs jFieldSel) wants(f *jField) bool {
	if fs.exclude[f.ID] {
		return false
	}
	if fs.include[f.ID] || fs.all {
		return true
	}
	return fs.nav && f.Navigable
}

// issueFields returns the fields issue is has, in site order: the system
// fields and the custom fields that have a context in its project.
func (j *jiraState) issueHasField(is *jIssue, f *jField) bool {
	if !f.Custom {
		switch f.ID {
		case "statusCategory":
			return false
		}
		return true
	}
	return true
}

// jExpandSet is a parsed expand parameter.
type jExpandSet map[string]bool

func jParseExpand(values ...string) jExpandSet {
	e := jExpandSet{}
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				e[p] = true
			}
		}
	}
	return e
}

// issue renders issue is with selection fs and expansions ex. The result
// is Jira's IssueBean.
func (r *jRender) issue(is *jIssue, fs jFieldSel, ex jExpandSet, maxChangelog int) map[string]any {
	m := map[string]any{
		"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		"id":     is.idStr(),
		"self":   r.base + "/issue/" + is.idStr(),
		"key":    is.Key,
	}
	fields := map[string]any{}
	var names map[string]string
	var schema map[string]any
	if ex["names"] {
		names = map[string]string{}
	}
	if ex["schema"] {
		schema = map[string]any{}
	}
	var rendered map[string]any
	if ex["renderedFields"] {
		rendered = map[string]any{}
	}
	if r.sel == nil {
		for _, f := range r.j.fields {
			if fs.wants(f) {
				r.sel = append(r.sel, f)
			}
		}
		if r.sel == nil {
			r.sel = []*jField{}
		}
	}
	for _, f := range r.sel {
		if !r.j.issueHasField(is, f) {
			continue
		}
		fields[f.ID] = r.fieldValue(is, f)
		if names != nil {
			names[f.ID] = f.Name
		}
		if schema != nil {
			schema[f.ID] = r.fieldSchema(f)
		}
		if rendered != nil {
			rendered[f.ID] = r.renderedValue(is, f)
		}
	}
	m["fields"] = fields
	if names != nil {
		m["names"] = names
	}
	if schema != nil {
		m["schema"] = schema
	}
	if rendered != nil {
		m["renderedFields"] = rendered
	}
	if ex["transitions"] {
		wf := is.Project.workflows[is.Type.ID]
		ts := []any{}
		if wf != nil {
			for _, t := range wf.available(is.Status) {
				ts = append(ts, r.transition(is, t, ex["transitions.fields"]))
			}
		}
		m["transitions"] = ts
	}
	if ex["changelog"] {
		hs := is.History
		if maxChangelog > 0 && len(hs) > maxChangelog {
			hs = hs[len(hs)-maxChangelog:]
		}
		out := make([]any, 0, len(hs))
		for i := len(hs) - 1; i >= 0; i-- { // newest first, as the issue view expands it
			out = append(out, r.history(hs[i]))
		}
		m["changelog"] = map[string]any{"startAt": 0, "maxResults": len(out), "total": len(is.History), "histories": out}
	}
	return m
}

// renderedValue is the renderedFields form of a field: HTML for rich text,
// display dates for dates, null for the rest.
func (r *jRender) renderedValue(is *jIssue, f *jField) any {
	switch f.ID {
	case "description":
		if len(is.Description) == 0 {
			return nil
		}
		return jAdfHTML(is.Description)
	case "environment":
		if len(is.Environment) == 0 {
			return nil
		}
		return jAdfHTML(is.Environment)
	case "created":
		return jRenderedTime(is.Created)
	case "updated":
		return jRenderedTime(is.Updated)
	case "resolutiondate":
		if is.Resolved.IsZero() {
			return nil
		}
		return jRenderedTime(is.Resolved)
	case "duedate":
		if is.Due == "" {
			return nil
		}
		t, err := time.Parse("2006-01-02", is.Due)
		if err != nil {
			return nil
		}
		return t.Format("02/Jan/06")
	case "comment":
		cs := make([]any, len(is.Comments))
		for i, c := range is.Comments {
			cs[i] = r.comment(is, c, true)
		}
		return map[string]any{"comments": cs, "maxResults": len(cs), "total": len(cs), "startAt": 0}
	}
	if f.Kind == fkTextArea {
		if raw, ok := is.Custom[f.ID].(json.RawMessage); ok {
			return jAdfHTML(raw)
		}
	}
	return nil
}

// jFormatDuration renders seconds like Jira: "1w 2d 3h 4m" with 8h days and 5d weeks.
func jFormatDuration(sec int64) string {
	if sec <= 0 {
		return "0m"
	}
	mins := sec / 60
	w := mins / (5 * 8 * 60)
	mins %= 5 * 8 * 60
	d := mins / (8 * 60)
	mins %= 8 * 60
	h := mins / 60
	mins %= 60
	var parts []string
	if w > 0 {
		parts = append(parts, strconv.FormatInt(w, 10)+"w")
	}
	if d > 0 {
		parts = append(parts, strconv.FormatInt(d, 10)+"d")
	}
	if h > 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+"h")
	}
	if mins > 0 {
		parts = append(parts, strconv.FormatInt(mins, 10)+"m")
	}
	if len(parts) == 0 {
		return "0m"
	}
	return strings.Join(parts, " ")
}

// jParseDuration parses a Jira duration ("2h 30m", "2h30m", "1d", "1w 2d",
// "1.5h", "90" = 90 minutes) into seconds, with 8-hour days and 5-day
// weeks. Durations under a minute are invalid, as on Jira.
func jParseDuration(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return 0, false
	}
	var total float64
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		start := i
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		num := s[start:i]
		f, err := strconv.ParseFloat(num, 64)
		if num == "" || err != nil || f > 1e6 {
			return 0, false
		}
		mult := 60.0 // a bare number is minutes
		if i < len(s) && s[i] != ' ' {
			switch s[i] {
			case 'w':
				mult = 5 * 8 * 3600
			case 'd':
				mult = 8 * 3600
			case 'h':
				mult = 3600
			case 'm':
				mult = 60
			default:
				return 0, false
			}
			i++
		}
		total += f * mult
	}
	if total < 60 {
		return 0, false
	}
	return int64(total), true
}
