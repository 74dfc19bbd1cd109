package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

func runTools(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "tools", "[flags]", `Print the tools exactly as an MCP client lists them (names, descriptions,
annotations and schemas), described from the connection's schema: what the
LLM sees.`)
	o := addServeFlags(fs, "warn")
	asJSON := fs.Bool("json", false, "print the tools/list result as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, cleanup, err := inProcessClient(ctx, s, o, true)
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := c.ListTools(ctx, mcpgo.ListToolsRequest{})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return nil
	}
	total := 0
	for _, t := range res.Tools {
		schema, _ := json.Marshal(t.InputSchema)
		if t.RawInputSchema != nil {
			schema = t.RawInputSchema
		}
		fmt.Fprintf(s.out, "%s\n%s\n\n%s\n\nInput schema: %s\n\n", t.Name, strings.Repeat("=", len(t.Name)), t.Description, schema)
		total += len(t.Description)
	}
	fmt.Fprintf(s.out, "%d tools; descriptions total %d bytes.\n", len(res.Tools), total)
	return nil
}
