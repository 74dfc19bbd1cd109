package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Limits of atlassian_confluence_create_page.
const (
	createMaxLabels   = 50
	createMaxTitle    = 255
	createMaxLabelLen = 255
	// confLabelForbidden are the characters Confluence refuses in a label
	// (besides white space).
	confLabelForbidden = ":;,.?&[]()#^*@!<>"
)

// confluenceCreatePageArgs are the arguments of atlassian_confluence_create_page.
type confluenceCreatePageArgs struct {
	SpaceKey     string   `json:"spaceKey" jsonschema:"space key, e.g. ENG"`
	Title        string   `json:"title" jsonschema:"unique in the space"`
	Content      string   `json:"content" jsonschema:"markdown"`
	ParentPageID string   `json:"parentPageId,omitempty" jsonschema:"numeric page id; default: top of the space"`
	Status       string   `json:"status,omitempty" jsonschema:"default current,enum=current,enum=draft"`
	Labels       []string `json:"labels,omitempty" jsonschema:"lower case, no spaces"`
}

// confluenceCreatePageResult is the result of atlassian_confluence_create_page.
type confluenceCreatePageResult struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Status   string    `json:"status"`
	Space    confSpace `json:"space"`
	ParentID string    `json:"parentId,omitempty"`
	URL      string    `json:"url"`
	// Labels are the labels added.
	Labels []string `json:"labels"`
	// LabelsAdded is false when labels were asked for but could not be
	// added; LabelError says why. The page exists either way.
	LabelsAdded bool   `json:"labelsAdded"`
	LabelError  string `json:"labelError,omitempty"`
}

// Text renders the result compactly.
func (r confluenceCreatePageResult) Text() string {
	var b strings.Builder
	if r.LabelError != "" {
		b.WriteString("Page created, but its labels were NOT added.\n")
	}
	fmt.Fprintf(&b, "Created %s page %q (id %s) in space %s", r.Status, r.Title, r.ID, r.Space.Key)
	if r.ParentID != "" {
		fmt.Fprintf(&b, " under page %s", r.ParentID)
	}
	b.WriteString(".\nURL: " + r.URL)
	if len(r.Labels) > 0 {
		b.WriteString("\nLabels: " + strings.Join(r.Labels, ", "))
	}
	if r.LabelError != "" {
		b.WriteString("\nLabels not added: " + r.LabelError +
			"\nDo not create the page again; it exists. Add the labels in Confluence, or tell the user.")
	}
	return b.String()
}

// describeConfluenceCreatePage renders the description; the spaces are
// listed once, in atlassian_confluence_search, and the markdown conventions
// in atlassian_confluence_get_page.
func describeConfluenceCreatePage(snap *schema.Snapshot) string {
	var s section
	key := firstSpaceKey(snap)
	s.line("Create a Confluence page from markdown, at the top of a space or under parentPageId (find it with atlassian_confluence_search, which lists the spaces), published or as a draft; returns its id and URL. Existing pages cannot be edited.")
	s.line("Markdown as atlassian_confluence_get_page returns it, e.g. [text](confluence-page:%s/Page Title), plus {status:green DONE} and {date:2026-01-31}. Content over about 5 MB is refused.", key)
	return s.String()
}

// confluenceCreatePageTool is atlassian_confluence_create_page: markdown
// converted to storage, created through v2 (by space id), labels added
// through v1 afterwards. Never retried.
func confluenceCreatePageTool(d *Deps) *Tool {
	return newTool("atlassian_confluence_create_page", "Create a Confluence page", Confluence, Write,
		describeConfluenceCreatePage,
		func(ctx context.Context, in *confluenceCreatePageArgs) (confluenceCreatePageResult, error) {
			return d.confluenceCreatePage(ctx, in)
		})
}

