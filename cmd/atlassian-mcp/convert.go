package main

import "context"

func runConvert(_ context.Context, s streams, args []string) int {
	fs := newFlags(s, "convert", "--from FORMAT --to FORMAT < in > out", "Convert between markdown, ADF (Jira) and storage format (Confluence).")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	return notBuilt(s, "convert", "4")
}
