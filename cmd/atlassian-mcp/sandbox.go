package main

import "context"

func runSandbox(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "sandbox", "[flags]", "Run a local, seeded Atlassian Cloud stand-in.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "sandbox", "2")
}
