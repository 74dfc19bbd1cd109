package mcp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// getPageMaxChildren caps the children atlassian_confluence_get_page lists.
const getPageMaxChildren = 100

// confluenceGetPageArgs are the arguments of atlassian_confluence_get_page.
type confluenceGetPageArgs struct {
	PageID           string `json:"pageId" jsonschema:"page or blog post id, e.g. \"98305\", from search or a /pages/ID/ URL"`
	IncludeChildren  bool   `json:"includeChildren,omitempty" jsonschema:"list direct child pages; default false"`
	IncludeAncestors *bool  `json:"includeAncestors,omitempty" jsonschema:"list ancestors, root first; default true"`
}

// confPageRef is a page (or folder) in a breadcrumb or child list.
type confPageRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Type  string `json:"type,omitempty"`
}

// confluenceGetPageResult is the result of atlassian_confluence_get_page.
type confluenceGetPageResult struct {
	ID string `json:"id"`
	// Type is page or blogpost.
	Type   string    `json:"type" jsonschema:"page or blogpost,enum=page,enum=blogpost"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
	Space  confSpace `json:"space"`
	URL    string    `json:"url"`
	// Body is the page as markdown, cut at 50,000 characters.
	Body          string `json:"body"`
	BodyTruncated bool   `json:"bodyTruncated,omitempty"`
	// BodyChars is the length of the whole markdown body.
	BodyChars int      `json:"bodyChars"`
	Labels    []string `json:"labels"`
	ParentID  string   `json:"parentId,omitempty"`
	// Ancestors are the breadcrumbs, the space root first.
	Ancestors []confPageRef `json:"ancestors,omitempty"`
	// Children are the direct child pages (includeChildren).
	Children     []confPageRef `json:"children,omitempty"`
	MoreChildren bool          `json:"moreChildren,omitempty"`
	Version      int           `json:"version"`
	// AuthorID is the creator's account id; LastEditorID the account id of
	// the author of the current version.
	AuthorID     string `json:"authorId,omitempty"`
	LastEditorID string `json:"lastEditorId,omitempty"`
	// Author and LastEditor are their display names, when Confluence
	// shows them.
	Author     string `json:"author,omitempty"`
	LastEditor string `json:"lastEditor,omitempty"`
	Created    string `json:"created,omitempty"`
	Updated    string `json:"updated,omitempty"`
	// Notes says what could not be read (the rest of the page still is).
	Notes []string `json:"notes,omitempty"`
}

// Text renders the result compactly: a header and the markdown body.
func (r confluenceGetPageResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", r.Title)
	var s section
	space := r.Space.Key
	if r.Space.Name != "" {
		space += " (" + r.Space.Name + ")"
	}
	s.field("Space", space)
	if len(r.Ancestors) > 0 {
		crumbs := make([]string, 0, len(r.Ancestors)+1)
		for _, a := range r.Ancestors {
			crumbs = append(crumbs, a.Title)
		}
		s.field("Path", strings.Join(append(crumbs, r.Title), " > "))
	}
	s.field("URL", r.URL)
	meta := fmt.Sprintf("id %s · %s · version %d", r.ID, r.Status, r.Version)
	if r.Type == "blogpost" {
		meta = "blog post · " + meta
	}
	if r.Created != "" {
		meta += " · created " + r.Created
		if who := cmp.Or(r.Author, r.AuthorID); who != "" {
			meta += " by " + who
		}
	}
	if r.Updated != "" {
		meta += " · updated " + r.Updated
		if who := cmp.Or(r.LastEditor, r.LastEditorID); who != "" {
			meta += " by " + who
		}
	}
	s.field("Page", meta)
	s.field("Labels", strings.Join(r.Labels, ", "))
	if r.Children != nil {
		kids := make([]string, len(r.Children))
		for i, c := range r.Children {
			kids[i] = c.Title + " (" + c.ID + ")"
		}
		line := strings.Join(kids, ", ")
		if len(kids) == 0 {
			line = "none"
		}
		if r.MoreChildren {
			line += fmt.Sprintf(" (only the first %d; search with CQL parent = %s for all)", getPageMaxChildren, r.ID)
		}
		s.field("Children", line)
	}
	for _, n := range r.Notes {
		s.field("Note", n)
	}
	b.WriteString(s.String())
	b.WriteString("\n\n")
	b.WriteString(r.Body)
	return b.String()
}

// describeConfluenceGetPage does not list spaces: a page is read by id. It
// is the one place the markdown conventions are said (atlassian_confluence_
// create_page writes the same).
func describeConfluenceGetPage(*schema.Snapshot) string {
	var s section
	s.line("Read one Confluence page or blog post by numeric id: its body as markdown (cut at %d characters), title, space, labels, ancestors, optional children, version, author, times, URL.", pageBodyMaxChars)
	s.line("Markdown: [text](confluence-page:SPACE/Title) links a page; @[name](accountid:ID) mentions; > [!NOTE], > [!TIP], > [!WARNING] are panels; <details><summary>Title</summary>...</details> expands; - [ ] / - [x] tasks; other macros are {name:param=value} placeholders.")
	return s.String()
}

// confluenceGetPageTool is atlassian_confluence_get_page: a page (v2) with
// its body as markdown, breadcrumbs and, on request, children.
func confluenceGetPageTool(d *Deps) *Tool {
	return newTool("atlassian_confluence_get_page", "Get a Confluence page", Confluence, ReadOnly,
		describeConfluenceGetPage,
		func(ctx context.Context, in *confluenceGetPageArgs) (confluenceGetPageResult, error) {
			return d.confluenceGetPage(ctx, in)
		})
}

func (d *Deps) confluenceGetPage(ctx context.Context, in *confluenceGetPageArgs) (confluenceGetPageResult, error) {
	var res confluenceGetPageResult
	if err := d.checkPageID(ctx, "pageId", in.PageID); err != nil {
		return res, err
	}
	if d.Confluence == nil {
		return res, errors.New("this connection has no Confluence site")
	}
	withAncestors := in.IncludeAncestors == nil || *in.IncludeAncestors
	id := in.PageID

	// The page, its ancestors and its children are independent reads.
	var (
		wg                    sync.WaitGroup
		page                  *atlassian.Page
		pageErr, ancErr, kErr error
		ancestors             []atlassian.Ancestor
		children              []atlassian.Child
	)
	if withAncestors {
		wg.Go(func() { ancestors, ancErr = d.Confluence.Pages.Ancestors(ctx, id) })
	}
	if in.IncludeChildren {
		wg.Go(func() {
			children, kErr = d.Confluence.Pages.DirectChildren(ctx, id, &atlassian.ChildrenOptions{Limit: 250, Sort: "child-position"})
		})
	}
	getOpts := &atlassian.PageGetOptions{BodyFormat: "storage", IncludeLabels: true}
	page, pageErr = d.Confluence.Pages.Get(ctx, id, getOpts)
	if confIsNotFound(pageErr) {
		// A draft (e.g. one just created with status draft) is only
		// visible when asked for.
		if draft, err := d.Confluence.Pages.Get(ctx, id, &atlassian.PageGetOptions{BodyFormat: "storage", IncludeLabels: true, GetDraft: true}); err == nil {
			page, pageErr = draft, nil
		}
	}
	contentType := "page"
	if confIsNotFound(pageErr) {
		// Blog posts share the id space of pages but not their endpoint.
		if post, err := d.Confluence.BlogPosts.Get(ctx, id, getOpts); err == nil {
			page, pageErr, contentType = post, nil, "blogpost"
		}
	}
	wg.Wait()
	if pageErr != nil {
		if confIsNotFound(pageErr) {
			return res, argErrorf("pageId", "no page or blog post with id %s is visible to the connected user: it does not exist, was deleted, or is restricted. Check the id (the number after /pages/ in a page URL) or find the page with atlassian_confluence_search", id)
		}
		return res, pageErr
	}
	if contentType == "blogpost" {
		// Blog posts have no place in the page tree.
		withAncestors, in.IncludeChildren = false, false
	}

	res = confluenceGetPageResult{ID: page.ID, Type: contentType, Title: page.Title, Status: page.Status, ParentID: page.ParentID,
		AuthorID: page.AuthorID, Created: confTime(page.CreatedAt), URL: d.confPageURL(page.Links.WebUI, page.Links.Base),
		Labels: []string{}}
	if contentType == "blogpost" {
		res.Notes = append(res.Notes, "this is a blog post, not a page: it has no parent, ancestors or children")
	}
	if page.Version != nil {
		res.Version, res.LastEditorID, res.Updated = page.Version.Number, page.Version.AuthorID, confTime(page.Version.CreatedAt)
	}
	res.Space = d.confSpaceByID(ctx, page.SpaceID)

	// The people of the page, named in one lookup.
	people := []string{res.AuthorID, res.LastEditorID}
	if page.Body != nil && page.Body.Storage != nil {
		people = append(people, confStorageUserIDs(page.Body.Storage.Value)...)
	}
	names := d.confNames(ctx, people)
	res.Author, res.LastEditor = names[res.AuthorID], names[res.LastEditorID]
	if page.Body != nil && page.Body.Storage != nil {
		md, cut, total, err := confMarkdownBody(page.Body.Storage.Value, pageBodyMaxChars, names)
		if err != nil {
			return res, err
		}
		if cut {
			md += confTruncMarker(len([]rune(md)), total, "The rest of the page is not returned; open the URL to read it all.")
		}
		res.Body, res.BodyTruncated, res.BodyChars = md, cut, total
	}

	labels := page.Labels
	if labels != nil && len(labels.Results) >= 50 { // include-labels stops at 50
		if all, err := d.Confluence.Pages.Labels(ctx, id); err == nil {
			labels = &atlassian.LabelList{Results: all}
		} else {
			res.Notes = append(res.Notes, "only the first 50 labels were read: "+describeError(err))
		}
	}
	if labels != nil {
		for _, l := range labels.Results {
			res.Labels = append(res.Labels, l.Name)
		}
	}

	if withAncestors {
		if ancErr != nil {
			res.Notes = append(res.Notes, "ancestors could not be read: "+describeError(ancErr))
		} else {
			crumbs, err := d.breadcrumbs(ctx, ancestors)
			if err != nil {
				res.Notes = append(res.Notes, "ancestor titles could not be read: "+describeError(err))
			}
			res.Ancestors = crumbs
		}
	}
	if in.IncludeChildren {
		if kErr != nil {
			res.Notes = append(res.Notes, "children could not be read: "+describeError(kErr))
		} else {
			res.Children = []confPageRef{}
			for _, c := range children {
				if c.Type != "page" {
					continue
				}
				if len(res.Children) == getPageMaxChildren {
					res.MoreChildren = true
					break
				}
				res.Children = append(res.Children, confPageRef{ID: c.ID, Title: c.Title, Type: c.Type})
			}
		}
	}
	return res, nil
}

// breadcrumbs gives ancestors their titles: pages in one bulk read, and
// any other kind (folders) through one CQL search by id.
func (d *Deps) breadcrumbs(ctx context.Context, ancestors []atlassian.Ancestor) ([]confPageRef, error) {
	if len(ancestors) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(ancestors))
	for _, a := range ancestors {
		ids = append(ids, a.ID)
	}
	titles := map[string]string{}
	pages, err := d.Confluence.Pages.GetMany(ctx, ids, "")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		titles[p.ID] = p.Title
	}
	var missing []string
	for _, id := range ids {
		if _, ok := titles[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		found, err := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{
			CQL: "id in (" + strings.Join(missing, ",") + ")", Limit: len(missing), Excerpt: "none"})
		if err == nil {
			for _, it := range found.Results {
				if it.Content != nil {
					titles[it.Content.ID] = it.Content.Title
				}
			}
		}
	}
	out := make([]confPageRef, len(ancestors))
	for i, a := range ancestors {
		t, ok := titles[a.ID]
		if !ok {
			t = "(" + a.Type + " " + a.ID + ")"
		}
		out[i] = confPageRef{ID: a.ID, Title: t, Type: a.Type}
	}
	return out, nil
}

// confIsNotFound reports an Atlassian 404.
func confIsNotFound(err error) bool {
	var apiErr *atlassian.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
