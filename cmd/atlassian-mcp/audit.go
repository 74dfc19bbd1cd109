package main

import "context"

func runAudit(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "audit", "[flags]", "List and filter the audit log.")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "audit", "8")
}
