package mcp

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Shared pieces of the three Confluence tools: page URLs, bodies as
// bounded markdown, space resolution (snapshot first, REST as a fallback)
// and argument checks.

const (
	// pageBodyMaxChars caps the markdown body atlassian_confluence_get_page
	// returns; a longer body is cut with a visible marker.
	pageBodyMaxChars = 50_000
	// searchBodyMaxChars caps each body atlassian_confluence_search returns
	// with includeBody.
	searchBodyMaxChars = 4_000
	// maxCreateRequestBytes is the most a page create may send: Confluence
	// answers 413 over 5 MB, so a larger body is refused before sending.
	maxCreateRequestBytes = 5_000_000
)

// confNumericIDRe is a Confluence content id.
var confNumericIDRe = lazyRegexp(`^[0-9]{1,20}$`)

// confCheckPageID validates a page id argument (it goes into a URL path).
func confCheckPageID(param, id string) error {
	if id == "" {
		return argErrorf(param, "is required: the numeric page id, e.g. \"98305\" (the number after /pages/ in a page URL)")
	}
	if !confNumericIDRe.MatchString(id) {
		hint := ""
		if m := confURLIDRe.FindStringSubmatch(id); m != nil && len(id) <= 2048 {
			hint = fmt.Sprintf("; did you mean %q?", m[1])
		}
		return argErrorf(param, "must be a numeric page id such as \"98305\" (the number after /pages/ in a page URL), got %q%s", confTruncate(id, 60), hint)
	}
	return nil
}

// confURLIDRe finds the page id in a page's URL: .../pages/98305/Title,
// .../pages/edit-v2/98305 or ?pageId=98305.
var confURLIDRe = lazyRegexp(`^https?://\S*?(?:/pages/(?:edit-v2/|viewpage\.action\?pageId=)?|[?&]pageId=)([0-9]{1,20})(?:[/?#&]|$)`)

// confSpaceTitleRe splits "ENG/Runbooks" (a space key, then a title).
var confSpaceTitleRe = lazyRegexp(`^(~?[A-Za-z0-9]{1,255})/(.+)$`)

// checkPageID is confCheckPageID, and when the id is a title (an agent's
// common slip) it looks the title up and names the matching ids, so the
// error says which pageId to use. The lookup is one CQL read, made only
// on this error path.
func (d *Deps) checkPageID(ctx context.Context, param, id string) error {
	err := confCheckPageID(param, id)
	if err == nil || d.Confluence == nil || len(id) > 255 || strings.ContainsAny(id, "\"\\\n") || !strings.ContainsFunc(id, unicode.IsLetter) {
		return err
	}
	title, where := strings.TrimSpace(id), ""
	if m := confSpaceTitleRe.FindStringSubmatch(title); m != nil {
		// "ENG/Runbooks": a title inside a space, when ENG is one.
		if sp, serr := d.snapshot().Space(m[1]); serr == nil {
			title, where = strings.TrimSpace(m[2]), fmt.Sprintf("space = %q AND ", sp.Key)
		}
	}
	if where == "" && strings.Contains(title, "/") {
		return err
	}
	res, serr := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{CQL: fmt.Sprintf("%stitle = %q AND type in (page, blogpost)", where, title), Limit: 5, Expand: []string{"content.space"}})
	if serr != nil || len(res.Results) == 0 {
		return err
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
		ids = append(ids, fmt.Sprintf("pageId %q%s", r.Content.ID, where))
	}
	var ae *ArgError
	if len(ids) == 0 || !errors.As(err, &ae) {
		return err
	}
	if len(ids) == 1 {
		ae.Msg += fmt.Sprintf("; the page titled %q is %s", title, ids[0])
	} else {
		ae.Msg += fmt.Sprintf("; pages titled %q: %s", title, strings.Join(ids, ", "))
	}
	return ae
}

// pageURL is the browser URL of content whose _links.webui is webui:
// the site URL, /wiki, and the link. base (the answer's _links.base) is
// used only when the site URL is unknown.
func (d *Deps) confPageURL(webui, base string) string {
	if webui == "" {
		return ""
	}
	if strings.HasPrefix(webui, "https://") || strings.HasPrefix(webui, "http://") {
		return webui
	}
	root := strings.TrimRight(d.SiteURL, "/")
	if root != "" {
		root += "/wiki"
	} else {
		root = strings.TrimRight(base, "/")
	}
	if !strings.HasPrefix(webui, "/") {
		webui = "/" + webui
	}
	return root + webui
}

