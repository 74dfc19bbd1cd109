package mcp

// Field values for the Jira write tools: finding the field a caller names
// (id or display name) in the schema snapshot, and coercing the caller's
// JSON value into the shape Jira wants for that field's type.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// errNoJira is returned when the connection has no Jira client.
var errNoJira = errors.New("this connection has no Jira site; the Jira tools cannot be used")

// issueKeyRe matches an issue key ("ENG-12") or a numeric issue id.
var issueKeyRe = lazyRegexp(`^(?:[A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$`)

// checkIssueKey validates an issue key or id given as param and returns it
// with the project part upper-cased, as Jira writes keys.
func checkIssueKey(param, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", argErrorf(param, "is required: an issue key such as \"ENG-123\" or a numeric issue id")
	}
	if len(v) > 64 || !issueKeyRe.MatchString(v) {
		return "", argErrorf(param, "%q is not an issue key (\"ENG-123\") or a numeric issue id%s", clip(v, 80), keySuggestion(v))
	}
	return strings.ToUpper(v), nil
}

// looseKeyRe matches what an agent writes for an issue key in other ways:
// "ENG 12", "eng_12", "ENG12", "ENG #12".
var looseKeyRe = lazyRegexp(`^([A-Za-z][A-Za-z0-9]*?)[\s_#:/-]*([0-9]+)$`)

// urlKeyRe finds the issue key in an issue's URL: /browse/ENG-12 or
// selectedIssue=ENG-12 (a board).
var urlKeyRe = lazyRegexp(`^https?://[^\s]*(?:/browse/|[?&]selectedIssue=)([A-Za-z][A-Za-z0-9_]*-[0-9]+)(?:[/?#&]|$)`)

