package atlassian

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// ErrInvalidID is wrapped by every error about an identifier that cannot
// go into a URL path or body (empty, "../", "?", "#", "%2f", whitespace,
// control characters, or the wrong shape). Such a request is never sent.
var ErrInvalidID = errors.New("atlassian: invalid identifier")

// idKind names the shape an identifier must have.
type idKind int

const (
	kindIssue   idKind = iota // "ENG-12" or "10001"
	kindProject               // "ENG" or "10000"
	kindNumeric               // "10001": issue type ids, page ids, transition ids
	kindAccount               // "5b10ac8d82e05b22cc7d4ef5", "557058:f581…"
	kindCloud                 // a cloud id (uuid)
	kindLabel                 // a Confluence label name (body only)
)

var kindNames = map[idKind]string{
	kindIssue:   "issue key or id",
	kindProject: "project key or id",
	kindNumeric: "numeric id",
	kindAccount: "account id",
	kindCloud:   "cloud id",
	kindLabel:   "label",
}

var (
	issueKeyRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`) })
	projectKeyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`) })
	numericRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+$`) })
	accountRe    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:_-]*$`) })
	cloudRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`) })
)

// maxIDLen bounds every identifier.
const maxIDLen = 255

// checkID validates v as an identifier of kind what (the parameter name,
// for the error). The error says what is wrong without echoing control
// characters.
func checkID(kind idKind, what, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s is empty", ErrInvalidID, what)
	}
	if len(v) > maxIDLen {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrInvalidID, what, maxIDLen)
	}
	for _, r := range v {
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("%w: %s %s contains a control character", ErrInvalidID, what, strconv.QuoteToASCII(v))
		case unicode.IsSpace(r):
			return fmt.Errorf("%w: %s %s contains whitespace", ErrInvalidID, what, strconv.QuoteToASCII(v))
		}
	}
	if kind != kindLabel {
		if strings.ContainsAny(v, "/\\?#%") || strings.Contains(v, "..") {
			return fmt.Errorf("%w: %s %s contains a character not allowed in a URL path (/ \\ ? # %% ..)", ErrInvalidID, what, strconv.QuoteToASCII(v))
		}
	}
	var ok bool
	switch kind {
	case kindIssue:
		ok = issueKeyRe().MatchString(v) || numericRe().MatchString(v)
	case kindProject:
		ok = projectKeyRe().MatchString(v) || numericRe().MatchString(v)
	case kindNumeric:
		ok = numericRe().MatchString(v)
	case kindAccount:
		ok = accountRe().MatchString(v) || v == "-1"
	case kindCloud:
		ok = cloudRe().MatchString(v)
	case kindLabel:
		ok = true
	}
	if !ok {
		return fmt.Errorf("%w: %s %s is not a valid %s", ErrInvalidID, what, strconv.QuoteToASCII(v), kindNames[kind])
	}
	return nil
}

// route is one API call: a method, a path template whose {placeholders}
// are filled by args (validated before the route is built, escaped here),
// and how the core may treat it.
type route struct {
	method string
	tmpl   string
	args   []string
	// idempotent allows retrying 502/504 and dropped connections. GET, PUT
	// and DELETE are idempotent; a POST is only when it is a read (JQL
	// search, approximate count).
	idempotent bool
	// issue is the issue key or id of a write to one issue, for the
	// per-issue write limiter.
	issue string
}

// newRoute returns a route for method and tmpl with args; GET, PUT, DELETE
// and HEAD are idempotent.
func newRoute(method, tmpl string, args ...string) route {
	switch method {
	case "GET", "HEAD", "PUT", "DELETE":
		return route{method: method, tmpl: tmpl, args: args, idempotent: true}
	}
	return route{method: method, tmpl: tmpl, args: args}
}

// path fills the template's placeholders with the escaped args.
func (r route) path() string {
	if len(r.args) == 0 {
		return r.tmpl
	}
	var b strings.Builder
	b.Grow(len(r.tmpl) + 16)
	rest, i := r.tmpl, 0
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			return b.String()
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 || i >= len(r.args) {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(r.args[i]))
		i++
		rest = rest[open+end+1:]
	}
}
