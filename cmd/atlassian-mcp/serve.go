package main

import "context"

func runServe(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "serve", "[flags]", "Serve the Atlassian tools over MCP.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "serve", "7")
}
