package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

func runAudit(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "audit", "[flags]", `List and filter the audit log: every tool call, allowed or denied, with its
agent, sender and tier, parameters, duration and result. Each tenant's log
is <data-dir>/audit/<tenant>.jsonl (JSON lines, rotated files alongside),
or, with a PostgreSQL store (--store or `+envStore+`), the audit_entries
table every replica writes. Lines torn by a crash are skipped and reported
on stderr.`)
	var sf storeFlags
	fs.StringVar(&sf.dataDir, "data-dir", "", "data directory (env "+envDataDir+"; default $XDG_DATA_HOME/atlassian-mcp or ~/.local/share/atlassian-mcp)")
	fs.StringVar(&sf.store, "store", "", "bolt (the data directory's files) or postgres://... (the table every replica writes; env "+envStore+")")
	since := fs.String("since", "", "only entries since a time (RFC 3339 or 2006-01-02) or for a duration back (e.g. 24h, 7d)")
	tool := fs.String("tool", "", "only this tool (e.g. jira_search or atlassian_jira_search)")
	agent := fs.String("agent", "", "only this agent")
	status := fs.String("status", "", "only this result: ok, error or denied")
	tenant := fs.String("tenant", "", "only this tenant (default: every tenant with a log)")
	limit := fs.Int("limit", 0, "show only the last N entries, reading only those (0: all)")
	asJSON := fs.Bool("json", false, "print the entries as JSON lines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	f := gateway.AuditFilter{Tool: *tool, Agent: *agent, Status: *status}
	if *status != "" && !slices.Contains([]string{gateway.StatusOK, gateway.StatusError, gateway.StatusDenied}, *status) {
		return usagef("--status %q: want ok, error or denied", *status)
	}
	if *since != "" {
		t, err := gateway.ParseSince(*since, time.Now())
		if err != nil {
			return usagef("--since: %v", err)
		}
		f.Since = t
	}
	spec, err := sf.storeSpec()
	if err != nil {
		return usage(err)
	}
	var audit gateway.AuditReader
	if spec != "" {
		db, err := openDB(ctx, spec, true)
		if err != nil {
			return err
		}
		defer db.Close()
		audit = db.Audit()
	} else {
		dataDir, err := sf.dir()
		if err != nil {
			return err
		}
		audit = gateway.AuditFiles{Dir: filepath.Join(dataDir, "audit")}
	}
	var entries []gateway.AuditEntry
	if *limit > 0 {
		if entries, err = latestAudit(ctx, s, audit, *tenant, f, *limit); err != nil {
			return err
		}
	} else {
		tenants := []string{*tenant}
		if *tenant == "" {
			if tenants, err = audit.Tenants(ctx); err != nil {
				return err
			}
		}
		for _, t := range tenants {
			res, err := audit.Read(ctx, t, f)
			if err != nil {
				return err
			}
			for _, sk := range res.Skipped {
				fmt.Fprintf(s.err, "audit: skipped %s\n", sk)
			}
			entries = append(entries, res.Entries...)
		}
		slices.SortStableFunc(entries, func(a, b gateway.AuditEntry) int { return a.Time.Compare(b.Time) })
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		for i := range entries {
			_ = enc.Encode(&entries[i])
		}
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintf(s.out, "No audit entries in %s match.\n", audit.Where())
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tTENANT\tAGENT\tTOOL\tSTATUS\tSENDER/TIER\tMS\tEXECUTION\tDETAIL")
	for _, e := range entries {
		tool := strings.TrimPrefix(e.Tool, "atlassian_")
		if e.Action != "" {
			tool += "/" + e.Action
		}
		sender := e.Tier
		if e.Sender != "" {
			sender = e.Sender + "/" + e.Tier
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", e.Time.UTC().Format("2006-01-02 15:04:05"), e.Tenant, e.Agent, tool,
			e.Status, sender, e.DurationMS, e.ExecutionID, auditDetail(e))
	}
	_ = tw.Flush()
	if len(entries) == 1 {
		fmt.Fprintln(s.out, "1 entry.")
	} else {
		fmt.Fprintf(s.out, "%d entries.\n", len(entries))
	}
	return nil
}

// auditLatest is a reader that reads the newest n entries of one tenant
// or of all ("") with one query (pgstore: ORDER BY at DESC LIMIT n).
type auditLatest interface {
	Latest(ctx context.Context, tenant string, f gateway.AuditFilter, n int) (gateway.AuditCursor, error)
}

// latestAudit returns the newest n entries f selects (of tenant, or of
// every tenant when it is ""), oldest first, reading from the newest
// backwards and stopping at n: the database reads n rows, the files
// their last blocks, not the whole log.
func latestAudit(ctx context.Context, s streams, audit gateway.AuditReader, tenant string, f gateway.AuditFilter, n int) ([]gateway.AuditEntry, error) {
	var cursors []func() (gateway.AuditCursor, error)
	if l, ok := audit.(auditLatest); ok {
		cursors = append(cursors, func() (gateway.AuditCursor, error) { return l.Latest(ctx, tenant, f, n) })
	} else {
		tenants := []string{tenant}
		if tenant == "" {
			var err error
			if tenants, err = audit.Tenants(ctx); err != nil {
				return nil, err
			}
		}
		for _, t := range tenants {
			cursors = append(cursors, func() (gateway.AuditCursor, error) { return gateway.OpenNewestFirst(ctx, audit, t, f) })
		}
	}
	var entries []gateway.AuditEntry // newest first, n of each cursor at most
	for _, open := range cursors {
		c, err := open()
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			e, ok := c.Next()
			if !ok {
				break
			}
			entries = append(entries, e)
		}
		err = c.Err()
		for _, sk := range c.Skipped() {
			fmt.Fprintf(s.err, "audit: skipped %s\n", sk)
		}
		_ = c.Close()
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(entries, func(a, b gateway.AuditEntry) int { return b.Time.Compare(a.Time) })
	entries = entries[:min(n, len(entries))]
	slices.Reverse(entries)
	return entries, nil
}

// auditDetail is the error of a failed call or the identifying
// parameters of a successful one, on one short line.
func auditDetail(e gateway.AuditEntry) string {
	if e.Error != "" {
		return oneLine(e.Error, 120)
	}
	var parts []string
	for _, k := range []string{"jql", "cql", "issueKey", "pageId", "projectKey", "spaceKey", "summary", "title"} {
		if v, ok := e.Params[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	return oneLine(strings.Join(parts, " "), 120)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
