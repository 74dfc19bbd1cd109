package mcp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// jiraCreateIssueArgs are the arguments of atlassian_jira_create_issue.
type jiraCreateIssueArgs struct {
	ProjectKey   string         `json:"projectKey" jsonschema:"project key, e.g. ENG"`
	IssueType    string         `json:"issueType" jsonschema:"issue type name of that project, e.g. Bug"`
	Summary      string         `json:"summary" jsonschema:"one-line title, at most 255 characters"`
	Description  string         `json:"description,omitempty" jsonschema:"markdown"`
	Assignee     string         `json:"assignee,omitempty" jsonschema:"name, email, account id or me"`
	Priority     string         `json:"priority,omitempty"`
	Labels       []string       `json:"labels,omitempty" jsonschema:"no spaces"`
	Components   []string       `json:"components,omitempty"`
	ParentKey    string         `json:"parentKey,omitempty" jsonschema:"parent issue key: required for sub-tasks, else the epic"`
	CustomFields map[string]any `json:"customFields,omitempty" jsonschema:"other fields by display name or id, e.g. {\"Story Points\": 3}; values as number, text, option name(s), user, date YYYY-MM-DD or sprint"`
}

// adviseUnknown says that a new issue's status comes from its workflow,
// and points any other field the tool does not take by name to
// customFields.
func (jiraCreateIssueArgs) adviseUnknown(parent, key string, value any) string {
	switch {
	case parent == "" && strings.EqualFold(key, "status"):
		return "a new issue starts in its workflow's first status and cannot be created in another: leave status out, then move it with atlassian_jira_update_issue action \"transition\""
	case parent == "":
		return fmt.Sprintf("unknown parameter; if %q is a Jira field, set it in customFields: customFields: %s (the parameters are %s)", key, compactJSON(map[string]any{key: value}), strings.Join(jsonFieldNames(&jiraCreateIssueArgs{}), ", "))
	}
	return ""
}

// jiraCreateIssueResult is the result of atlassian_jira_create_issue.
type jiraCreateIssueResult struct {
	Key       string `json:"key"`
	ID        string `json:"id"`
	URL       string `json:"url"`
	Project   string `json:"project"`
	IssueType string `json:"issueType"`
	Summary   string `json:"summary"`
	// Assignee is who the issue was assigned to, when asked.
	Assignee *resolvedUser `json:"assignee,omitempty"`
	// Parent is the parent issue key, when given.
	Parent string `json:"parent,omitempty"`
}

// Text renders the result compactly.
func (r jiraCreateIssueResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Created %s (%s) %q: %s", r.Key, r.IssueType, r.Summary, r.URL)
	if r.Assignee != nil {
		b.WriteString("\nAssigned to " + r.Assignee.String())
	}
	if r.Parent != "" {
		b.WriteString("\nParent: " + r.Parent)
	}
	return b.String()
}

// jiraCreateIssueTool is atlassian_jira_create_issue.
func jiraCreateIssueTool(d *Deps) *Tool {
	return newTool("atlassian_jira_create_issue", "Create a Jira issue", Jira, Write,
		describeJiraCreateIssue,
		func(ctx context.Context, in *jiraCreateIssueArgs) (jiraCreateIssueResult, error) {
			return d.jiraCreateIssue(ctx, in)
		})
}

// describeJiraCreateIssue renders the description from the snapshot. The
// site's projects, issue types, priorities and custom fields are listed
// once, in atlassian_jira_search; only what creating needs beyond them (the
// required fields) is said here.
func describeJiraCreateIssue(snap *schema.Snapshot) string {
	var s section
	s.line("Create a Jira issue; returns its key and URL. Checked against the site's schema (see atlassian_jira_search) before " +
		"writing; errors list the valid choices. Not idempotent: after an unclear failure, search before creating again.")
	if snap != nil && snap.Jira != nil && len(snap.Jira.Projects) > 0 {
		if req := requiredFieldsLine(snap); req != "" {
			s.field("Required besides summary", req)
		}
		key := firstProjectKey(snap)
		s.line(`Example: {"projectKey":"%s","issueType":"Bug","summary":"Login fails for SSO users","priority":"High","labels":["sso"]}`, key)
	} else {
		s.line(`Example: {"projectKey":"ENG","issueType":"Bug","summary":"Login fails for SSO users","priority":"High"}`)
	}
	return s.String()
}

