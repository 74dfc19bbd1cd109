package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, c.name, "--help")
			if code != exitOK {
				t.Fatalf("%s --help: exit %d, want 0; stderr:\n%s", c.name, code, stderr)
			}
			if !strings.Contains(stderr, "Usage: atlassian-mcp "+c.name) {
				t.Errorf("%s --help does not show its usage line:\n%s", c.name, stderr)
			}
		})
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	code, _, stderr := runCLI(t, "frobnicate")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("stderr does not name the unknown command:\n%s", stderr)
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(stdout, "atlassian-mcp ") {
		t.Fatalf("version: exit %d, stdout %q", code, stdout)
	}
}
