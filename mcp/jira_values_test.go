package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// resolveUserByTable resolves users from a fixed directory, standing in for
// the user search (which the harness tests exercise against the sandbox).
func resolveUserByTable(_ context.Context, param, who string) (string, error) {
	dir := map[string]string{"priya raman": "5b10ac8d82e05b22cc7d4ef5", "sam.okafor@example.com": "5d53f3cbc6b9320d9ea5bdc2"}
	if id, ok := dir[strings.ToLower(who)]; ok {
		return id, nil
	}
	return "", argErrorf(param, "no user matches %q", who)
}

func TestCoerceValue(t *testing.T) {
	cf := func(typ, items, custom string, allowed ...string) fieldSpec {
		return fieldSpec{ID: "customfield_1", Name: "F", Type: typ, Items: items, Custom: custom, Allowed: allowed}
	}
	var (
		number    = cf("number", "", cfPrefix+"float")
		text      = cf("string", "", cfPrefix+"textfield")
		textarea  = cf("string", "", cfPrefix+"textarea")
		option    = cf("option", "", cfPrefix+"select", "Sev 1", "Sev 2")
		anyOption = cf("option", "", cfPrefix+"select")
		multi     = cf("array", "option", cfPrefix+"multiselect", "auth", "billing")
		user      = cf("user", "", cfPrefix+"userpicker")
		users     = cf("array", "user", cfPrefix+"multiuserpicker")
		date      = cf("date", "", cfPrefix+"datepicker")
		datetime  = cf("datetime", "", cfPrefix+"datetime")
		labels    = cf("array", "string", cfPrefix+"labels")
		sprint    = cf("array", "json", cfSprint)
		strs      = cf("array", "string", "")
		comps     = fieldSpec{ID: "components", Name: "Components", Type: "array", Items: "component", Allowed: []string{"Backend", "API"}}
		prio      = fieldSpec{ID: "priority", Name: "Priority", Type: "priority"}
		unknown   = cf("any", "", "com.example:thing")
		duedate   = fieldSpec{ID: "duedate", Name: "Due date", Type: "date"}
		desc      = fieldSpec{ID: "description", Name: "Description", Type: "string"}
	)
	tests := []struct {
		name    string
		field   fieldSpec
		in      string // JSON
		want    string // JSON, when no error
		wantErr string // substring of the error
	}{
		{"number", number, `3`, `3`, ""},
		{"number from numeric string", number, `"2.5"`, `2.5`, ""},
		{"number rejects words", number, `"lots"`, "", `takes a number, not the string "lots"`},
		{"number rejects bool", number, `true`, "", "takes a number, not a boolean"},
		{"text", text, `"ACME Corp"`, `"ACME Corp"`, ""},
		{"text from number", text, `12345`, `"12345"`, ""},
		{"text rejects array", text, `["a"]`, "", "takes a string, not an array"},
		{"text is one line", text, `"a\nb"`, "", "single-line"},
		{"text length", text, `"` + strings.Repeat("x", 256) + `"`, "", "at most 255"},
		{"textarea is ADF", textarea, `"**bold**"`, `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"bold","marks":[{"type":"strong"}]}]}]}`, ""},
		{"textarea rejects number", textarea, `4`, "", "takes markdown text"},
		{"description is ADF", desc, `"hi"`, `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}`, ""},
		{"option canonical case", option, `"sev 1"`, `{"value":"Sev 1"}`, ""},
		{"option object", option, `{"value":"Sev 2"}`, `{"value":"Sev 2"}`, ""},
		{"option by id passes", option, `{"id":"10200"}`, `{"id":"10200"}`, ""},
		{"option one-element array", option, `["Sev 2"]`, `{"value":"Sev 2"}`, ""},
		{"option not allowed", option, `"Sev 9"`, "", `"Sev 9" is not an allowed value of F (customfield_1); allowed: Sev 1, Sev 2`},
		{"option without allowed list", anyOption, `"Anything"`, `{"value":"Anything"}`, ""},
		{"option rejects bool", option, `false`, "", "allowed: Sev 1, Sev 2"},
		{"multi option", multi, `["Auth","billing"]`, `[{"value":"auth"},{"value":"billing"}]`, ""},
		{"multi option scalar", multi, `"auth"`, `[{"value":"auth"}]`, ""},
		{"multi option empty clears", multi, `[]`, `[]`, ""},
		{"multi option bad", multi, `["auth","search"]`, "", `"search" is not an allowed value`},
		{"user by name", user, `"Priya Raman"`, `{"accountId":"5b10ac8d82e05b22cc7d4ef5"}`, ""},
		{"user object", user, `{"accountId":"abc"}`, `{"accountId":"abc"}`, ""},
		{"user unknown", user, `"Nobody"`, "", `no user matches "Nobody"`},
		{"user rejects number", user, `5`, "", "takes a user"},
		{"users", users, `["Priya Raman","sam.okafor@example.com"]`, `[{"accountId":"5b10ac8d82e05b22cc7d4ef5"},{"accountId":"5d53f3cbc6b9320d9ea5bdc2"}]`, ""},
		{"date", date, `"2026-12-01"`, `"2026-12-01"`, ""},
		{"date wrong format", date, `"01/12/2026"`, "", `takes a date "YYYY-MM-DD"`},
		{"system date", duedate, `"2026-12-24"`, `"2026-12-24"`, ""},
		{"datetime RFC3339", datetime, `"2026-12-01T14:30:00Z"`, `"2026-12-01T14:30:00.000+0000"`, ""},
		{"datetime offset kept", datetime, `"2026-12-01T14:30:00+05:30"`, `"2026-12-01T14:30:00.000+0530"`, ""},
		{"datetime minutes", datetime, `"2026-12-01 09:15"`, `"2026-12-01T09:15:00.000+0000"`, ""},
		{"datetime bad", datetime, `"tomorrow"`, "", "takes a date-time"},
		{"labels", labels, `["a","b","a"]`, `["a","b"]`, ""},
		{"labels scalar", labels, `"solo"`, `["solo"]`, ""},
		{"labels with space", labels, `["two words"]`, "", `contains spaces`},
		{"labels not strings", labels, `[1]`, "", "takes an array of labels"},
		{"strings", strs, `["x y"]`, `["x y"]`, ""},
		{"sprint id", sprint, `4`, `4`, ""},
		{"sprint numeric string", sprint, `"7"`, `7`, ""},
		{"sprint name not resolved", sprint, `"ENG Sprint 24"`, "", "sprint names are not resolved"},
		{"sprint fraction", sprint, `4.5`, "", "positive whole sprint id"},
		{"components by name", comps, `["backend","API"]`, `[{"name":"Backend"},{"name":"API"}]`, ""},
		{"components unknown", comps, `["Mobile"]`, "", `"Mobile" is not an allowed value of Components (components); allowed: Backend, API`},
		{"priority by name", prio, `"High"`, `{"name":"High"}`, ""},
		{"unknown type passes through", unknown, `{"x":[1]}`, `{"x":[1]}`, ""},
		{"null clears", number, `null`, `null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in any
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			got, err := coerceValue(context.Background(), "customFields.F", tt.field, in, nameResolvers{User: resolveUserByTable})
			if tt.wantErr != "" {
				var ae *ArgError
				if err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, %v; want an ArgError containing %q", got, err, tt.wantErr)
				}
				if ae.Param != "customFields.F" {
					t.Errorf("error names parameter %q, want customFields.F", ae.Param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(got)
			if string(b) != tt.want {
				t.Fatalf("got %s, want %s", b, tt.want)
			}
		})
	}
}

func TestFieldKind(t *testing.T) {
	tests := []struct {
		f    fieldSpec
		want valueKind
	}{
		{fieldSpec{Type: "string", Custom: cfPrefix + "textarea"}, kindTextArea},
		{fieldSpec{Type: "string", Custom: cfPrefix + "url"}, kindString},
		{fieldSpec{Type: "number"}, kindNumber},
		{fieldSpec{Type: "array", Items: "option", Custom: cfPrefix + "multicheckboxes"}, kindOptions},
		{fieldSpec{Type: "option", Custom: cfPrefix + "radiobuttons"}, kindOption},
		{fieldSpec{ID: "labels", Type: "array", Items: "string"}, kindLabels},
		{fieldSpec{ID: "environment", Type: "string"}, kindTextArea},
		{fieldSpec{ID: "fixVersions", Type: "array", Items: "version"}, kindNamedList},
		{fieldSpec{Type: "array", Items: "json", Custom: cfSprint}, kindSprint},
		{fieldSpec{Type: "issuelink"}, kindRaw},
	}
	for _, tt := range tests {
		if got := tt.f.kind(); got != tt.want {
			t.Errorf("%+v: kind %d, want %d", tt.f, got, tt.want)
		}
	}
}

// Every value kind says what it takes and has a coercer, so a kind added
// to the enum cannot silently pass values through unshaped.
func TestCoercersCoverEveryKind(t *testing.T) {
	for k := kindRaw; k <= kindNamedList; k++ {
		if kindNames[k] == "" {
			t.Errorf("kind %d has no entry in kindNames", k)
		}
		if coercers[k] == nil {
			t.Errorf("kind %d (%s) has no coercer", k, kindNames[k])
		}
	}
	if len(coercers) != len(kindNames) {
		t.Errorf("%d coercers for %d kinds", len(coercers), len(kindNames))
	}
}

func TestParseTimeSpent(t *testing.T) {
	tests := []struct {
		in, want string
		secs     int64
		wantErr  string
	}{
		{"2h 30m", "2h 30m", 9000, ""},
		{"2h30m", "2h 30m", 9000, ""},
		{" 1D ", "1d", 28800, ""},
		{"1w 2d", "1w 2d", 5*28800 + 2*28800, ""},
		{"1.5h", "1.5h", 5400, ""},
		{"45", "45m", 2700, ""},
		{"2 hours", "", 0, "not a Jira duration"},
		{"2h 3", "", 0, "every part needs a unit"},
		{"1h 1h", "", 0, "a unit appears twice"},
		{"30s", "", 0, "not a Jira duration"},
		{"0m", "", 0, "at least one minute"},
		{"-1h", "", 0, "not a Jira duration"},
		{"", "", 0, "is required"},
		{"99999w", "", 0, "ten years"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, secs, err := parseTimeSpent(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "parameter timeSpent: ") {
					t.Fatalf("got %q, %v; want error with %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || secs != tt.secs {
				t.Fatalf("got %q %d %v, want %q %d", got, secs, err, tt.want, tt.secs)
			}
		})
	}
}

func FuzzParseTimeSpent(f *testing.F) {
	for _, s := range []string{"2h 30m", "1d", "45", "1.5h", "2h30m", "1w 2d 3h 4m", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, secs, err := parseTimeSpent(s)
		if err != nil {
			return
		}
		// A normalised duration parses again to itself and the same length.
		again, secs2, err := parseTimeSpent(norm)
		if err != nil || again != norm || secs2 != secs || secs < 60 {
			t.Fatalf("%q → %q (%d) → %q (%d), %v", s, norm, secs, again, secs2, err)
		}
	})
}

func TestCheckIssueKey(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"ENG-12", "ENG-12", ""},
		{" eng-12 ", "ENG-12", ""},
		{"10001", "10001", ""},
		{"", "", "is required"},
		{"ENG", "", "is not an issue key"},
		{"ENG-12/../x", "", "is not an issue key"},
		{"ENG 12", "", "is not an issue key"},
	}
	for _, tt := range tests {
		got, err := checkIssueKey("issueKey", tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: got %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMatchTransition(t *testing.T) {
	ts := []atlassian.Transition{
		{ID: "11", Name: "Start Progress", To: &atlassian.Status{Name: "In Progress"}},
		{ID: "21", Name: "Done", To: &atlassian.Status{Name: "Done"}},
		{ID: "31", Name: "Ship it", To: &atlassian.Status{Name: "Released"}},
	}
	tests := []struct{ in, want string }{
		{"start progress", "11"},
		{"In  Progress", "11"}, // by target status, spaces folded
		{"DONE", "21"},
		{"released", "31"},
		{"In Review", ""},
	}
	for _, tt := range tests {
		got := matchTransition(ts, tt.in)
		id := ""
		if got != nil {
			id = got.ID
		}
		if id != tt.want {
			t.Errorf("%q matched %q, want %q", tt.in, id, tt.want)
		}
	}
}

func TestFieldSourceLookup(t *testing.T) {
	snap := &schema.Snapshot{Jira: &schema.Jira{
		Fields: []*schema.Field{
			{ID: "customfield_10016", Name: "Story Points", Custom: true, Type: "number", CustomType: cfPrefix + "float"},
			{ID: "customfield_10030", Name: "Severity", Custom: true, Type: "option", CustomType: cfPrefix + "select"},
			{ID: "customfield_10040", Name: "Team", Custom: true, Type: "option"},
			{ID: "customfield_10041", Name: "Team", Custom: true, Type: "string"},
			{ID: "duedate", Name: "Due date", Type: "date"},
		},
		Projects: []*schema.Project{{Key: "OPS", IssueTypes: []*schema.IssueType{{ID: "1", Name: "Incident", Fields: []*schema.FieldMeta{
			{ID: "customfield_10030", Name: "Severity", Type: "option", AllowedValues: []string{"Sev 1", "Sev 2"}},
		}}}}},
	}}
	screen := []*schema.FieldMeta{
		{ID: "summary", Name: "Summary"},
		{ID: "customfield_10016", Name: "Story Points", Type: "number", Custom: cfPrefix + "float"},
	}
	t.Run("screen by name", func(t *testing.T) {
		f, err := fieldSource{snap: snap, screen: screen, screenName: "S"}.lookup("story points")
		if err != nil || f.ID != "customfield_10016" || f.kind() != kindNumber {
			t.Fatalf("%+v %v", f, err)
		}
	})
	t.Run("screen by cf[] id", func(t *testing.T) {
		f, err := fieldSource{snap: snap, screen: screen, screenName: "S"}.lookup("cf[10016]")
		if err != nil || f.ID != "customfield_10016" {
			t.Fatalf("%+v %v", f, err)
		}
	})
	t.Run("site field not on screen", func(t *testing.T) {
		_, err := fieldSource{snap: snap, screen: screen, screenName: "the create screen of ENG Bug"}.lookup("Severity")
		if err == nil || !strings.Contains(err.Error(), "Severity (customfield_10030) is not on the create screen of ENG Bug") {
			t.Fatal(err)
		}
	})
	t.Run("unknown on screen lists the screen, likest first", func(t *testing.T) {
		_, err := fieldSource{snap: snap, screen: screen, screenName: "S"}.lookup("Story")
		if err == nil || !strings.Contains(err.Error(), `unknown field "Story" on S; fields there: Story Points (customfield_10016)`) {
			t.Fatal(err)
		}
	})
	t.Run("update: allowed values from the project", func(t *testing.T) {
		f, err := fieldSource{snap: snap, project: snap.Jira.Projects[0]}.lookup("Severity")
		if err != nil || strings.Join(f.Allowed, ",") != "Sev 1,Sev 2" {
			t.Fatalf("%+v %v", f, err)
		}
	})
	t.Run("update: ambiguous name lists ids", func(t *testing.T) {
		_, err := (fieldSource{snap: snap}).lookup("Team")
		var le *schema.LookupError
		if !errors.As(err, &le) || !le.Ambiguous || !strings.Contains(err.Error(), "customfield_10041") {
			t.Fatal(err)
		}
	})
	t.Run("update: system field by name", func(t *testing.T) {
		f, err := (fieldSource{snap: snap}).lookup("Due date")
		if err != nil || f.ID != "duedate" || f.kind() != kindDate {
			t.Fatalf("%+v %v", f, err)
		}
	})
	t.Run("no snapshot: ids only", func(t *testing.T) {
		f, err := (fieldSource{}).lookup("customfield_10016")
		if err != nil || f.ID != "customfield_10016" || f.kind() != kindRaw {
			t.Fatalf("%+v %v", f, err)
		}
		if _, err := (fieldSource{}).lookup("Story Points"); err == nil || !strings.Contains(err.Error(), "use the field id") {
			t.Fatal(err)
		}
	})
}

func TestNameErrorFields(t *testing.T) {
	api := &atlassian.APIError{StatusCode: 400, Errors: map[string]string{"customfield_10030": "Severity is required.", "x": "bad"}}
	err := nameErrorFields(api, func(id string) string {
		if id == "customfield_10030" {
			return "Severity"
		}
		return ""
	})
	got := describeError(err)
	if !strings.Contains(got, "Severity (customfield_10030): Severity is required.") || !strings.Contains(got, "x: bad") {
		t.Fatal(got)
	}
	if _, ok := api.Errors["Severity (customfield_10030)"]; ok {
		t.Fatal("the original error was changed")
	}
}

// FuzzCoerceValue feeds arbitrary JSON values to every field kind: coercion
// never panics, and what it returns encodes as JSON.
func FuzzCoerceValue(f *testing.F) {
	for _, s := range []string{`3`, `"Sev 1"`, `["a","b"]`, `{"value":"x"}`, `{"id":"1"}`, `null`, `"2026-12-01"`,
		`"2026-12-01T10:00:00Z"`, `[{"accountId":"a"}]`, `"**md**"`, `true`, `[[1]]`, `"ENG Sprint 24"`, `4.5`} {
		f.Add(s, uint8(0))
	}
	fields := []fieldSpec{
		{ID: "customfield_1", Type: "number", Custom: cfPrefix + "float"},
		{ID: "customfield_2", Type: "string", Custom: cfPrefix + "textfield"},
		{ID: "customfield_3", Type: "string", Custom: cfPrefix + "textarea"},
		{ID: "customfield_4", Type: "option", Custom: cfPrefix + "select", Allowed: []string{"Sev 1", "x"}},
		{ID: "customfield_5", Type: "array", Items: "option", Custom: cfPrefix + "multiselect"},
		{ID: "customfield_6", Type: "user", Custom: cfPrefix + "userpicker"},
		{ID: "customfield_7", Type: "array", Items: "user", Custom: cfPrefix + "multiuserpicker"},
		{ID: "customfield_8", Type: "date", Custom: cfPrefix + "datepicker"},
		{ID: "customfield_9", Type: "datetime", Custom: cfPrefix + "datetime"},
		{ID: "customfield_10", Type: "array", Items: "string", Custom: cfPrefix + "labels"},
		{ID: "customfield_11", Type: "array", Items: "json", Custom: cfSprint},
		{ID: "components", Type: "array", Items: "component", Allowed: []string{"API"}},
		{ID: "priority", Type: "priority"},
		{ID: "customfield_12", Type: "any"},
	}
	f.Fuzz(func(t *testing.T, raw string, which uint8) {
		var v any
		if json.Unmarshal([]byte(raw), &v) != nil {
			return
		}
		fld := fields[int(which)%len(fields)]
		out, err := coerceValue(context.Background(), "customFields.x", fld, v, nameResolvers{User: resolveUserByTable})
		if err != nil {
			var ae *ArgError
			if !errors.As(err, &ae) {
				t.Fatalf("%s %s: error %v is not an ArgError", fld.ID, raw, err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("%s %s: result %#v does not encode: %v", fld.ID, raw, out, err)
		}
	})
}