// requiredFieldsLine lists, per project and issue type, the required fields
// without defaults other than summary, with the options of a select-like
// field when they are few: "OPS Incident: Severity (Sev 1, Sev 2, Sev 3,
// Sev 4)", so the first create can succeed.
func requiredFieldsLine(snap *schema.Snapshot) string {
	var items []string
	for _, p := range rankedProjects(snap) {
		for _, t := range p.IssueTypes {
			var names []string
			for _, f := range requiredFields(t.Fields) {
				if f.ID != "summary" && f.ID != "parent" {
					names = append(names, f.Name+optionsNote(f))
				}
			}
			if len(names) > 0 {
				items = append(items, p.Key+" "+t.Name+": "+strings.Join(names, ", "))
			}
		}
	}
	return capped(items, 6, "")
}

// maxOptionsNoted and maxOptionsChars bound the options a required field's
// note lists; a field with more says how many it has.
const (
	maxOptionsNoted = 8
	maxOptionsChars = 80
)

// optionsNote is " (A, B, C)" for a select-like field with a few allowed
// values, " (N options)" with many, "" for other fields and for priority
// (the priorities are listed in atlassian_jira_search).
func optionsNote(f *schema.FieldMeta) string {
	if len(f.AllowedValues) == 0 || f.ID == "priority" {
		return ""
	}
	list := strings.Join(f.AllowedValues, ", ")
	if len(f.AllowedValues) > maxOptionsNoted || len(list) > maxOptionsChars {
		if len(f.AllowedValues) == 1 {
			return " (1 option)"
		}
		return fmt.Sprintf(" (%d options)", len(f.AllowedValues))
	}
	return " (" + list + ")"
}

// createPlan is a create being validated by planCreate's steps and, once
// they pass, ready to send.
type createPlan struct {
	req       *atlassian.IssueRequest
	project   string
	issueType string
	assignee  *resolvedUser
	names     func(string) string

	// What the steps found: the snapshot, the project and issue type in
	// it (nil without one), and the create screen (nil when unknown).
	snap        *schema.Snapshot
	projectMeta *schema.Project
	itype       *schema.IssueType
	screen      []*schema.FieldMeta
}

// jiraCreateIssue validates and sends one create. It never retries the
// create itself.
func (d *Deps) jiraCreateIssue(ctx context.Context, in *jiraCreateIssueArgs) (jiraCreateIssueResult, error) {
	if d.Jira == nil {
		return jiraCreateIssueResult{}, errNoJira
	}
	plan, err := d.planCreate(ctx, in)
	if err != nil {
		return jiraCreateIssueResult{}, err
	}
	created, err := d.Jira.Issues.Create(ctx, plan.req)
	if err != nil {
		if canceled(ctx) {
			return jiraCreateIssueResult{}, ctx.Err()
		}
		return jiraCreateIssueResult{}, createFailed(ctx, nameErrorFields(err, plan.names), plan.project, strings.TrimSpace(in.Summary))
	}
	res := jiraCreateIssueResult{
		Key: created.Key, ID: created.ID, URL: browseURL(d.SiteURL, created.Key),
		Project: plan.project, IssueType: plan.issueType, Summary: strings.TrimSpace(in.Summary),
		Assignee: plan.assignee, Parent: strings.ToUpper(strings.TrimSpace(in.ParentKey)),
	}
	return res, nil
}

// browseURL is the issue's page on the site.
func browseURL(site, key string) string {
	return strings.TrimRight(site, "/") + "/browse/" + key
}

