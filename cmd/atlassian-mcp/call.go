package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

func runCall(ctx context.Context, s streams, args []string) int {
	fs := newFlags(s, "call", "TOOL ['{json args}'] [flags]", `Invoke one tool through the same server code an MCP client reaches, and print
its result: the quickest way to check a connection. Arguments are a JSON
object ('-' reads it from stdin). The exit code is 1 when the tool answers
with an error.`)
	o := addServeFlags(fs)
	asJSON := fs.Bool("json", false, "print the structured result (structuredContent) as JSON instead of the text")
	o.logLevel = "warn"
	if code, ok := parseFlags(fs, reorderFlags(args)); !ok {
		return code
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return exitUsage
	}
	tool, rawArgs := fs.Arg(0), "{}"
	if fs.NArg() == 2 {
		rawArgs = fs.Arg(1)
	}
	if rawArgs == "-" {
		b, err := io.ReadAll(io.LimitReader(s.in, 32<<20))
		if err != nil {
			fmt.Fprintf(s.err, "call: read arguments: %v\n", err)
			return exitUsage
		}
		rawArgs = string(b)
	}
	var arguments map[string]any
	if err := json.Unmarshal([]byte(rawArgs), &arguments); err != nil {
		fmt.Fprintf(s.err, "call: the arguments are not a JSON object: %v\n", err)
		return exitUsage
	}
	c, cleanup, code := inProcessClient(ctx, s, o, true)
	if c == nil {
		return code
	}
	defer cleanup()
	var req mcpgo.CallToolRequest
	req.Params.Name = tool
	req.Params.Arguments = arguments
	res, err := c.CallTool(ctx, req)
	if err != nil {
		fmt.Fprintf(s.err, "call: %v\n", err)
		return exitFailure
	}
	if *asJSON && !res.IsError {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res.StructuredContent)
	} else {
		for _, content := range res.Content {
			if tc, ok := content.(mcpgo.TextContent); ok {
				fmt.Fprintln(s.out, tc.Text)
			}
		}
	}
	if res.IsError {
		return exitFailure
	}
	return exitOK
}

// inProcessClient opens the connection (or the sandbox), builds the server
// and returns an initialized in-process MCP client of it. On failure it
// has reported the error and returns a nil client and the exit code.
func inProcessClient(ctx context.Context, s streams, o *serveOptions, waitSchema bool) (*client.Client, func(), int) {
	logger, err := newLogger(s.err, o.logLevel)
	if err != nil {
		fmt.Fprintln(s.err, err)
		return nil, nil, exitUsage
	}
	st, cleanup, err := o.open(ctx, s, logger)
	if err != nil {
		fmt.Fprintln(s.err, err)
		return nil, nil, exitFailure
	}
	st.LoadSchema(ctx, waitSchema)
	// The same guard and audit log as serve: the local user is the owner.
	srv, closeAudit, code := tenantServer(ctx, s, o, st, st.Config.Connection, mcp.Owner(st.Config.Connection), mcp.AuditOptions{}, logger)
	if srv == nil {
		cleanup()
		return nil, nil, code
	}
	stop := cleanup
	cleanup = func() { closeAudit(); stop() }
	c, err := client.NewInProcessClient(srv.MCP())
	if err == nil {
		err = c.Start(ctx)
	}
	if err == nil {
		var init mcpgo.InitializeRequest
		init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcpgo.Implementation{Name: "atlassian-mcp-cli", Version: buildVersion()}
		_, err = c.Initialize(ctx, init)
	}
	if err != nil {
		cleanup()
		fmt.Fprintln(s.err, err)
		return nil, nil, exitFailure
	}
	return c, func() { _ = c.Close(); cleanup() }, exitOK
}

// reorderFlags moves flags after positional arguments to the front, so
// `call TOOL '{...}' --sandbox` works as well as `call --sandbox TOOL ...`.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
		default:
			pos = append(pos, a)
		}
	}
	return append(flags, pos...)
}
