package mcp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Help for CQL the search tool sends: Confluence's parse errors said in
// words, and a query that names a space by its name rather than its key.

// cqlReminders close every CQL error.
func cqlReminders(key string) string {
	return "CQL reminders: quote strings, use ~ for contains and = for exact matches, AND/OR/NOT in upper case, " +
		"fields such as type, space, title, text, label, ancestor, created, lastmodified; e.g. type = page AND space = " +
		key + " AND text ~ \"runbook\"."
}

// cqlParseRe matches Confluence's own "Could not parse cql : <query>"
// message, which says nothing the caller does not already know.
var cqlParseRe = lazyRegexp(`(?i)^could not parse cql\b`)

// cqlError turns Confluence's refusal of a query into words: what is wrong
// (Confluence's detail when it gave one, else what a local look at the
// query finds), without Java class names or trace ids, and CQL reminders.
func cqlError(err error, cql string, withCursor bool, key string) error {
	var apiErr *atlassian.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return err
	}
	var details []string
	for _, m := range apiMessages(apiErr) {
		if !cqlParseRe.MatchString(m) {
			details = append(details, strings.TrimRight(m, ". "))
		}
	}
	if withCursor && strings.Contains(strings.ToLower(strings.Join(details, " ")), "cursor") {
		return argErrorf("cursor", "Confluence refused it (%s). A cursor only works with the cql of the answer it came from: "+
			"call again with exactly that cql, or omit cursor to start over", strings.Join(details, "; "))
	}
	var b strings.Builder
	b.WriteString("Confluence could not run this CQL")
	switch {
	case len(details) > 0:
		b.WriteString(": " + strings.Join(details, "; ") + ".")
		if diag := cqlDiagnose(cql); diag != "" {
			b.WriteString(" " + strings.ToUpper(diag[:1]) + diag[1:] + ".")
		}
	case cqlDiagnose(cql) != "":
		b.WriteString(": " + cqlDiagnose(cql) + ".")
	default:
		b.WriteString(": it is not valid CQL.")
	}
	b.WriteString(" " + cqlReminders(key))
	if withCursor {
		b.WriteString(" A cursor only works with the cql of the answer it came from; omit it to start over.")
	}
	b.WriteString(repairHint(cql, langCQL))
	// On the cql parameter, as Jira's JQL refusals are on jql.
	return argErrorf("cql", "%s", b.String())
}

// cqlFieldRe finds "field operator" pairs in a query.
var cqlFieldRe = lazyRegexp(`(?i)(?:^|[\s(])([a-z][a-z._]*)\s*(!=|!~|>=|<=|==|=|~|<|>|\bnot\s+in\b|\bin\b)`)

// cqlKnownFields are the CQL fields the tool's description names and the
// common others; a field outside them is worth pointing out.
var cqlKnownFields = map[string]bool{
	"type": true, "space": true, "space.key": true, "space.title": true, "space.type": true, "title": true,
	"text": true, "label": true, "ancestor": true, "parent": true, "id": true, "content": true, "created": true,
	"lastmodified": true, "creator": true, "contributor": true, "mention": true, "watcher": true,
	"favourite": true, "favorite": true, "macro": true,
}

// cqlFieldAdvice names the CQL field an agent most likely meant.
var cqlFieldAdvice = map[string]string{
	"author": "creator", "user": "creator", "owner": "creator", "modified": "lastmodified", "updated": "lastmodified",
	"lastmodifieddate": "lastmodified", "createddate": "created", "labels": "label", "spacekey": "space",
	"body": "text", "content.text": "text", "tag": "label", "name": "title",
}

// cqlDiagnose says in words what is wrong with a query Confluence refused
// without detail, or "" when nothing obvious is.
func cqlDiagnose(cql string) string {
	var quote rune
	depth := 0
	for _, r := range cql {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return "a ')' closes a parenthesis that was never opened"
			}
		}
	}
	switch {
	case quote != 0:
		return fmt.Sprintf("a %c quote is never closed", quote)
	case depth > 0:
		return "a '(' is never closed with ')'"
	case strings.Contains(cql, "=="):
		return "CQL compares with a single =, not =="
	}
	for _, m := range cqlFieldRe.FindAllStringSubmatch(stripCQLStrings(cql), -1) {
		f := strings.ToLower(m[1])
		if cqlKnownFields[f] || f == "and" || f == "or" || f == "not" {
			continue
		}
		if alt, ok := cqlFieldAdvice[f]; ok {
			return fmt.Sprintf("%q is not a CQL field; use %s", m[1], alt)
		}
		if alt := schema.Closest(f, slices.Sorted(maps.Keys(cqlKnownFields))); alt != "" {
			return fmt.Sprintf("%q is not a CQL field; use %s", m[1], alt)
		}
		return fmt.Sprintf("%q is not a CQL field", m[1])
	}
	return ""
}

