package mcp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// describeError writes err for an LLM: what was wrong and what to do next.
// Atlassian's own messages (JQL errors, field errors) are passed through
// verbatim; no token, header or query string is ever part of the text.
func describeError(err error) string {
	var (
		argErr    *ArgError
		lookupErr *schema.LookupError
		rateErr   *atlassian.RateLimitError
		apiErr    *atlassian.APIError
	)
	switch {
	case errors.As(err, &argErr):
		return argErr.Error()
	case errors.As(err, &lookupErr):
		return lookupErr.Error()
	case errors.Is(err, tokenstore.ErrTokenExpired):
		return "The Atlassian connection's authorization has expired or was revoked (Token Expired). " +
			"An admin must run 'atlassian-mcp connect' again; retrying will not help."
	case errors.Is(err, tokenstore.ErrClientRejected):
		return "Atlassian rejected the OAuth app's client id or secret. An admin must fix the app credentials " +
			"and run 'atlassian-mcp connect'; retrying will not help."
	case errors.Is(err, tokenstore.ErrUnavailable):
		// The cause (an address, a driver's message) is for the server's
		// log, not the agent.
		return "The server's database is unavailable right now, so the call was not made. " +
			"Retry in a minute; if it keeps failing, ask the server's admin."
	case errors.As(err, &rateErr):
		wait := "in a minute"
		if rateErr.RetryAfter > 0 {
			wait = "in " + rateErr.RetryAfter.Round(time.Second).String()
		}
		reason := ""
		if rateErr.Reason != "" {
			reason = " (" + rateErr.Reason + ")"
		}
		return fmt.Sprintf("Atlassian is rate limiting this site%s and the request was not completed after retrying. Try again %s; "+
			"do not repeat write calls in a loop.", reason, wait)
	case errors.As(err, &apiErr):
		return describeAPIError(apiErr)
	case errors.Is(err, atlassian.ErrInvalidID):
		return err.Error()
	}
	return err.Error()
}

// describeAPIError renders an Atlassian error answer with a hint per status.
func describeAPIError(e *atlassian.APIError) string {
	msgs := strings.Join(apiMessages(e), "; ")
	if msgs == "" {
		msgs = http.StatusText(e.StatusCode)
	}
	var hint string
	switch {
	case errors.Is(e, atlassian.ErrScopeMismatch):
		return "The connection's OAuth scopes do not cover this call (" + msgs + "). An admin must reconnect " +
			"with the needed scopes ('atlassian-mcp connect')."
	case e.StatusCode == http.StatusUnauthorized:
		return "Atlassian did not accept the connection's token (" + msgs + "). If this persists an admin must " +
			"run 'atlassian-mcp connect' again."
	case e.StatusCode == http.StatusNotFound:
		hint = " Check the key or id; it may also exist but not be visible to the connected user."
	case e.StatusCode == http.StatusForbidden:
		hint = " The connected user lacks the permission for this."
	case e.StatusCode == http.StatusConflict:
		hint = " Someone else changed it at the same time; read it again and retry."
	case e.StatusCode == http.StatusRequestEntityTooLarge:
		hint = " The content is too large; shorten it."
	case e.StatusCode >= 500:
		hint = " Atlassian had a problem; try again later."
	}
	out := "Atlassian answered " + fmt.Sprint(e.StatusCode) + ": " + strings.TrimRight(msgs, ". ") + "." + hint
	// A trace id helps Atlassian support with their own failures; for a
	// mistake the caller can fix it is noise.
	if e.TraceID != "" && e.StatusCode >= 500 {
		out += " (atl-traceid " + e.TraceID + ")"
	}
	return out
}

// javaClassRe matches the Java exception class Confluence v1 puts before
// its messages ("com.atlassian.confluence.api.service.exceptions.BadRequestException: ").
var javaClassRe = lazyRegexp(`\b(?:[a-z][a-z0-9_]*\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\s*:\s*`)

// apiMessages are Atlassian's messages without Java class names, empty
// ones and repeats.
func apiMessages(e *atlassian.APIError) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range e.Messages() {
		m = strings.TrimSpace(javaClassRe.ReplaceAllString(m, ""))
		if m == "" || seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}
