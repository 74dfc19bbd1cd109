package sandbox

import (
	"errors"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/cql"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/querykit"
)

// The v1 CQL search, GET /wiki/rest/api/search (ATLASSIAN.md §3.2).

const (
	searchDefaultLimit = 25
	badRequestPrefix   = "com.atlassian.confluence.api.service.exceptions.BadRequestException: "
	maxCQLLength       = 16 << 10
)

// cqlError writes the v1 400 for a query Confluence cannot parse. The
// message is Confluence's; the detail goes in data.errors.
func cqlError(w http.ResponseWriter, query, detail string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"statusCode": http.StatusBadRequest,
		"data": map[string]any{
			"authorized": true,
			"valid":      false,
			"errors": []any{map[string]any{"message": map[string]any{
				"key": "cql.parse.error", "args": []any{}, "translation": detail,
			}}},
			"successful": false,
		},
		"message": badRequestPrefix + "Could not parse cql : " + query,
	})
}

// searchLimitCap is the largest limit a search honours for its expand:
// Cloud caps body view expansions at 25; the sandbox caps other body
// expansions at 50, other expansions at 200 and plain searches at 1000
// (the published Server/DC caps; Cloud documents no other maximum).
func searchLimitCap(expand []string) int {
	max := 1000
	for _, e := range expand {
		switch {
		case strings.Contains(e, "body.export_view"), strings.Contains(e, "body.styled_view"):
			return 25
		case strings.Contains(e, "body."):
			max = min(max, 50)
		default:
			max = min(max, 200)
		}
	}
	return max
}

func cqlKey(query string) string {
	h := fnv.New64a()
	h.Write([]byte(query))
	return strconv.FormatUint(h.Sum64(), 36)
}

func (s *Server) confSearch(w http.ResponseWriter, r *http.Request, c *caller) {
	started := time.Now()
	q := r.URL.Query()
	query := q.Get("cql")
	if strings.TrimSpace(query) == "" {
		confluenceV1Error(w, http.StatusBadRequest, badRequestPrefix+"The cql parameter is required")
		return
	}
	if len(query) > maxCQLLength {
		cqlError(w, truncate(query, 200), "the query is too long")
		return
	}
	parsed, err := cql.Parse(query)
	if err == nil {
		var m *cql.Matcher
		if m, err = parsed.Compile(cql.Env{Now: s.now(), CurrentUser: c.AccountID}); err == nil {
			s.runSearch(w, r, query, parsed, m, started)
			return
		}
	}
	var ce *cql.Error
	if errors.As(err, &ce) {
		cqlError(w, query, ce.Error())
		return
	}
	cqlError(w, query, err.Error())
}

func (s *Server) runSearch(w http.ResponseWriter, r *http.Request, query string, parsed *cql.Query, m *cql.Matcher, started time.Time) {
	q := r.URL.Query()
	sr, msg := readSearchParams(q, query)
	if msg != "" {
		confluenceV1Error(w, http.StatusBadRequest, badRequestPrefix+msg)
		return
	}
	words := highlightWords(parsed.Where)

	s.mu.Lock()
	st := s.confluence()
	hits := searchHits(st, parsed, m, q.Get("includeArchivedSpaces") == "true")
	total := len(hits)
	end := min(sr.offset+sr.limit, total)
	hits = m.SortTop(hits, end)
	results := make([]searchHit, 0, max(0, end-sr.offset))
	for i := sr.offset; i < end; i++ {
		if hits[i].Type == "space" {
			results = append(results, s.spaceSearchResult(st.spaceByID[hits[i].ID], sr.excerpt, words))
			continue
		}
		results = append(results, s.searchResult(st, st.content[hits[i].ID], sr.excerpt, words, sr.expand))
	}
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, map[string]any{
		"results":        results,
		"start":          sr.offset,
		"limit":          sr.limit,
		"size":           len(results),
		"totalSize":      total,
		"cqlQuery":       query,
		"searchDuration": int(time.Since(started).Milliseconds()),
		"_links":         s.searchLinks(r, q, query, sr, end, total),
	})
}

