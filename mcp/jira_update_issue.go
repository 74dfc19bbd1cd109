package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraUpdateIssueArgs are the arguments of atlassian_jira_update_issue.
type jiraUpdateIssueArgs struct {
	IssueKey          string            `json:"issueKey"`
	Action            string            `json:"action" jsonschema:"enum=update_fields,enum=transition,enum=both"`
	Fields            *jiraUpdateFields `json:"fields,omitempty" jsonschema:"fields to set"`
	TransitionName    string            `json:"transitionName,omitempty" jsonschema:"transition or target status name"`
	TransitionComment string            `json:"transitionComment,omitempty" jsonschema:"markdown comment added with the transition"`
	CustomFields      map[string]any    `json:"customFields,omitempty" jsonschema:"other fields by display name or id (null clears); with a transition, its screen's, e.g. {\"Resolution\": \"Done\"}"`
}

// jiraUpdateFields are the fields update_fields sets.
type jiraUpdateFields struct {
	Summary     string   `json:"summary,omitempty"`
	Priority    string   `json:"priority,omitempty"`
	Labels      []string `json:"labels,omitempty" jsonschema:"replaces all labels"`
	Assignee    string   `json:"assignee,omitempty" jsonschema:"name, email, account id or me"`
	Description string   `json:"description,omitempty" jsonschema:"markdown, replaces it"`
}

// adviseUnknown points a status to a transition and any other field the
// tool does not take by name to customFields.
func (jiraUpdateIssueArgs) adviseUnknown(parent, key string, value any) string {
	isStatus := strings.EqualFold(key, "status")
	switch {
	case isStatus && (parent == "" || parent == "fields"):
		to := "the target status"
		if s, ok := value.(string); ok && s != "" {
			to = fmt.Sprintf("%q", s)
		}
		return fmt.Sprintf("the status is not a field: change it with a transition. Use action \"transition\" (or \"both\" to also set fields) with transitionName %s, and leave status out of fields", to)
	case parent == "fields":
		return fmt.Sprintf("fields takes only summary, priority, labels, assignee and description; set other fields in customFields instead: customFields: %s", compactJSON(map[string]any{key: value}))
	case parent == "" && slices.Contains(jsonFieldNames(&jiraUpdateFields{}), key):
		return fmt.Sprintf("%s goes inside fields, with action update_fields: fields: %s", key, compactJSON(map[string]any{key: value}))
	case parent == "":
		return fmt.Sprintf("unknown parameter; if %q is a Jira field, set it in customFields: customFields: %s (the parameters are %s)", key, compactJSON(map[string]any{key: value}), strings.Join(jsonFieldNames(&jiraUpdateIssueArgs{}), ", "))
	}
	return ""
}

// empty reports whether no field is set (a nil Fields is empty).
func (f *jiraUpdateFields) empty() bool {
	return f == nil || (f.Summary == "" && f.Priority == "" && f.Labels == nil && f.Assignee == "" && f.Description == "")
}

// jiraUpdateIssueResult is the result of atlassian_jira_update_issue.
type jiraUpdateIssueResult struct {
	IssueKey string `json:"issueKey"`
	URL      string `json:"url"`
	// Updated lists the fields that were set, by display name.
	Updated []string `json:"updated,omitempty"`
	// Assignee is the account the assignee name resolved to.
	Assignee *resolvedUser `json:"assignee,omitempty"`
	// Transition is the transition made, when one was.
	Transition *transitionDone `json:"transition,omitempty"`
}

// transitionDone describes a transition that was made.
type transitionDone struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ToStatus  string `json:"toStatus"`
	Commented bool   `json:"commented,omitempty"`
	// Fields are the transition screen fields sent, by display name, with
	// the value given ("Resolution: Done"); a required resolution nobody
	// named is set to the first one Jira offers, as its own screen does.
	Fields []string `json:"fields,omitempty"`
}

