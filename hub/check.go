package hub

import (
	"context"
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

// Report is a connection's details and live health, as `status` prints
// it (its JSON is `status --json`) and the admin console shows it.
type Report struct {
	Connection        string          `json:"connection"`
	SiteName          string          `json:"site_name"`
	SiteURL           string          `json:"site_url"`
	CloudID           string          `json:"cloud_id"`
	Products          []ProductHealth `json:"products"`
	Status            string          `json:"status"`
	Message           string          `json:"message,omitempty"`
	ConnectedBy       string          `json:"connected_by"`
	ConnectedAt       time.Time       `json:"connected_at"`
	TokenExpiry       time.Time       `json:"access_token_expiry"`
	SchemaRefreshedAt *time.Time      `json:"schema_refreshed_at"`
	Healthy           bool            `json:"healthy"`
}

// ProductHealth is one product's check.
type ProductHealth struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Check   string `json:"check"`
	Message string `json:"message,omitempty"`
}

// Check gets a token (refreshing when due), re-checks that the grant
// still covers the site, and probes each product with a cheap
// authenticated call. It is what `atlassian-mcp status` and the admin
// console show.
func Check(ctx context.Context, store *tokenstore.Store, conn tokenstore.Connection) Report {
	rep := Report{
		Connection: conn.Name, SiteName: conn.Site.Name, SiteURL: conn.Site.URL, CloudID: conn.Site.CloudID,
		Status: string(conn.Status), Message: conn.StatusMessage,
		ConnectedBy: conn.ConnectedBy, ConnectedAt: conn.ConnectedAt, TokenExpiry: conn.TokenExpiry,
	}
	for _, p := range conn.Products {
		rep.Products = append(rep.Products, ProductHealth{Name: atlassian.Product(p.Name).Title(), Check: probePath(atlassian.Product(p.Name))})
	}
	fail := func(st tokenstore.Status, msg string) Report {
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
