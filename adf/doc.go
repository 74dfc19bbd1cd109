// Package adf converts between markdown, the Atlassian Document Format (ADF,
// used by Jira) and Confluence storage format.
//
// The package is pure: it does no I/O and holds no mutable global state, so
// every function is safe for concurrent use.
package adf