// planCreate checks the arguments against the snapshot and builds the
// request, one named step at a time; the order of the steps is the order
// in which errors are reported. Nothing is written; the only calls are
// reads (create-screen fields of projects discovery skipped, user search
// for the assignee and user fields).
func (d *Deps) planCreate(ctx context.Context, in *jiraCreateIssueArgs) (*createPlan, error) {
	if err := checkCreateBasics(in); err != nil {
		return nil, err
	}
	snap := d.snapshot()
	plan := &createPlan{
		req:       &atlassian.IssueRequest{Fields: map[string]any{"summary": strings.TrimSpace(in.Summary)}},
		project:   strings.ToUpper(strings.TrimSpace(in.ProjectKey)),
		issueType: strings.TrimSpace(in.IssueType),
		names:     snapshotFieldNames(snap),
		snap:      snap,
	}
	steps := []func(context.Context, *Deps, *jiraCreateIssueArgs) error{
		plan.setProjectAndType,
		plan.setParent,
		plan.setDescription,
		plan.setPriority,
		plan.setLabels,
		plan.setComponents,
		plan.setAssignee,
		plan.setCustomFields,
		plan.checkRequiredGiven,
	}
	for _, step := range steps {
		if err := step(ctx, d, in); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// checkCreateBasics checks the three required arguments and the summary's
// shape before anything is looked up.
func checkCreateBasics(in *jiraCreateIssueArgs) error {
	summary := strings.TrimSpace(in.Summary)
	switch {
	case strings.TrimSpace(in.ProjectKey) == "":
		return argErrorf("projectKey", "is required: the key of the project, e.g. \"ENG\"")
	case strings.TrimSpace(in.IssueType) == "":
		return argErrorf("issueType", "is required: an issue type name such as Bug, Task or Story")
	case summary == "":
		return argErrorf("summary", "is required: a one-line title")
	case strings.ContainsAny(summary, "\r\n"):
		return argErrorf("summary", "must be one line; put the details in description")
	case len([]rune(summary)) > 255:
		return argErrorf("summary", "is %d characters; Jira allows at most 255 (put the details in description)", len([]rune(summary)))
	}
	return nil
}

// hasProjects reports whether the snapshot lists the site's projects.
func (p *createPlan) hasProjects() bool {
	return p.snap != nil && p.snap.Jira != nil && len(p.snap.Jira.Projects) > 0
}

// setProjectAndType resolves the project and issue type against the
// snapshot (or, for a project it does not know, one read of Jira) and
// reads the create screen; without a snapshot it sends them by key and
// name for Jira to check.
func (p *createPlan) setProjectAndType(ctx context.Context, d *Deps, in *jiraCreateIssueArgs) error {
	projectKey := strings.TrimSpace(in.ProjectKey)
	typeName := strings.TrimSpace(in.IssueType)
	fields := p.req.Fields
	if !p.hasProjects() {
		if !projectKeyRe.MatchString(projectKey) {
			return argErrorf("projectKey", "%q is not a project key (letters, digits and _, starting with a letter)", clip(projectKey, 40))
		}
		fields["project"] = map[string]any{"key": strings.ToUpper(projectKey)}
		fields["issuetype"] = map[string]any{"name": typeName}
		return nil
	}
	project, err := p.snap.Project(projectKey)
	if err != nil {
		// The snapshot may predate the project: one read settles it.
		if project = d.liveProject(ctx, projectKey); project == nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return paramErr("projectKey", err)
		}
	}
	if len(project.IssueTypes) == 0 {
		// Discovery failed for this project's types: read them now.
		if live := d.liveProject(ctx, project.Key); live != nil {
			live.Priorities = project.Priorities
			project = live
		}
	}
	itype, err := project.IssueType(typeName)
	if err != nil {
		return paramErr("issueType", withProjectsHaving(err, p.snap, project.Key, typeName))
	}
	p.projectMeta, p.itype = project, itype
	p.project, p.issueType = project.Key, itype.Name
	fields["project"] = map[string]any{"key": project.Key}
	fields["issuetype"] = map[string]any{"id": itype.ID}
	if d.Schema != nil && (itype.Fields != nil || d.FetchFields != nil) {
		// A failed read of the create screen only skips these checks;
		// Jira still validates.
		if fs, err := d.Schema.CreateFields(ctx, project, itype, d.FetchFields); err == nil {
			p.screen = fs
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if p.screen != nil {
		p.names = screenFieldNames(p.screen, p.snap)
	}
	return nil
}

// setParent sets the parent by key or id; a sub-task type needs one.
func (p *createPlan) setParent(_ context.Context, _ *Deps, in *jiraCreateIssueArgs) error {
	parent := strings.TrimSpace(in.ParentKey)
	if parent == "" {
		if p.itype != nil && p.itype.Subtask {
			return argErrorf("parentKey", "is required: %s is a sub-task type, so the issue needs a parent issue key", p.itype.Name)
		}
		return nil
	}
	key, err := checkIssueKey("parentKey", parent)
	if err != nil {
		return err
	}
	if pk := projectOfKey(key); pk != "" && p.itype != nil && p.itype.Subtask && !strings.EqualFold(pk, p.project) {
		// Jira refuses it after the fact ("Sub-tasks must be created in
		// the same project as the parent"); say which project to use.
		return argErrorf("parentKey", "%s is in project %s, and a sub-task is created in its parent's project: use projectKey %q (or a parent in %s)", key, pk, pk, p.project)
	}
	if projectOfKey(key) == "" {
		p.req.Fields["parent"] = map[string]any{"id": key}
	} else {
		p.req.Fields["parent"] = map[string]any{"key": key}
	}
	return nil
}

// setDescription converts the markdown description to ADF.
func (p *createPlan) setDescription(_ context.Context, _ *Deps, in *jiraCreateIssueArgs) error {
	if in.Description == "" {
		return nil
	}
	doc, err := markdownParamToADF("description", in.Description)
	if err != nil {
		return err
	}
	p.req.Fields["description"] = doc
	return nil
}

// setPriority resolves the priority by name in the project's scheme
// (snapshot, then create screen) or sends the name as given.
func (p *createPlan) setPriority(_ context.Context, _ *Deps, in *jiraCreateIssueArgs) error {
	name := strings.TrimSpace(in.Priority)
	if name == "" {
		return nil
	}
	if p.snap != nil && p.snap.Jira != nil && len(p.snap.Jira.Priorities) > 0 {
		pr, err := p.snap.Priority(p.projectMeta, name)
		if err != nil {
			return paramErr("priority", err)
		}
		p.req.Fields["priority"] = map[string]any{"id": pr.ID}
	} else {
		p.req.Fields["priority"] = map[string]any{"name": name}
	}
	// The create screen knows the project's priority scheme even when
	// the snapshot does not (a project discovery skipped).
	if m := screenField(p.screen, "priority"); m != nil && len(m.AllowedValues) > 0 {
		canonical := name
		if pr, err := p.snap.Priority(nil, name); err == nil {
			canonical = pr.Name
		}
		if !slices.ContainsFunc(m.AllowedValues, func(a string) bool { return strings.EqualFold(a, canonical) }) {
			valid := "; valid: "
			if c := schema.Closest(name, m.AllowedValues); c != "" {
				valid = fmt.Sprintf("; did you mean %q? Valid: ", c)
			}
			return argErrorf("priority", "unknown priority %q in project %s%s%s", clip(name, 40), p.project, valid, joinCapped(m.AllowedValues, 20))
		}
	}
	return nil
}

// setLabels checks the labels as Jira does.
func (p *createPlan) setLabels(_ context.Context, _ *Deps, in *jiraCreateIssueArgs) error {
	if in.Labels == nil {
		return nil
	}
	labels, err := checkLabels("labels", in.Labels)
	if err != nil {
		return err
	}
	p.req.Fields["labels"] = labels
	return nil
}

// setComponents sets components by name, matched against the create
// screen's components when it lists them.
func (p *createPlan) setComponents(_ context.Context, _ *Deps, in *jiraCreateIssueArgs) error {
	if len(in.Components) == 0 {
		return nil
	}
	var allowed []string
	if m := screenField(p.screen, "components"); m != nil {
		allowed = m.AllowedValues
	}
	var comps []any
	for _, c := range in.Components {
		c = strings.TrimSpace(c)
		if c == "" {
			return argErrorf("components", "a component name is empty")
		}
		if len(allowed) > 0 {
			i := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, c) })
			if i < 0 {
				return argErrorf("components", "%q is not a component of %s; components: %s", clip(c, 60), p.project, joinCapped(allowed, 25))
			}
			c = allowed[i]
		}
		comps = append(comps, map[string]any{"name": c})
	}
	p.req.Fields["components"] = comps
	return nil
}

