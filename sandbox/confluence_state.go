package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox/internal/cql"
)

// confluence returns s's Confluence state (kept in s.confluenceExt),
// creating an empty one on first use. First use happens in seed, generate
// or register, before the server serves, so the field is never written
// concurrently; the state itself is guarded by s.mu.
func (s *Server) confluence() *confState {
	if st, ok := s.confluenceExt.(*confState); ok {
		return st
	}
	st := newConfState()
	s.confluenceExt = st
	return st
}

// confState is the Confluence site: spaces, content and labels.
type confState struct {
	spaces     []*cSpace // sorted by numeric id
	spaceByID  map[string]*cSpace
	spaceByKey map[string]*cSpace
	content    map[string]*cPage
	ordered    []*cPage            // all content by ascending id, for search
	bySpace    map[string][]*cPage // space id -> its content
	postings   map[string][]*cPage // word -> content whose Words hold it
	nextID     int64               // next content id
	nextSpace  int64               // next space id
	nextLabel  int64
	labelIDs   map[string]string // "prefix:name" -> label id
}

func newConfState() *confState {
	return &confState{
		spaceByID:  map[string]*cSpace{},
		spaceByKey: map[string]*cSpace{},
		content:    map[string]*cPage{},
		bySpace:    map[string][]*cPage{},
		postings:   map[string][]*cPage{},
		nextID:     98305,
		nextSpace:  65537,
		nextLabel:  4194305,
		labelIDs:   map[string]string{},
	}
}

// cSpace is a Confluence space.
type cSpace struct {
	ID          string
	Key         string
	Name        string
	Type        string // global, personal, collaboration, knowledge_base
	Status      string // current, archived
	Description string
	HomepageID  string
	AuthorID    string
	CreatedAt   time.Time
	Labels      []string

	doc *cql.Doc
}

// cLabel is a label on content.
type cLabel struct {
	ID     string
	Prefix string // global, my, team
	Name   string
}

// cPage is one piece of content: a page, blog post or folder.
type cPage struct {
	ID         string
	Type       string // page, blogpost, folder
	Status     string // current, draft, archived
	Title      string
	SpaceID    string
	ParentID   string
	Position   int
	AuthorID   string
	OwnerID    string
	CreatedAt  time.Time
	Version    int
	VersionAt  time.Time
	VersionBy  string
	VersionMsg string
	Body       string // storage format, verbatim
	ADF        string // verbatim ADF when the page was created from ADF
	Labels     []cLabel
	Children   []string // child content ids in position order
	Contribs   []string

	facts storageFacts
	doc   *cql.Doc
}

func (c *confState) newContentID() string {
	id := strconv.FormatInt(c.nextID, 10)
	c.nextID++
	return id
}

// addSpace adds a space and returns it.
func (c *confState) addSpace(sp *cSpace) *cSpace {
	if sp.ID == "" {
		sp.ID = strconv.FormatInt(c.nextSpace, 10)
		c.nextSpace++
	}
	if sp.Status == "" {
		sp.Status = "current"
	}
	if sp.Type == "" {
		sp.Type = "global"
	}
	c.spaces = append(c.spaces, sp)
	if n := len(c.spaces); n > 1 && idLess(sp.ID, c.spaces[n-2].ID) {
		sort.Slice(c.spaces, func(i, j int) bool { return idLess(c.spaces[i].ID, c.spaces[j].ID) })
	}
	c.spaceByID[sp.ID] = sp
	c.spaceByKey[sp.Key] = sp
	c.indexSpace(sp)
	return sp
}

