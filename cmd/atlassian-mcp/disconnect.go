package main

import "context"

func runDisconnect(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "disconnect", "[flags]", "Delete a connection's tokens and cached data.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "disconnect", "5")
}