// keySuggestion is "; did you mean \"ENG-12\"?" when v is an issue key
// written loosely (see looseKeyRe), else "".
func keySuggestion(v string) string {
	if m := urlKeyRe.FindStringSubmatch(v); m != nil && len(v) <= 2048 {
		return fmt.Sprintf("; did you mean %q?", strings.ToUpper(m[1]))
	}
	m := looseKeyRe.FindStringSubmatch(strings.Trim(strings.TrimSpace(v), "#[]()<>`'\""))
	if m == nil || len(v) > 64 {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", strings.ToUpper(m[1])+"-"+m[2])
}

// unknownProjectHint is, for a key whose project the snapshot does not
// know, " No project NOPE exists; did you mean \"ENG-1\"?" (or the
// project keys when none is close); "" when the project exists or there
// is no snapshot to tell.
func unknownProjectHint(snap *schema.Snapshot, key string) string {
	proj := projectOfKey(key)
	if proj == "" || snap == nil || snap.Jira == nil {
		return ""
	}
	if _, err := snap.Project(proj); err == nil {
		return ""
	}
	keys := snap.ProjectKeys()
	if c := schema.Closest(proj, keys); c != "" {
		return fmt.Sprintf(" No project %s exists; did you mean %q?", proj, c+key[len(proj):])
	}
	return fmt.Sprintf(" No project %s exists; the projects are %s.", proj, joinCapped(keys, 20))
}

// projectOfKey is the project key of an issue key ("ENG-12" → "ENG"), or
// "" for a numeric id.
func projectOfKey(key string) string {
	if i := strings.LastIndexByte(key, '-'); i > 0 {
		return key[:i]
	}
	return ""
}

// markdownParamToADF converts markdown given as param to an ADF document.
func markdownParamToADF(param, md string) (json.RawMessage, error) {
	if err := checkRichText(param, md); err != nil {
		return nil, err
	}
	b, err := adf.MarkdownToJSON(md)
	if err != nil {
		if errors.Is(err, adf.ErrTooLarge) {
			return nil, argErrorf(param, "is too large (at most %d bytes of markdown)", adf.MaxInputSize)
		}
		return nil, argErrorf(param, "cannot be converted from markdown: %v", err)
	}
	return b, nil
}

// checkLabels validates labels as Jira does: not empty, no whitespace, at
// most 255 characters. It returns them trimmed.
func checkLabels(param string, labels []string) ([]string, error) {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			return nil, argErrorf(param, "a label is empty")
		case strings.ContainsFunc(l, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }):
			return nil, argErrorf(param, "label %q contains spaces, which Jira does not allow; use - or _ instead (e.g. %q)",
				clip(l, 60), strings.Join(strings.Fields(l), "-"))
		case len([]rune(l)) > 255:
			return nil, argErrorf(param, "label %q is longer than 255 characters", clip(l, 60))
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// valueKind is how a field's value is shaped on the way to Jira.
type valueKind int

const (
	kindRaw       valueKind = iota // passed through as given
	kindString                     // single-line text: a plain string
	kindTextArea                   // rich text: markdown → ADF
	kindNumber                     // a number
	kindOption                     // {"value": …}
	kindOptions                    // [{"value": …}, …]
	kindUser                       // {"accountId": …}
	kindUsers                      // [{"accountId": …}, …]
	kindDate                       // "YYYY-MM-DD"
	kindDateTime                   // "2006-01-02T15:04:05.000-0700"
	kindLabels                     // ["a", "b"], no spaces
	kindStrings                    // ["a", "b"]
	kindSprint                     // a sprint id (number)
	kindNamed                      // {"name": …} (priority, resolution, …)
	kindNamedList                  // [{"name": …}, …] (components, versions)
)

// kindNames say what a caller must pass, for errors.
var kindNames = map[valueKind]string{
	kindRaw:       "a value in Jira's own shape",
	kindString:    "a string",
	kindTextArea:  "markdown text (a string)",
	kindNumber:    "a number",
	kindOption:    "one option value (a string)",
	kindOptions:   "an array of option values (strings)",
	kindUser:      "a user (display name, email, account id or me)",
	kindUsers:     "an array of users (display names, emails or account ids)",
	kindDate:      "a date \"YYYY-MM-DD\"",
	kindDateTime:  "a date-time such as \"2026-12-01T14:30:00Z\" or \"2026-12-01T14:30:00.000+0000\"",
	kindLabels:    "an array of labels (strings without spaces)",
	kindStrings:   "an array of strings",
	kindSprint:    "a sprint id (a number)",
	kindNamed:     "a name (a string)",
	kindNamedList: "an array of names (strings)",
}

// Custom field type keys that decide the value shape.
const (
	cfPrefix  = "com.atlassian.jira.plugin.system.customfieldtypes:"
	cfSprint  = "com.pyxis.greenhopper.jira:gh-sprint"
	cfTextMax = 255
)

// fieldSpec is what value coercion needs to know about a field.
type fieldSpec struct {
	ID   string
	Name string
	// Type and Items are the field's schema type ("string", "number",
	// "option", "array", "user", "date", "datetime", …) and, for arrays,
	// the element type.
	Type  string
	Items string
	// Custom is the custom field type key; empty for system fields.
	Custom string
	// Allowed are the option values or names the field accepts, when known.
	Allowed []string
}

func fieldSpecFromMeta(m *schema.FieldMeta) fieldSpec {
	return fieldSpec{ID: m.ID, Name: m.Name, Type: m.Type, Items: m.Items, Custom: m.Custom, Allowed: m.AllowedValues}
}

func fieldSpecFromSite(f *schema.Field) fieldSpec {
	return fieldSpec{ID: f.ID, Name: f.Name, Type: f.Type, Items: f.Items, Custom: f.CustomType}
}

// label names the field for messages: "Severity (customfield_10030)".
func (f fieldSpec) label() string {
	if f.Name == "" || f.Name == f.ID {
		return f.ID
	}
	return f.Name + " (" + f.ID + ")"
}

// kind classifies the field by its custom type key, then its schema type.
func (f fieldSpec) kind() valueKind {
	switch f.Custom {
	case cfPrefix + "textarea":
		return kindTextArea
	case cfPrefix + "textfield", cfPrefix + "url", cfPrefix + "readonlyfield":
		return kindString
	case cfPrefix + "float":
		return kindNumber
	case cfPrefix + "select", cfPrefix + "radiobuttons":
		return kindOption
	case cfPrefix + "multiselect", cfPrefix + "multicheckboxes":
		return kindOptions
	case cfPrefix + "userpicker":
		return kindUser
	case cfPrefix + "multiuserpicker":
		return kindUsers
	case cfPrefix + "datepicker":
		return kindDate
	case cfPrefix + "datetime":
		return kindDateTime
	case cfPrefix + "labels":
		return kindLabels
	case cfSprint:
		return kindSprint
	}
	switch f.ID {
	case "description", "environment":
		return kindTextArea
	case "labels":
		return kindLabels
	}
	switch f.Type {
	case "string":
		return kindString
	case "number":
		return kindNumber
	case "option":
		return kindOption
	case "user":
		return kindUser
	case "date":
		return kindDate
	case "datetime":
		return kindDateTime
	case "priority", "resolution", "securitylevel":
		return kindNamed
	case "array":
		switch f.Items {
		case "option":
			return kindOptions
		case "user":
			return kindUsers
		case "string":
			return kindStrings
		case "component", "version":
			return kindNamedList
		}
	}
	return kindRaw
}

// nameResolvers turn names in field values into ids: users into account
// ids, sprint names into sprint ids. A nil resolver passes names through
// (users) or refuses them (sprints).
type nameResolvers struct {
	User   func(ctx context.Context, param, who string) (string, error)
	Sprint func(ctx context.Context, param string, f fieldSpec, name string) (int64, error)
}

// coercion is one value being shaped for a field: what a per-kind coercer
// needs besides the value itself.
type coercion struct {
	ctx     context.Context
	param   string // the value's name in errors ("customFields.Severity")
	f       fieldSpec
	kind    valueKind
	resolve nameResolvers
}

// wrong is the error for v, a value of the wrong type: it says what the
// field takes and, for option and name fields, what is allowed.
func (c *coercion) wrong(v any) error {
	msg := fmt.Sprintf("%s takes %s, not %s", c.f.label(), kindNames[c.kind], describeJSON(v))
	switch c.kind {
	case kindOption, kindOptions, kindNamed, kindNamedList:
		if len(c.f.Allowed) > 0 {
			msg += "; allowed: " + joinCapped(c.f.Allowed, 20)
		}
	}
	return argErrorf(c.param, "%s", msg)
}

// coercer shapes a non-null value for one kind of field.
type coercer func(c *coercion, v any) (any, error)

// coercers shape values by field kind; every kind in kindNames has one.
var coercers = map[valueKind]coercer{
	kindRaw:       coerceRaw,
	kindString:    coerceString,
	kindTextArea:  coerceTextArea,
	kindNumber:    coerceNumber,
	kindOption:    coerceOption,
	kindOptions:   coerceOptions,
	kindUser:      coerceUsers,
	kindUsers:     coerceUsers,
	kindDate:      coerceDate,
	kindDateTime:  coerceDateTime,
	kindLabels:    coerceStrings,
	kindStrings:   coerceStrings,
	kindSprint:    coerceSprint,
	kindNamed:     coerceNamed,
	kindNamedList: coerceNamedList,
}

// coerceValue shapes v (a decoded JSON value) for field f. param names the
// value in errors ("customFields.Severity"). null clears a field and stays
// null. Values of the wrong type are errors that say what the field takes.
func coerceValue(ctx context.Context, param string, f fieldSpec, v any, resolve nameResolvers) (any, error) {
	if v == nil {
		return nil, nil
	}
	c := &coercion{ctx: ctx, param: param, f: f, kind: f.kind(), resolve: resolve}
	coerce, ok := coercers[c.kind]
	if !ok {
		return v, nil
	}
	return coerce(c, v)
}

// coerceRaw passes a value in Jira's own shape through.
func coerceRaw(_ *coercion, v any) (any, error) { return v, nil }

// coerceString takes single-line text; a custom text field refuses line
// breaks and holds at most cfTextMax characters.
func coerceString(c *coercion, v any) (any, error) {
	s, ok := scalarString(v)
	if !ok {
		return nil, c.wrong(v)
	}
	if strings.ContainsAny(s, "\r\n") && c.f.Custom != "" {
		return nil, argErrorf(c.param, "%s is a single-line text field; remove the line breaks", c.f.label())
	}
	if c.f.Custom != "" && len([]rune(s)) > cfTextMax {
		return nil, argErrorf(c.param, "%s holds at most %d characters; got %d", c.f.label(), cfTextMax, len([]rune(s)))
	}
	return s, nil
}

// coerceTextArea converts markdown to ADF.
func coerceTextArea(c *coercion, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, c.wrong(v)
	}
	return markdownParamToADF(c.param, s)
}