func (d *Deps) confluenceCreatePage(ctx context.Context, in *confluenceCreatePageArgs) (confluenceCreatePageResult, error) {
	var res confluenceCreatePageResult
	// Everything the caller can get wrong is checked before any write.
	key := strings.TrimSpace(in.SpaceKey)
	if key == "" {
		return res, argErrorf("spaceKey", "is required, e.g. %q", firstSpaceKey(d.snapshot()))
	}
	title := strings.TrimSpace(in.Title)
	switch {
	case title == "":
		return res, argErrorf("title", "is required")
	case utf8.RuneCountInString(title) > createMaxTitle:
		return res, argErrorf("title", "is %d characters; Confluence allows at most %d", utf8.RuneCountInString(title), createMaxTitle)
	}
	status := strings.ToLower(strings.TrimSpace(in.Status))
	switch status {
	case "":
		status = "current"
	case "current", "draft":
	default:
		return res, argErrorf("status", "must be \"current\" (published, the default) or \"draft\", got %q", confTruncate(in.Status, 40))
	}
	if in.ParentPageID != "" {
		if err := d.checkPageID(ctx, "parentPageId", in.ParentPageID); err != nil {
			return res, err
		}
	}
	labels, err := confCheckLabels(in.Labels)
	if err != nil {
		return res, err
	}
	if strings.TrimSpace(in.Content) == "" {
		return res, argErrorf("content", "is required: the page body as markdown; an empty page is not created")
	}
	if len(in.Content) > maxCreateRequestBytes {
		return res, argErrorf("content", "is %d bytes; a page may be at most about 5 MB. Split it into several pages", len(in.Content))
	}
	storage, err := adf.MarkdownToStorage(in.Content)
	if err != nil {
		return res, argErrorf("content", "could not be converted to Confluence storage format: %v", err)
	}
	if d.Confluence == nil {
		return res, errors.New("this connection has no Confluence site")
	}
	space, err := d.confSpaceByKey(ctx, key)
	if err != nil {
		return res, err
	}
	if in.ParentPageID == "" {
		if err := d.checkPathTitle(ctx, space, title); err != nil {
			return res, err
		}
	}
	req := &atlassian.PageCreateRequest{SpaceID: space.ID, Status: status, Title: title, ParentID: in.ParentPageID,
		Body: atlassian.Body{Representation: "storage", Value: storage}}
	if encoded, err := json.Marshal(req); err == nil && len(encoded) > maxCreateRequestBytes {
		return res, argErrorf("content", "is %d bytes once converted to Confluence storage format; Confluence refuses requests over 5 MB. Shorten it or split it into several pages", len(encoded))
	}

	page, err := d.Confluence.Pages.Create(ctx, req, nil)
	if err != nil {
		if !canceled(ctx) && outcomeUnknown(err) {
			what := "Confluence did not answer (" + err.Error() + ")."
			if timedOut(ctx, err) {
				what = deadlineText(ctx, "Confluence")
			} else if api := (*atlassian.APIError)(nil); errors.As(err, &api) {
				what = describeError(err)
			}
			title := strings.Join(strings.Fields(strings.NewReplacer(`"`, " ", `\`, " ").Replace(confTruncate(title, 60))), " ")
			return res, &uncertainWrite{fmt.Sprintf("%s The page may have been created anyway (a create is never sent twice). Before creating it again, search: "+
				"space = \"%s\" AND type = page AND title ~ \"%s\" AND created >= now(\"-15m\")", what, space.Key, title)}
		}
		return res, d.createPageError(ctx, err, space, title, in.ParentPageID)
	}
	res = confluenceCreatePageResult{ID: page.ID, Title: page.Title, Status: page.Status, Space: space,
		ParentID: page.ParentID, URL: d.confPageURL(page.Links.WebUI, page.Links.Base), Labels: []string{}, LabelsAdded: len(labels) == 0}
	if res.Status == "" {
		res.Status = status
	}
	if len(labels) == 0 {
		return res, nil
	}
	add := make([]atlassian.LabelCreate, len(labels))
	for i, l := range labels {
		add[i] = atlassian.LabelCreate{Prefix: "global", Name: l}
	}
	if _, err := d.Confluence.Labels.Add(ctx, page.ID, add); err != nil {
		if ctx.Err() != nil {
			// The page exists: say so rather than report a cancellation.
			err = errors.New("the call was cancelled before the labels were added")
		}
		res.LabelError = describeError(err)
		return res, nil
	}
	res.Labels, res.LabelsAdded = labels, true
	return res, nil
}

// confCheckLabels validates label names the way Confluence will, before
// the page is created: lower-cased, trimmed, no white space or forbidden
// characters, at most 255 characters; duplicates are dropped.
func confCheckLabels(in []string) ([]string, error) {
	if len(in) > createMaxLabels {
		return nil, argErrorf("labels", "has %d labels; at most %d can be added at once", len(in), createMaxLabels)
	}
	seen := map[string]bool{}
	var out []string
	for _, l := range in {
		name := strings.ToLower(strings.TrimSpace(l))
		switch {
		case name == "":
			return nil, argErrorf("labels", "contains an empty label")
		case strings.ContainsFunc(name, unicode.IsSpace):
			return nil, argErrorf("labels", "label %q contains a space; Confluence labels are single words such as %q", confTruncate(l, 60), strings.Join(strings.Fields(name), "-"))
		case strings.ContainsAny(name, confLabelForbidden):
			return nil, argErrorf("labels", "label %q contains a character Confluence does not allow in labels (%s)", confTruncate(l, 60), confLabelForbidden)
		case strings.IndexFunc(name, hidden) >= 0:
			return nil, argErrorf("labels", "label %q contains a control or invisible character", confTruncate(l, 60))
		case utf8.RuneCountInString(name) > createMaxLabelLen:
			return nil, argErrorf("labels", "a label is longer than %d characters", createMaxLabelLen)
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// createPageError says what to change after Confluence refused a create:
// for a duplicate title, that the title must change and where the
// existing page is; for a parent in another space, which space the parent
// is in (Atlassian names only the target space's internal id); for a
// parent that does not exist, that it does not.
func (d *Deps) createPageError(ctx context.Context, err error, space confSpace, title, parentID string) error {
	var apiErr *atlassian.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest && apiErr.StatusCode != http.StatusNotFound {
		return err
	}
	msg := strings.ToLower(strings.Join(apiErr.Messages(), " "))
	switch {
	case strings.Contains(msg, "title already exists") || strings.Contains(msg, "same title"):
		text := fmt.Sprintf("A page titled %q already exists in space %s, and titles are unique within a space. Change the title", title, space.Key)
		if ex := d.existingPage(ctx, space.Key, title); ex != nil {
			text += fmt.Sprintf(" (or read the existing page: atlassian_confluence_get_page pageId=%s, %s)", ex.ID, ex.URL)
		}
		return argErrorf("title", "%s; nothing was created", text)
	case parentID != "" && strings.Contains(msg, "parent"):
		parent, perr := d.Confluence.Pages.Get(ctx, parentID, nil)
		if perr != nil {
			if confIsNotFound(perr) {
				if post, berr := d.Confluence.BlogPosts.Get(ctx, parentID, nil); berr == nil {
					return argErrorf("parentPageId", "%s is the blog post %q, and pages cannot be created under a blog post; omit parentPageId to create the page at the top of %s, or give a page's id (find one with atlassian_confluence_search: type = page AND space = %s)",
						parentID, post.Title, space.Key, space.Key)
				}
				return argErrorf("parentPageId", "page %s does not exist or is not visible to the connected user; find the parent's id with atlassian_confluence_search (e.g. type = page AND space = %s AND title ~ \"...\"), or omit parentPageId to create the page at the top of %s", parentID, space.Key, space.Key)
			}
			return err
		}
		if parent.SpaceID != space.ID {
			ps := d.confSpaceByID(ctx, parent.SpaceID)
			if ps.Key == "" {
				return argErrorf("parentPageId", "page %s (%q) is in another space, not in space %s where the page is to be created; choose a parent in %s, or omit parentPageId for the top of %s",
					parentID, parent.Title, space.Key, space.Key, space.Key)
			}
			return argErrorf("parentPageId", "page %s (%q) is in space %s, not in space %s where the page is to be created; use spaceKey %q to create it under that parent, or choose a parent in %s (or omit parentPageId for the top of %s)",
				parentID, parent.Title, ps.Key, space.Key, ps.Key, space.Key, space.Key)
		}
	}
	return err
}

// checkPathTitle refuses a title written as a path ("Runbooks/Cache
// warmup") whose first part is a page of the space, without a parent:
// pages nest by parentPageId, and the agent meant a child of that page.
// One search, only for titles with a slash. A caller that wants the slash
// in the title names a parent, which skips the check.
func (d *Deps) checkPathTitle(ctx context.Context, space confSpace, title string) error {
	i := strings.LastIndexByte(title, '/')
	if i <= 0 || i == len(title)-1 {
		return nil
	}
	parentTitle, leaf := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+1:])
	if j := strings.LastIndexByte(parentTitle, '/'); j >= 0 {
		parentTitle = strings.TrimSpace(parentTitle[j+1:])
	}
	if parentTitle == "" || leaf == "" {
		return nil
	}
	ex := d.existingPage(ctx, space.Key, parentTitle)
	if ex == nil || ex.ID == "" {
		return nil
	}
	return argErrorf("title", "%q reads as a path, but pages nest by parentPageId, not by title: to create %q under the page %q, use title %q and parentPageId %q. "+
		"To keep the slash in the title, pass the parent you want explicitly", confTruncate(title, 80), leaf, parentTitle, leaf, ex.ID)
}

// existingPage finds the current page titled title in a space, or nil.
func (d *Deps) existingPage(ctx context.Context, spaceKey, title string) *confSearchHit {
	q := fmt.Sprintf("type = page AND space = %q AND title = %q", spaceKey, title)
	found, err := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{CQL: q, Limit: 5, Excerpt: "none"})
	if err != nil {
		return nil
	}
	for i := range found.Results {
		h := d.searchHit(&found.Results[i], found.Links.Base)
		if strings.EqualFold(h.Title, title) {
			return &h
		}
	}
	return nil
}
