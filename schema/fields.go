package schema

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Field references as callers write them, and the fields whose names come
// closest to one that matched nothing: the lookups the tools' validation
// and error messages share.

// fieldIDPattern matches what can only be a field id: customfield_N or a
// system field id ("duedate", "fixVersions").
var fieldIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(customfield_\d+|[a-z][a-zA-Z0-9]*)$`) })

// FieldRef normalises a field reference: JQL's cf[N] becomes the field id
// customfield_N; anything else is returned as given.
func FieldRef(name string) string {
	if strings.HasPrefix(strings.ToLower(name), "cf[") && strings.HasSuffix(name, "]") {
		return "customfield_" + name[3:len(name)-1]
	}
	return name
}

// IsFieldID reports whether name can only be a field id (customfield_N or
// a lower-camel system id), so it may be used without a snapshot to check
// it against.
func IsFieldID(name string) bool { return fieldIDPattern().MatchString(name) }

// SimilarFields returns the site's fields whose names come closest to name,
// for "did you mean" answers: those of the best class found among the same
// letters without spaces, one name containing the other, every word a
// prefix ("story pts" -> "Story Points"), and a small edit distance. Nil
// when nothing is close or the snapshot has no Jira fields.
func (s *Snapshot) SimilarFields(name string) []*Field {
	if s == nil || s.Jira == nil {
		return nil
	}
	type match struct {
		f     *Field
		score int
	}
	var matches []match
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	squash := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	for _, f := range s.Jira.Fields {
		fn := strings.ToLower(f.Name)
		score := -1
		switch {
		case squash(fn) == squash(n):
			score = 0
		case strings.Contains(fn, n) || strings.Contains(n, fn) && len(fn) > 3:
			score = 1
		case wordPrefixes(n, fn):
			score = 2
		case editDistance(fn, n, 3) <= max(1, min(3, len(n)/4)):
			score = 3
		}
		if score >= 0 {
			matches = append(matches, match{f, score})
		}
	}
	slices.SortStableFunc(matches, func(a, b match) int { return a.score - b.score })
	var out []*Field
	for _, m := range matches {
		if m.score == matches[0].score {
			out = append(out, m.f)
		}
	}
	return out
}

// Closest returns the one choice that comes closest to value, for "did you
// mean" answers: the same letters and digits ignoring case, spaces and
// punctuation ("sev1" -> "Sev 1", "Subtask" -> "Sub-task"), then one
// containing the other ("Highest" -> "High"), then a small edit distance
// or two neighbouring letters swapped ("OPZ" -> "OPS", "titel" -> "title").
// It returns "" when nothing is close, when value is a
// choice already, or when two choices are equally close.
func Closest(value string, choices []string) string {
	alnum := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	v := alnum(value)
	if v == "" {
		return ""
	}
	best, bestScore, tie := "", 99, false
	for _, c := range choices {
		a := alnum(c)
		score := -1
		switch {
		case a == "":
		case a == v:
			if c == value {
				return ""
			}
			score = 0
		case len(a) >= 3 && len(v) >= 3 && (strings.Contains(a, v) || strings.Contains(v, a)):
			score = 1
		case editDistance(a, v, 3) <= max(1, min(3, len(v)/4)) || adjacentSwap(a, v):
			score = 2
		}
		switch {
		case score < 0:
		case score < bestScore:
			best, bestScore, tie = c, score, false
		case score == bestScore && c != best:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// adjacentSwap reports whether a and b differ by two neighbouring
// letters swapped ("titel" / "title"), the commonest typing slip.
func adjacentSwap(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// wordPrefixes reports whether every word of abbr starts a word of name, in
// order: "story pts" → "story points".
func wordPrefixes(abbr, name string) bool {
	aw, nw := strings.Fields(abbr), strings.Fields(name)
	if len(aw) < 2 || len(aw) != len(nw) {
		return false
	}
	for i := range aw {
		if !strings.HasPrefix(nw[i], aw[i][:1]) {
			return false
		}
	}
	return true
}

// editDistance is the Levenshtein distance of a and b, or limit+1 once it
// is known to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
