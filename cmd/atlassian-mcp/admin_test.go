package main

import (
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/console"
)

func TestAdminToken(t *testing.T) {
	dir := t.TempDir()
	code, first, _ := runCLI(t, "admin", "token", "--data-dir", dir)
	if code != exitOK || !strings.HasPrefix(first, console.AdminTokenPrefix) {
		t.Fatalf("first admin token: exit %d, %q", code, first)
	}
	// Stored hashed: a second run cannot print it, and says how to rotate.
	code, out, errOut := runCLI(t, "admin", "token", "--data-dir", dir)
	if code == exitOK || out != "" || !strings.Contains(errOut, "--rotate") {
		t.Fatalf("second admin token: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, second, _ := runCLI(t, "admin", "token", "--rotate", "--data-dir", dir)
	if code != exitOK || second == first || !strings.HasPrefix(second, console.AdminTokenPrefix) {
		t.Fatalf("rotate: exit %d, %q", code, second)
	}
	tokens := console.NewAdminTokens(dir)
	if _, ok, _ := tokens.Verify(strings.TrimSpace(first)); ok {
		t.Fatal("the rotated-away token still verifies")
	}
	if _, ok, _ := tokens.Verify(strings.TrimSpace(second)); !ok {
		t.Fatal("the new token does not verify")
	}
	if code, _, _ := runCLI(t, "admin", "nonsense"); code != exitUsage {
		t.Fatalf("admin nonsense: exit %d", code)
	}
}
