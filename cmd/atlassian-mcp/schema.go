package main

import "context"

func runSchema(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "schema", "[refresh] [flags]", "Browse the discovered site schema, or rediscover it with 'schema refresh'.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "schema", "6")
}