// coerceNumber takes a number or a number written as text.
func coerceNumber(c *coercion, v any) (any, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case string:
		x, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, c.wrong(v)
		}
		return x, nil
	}
	return nil, c.wrong(v)
}

// coerceOption takes one option (a one-element array is unwrapped).
func coerceOption(c *coercion, v any) (any, error) {
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		v = arr[0]
	}
	o, ok := optionValue(c.f, v)
	if !ok {
		return nil, c.wrong(v)
	}
	return checkAllowed(c.param, c.f, o)
}

// coerceOptions takes a list of options (a scalar is a list of one); an
// empty list clears the field.
func coerceOptions(c *coercion, v any) (any, error) {
	var out []any
	for _, item := range asList(v) {
		o, ok := optionValue(c.f, item)
		if !ok {
			return nil, c.wrong(v)
		}
		o, err := checkAllowed(c.param, c.f, o)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// coerceUsers takes a user (kindUser) or a list of users (kindUsers), each
// a name, an email or an account id the User resolver turns into an
// account id, or {"accountId": …}.
func coerceUsers(c *coercion, v any) (any, error) {
	items := []any{v}
	if c.kind == kindUsers {
		items = asList(v)
	}
	out := []any{}
	for _, item := range items {
		var id string
		switch u := item.(type) {
		case string:
			if c.resolve.User == nil {
				id = u
				break
			}
			var err error
			if id, err = c.resolve.User(c.ctx, c.param, u); err != nil {
				return nil, err
			}
		case map[string]any:
			s, ok := u["accountId"].(string)
			if !ok || s == "" {
				return nil, c.wrong(v)
			}
			id = s
		default:
			return nil, c.wrong(v)
		}
		out = append(out, map[string]any{"accountId": id})
	}
	if c.kind == kindUser {
		return out[0], nil
	}
	return out, nil
}

// coerceDate takes "YYYY-MM-DD".
func coerceDate(c *coercion, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, c.wrong(v)
	}
	d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		hint := ""
		if alt := unambiguousDate(s); alt != "" {
			hint = fmt.Sprintf("; did you mean %q?", alt)
		}
		return nil, argErrorf(c.param, "%s takes a date \"YYYY-MM-DD\", not %q%s", c.f.label(), clip(s, 40), hint)
	}
	return d.Format("2006-01-02"), nil
}