// setAssignee resolves the assignee among the users assignable in the
// project.
func (p *createPlan) setAssignee(ctx context.Context, d *Deps, in *jiraCreateIssueArgs) error {
	a := strings.TrimSpace(in.Assignee)
	if a == "" {
		return nil
	}
	u, err := d.resolveUser(ctx, "assignee", a, userScope{Project: p.project})
	if err != nil {
		return err
	}
	p.assignee = &u
	p.req.Fields["assignee"] = map[string]any{"accountId": u.AccountID}
	return nil
}

// setCustomFields resolves and coerces customFields (and other fields), in
// a stable order so errors are repeatable.
func (p *createPlan) setCustomFields(ctx context.Context, d *Deps, in *jiraCreateIssueArgs) error {
	fields := p.req.Fields
	scope := fmt.Sprintf("the create screen of %s %s", p.project, p.issueType)
	src := fieldSource{snap: p.snap, screen: p.screen, screenName: scope, project: p.projectMeta}
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
		if param := dedicatedParam(f.ID); param != "" {
			return argErrorf("customFields."+k, "set %s with the %s parameter, not in customFields", f.label(), param)
		}
		if _, dup := fields[f.ID]; dup {
			return argErrorf("customFields."+k, "%s is given twice in customFields", f.label())
		}
		v, err := coerceValue(ctx, "customFields."+k, f, in.CustomFields[k], resolve)
		if err != nil {
			return err
		}
		fields[f.ID] = v
	}
	return nil
}

