package main

import "context"

func runStatus(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "status", "[flags]", "Show the connection details and check each product.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "status", "5")
}