// stripCQLStrings blanks the contents of quoted strings so words inside
// them are not read as fields.
func stripCQLStrings(cql string) string {
	var b strings.Builder
	var quote rune
	for _, r := range cql {
		switch {
		case quote != 0 && r == quote:
			quote = 0
			b.WriteRune(r)
		case quote != 0:
			b.WriteByte(' ')
		case r == '"' || r == '\'':
			quote = r
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cqlSpaceRe finds the values a query compares the space field with:
// space = X, space.key = "X", space in (X, "Y").
var cqlSpaceRe = lazyRegexp(`(?i)\bspace(?:\.key)?\s*(?:=|\bin\b)\s*("[^"]*"|'[^']*'|\([^)]*\)|[^\s()]+)`)

// maxSpaceLookups bounds the live lookups one empty answer's hint makes.
const maxSpaceLookups = 3

// spaceLookup finds, live, a space the snapshot does not list: whether v
// is a key (isKey), else the key of the space named v ("" when none).
type spaceLookup func(v string) (key string, isKey bool)

// cqlSpaceHint explains an empty answer to a query that names a space that
// is not a key: which key has that name, or which keys there are. A value
// the snapshot does not know (a space created since discovery) is looked
// up with live (at most maxSpaceLookups values; nil for none). It is ""
// when every space the query names is a key (or nothing can tell).
func cqlSpaceHint(snap *schema.Snapshot, cql string, live spaceLookup) string {
	hasSpaces := snap != nil && snap.Confluence != nil && len(snap.Confluence.Spaces) > 0
	if !hasSpaces && live == nil {
		return ""
	}
	var hints []string
	lookups := 0
	for _, m := range cqlSpaceRe.FindAllStringSubmatch(cql, -1) {
		for _, v := range cqlValues(m[1]) {
			if v == "" || hasSpaces && isSpaceKey(snap, v) {
				continue
			}
			if hasSpaces {
				if key := spaceKeyByName(snap, v); key != "" {
					hints = append(hints, fmt.Sprintf("%q is the name of a space, and CQL's space field takes its key: use space = %s", v, key))
					continue
				}
			}
			if live != nil && lookups < maxSpaceLookups {
				lookups++
				key, isKey := live(v)
				switch {
				case isKey:
					continue
				case key != "":
					hints = append(hints, fmt.Sprintf("%q is the name of a space, and CQL's space field takes its key: use space = %s", v, key))
					continue
				}
			}
			if !hasSpaces || snap.Confluence.MoreSpaces {
				continue // it may be a key of a space the snapshot does not list
			}
			hints = append(hints, fmt.Sprintf("no space has the key %q; use one of the keys %s", v, strings.Join(spaceKeys(snap), ", ")))
		}
	}
	return strings.Join(hints, "; ")
}

// liveSpaceLookup looks a space up on the site, for a value the snapshot
// does not know: one read by key, then one CQL search of spaces by title.
// Failures answer "not found": the hint is best effort.
func (d *Deps) liveSpaceLookup(ctx context.Context) spaceLookup {
	if d.Confluence == nil {
		return nil
	}
	return func(v string) (string, bool) {
		if len(v) > 255 {
			return "", false
		}
		if spaceKeyLike(v) {
			if got, err := d.Confluence.Spaces.ByKeys(ctx, []string{v}); err == nil && len(got) > 0 {
				return "", true
			}
		}
		q := `type = space AND title ~ "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
		res, err := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{CQL: q, Limit: 10})
		if err != nil {
			return "", false
		}
		for _, it := range res.Results {
			if it.Space != nil && it.Space.Key != "" && strings.EqualFold(strings.TrimSpace(it.Space.Name), v) {
				return it.Space.Key, false
			}
		}
		return "", false
	}
}

// spaceKeyLike reports a value shaped like a space key.
func spaceKeyLike(v string) bool {
	v = strings.TrimPrefix(v, "~")
	return v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == ':')
	})
}

// cqlValues splits one CQL value or parenthesised list into unquoted values.
func cqlValues(v string) []string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "(") {
		var out []string
		for _, p := range strings.Split(strings.Trim(v, "()"), ",") {
			out = append(out, cqlUnquote(p))
		}
		return out
	}
	return []string{cqlUnquote(v)}
}

func cqlUnquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return strings.TrimSpace(v)
}

// isSpaceKey reports a key of a listed space (CQL matches keys without
// regard to case).
func isSpaceKey(snap *schema.Snapshot, v string) bool {
	for _, sp := range snap.Confluence.Spaces {
		if strings.EqualFold(sp.Key, v) {
			return true
		}
	}
	return false
}

// spaceKeyByName is the key of the space named name, or "".
func spaceKeyByName(snap *schema.Snapshot, name string) string {
	for _, sp := range snap.Confluence.Spaces {
		if strings.EqualFold(strings.TrimSpace(sp.Name), name) {
			return sp.Key
		}
	}
	return ""
}

// spaceKeys lists the snapshot's space keys, at most 20.
func spaceKeys(snap *schema.Snapshot) []string {
	const max = 20
	keys := make([]string, 0, min(len(snap.Confluence.Spaces), max+1))
	for i, sp := range snap.Confluence.Spaces {
		if i == max {
			keys = append(keys, fmt.Sprintf("and %d more", len(snap.Confluence.Spaces)-max))
			break
		}
		keys = append(keys, sp.Key)
	}
	return keys
}

// cqlIDFieldRe finds a content-id field compared with a quoted title:
// ancestor = "Runbooks", parent = 'Runbooks'.
var cqlIDFieldRe = lazyRegexp(`(?i)\b(ancestor|parent|id)(\s*(?:=|!=)\s*)("[^"]{1,255}"|'[^']{1,255}')`)

// cqlTitleAsID adds to a refused query's error, when the query gives a
// page title where a content id belongs (ancestor = "Runbooks"), the id of
// the page with that title and the query with it: one title search per
// such value, at most two.
func (d *Deps) cqlTitleAsID(ctx context.Context, err error, cql string) error {
	var ae *ArgError
	if d.Confluence == nil || !errors.As(err, &ae) || ae.Param != "cql" {
		return err
	}
	ms := cqlIDFieldRe.FindAllStringSubmatchIndex(cql, 2)
	if len(ms) == 0 {
		return err
	}
	fixed, shift := cql, 0
	var notes []string
	for _, m := range ms {
		title := cql[m[6]+1 : m[7]-1]
		if strings.TrimSpace(title) == "" || strings.Trim(title, "0123456789") == "" {
			continue
		}
		q := "title = \"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(title) + "\" AND type in (page, folder)"
		res, serr := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{CQL: q, Limit: 5, Expand: []string{"content.space"}})
		if serr != nil || len(res.Results) == 0 {
			continue
		}
		var ids []string
		for _, r := range res.Results {
			if r.Content == nil || !confNumericIDRe.MatchString(r.Content.ID) {
				continue
			}
			where := ""
			if r.Content.Space != nil && r.Content.Space.Key != "" {
				where = " (space " + r.Content.Space.Key + ")"
			}
			ids = append(ids, r.Content.ID+where)
		}
		switch {
		case len(ids) == 1:
			id, _, _ := strings.Cut(ids[0], " ")
			notes = append(notes, fmt.Sprintf("%s takes a content id, not a title: the page titled %q is %s", cql[m[2]:m[3]], title, ids[0]))
			fixed = fixed[:m[6]+shift] + id + fixed[m[7]+shift:]
			shift += len(id) - (m[7] - m[6])
		case len(ids) > 1:
			notes = append(notes, fmt.Sprintf("%s takes a content id, not a title: pages titled %q are %s", cql[m[2]:m[3]], title, strings.Join(ids, ", ")))
		}
	}
	if len(notes) == 0 {
		return err
	}
	msg := ae.Msg + " " + strings.Join(notes, "; ")
	if fixed != cql {
		msg += "; the query reads: " + fixed
	}
	return &ArgError{Param: ae.Param, Msg: msg}
}
