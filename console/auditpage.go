package console

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// auditPageSize is how many entries one audit page shows.
const auditPageSize = 50

// auditView is the audit page: the filters, one page of entries (newest
// first) and the calls-per-hour chart of what the filters select.
type auditView struct {
	Since, Tool, Agent, Status, Tenant string
	Tenants, Tools, Statuses           []string
	Entries                            []auditRow
	Total, Page, Pages                 int
	PrevURL, NextURL                   string
	Chart                              template.HTML
	Skipped                            []string
}

type auditRow struct {
	gateway.AuditEntry
	DetailURL string
	Detail    string
}

// auditScan is what one pass over the audit logs gathers: the entries of
// one page, the number of matches and the calls per hour of the chart.
// Memory is bounded by the page, whatever the logs' size.
type auditScan struct {
	page    []gateway.AuditEntry // newest first
	total   int
	hours   hourly
	skipped []string
}

// scanAudit reads the tenants' logs backwards, merged newest first, and
// keeps the entries at positions [skip, skip+n) of that order. When the
// reader counts by itself (gateway.AuditCounter: the database), the walk
// stops after the page and the total and chart are the reader's counts;
// otherwise (the files) the walk goes on to the oldest entry to count.
func (c *Console) scanAudit(ctx context.Context, tenant string, f gateway.AuditFilter, skip, n int, now time.Time) (*auditScan, error) {
	audit := c.opts.Backend.Audit()
	counter, counts := audit.(gateway.AuditCounter)
	tenants := []string{tenant}
	if tenant == "" {
		var err error
		if tenants, err = audit.Tenants(ctx); err != nil {
			return nil, err
		}
	}
	type head struct {
		r gateway.AuditCursor
		e gateway.AuditEntry
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			if h.r != nil {
				_ = h.r.Close()
			}
		}
	}()
	res := &auditScan{hours: newHourly(now)}
	for _, t := range tenants {
		r, err := gateway.OpenNewestFirst(ctx, audit, t, f)
		if err != nil {
			return nil, err
		}
		h := &head{r: r}
		heads = append(heads, h)
		var ok bool
		if h.e, ok = r.Next(); !ok {
			if err := r.Err(); err != nil {
				return nil, err
			}
			res.skipped = append(res.skipped, r.Skipped()...)
			_ = r.Close()
			h.r = nil
		}
	}
	for {
		// The newest head next (a handful of tenants: a linear pick).
		var best *head
		for _, h := range heads {
			if h.r != nil && (best == nil || h.e.Time.After(best.e.Time)) {
				best = h
			}
		}
		if best == nil || (counts && res.total >= skip+n) {
			break
		}
		if res.total >= skip && res.total < skip+n {
			res.page = append(res.page, best.e)
		}
		res.total++
		res.hours.add(best.e)
		var ok bool
		if best.e, ok = best.r.Next(); !ok {
			if err := best.r.Err(); err != nil {
				return nil, err
			}
			res.skipped = append(res.skipped, best.r.Skipped()...)
			_ = best.r.Close()
			best.r = nil
		}
	}
	if counts {
		res.total, res.hours = 0, newHourly(now)
		for _, t := range tenants {
			total, err := counter.CountAudit(ctx, t, f)
			if err != nil {
				return nil, err
			}
			res.total += total
			hours, err := counter.HourlyAudit(ctx, t, f, res.hours.start, res.hours.end)
			if err != nil {
				return nil, err
			}
			for _, h := range hours {
				res.hours.addN(h.Hour, h.Status, h.Calls)
			}
		}
	}
	return res, nil
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	v := &auditView{Since: strings.TrimSpace(qs.Get("since")), Tool: qs.Get("tool"), Agent: strings.TrimSpace(qs.Get("agent")),
		Status: qs.Get("status"), Tenant: qs.Get("tenant"),
		Tools: gateway.ToolNames(), Statuses: []string{gateway.StatusOK, gateway.StatusError, gateway.StatusDenied}}
	v.Tenants, _ = c.opts.Backend.Audit().Tenants(r.Context())
	now := c.opts.Now()
	f := gateway.AuditFilter{Tool: v.Tool, Agent: v.Agent, Status: v.Status}
	var problems []string
	if v.Since != "" {
		t, err := gateway.ParseSince(v.Since, now)
		if err != nil {
			problems = append(problems, "Since: "+err.Error())
		}
		f.Since = t
	}
	if v.Tool != "" && !slices.Contains(v.Tools, v.Tool) {
		problems = append(problems, fmt.Sprintf("Tool %q is not one of the eight tools.", v.Tool))
	}
	if v.Status != "" && !slices.Contains(v.Statuses, v.Status) {
		problems = append(problems, fmt.Sprintf("Status %q: want ok, error or denied.", v.Status))
	}
	if v.Tenant != "" && gateway.ValidateTenant(v.Tenant) != nil {
		problems = append(problems, fmt.Sprintf("Tenant %q is not a tenant name.", v.Tenant))
	}
	if len(v.Agent) > 64 {
		problems = append(problems, "Agent: at most 64 characters.")
	}
	if len(problems) > 0 {
		c.render(w, r, http.StatusBadRequest, "audit", "", view{Title: "Audit", Nav: "audit",
			Error: strings.Join(problems, " ") + " No filter was applied.", Data: v})
		return
	}
	v.Page, _ = strconv.Atoi(qs.Get("page"))
	v.Page = max(v.Page, 1)
	scan, err := c.scanAudit(r.Context(), v.Tenant, f, (v.Page-1)*auditPageSize, auditPageSize, now)
	if err == nil && len(scan.page) == 0 && v.Page > 1 && scan.total > 0 {
		// Past the last page: show the last one.
		v.Page = (scan.total + auditPageSize - 1) / auditPageSize
		scan, err = c.scanAudit(r.Context(), v.Tenant, f, (v.Page-1)*auditPageSize, auditPageSize, now)
	}
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The audit log could not be read: "+err.Error())
		return
	}
	v.Skipped = scan.skipped
	v.Total = scan.total
	v.Chart = scan.hours.chart()
	v.Pages = max(1, (v.Total+auditPageSize-1)/auditPageSize)
	v.Page = min(v.Page, v.Pages)
	page := func(n int) string {
		q := url.Values{}
		for k, val := range map[string]string{"since": v.Since, "tool": v.Tool, "agent": v.Agent, "status": v.Status, "tenant": v.Tenant} {
			if val != "" {
				q.Set(k, val)
			}
		}
		q.Set("page", strconv.Itoa(n))
		return prefix + "/audit?" + q.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = page(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = page(v.Page + 1)
	}
	for _, e := range scan.page {
		q := url.Values{"tenant": {e.Tenant}, "id": {e.ExecutionID}, "t": {e.Time.UTC().Format(time.RFC3339Nano)}}
		v.Entries = append(v.Entries, auditRow{AuditEntry: e, DetailURL: prefix + "/audit/entry?" + q.Encode(), Detail: auditDetail(e)})
	}
	c.render(w, r, http.StatusOK, "audit", "", view{Title: "Audit", Nav: "audit", Data: v})
}

