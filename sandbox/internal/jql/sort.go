package jql

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// sortKey compiles one ORDER BY entry; nil after reporting an error.
func (c *compiler) sortKey(f *fieldDef, order string) cmpFn {
	if f.noSort || f.kind == kTextAll {
		c.errorf("Field '%s' does not support sorting.", f.name)
		return nil
	}
	desc := order == "DESC"
	if order == "" {
		// Jira's default order per field: newest dates and highest
		// priority first, but the soonest due date first.
		desc = f.kind == kDate && !f.dateOnly || f.kind == kPriority
	}
	var cmp cmpFn
	switch f.kind {
	case kKey:
		cmp = cmpKey
	case kRank:
		cmp = func(a, b *Issue) int { return cmpInt(a.ID, b.ID) }
	case kProject:
		cmp = func(a, b *Issue) int {
			if r := cmpFold(a.ProjectName, b.ProjectName); r != 0 {
				return r
			}
			return cmpFold(a.ProjectKey, b.ProjectKey)
		}
	case kPriority:
		prios := c.priorities()
		cmp = byValue(func(is *Issue) (int, bool) {
			r := rankOf(prios, is.Priority)
			return r, r != 0
		}, func(a, b int) int { return a - b })
	case kStatus:
		order := c.env.Statuses
		cmp = byValue(func(is *Issue) (string, bool) { return one(is.Status) }, func(x, y string) int {
			if len(order) > 0 {
				if r := indexFold(order, x) - indexFold(order, y); r != 0 {
					return r
				}
			}
			return cmpFold(x, y)
		})
	case kUser:
		user := f.user
		cmp = byValue(func(is *Issue) (string, bool) {
			if u := user(is); u != nil {
				return u.DisplayName, true
			}
			return "", false
		}, cmpFold)
	case kDate:
		cmp = byValue(f.date, func(x, y time.Time) int { return x.Compare(y) })
	case kNumber, kWatchers:
		cmp = byValue(f.num, cmpFloat)
	case kSprint:
		sprints := f.sprints
		cmp = byValue(func(is *Issue) (int, bool) {
			best := 0
			for _, s := range sprints(is) {
				best = max(best, s.ID)
			}
			return best, best != 0
		}, func(a, b int) int { return a - b })
	case kText:
		text := f.text
		cmp = byValue(func(is *Issue) (string, bool) {
			s, _ := text(is, 0)
			return one(s)
		}, cmpFold)
	default: // name-like fields: first value
		vals := f.vals
		cmp = byValue(func(is *Issue) (string, bool) { return vals(is, 0) }, cmpFold)
	}
	if desc {
		return func(a, b *Issue) int { return -cmp(a, b) }
	}
	return cmp
}

// byValue compares a field's values with empty values last (ascending).
func byValue[T any](get func(*Issue) (T, bool), cmp func(x, y T) int) cmpFn {
	return func(a, b *Issue) int {
		va, oka := get(a)
		vb, okb := get(b)
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return 1
		case !okb:
			return -1
		}
		return cmp(va, vb)
	}
}

func indexFold(list []string, s string) int {
	for i, v := range list {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return len(list)
}

// cmpKey orders issue keys by project key, then by number; ids break ties.
func cmpKey(a, b *Issue) int {
	pa, na, oka := splitKey(a.Key)
	pb, nb, okb := splitKey(b.Key)
	if !oka || !okb {
		if r := strings.Compare(a.Key, b.Key); r != 0 {
			return r
		}
		return cmpInt(a.ID, b.ID)
	}
	if r := cmpFold(pa, pb); r != 0 {
		return r
	}
	if r := cmpInt(na, nb); r != 0 {
		return r
	}
	return cmpInt(a.ID, b.ID)
}

func cmpKeyDesc(a, b *Issue) int { return -cmpKey(a, b) }

// cmpFold compares strings case-insensitively without allocating.
func cmpFold(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			la, lb := unicode.ToLower(ra), unicode.ToLower(rb)
			if la != lb {
				if la < lb {
					return -1
				}
				return 1
			}
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

func (c *Compiled) cmp(a, b *Issue) int {
	for _, f := range c.order {
		if r := f(a, b); r != 0 {
			return r
		}
	}
	return 0
}

// Sort orders issues in place (stable).
func (c *Compiled) Sort(issues []*Issue) {
	slices.SortStableFunc(issues, c.cmp)
}

// TopK returns the first k issues in order, selecting with a bounded heap
// (O(n log k)) instead of sorting everything. issues is not modified.
func (c *Compiled) TopK(issues []*Issue, k int) []*Issue {
	if k <= 0 {
		return nil
	}
	if k >= len(issues) {
		out := slices.Clone(issues)
		c.Sort(out)
		return out
	}
	// h is a max-heap by c.cmp: h[0] is the worst of the best k so far.
	h := make([]*Issue, 0, k)
	for _, is := range issues {
		if len(h) < k {
			h = append(h, is)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if c.cmp(h[i], h[p]) <= 0 {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if c.cmp(is, h[0]) >= 0 {
			continue
		}
		h[0] = is
		for i := 0; ; {
			l, r, m := 2*i+1, 2*i+2, i
			if l < k && c.cmp(h[l], h[m]) > 0 {
				m = l
			}
			if r < k && c.cmp(h[r], h[m]) > 0 {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	c.Sort(h)
	return h
}
