package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The default deadlines of one tool call, every Atlassian request, limiter
// wait and retry wait included (Options.CallTimeout overrides both).
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 60 * time.Second
)

// callTimeoutKey carries the call's timeout in its context, for messages.
type callTimeoutKey struct{}

// timeoutFor is the deadline of a call of the named tool.
func (s *Server) timeoutFor(name string) time.Duration {
	if s.opts.CallTimeout > 0 {
		return s.opts.CallTimeout
	}
	if t := s.tool(name); t != nil && t.Kind != ReadOnly {
		return DefaultWriteTimeout
	}
	return DefaultReadTimeout
}

// drainGrace is how long past the longest call deadline the end of stdio
// input waits for answers: a handler answers its deadline within it.
const drainGrace = 5 * time.Second

// longestCall is the longest deadline any call can have.
func (s *Server) longestCall() time.Duration {
	if s.opts.CallTimeout > 0 {
		return s.opts.CallTimeout
	}
	return max(DefaultReadTimeout, DefaultWriteTimeout)
}

// tool returns the tool named name, nil if there is none.
func (s *Server) tool(name string) *Tool {
	for _, t := range s.tools {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// deadline runs every call under its deadline. A call the deadline ended
// whose handler gave up without a result of its own gets one that says
// Atlassian did not answer in time and, for a write, that it may have
// happened.
func (s *Server) deadline(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
		timeout := s.timeoutFor(req.Params.Name)
		callCtx, cancel := context.WithTimeout(context.WithValue(ctx, callTimeoutKey{}, timeout), timeout)
		defer cancel()
		res, err := next(callCtx, req)
		if err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
			s.log.Warn("tool call deadline passed", "tool", req.Params.Name, "timeout", timeout)
			return mcpgo.NewToolResultError(timedOutText(callCtx, s.tool(req.Params.Name), req)), nil
		}
		return res, err
	}
}

// uncertainWrite is the failure of a write that may have happened anyway
// (no answer, or a deadline passed): its text says how to check before
// repeating it.
type uncertainWrite struct{ msg string }

func (e *uncertainWrite) Error() string { return e.msg }

// canceled reports whether the caller ended the call (as opposed to its
// deadline passing, which handlers answer with a result).
func canceled(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

// timedOut reports whether err ended a call because its deadline passed.
func timedOut(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// deadlineText says that product did not answer before ctx's deadline.
func deadlineText(ctx context.Context, product string) string {
	within := ""
	if d, ok := ctx.Value(callTimeoutKey{}).(time.Duration); ok {
		within = " within " + d.String()
	}
	return fmt.Sprintf("%s did not answer%s, the deadline of one tool call (reads 30s, writes 60s by default; serve --call-timeout changes it).", product, within)
}

// timedOutText is the result of a call whose deadline passed before its
// handler could say more: for a write, that it may have happened and how
// to check.
func timedOutText(ctx context.Context, t *Tool, req mcpgo.CallToolRequest) string {
	product := "Atlassian"
	if t != nil && t.Product == Confluence {
		product = "Confluence"
	} else if t != nil {
		product = "Jira"
	}
	msg := deadlineText(ctx, product)
	if t == nil || t.Kind == ReadOnly {
		return msg + " Nothing was changed. Try again, perhaps with a narrower query or fewer results; if it keeps happening the site is slow or unreachable."
	}
	check := "search for it"
	if key, _ := req.GetArguments()["issueKey"].(string); strings.TrimSpace(key) != "" {
		check = fmt.Sprintf("read %s with atlassian_jira_get_issue", strings.TrimSpace(key))
	}
	return msg + " The write may have happened: " + check + " before repeating it."
}
