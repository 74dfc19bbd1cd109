package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// statusReport is what `status` shows; --json prints it as is.
type statusReport struct {
	Connection        string          `json:"connection"`
	SiteName          string          `json:"site_name"`
	SiteURL           string          `json:"site_url"`
	CloudID           string          `json:"cloud_id"`
	Products          []productHealth `json:"products"`
	Status            string          `json:"status"`
	Message           string          `json:"message,omitempty"`
	ConnectedBy       string          `json:"connected_by"`
	ConnectedAt       time.Time       `json:"connected_at"`
	TokenExpiry       time.Time       `json:"access_token_expiry"`
	SchemaRefreshedAt *time.Time      `json:"schema_refreshed_at"`
	Healthy           bool            `json:"healthy"`
}

// productHealth is one product's check.
type productHealth struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Check   string `json:"check"`
	Message string `json:"message,omitempty"`
}

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
	rep := checkConnection(ctx, store, conn)
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

// checkConnection gets a token (refreshing when due), re-checks that the
// grant still covers the site, and probes each product.
func checkConnection(ctx context.Context, store *tokenstore.Store, conn tokenstore.Connection) statusReport {
	rep := statusReport{
		Connection: conn.Name, SiteName: conn.Site.Name, SiteURL: conn.Site.URL, CloudID: conn.Site.CloudID,
		Status: string(conn.Status), Message: conn.StatusMessage,
		ConnectedBy: conn.ConnectedBy, ConnectedAt: conn.ConnectedAt, TokenExpiry: conn.TokenExpiry,
	}
	for _, p := range conn.Products {
		rep.Products = append(rep.Products, productHealth{Name: atlassian.Product(p.Name).Title(), Check: probePath(atlassian.Product(p.Name))})
	}
	fail := func(st tokenstore.Status, msg string) statusReport {
		rep.Status, rep.Message = string(st), msg
		for i := range rep.Products {
			if rep.Products[i].Message == "" {
				rep.Products[i].Message = "not checked"
			}
		}
		return rep
	}
	ts, err := store.TokenSource(ctx, conn.Name)
	if err != nil {
		return fail(tokenstore.StatusError, err.Error())
	}
	if _, err := ts.Token(); err != nil {
		if errors.Is(err, tokenstore.ErrTokenExpired) {
			return fail(tokenstore.StatusTokenExpired, err.Error())
		}
		return fail(tokenstore.StatusError, err.Error())
	}
	if c, err := store.Get(conn.Name); err == nil { // the token may have been refreshed
		rep.TokenExpiry = c.TokenExpiry
	}
	hc, err := store.HTTPClient(ctx, conn.Name)
	if err != nil {
		return fail(tokenstore.StatusError, err.Error())
	}
	hc.Timeout = 20 * time.Second

	// The grant can change (re-consent with other scopes, another site).
	resources, err := atlassian.AccessibleResources(ctx, hc, conn.APIURL, atlassian.WithRetryPolicy(atlassian.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		if errors.Is(err, tokenstore.ErrTokenExpired) {
			return fail(tokenstore.StatusTokenExpired, err.Error())
		}
		return fail(tokenstore.StatusError, "accessible-resources: "+err.Error())
	}
	var site *atlassian.Resource
	for i := range resources {
		if resources[i].ID == conn.Site.CloudID {
			site = &resources[i]
		}
	}
	if site == nil {
		return fail(tokenstore.StatusError, fmt.Sprintf("the grant no longer covers site %s (%s): the app was removed from the site or consent was given for another site; run `atlassian-mcp connect --connection %s`", conn.Site.Name, conn.Site.CloudID, conn.Name))
	}

	healthy := true
	for i, p := range conn.Products {
		ph := &rep.Products[i]
		if !site.Has(atlassian.Product(p.Name)) {
			ph.Message = "the grant no longer covers " + ph.Name + " on this site"
			healthy = false
			continue
		}
		msg, err := probe(ctx, hc, conn, atlassian.Product(p.Name))
		switch {
		case errors.Is(err, tokenstore.ErrTokenExpired):
			return fail(tokenstore.StatusTokenExpired, err.Error())
		case err != nil:
			ph.Message = err.Error()
			healthy = false
		default:
			ph.OK, ph.Message = true, msg
		}
	}
	if len(rep.Products) == 0 {
		return fail(tokenstore.StatusError, "the connection has no products; run `atlassian-mcp connect` again")
	}
	if !healthy {
		rep.Status, rep.Message = string(tokenstore.StatusError), "a product check failed"
		return rep
	}
	rep.Status, rep.Message, rep.Healthy = string(tokenstore.StatusActive), "", true
	return rep
}

// probePath is the cheap authenticated call that checks a product.
func probePath(product atlassian.Product) string {
	switch product {
	case atlassian.ProductJira:
		return "GET /rest/api/3/myself"
	case atlassian.ProductConfluence:
		return "GET /wiki/api/v2/spaces?limit=1"
	}
	return ""
}

// probe makes a product's check call and describes a failure.
func probe(ctx context.Context, hc *http.Client, conn tokenstore.Connection, product atlassian.Product) (string, error) {
	var u string
	switch product {
	case atlassian.ProductJira:
		u = atlassian.JiraBaseURL(conn.APIURL, conn.Site.CloudID) + "/rest/api/3/myself"
	case atlassian.ProductConfluence:
		u = atlassian.ConfluenceBaseURL(conn.APIURL, conn.Site.CloudID) + "/wiki/api/v2/spaces?limit=1"
	default:
		return "", fmt.Errorf("unknown product %q", product)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && (errors.Is(err, tokenstore.ErrTokenExpired) || errors.Is(err, tokenstore.ErrClientRejected)) {
			return "", ue.Err
		}
		return "", fmt.Errorf("request failed: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusOK:
		return "ok", nil
	case resp.StatusCode == http.StatusUnauthorized && strings.Contains(string(body), "scope does not match"):
		return "", fmt.Errorf("HTTP 401 scope does not match: the app lacks a scope for this check; add it in the developer console and connect again")
	case resp.StatusCode == http.StatusUnauthorized:
		return "", fmt.Errorf("HTTP 401 unauthorized: the token was not accepted")
	case resp.StatusCode == http.StatusForbidden:
		return "", fmt.Errorf("HTTP 403 forbidden: the admin's account cannot use %s on this site", product.Title())
	case resp.StatusCode == http.StatusNotFound:
		return "", fmt.Errorf("HTTP 404: %s is not available on this site (removed, or the site is unavailable)", product.Title())
	}
	return "", fmt.Errorf("HTTP %d", resp.StatusCode)
}

func printStatus(w io.Writer, r statusReport) {
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
