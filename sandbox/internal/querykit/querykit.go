// Package querykit holds what the sandbox's JQL and CQL engines (and its
// search endpoint) share: wildcard matching and date-unit arithmetic.
package querykit

import "time"

// WildMatch matches s against pattern p where '*' is any run and '?' one
// byte. Iterative, so hostile patterns cost O(len(p)*len(s)).
func WildMatch(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// AddUnit adds n of a JQL/CQL date unit to t: y(ears), M(onths), w(eeks),
// d(ays), h(ours) or m(inutes). Any other unit leaves t as it is.
func AddUnit(t time.Time, unit byte, n int) time.Time {
	switch unit {
	case 'y':
		return t.AddDate(n, 0, 0)
	case 'M':
		return t.AddDate(0, n, 0)
	case 'w':
		return t.AddDate(0, 0, 7*n)
	case 'd':
		return t.AddDate(0, 0, n)
	case 'h':
		return t.Add(time.Duration(n) * time.Hour)
	case 'm':
		return t.Add(time.Duration(n) * time.Minute)
	}
	return t
}