// searchParams are a v1 search's paging, excerpt and expand parameters.
type searchParams struct {
	limit, offset int
	excerpt       string // the excerpt mode, highlight by default
	key           string // the query's key in its cursors
	expand        searchExpand
}

// readSearchParams reads a search's parameters, checking them in
// Confluence's order (limit, excerpt, then cursor or start); on a bad one
// it returns the message, without the exception's prefix.
func readSearchParams(q url.Values, query string) (searchParams, string) {
	expand := queryList(q, "expand")
	sr := searchParams{limit: searchDefaultLimit, excerpt: q.Get("excerpt"), key: cqlKey(query), expand: searchExpandOf(expand)}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return sr, "limit must be a non-negative integer: " + truncate(v, 40)
		}
		sr.limit = n
	}
	sr.limit = min(sr.limit, searchLimitCap(expand))
	switch sr.excerpt {
	case "":
		sr.excerpt = "highlight"
	case "highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped":
	default:
		return sr, "excerpt must be one of highlight, indexed, none, highlight_unescaped, indexed_unescaped"
	}
	if cur := q.Get("cursor"); cur != "" {
		var ok bool
		if sr.offset, ok = decodeCursor(cur, "search", sr.key); !ok {
			return sr, "Invalid cursor: " + truncate(cur, 80)
		}
	} else if v := q.Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return sr, "start must be a non-negative integer: " + truncate(v, 40)
		}
		sr.offset = n
	}
	return sr, ""
}

// searchExpandOf says which of the expansions a search renders were asked
// for.
func searchExpandOf(expand []string) searchExpand {
	var x searchExpand
	for _, e := range expand {
		if e == "content.space" || strings.HasPrefix(e, "content.space.") {
			x.space = true
		}
		switch e {
		case "content.body.storage", "content.body":
			x.body = true
		case "content.version", "content.history.lastUpdated":
			x.version = true
		case "content.metadata.labels":
			x.labels = true
		case "content.ancestors":
			x.ancestors = true
		}
	}
	return x
}

// searchHits are the spaces, then the current content, that match m,
// leaving out archived spaces and their content unless archived. It starts
// from the smallest candidate set the query allows: the content holding its
// rarest required word, the content of the spaces it names (when not
// more), or everything. Call with s.mu held.
func searchHits(st *confState, parsed *cql.Query, m *cql.Matcher, archived bool) []*cql.Doc {
	sc := searchScan{m: m}
	for _, sp := range st.spaces {
		if (sp.Status == "current" || archived) && sp.doc != nil && m.Match(sp.doc) {
			sc.hits = append(sc.hits, sp.doc)
		}
	}
	sc.skip = archivedSpaces(st, archived)
	inSpaces, spaceCount := requiredSpaceContent(st, parsed)
	rare, wordCount := rarestWordContent(st, parsed)
	switch {
	case wordCount >= 0 && (spaceCount < 0 || wordCount < spaceCount):
		sc.scan(rare)
	case spaceCount >= 0:
		for _, ps := range inSpaces {
			sc.scan(ps)
		}
	default:
		sc.scan(st.ordered)
	}
	return sc.hits
}

// searchScan collects the current content that matches, but for the
// content of the spaces in skip.
type searchScan struct {
	m    *cql.Matcher
	skip map[string]bool
	hits []*cql.Doc
}

func (sc *searchScan) scan(ps []*cPage) {
	for _, p := range ps {
		if p.Status == "current" && p.doc != nil && (sc.skip == nil || !sc.skip[p.SpaceID]) && sc.m.Match(p.doc) {
			sc.hits = append(sc.hits, p.doc)
		}
	}
}

// archivedSpaces are the ids of the spaces that are not current, nil when
// there is none or they are asked for.
func archivedSpaces(st *confState, archived bool) map[string]bool {
	if archived {
		return nil
	}
	var skip map[string]bool
	for _, sp := range st.spaces {
		if sp.Status != "current" {
			if skip == nil {
				skip = map[string]bool{}
			}
			skip[sp.ID] = true
		}
	}
	return skip
}

