package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// TestTokenRefreshFailuresAreLogged revokes the grant of a connection whose
// access token needs refreshing: the refresh fails with invalid_grant, and
// the server logs it at warn with the connection's name and no secret.
func TestTokenRefreshFailuresAreLogged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	// A one-minute token is always within the five-minute refresh margin.
	site := connectSandbox(t, dir, "revoked", sandbox.WithAccessTokenTTL(time.Minute))
	site.RevokeAll()
	code, out, errOut := runWith(t, nil, "call", "atlassian_jira_search", `{"jql":"project = OPS"}`, "--data-dir", dir, "--connection", "revoked")
	if code != exitFailure || !strings.Contains(out, "connect") {
		t.Fatalf("exit %d; the result should say to reconnect:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "level=WARN") || !strings.Contains(errOut, "token refresh failed") || !strings.Contains(errOut, "connection=revoked") {
		t.Fatalf("the refresh failure was not logged at warn with the connection:\n%s", errOut)
	}
	for _, secret := range []string{site.ClientSecret, "refresh_token"} {
		if strings.Contains(errOut, secret) {
			t.Fatalf("the log holds %q:\n%s", secret, errOut)
		}
	}
}

// TestStandaloneSandboxKeepsStateAcrossCalls follows the recipe 'call
// --help' gives: a sandbox process of its own, one connect with the
// command it prints, then calls that see each other's writes.
func TestStandaloneSandboxKeepsStateAcrossCalls(t *testing.T) {
	callback, err := freeLoopbackCallback()
	if err != nil {
		t.Fatal(err)
	}
	listen, err := freeLoopbackCallback()
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(listen, "http://"), "/callback")
	cmd := exec.Command(binary(t), "sandbox", "--auto-approve", "--listen", addr, "--redirect-uri", callback)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	connectLine := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "atlassian-mcp connect ") {
				connectLine <- line
			}
		}
	}()
	var line string
	select {
	case line = <-connectLine:
	case <-time.After(30 * time.Second):
		t.Fatal("the sandbox printed no connect command")
	}
	dir := filepath.Join(t.TempDir(), "data")
	fakeBrowser(t, func(u string) error {
		_, _, err := browse(&http.Client{Timeout: 30 * time.Second}, u)
		return err
	})
	args := append(strings.Fields(strings.TrimPrefix(line, "atlassian-mcp ")), "--data-dir", dir, "--redirect-uri", callback, "--timeout", "30s")
	if code, out, errOut := runWith(t, nil, args...); code != exitOK {
		t.Fatalf("%q: exit %d\n%s\n%s", args, code, out, errOut)
	}
	code, out, errOut := runWith(t, nil, "call", "--data-dir", dir, "--connection", "sandbox", "--json",
		"atlassian_jira_create_issue", `{"projectKey":"OPS","issueType":"Task","summary":"Survives between calls"}`)
	var created struct{ Key string }
	if code != exitOK || json.Unmarshal([]byte(out), &created) != nil || created.Key == "" {
		t.Fatalf("create: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runWith(t, nil, "call", "atlassian_jira_get_issue", `{"issueKey":"`+created.Key+`"}`, "--data-dir", dir, "--connection", "sandbox")
	if code != exitOK || !strings.Contains(out, "Survives between calls") {
		t.Fatalf("the second call does not see the first one's issue: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestCLIWording(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "data")
	tests := []struct {
		name      string
		args      []string
		want      []string
		wantOnce  string
		forbidden []string
	}{
		{"schema without a connection points to connect", []string{"schema", "--data-dir", empty},
			[]string{"atlassian-mcp connect --connection default"}, "", []string{"schema refresh"}},
		{"tools without a connection says to connect once", []string{"tools", "--data-dir", empty},
			[]string{"--sandbox"}, "atlassian-mcp connect", nil},
		{"serve without a connection says to connect once", []string{"serve", "--data-dir", empty},
			[]string{"--sandbox"}, "atlassian-mcp connect", nil},
		{"call --help says --sandbox forgets", []string{"call", "--help"},
			[]string{"fresh seeded sandbox", "atlassian-mcp sandbox --auto-approve"}, "", nil},
		{"--log-level shows the effective default of call", []string{"call", "--help"},
			[]string{`(default "warn")`}, "", nil},
		{"--log-level shows the effective default of tools", []string{"tools", "--help"},
			[]string{`(default "warn")`}, "", nil},
		{"tools --tools bogus is tools' own error", []string{"tools", "--sandbox", "--tools", "bogus"},
			[]string{`invalid value "bogus" for flag -tools: tool "bogus" is unknown`, "Usage: atlassian-mcp tools"}, "", []string{"serve:"}},
		{"call --sandbox at debug level prints no connect transcript", []string{"call", "--sandbox", "--log-level", "debug", "atlassian_jira_search", `{"jql":"project = OPS","maxResults":1}`},
			[]string{"level=DEBUG"}, "", []string{"Connected ", "Open this URL", "Opening the consent page", "Stored in:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errOut := runWith(t, nil, tc.args...)
			all := out + errOut
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("lacks %q:\n%s", w, all)
				}
			}
			if tc.wantOnce != "" && strings.Count(errOut, tc.wantOnce) != 1 {
				t.Errorf("says %q %d times, want once:\n%s", tc.wantOnce, strings.Count(errOut, tc.wantOnce), errOut)
			}
			for _, f := range tc.forbidden {
				if strings.Contains(all, f) {
					t.Errorf("has %q:\n%s", f, all)
				}
			}
		})
	}
}
