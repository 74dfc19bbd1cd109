package jql

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func keysOf(issues []*Issue) []string {
	out := make([]string, len(issues))
	for i, is := range issues {
		out[i] = is.Key
	}
	return out
}

func rangeKeys(project string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, project+"-"+itoa(i))
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func join(lists ...[]string) []string { return slices.Concat(lists...) }

// search runs a query the way the sandbox does: parse, validate, filter, sort.
func search(t *testing.T, jql string, env *Env, issues []*Issue) []string {
	t.Helper()
	q, err := Parse(jql)
	if err != nil {
		t.Fatalf("Parse(%q): %v", jql, err)
	}
	if err := q.Validate(env); err != nil {
		t.Fatalf("Validate(%q): %v", jql, err)
	}
	var hits []*Issue
	for _, is := range issues {
		if q.Match(is, env) {
			hits = append(hits, is)
		}
	}
	q.Sort(hits, env)
	return keysOf(hits)
}

func TestMatch(t *testing.T) {
	env, issues := fixtureEnv(), fixtureIssues()
	ENG, OPS, MKT := rangeKeys("ENG", 1, 14), rangeKeys("OPS", 1, 8), rangeKeys("MKT", 1, 7)
	tests := []struct {
		jql  string
		want []string
	}{
		// project
		{"project = ENG", ENG},
		{`project = "Operations"`, OPS},
		{"project in (OPS, mkt)", join(OPS, MKT)},
		{"project != ENG", join(OPS, MKT)},
		{"project = 10002", MKT},
		// issue type
		{"issuetype = Bug", []string{"ENG-1", "ENG-3", "ENG-7", "ENG-8", "ENG-11", "ENG-13", "MKT-6"}},
		{"type in (Incident, Story)", []string{"OPS-1", "OPS-2", "OPS-5", "ENG-5", "ENG-10", "MKT-4", "MKT-7"}},
		{"issuetype in subTaskIssueTypes()", []string{"ENG-4", "OPS-7"}},
		{"issuetype in standardIssueTypes() AND project = OPS", []string{"OPS-1", "OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6", "OPS-8"}},
		// status and category
		{`status = "In Progress"`, []string{"ENG-2", "ENG-7", "ENG-14", "OPS-1", "OPS-5", "MKT-2"}},
		{`status in ("In Review", Done)`, []string{"ENG-5", "ENG-3", "ENG-8", "ENG-10", "OPS-2", "OPS-6", "MKT-3", "MKT-7"}},
		{`statusCategory = "In Progress"`, []string{"ENG-2", "ENG-7", "ENG-14", "ENG-5", "OPS-1", "OPS-5", "MKT-2"}},
		{"statusCategory = done", []string{"ENG-3", "ENG-8", "ENG-10", "OPS-2", "OPS-6", "MKT-3", "MKT-7"}},
		{"statusCategory != Done AND project = MKT", []string{"MKT-1", "MKT-2", "MKT-4", "MKT-5", "MKT-6"}},
		// priority, with ordering
		{"priority = Highest", []string{"ENG-3", "ENG-11", "OPS-1"}},
		{"priority > Medium", []string{"ENG-1", "ENG-7", "OPS-2", "MKT-2", "MKT-6", "ENG-3", "ENG-11", "OPS-1"}},
		{"priority <= Low", []string{"ENG-4", "ENG-10", "OPS-4", "OPS-6", "MKT-3", "ENG-6", "MKT-4"}},
		// users
		{"assignee = currentUser()", []string{"ENG-1", "ENG-3", "ENG-9", "ENG-14", "MKT-3", "MKT-6"}},
		{"assignee is EMPTY", []string{"ENG-4", "ENG-6", "ENG-12", "OPS-4", "MKT-4"}},
		{`assignee = "Bob Brown"`, []string{"ENG-2", "ENG-8", "ENG-13", "OPS-3", "OPS-6", "OPS-7", "MKT-5"}},
		{`assignee = "carol@example.com"`, []string{"ENG-5", "ENG-10", "OPS-5", "MKT-1", "MKT-2", "MKT-7"}},
		{"assignee != acc-dave AND project = OPS", []string{"OPS-3", "OPS-5", "OPS-6", "OPS-7"}},
		{"assignee not in (acc-alice, acc-bob) AND project = ENG", []string{"ENG-5", "ENG-7", "ENG-10", "ENG-11"}},
		{"assignee in (EMPTY, acc-dave) AND project = ENG", []string{"ENG-4", "ENG-6", "ENG-12", "ENG-7", "ENG-11"}},
		{"reporter = acc-dave", join([]string{"ENG-12"}, OPS)},
		{"creator = acc-carol", join([]string{"ENG-7"}, MKT)},
		{"watcher = currentUser()", []string{"ENG-1", "OPS-5"}},
		{"watcher = acc-bob", []string{"ENG-7"}},
		{"watchers > 1", []string{"ENG-1"}},
		// labels, components, versions
		{"labels = urgent", []string{"ENG-1", "ENG-11"}},
		{"labels in (launch, content)", []string{"MKT-1", "MKT-2", "MKT-6"}},
		{"labels is EMPTY AND project = MKT", []string{"MKT-4", "MKT-7"}},
		{"labels != backend AND project = ENG", []string{"ENG-2", "ENG-5", "ENG-9", "ENG-11"}},
		{"component = API", []string{"ENG-1", "ENG-7"}},
		{"component is not EMPTY", []string{"ENG-1", "ENG-7", "ENG-12", "OPS-8"}},
		{"fixVersion = 1.1", []string{"ENG-5", "ENG-10"}},
		{"fixVersion in releasedVersions()", []string{"ENG-3", "ENG-5", "ENG-10"}},
		{"fixVersion in unreleasedVersions(ENG)", []string{"ENG-9"}},
		{"fixVersion in releasedVersions(OPS)", nil},
		{"fixVersion = latestReleasedVersion(ENG)", []string{"ENG-5", "ENG-10"}},
		{`fixVersion = earliestUnreleasedVersion("Engineering")`, []string{"ENG-9"}},
		{"fixVersion is EMPTY AND project = ENG AND status = Done", []string{"ENG-8"}},
		{"issue in linkedIssues(ENG-1)", []string{"ENG-7"}},
		{`issue in linkedIssues(ENG-7, "is blocked by")`, []string{"ENG-1"}},
		{"issue in linkedIssues(ENG-7, blocks)", nil},
		{"issue in linkedIssues(ENG-3)", nil},
		{`issueLinkType = "relates to"`, []string{"ENG-2", "MKT-2"}},
		{"issueLinkType in (blocks, duplicates)", []string{"ENG-1"}},
		// parent and key
		{"parent = ENG-2", []string{"ENG-4"}},
		{"parent in (ENG-2, OPS-3)", []string{"ENG-4", "OPS-7"}},
		{"key = ENG-3", []string{"ENG-3"}},
		{"issuekey in (ENG-1, OPS-2, 30003)", []string{"ENG-1", "OPS-2", "MKT-3"}},
		{"key > ENG-11", []string{"ENG-12", "ENG-13", "ENG-14"}},
		{"key <= OPS-2", []string{"OPS-1", "OPS-2"}},
		{"id = 20005", []string{"OPS-5"}},
		{"issue in watchedIssues()", []string{"ENG-1", "OPS-5"}},
		// text
		{"summary ~ login", []string{"ENG-1", "ENG-9", "OPS-5"}},
		{`summary ~ "launch"`, []string{"MKT-1", "MKT-2"}},
		{`summary ~ "renew*"`, []string{"OPS-3", "OPS-7"}},
		{`summary ~ "certificates"`, []string{"OPS-3", "OPS-7"}},
		{`summary ~ "\"dark mode\""`, []string{"ENG-2", "ENG-4"}},
		{`summary ~ "mode dark"`, []string{"ENG-2", "ENG-4"}},
		{`summary ~ "\"mode dark\""`, nil},
		{`description ~ "crash"`, []string{"ENG-3", "ENG-13"}},
		{`comment ~ "timeouts"`, []string{"ENG-7"}},
		{"comment ~ rollback", []string{"OPS-5"}},
		{`text ~ "database"`, []string{"OPS-1"}},
		{`text ~ "onboarding users"`, []string{"ENG-10"}},
		{`text ~ "build"`, []string{"ENG-3", "OPS-2"}},
		{`text ~ "linux"`, []string{"ENG-6"}},
		{`summary ~ "search" OR description ~ "search"`, []string{"ENG-7", "ENG-13"}},
		{`summary !~ "launch" AND project = MKT`, []string{"MKT-3", "MKT-4", "MKT-5", "MKT-6", "MKT-7"}},
		{"environment is not EMPTY", []string{"ENG-6", "MKT-5"}},
		{"description is EMPTY AND project = OPS", []string{"OPS-2", "OPS-3", "OPS-4", "OPS-5", "OPS-6", "OPS-7", "OPS-8"}},
		{`summary ~ "c?v"`, []string{"ENG-5"}},
		{`text ~ "login -flaky"`, []string{"ENG-1", "OPS-5"}},
		{`text ~ "login NOT flaky"`, []string{"ENG-1", "OPS-5"}},
		{`text ~ "+login +flaky"`, []string{"ENG-9"}},
		{`text ~ "dark OR csv"`, []string{"ENG-2", "ENG-4", "ENG-5"}},
		{`summary ~ 'Renew TLS'`, []string{"OPS-3"}},
		{"summary ~ 500", []string{"ENG-11"}},
		{`text ~ "eu-west"`, []string{"OPS-1"}},
		{`text ~ "west-eu"`, nil},
		{`text ~ "api.example.com"`, []string{"OPS-7"}},
		{`comment ~ "verified" AND comment ~ "build"`, []string{"ENG-3"}},
		{`comment !~ "rollback"`, []string{"ENG-3", "ENG-7", "MKT-6"}},
		{`summary ~ "api\u002eexample"`, []string{"OPS-7"}},
		// dates
		{`created >= "2026-03-18"`, []string{"ENG-6", "ENG-11", "OPS-5"}},
		{`created = "2026-03-17"`, []string{"OPS-1"}},
		{`created < "2026/01/01"`, []string{"ENG-7", "OPS-6"}},
		{`created > "2026/03/18 09:00"`, []string{"ENG-11"}},
		{"created > -1d", []string{"ENG-6", "ENG-11", "OPS-5"}},
		{`created > "-4h"`, []string{"ENG-6", "ENG-11", "OPS-5"}},
		{`created > "-1d 2h"`, []string{"ENG-6", "ENG-11", "OPS-5"}},
		{`created > "-1d 9h"`, []string{"ENG-6", "ENG-11", "OPS-5", "OPS-1"}},
		{"updated >= -2w AND project = OPS", []string{"OPS-1", "OPS-3", "OPS-5", "OPS-7", "OPS-8"}},
		{"created >= startOfDay()", []string{"ENG-6", "ENG-11", "OPS-5"}},
		{"created >= startOfDay(-1) AND created < startOfDay()", []string{"OPS-1"}},
		{"created >= startOfWeek()", []string{"ENG-4", "ENG-6", "ENG-11", "OPS-1", "OPS-5", "MKT-6"}},
		{"created >= startOfMonth() AND project = MKT", []string{"MKT-1", "MKT-2", "MKT-5", "MKT-6"}},
		{"created < startOfYear()", []string{"ENG-7", "OPS-6"}},
		{"resolved >= startOfMonth(-1) AND resolved <= endOfMonth(-1)", []string{"ENG-8", "MKT-3"}},
		{"resolutiondate is not EMPTY AND project = ENG", []string{"ENG-3", "ENG-8", "ENG-10"}},
		{"updated > endOfDay(-1)", []string{"ENG-2", "ENG-6", "ENG-11", "OPS-5"}},
		{"due <= endOfWeek()", []string{"ENG-2", "ENG-5"}},
		{`due = "2026-03-18"`, []string{"ENG-5"}},
		{"duedate < now()", []string{"ENG-5"}},
		{"due is EMPTY AND project = MKT", []string{"MKT-2", "MKT-3", "MKT-4", "MKT-5", "MKT-6", "MKT-7"}},
		// resolution
		{"resolution = Unresolved AND project = OPS", []string{"OPS-1", "OPS-3", "OPS-4", "OPS-5", "OPS-7", "OPS-8"}},
		{`resolution = "Won't Do"`, []string{"ENG-8"}},
		{"resolution is not EMPTY AND project = MKT", []string{"MKT-3", "MKT-7"}},
		// sprints
		{"sprint in openSprints()", []string{"ENG-1", "ENG-2", "ENG-14"}},
		{"sprint in closedSprints()", []string{"ENG-1", "ENG-3"}},
		{"sprint in futureSprints()", []string{"ENG-4"}},
		{"sprint = 1", []string{"ENG-1", "ENG-3"}},
		{`sprint = "ENG Sprint 2"`, []string{"ENG-1", "ENG-2", "ENG-14"}},
		{"sprint is EMPTY AND project = ENG", []string{"ENG-5", "ENG-6", "ENG-7", "ENG-8", "ENG-9", "ENG-10", "ENG-11", "ENG-12", "ENG-13"}},
		{"cf[10020] in openSprints()", []string{"ENG-1", "ENG-2", "ENG-14"}},
		// custom fields
		{`"Story Points" > 3`, []string{"ENG-2", "ENG-3", "ENG-7", "ENG-14"}},
		{"cf[10016] = 3", []string{"ENG-1", "ENG-10"}},
		{`"story points" is EMPTY AND project = ENG`, []string{"ENG-4", "ENG-6", "ENG-8", "ENG-9", "ENG-11", "ENG-12", "ENG-13"}},
		{"Team = Platform", []string{"ENG-1", "ENG-14"}},
		{"Team in (Web, SRE)", []string{"ENG-2", "OPS-1"}},
		{`"Release Notes" ~ checklist`, []string{"ENG-10"}},
		{`"Go Live" = "2026-04-01"`, []string{"ENG-11"}},
		{"Reviewer = currentUser()", []string{"ENG-11"}},
		// precedence and negation
		{"project = MKT AND status = Done OR priority = Highest", []string{"MKT-3", "MKT-7", "ENG-3", "ENG-11", "OPS-1"}},
		{"project = MKT AND (status = Done OR priority = Highest)", []string{"MKT-3", "MKT-7"}},
		{"NOT project = ENG AND priority = High", []string{"OPS-2", "MKT-2", "MKT-6"}},
		{"NOT (project = ENG OR project = OPS)", MKT},
		{"!(assignee = acc-alice) && project = MKT", []string{"MKT-1", "MKT-2", "MKT-5", "MKT-7"}},
		{"project = OPS || project = MKT && labels = launch", join(OPS, []string{"MKT-1", "MKT-2"})},
		{"NOT assignee is EMPTY AND project = OPS", []string{"OPS-1", "OPS-2", "OPS-3", "OPS-5", "OPS-6", "OPS-7", "OPS-8"}},
		{`NOT created > "2026-03-01" AND project = MKT`, []string{"MKT-3", "MKT-4", "MKT-7"}},
		{`PROJECT = eng and Status = "to do" AND ASSIGNEE = "alice able"`, []string{"ENG-1", "ENG-9"}},
		{"project = ENG AND NOT NOT labels = urgent", []string{"ENG-1", "ENG-11"}},
		{"", join(ENG, OPS, MKT)},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			got := search(t, tt.jql, env, issues)
			want := slices.Clone(tt.want)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s\n got  %v\n want %v", tt.jql, got, want)
			}
		})
	}
}

