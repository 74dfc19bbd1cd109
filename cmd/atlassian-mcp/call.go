package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/mark3labs/mcp-go/client"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

func runCall(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "call", "TOOL ['{json args}'] [flags]", `Invoke one tool through the same server code an MCP client reaches, and print
its result: the quickest way to check a connection. Arguments are a JSON
object ('-' reads it from stdin). The exit code is 1 when the tool answers
with an error. Flags may come before or after TOOL.

With --sandbox every call starts a fresh seeded sandbox site and throws it
away afterwards: an issue created by one 'call --sandbox' is gone for the
next. To keep state across calls, run a sandbox of its own and connect to
it once (it prints the connect command):
  atlassian-mcp sandbox --auto-approve        # keeps its state while it runs
  atlassian-mcp connect --connection sandbox --auth-url ... (as printed)
  atlassian-mcp call --connection sandbox TOOL '{...}'`)
	o := addServeFlags(fs, "warn")
	asJSON := fs.Bool("json", false, "print the structured result (structuredContent) as JSON instead of the text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return exitStatus(exitUsage)
	}
	tool, rawArgs := fs.Arg(0), "{}"
	if fs.NArg() == 2 {
		rawArgs = fs.Arg(1)
	}
	if rawArgs == "-" {
		b, err := io.ReadAll(io.LimitReader(s.in, 32<<20))
		if err != nil {
			return usagef("read arguments: %v", err)
		}
		rawArgs = string(b)
	}
	var arguments map[string]any
	if err := json.Unmarshal([]byte(rawArgs), &arguments); err != nil {
		return usagef("the arguments are not a JSON object: %v", err)
	}
	c, cleanup, err := inProcessClient(ctx, s, o, true)
	if err != nil {
		return err
	}
	defer cleanup()
	var req mcpgo.CallToolRequest
	req.Params.Name = tool
	req.Params.Arguments = arguments
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return err
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
		return exitStatus(exitFailure)
	}
	return nil
}

// inProcessClient opens the connection (or the sandbox), builds the server
// and returns an initialized in-process MCP client of it.
func inProcessClient(ctx context.Context, s streams, o *serveOptions, waitSchema bool) (*client.Client, func(), error) {
	logger, err := newLogger(s.err, o.logLevel)
	if err != nil {
		return nil, nil, usage(err)
	}
	st, cleanup, err := o.open(ctx, s, logger)
	if err != nil {
		return nil, nil, err
	}
	st.LoadSchema(ctx, waitSchema)
	// The same guard and audit log as serve: the local user is the owner.
	srv, closeAudit, err := tenantServer(o, st, st.Config.Connection, gateway.Owner(st.Config.Connection), gateway.AuditOptions{}, logger)
	if err != nil {
		cleanup()
		return nil, nil, err
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
		return nil, nil, err
	}
	return c, func() { _ = c.Close(); cleanup() }, nil
}
