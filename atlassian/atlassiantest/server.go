// Package atlassiantest is the sandbox: a stateful, in-memory Atlassian Cloud
// served over real HTTP. It speaks the OAuth 2.0 (3LO) authorization server,
// the api.atlassian.com gateway, Jira Cloud REST v3 and Confluence Cloud (v2
// plus the v1 CQL search) closely enough that code passing against it works
// against Atlassian. Use it from tests like net/http/httptest:
//
//	srv := atlassiantest.NewServer()
//	defer srv.Close()
//	// srv.URL is both the authorization server and the API gateway.
//
// and from the command line as `atlassian-mcp sandbox`.
package atlassiantest

import (
	"encoding/json"
	"net/http"
	"sync"
)

// Product names an Atlassian product the sandbox site has.
type Product string

// The products a site can have.
const (
	Jira       Product = "jira"
	Confluence Product = "confluence"
)

// Server is a running sandbox site. All its state lives in memory and is
// guarded by one mutex, so handlers are safe under concurrent requests.
type Server struct {
	// URL is the base URL of the sandbox, e.g. "http://127.0.0.1:41234". It
	// serves the authorization server (/authorize, /oauth/token) and the
	// gateway (/oauth/token/accessible-resources, /me, /ex/jira/{cloudId}/...,
	// /ex/confluence/{cloudId}/...).
	URL string
	// CloudID is the site's cloud id used in gateway paths.
	CloudID string
	// ClientID and ClientSecret are the registered OAuth app's credentials.
	ClientID     string
	ClientSecret string

	mux *http.ServeMux

	mu sync.Mutex // guards all state below
	// Product state lives in the files that own each product:
	// oauth.go (clients, codes, token families), jira*.go, confluence*.go.
}

// caller is the authenticated principal of an API request.
type caller struct {
	AccountID string
	Scopes    []string
}

// apiHandler handles one gateway API route after the gateway has checked
// the cloud id, the bearer token and the route's scopes.
type apiHandler func(w http.ResponseWriter, r *http.Request, c *caller)

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jiraError writes Jira's ErrorCollection shape:
// {"errorMessages":[...],"errors":{...}}.
func jiraError(w http.ResponseWriter, status int, messages []string, fields map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"errorMessages": messages, "errors": fields})
}