// unambiguousDate reads a date written another common way as YYYY-MM-DD:
// 2026/12/31, 2026.12.31, 31 Dec 2026, Dec 31, 2026, or day and month
// with "/", "." or "-" when only one order is a date (31/12/2026,
// 12/31/2026). It returns "" otherwise (3/4/2026 could be either).
func unambiguousDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006/1/2", "2006.1.2", "2 Jan 2006", "2 January 2006", "Jan 2, 2006", "January 2, 2006", "Jan 2 2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format("2006-01-02")
		}
	}
	var found []string
	for _, layout := range []string{"2/1/2006", "1/2/2006", "2.1.2006", "1.2.2006", "2-1-2006", "1-2-2006"} {
		if d, err := time.Parse(layout, s); err == nil && !slices.Contains(found, d.Format("2006-01-02")) {
			found = append(found, d.Format("2006-01-02"))
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	return ""
}

// coerceDateTime takes any of dateTimeLayouts and writes Jira's layout.
func coerceDateTime(c *coercion, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, c.wrong(v)
	}
	t, ok := parseDateTime(s)
	if !ok {
		return nil, argErrorf(c.param, "%s takes %s, not %q", c.f.label(), kindNames[c.kind], clip(s, 40))
	}
	return t.Format(atlassian.JiraTimeLayout), nil
}

