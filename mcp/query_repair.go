package mcp

import (
	"fmt"
	"strings"
	"time"
)

// Repairs of a JQL or CQL query the site refused: each step fixes one
// mistake agents make and says what it was, and the answer shows the query
// with every fix applied, so the next call can be that query.

// queryLang is the language a query is written in.
type queryLang int

const (
	langJQL queryLang = iota
	langCQL
)

// curlyQuotes straightens typographic quotes, which neither JQL nor CQL
// reads as quotes.
var curlyQuotes = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u2018", `'`, "\u2019", `'`)

// queryLimitRe matches a SQL-style LIMIT at the end of a query.
var queryLimitRe = lazyRegexp(`(?i)\s+LIMIT\s+([0-9]{1,6})\s*;?\s*$`)

// queryValueRe finds a comparison and its value: quoted or bare.
var queryValueRe = lazyRegexp(`(>=|<=|!=|=|<|>|~)(\s*)("[^"]*"|'[^']*'|[^\s()"',]+)`)

// queryFuncRe finds the names of JQL and CQL functions; one not followed
// by "(" was written without its parentheses.
var queryFuncRe = lazyRegexp(`(?i)\b(openSprints|closedSprints|futureSprints|currentUser|startOfDay|endOfDay|startOfWeek|endOfWeek|startOfMonth|endOfMonth|startOfYear|endOfYear|now)\b`)

// cqlRelativeDateRe matches a JQL-style relative date compared with a CQL
// date field (created > -7d), which CQL writes now("-7d").
var cqlRelativeDateRe = lazyRegexp(`(?i)\b(created|lastmodified)(\s*(?:>=|<=|!=|=|<|>)\s*)["']?(-?[0-9]{1,5}[wdhmy])["']?`)

// queryOperatorRe tells whether a query compares anything at all.
var queryOperatorRe = lazyRegexp(`(?i)[=~<>]|\b(?:in|is)\b`)

// queryDateLayouts are the date forms JQL and CQL accept.
var queryDateLayouts = []string{"2006-01-02", "2006/01/02", "2006-01-02 15:04", "2006/01/02 15:04", "2006-1-2", "2006/1/2"}

// queryDate rewrites a date written another common way (31/12/2026,
// 2026-12-01T10:00:00Z, Dec 31, 2026) the way queries take it, or "" when
// v is no such date or already a valid one.
func queryDate(v string) string {
	for _, l := range queryDateLayouts {
		if _, err := time.Parse(l, v); err == nil {
			return ""
		}
	}
	if d := unambiguousDate(v); d != "" {
		return d
	}
	for _, l := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05.000Z07:00", "2006-01-02T15:04:05.000"} {
		if t, err := time.Parse(l, v); err == nil {
			if t.Hour() == 0 && t.Minute() == 0 {
				return t.Format("2006-01-02")
			}
			return t.Format("2006-01-02 15:04")
		}
	}
	return ""
}

// repairQuery returns q with the mistakes it can see fixed and what they
// were, or "" and nil when it sees none. It is bounded: queries are at
// most a few KB (checkQuery) and every step is one pass.
func repairQuery(q string, lang queryLang) (string, []string) {
	if len(q) > 10_000 {
		return "", nil
	}
	var why []string
	out := q
	if s := curlyQuotes.Replace(out); s != out {
		out = s
		why = append(why, "typographic quotes (“ ”) are not quotes in a query; use straight ones (\")")
	}
	if m := queryLimitRe.FindStringSubmatch(out); m != nil {
		out = strings.TrimRight(out[:len(out)-len(m[0])], " ")
		param := "maxResults"
		if lang == langCQL {
			param = "limit"
		}
		why = append(why, fmt.Sprintf("there is no LIMIT: pass %s %s instead", param, m[1]))
	}
	if lang == langCQL {
		if s := cqlRelativeDateRe.ReplaceAllString(out, `$1${2}now("$3")`); s != out {
			out = s
			why = append(why, `CQL writes a relative date as now("-7d")`)
		}
	}
	dated := false
	out = queryValueRe.ReplaceAllStringFunc(out, func(m string) string {
		sm := queryValueRe.FindStringSubmatch(m)
		v := strings.Trim(sm[3], `"'`)
		if d := queryDate(v); d != "" {
			dated = true
			return sm[1] + sm[2] + `"` + d + `"`
		}
		if lang == langJQL && !strings.ContainsAny(sm[3][:1], `"'`) && strings.ContainsAny(v, "@/#&|") {
			why = appendOnce(why, "a value with @ or another reserved character must be quoted")
			return sm[1] + sm[2] + `"` + v + `"`
		}
		return m
	})
	if dated {
		why = append(why, `dates are written "yyyy-MM-dd" or "yyyy-MM-dd HH:mm"`)
	}
	var b strings.Builder
	last := 0
	for _, loc := range queryFuncRe.FindAllStringIndex(out) {
		rest := strings.TrimLeft(out[loc[1]:], " ")
		if strings.HasPrefix(rest, "(") || insideQuotes(out, loc[0]) {
			continue
		}
		b.WriteString(out[last:loc[1]] + "()")
		last = loc[1]
	}
	if last > 0 {
		b.WriteString(out[last:])
		out = b.String()
		why = append(why, "functions take parentheses, e.g. openSprints() and currentUser()")
	}
	if lang == langCQL && !queryOperatorRe.MatchString(out) && strings.TrimSpace(out) != "" {
		out = fmt.Sprintf("text ~ %q", strings.Trim(strings.TrimSpace(out), `"'`))
		why = append(why, "words alone are not CQL: search them with text ~")
	}
	if s := quoteBareValues(out); s != "" {
		out = s
		why = append(why, "a value of several words must be quoted")
	}
	if out == q || len(why) == 0 {
		return "", nil
	}
	return out, why
}

// insideQuotes reports whether byte i of q is inside a quoted string.
func insideQuotes(q string, i int) bool {
	var quote byte
	for j := 0; j < i && j < len(q); j++ {
		switch {
		case quote != 0 && q[j] == quote:
			quote = 0
		case quote == 0 && (q[j] == '"' || q[j] == '\''):
			quote = q[j]
		}
	}
	return quote != 0
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// repairHint is " <what was wrong>; the query reads: <fixed>" for a
// refused query, or "".
func repairHint(q string, lang queryLang) string {
	fixed, why := repairQuery(q, lang)
	if fixed == "" {
		return ""
	}
	return " " + strings.ToUpper(why[0][:1]) + why[0][1:] + strings.Join(append([]string{""}, why[1:]...), "; ") + "; the query reads: " + fixed
}
