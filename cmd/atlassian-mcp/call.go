package main

import "context"

func runCall(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "call", "TOOL '{json args}' [flags]", "Invoke one tool through the server code and print its result.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "call", "7")
}
