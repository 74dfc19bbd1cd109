package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time with -ldflags "-X main.version=v1.2.3"; when
// unset it falls back to the module version recorded in the build info.
var version = ""

func runVersion(_ context.Context, s streams, args []string) error {
	fs := newFlags(s, "version", "", "Print the version of atlassian-mcp.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "atlassian-mcp %s (%s %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