// coerceStrings takes a list of strings (a scalar is a list of one);
// labels are also checked as Jira checks them.
func coerceStrings(c *coercion, v any) (any, error) {
	var out []string
	for _, item := range asList(v) {
		s, ok := item.(string)
		if !ok {
			return nil, c.wrong(v)
		}
		out = append(out, s)
	}
	if c.kind == kindLabels {
		return checkLabels(c.param, out)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// coerceSprint takes a sprint id, or a sprint name the Sprint resolver
// finds (a one-element array is unwrapped).
func coerceSprint(c *coercion, v any) (any, error) {
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		v = arr[0]
	}
	var id float64
	switch n := v.(type) {
	case float64:
		id = n
	case string:
		x, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil {
			if c.resolve.Sprint == nil {
				return nil, argErrorf(c.param, "%s takes a sprint id (a number such as 4), not the name %q; sprint names are not resolved here. "+
					"Find the id in the Sprint field of an issue in that sprint (atlassian_jira_get_issue)", c.f.label(), clip(n, 60))
			}
			if x, err = c.resolve.Sprint(c.ctx, c.param, c.f, strings.TrimSpace(n)); err != nil {
				return nil, err
			}
		}
		id = float64(x)
	default:
		return nil, c.wrong(v)
	}
	if id <= 0 || id != math.Trunc(id) || id > 1<<53 {
		return nil, argErrorf(c.param, "%s takes a positive whole sprint id, not %v", c.f.label(), v)
	}
	return int64(id), nil
}

// coerceNamed takes a name (priority, resolution, …) as {"name": …}; an
// object passes through.
func coerceNamed(c *coercion, v any) (any, error) {
	if m, ok := v.(map[string]any); ok {
		return m, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, c.wrong(v)
	}
	name, err := checkAllowed(c.param, c.f, s)
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": name}, nil
}

// coerceNamedList takes a list of names (components, versions) as
// [{"name": …}, …]; objects pass through.
func coerceNamedList(c *coercion, v any) (any, error) {
	out := []any{}
	for _, item := range asList(v) {
		switch x := item.(type) {
		case string:
			name, err := checkAllowed(c.param, c.f, x)
			if err != nil {
				return nil, err
			}
			out = append(out, map[string]any{"name": name})
		case map[string]any:
			out = append(out, x)
		default:
			return nil, c.wrong(v)
		}
	}
	return out, nil
}

// optionValue reads an option given as "Value", {"value": "Value"} or
// {"id": "10100"}; the result is the option name (string) or the object to
// send.
func optionValue(f fieldSpec, v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case map[string]any:
		if s, ok := x["value"].(string); ok && len(x) == 1 {
			return s, true
		}
		if _, ok := x["id"]; ok {
			return x, true
		}
		if _, ok := x["value"]; ok {
			return x, true // e.g. a cascading select {"value", "child"}
		}
	}
	return nil, false
}

// checkAllowed matches an option or name case-insensitively against the
// field's allowed values when they are known and returns the canonical
// spelling, as {"value": …} for options and as the plain name otherwise.
func checkAllowed(param string, f fieldSpec, v any) (any, error) {
	s, isName := v.(string)
	if !isName {
		return v, nil
	}
	s = strings.TrimSpace(s)
	if len(f.Allowed) > 0 {
		i := slices.IndexFunc(f.Allowed, func(a string) bool { return strings.EqualFold(a, s) })
		if i < 0 {
			return nil, argErrorf(param, "%q is not an allowed value of %s%s%s", clip(s, 60), f.label(), optionSuggestion(s, f.Allowed), joinCapped(f.Allowed, 20))
		}
		s = f.Allowed[i]
	}
	switch f.kind() {
	case kindOption, kindOptions:
		return map[string]any{"value": s}, nil
	}
	return s, nil
}

// asList treats a scalar as a one-element list.
func asList(v any) []any {
	if arr, ok := v.([]any); ok {
		return arr
	}
	return []any{v}
}

