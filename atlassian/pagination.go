package atlassian

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ErrUnsafeNextLink is wrapped by the error for a pagination link that
// points at another host, another path, or carries no cursor. Such a link
// is never followed.
var ErrUnsafeNextLink = errors.New("atlassian: unsafe pagination link refused")

// maxPages bounds every "all pages" loop, so a server that never says
// "last page" cannot keep the client busy forever.
const maxPages = 1000

// Links is Confluence's _links object.
type Links struct {
	Next    string `json:"next,omitempty"`
	Base    string `json:"base,omitempty"`
	Context string `json:"context,omitempty"`
	Self    string `json:"self,omitempty"`
	WebUI   string `json:"webui,omitempty"`
	EditUI  string `json:"editui,omitempty"`
	TinyUI  string `json:"tinyui,omitempty"`
}

// cursorFromNext reduces a Confluence _links.next value to its cursor. The
// link must be relative (or absolute on the configured host) and its path,
// with or without the /wiki prefix and the gateway prefix, must be the
// path of the call that returned it (wantPath, which starts with /wiki).
// It returns "" for an empty link (the last page).
func (c *core) cursorFromNext(next, wantPath string) (string, error) {
	next = strings.TrimSpace(next)
	if next == "" {
		return "", nil
	}
	u, err := url.Parse(next)
	if err != nil {
		return "", fmt.Errorf("%w: next link does not parse", ErrUnsafeNextLink)
	}
	if u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || strings.HasPrefix(next, "//") {
		if u.Host != c.host || u.Scheme != c.scheme || u.User != nil {
			return "", fmt.Errorf("%w: next link points at host %q, not the configured %q", ErrUnsafeNextLink, sanitizeHeader(u.Host), c.host)
		}
	}
	p := u.Path
	if strings.Contains(p, "..") || strings.Contains(u.RawPath, "%") {
		return "", fmt.Errorf("%w: next link path %q is not canonical", ErrUnsafeNextLink, excerpt([]byte(p)))
	}
	// Strip the gateway prefix of an absolute link on our host.
	if basePath := c.basePath(); basePath != "" {
		p = strings.TrimPrefix(p, basePath)
	}
	want := strings.TrimPrefix(wantPath, "/wiki")
	got := strings.TrimPrefix(p, "/wiki")
	if got != want {
		return "", fmt.Errorf("%w: next link path %q is not %q", ErrUnsafeNextLink, excerpt([]byte(p)), wantPath)
	}
	cur := u.Query().Get("cursor")
	if cur == "" {
		return "", fmt.Errorf("%w: next link has no cursor", ErrUnsafeNextLink)
	}
	return cur, nil
}

// basePath returns the path part of the configured base ("/ex/confluence/<id>").
func (c *core) basePath() string {
	i := strings.Index(c.base, "://")
	rest := c.base[i+3:]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[j:]
	}
	return ""
}

// setInt sets q[key] when v > 0.
func setInt(q url.Values, key string, v int) {
	if v > 0 {
		q.Set(key, strconv.Itoa(v))
	}
}

// setList sets q[key] to the comma-joined values when there are any.
func setList(q url.Values, key string, v []string) {
	if len(v) > 0 {
		q.Set(key, strings.Join(v, ","))
	}
}

// setBool sets q[key] when v is non-nil.
func setBool(q url.Values, key string, v *bool) {
	if v != nil {
		q.Set(key, strconv.FormatBool(*v))
	}
}

// Bool returns a pointer to v, for optional boolean options.
func Bool(v bool) *bool { return &v }

// deref returns a copy of *opts, or the zero options when opts is nil: the
// methods take options as pointers (nil for none), as go-github does, and
// never change the caller's.
func deref[T any](opts *T) T {
	if opts == nil {
		var zero T
		return zero
	}
	return *opts
}
