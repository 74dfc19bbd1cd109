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

// readAudit reads the entries the filter selects from the tenants' logs,
// oldest first.
func (c *Console) readAudit(ctx context.Context, tenant string, f gateway.AuditFilter) ([]gateway.AuditEntry, []string, error) {
	audit := c.opts.Backend.Audit()
	tenants := []string{tenant}
	if tenant == "" {
		var err error
		if tenants, err = audit.Tenants(ctx); err != nil {
			return nil, nil, err
		}
	}
	var entries []gateway.AuditEntry
	var skipped []string
	for _, t := range tenants {
		res, err := audit.Read(ctx, t, f)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, res.Entries...)
		skipped = append(skipped, res.Skipped...)
	}
	slices.SortStableFunc(entries, func(a, b gateway.AuditEntry) int { return a.Time.Compare(b.Time) })
	return entries, skipped, nil
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
	entries, skipped, err := c.readAudit(r.Context(), v.Tenant, f)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The audit log could not be read: "+err.Error())
		return
	}
	v.Skipped = skipped
	v.Total = len(entries)
	v.Chart = hourlyChart(entries, now)
	v.Pages = max(1, (v.Total+auditPageSize-1)/auditPageSize)
	v.Page, _ = strconv.Atoi(qs.Get("page"))
	v.Page = min(max(v.Page, 1), v.Pages)
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
	// Newest first: page 1 ends at the last entry.
	hi := v.Total - (v.Page-1)*auditPageSize
	lo := max(0, hi-auditPageSize)
	for i := hi - 1; i >= lo; i-- {
		e := entries[i]
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
	res, err := c.opts.Backend.Audit().Read(r.Context(), tenant, gateway.AuditFilter{Since: at})
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "The audit log could not be read: "+err.Error())
		return
	}
	for _, e := range res.Entries {
		if e.ExecutionID == id && e.Time.Equal(at) {
			raw, _ := json.MarshalIndent(e.Params, "", "  ")
			c.render(w, r, http.StatusOK, "auditentry", "", view{Title: "Audit entry " + id, Nav: "audit", Data: entryView{Entry: e, Params: string(raw)}})
			return
		}
	}
	c.fail(w, r, http.StatusNotFound, "No audit entry of tenant "+tenant+" has execution id "+id+" at that time (rotated away by retention?).")
}