// indexSpace builds a space's CQL view: spaces are search results too
// (type = space).
func (c *confState) indexSpace(sp *cSpace) {
	sp.doc = cql.NewDoc(cql.Content{
		ID: sp.ID, Type: "space", Status: sp.Status, SpaceKey: sp.Key, SpaceType: sp.Type, SpaceTitle: sp.Name,
		Title: sp.Name, Text: sp.Description, Labels: sp.Labels, CreatorAccountID: sp.AuthorID,
		Contributors: []string{sp.AuthorID}, Created: sp.CreatedAt, LastModified: sp.CreatedAt,
	})
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// addPage stores p (its ID assigned if empty), links it under its parent
// and indexes it. The body must already have been checked.
func (c *confState) addPage(p *cPage) *cPage {
	if p.ID == "" {
		p.ID = c.newContentID()
	}
	if p.Version == 0 {
		p.Version = 1
	}
	if p.VersionAt.IsZero() {
		p.VersionAt = p.CreatedAt
	}
	if p.VersionBy == "" {
		p.VersionBy = p.AuthorID
	}
	if p.OwnerID == "" {
		p.OwnerID = p.AuthorID
	}
	if len(p.Contribs) == 0 {
		p.Contribs = []string{p.AuthorID}
	}
	if p.Status == "" {
		p.Status = "current"
	}
	if p.Type == "" {
		p.Type = "page"
	}
	for i := range p.Labels {
		if p.Labels[i].ID == "" {
			p.Labels[i].ID = c.labelID(p.Labels[i].Prefix, p.Labels[i].Name)
		}
	}
	if parent := c.content[p.ParentID]; parent != nil {
		p.Position = len(parent.Children)
		parent.Children = append(parent.Children, p.ID)
	}
	c.content[p.ID] = p
	c.bySpace[p.SpaceID] = append(c.bySpace[p.SpaceID], p)
	if n := len(c.ordered); n == 0 || idLess(c.ordered[n-1].ID, p.ID) {
		c.ordered = append(c.ordered, p)
	} else {
		i := sort.Search(n, func(i int) bool { return !idLess(c.ordered[i].ID, p.ID) })
		c.ordered = append(c.ordered, nil)
		copy(c.ordered[i+1:], c.ordered[i:])
		c.ordered[i] = p
	}
	if root, err := parseStorage(p.Body); err == nil {
		p.facts = extractFacts(root)
	}
	c.index(p)
	return p
}

// move re-parents p under par (appended last) and re-indexes p's subtree,
// whose ancestors changed.
func (c *confState) move(p, par *cPage) {
	if old := c.content[p.ParentID]; old != nil {
		old.Children = slices.DeleteFunc(old.Children, func(id string) bool { return id == p.ID })
		for i, id := range old.Children {
			if ch := c.content[id]; ch != nil {
				ch.Position = i
			}
		}
	}
	p.ParentID = par.ID
	p.Position = len(par.Children)
	par.Children = append(par.Children, p.ID)
	var walk func(q *cPage)
	walk = func(q *cPage) {
		c.index(q)
		for _, id := range q.Children {
			if ch := c.content[id]; ch != nil {
				walk(ch)
			}
		}
	}
	walk(p)
}

// remove deletes p for good (it must have no children left).
func (c *confState) remove(p *cPage) {
	if old := c.content[p.ParentID]; old != nil {
		old.Children = slices.DeleteFunc(old.Children, func(id string) bool { return id == p.ID })
	}
	for _, w := range p.doc.Words() {
		c.postings[w] = slices.DeleteFunc(c.postings[w], func(q *cPage) bool { return q == p })
		if len(c.postings[w]) == 0 {
			delete(c.postings, w)
		}
	}
	c.bySpace[p.SpaceID] = slices.DeleteFunc(c.bySpace[p.SpaceID], func(q *cPage) bool { return q == p })
	c.ordered = slices.DeleteFunc(c.ordered, func(q *cPage) bool { return q == p })
	delete(c.content, p.ID)
}

// labelID returns the stable id of a label, allocating one on first use.
func (c *confState) labelID(prefix, name string) string {
	k := prefix + ":" + name
	if id, ok := c.labelIDs[k]; ok {
		return id
	}
	id := strconv.FormatInt(c.nextLabel, 10)
	c.nextLabel++
	c.labelIDs[k] = id
	return id
}

// addLabels adds labels to p (existing ones are kept) and re-indexes it.
func (c *confState) addLabels(p *cPage, labels []cLabel) {
	for _, l := range labels {
		dup := false
		for _, e := range p.Labels {
			if e.Name == l.Name && e.Prefix == l.Prefix {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		l.ID = c.labelID(l.Prefix, l.Name)
		p.Labels = append(p.Labels, l)
	}
	c.index(p)
}

// ancestors returns p's ancestors' ids, top to bottom.
func (c *confState) ancestors(p *cPage) []string {
	var out []string
	seen := map[string]bool{p.ID: true}
	for id := p.ParentID; id != "" && !seen[id]; {
		seen[id] = true
		a := c.content[id]
		if a == nil {
			break
		}
		out = append(out, id)
		id = a.ParentID
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// index rebuilds p's CQL view.
func (c *confState) index(p *cPage) {
	if p.doc != nil { // drop the old words from the inverted index
		for _, w := range p.doc.Words() {
			c.postings[w] = slices.DeleteFunc(c.postings[w], func(q *cPage) bool { return q == p })
			if len(c.postings[w]) == 0 {
				delete(c.postings, w)
			}
		}
	}
	defer func() {
		for _, w := range p.doc.Words() {
			c.postings[w] = append(c.postings[w], p)
		}
	}()
	sp := c.spaceByID[p.SpaceID]
	v := cql.Content{
		ID: p.ID, Type: p.Type, Status: p.Status, Title: p.Title, Text: p.facts.Text,
		Ancestors: c.ancestors(p), ParentID: p.ParentID, CreatorAccountID: p.AuthorID,
		Contributors: p.Contribs, Mentions: p.facts.Mentions, Macros: p.facts.Macros,
		Watchers: p.Contribs, // authors and editors watch what they write, as Confluence's default
		Created:  p.CreatedAt, LastModified: p.VersionAt,
	}
	if sp != nil {
		v.SpaceKey, v.SpaceType, v.SpaceTitle = sp.Key, sp.Type, sp.Name
	}
	for _, l := range p.Labels {
		v.Labels = append(v.Labels, l.Name)
	}
	p.doc = cql.NewDoc(v)
}

// webui returns a page's relative web UI link, as Confluence shapes it.
func (c *confState) webui(p *cPage) string {
	key := ""
	if sp := c.spaceByID[p.SpaceID]; sp != nil {
		key = sp.Key
	}
	switch {
	case p.Status == "draft":
		return "/pages/resumedraft.action?draftId=" + p.ID
	case p.Type == "blogpost":
		return "/spaces/" + key + "/blog/" + p.CreatedAt.UTC().Format("2006/01/02") + "/" + p.ID + "/" + titleSlug(p.Title)
	case p.Type == "folder":
		return "/spaces/" + key + "/folder/" + p.ID
	}
	return "/spaces/" + key + "/pages/" + p.ID + "/" + titleSlug(p.Title)
}

func titleSlug(t string) string { return strings.ReplaceAll(url.QueryEscape(t), "%20", "+") }

// tinyui returns a short link like Confluence's /x/AbCd.
func tinyui(id string) string {
	n, _ := strconv.ParseUint(id, 10, 64)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var b []byte
	for n > 0 {
		b = append(b, alphabet[n%64])
		n /= 64
	}
	return "/x/" + string(b)
}

// isoTime formats t like Confluence's v2 timestamps.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// ConfluenceSpace is a space as tests see it.
type ConfluenceSpace struct {
	ID, Key, Name, Type, HomepageID string
}

// ConfluencePage is a piece of content as tests see it.
type ConfluencePage struct {
	ID, Type, Status, Title, SpaceID, SpaceKey, ParentID, AuthorID string
	Body                                                           string // storage, verbatim
	Labels                                                         []string
	Version                                                        int
	CreatedAt                                                      time.Time
}

// ConfluenceSpaces returns the site's spaces sorted by id.
func (s *Server) ConfluenceSpaces() []ConfluenceSpace {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ConfluenceSpace
	for _, sp := range s.confluence().spaces {
		out = append(out, ConfluenceSpace{sp.ID, sp.Key, sp.Name, sp.Type, sp.HomepageID})
	}
	return out
}

// ConfluenceSpaceByKey returns the space with key, if any.
func (s *Server) ConfluenceSpaceByKey(key string) (ConfluenceSpace, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.confluence().spaceByKey[key]
	if sp == nil {
		return ConfluenceSpace{}, false
	}
	return ConfluenceSpace{sp.ID, sp.Key, sp.Name, sp.Type, sp.HomepageID}, true
}

// ConfluencePage returns the content with id, if any.
func (s *Server) ConfluencePage(id string) (ConfluencePage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	p := c.content[id]
	if p == nil {
		return ConfluencePage{}, false
	}
	return c.export(p), true
}

// ConfluencePageByTitle returns the content titled title in the space with
// key spaceKey, if any.
func (s *Server) ConfluencePageByTitle(spaceKey, title string) (ConfluencePage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	sp := c.spaceByKey[spaceKey]
	if sp == nil {
		return ConfluencePage{}, false
	}
	for _, p := range c.ordered {
		if p.SpaceID == sp.ID && p.Title == title {
			return c.export(p), true
		}
	}
	return ConfluencePage{}, false
}

func (c *confState) export(p *cPage) ConfluencePage {
	out := ConfluencePage{ID: p.ID, Type: p.Type, Status: p.Status, Title: p.Title, SpaceID: p.SpaceID,
		ParentID: p.ParentID, AuthorID: p.AuthorID, Body: p.Body, Version: p.Version, CreatedAt: p.CreatedAt}
	if sp := c.spaceByID[p.SpaceID]; sp != nil {
		out.SpaceKey = sp.Key
	}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	return out
}

// AddConfluenceSpace adds a global space with a homepage, authored by the
// admin, as a site admin creating one after the connection's schema
// discovery would, and returns its id.
func (s *Server) AddConfluenceSpace(key, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	if c.spaceByKey[key] != nil {
		return "", fmt.Errorf("space key %q is taken", key)
	}
	now := s.now()
	sp := c.addSpace(&cSpace{Key: key, Name: name, Type: "global", AuthorID: s.users[0].AccountID, CreatedAt: now})
	home := c.addPage(&cPage{Title: name + " Home", SpaceID: sp.ID, AuthorID: sp.AuthorID, CreatedAt: now,
		Body: "<p>Home of the " + name + " space.</p>"})
	sp.HomepageID = home.ID
	return sp.ID, nil
}

// AddConfluencePage adds a current page to the space with key spaceKey,
// under parentID (the space homepage when empty), authored by the admin,
// and returns its id. body is storage format and must be well formed.
func (s *Server) AddConfluencePage(spaceKey, parentID, title, body string, labels ...string) (string, error) {
	if _, err := parseStorage(body); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.confluence()
	sp := c.spaceByKey[spaceKey]
	if sp == nil {
		return "", fmt.Errorf("no space with key %q", spaceKey)
	}
	if parentID == "" {
		parentID = sp.HomepageID
	}
	if parentID != "" {
		if par := c.content[parentID]; par == nil || par.SpaceID != sp.ID {
			return "", fmt.Errorf("no content %q in space %s", parentID, spaceKey)
		}
	}
	now := s.now()
	p := c.addPage(&cPage{Title: title, SpaceID: sp.ID, ParentID: parentID, AuthorID: s.users[0].AccountID,
		CreatedAt: now, Body: body})
	var ls []cLabel
	for _, l := range labels {
		ls = append(ls, cLabel{Prefix: "global", Name: strings.ToLower(l)})
	}
	c.addLabels(p, ls)
	return p.ID, nil
}
