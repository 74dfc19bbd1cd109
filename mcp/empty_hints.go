package mcp

import (
	"context"
	"fmt"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Hints for a query that ran but found nothing because of a slip the
// site does not refuse: a relative date in the future, a label with a
// space, an issue type the project lacks, a person named where CQL wants
// an account id. Each says what is off and, where it can, the query
// corrected.

// jqlFutureDateRe matches a date field compared with a positive relative
// date (created >= 7d: seven days from now, so nothing matches).
var jqlFutureDateRe = lazyRegexp(`(?i)\b(created|createddate|updated|updateddate|resolved|resolutiondate)(\s*>=?\s*)["']?\+?([0-9]{1,5}[wdhm])["']?`)

// queryLabelSpaceRe matches a label compared with a quoted value holding
// a space.
var queryLabelSpaceRe = lazyRegexp(`(?i)\b(labels?)(\s*(?:=|!=)\s*)"([^"\s]+(?:\s+[^"\s]+)+)"`)

// jqlProjectTypeRe finds "project = KEY" and "issuetype = Name".
var (
	jqlProjectRe   = lazyRegexp(`(?i)\bproject\s*=\s*"?([A-Za-z][A-Za-z0-9_]*)"?`)
	jqlIssueTypeRe = lazyRegexp(`(?i)\b(?:issuetype|type)\s*=\s*("[^"]+"|[A-Za-z][\w-]*)`)
)

// jqlEmptyHint explains an empty first page of a JQL search, or "".
func jqlEmptyHint(jql string, snap *schema.Snapshot) string {
	if len(jql) > 10_000 {
		return ""
	}
	if fixed := jqlFutureDateRe.ReplaceAllString(jql, "$1$2-$3"); fixed != jql {
		return "Nothing matches: a relative date without a minus (7d) is in the future; the past is -7d, and with it the query reads: " + fixed
	}
	if m := queryLabelSpaceRe.FindStringSubmatch(jql); m != nil {
		fixed := queryLabelSpaceRe.ReplaceAllStringFunc(jql, func(s string) string {
			sm := queryLabelSpaceRe.FindStringSubmatch(s)
			return sm[1] + sm[2] + `"` + strings.Join(strings.Fields(sm[3]), "-") + `"`
		})
		return "Nothing matches: labels never contain spaces (Jira refuses them), so a label written with a space matches no issue; with dashes the query reads: " + fixed
	}
	if snap == nil || snap.Jira == nil {
		return ""
	}
	pm, tm := jqlProjectRe.FindStringSubmatch(jql), jqlIssueTypeRe.FindStringSubmatch(jql)
	if pm == nil || tm == nil {
		return ""
	}
	project, err := snap.Project(pm[1])
	if err != nil {
		return ""
	}
	typeName := strings.Trim(tm[1], `"`)
	if _, err := project.IssueType(typeName); err == nil {
		return ""
	}
	var keys []string
	for _, p := range rankedProjects(snap) {
		if _, err := p.IssueType(typeName); err == nil && p.Key != project.Key {
			keys = append(keys, p.Key)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	fixed := strings.Replace(jql, pm[0], "project = "+keys[0], 1)
	return fmt.Sprintf("Nothing matches: project %s has no issue type %s; it is an issue type of %s, and there the query reads: %s",
		project.Key, typeName, joinCapped(keys, 5), fixed)
}

// cqlUserNameRe matches a CQL user field compared with a quoted value.
var cqlUserNameRe = lazyRegexp(`(?i)\b(creator|contributor|mention|watcher)(\s*(?:=|!=)\s*)"([^"]{1,255})"`)

// cqlEmptyHint explains an empty CQL answer the space hint does not: a
// label with a space, or a person named where an account id belongs (one
// user lookup through Jira, for the first such value), or "".
func (d *Deps) cqlEmptyHint(ctx context.Context, cql string) string {
	if len(cql) > 10_000 {
		return ""
	}
	if queryLabelSpaceRe.MatchString(cql) {
		fixed := queryLabelSpaceRe.ReplaceAllStringFunc(cql, func(s string) string {
			sm := queryLabelSpaceRe.FindStringSubmatch(s)
			return sm[1] + sm[2] + `"` + strings.Join(strings.Fields(sm[3]), "-") + `"`
		})
		return "labels never contain spaces, so a label written with a space matches nothing; with dashes the query reads: " + fixed
	}
	m := cqlUserNameRe.FindStringSubmatchIndex(cql)
	if m == nil || d.Jira == nil {
		return ""
	}
	name := cql[m[6]:m[7]]
	if looksLikeAccountID(name) {
		return ""
	}
	u, err := d.resolveUser(ctx, "cql", name, userScope{})
	if err != nil {
		return fmt.Sprintf("%s takes an account id, not a name; no single user matches %q", cql[m[2]:m[3]], name)
	}
	fixed := cql[:m[6]] + u.AccountID + cql[m[7]:]
	return fmt.Sprintf("%s takes an account id, not a name: %s is %s, and the query reads: %s", cql[m[2]:m[3]], u.DisplayName, u.AccountID, fixed)
}
