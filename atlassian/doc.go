// Package atlassian holds REST clients for Jira Cloud (REST v3) and
// Confluence Cloud (v2, plus the v1 CQL search and label writes), the OAuth
// 2.0 (3LO) side calls (accessible-resources, /me), and the HTTP core they
// share: typed errors, client-side rate limiting, polite retry, safe
// pagination and debug logging.
//
// The clients follow go-github: a client value holds services
// (jira.Issues, jira.Search, conf.Pages, …) whose methods take a context
// first, *XOptions for query parameters (nil for none; a method never
// changes the caller's options, paging included) and *XRequest values for
// bodies, and return typed values or typed errors (*APIError,
// *RateLimitError, matched with errors.Is against ErrNotFound,
// ErrUnauthorized, ErrForbidden, ErrGone, ErrScopeMismatch and
// ErrRateLimited). Each service lives in a file named after it, its doc
// comment linking Atlassian's reference, and each method's doc comment
// ends with the endpoint it calls and its API group's page ("Atlassian
// API: GET /rest/api/3/issue/{issueIdOrKey} (…)"), as go-github does: jira_issues.go (IssuesService),
// jira_search.go (IssueSearchService), jira_users.go, jira_projects.go,
// jira_meta.go, jira_issue_links.go, confluence_pages.go,
// confluence_blogposts.go, confluence_spaces.go, confluence_search.go and
// confluence_labels.go; client.go is the core they share.
//
// The clients never see a token. The caller passes an *http.Client whose
// transport authenticates (normally an oauth2.Transport); the clients add
// rate limiting and retry around it:
//
//	hc := oauth2.NewClient(ctx, tokenSource)
//	jira, err := atlassian.NewJiraClient(atlassian.JiraBaseURL(atlassian.DefaultGatewayURL, cloudID), hc)
//	issue, err := jira.Issues.Get(ctx, "ENG-42", &atlassian.IssueGetOptions{Fields: []string{"summary", "status"}})
//
// Base URLs are configuration: the sandbox (package sandbox) and
// Atlassian's gateway use the same code path. Every identifier put into a
// URL path is validated and escaped before any request; pagination cursors
// are reduced to their cursor value and re-applied to the configured base,
// so a next link can never send a request (and the token) to another host.
//
// Bodies carry Atlassian Document Format (Jira) or storage format
// (Confluence) values, never markdown. Issue field maps take any value that
// marshals to ADF (a *adf.Doc from package adf, or json.RawMessage);
// comment, worklog and link bodies are json.RawMessage (json.Marshal an
// adf.Doc). A string where Jira wants ADF is refused before sending.
//
// Retry and rate limiting live in the core rather than in RoundTripper
// decorators because they need what a transport cannot see: whether a
// POST is a read (JQL search) or a create, the issue a write touches, and
// the caller's deadline to decide between waiting and a *RateLimitError.
// The clients and a Limiter are safe for concurrent use.
package atlassian