// rarestWordContent is the content holding the query's rarest required
// word and how much there is; -1 when it requires no word.
func rarestWordContent(st *confState, parsed *cql.Query) ([]*cPage, int) {
	var rare []*cPage
	count := -1
	for _, w := range parsed.RequiredWords() {
		if ps := st.postings[w]; count < 0 || len(ps) < count {
			rare, count = ps, len(ps)
		}
	}
	return rare, count
}

// requiredSpaceContent is the content of the spaces a query requires and
// how much there is; -1 when it does not name its spaces.
func requiredSpaceContent(st *confState, parsed *cql.Query) ([][]*cPage, int) {
	keys, ok := parsed.RequiredSpaces()
	if !ok {
		return nil, -1
	}
	var inSpaces [][]*cPage
	count := 0
	for _, sp := range st.spaces {
		for _, k := range keys {
			if strings.EqualFold(sp.Key, k) {
				inSpaces = append(inSpaces, st.bySpace[sp.ID])
				count += len(st.bySpace[sp.ID])
				break
			}
		}
	}
	return inSpaces, count
}

// searchLinks are a search response's links: base, context and self, and
// next and prev cursors when there are more results either side.
func (s *Server) searchLinks(r *http.Request, q url.Values, query string, sr searchParams, end, total int) map[string]any {
	base := s.wikiBase()
	links := map[string]any{
		"base":    base,
		"context": "/wiki",
		"self":    base + "/rest/api/search?" + r.URL.RawQuery,
	}
	if end < total && sr.limit > 0 {
		links["next"] = searchLink(query, sr.limit, q, encodeCursor(cursorState{Offset: end, Kind: "search", Key: sr.key}))
	}
	if sr.offset > 0 {
		links["prev"] = searchLink(query, sr.limit, q, encodeCursor(cursorState{Offset: max(0, sr.offset-sr.limit), Kind: "search", Key: sr.key}))
	}
	return links
}

// searchLink builds a v1 paging link the way Confluence does: relative to
// /wiki and without it.
func searchLink(query string, limit int, q url.Values, cursor string) string {
	var b strings.Builder
	b.WriteString("/rest/api/search?cql=")
	b.WriteString(url.QueryEscape(query))
	b.WriteString("&limit=")
	b.WriteString(strconv.Itoa(limit))
	for _, name := range []string{"expand", "excerpt", "includeArchivedSpaces"} {
		if v := q.Get(name); v != "" {
			b.WriteString("&" + name + "=" + url.QueryEscape(v))
		}
	}
	b.WriteString("&cursor=")
	b.WriteString(url.QueryEscape(cursor))
	return b.String()
}

// Search result shapes (v1). Structs rather than maps: this is the hot
// path of the search benchmark.
type (
	searchHit struct {
		Content               *searchContent   `json:"content,omitempty"`
		Space                 *searchSpace     `json:"space,omitempty"`
		Title                 string           `json:"title"`
		Excerpt               string           `json:"excerpt"`
		URL                   string           `json:"url"`
		ResultGlobalContainer *searchContainer `json:"resultGlobalContainer,omitempty"`
		Breadcrumbs           []any            `json:"breadcrumbs"`
		EntityType            string           `json:"entityType"`
		IconCSSClass          string           `json:"iconCssClass"`
		LastModified          string           `json:"lastModified"`
		FriendlyLastModified  string           `json:"friendlyLastModified"`
		Score                 float64          `json:"score"`
	}
	searchContainer struct {
		Title      string `json:"title,omitempty"`
		DisplayURL string `json:"displayUrl,omitempty"`
	}
	searchContent struct {
		ID         string            `json:"id"`
		Type       string            `json:"type"`
		Status     string            `json:"status"`
		Title      string            `json:"title"`
		Space      *searchSpace      `json:"space,omitempty"`
		Body       map[string]any    `json:"body,omitempty"`
		Version    map[string]any    `json:"version,omitempty"`
		Metadata   map[string]any    `json:"metadata,omitempty"`
		Ancestors  []any             `json:"ancestors,omitempty"`
		Links      map[string]string `json:"_links"`
		Expandable map[string]string `json:"_expandable"`
	}
	searchSpace struct {
		ID     int64             `json:"id"` // v1 space ids are numbers
		Alias  string            `json:"alias,omitempty"`
		Key    string            `json:"key"`
		Name   string            `json:"name"`
		Type   string            `json:"type"`
		Status string            `json:"status"`
		Links  map[string]string `json:"_links"`
	}
)

