package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/hub"
)

func runStatus(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "status", "[flags]", `Show the connection details and check each product with a cheap authenticated call.
Refreshes the access token when it is due, which also keeps the 90-day refresh
token inactivity window alive. Exit code 0 means healthy, 1 not.`)
	sf := addStoreFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for the checks")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := sf.openStore()
	if err != nil {
		return err
	}
	conn, err := store.Get(sf.connection)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	rep := hub.Check(ctx, store, conn)
	if snap, err := snapshotsOf(store).Load(conn.Name); err == nil {
		rep.SchemaRefreshedAt = &snap.RefreshedAt
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printStatus(s.out, rep)
	}
	if !rep.Healthy {
		return exitStatus(exitFailure)
	}
	return nil
}

func printStatus(w io.Writer, r hub.Report) {
	fmt.Fprintf(w, "Connection:        %s\n", r.Connection)
	fmt.Fprintf(w, "Site name:         %s\n", r.SiteName)
	fmt.Fprintf(w, "Site URL:          %s\n", r.SiteURL)
	fmt.Fprintf(w, "Cloud ID:          %s\n", r.CloudID)
	fmt.Fprintf(w, "Products:\n")
	for _, p := range r.Products {
		state := "ok"
		if !p.OK {
			state = "FAIL: " + p.Message
		}
		fmt.Fprintf(w, "  %-15s  %s  (%s)\n", p.Name, state, p.Check)
	}
	fmt.Fprintf(w, "Status:            %s\n", r.Status)
	if r.Message != "" {
		fmt.Fprintf(w, "                   %s\n", r.Message)
	}
	by := r.ConnectedBy
	if by == "" {
		by = "unknown (read:me was not granted)"
	}
	fmt.Fprintf(w, "Connected by:      %s\n", by)
	fmt.Fprintf(w, "Connected at:      %s\n", r.ConnectedAt.Local().Format(time.RFC1123))
	exp := "unknown"
	if !r.TokenExpiry.IsZero() {
		exp = r.TokenExpiry.Local().Format(time.RFC1123)
		if d := time.Until(r.TokenExpiry); d > 0 {
			exp += fmt.Sprintf(" (in %s)", d.Round(time.Minute))
		} else {
			exp += " (expired; refreshed on next use)"
		}
	}
	fmt.Fprintf(w, "Access token:      expires %s\n", exp)
	refreshed := "never (run 'atlassian-mcp schema refresh')"
	if r.SchemaRefreshedAt != nil {
		refreshed = r.SchemaRefreshedAt.Local().Format(time.RFC1123)
	}
	fmt.Fprintf(w, "Schema refreshed:  %s\n", refreshed)
}
