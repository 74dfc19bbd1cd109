package jql

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/querykit"
)

// dateVal is a resolved date operand. A date-only literal ("2026-01-31")
// covers its whole day: = matches within the day, while < <= > >= compare
// with the day's start, as Jira does. Everything else is an instant.
type dateVal struct {
	at  time.Time
	end time.Time // exclusive end of the day for date-only literals; == at otherwise
}

func (d dateVal) eq(t time.Time) bool {
	if d.end.Equal(d.at) {
		return t.Equal(d.at)
	}
	return !t.Before(d.at) && t.Before(d.end)
}

const dateFormats = "Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."

// parseDate reads a date literal: epoch milliseconds, one of Jira's four
// absolute formats, or a period relative to now ("-5d", "4w 2d", "-1d 2h").
func parseDate(s string, now time.Time, loc *time.Location) (dateVal, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return dateVal{}, false
	}
	if looksNumeric(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return dateVal{}, false
		}
		t := time.UnixMilli(ms).In(loc)
		return dateVal{at: t, end: t}, true
	}
	if d, ok := parseAbsolute(s, loc); ok {
		return d, true
	}
	if d, ok := parsePeriod(s); ok {
		t := now.Add(d)
		return dateVal{at: t, end: t}, true
	}
	return dateVal{}, false
}

func parseAbsolute(s string, loc *time.Location) (dateVal, bool) {
	datePart, timePart, hasTime := strings.Cut(s, " ")
	sep := byte('-')
	if strings.IndexByte(datePart, '/') >= 0 {
		sep = '/'
	}
	parts := strings.Split(datePart, string(sep))
	if len(parts) != 3 || len(parts[0]) != 4 {
		return dateVal{}, false
	}
	y, ok1 := smallInt(parts[0], 4)
	mo, ok2 := smallInt(parts[1], 2)
	d, ok3 := smallInt(parts[2], 2)
	if !ok1 || !ok2 || !ok3 {
		return dateVal{}, false
	}
	h, mi := 0, 0
	if hasTime {
		timePart = strings.TrimSpace(timePart)
		hs, ms, ok := strings.Cut(timePart, ":")
		if !ok {
			return dateVal{}, false
		}
		var okh, okm bool
		h, okh = smallInt(hs, 2)
		mi, okm = smallInt(ms, 2)
		if !okh || !okm || h > 23 || mi > 59 {
			return dateVal{}, false
		}
	}
	t := time.Date(y, time.Month(mo), d, h, mi, 0, 0, loc)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return dateVal{}, false // 2010/02/35 and the like
	}
	if hasTime {
		return dateVal{at: t, end: t}, true
	}
	return dateVal{at: t, end: t.AddDate(0, 0, 1)}, true
}

func smallInt(s string, maxLen int) (int, bool) {
	if s == "" || len(s) > maxLen || !isDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

// parsePeriod reads "-5d", "4w 2d", "-1d 2h", "30m": units w, d, h, m; the
// sign applies to the whole period.
func parsePeriod(s string) (time.Duration, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		var unit time.Duration
		switch s[i] {
		case 'w', 'W':
			unit = 7 * 24 * time.Hour
		case 'd', 'D':
			unit = 24 * time.Hour
		case 'h', 'H':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		default:
			return 0, false
		}
		total += time.Duration(n) * unit
		s = strings.TrimLeft(s[i+1:], " ")
	}
	if neg {
		total = -total
	}
	return total, true
}

// dateFuncs lists the date functions and the unit of their bare increment.
var dateFuncs = map[string]byte{
	"now": 0, "startofday": 'd', "endofday": 'd', "startofweek": 'w', "endofweek": 'w',
	"startofmonth": 'M', "endofmonth": 'M', "startofyear": 'y', "endofyear": 'y',
}

// evalDateFunc computes a date function's instant; msg is Jira's error.
func evalDateFunc(f *Func, now time.Time, loc *time.Location) (t time.Time, msg string) {
	name := strings.ToLower(f.Name)
	unit, ok := dateFuncs[name]
	if !ok {
		return time.Time{}, ""
	}
	if name == "now" {
		if len(f.Args) != 0 {
			return time.Time{}, fmt.Sprintf("Function '%s' expected '0' arguments but received '%d'.", f.Name, len(f.Args))
		}
		return now, ""
	}
	if len(f.Args) > 1 {
		return time.Time{}, fmt.Sprintf("Function '%s' expected between '0' and '1' arguments but received '%d'.", f.Name, len(f.Args))
	}
	n, u := 0, unit
	if len(f.Args) == 1 {
		var ok bool
		if n, u, ok = parseIncrement(f.Args[0], unit); !ok {
			return time.Time{}, fmt.Sprintf("Duration for function '%s' should have the format (+/-)n(yMwdm), e.g -1M for 1 month earlier.", f.Name)
		}
	}
	now = now.In(loc)
	y, m, d := now.Date()
	var start time.Time
	switch unit {
	case 'd':
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case 'w': // weeks start on Sunday, Jira's default locale
		start = time.Date(y, m, d-int(now.Weekday()), 0, 0, 0, 0, loc)
	case 'M':
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	case 'y':
		start = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
	isEnd := strings.HasPrefix(name, "end")
	if u == unit {
		// Shift whole periods, then take the start or the last moment.
		if isEnd {
			return querykit.AddUnit(start, unit, n+1).Add(-time.Millisecond), ""
		}
		return querykit.AddUnit(start, unit, n), ""
	}
	if isEnd {
		start = querykit.AddUnit(start, unit, 1).Add(-time.Millisecond)
	}
	return querykit.AddUnit(start, u, n), ""
}

func parseIncrement(s string, def byte) (int, byte, bool) {
	s = strings.TrimSpace(s)
	sign := 1
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = -1, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	unit := def
	if s != "" {
		switch c := s[len(s)-1]; c {
		case 'y', 'M', 'w', 'd', 'h', 'm':
			unit, s = c, s[:len(s)-1]
		}
	}
	if !isDigits(s) || len(s) > 6 {
		return 0, 0, false
	}
	n, _ := strconv.Atoi(s)
	return sign * n, unit, true
}

// dayStart turns a calendar date (as stored, in any location) into the start
// of that day in loc.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