// searchResult renders one v1 search result. Call with s.mu held.
// searchExpand says which expansions a search asked for.
type searchExpand struct{ body, version, labels, ancestors, space bool }

func (s *Server) searchResult(st *confState, p *cPage, mode string, words []string, x searchExpand) searchHit {
	sp := st.spaceByID[p.SpaceID]
	webui := st.webui(p)
	key := st.spaceKey(p)
	content := searchContent{
		ID: p.ID, Type: p.Type, Status: p.Status, Title: p.Title,
		Links: map[string]string{
			"webui":  webui,
			"self":   s.wikiBase() + "/rest/api/content/" + p.ID,
			"tinyui": tinyui(p.ID),
		},
		Expandable: map[string]string{
			"container": "/rest/api/space/" + key,
			"version":   "",
			"history":   "/rest/api/content/" + p.ID + "/history",
			"body":      "",
			"ancestors": "",
		},
	}
	var container *searchContainer
	if sp != nil {
		// The space is an expansion (content.space); the container always
		// names it.
		if x.space {
			content.Space = &searchSpace{ID: spaceNum(sp), Key: sp.Key, Name: sp.Name, Type: sp.Type, Status: sp.Status,
				Links: map[string]string{"webui": "/spaces/" + sp.Key, "self": s.wikiBase() + "/rest/api/space/" + sp.Key}}
		} else {
			content.Expandable["space"] = "/rest/api/space/" + sp.Key
		}
		container = &searchContainer{Title: sp.Name, DisplayURL: "/spaces/" + sp.Key}
	}
	if x.body {
		content.Body = map[string]any{"storage": map[string]any{"value": p.Body, "representation": "storage"}}
	}
	if x.version {
		by := map[string]any{"accountId": p.VersionBy, "type": "known"}
		if u := s.userByID(p.VersionBy); u != nil {
			by["displayName"] = u.DisplayName
		}
		content.Version = map[string]any{"number": p.Version, "when": isoTime(p.VersionAt), "by": by, "minorEdit": false}
	}
	if x.labels {
		ls := []any{}
		for _, l := range p.Labels {
			ls = append(ls, map[string]any{"prefix": l.Prefix, "name": l.Name, "id": l.ID, "label": l.Name})
		}
		content.Metadata = map[string]any{"labels": map[string]any{"results": ls, "start": 0, "limit": 200, "size": len(ls)}}
	}
	if x.ancestors {
		as := []any{}
		for _, id := range st.ancestors(p) {
			if a := st.content[id]; a != nil {
				as = append(as, map[string]any{"id": a.ID, "type": a.Type, "status": a.Status, "title": a.Title})
			}
		}
		content.Ancestors = as
	}
	title, excerpt := searchTexts(p.Title, p.facts.Text, mode, words)
	return searchHit{
		Content:               &content,
		Title:                 title,
		Excerpt:               excerpt,
		URL:                   webui,
		ResultGlobalContainer: container,
		Breadcrumbs:           []any{},
		EntityType:            "content",
		IconCSSClass:          "aui-icon content-type-" + p.Type,
		LastModified:          isoTime(p.VersionAt),
		FriendlyLastModified:  p.VersionAt.UTC().Format("Jan 02, 2006"),
	}
}

// searchTexts returns a hit's title and excerpt for the excerpt mode:
// highlight wraps the query's words in @@@hl@@@…@@@endhl@@@; highlight and
// indexed HTML-escape the text (as Cloud does, e.g. &quot;), the
// *_unescaped modes do not; none gives no excerpt and the plain title.
func searchTexts(title, text, mode string, words []string) (string, string) {
	esc := func(s string) string { return s }
	if !strings.HasSuffix(mode, "_unescaped") {
		esc = htmlEscaper.Replace
	}
	switch mode {
	case "highlight", "highlight_unescaped":
		return highlightEsc(title, words, esc), highlightEsc(excerptOf(text, words), words, esc)
	case "indexed", "indexed_unescaped":
		return esc(title), esc(excerptOf(text, words))
	}
	return title, ""
}

