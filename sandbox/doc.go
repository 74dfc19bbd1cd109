// Package sandbox is a stateful, in-memory Atlassian Cloud served over real
// HTTP. It speaks the OAuth 2.0 (3LO) authorization server, the
// api.atlassian.com gateway, Jira Cloud REST v3 and Confluence Cloud (v2
// plus the v1 CQL search) closely enough that code passing against it works
// against Atlassian. It is a product feature (`atlassian-mcp sandbox`,
// `atlassian-mcp serve --sandbox`) as much as the test double every package
// tests against. Use it from tests like net/http/httptest:
//
//	srv := sandbox.NewServer()
//	defer srv.Close()
//	// srv.URL is both the authorization server and the API gateway.
//
// One Server is one site ("acme-demo") with one registered OAuth app, or,
// WithSites, several sites one grant covers (sites.go). The site's
// products, data, clock, latency, rate limits and faults are chosen with
// options (see Option) and changed at run time with methods such as
// InjectFault, RevokeAll and SetAutoApprove.
//
// # Files by Atlassian API family
//
// The server and its configuration:
//
//	server.go          Server, NewServer/Start, routing, JSON helpers
//	options.go         Option values (products, clock, latency, limits, data)
//	site.go            SiteSpec: a generated large site for performance work
//	sites.go           WithSites: more sites behind one gateway and one grant
//	requestlog.go      the request log (secrets never logged)
//	faults.go          injected faults: status, Retry-After, latency, dropped connections
//	limits.go          rate limits as Atlassian enforces them (burst and per-issue writes)
//	walkthrough.go     the URLs, credentials and curl walk-through `sandbox` prints
//
// OAuth 2.0 (3LO) authorization server (auth.atlassian.com):
//
//	oauth.go           /authorize, /oauth/token (code and refresh grants), /oauth/revoke
//	tokenrequest.go    token and revoke request parsing (JSON and form bodies)
//	consent.go         the consent page
//
// The API gateway (api.atlassian.com):
//
//	gateway.go         accessible-resources, /me, the /ex/{product}/{cloudId} mounts and their checks
//	users.go           the site's people
//
// Jira Cloud REST v3 (/ex/jira/{cloudId}/rest/api/3):
//
//	jira.go            route table
//	jira_http.go       error texts, scopes, request decoding
//	jira_issues.go     issues: get, create, edit, transitions, comments, worklogs, assignee, watchers, changelog, links
//	jira_search.go     /search/jql, approximate-count, bulkfetch, /jql/parse
//	jira_jql.go        the bridge between the site's state and internal/jql
//	jira_meta.go       projects, createmeta, editmeta, fields, priorities, statuses, link types
//	jira_fields.go     field validation on create and edit
//	jira_users.go      user search, picker, assignable search, /myself
//	jira_adf.go        the ADF subset the sandbox reads
//	jira_render.go     rendering issues and users as Jira does
//	jira_json.go       pooled JSON writing
//	jira_state.go      the in-memory Jira state
//	jira_seed.go, jira_meta_seed.go, jira_generate.go   demo and generated data
//
// Confluence Cloud (/ex/confluence/{cloudId}/wiki):
//
//	confluence.go          route table and 410 Gone for removed v1 endpoints
//	confluence_pages.go    v2 pages, blog posts, folders, hierarchy
//	confluence_spaces.go   v2 spaces and a space's pages
//	confluence_labels.go   v2 label reads, v1 label writes
//	confluence_search.go   v1 CQL search (/wiki/rest/api/search)
//	confluence_users.go    v2 users-bulk (account ids to display names)
//	confluence_storage.go  storage format checks, text extraction, conversion to ADF
//	confluence_state.go    the in-memory Confluence state
//	confluence_seed.go     demo data
//
// The query engines live beside it in internal/jql (Jira Query Language) and
// internal/cql (Confluence Query Language); internal/querykit holds the
// wildcard matching and date arithmetic they and the search endpoint share.
package sandbox