// checkRequiredGiven refuses a create that leaves out a field the create
// screen requires; without a screen Jira is left to check.
func (p *createPlan) checkRequiredGiven(context.Context, *Deps, *jiraCreateIssueArgs) error {
	if p.screen == nil {
		return nil
	}
	return checkRequired(p.screen, p.req.Fields, p)
}

// projectKeyRe matches a project key.
var projectKeyRe = lazyRegexp(`^[A-Za-z][A-Za-z0-9_]*$`)

// paramErr ties a schema lookup error to the parameter it came from,
// keeping the valid choices it lists.
func paramErr(param string, err error) error {
	return argErrorf(param, "%s", err.Error())
}

// dedicatedParam is the tool parameter that sets a system field, if any.
func dedicatedParam(id string) string {
	switch id {
	case "project":
		return "projectKey"
	case "issuetype":
		return "issueType"
	case "summary", "description", "assignee", "priority", "labels", "components":
		return id
	case "parent":
		return "parentKey"
	}
	return ""
}

// screenField finds a field of a create screen by id.
func screenField(screen []*schema.FieldMeta, id string) *schema.FieldMeta {
	for _, m := range screen {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// screenFieldNames names field ids from a create screen, then the snapshot.
func screenFieldNames(screen []*schema.FieldMeta, snap *schema.Snapshot) func(string) string {
	site := snapshotFieldNames(snap)
	return func(id string) string {
		if m := screenField(screen, id); m != nil {
			return m.Name
		}
		return site(id)
	}
}

// requiredFields lists the required fields of a create screen that a create
// must set. A default value does not excuse a field: Jira (and the
// sandbox) refuse a create without a required priority even when the
// scheme has a default. Project and issue type are always set, and the
// reporter defaults to the caller.
func requiredFields(screen []*schema.FieldMeta) []*schema.FieldMeta {
	var out []*schema.FieldMeta
	for _, m := range screen {
		if !m.Required {
			continue
		}
		switch m.ID {
		case "project", "issuetype", "reporter":
			continue
		}
		out = append(out, m)
	}
	return out
}

// checkRequired refuses a create that leaves out a required field with
// no default, naming each one and how to set it.
func checkRequired(screen []*schema.FieldMeta, fields map[string]any, plan *createPlan) error {
	var missing []string
	for _, m := range requiredFields(screen) {
		if v, ok := fields[m.ID]; ok && v != nil {
			continue
		}
		how := "customFields {\"" + m.Name + "\": …}"
		if p := dedicatedParam(m.ID); p != "" {
			how = "the " + p + " parameter"
		}
		item := fieldSpecFromMeta(m).label() + " via " + how
		if len(m.AllowedValues) > 0 {
			item += " (one of: " + joinCapped(m.AllowedValues, 12) + ")"
		}
		missing = append(missing, item)
	}
	if len(missing) == 0 {
		return nil
	}
	return &ArgError{Msg: fmt.Sprintf("%s %s requires fields that were not given: %s", plan.project, plan.issueType, strings.Join(missing, "; "))}
}

// liveProject reads a project the snapshot does not know from Jira (its
// creatable issue types), so a project made after the last schema refresh
// still works; nil when Jira does not know it either (or it cannot be
// read), and the snapshot's list of keys is the answer.
func (d *Deps) liveProject(ctx context.Context, key string) *schema.Project {
	if !projectKeyRe.MatchString(key) {
		return nil
	}
	types, err := d.Jira.Meta.CreateMetaIssueTypes(ctx, key)
	if err != nil || len(types) == 0 {
		return nil
	}
	p := &schema.Project{Key: strings.ToUpper(key)}
	for _, t := range types {
		p.IssueTypes = append(p.IssueTypes, &schema.IssueType{ID: t.ID, Name: t.Name, Subtask: t.Subtask})
	}
	return p
}

// createFailed explains a failed create. When Jira's answer does not
// prove that nothing was created (no answer at all, or a gateway error),
// it says the issue may exist and how to look before creating again: a
// create is never retried automatically.
func createFailed(ctx context.Context, err error, project, summary string) error {
	if !outcomeUnknown(err) {
		return err
	}
	words := strings.Join(strings.Fields(strings.NewReplacer(`"`, " ", `\`, " ").Replace(clip(summary, 60))), " ")
	return &uncertainWrite{fmt.Sprintf("%s The create may or may not have reached Jira, so the issue may exist. Before creating it again, search: "+
		"project = %s AND summary ~ \"%s\" AND created >= -15m", errText(ctx, err), project, words)}
}

// withProjectsHaving adds to an unknown issue type the projects that have
// it ("Incident is an issue type of OPS"), so an agent that picked the
// wrong project learns which one to use.
func withProjectsHaving(err error, snap *schema.Snapshot, project, typeName string) error {
	var le *schema.LookupError
	if !errors.As(err, &le) || le.Ambiguous || snap == nil || snap.Jira == nil {
		return err
	}
	var keys []string
	for _, pr := range rankedProjects(snap) {
		if pr.Key == project {
			continue
		}
		if _, terr := pr.IssueType(typeName); terr == nil {
			keys = append(keys, pr.Key)
		}
	}
	if len(keys) == 0 {
		return err
	}
	return &ArgError{Msg: fmt.Sprintf("%s. %s is an issue type of %s: use projectKey %q to create it there", le.Error(), strings.TrimSpace(typeName), joinCapped(keys, 5), keys[0])}
}