// Text renders the result compactly.
func (r jiraUpdateIssueResult) Text() string {
	var parts []string
	if len(r.Updated) > 0 {
		parts = append(parts, "updated "+strings.Join(r.Updated, ", "))
	}
	if r.Assignee != nil {
		parts = append(parts, "assigned to "+r.Assignee.String())
	}
	if t := r.Transition; t != nil {
		s := fmt.Sprintf("moved to %s (transition %q)", t.ToStatus, t.Name)
		if len(t.Fields) > 0 {
			s += " setting " + strings.Join(t.Fields, ", ")
		}
		if t.Commented {
			s += " with a comment"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%s: %s. %s", r.IssueKey, strings.Join(parts, "; "), r.URL)
}

// jiraUpdateIssueTool is atlassian_jira_update_issue.
func jiraUpdateIssueTool(d *Deps) *Tool {
	return newTool("atlassian_jira_update_issue", "Update or transition a Jira issue", Jira, Destructive,
		describeJiraUpdateIssue,
		func(ctx context.Context, in *jiraUpdateIssueArgs) (jiraUpdateIssueResult, error) {
			return d.jiraUpdateIssue(ctx, in)
		})
}

// describeJiraUpdateIssue renders the description from the snapshot. The
// site's statuses, priorities and custom fields are listed once, in
// atlassian_jira_search.
func describeJiraUpdateIssue(snap *schema.Snapshot) string {
	var s section
	s.line("Edit a Jira issue's fields and/or move it through its workflow; all is checked before the first write. " +
		"action update_fields sets fields and customFields, overwriting; transition takes transitionName " +
		"(errors list those available), adds transitionComment, and customFields fill its " +
		"screen (a required resolution defaults to the first offered); both edits, then transitions. " +
		"Statuses, priorities, fields: see atlassian_jira_search.")
	key := "ENG"
	if snap != nil && snap.Jira != nil && len(snap.Jira.Projects) > 0 {
		key = firstProjectKey(snap)
	}
	s.line(`Example: {"issueKey":"%s-12","action":"both","fields":{"priority":"High"},"transitionName":"In Progress","transitionComment":"Picked up."}`, key)
	return s.String()
}

// updatePlan is a validated update, ready to send.
type updatePlan struct {
	edit       *atlassian.IssueRequest
	updated    []string
	assignee   *resolvedUser
	transition *atlassian.Transition
	comment    []byte
	// screen are the transition screen fields to send, and screenNotes
	// says what they are for the result.
	screen      map[string]any
	screenNotes []string
	names       func(string) string
}

// jiraUpdateIssue validates everything, then edits and/or transitions.
func (d *Deps) jiraUpdateIssue(ctx context.Context, in *jiraUpdateIssueArgs) (jiraUpdateIssueResult, error) {
	if d.Jira == nil {
		return jiraUpdateIssueResult{}, errNoJira
	}
	key, err := checkIssueKey("issueKey", in.IssueKey)
	if err != nil {
		return jiraUpdateIssueResult{}, err
	}
	action := strings.ToLower(strings.TrimSpace(in.Action))
	edit, move := false, false
	switch action {
	case "update_fields":
		edit = true
	case "transition":
		move = true
	case "both":
		edit, move = true, true
	case "":
		return jiraUpdateIssueResult{}, argErrorf("action", "is required: update_fields, transition or both")
	default:
		return jiraUpdateIssueResult{}, argErrorf("action", "%q is not an action; use update_fields, transition or both", clip(in.Action, 40))
	}
	hasFields := !in.Fields.empty()
	switch {
	case edit && !hasFields && len(in.CustomFields) == 0:
		return jiraUpdateIssueResult{}, argErrorf("fields", "is required for action %s: give fields (summary, priority, labels, assignee, description) and/or customFields; "+
			"an empty value sets nothing (an issue always has a summary; to clear another field give it in customFields as null, e.g. {\"description\": null})", action)
	case !edit && hasFields:
		return jiraUpdateIssueResult{}, argErrorf("fields", "are only used by update_fields and both; use action both to set fields and transition")
	case !edit && !move && len(in.CustomFields) > 0:
		return jiraUpdateIssueResult{}, argErrorf("customFields", "need action update_fields, both or transition")
	case move && strings.TrimSpace(in.TransitionName) == "":
		return jiraUpdateIssueResult{}, argErrorf("transitionName", "is required for action %s: a transition or target status name", action)
	case !move && strings.TrimSpace(in.TransitionName) != "":
		return jiraUpdateIssueResult{}, argErrorf("transitionName", "is only used by transition and both; use action both to set fields and transition")
	case !move && in.TransitionComment != "":
		return jiraUpdateIssueResult{}, argErrorf("transitionComment", "is only used with a transition; to comment without one use atlassian_jira_manage_issue add_comment")
	}
	plan := &updatePlan{names: snapshotFieldNames(d.snapshot())}
	if edit {
		if err := d.planEdit(ctx, key, in, plan); err != nil {
			return jiraUpdateIssueResult{}, err
		}
	}
	if move {
		if err := d.planTransition(ctx, key, in, plan); err != nil {
			return jiraUpdateIssueResult{}, err
		}
	}
	res := jiraUpdateIssueResult{IssueKey: key, URL: browseURL(d.SiteURL, key)}
	if edit {
		if err := d.Jira.Issues.Edit(ctx, key, plan.edit, nil); err != nil {
			err = nameErrorFields(err, plan.names)
			if move {
				return res, errors.New("Nothing was changed: the field update failed, so the transition was not attempted. " + describeError(err))
			}
			return res, err
		}
		res.Updated, res.Assignee = plan.updated, plan.assignee
	}
	if move {
		t := plan.transition
		req := &atlassian.TransitionRequest{Transition: atlassian.TransitionRef{ID: t.ID}, Fields: plan.screen}
		if plan.comment != nil {
			req.Update = atlassian.TransitionComment(plan.comment)
		}
		if err := d.Jira.Issues.DoTransition(ctx, key, req); err != nil {
			err = nameErrorFields(err, plan.names)
			if edit {
				return res, fmt.Errorf("%s: the fields WERE updated (%s), but the transition %q failed, so the issue kept its status: %s "+
					"Retry only the transition (action transition); do not resend the fields", key, strings.Join(plan.updated, ", "), t.Name, describeError(err))
			}
			return res, err
		}
		to := ""
		if t.To != nil {
			to = t.To.Name
		}
		res.Transition = &transitionDone{ID: t.ID, Name: t.Name, ToStatus: to, Commented: plan.comment != nil, Fields: plan.screenNotes}
	}
	return res, nil
}

// planEdit validates the fields and custom fields and builds the edit.
func (d *Deps) planEdit(ctx context.Context, key string, in *jiraUpdateIssueArgs, plan *updatePlan) error {
	snap := d.snapshot()
	var project *schema.Project
	if pk := projectOfKey(key); pk != "" && snap != nil {
		project, _ = snap.Project(pk)
	}
	fields := map[string]any{}
	note := func(id, name string) {
		if plan.names != nil {
			if n := plan.names(id); n != "" {
				name = n
			}
		}
		plan.updated = append(plan.updated, name)
	}
	if f := in.Fields; f != nil {
		if s := strings.TrimSpace(f.Summary); s != "" {
			switch {
			case strings.ContainsAny(s, "\r\n"):
				return argErrorf("fields.summary", "must be one line")
			case len([]rune(s)) > 255:
				return argErrorf("fields.summary", "is %d characters; Jira allows at most 255", len([]rune(s)))
			}
			fields["summary"] = s
			note("summary", "Summary")
		}
		if p := strings.TrimSpace(f.Priority); p != "" {
			if snap != nil && snap.Jira != nil && len(snap.Jira.Priorities) > 0 {
				pr, err := snap.Priority(project, p)
				if err != nil {
					return paramErr("fields.priority", err)
				}
				fields["priority"] = map[string]any{"id": pr.ID}
			} else {
				fields["priority"] = map[string]any{"name": p}
			}
			note("priority", "Priority")
		}
		if f.Labels != nil {
			labels, err := checkLabels("fields.labels", f.Labels)
			if err != nil {
				return err
			}
			fields["labels"] = labels
			note("labels", "Labels")
		}
		if a := strings.TrimSpace(f.Assignee); a != "" {
			u, err := d.resolveUser(ctx, "fields.assignee", a, userScope{IssueKey: key})
			if err != nil {
				return err
			}
			plan.assignee = &u
			fields["assignee"] = map[string]any{"accountId": u.AccountID}
			note("assignee", "Assignee")
		}
		if f.Description != "" {
			doc, err := markdownParamToADF("fields.description", f.Description)
			if err != nil {
				return err
			}
			fields["description"] = doc
			note("description", "Description")
		}
	}
	src := fieldSource{snap: snap, project: project}
	keys := make([]string, 0, len(in.CustomFields))
	for k := range in.CustomFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	resolve := d.nameResolvers()
	for _, k := range keys {
		f, err := src.lookup(k)
		if err != nil {
			return customFieldErr(k, err)
		}
		switch f.ID {
		case "project", "issuetype", "status":
			return argErrorf("customFields."+k, "%s cannot be changed here (status changes with action transition)", f.label())
		case "resolution":
			if strings.EqualFold(strings.TrimSpace(in.Action), "update_fields") {
				return d.resolutionByTransition(ctx, key, k, in.CustomFields[k])
			}
		}
		if _, dup := fields[f.ID]; dup {
			return argErrorf("customFields."+k, "%s is also set in fields; set it once", f.label())
		}
		v, err := coerceValue(ctx, "customFields."+k, f, in.CustomFields[k], resolve)
		if err != nil {
			return err
		}
		fields[f.ID] = v
		note(f.ID, f.Name)
	}
	plan.edit = &atlassian.IssueRequest{Fields: fields}
	return nil
}

// resolutionByTransition is the answer to a resolution set by an edit,
// which Jira refuses (it is on no edit screen): it is set by a transition
// into a done status. It names the first such transition available now
// (one read, made only on this error path).
func (d *Deps) resolutionByTransition(ctx context.Context, key, param string, value any) error {
	msg := fmt.Sprintf("%s is set when the issue moves to a done status, not by an edit", "Resolution")
	ts, err := d.Jira.Issues.Transitions(ctx, key, nil)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return argErrorf("customFields."+param, "%s: use action \"transition\" with a transitionName into a done status, keeping customFields %s", msg, compactJSON(map[string]any{param: value}))
	}
	for _, t := range ts {
		if t.To != nil && t.To.StatusCategory != nil && t.To.StatusCategory.Key == "done" {
			return argErrorf("customFields."+param, "%s: use action \"transition\" with transitionName %q (to %s), keeping customFields %s",
				msg, t.Name, t.To.Name, compactJSON(map[string]any{param: value}))
		}
	}
	return argErrorf("customFields."+param, "%s, and %s has no transition into a done status now", msg, key)
}

// customFieldErr names the customFields entry a lookup error is about.
func customFieldErr(key string, err error) error {
	var le *schema.LookupError
	if errors.As(err, &le) {
		return argErrorf("customFields."+key, "%s", le.Error())
	}
	return err
}

// planTransition finds the transition transitionName means among those
// available now (one read), and converts the comment.
func (d *Deps) planTransition(ctx context.Context, key string, in *jiraUpdateIssueArgs, plan *updatePlan) error {
	if in.TransitionComment != "" {
		if strings.TrimSpace(in.TransitionComment) == "" {
			return argErrorf("transitionComment", "is empty; give the comment's text, or leave transitionComment out")
		}
		doc, err := markdownParamToADF("transitionComment", in.TransitionComment)
		if err != nil {
			return err
		}
		plan.comment = doc
	}
	ts, err := d.Jira.Issues.Transitions(ctx, key, &atlassian.TransitionsOptions{ExpandFields: true})
	if err != nil {
		return err
	}
	want := strings.TrimSpace(in.TransitionName)
	if t := matchTransition(ts, want); t != nil {
		plan.transition = t
		var screenFields map[string]any
		if plan.edit == nil {
			screenFields = in.CustomFields // action transition: they are for the screen
		}
		return d.planScreen(ctx, t, screenFields, plan)
	}
	var avail []string
	for _, t := range ts {
		avail = append(avail, transitionLabel(t))
	}
	msg := fmt.Sprintf("no transition %q is available for %s from its current status", want, key)
	if iss, err := d.Jira.Issues.Get(ctx, key, &atlassian.IssueGetOptions{Fields: []string{"status"}}); err == nil && iss.Fields.Status != nil {
		cur := iss.Fields.Status.Name
		if fold(cur) == fold(want) {
			msg = fmt.Sprintf("%s is already in status %q; no transition is needed", key, cur)
		} else {
			msg = fmt.Sprintf("no transition %q is available for %s from its current status %q", want, key, cur)
		}
	}
	if len(avail) == 0 {
		msg += "; no transitions are available (the connected user may lack the Transition issues permission)"
	} else {
		msg += "; available: " + strings.Join(avail, ", ") + transitionSuggestion(d.snapshot(), ts, want)
	}
	return argErrorf("transitionName", "%s", msg)
}

// transitionSuggestion names the one available transition that want most
// likely means: a close spelling of a transition or target status name, or
// else the only transition into a status of the same category as want
// where want is a status of another workflow ("Closed" -> "Done"). It is
// "" when there is no single such transition.
func transitionSuggestion(snap *schema.Snapshot, ts []atlassian.Transition, want string) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
		if t.To != nil {
			names = append(names, t.To.Name)
		}
	}
	if c := schema.Closest(want, names); c != "" {
		return fmt.Sprintf(". Did you mean transitionName %q?", c)
	}
	if snap == nil || snap.Jira == nil {
		return ""
	}
	cat := ""
	for _, p := range snap.Jira.Projects {
		for _, it := range p.IssueTypes {
			for _, st := range it.Statuses {
				if fold(st.Name) == fold(want) {
					cat = st.Category
				}
			}
		}
	}
	if cat == "" {
		return ""
	}
	var match *atlassian.Transition
	for i, t := range ts {
		if t.To != nil && t.To.StatusCategory != nil && t.To.StatusCategory.Key == cat {
			if match != nil && match.To.Name != t.To.Name {
				return ""
			}
			if match == nil {
				match = &ts[i]
			}
		}
	}
	if match == nil {
		return ""
	}
	return fmt.Sprintf(". %q is a status of another workflow; here its status category (%s) is reached with transitionName %q", want, cat, match.Name)
}

