package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Limits of atlassian_confluence_search (TOOLS.md).
const (
	searchDefaultLimit  = 25
	searchMaxLimit      = 250
	searchMaxLimitBody  = 50
	searchMaxCursorSize = 2048
)

// confluenceSearchArgs are the arguments of atlassian_confluence_search.
type confluenceSearchArgs struct {
	CQL         string `json:"cql" jsonschema:"passed to Confluence as is"`
	Limit       *int   `json:"limit,omitempty" jsonschema:"results per call, default 25, max 250 (50 with includeBody)"`
	Cursor      string `json:"cursor,omitempty" jsonschema:"the previous answer's nextCursor, same cql"`
	IncludeBody bool   `json:"includeBody,omitempty" jsonschema:"add each page's body as markdown, cut at 4000 characters"`
}

// confSearchHit is one search result.
type confSearchHit struct {
	ID    string     `json:"id,omitempty"`
	Title string     `json:"title"`
	Type  string     `json:"type" jsonschema:"page, blogpost, comment, attachment, folder, space, ..."`
	Space *confSpace `json:"space,omitempty"`
	// Excerpt is plain text, without highlight markup.
	Excerpt      string `json:"excerpt,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	URL          string `json:"url,omitempty"`
	// Body is the page body as markdown (includeBody only).
	Body          string `json:"body,omitempty"`
	BodyTruncated bool   `json:"bodyTruncated,omitempty"`
	// BodyNote says why a requested body is missing.
	BodyNote string `json:"bodyNote,omitempty"`
}

// confluenceSearchResult is the result of atlassian_confluence_search.
type confluenceSearchResult struct {
	CQL     string          `json:"cql"`
	Results []confSearchHit `json:"results"`
	// TotalSize is Confluence's count of all matches (an estimate on
	// large sites).
	TotalSize int  `json:"totalSize"`
	IsLast    bool `json:"isLast"`
	// NextCursor continues the search (pass it as cursor with the same
	// cql); empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
	// Hint says why a query may have found nothing (a space named by its
	// name rather than its key).
	Hint string `json:"hint,omitempty"`
}

// Text renders the result compactly.
func (r confluenceSearchResult) Text() string {
	var b strings.Builder
	switch {
	case len(r.Results) == 0 && r.NextCursor == "":
		fmt.Fprintf(&b, "No results for CQL: %s", r.CQL)
	case r.TotalSize >= len(r.Results):
		fmt.Fprintf(&b, "%d results (of %d) for CQL: %s", len(r.Results), r.TotalSize, r.CQL)
	default:
		fmt.Fprintf(&b, "%d results for CQL: %s", len(r.Results), r.CQL)
	}
	for i, h := range r.Results {
		fmt.Fprintf(&b, "\n\n%d. [%s] %s", i+1, h.Type, h.Title)
		var meta []string
		if h.ID != "" {
			meta = append(meta, "id "+h.ID)
		}
		if h.Space != nil && h.Space.Key != "" {
			meta = append(meta, "space "+h.Space.Key+" ("+h.Space.Name+")")
		}
		if h.LastModified != "" {
			meta = append(meta, "modified "+h.LastModified)
		}
		if len(meta) > 0 {
			b.WriteString("\n   " + strings.Join(meta, " · "))
		}
		if h.URL != "" {
			b.WriteString("\n   " + h.URL)
		}
		if h.Excerpt != "" {
			b.WriteString("\n   " + h.Excerpt)
		}
		if h.BodyNote != "" {
			b.WriteString("\n   (" + h.BodyNote + ")")
		}
		if h.Body != "" {
			b.WriteString("\n--- body ---\n" + h.Body + "\n--- end of body ---")
		}
	}
	if r.Hint != "" {
		b.WriteString("\nHint: " + r.Hint)
		if !strings.Contains(r.Hint, "the query reads: ") {
			b.WriteString(".") // a corrected query ends the hint as it is
		}
	}
	if r.NextCursor != "" {
		fmt.Fprintf(&b, "\n\nMore results: call again with the same cql and cursor=%q.", r.NextCursor)
	} else if len(r.Results) > 0 {
		b.WriteString("\n\nThis is the last page.")
	}
	return b.String()
}

// describeConfluenceSearch renders the description: the one place the
// site's spaces are listed (a read-only tool, offered whenever Confluence is).
func describeConfluenceSearch(snap *schema.Snapshot) string {
	var s section
	s.line("Search Confluence with CQL; returns matches with id, title, type, space, excerpt, last change and URL; read a page with atlassian_confluence_get_page.")
	key := firstSpaceKey(snap)
	s.field("Spaces", spacesLine(snap))
	s.line("CQL fields: type, space, title, text, label, ancestor, parent, id, created, lastmodified, creator, contributor; operators = != ~ (contains) !~ in, AND OR NOT, ORDER BY; quote strings; users by account id or currentUser(), not by name. Examples:")
	s.line("- type = page AND space = %s AND text ~ \"runbook\"", key)
	s.line("- label = \"policy\" AND created >= now(\"-7d\") ORDER BY lastmodified DESC")
	s.line("- ancestor = 12345 AND type = page (everything under a page)")
	return s.String()
}

// confluenceSearchTool is atlassian_confluence_search: CQL search (v1)
// with cursor paging and, on request, page bodies fetched in bulk (v2).
func confluenceSearchTool(d *Deps) *Tool {
	return newTool("atlassian_confluence_search", "Search Confluence", Confluence, ReadOnly,
		describeConfluenceSearch,
		func(ctx context.Context, in *confluenceSearchArgs) (confluenceSearchResult, error) {
			return d.confluenceSearch(ctx, in)
		})
}

func (d *Deps) confluenceSearch(ctx context.Context, in *confluenceSearchArgs) (confluenceSearchResult, error) {
	var res confluenceSearchResult
	cql := strings.TrimSpace(in.CQL)
	if cql == "" {
		return res, argErrorf("cql", "is required, e.g. type = page AND space = %s AND text ~ \"runbook\"", firstSpaceKey(d.snapshot()))
	}
	if err := checkQuery("cql", "CQL", cql); err != nil {
		return res, err
	}
	limit := searchDefaultLimit
	if in.Limit != nil {
		limit = *in.Limit
	}
	max := searchMaxLimit
	if in.IncludeBody {
		max = searchMaxLimitBody
	}
	switch {
	case limit < 1:
		return res, argErrorf("limit", "must be between 1 and %d, got %d", max, limit)
	case limit > max && in.IncludeBody:
		return res, argErrorf("limit", "must be at most %d with includeBody (got %d); use a smaller limit, or search without bodies (max %d) and read pages with atlassian_confluence_get_page", max, limit, searchMaxLimit)
	case limit > max:
		return res, argErrorf("limit", "must be at most %d, got %d; page through more with cursor", max, limit)
	}
	if len(in.Cursor) > searchMaxCursorSize || strings.ContainsAny(in.Cursor, " \t\r\n") {
		return res, argErrorf("cursor", "is not a cursor this tool returned; pass nextCursor from the previous answer exactly, or omit it to start over")
	}
	if d.Confluence == nil {
		return res, errors.New("this connection has no Confluence site")
	}
	page, err := d.Confluence.Search.CQL(ctx, &atlassian.CQLOptions{
		CQL: cql, Limit: limit, Cursor: in.Cursor, Excerpt: "highlight",
	})
	if err != nil {
		return res, d.cqlTitleAsID(ctx, cqlError(err, cql, in.Cursor != "", firstSpaceKey(d.snapshot())), cql)
	}
	res = confluenceSearchResult{CQL: cql, Results: make([]confSearchHit, 0, len(page.Results)),
		TotalSize: page.TotalSize, NextCursor: page.NextCursor, IsLast: page.NextCursor == ""}
	for _, it := range page.Results {
		res.Results = append(res.Results, d.searchHit(&it, page.Links.Base))
	}
	if in.IncludeBody {
		d.attachBodies(ctx, res.Results)
	}
	if len(res.Results) == 0 && in.Cursor == "" {
		res.Hint = cqlSpaceHint(d.snapshot(), cql, d.liveSpaceLookup(ctx))
		if res.Hint == "" {
			res.Hint = d.cqlEmptyHint(ctx, cql)
		}
	}
	return res, nil
}

// searchHit converts a v1 search item.
func (d *Deps) searchHit(it *atlassian.SearchResultItem, base string) confSearchHit {
	// The top-level title carries highlight markup; the content's is raw.
	h := confSearchHit{Title: confPlainExcerpt(it.Title), Excerpt: confPlainExcerpt(it.Excerpt), LastModified: confTime(it.LastModified),
		Type: it.EntityType}
	webui := it.URL
	if c := it.Content; c != nil {
		h.ID, h.Type = c.ID, c.Type
		if c.Title != "" {
			h.Title = c.Title
		}
		if c.Links.WebUI != "" {
			webui = c.Links.WebUI
		}
		if c.Space != nil {
			h.Space = &confSpace{Key: c.Space.Key, Name: c.Space.Name}
		}
	}
	if h.Space == nil && it.ResultGlobalContainer != nil {
		if key, ok := strings.CutPrefix(it.ResultGlobalContainer.DisplayURL, "/spaces/"); ok && key != "" {
			h.Space = &confSpace{Key: strings.Trim(key, "/"), Name: it.ResultGlobalContainer.Title}
		}
	}
	if h.Space == nil && h.Type == "space" {
		// v1 puts a space hit's space at the top level, which the REST
		// layer does not keep; its URL is /spaces/KEY.
		if key, ok := strings.CutPrefix(it.URL, "/spaces/"); ok && confValidSpaceKey(strings.Trim(key, "/")) {
			h.Space = &confSpace{Key: strings.Trim(key, "/"), Name: h.Title}
		}
	}
	h.URL = d.confPageURL(webui, base)
	return h
}

// attachBodies fetches the bodies of the page hits in bulk (v2 pages?id=,
// storage) and sets them as markdown. When the bulk read fails the hits
// keep a note saying why: the search results are still worth having.
func (d *Deps) attachBodies(ctx context.Context, hits []confSearchHit) {
	var ids []string
	for _, h := range hits {
		if h.Type == "page" && confNumericIDRe.MatchString(h.ID) {
			ids = append(ids, h.ID)
		}
	}
	byID := map[string]*atlassian.Page{}
	if len(ids) > 0 {
		pages, err := d.Confluence.Pages.GetMany(ctx, ids, "storage")
		if err != nil {
			for i := range hits {
				hits[i].BodyNote = "bodies could not be read: " + describeError(err)
			}
			return
		}
		for i := range pages {
			byID[pages[i].ID] = &pages[i]
		}
	}
	// The people mentioned in all the bodies, named in one lookup.
	var people []string
	for _, p := range byID {
		if p.Body != nil && p.Body.Storage != nil {
			people = append(people, confStorageUserIDs(p.Body.Storage.Value)...)
		}
	}
	names := d.confNames(ctx, people)
	for i := range hits {
		h := &hits[i]
		if h.Type != "page" {
			h.BodyNote = "no body: only pages' bodies are included; this is a " + h.Type
			continue
		}
		p := byID[h.ID]
		if p == nil || p.Body == nil || p.Body.Storage == nil {
			h.BodyNote = "body not available (the page may have been deleted or restricted since the search)"
			continue
		}
		md, cut, total, err := confMarkdownBody(p.Body.Storage.Value, searchBodyMaxChars, names)
		if err != nil {
			h.BodyNote = "body could not be converted to markdown: " + err.Error()
			continue
		}
		if cut {
			md += confTruncMarker(len([]rune(md)), total, "Read the whole page with atlassian_confluence_get_page pageId="+h.ID+".")
		}
		h.Body, h.BodyTruncated = md, cut
	}
}