func TestOrderBy(t *testing.T) {
	env, issues := fixtureEnv(), fixtureIssues()
	tests := []struct {
		jql  string
		want []string
	}{
		{"project = OPS ORDER BY created ASC", []string{"OPS-6", "OPS-4", "OPS-2", "OPS-3", "OPS-7", "OPS-8", "OPS-1", "OPS-5"}},
		{"project = MKT ORDER BY priority DESC, key ASC", []string{"MKT-2", "MKT-6", "MKT-1", "MKT-5", "MKT-7", "MKT-3", "MKT-4"}},
		{"project = MKT ORDER BY priority, key", []string{"MKT-2", "MKT-6", "MKT-1", "MKT-5", "MKT-7", "MKT-3", "MKT-4"}},
		{"project = MKT", []string{"MKT-7", "MKT-6", "MKT-5", "MKT-4", "MKT-3", "MKT-2", "MKT-1"}},
		{"project = ENG AND key >= ENG-8 ORDER BY key", []string{"ENG-8", "ENG-9", "ENG-10", "ENG-11", "ENG-12", "ENG-13", "ENG-14"}},
		{"project = ENG ORDER BY due ASC", []string{"ENG-5", "ENG-2", "ENG-9", "ENG-14", "ENG-13", "ENG-12", "ENG-11", "ENG-10", "ENG-8", "ENG-7", "ENG-6", "ENG-4", "ENG-3", "ENG-1"}},
		{"project = OPS ORDER BY assignee ASC, created DESC", []string{"OPS-7", "OPS-3", "OPS-6", "OPS-5", "OPS-1", "OPS-8", "OPS-2", "OPS-4"}},
		{`project = ENG AND "Story Points" is not EMPTY ORDER BY "Story Points" DESC`, []string{"ENG-7", "ENG-3", "ENG-14", "ENG-2", "ENG-10", "ENG-1", "ENG-5"}},
		{"project = MKT ORDER BY updated", []string{"MKT-2", "MKT-6", "MKT-1", "MKT-5", "MKT-7", "MKT-4", "MKT-3"}},
		{"project = OPS ORDER BY summary ASC", []string{"OPS-8", "OPS-4", "OPS-1", "OPS-2", "OPS-5", "OPS-7", "OPS-3", "OPS-6"}},
		{"project in (OPS, MKT) AND issuetype = Incident ORDER BY project, key DESC", []string{"OPS-5", "OPS-2", "OPS-1"}},
		{"labels = launch ORDER BY rank", []string{"MKT-1", "MKT-2"}},
		{"due is not EMPTY ORDER BY due", []string{"ENG-5", "ENG-2", "ENG-9", "MKT-1", "OPS-3"}},
		{"project = OPS AND resolved is not EMPTY ORDER BY resolved", []string{"OPS-2", "OPS-6"}},
		{`status = "In Progress" ORDER BY status, priority DESC, created ASC`, []string{"OPS-1", "ENG-7", "MKT-2", "ENG-2", "ENG-14", "OPS-5"}},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			if got := search(t, tt.jql, env, issues); !slices.Equal(got, tt.want) {
				t.Errorf("%s\n got  %v\n want %v", tt.jql, got, tt.want)
			}
		})
	}
}

