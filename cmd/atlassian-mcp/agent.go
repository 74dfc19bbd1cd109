package main

import "context"

func runAgent(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "agent", "add|list|remove [flags]", "Manage HTTP agents and their bearer tokens.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "agent", "8")
}