// matchTransition finds a transition by name, then by target status
// name, case- and space-insensitively.
func matchTransition(ts []atlassian.Transition, want string) *atlassian.Transition {
	w := fold(want)
	for i := range ts {
		if fold(ts[i].Name) == w {
			return &ts[i]
		}
	}
	for i := range ts {
		if ts[i].To != nil && fold(ts[i].To.Name) == w {
			return &ts[i]
		}
	}
	return nil
}

// transitionLabel renders "Start Progress → In Progress".
func transitionLabel(t atlassian.Transition) string {
	if t.To == nil || t.To.Name == "" || fold(t.To.Name) == fold(t.Name) {
		return fmt.Sprintf("%q", t.Name)
	}
	return fmt.Sprintf("%q → %s", t.Name, t.To.Name)
}

// planScreen validates the fields sent with a transition against its
// screen (from expand=transitions.fields) and fills a required resolution
// the caller did not name with the first one offered, as Jira's own
// transition screen preselects it. Other required screen fields without a
// default are an error naming them.
func (d *Deps) planScreen(ctx context.Context, t *atlassian.Transition, given map[string]any, plan *updatePlan) error {
	var metas []atlassian.FieldMetadata
	for id, m := range t.Fields {
		if id == "comment" {
			continue
		}
		if m.FieldID == "" {
			m.FieldID = id
		}
		metas = append(metas, m)
	}
	slices.SortFunc(metas, func(a, b atlassian.FieldMetadata) int { return strings.Compare(a.FieldID, b.FieldID) })
	screen := schema.FieldMetas(metas)
	screenName := fmt.Sprintf("the screen of transition %q", t.Name)
	if len(given) > 0 && len(screen) == 0 {
		return argErrorf("customFields", "transition %q has no screen fields (at most a comment); use action both to edit fields and then transition", t.Name)
	}
	src := fieldSource{snap: d.snapshot(), screen: screen, screenName: screenName}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := map[string]any{}
	for _, k := range keys {
		f, err := src.lookup(k)
		if err != nil {
			return customFieldErr(k, err)
		}
		v, err := coerceValue(ctx, "customFields."+k, f, given[k], d.nameResolvers())
		if err != nil {
			return err
		}
		out[f.ID] = v
		plan.screenNotes = append(plan.screenNotes, fmt.Sprintf("%s: %s", f.Name, shortValue(given[k])))
	}
	var missing []string
	for _, m := range screen {
		if !m.Required || m.HasDefault {
			continue
		}
		if _, ok := out[m.ID]; ok {
			continue
		}
		if m.ID == "resolution" && len(m.AllowedValues) > 0 {
			out["resolution"] = map[string]any{"name": m.AllowedValues[0]}
			plan.screenNotes = append(plan.screenNotes, m.Name+": "+m.AllowedValues[0])
			continue
		}
		item := fieldSpecFromMeta(m).label()
		if len(m.AllowedValues) > 0 {
			item += " (one of: " + joinCapped(m.AllowedValues, 12) + ")"
		}
		missing = append(missing, item)
	}
	if len(missing) > 0 {
		return argErrorf("customFields", "transition %q requires %s; pass them in customFields with action transition (then set other fields in a separate update_fields call)",
			t.Name, strings.Join(missing, ", "))
	}
	if len(out) > 0 {
		plan.screen = out
	}
	return nil
}

// shortValue renders a caller's value briefly for a result.
func shortValue(v any) string {
	if s, ok := v.(string); ok {
		return clip(s, 40)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return clip(string(b), 40)
}