func TestTopKMatchesSort(t *testing.T) {
	issues, env := generatedIssues(2000)
	for _, jql := range []string{
		"project = PC ORDER BY created DESC",
		`priority in (High, Highest) ORDER BY "Story Points" DESC, updated ASC`,
		"status != Done",
		"assignee is EMPTY ORDER BY priority",
	} {
		t.Run(jql, func(t *testing.T) {
			q, err := Parse(jql)
			if err != nil {
				t.Fatal(err)
			}
			c, err := q.Compile(env)
			if err != nil {
				t.Fatal(err)
			}
			hits := c.Filter(nil, issues)
			for _, k := range []int{0, 1, 25, len(hits), len(hits) + 5} {
				top := c.TopK(hits, k)
				all := slices.Clone(hits)
				c.Sort(all)
				want := all[:min(k, len(all))]
				if !slices.Equal(keysOf(top), keysOf(want)) {
					t.Fatalf("TopK(%d) differs from the sorted prefix", k)
				}
			}
		})
	}
}

func TestProjectKeys(t *testing.T) {
	env := fixtureEnv()
	tests := []struct {
		jql  string
		want []string
	}{
		{"project = eng", []string{"ENG"}},
		{`project in (OPS, "Marketing") AND status = Done ORDER BY key`, []string{"OPS", "MKT"}},
		{"status = Done AND project = MKT", []string{"MKT"}},
		{"project = ENG OR status = Done", nil},
		{"NOT project = ENG", nil},
		{"project != ENG", nil},
		{"project in (ENG, EMPTY)", nil},
		{"status = Done", nil},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			q, err := Parse(tt.jql)
			if err != nil {
				t.Fatal(err)
			}
			if q.ProjectKeys() != nil {
				t.Fatal("ProjectKeys before Validate should be nil")
			}
			if err := q.Validate(env); err != nil {
				t.Fatal(err)
			}
			if got := q.ProjectKeys(); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	for jql, want := range map[string]bool{
		"":                            false,
		"order by key desc":           false,
		"ORDER BY created":            false,
		"project = ENG":               true,
		"status = Done ORDER BY key":  true,
		"NOT assignee is EMPTY":       true,
		"created > -1d order by rank": true,
	} {
		q, err := Parse(jql)
		if err != nil {
			t.Fatalf("%q: %v", jql, err)
		}
		if got := q.Bounded(); got != want {
			t.Errorf("Bounded(%q) = %v, want %v", jql, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	env := fixtureEnv()
	const ops = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."
	const esc = `The valid escape sequences are \', \", \t, \n, \r, \\, '\ ' and \uXXXX.`
	const p = "Error in the JQL Query: "
	tests := []struct {
		jql  string
		want []string
	}{
		// Syntax, as Jira's own parser tests word them.
		{"status = Open AND resolution closed", []string{p + "Expecting operator but got 'closed'. " + ops + " (line 1, character 30)"}},
		{"(project = ENG", []string{p + "Expecting ')' before the end of the query."}},
		{"summary ~ 100%", []string{p + `The character '%' is a reserved JQL character. You must enclose it in a string or use the escape '\u0025' instead. (line 1, character 14)`}},
		{"a = \"😀\" %", []string{p + `The character '%' is a reserved JQL character. You must enclose it in a string or use the escape '\u0025' instead. (line 1, character 10)`}},
		{"a = b AND\n  c = d e", []string{p + "Expecting either 'OR' or 'AND' but got 'e'. (line 2, character 9)"}},
		{"mine{www = qwwr", []string{p + `The character '{' is a reserved JQL character. You must enclose it in a string or use the escape '\u007b' instead. (line 1, character 5)`}},
		{"comment ~ 'test", []string{p + "The quoted string 'test' has not been completed. (line 1, character 11)"}},
		{"priority=\"test\nword", []string{p + "The quoted string 'test word' has not been completed. (line 1, character 10)"}},
		{"comment ~ '", []string{p + "The quoted string has not been completed. (line 1, character 11)"}},
		{`comme\unt ~ 'test`, []string{p + `'\un' is an illegal JQL escape sequence. ` + esc + " (line 1, character 6)"}},
		{"status =\n\n \\c", []string{p + `'\c' is an illegal JQL escape sequence. ` + esc + " (line 3, character 2)"}},
		{"minewww =\u007fqwwr", []string{p + `The character 'U+007F' on line 1 at position 10 must be escaped. Use the escape '\u007f' instead. (line 1, character 10)`}},
		{"aaaaa=-3482094382084092840932809482", []string{p + "'-3482094382084092840932809482' is not a valid number. Numbers must be between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807. (line 1, character 7)"}},
		{"a =b order", []string{p + "Expecting 'by' before the end of the query."}},
		{"a =b order summary", []string{p + "Expecting 'by' but got 'summary'. (line 1, character 12)"}},
		{"a =b order by", []string{p + "Expecting a field name at the end of the query."}},
		{"a =b order by asc", []string{p + "Expecting a field name but got 'asc'. You must surround 'asc' in quotation marks to use it as a field name. (line 1, character 15)"}},
		{"a =b order by ajsks blah", []string{p + "Expecting either 'ASC' or 'DESC' but got 'blah'. (line 1, character 21)"}},
		{`a =b order by "" desc`, []string{p + "A field name cannot be empty. (line 1, character 15)"}},
		{"'' = c", []string{p + "A field name cannot be empty. (line 1, character 1)"}},
		{"a = ''()", []string{p + "A function name cannot be empty. (line 1, character 5)"}},
		{"a", []string{p + "Expecting operator before the end of the query. " + ops}},
		{"a blah >", []string{p + "Expecting operator but got 'blah'. " + ops + " (line 1, character 3)"}},
		{"a =a and j not is empty", []string{p + "Expecting 'IN' but got 'is'. (line 1, character 16)"}},
		{"a =a and j is ! empty", []string{p + "Expecting 'NOT' but got '!'. (line 1, character 15)"}},
		{"cf", []string{p + "Expecting '[' before the end of the query."}},
		{"a = b and not (cf = 6)", []string{p + "Expecting '[' but got '='. (line 1, character 19)"}},
		{"cf[", []string{p + "Expecting a custom field id (a positive number) before the end of the query."}},
		{"cf[ = 9", []string{p + "Expecting a custom field id (a positive number) but got '='. (line 1, character 5)"}},
		{"cf[] = 1", []string{p + "Expecting a custom field id (a positive number) but got ']'. (line 1, character 4)"}},
		{"cf[29829k] = ", []string{p + "Expecting a custom field id (a positive number) but got '29829k'. (line 1, character 4)"}},
		{"cf[-29829] = ", []string{p + "Expecting a custom field id (a positive number) but got '-29829'. (line 1, character 4)"}},
		{"cf[29829 = world", []string{p + "Expecting ']' but got '='. (line 1, character 10)"}},
		{"cf[29829", []string{p + "Expecting ']' before the end of the query."}},
		{"cf[1002020202002020202020202020020202822]=a", []string{p + "'1002020202002020202020202020020202822' is not a valid number. Numbers must be between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807. (line 1, character 4)"}},
		{"a = func(", []string{p + "Expecting ')' before the end of the query."}},
		{"a = func(, and not (a = x)", []string{p + "Expecting ')' but got ','. (line 1, character 10)"}},
		{"bas=func(bad,)", []string{p + "Function argument must be specified. (line 1, character 14)"}},
		{"bas=func(bad,", []string{p + "Expecting a function argument at the end of the query."}},
		{"k = func(!", []string{p + "Expecting a function argument but got '!'. You must surround '!' in quotation marks to use it as an argument. (line 1, character 10)"}},
		{"k = func(abc, jk!)", []string{p + "Expecting ')' or ',' but got '!'. (line 1, character 17)"}},
		{"b in ((12, (288)", []string{p + "Expecting ')' before the end of the query."}},
		{"abc IN ((foo) abc = a", []string{p + "Expecting ')' but got 'abc'. (line 1, character 15)"}},
		{"a=", []string{p + "Expecting either a value, list or function before the end of the query."}},
		{"a=!", []string{p + "Expecting either a value, list or function but got '!'. You must surround '!' in quotation marks to use it as a value. (line 1, character 3)"}},
		{"a=b c=d", []string{p + "Expecting either 'OR' or 'AND' but got 'c'. (line 1, character 5)"}},
		{"a=b !c=d", []string{p + "Expecting either 'OR' or 'AND' but got '!'. (line 1, character 5)"}},
		{"a=(a,(,bad))", []string{p + "Expecting either a value, list or function but got ','. You must surround ',' in quotation marks to use it as a value. (line 1, character 7)"}},
		{"a = ((c,d), d, e, f, yyy) and", []string{p + "Expecting a field name at the end of the query."}},
		{`comment !~ "brenden" and cf[1000] = jill order by a desc b`, []string{p + "Expecting ',' but got 'b'. (line 1, character 58)"}},
		{", a = b", []string{p + "Expecting a field name but got ','. You must surround ',' in quotation marks to use it as a field name. (line 1, character 1)"}},
		{"[brenden] = a", []string{p + "Expecting a field name but got '['. Did you mean 'cf['? (line 1, character 1)"}},
		{"summary ~ for", []string{p + "'for' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 11)"}},
		{"status = In Progress", []string{p + "Expecting either a value, list or function but got 'In'. You must surround 'In' in quotation marks to use it as a value. (line 1, character 10)"}},
		{"status = To Do", []string{p + "Expecting either 'OR' or 'AND' but got 'Do'. (line 1, character 13)"}},
		{"project = OR", []string{p + "Expecting either a value, list or function but got 'OR'. You must surround 'OR' in quotation marks to use it as a value. (line 1, character 11)"}},
		{"project = ENG AND", []string{p + "Expecting a field name at the end of the query."}},
		{"project = ENG)", []string{p + "Expecting either 'OR' or 'AND' but got ')'. (line 1, character 14)"}},
		// Validation.
		{"project = XINET", []string{"The value 'XINET' does not exist for the field 'project'."}},
		{"sprintz = 1", []string{"Field 'sprintz' does not exist or you do not have permission to view it."}},
		{"cf[10999] = 1", []string{"Field 'cf[10999]' does not exist or you do not have permission to view it."}},
		{"project ~ ENG", []string{"The operator '~' is not supported by the 'project' field."}},
		{"summary = x", []string{"The operator '=' is not supported by the 'summary' field."}},
		{"text !~ x", []string{"The operator '!~' is not supported by the 'text' field."}},
		{"created ~ -1d", []string{"The operator '~' is not supported by the 'created' field."}},
		{"project = NOPE AND status = Nope", []string{"The value 'NOPE' does not exist for the field 'project'.", "The value 'Nope' does not exist for the field 'status'."}},
		{"Type = Epic", []string{"The value 'Epic' does not exist for the field 'Type'."}},
		{"priority = 7", []string{"A value with ID '7' does not exist for the field 'priority'."}},
		{"assignee = nobody", []string{"The value 'nobody' does not exist for the field 'assignee'."}},
		{"statusCategory = Blocked", []string{"The value 'Blocked' does not exist for the field 'statusCategory'."}},
		{`sprint = "Nope"`, []string{"The value 'Nope' does not exist for the field 'sprint'."}},
		{"created > yesterday", []string{"Date value 'yesterday' for field 'created' is invalid. " + dateFormats}},
		{`updated < "2010/02/35"`, []string{"Date value '2010/02/35' for field 'updated' is invalid. " + dateFormats}},
		{`due = "09/1/1"`, []string{"Date value '09/1/1' for field 'due' is invalid. " + dateFormats}},
		{"created > now(1)", []string{"Function 'now' expected '0' arguments but received '1'."}},
		{"created > startOfDay(1, 2)", []string{"Function 'startOfDay' expected between '0' and '1' arguments but received '2'."}},
		{`created > startOfDay("invalid")`, []string{"Duration for function 'startOfDay' should have the format (+/-)n(yMwdm), e.g -1M for 1 month earlier."}},
		{`assignee in membersOf("jira-users")`, []string{"Function 'membersOf' can not generate a list of usernames for group 'jira-users'; the group does not exist."}},
		{"assignee = bogus()", []string{"Unable to find JQL function 'bogus()'."}},
		{"project = echo(HSP)", []string{"Unable to find JQL function 'echo(HSP)'."}},
		{"project = currentUser()", []string{"A value provided by the function 'currentUser' is invalid for the field 'project'."}},
		{"fixVersion = 3.0", []string{"The value '3.0' does not exist for the field 'fixVersion'."}},
		{"fixVersion in releasedVersions(NOPE)", []string{"Could not resolve the project 'NOPE' provided to function 'releasedVersions'."}},
		{"fixVersion = latestReleasedVersion()", []string{"Function 'latestReleasedVersion' expected '1' arguments but received '0'."}},
		{"issue in linkedIssues(ENG-999)", []string{"Issue 'ENG-999' could not be found in function 'linkedIssues'."}},
		{"issue in linkedIssues()", []string{"Function 'linkedIssues' expected between '1' and '2' arguments but received '0'."}},
		{"issue in votedIssues()", []string{"Function 'votedIssues' is not supported by the sandbox's JQL engine."}},
		{`text ~ ""`, []string{"The field 'text' does not support searching for an empty string."}},
		{`summary ~ ""`, []string{"The field 'summary' does not support searching for an empty string."}},
		{"text ~ EMPTY", []string{"The field 'text' does not support searching for EMPTY values."}},
		{`text ~ "AND"`, []string{"Unable to parse the text 'AND' for field 'text'."}},
		{`summary ~ "BAD +"`, []string{"Unable to parse the text 'BAD +' for field 'summary'."}},
		{`summary ~ "*log"`, []string{"The text query '*log' for field 'summary' is not allowed to start with '*'."}},
		{"status in Done", []string{"Operator 'in' does not support the non-list value 'Done' for field 'status'."}},
		{"status = (Done, Open)", []string{"Operator '=' does not support the list value '(Done, Open)' for field 'status'."}},
		{"assignee is acc-bob", []string{"Operator 'is' does not support searching for non-empty values for field 'assignee'."}},
		{"assignee is not currentUser()", []string{"Operator 'is not' does not support searching for non-empty values for field 'assignee'."}},
		{"created > EMPTY", []string{"Operator '>' does not support the empty value representation 'EMPTY' for field 'created'."}},
		{"status not in NULL", []string{"Operator 'not in' does not support the empty value representation 'NULL' for field 'status'."}},
		{"sprint = openSprints()", []string{"Operator '=' does not support the list value 'openSprints()' for field 'sprint'."}},
		{"created in now()", []string{"Operator 'in' does not support the non-list value 'now()' for field 'created'."}},
		{`summary in "test"`, []string{`Operator 'in' does not support the non-list value '"test"' for field 'summary'.`}},
		{"key = FOO", []string{"The issue key 'FOO' for field 'key' is invalid."}},
		{"key = ENG-999", []string{"An issue with key 'ENG-999' does not exist for field 'key'."}},
		{`"Story Points" > abc`, []string{"The value 'abc' for field 'Story Points' is invalid - please specify a number."}},
		{"status was Open", []string{"The operator 'was' is not supported by the sandbox's JQL engine: it keeps no change history."}},
		{"status changed", []string{"The operator 'changed' is not supported by the sandbox's JQL engine: it keeps no change history."}},
		{"status changed FROM Open to Done after -1w by currentUser()", []string{"The operator 'changed' is not supported by the sandbox's JQL engine: it keeps no change history."}},
		{`assignee was not in (acc-bob) during ("2026/01/01", now())`, []string{"The operator 'was not in' is not supported by the sandbox's JQL engine: it keeps no change history."}},
		{"votes > 1", []string{"Field 'votes' is not supported by the sandbox's JQL engine."}},
		{"project = ENG ORDER BY bogus", []string{"Not able to sort using field 'bogus'."}},
		{"project = ENG ORDER BY description", []string{"Field 'description' does not support sorting."}},
		{"project = ENG ORDER BY created, Created DESC", []string{"The sort field 'Created' is referenced multiple times in the JQL sort."}},
		{"project = ENG ORDER BY key, issuekey", []string{"The sort field 'issuekey' is referenced multiple times in the JQL sort. Field 'issuekey' is an alias for field 'key'."}},
		{`project = ENG ORDER BY "Story Points", cf[10016]`, []string{"The sort field 'cf[10016]' is referenced multiple times in the JQL sort. Field 'cf[10016]' is an alias for field 'Story Points'."}},
		{"project = ENG ORDER BY key, created, updated, priority, status, assignee, summary, due",
			[]string{"The ORDER BY clause can have at most 7 fields."}},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			q, err := Parse(tt.jql)
			if err == nil {
				err = q.Validate(env)
			}
			var je *Error
			if !errors.As(err, &je) {
				t.Fatalf("%q: got %v, want *Error %q", tt.jql, err, tt.want)
			}
			if !slices.Equal(je.Messages, tt.want) {
				t.Errorf("%q:\n got  %q\n want %q", tt.jql, je.Messages, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"project=ENG and status in (Done,'In Progress') order by created desc, key",
			`project = ENG AND status IN (Done, "In Progress") ORDER BY created DESC, key`},
		{"(a = 1 or b = 2) and not (c = 3 and d = 4)", "(a = 1 OR b = 2) AND NOT (c = 3 AND d = 4)"},
		{"a = 1 or (b = 2 and c = 3)", "a = 1 OR b = 2 AND c = 3"},
		{"((a = 1))", "a = 1"},
		{"!a = b && c != d || e ~ f", "NOT a = b AND c != d OR e ~ f"},
		{`summary ~ "say \"hi\"\n"`, `summary ~ "say \"hi\"\n"`},
		{"cf[10016] >= 3 and \"Story Points\" is not empty", `cf[10016] >= 3 AND "Story Points" IS NOT EMPTY`},
		{"created > startOfDay(-1) and updated < -2w", "created > startOfDay(-1) AND updated < -2w"},
		{"assignee in (currentUser(), EMPTY, 'null')", `assignee IN (currentUser(), EMPTY, "null")`},
		{"order by key desc", "ORDER BY key DESC"},
		{"", ""},
		{`"cf" = x and "and" = "or"`, `"cf" = x AND "and" = "or"`},
		{`a = "" and b = "x\u0001"`, `a = "" AND b = "x\u0001"`},
		{"status changed from Open to Done by currentUser() and x was in (a, b) during (-1w, now())",
			"status CHANGED FROM Open TO Done BY currentUser() AND x WAS IN (a, b) DURING (-1w, now())"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			q2, err := Parse(q.String())
			if err != nil {
				t.Fatalf("reparse %q: %v", q.String(), err)
			}
			if q2.String() != q.String() {
				t.Errorf("not stable: %q -> %q", q.String(), q2.String())
			}
		})
	}
}

// TestNoEnvValidation checks that empty Env lists switch value validation
// off rather than rejecting everything.
func TestNoEnvValidation(t *testing.T) {
	issues := fixtureIssues()
	env := &Env{Now: fixtureNow, CurrentUser: "acc-bob"}
	for jql, want := range map[string][]string{
		"project = ops AND assignee = currentUser()":      {"OPS-3", "OPS-6", "OPS-7"},
		`assignee = "Carol Chen" AND project = Marketing`: {"MKT-1", "MKT-2", "MKT-7"},
		"status = Done AND priority = Highest":            {"ENG-3"},
	} {
		got := search(t, jql, env, issues)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", jql, got, want)
		}
	}
	q, _ := Parse(`"Story Points" > 1`)
	if err := q.Validate(env); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("custom field unknown to the env should not validate: %v", err)
	}
	for _, jql := range []string{"fixVersion in unreleasedVersions()", "issue in linkedIssues(ENG-1)"} {
		q, _ := Parse(jql)
		if err := q.Validate(env); err == nil || !strings.Contains(err.Error(), "not supported by the sandbox") {
			t.Errorf("%s without site data: %v", jql, err)
		}
	}
}

func TestMatchAllocatesNothing(t *testing.T) {
	env, issues := fixtureEnv(), fixtureIssues()
	q, err := Parse(`project in (ENG, OPS) AND (summary ~ "login*" OR text ~ "database") AND created > -30d AND assignee != currentUser() AND labels not in (x) AND "Story Points" >= 0 ORDER BY priority DESC, updated`)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Validate(env); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(20, func() {
		for _, is := range issues {
			q.Match(is, env)
		}
	})
	if allocs != 0 {
		t.Errorf("Match allocated %.1f times per pass", allocs)
	}
}

func TestContainsFoldASCII(t *testing.T) {
	tests := []struct {
		s, sub string
		want   bool
	}{
		{"Database failover", "data", true},
		{"the DATABASE", "database", true},
		{"aaaaaaaaab", "ab", true},
		{"aaaaaaaaaa", "ab", false},
		{"AaAaAaAaAb", "ab", true},
		{"short", "shorter", false},
		{"", "x", false},
		{"x", "", true},
		{"über Login", "login", true},
		{"log in", "login", false},
	}
	for _, tt := range tests {
		if got := containsFoldASCII(tt.s, tt.sub); got != tt.want {
			t.Errorf("containsFoldASCII(%q, %q) = %v, want %v", tt.s, tt.sub, got, tt.want)
		}
	}
}

func TestStem(t *testing.T) {
	groups := [][]string{
		{"fix", "fixes", "fixed", "fixing"},
		{"crash", "crashes", "crashed", "crashing"},
		{"certificate", "certificates"},
		{"status", "statuses"},
		{"string", "strings"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if !strings.EqualFold(stem(w), stem(g[0])) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q: should meet", w, stem(w), g[0], stem(g[0]))
			}
		}
	}
	if stem("is") != "is" || stem("bus") != "bus" {
		t.Error("short words must not be stemmed")
	}
}

// TestSiteShapes covers values the way the sandbox's Jira stores them: ids
// for names, account ids in user pickers, REST date strings.
func TestSiteShapes(t *testing.T) {
	env, issues := fixtureEnv(), fixtureIssues()
	env.IssueTypeIDs = map[string]string{"10004": "Bug", "10005": "Incident"}
	env.StatusIDs = map[string]string{"3": "Done"}
	env.PriorityIDs = map[string]string{"1": "Highest"}
	env.Fields = append(env.Fields,
		Field{ID: "customfield_10070", Name: "Approver", Type: "user"},
		Field{ID: "customfield_10080", Name: "Kickoff", Type: "datetime"})
	for _, is := range issues {
		switch is.Key {
		case "OPS-2":
			is.Custom["customfield_10070"] = "acc-carol"
			is.Custom["customfield_10080"] = "2026-03-10T09:15:00.000+0000"
		case "MKT-2":
			is.Custom["customfield_10070"] = "acc-bob"
			is.Custom["customfield_10080"] = "2026-03-12T09:15:00Z"
		}
	}
	tests := []struct {
		jql  string
		want []string
	}{
		{"issuetype = 10005", []string{"OPS-1", "OPS-2", "OPS-5"}},
		{"status = 3 AND project = OPS", []string{"OPS-2", "OPS-6"}},
		{"priority in (1) AND project = ENG", []string{"ENG-3", "ENG-11"}},
		{`Approver = "Carol Chen"`, []string{"OPS-2"}},
		{"Approver is not EMPTY", []string{"MKT-2", "OPS-2"}},
		{`Kickoff > "2026-03-11"`, []string{"MKT-2"}},
		{`Kickoff = "2026-03-10"`, []string{"OPS-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			got := search(t, tt.jql, env, issues)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	q, _ := Parse("project in (ENG, Engineering, eng, 10000)")
	if err := q.Validate(env); err != nil {
		t.Fatal(err)
	}
	if got := q.ProjectKeys(); !slices.Equal(got, []string{"ENG"}) {
		t.Errorf("ProjectKeys = %v, want one ENG", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	env, issues := fixtureEnv(), fixtureIssues()
	q, err := Parse(`project = ENG AND text ~ "login" ORDER BY created`)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []string)
	for range 4 {
		go func() {
			var hits []*Issue
			for _, is := range issues {
				if q.Match(is, env) {
					hits = append(hits, is)
				}
			}
			done <- keysOf(q.TopK(hits, env, 10))
		}()
	}
	want := []string{"ENG-9", "ENG-1"} // created DESC, the field's default
	for range 4 {
		if got := <-done; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}