// auditDetail is the error of a failed call or the identifying parameters
// of a successful one, on one short line.
func auditDetail(e gateway.AuditEntry) string {
	s := e.Error
	if s == "" {
		var parts []string
		for _, k := range []string{"jql", "cql", "issueKey", "pageId", "projectKey", "spaceKey", "summary", "title"} {
			if val, ok := e.Params[k]; ok {
				parts = append(parts, fmt.Sprintf("%s=%v", k, val))
			}
		}
		s = strings.Join(parts, " ")
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}

type entryView struct {
	Entry  gateway.AuditEntry
	Params string
}

func (c *Console) auditEntry(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	tenant, id := qs.Get("tenant"), qs.Get("id")
	at, err := time.Parse(time.RFC3339Nano, qs.Get("t"))
	if gateway.ValidateTenant(tenant) != nil || id == "" || len(id) > 128 || err != nil {
		c.fail(w, r, http.StatusBadRequest, "This audit entry link is malformed (it needs a tenant, an execution id and a time); open entries from the Audit page.")
		return
	}
	// Newest first, so a recent entry is found without reading the rest.
	rd, err := gateway.OpenNewestFirst(r.Context(), c.opts.Backend.Audit(), tenant, gateway.AuditFilter{Since: at})
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The audit log could not be read: "+err.Error())
		return
	}
	defer rd.Close()
	for e, ok := rd.Next(); ok; e, ok = rd.Next() {
		if e.ExecutionID == id && e.Time.Equal(at) {
			raw, _ := json.MarshalIndent(e.Params, "", "  ")
			c.render(w, r, http.StatusOK, "auditentry", "", view{Title: "Audit entry " + id, Nav: "audit", Data: entryView{Entry: e, Params: string(raw)}})
			return
		}
	}
	if err := rd.Err(); err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The audit log could not be read: "+err.Error())
		return
	}
	c.fail(w, r, http.StatusNotFound, "No audit entry of tenant "+tenant+" has execution id "+id+" at that time (rotated away by retention?).")
}
