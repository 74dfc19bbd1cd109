package main

import "context"

func runTools(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "tools", "[flags]", "Print the tools exactly as an MCP client lists them.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "tools", "7")
}