// scalarString accepts a string, or a number or boolean written as text
// (a "Customer id" text field given 12345).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// dateTimeLayouts are the date-time forms accepted from callers.
var dateTimeLayouts = []string{
	time.RFC3339Nano,
	atlassian.JiraTimeLayout,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDateTime parses a caller's date-time; without an offset it is UTC.
func parseDateTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range dateTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// describeJSON names a decoded JSON value's type for errors.
func describeJSON(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", clip(x, 40))
	case float64:
		return "the number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// joinCapped joins up to max items and counts the rest.
func joinCapped(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" (and %d more)", len(items)-max)
}

// fieldSource finds the field a customFields key names and what it
// accepts, from the best information there is: the create screen of the
// issue type (create), the snapshot's site fields with allowed values from
// the project's create screens (update), or nothing (no snapshot: ids
// only, values passed through).
type fieldSource struct {
	snap *schema.Snapshot
	// screen is the create screen when known (create); nil otherwise.
	screen []*schema.FieldMeta
	// screenName names the screen for errors: "the create screen of ENG Bug".
	screenName string
	// project narrows allowed values on update (the issue's project).
	project *schema.Project
}

// lookup resolves key, the name of a customFields entry.
func (s fieldSource) lookup(key string) (fieldSpec, error) {
	param := "customFields." + key
	key = strings.TrimSpace(key)
	if key == "" {
		return fieldSpec{}, argErrorf("customFields", "has an empty field name")
	}
	key = schema.FieldRef(key)
	if s.screen != nil {
		var found []*schema.FieldMeta
		for _, m := range s.screen {
			if m.ID == key {
				found = []*schema.FieldMeta{m}
				break
			}
			if fold(m.Name) == fold(key) {
				found = append(found, m)
			}
		}
		switch len(found) {
		case 1:
			return fieldSpecFromMeta(found[0]), nil
		case 0:
		default:
			var ids []string
			for _, m := range found {
				ids = append(ids, fieldSpecFromMeta(m).label())
			}
			return fieldSpec{}, argErrorf(param, "several fields on %s are named %q: %s; name it by id", s.screenName, key, strings.Join(ids, ", "))
		}
		if s.snap != nil {
			if f, err := s.snap.Field(key); err == nil {
				// An id in another case ("dueDate") or a name the screen
				// spells differently names a field that is there.
				if i := slices.IndexFunc(s.screen, func(m *schema.FieldMeta) bool { return m.ID == f.ID }); i >= 0 {
					return fieldSpecFromMeta(s.screen[i]), nil
				}
				return fieldSpec{}, argErrorf(param, "%s is not on %s, so Jira would refuse it; fields there: %s",
					fieldSpecFromSite(f).label(), s.screenName, joinCapped(screenLabels(s.screen, key), 25))
			}
		}
		return fieldSpec{}, argErrorf(param, "unknown field %q on %s; fields there: %s", key, s.screenName,
			joinCapped(screenLabels(s.screen, key), 25))
	}
	if s.snap != nil && s.snap.Jira != nil && len(s.snap.Jira.Fields) > 0 {
		f, err := s.snap.Field(key)
		if err != nil {
			var le *schema.LookupError
			if errors.As(err, &le) && !le.Ambiguous {
				le.Valid = rankByLikeness(le.Valid, key)
			}
			return fieldSpec{}, err
		}
		out := fieldSpecFromSite(f)
		if s.project != nil {
			for _, t := range s.project.IssueTypes {
				for _, m := range t.Fields {
					if m.ID == f.ID && len(m.AllowedValues) > 0 {
						out.Allowed = m.AllowedValues
					}
				}
			}
		}
		return out, nil
	}
	if schema.IsFieldID(key) {
		return fieldSpec{ID: key, Name: key}, nil
	}
	return fieldSpec{}, argErrorf(param, "the site's fields are not known yet (schema discovery has not finished), so fields cannot be named "+
		"by display name; use the field id, e.g. \"customfield_10016\"")
}

// screenLabels lists a screen's settable fields, those most like key
// first, leaving out the ones the tool sets through its own parameters.
func screenLabels(screen []*schema.FieldMeta, key string) []string {
	var out []string
	for _, m := range screen {
		switch m.ID {
		case "project", "issuetype", "summary", "reporter", "issuelinks":
			continue
		}
		out = append(out, fieldSpecFromMeta(m).label())
	}
	return rankByLikeness(out, key)
}

// rankByLikeness orders names so that those sharing a word (or a word
// prefix) with key come first, keeping the order otherwise.
func rankByLikeness(names []string, key string) []string {
	words := strings.Fields(fold(strings.NewReplacer("_", " ", "-", " ").Replace(key)))
	score := func(n string) int {
		n = fold(n)
		s := 0
		for _, w := range words {
			if len(w) >= 3 && strings.Contains(n, w[:3]) {
				s++
			}
		}
		return s
	}
	out := slices.Clone(names)
	slices.SortStableFunc(out, func(a, b string) int { return score(b) - score(a) })
	return out
}

// nameErrorFields rewrites the field keys of a Jira 400's errors map as
// "Name (id)" so the caller sees which field a message is about.
func nameErrorFields(err error, names func(id string) string) error {
	var api *atlassian.APIError
	if !errors.As(err, &api) || len(api.Errors) == 0 {
		return err
	}
	cp := *api
	cp.Errors = make(map[string]string, len(api.Errors))
	for id, msg := range api.Errors {
		key := id
		if n := names(id); n != "" && n != id {
			key = n + " (" + id + ")"
		}
		cp.Errors[key] = msg
	}
	return &cp
}

// snapshotFieldNames names field ids from the snapshot (nil-safe).
func snapshotFieldNames(snap *schema.Snapshot) func(string) string {
	return func(id string) string {
		if snap == nil {
			return ""
		}
		if f, err := snap.Field(id); err == nil {
			return f.Name
		}
		return ""
	}
}

// nameResolvers returns the resolvers the write tools use: users through
// the user search (any user of the site), sprints through a one-issue JQL
// search.
func (d *Deps) nameResolvers() nameResolvers {
	return nameResolvers{
		User: func(ctx context.Context, param, who string) (string, error) {
			u, err := d.resolveUser(ctx, param, who, userScope{})
			return u.AccountID, err
		},
		Sprint: d.resolveSprint,
	}
}

// resolveSprint finds a sprint's id by name. Jira's REST API v3 has no
// sprint lookup (that is the Agile API), so it reads the sprint field of
// one issue in the sprint: a single search. A sprint no issue is in yet
// (a new future sprint) cannot be found this way.
func (d *Deps) resolveSprint(ctx context.Context, param string, f fieldSpec, name string) (int64, error) {
	notFound := func(why string) error {
		return argErrorf(param, "%s: no sprint named %q was found%s; give the sprint id (a number) instead. "+
			"Names resolve only for sprints that already hold an issue", f.label(), clip(name, 60), why)
	}
	if d.Jira == nil || len(name) > 255 {
		return 0, notFound("")
	}
	q := `sprint = "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	res, err := d.Jira.Search.JQL(ctx, &atlassian.SearchOptions{JQL: q, Fields: []string{f.ID}, MaxResults: 1})
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		var api *atlassian.APIError
		if errors.As(err, &api) && api.StatusCode == 400 {
			return 0, notFound(" (" + strings.Join(api.Messages(), "; ") + ")")
		}
		return 0, err
	}
	for _, is := range res.Issues {
		var sprints []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(is.Fields.Raw[f.ID], &sprints) != nil {
			continue
		}
		for _, sp := range sprints {
			if strings.EqualFold(strings.TrimSpace(sp.Name), name) && sp.ID > 0 {
				return sp.ID, nil
			}
		}
	}
	return 0, notFound("")
}

// optionSuggestion is "; did you mean \"Sev 1\"? Allowed: " when one
// allowed value is spelt like s ("Sev1", "api gateway") or, for a bare
// number, is the only one that ends in it ("1" for "Sev 1"); else
// "; allowed: ".
func optionSuggestion(s string, allowed []string) string {
	c := schema.Closest(s, allowed)
	if c == "" && s != "" && strings.Trim(s, "0123456789") == "" {
		for _, a := range allowed {
			if len(a) > len(s) && strings.HasSuffix(a, s) && !strings.ContainsAny(a[len(a)-len(s)-1:len(a)-len(s)], "0123456789") {
				if c != "" {
					return "; allowed: "
				}
				c = a
			}
		}
	}
	if c == "" {
		return "; allowed: "
	}
	return fmt.Sprintf("; did you mean %q? Allowed: ", c)
}