// confMarkdownBody converts a storage body to markdown, gives its mentions
// the names in names (nil for none), and cuts it at max characters. It
// reports whether it cut, and the full length.
func confMarkdownBody(storage string, max int, names map[string]string) (md string, truncated bool, total int, err error) {
	md, err = adf.StorageToMarkdown(storage)
	if err != nil {
		if errors.Is(err, adf.ErrTooLarge) {
			return "", true, len(storage), nil
		}
		return "", false, 0, err
	}
	md = confNameMentions(strings.TrimRight(md, "\n"), names)
	total = utf8.RuneCountInString(md)
	if total <= max {
		return md, false, total, nil
	}
	return confCutMarkdown(md, max), true, total, nil
}

// confCutMarkdown returns the first max characters of md, backed up to the
// last line break in the final fifth so a line is not cut in half, and an
// unterminated code fence closed so the cut text still reads right.
func confCutMarkdown(md string, max int) string {
	cut := confTruncate(md, max)
	if i := strings.LastIndexByte(cut, '\n'); i > len(cut)*4/5 {
		cut = cut[:i]
	}
	fences := 0
	for _, line := range strings.Split(cut, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " >"), "```") {
			fences++
		}
	}
	if fences%2 == 1 {
		cut += "\n```"
	}
	return cut
}

// confTruncate returns the first max runes of s.
func confTruncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
}

// confTruncMarker is appended to a cut body.
func confTruncMarker(shown, total int, rest string) string {
	return fmt.Sprintf("\n\n[… truncated: showing the first %d of %d characters. %s]", shown, total, rest)
}

// confHighlightRe matches Confluence's search highlight markers.
var confHighlightRe = lazyRegexp(`@@@(?:end)?hl@@@`)

// confPlainExcerpt strips highlight markup and HTML entities from a search
// excerpt and folds its whitespace.
func confPlainExcerpt(s string) string {
	s = confHighlightRe.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	return strings.Join(strings.Fields(s), " ")
}

// confSpace is a space as the Confluence tools show it.
type confSpace struct {
	ID   string `json:"id,omitempty"`
	Key  string `json:"key"`
	Name string `json:"name,omitempty"`
}

// spaceByID resolves a space id through the snapshot, then REST. A space
// that cannot be resolved yields just its id (the page is still useful).
func (d *Deps) confSpaceByID(ctx context.Context, id string) confSpace {
	if snap := d.snapshot(); snap != nil && snap.Confluence != nil {
		for _, sp := range snap.Confluence.Spaces {
			if sp.ID == id {
				return confSpace{ID: sp.ID, Key: sp.Key, Name: sp.Name}
			}
		}
	}
	if d.Confluence != nil && id != "" {
		if got, err := d.Confluence.Spaces.List(ctx, &atlassian.SpaceListOptions{IDs: []string{id}, Max: 1}); err == nil && len(got) == 1 {
			return confSpace{ID: got[0].ID, Key: got[0].Key, Name: got[0].Name}
		}
	}
	return confSpace{ID: id}
}

// spaceByKey resolves a space key to its space. The snapshot answers
// first; before discovery, or when the snapshot does not list every space,
// Confluence is asked. An unknown key is an ArgError on spaceKey listing
// valid keys, prefixed as Jira's lookups are (paramErr).
func (d *Deps) confSpaceByKey(ctx context.Context, key string) (confSpace, error) {
	snap := d.snapshot()
	sp, lookupErr := snap.Space(key)
	if lookupErr == nil {
		return confSpace{ID: sp.ID, Key: sp.Key, Name: sp.Name}, nil
	}
	complete := snap != nil && snap.Confluence != nil && !snap.Confluence.MoreSpaces
	if complete {
		return confSpace{}, paramErr("spaceKey", lookupErr)
	}
	if !confValidSpaceKey(key) {
		return confSpace{}, argErrorf("spaceKey", "%q is not a space key (letters, digits and underscores, or ~ and an account id for a personal space)", confTruncate(key, 60))
	}
	got, err := d.Confluence.Spaces.ByKeys(ctx, []string{key})
	if err != nil {
		return confSpace{}, err
	}
	if len(got) == 0 {
		var le *schema.LookupError
		if errors.As(lookupErr, &le) && len(le.Valid) > 0 {
			return confSpace{}, paramErr("spaceKey", lookupErr)
		}
		return confSpace{}, argErrorf("spaceKey", "no space with key %q is visible to the connection; space keys are case-sensitive, e.g. ENG", confTruncate(key, 60))
	}
	return confSpace{ID: got[0].ID, Key: got[0].Key, Name: got[0].Name}, nil
}

var confSpaceKeyRe = lazyRegexp(`^(?:[A-Za-z0-9_]{1,255}|~[A-Za-z0-9][A-Za-z0-9:_-]{0,127})$`)

func confValidSpaceKey(k string) bool { return confSpaceKeyRe.MatchString(k) }

// confTime renders a timestamp for results ("" when unknown).
func confTime(t atlassian.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
