package schema

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

// Discovery defaults.
const (
	// DefaultConcurrency bounds the requests discovery has in flight; the
	// REST layer's limiters pace them further.
	DefaultConcurrency = 8
	// DefaultMaxSpaces is how many Confluence spaces a snapshot keeps.
	DefaultMaxSpaces = 250
	// DefaultFieldProjects is how many projects (the highest ranked, see
	// RankProjects) get their workflow statuses and create-screen fields
	// discovered up front; the rest are read on demand
	// (Store.CreateFields). Create metadata is one call per project and
	// issue type on one endpoint, whose burst bucket allows 100 calls a
	// second: 30 projects of about five types keep a 500-project site's
	// discovery near 2 s (BenchmarkDiscoverLargeSite).
	DefaultFieldProjects = 30
	// maxAllowedValues caps the allowed values kept per field.
	maxAllowedValues = 50
)

// Discoverer discovers a site's schema through the REST clients.
type Discoverer struct {
	// Jira and Confluence are the site's clients; nil for a product the
	// connection does not have.
	Jira       *atlassian.JiraClient
	Confluence *atlassian.ConfluenceClient
	// Site re-detects the site's products (accessible-resources) on every
	// refresh. When nil, Products is used as is.
	Site func(ctx context.Context) (*atlassian.Resource, error)
	// CloudID, SiteName, SiteURL and Products describe the connection.
	CloudID, SiteName, SiteURL string
	Products                   []atlassian.Product

	Concurrency   int // default DefaultConcurrency
	MaxSpaces     int // default DefaultMaxSpaces
	FieldProjects int // default DefaultFieldProjects; negative means all
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Discover builds a fresh snapshot. A failing part (one project, a missing
// product, a forbidden call) is recorded in Snapshot.Failures and the rest
// goes on; only a cancelled context fails the whole discovery.
func (d *Discoverer) Discover(ctx context.Context) (*Snapshot, error) {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	start := now()
	s := &Snapshot{
		FormatVersion: FormatVersion,
		CloudID:       d.CloudID,
		SiteName:      d.SiteName,
		SiteURL:       d.SiteURL,
		Products:      slices.Clone(d.Products),
	}
	rec := &recorder{progress: trackerOf(ctx)}
	if d.Site != nil {
		if site, err := d.Site(ctx); err != nil {
			rec.fail("site: accessible resources", err)
		} else {
			rec.ok()
			s.Products = s.Products[:0]
			for _, p := range site.Products {
				if p == atlassian.ProductJira || p == atlassian.ProductConfluence {
					s.Products = append(s.Products, p)
				}
			}
			slices.Sort(s.Products)
			if site.Name != "" {
				s.SiteName, s.SiteURL = site.Name, site.URL
			}
		}
	}
	var wg sync.WaitGroup
	if s.HasProduct(atlassian.ProductJira) {
		if d.Jira == nil {
			rec.fail("jira", errors.New("the site has Jira but the connection has no Jira client"))
		} else {
			wg.Go(func() { s.Jira = d.discoverJira(ctx, rec) })
		}
	}
	if s.HasProduct(atlassian.ProductConfluence) {
		if d.Confluence == nil {
			rec.fail("confluence", errors.New("the site has Confluence but the connection has no Confluence client"))
		} else {
			wg.Go(func() { s.Confluence = d.discoverConfluence(ctx, rec) })
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.Failures = rec.sorted()
	if rec.succeeded.Load() == 0 && len(s.Failures) > 0 {
		// Nothing at all was read: the site is unreachable or the grant is
		// gone. An empty snapshot would only replace a better one.
		return nil, fmt.Errorf("schema discovery read nothing from the site: %s: %s", s.Failures[0].Scope, s.Failures[0].Reason)
	}
	s.RefreshedAt = now().UTC()
	s.Duration = s.RefreshedAt.Sub(start)
	return s, nil
}

// recorder collects failures from concurrent discovery steps.
type recorder struct {
	progress  *tracker // nil when nobody listens
	mu        sync.Mutex
	failures  []Failure
	succeeded atomic.Int32 // steps that read something
}

func (r *recorder) ok() { r.succeeded.Add(1) }

func (r *recorder) fail(scope string, err error) {
	r.mu.Lock()
	r.failures = append(r.failures, Failure{Scope: scope, Reason: err.Error()})
	r.mu.Unlock()
}

func (r *recorder) sorted() []Failure {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.failures)
	slices.SortFunc(out, func(a, b Failure) int { return cmp.Compare(a.Scope, b.Scope) })
	return out
}

// allProjects lists every project with its issue types and activity: the
// first page says how many there are, and the other pages are read side by
// side (bounded by the discovery's concurrency) instead of one after the
// other.
func (d *Discoverer) allProjects(ctx context.Context) ([]atlassian.Project, error) {
	const pageSize = 100 // project search's maximum
	opts := atlassian.ProjectSearchOptions{MaxResults: pageSize, OrderBy: "key", Expand: []string{"issueTypes", "insight"}}
	first, err := d.Jira.Projects.Search(ctx, &opts)
	if err != nil {
		return nil, err
	}
	if first.IsLast || len(first.Values) == 0 || first.Total <= len(first.Values) {
		return first.Values, nil
	}
	// Pages by startAt after the first, as long as Jira's total says.
	var starts []int
	for at := len(first.Values); at < first.Total && len(starts) < maxProjectPages; at += len(first.Values) {
		starts = append(starts, at)
	}
	pages := make([][]atlassian.Project, len(starts))
	errs := make([]error, len(starts))
	idx := make([]int, len(starts))
	for i := range idx {
		idx[i] = i
	}
	each(ctx, d.concurrency(), idx, func(i int) {
		o := opts
		o.StartAt = starts[i]
		p, err := d.Jira.Projects.Search(ctx, &o)
		if err != nil {
			errs[i] = err
			return
		}
		pages[i] = p.Values
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all := first.Values
	for _, p := range pages {
		all = append(all, p...)
	}
	// Projects created while paging may shift a page; keep each key once.
	seen := map[string]bool{}
	return slices.DeleteFunc(all, func(p atlassian.Project) bool {
		dup := seen[p.Key]
		seen[p.Key] = true
		return dup
	}), nil
}

// maxProjectPages bounds the project pages one discovery reads (100,000
// projects), whatever total Jira reports.
const maxProjectPages = 1000

// projectStatuses reads a project's issue types with their workflow
// statuses into p: statuses join the issue types the project search gave,
// and issue types only the statuses call knows are added.
func (d *Discoverer) projectStatuses(ctx context.Context, rec *recorder, p *Project) {
	types, err := d.Jira.Meta.ProjectStatuses(ctx, p.Key)
	if err != nil {
		rec.fail("jira: project "+p.Key+": statuses", err)
		return
	}
	for _, t := range types {
		var sts []*Status
		for _, st := range t.Statuses {
			cat := ""
			if st.StatusCategory != nil {
				cat = st.StatusCategory.Key
			}
			sts = append(sts, &Status{ID: st.ID, Name: st.Name, Category: cat})
		}
		i := slices.IndexFunc(p.IssueTypes, func(it *IssueType) bool { return it.ID == t.ID })
		if i < 0 {
			p.IssueTypes = append(p.IssueTypes, &IssueType{ID: t.ID, Name: t.Name, Subtask: t.Subtask, Statuses: sts})
			continue
		}
		p.IssueTypes[i].Statuses = sts
	}
}

func (d *Discoverer) discoverJira(ctx context.Context, rec *recorder) *Jira {
	j := &Jira{}
	api := d.Jira
	var wg sync.WaitGroup
	wg.Go(func() {
		fields, err := api.Meta.Fields(ctx)
		if err != nil {
			rec.fail("jira: fields", err)
			return
		}
		rec.ok()
		custom := 0
		for _, f := range fields {
			sf := &Field{ID: f.ID, Name: f.Name, Custom: f.Custom}
			if f.Schema != nil {
				sf.Type, sf.Items, sf.CustomType = f.Schema.Type, f.Schema.Items, f.Schema.Custom
			}
			if f.Custom {
				custom++
			}
			j.Fields = append(j.Fields, sf)
		}
		rec.progress.update(func(p *Progress) { p.Fields = custom })
		slices.SortStableFunc(j.Fields, func(a, b *Field) int { return cmp.Compare(a.ID, b.ID) })
	})
	wg.Go(func() {
		prios, err := api.Meta.Priorities(ctx)
		if err != nil {
			rec.fail("jira: priorities", err)
			return
		}
		rec.ok()
		for _, p := range prios {
			j.Priorities = append(j.Priorities, &Priority{ID: p.ID, Name: p.Name})
		}
		rec.progress.update(func(p *Progress) { p.Priorities = len(prios) })
	})
	wg.Go(func() {
		lts, err := api.Meta.LinkTypes(ctx)
		if err != nil {
			rec.fail("jira: issue link types", err)
			return
		}
		rec.ok()
		for _, lt := range lts {
			j.LinkTypes = append(j.LinkTypes, &LinkType{ID: lt.ID, Name: lt.Name, Inward: lt.Inward, Outward: lt.Outward})
		}
		rec.progress.update(func(p *Progress) { p.LinkTypes = len(lts) })
	})
	// One paged search lists every project with its issue types and
	// activity (expand=issueTypes,insight): a few requests where one per
	// project used to be needed before anything could be ranked.
	projects, err := d.allProjects(ctx)
	if err != nil {
		rec.fail("jira: projects", err)
	} else {
		rec.ok()
	}
	for _, p := range projects {
		sp := &Project{ID: p.ID, Key: p.Key, Name: p.Name, Type: p.ProjectTypeKey}
		if p.Insight != nil {
			sp.IssueCount, sp.LastIssueUpdate = p.Insight.TotalIssueCount, p.Insight.LastIssueUpdateTime.Time
		}
		for _, t := range p.IssueTypes {
			sp.IssueTypes = append(sp.IssueTypes, &IssueType{ID: t.ID, Name: t.Name, Subtask: t.Subtask})
		}
		j.Projects = append(j.Projects, sp)
	}
	types := 0
	for _, p := range j.Projects {
		types += len(p.IssueTypes)
	}
	rec.progress.update(func(p *Progress) { p.Projects, p.IssueTypes = len(j.Projects), types })

	// The projects agents most likely use (RankProjects, the order tool
	// descriptions use) get their workflow statuses and create-screen
	// fields up front; the rest have their issue types, and their create
	// fields are read on demand (Store.CreateFields). A project the search
	// gave no issue types gets its statuses too, which carry them.
	limit := cmp.Or(d.FieldProjects, DefaultFieldProjects)
	ranked := RankProjects(j.Projects)
	if limit >= 0 && len(ranked) > limit {
		ranked = ranked[:limit]
	}
	var jobs []func()
	for _, p := range j.Projects {
		if len(p.IssueTypes) == 0 || slices.Contains(ranked, p) {
			jobs = append(jobs, func() { d.projectStatuses(ctx, rec, p) })
		}
	}
	for _, p := range ranked {
		for _, t := range p.IssueTypes {
			jobs = append(jobs, func() {
				fields, err := api.Meta.CreateMetaFields(ctx, p.Key, t.ID)
				if err != nil {
					rec.fail("jira: project "+p.Key+": "+t.Name+": create metadata", err)
					return
				}
				t.Fields = FieldMetas(fields)
			})
		}
	}
	// Statuses and create metadata are separate endpoints with separate
	// burst buckets (at Atlassian and in the client), so they run side by
	// side, bounded by the discovery's concurrency.
	rec.progress.update(func(p *Progress) { p.Total = len(jobs) })
	each(ctx, d.concurrency(), jobs, func(job func()) {
		job()
		rec.progress.update(func(p *Progress) { p.Done++ })
	})
	wg.Wait()
	for _, p := range ranked {
		p.Priorities = projectPriorities(p, j.Priorities)
	}
	return j
}

// FieldMetas converts create metadata into the snapshot's field form.
func FieldMetas(fields []atlassian.FieldMetadata) []*FieldMeta {
	out := make([]*FieldMeta, 0, len(fields))
	for _, f := range fields {
		id := cmp.Or(f.FieldID, f.Key)
		fm := &FieldMeta{
			ID: id, Name: f.Name, Required: f.Required, HasDefault: f.HasDefaultValue,
			Type: f.Schema.Type, Items: f.Schema.Items, Custom: f.Schema.Custom,
		}
		for _, raw := range f.AllowedValues {
			if len(fm.AllowedValues) == maxAllowedValues {
				break
			}
			if v := allowedValueName(raw); v != "" {
				fm.AllowedValues = append(fm.AllowedValues, v)
			}
		}
		out = append(out, fm)
	}
	return out
}

// allowedValueName reads the name of an allowed value: options carry
// "value", most others "name", some only "key" or "id".
func allowedValueName(raw json.RawMessage) string {
	var v struct {
		Value string `json:"value"`
		Name  string `json:"name"`
		Key   string `json:"key"`
		ID    string `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return cmp.Or(v.Value, v.Name, v.Key, v.ID)
}

// projectPriorities returns a project's priority names when its scheme
// (the create screen's allowed priorities) differs from the site's list.
func projectPriorities(p *Project, site []*Priority) []string {
	var allowed []string
	for _, t := range p.IssueTypes {
		for _, f := range t.Fields {
			if f.ID == "priority" && len(f.AllowedValues) > 0 {
				allowed = f.AllowedValues
				break
			}
		}
		if allowed != nil {
			break
		}
	}
	if allowed == nil {
		return nil
	}
	same := len(allowed) == len(site)
	for i := 0; same && i < len(site); i++ {
		same = strings.EqualFold(allowed[i], site[i].Name)
	}
	if same {
		return nil
	}
	return allowed
}

func (d *Discoverer) discoverConfluence(ctx context.Context, rec *recorder) *Confluence {
	max := cmp.Or(d.MaxSpaces, DefaultMaxSpaces)
	// One more than kept tells whether there are more, without paging
	// through every space of a large site.
	spaces, err := d.Confluence.Spaces.List(ctx, &atlassian.SpaceListOptions{Status: "current", Limit: max, Max: max + 1})
	if err != nil {
		rec.fail("confluence: spaces", err)
		return &Confluence{}
	}
	rec.ok()
	c := &Confluence{}
	for _, sp := range spaces {
		if len(c.Spaces) == max {
			c.MoreSpaces = true
			break
		}
		c.Spaces = append(c.Spaces, &Space{ID: sp.ID, Key: sp.Key, Name: sp.Name, Type: sp.Type})
	}
	rec.progress.update(func(p *Progress) { p.Spaces = len(c.Spaces) })
	return c
}

// each runs fn over items with at most n at once, stopping
// early when ctx ends.
func each[T any](ctx context.Context, n int, items []T, fn func(T)) {
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(it)
		})
	}
	wg.Wait()
}

func (d *Discoverer) concurrency() int { return cmp.Or(d.Concurrency, DefaultConcurrency) }

// CreateFields reads the create-screen fields of one issue type in a
// project. Store.CreateFields uses it for projects whose fields were not
// discovered up front.
func (d *Discoverer) CreateFields(ctx context.Context, projectKey, issueTypeID string) ([]*FieldMeta, error) {
	if d.Jira == nil {
		return nil, errors.New("the connection has no Jira client")
	}
	fields, err := d.Jira.Meta.CreateMetaFields(ctx, projectKey, issueTypeID)
	if err != nil {
		return nil, err
	}
	return FieldMetas(fields), nil
}