// htmlEscaper escapes like Confluence's search excerpts (&quot;, not &#34;).
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func spaceNum(sp *cSpace) int64 {
	n, _ := strconv.ParseInt(sp.ID, 10, 64)
	return n
}

// spaceSearchResult renders a space hit (entityType space: no content).
func (s *Server) spaceSearchResult(sp *cSpace, mode string, words []string) searchHit {
	title, excerpt := searchTexts(sp.Name, sp.Description, mode, words)
	return searchHit{
		Space: &searchSpace{ID: spaceNum(sp), Key: sp.Key, Alias: sp.Key, Name: sp.Name, Type: sp.Type, Status: sp.Status,
			Links: map[string]string{"webui": "/spaces/" + sp.Key, "self": s.wikiBase() + "/rest/api/space/" + sp.Key}},
		Title:                title,
		Excerpt:              excerpt,
		URL:                  "/spaces/" + sp.Key,
		Breadcrumbs:          []any{},
		EntityType:           "space",
		IconCSSClass:         "aui-icon space-avatar",
		LastModified:         isoTime(sp.CreatedAt),
		FriendlyLastModified: sp.CreatedAt.UTC().Format("Jan 02, 2006"),
	}
}

// highlightWords collects the word patterns of ~ clauses (not negated).
func highlightWords(e cql.Expr) []string {
	var out []string
	var walk func(e cql.Expr, neg bool)
	walk = func(e cql.Expr, neg bool) {
		switch e := e.(type) {
		case *cql.And:
			walk(e.L, neg)
			walk(e.R, neg)
		case *cql.Or:
			walk(e.L, neg)
			walk(e.R, neg)
		case *cql.Not:
			walk(e.X, !neg)
		case *cql.Clause:
			if neg || e.Op != "~" || (e.Field != "text" && e.Field != "title") {
				return
			}
			for _, v := range e.Values {
				for _, w := range splitWords(v.Text) {
					if w != "and" && w != "or" {
						out = append(out, w)
					}
				}
			}
		}
	}
	if e != nil {
		walk(e, false)
	}
	return out
}

// splitWords lower-cases s and splits it into words, keeping * and ?.
func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '*' && r != '?'
	})
}

func wordMatches(patterns []string, w string) bool {
	lw := strings.ToLower(w)
	for _, p := range patterns {
		if p == lw || strings.ContainsAny(p, "*?") && querykit.WildMatch(p, lw) {
			return true
		}
	}
	return false
}

// highlightEsc wraps matching words in Confluence's @@@hl@@@ markers and
// passes everything else through esc.
func highlightEsc(s string, patterns []string, esc func(string) string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		w := s[start:end]
		if len(patterns) > 0 && wordMatches(patterns, w) {
			b.WriteString("@@@hl@@@" + esc(w) + "@@@endhl@@@")
		} else {
			b.WriteString(esc(w))
		}
		start = -1
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
		} else {
			if start >= 0 {
				flush(i)
			}
			b.WriteString(esc(s[i : i+n]))
		}
		i += n
	}
	if start >= 0 {
		flush(len(s))
	}
	return b.String()
}

// excerptOf returns about 240 characters of text around the first match.
func excerptOf(text string, patterns []string) string {
	const size = 240
	start := 0
	if len(patterns) > 0 {
		for i, w := range strings.Fields(text) {
			if wordMatches(patterns, strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })) {
				if i > 8 {
					start = byteOffsetOfField(text, i-4)
				}
				break
			}
		}
	}
	out := text[start:]
	prefix := ""
	if start > 0 {
		prefix = "..."
	}
	if utf8.RuneCountInString(out) > size {
		n := 0
		for i := range out {
			if n == size {
				out = out[:i] + "..."
				break
			}
			n++
		}
	}
	return prefix + out
}

func byteOffsetOfField(s string, idx int) int {
	n := -1
	in := false
	for i, r := range s {
		if unicode.IsSpace(r) {
			in = false
			continue
		}
		if !in {
			in = true
			n++
			if n == idx {
				return i
			}
		}
	}
	return 0
}
