package main

import "context"

func runConnect(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "connect", "[flags]", "Connect an Atlassian Cloud site through the OAuth 2.0 (3LO) browser flow.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "connect", "5")
}
