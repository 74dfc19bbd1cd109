package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/console"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

func TestFlagsFirst(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("data-dir", "", "")
	fs.Bool("json", false, "")
	fs.Int("limit", 0, "")
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--data-dir", "D", "--json", "TOOL", "{}"}, []string{"--data-dir", "D", "--json", "--", "TOOL", "{}"}},
		{[]string{"TOOL", "{}", "--data-dir", "D", "--json"}, []string{"--data-dir", "D", "--json", "--", "TOOL", "{}"}},
		{[]string{"TOOL", "--json", "{}", "--limit", "-5"}, []string{"--json", "--limit", "-5", "--", "TOOL", "{}"}},
		{[]string{"--data-dir=D", "TOOL", "-"}, []string{"--data-dir=D", "--", "TOOL", "-"}},
		{[]string{"TOOL", "--", "--json"}, []string{"--", "TOOL", "--json"}},
		{[]string{"--unknown", "x"}, []string{"--unknown", "--", "x"}},
		{[]string{"--data-dir"}, []string{"--data-dir"}},
	} {
		if got := flagsFirst(fs, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestEverySubcommandTakesSpacedFlagValues runs each subcommand with
// flags spaced from their values, before and after positional arguments,
// and checks the values were used.
func TestEverySubcommandTakesSpacedFlagValues(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	connectSandbox(t, dir, "site1")
	cfg := filepath.Join(t.TempDir(), "agents.json")
	isJSON := func(s string) bool { return json.Valid([]byte(strings.TrimSpace(s))) && strings.TrimSpace(s) != "" }
	tests := []struct {
		name  string
		args  []string
		stdin string
		check func(code int, out, errOut string) bool
	}{
		{"serve", []string{"serve", "--data-dir", dir, "--connection", "site1", "--log-level", "error", "--tools", "atlassian_jira_search"}, "",
			func(code int, out, errOut string) bool { return code == exitOK }},
		{"call, flags first", []string{"call", "--data-dir", dir, "--connection", "site1", "--json", "atlassian_jira_search", `{"jql":"project = OPS","maxResults":1}`}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && isJSON(out) && strings.Contains(out, "OPS-")
			}},
		{"call, flags last", []string{"call", "atlassian_jira_search", `{"jql":"project = OPS","maxResults":1}`, "--tools", "atlassian_jira_search", "--data-dir", dir, "--connection", "site1"}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && strings.Contains(out, "OPS-") && !isJSON(out)
			}},
		{"tools", []string{"tools", "--data-dir", dir, "--connection", "site1", "--tools", "atlassian_jira_get_issue"}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && strings.Contains(out, "atlassian_jira_get_issue") && !strings.Contains(out, "atlassian_jira_search")
			}},
		{"status", []string{"status", "--data-dir", dir, "--connection", "site1", "--timeout", "20s"}, "",
			func(code int, out, errOut string) bool { return code == exitOK && strings.Contains(out, "site1") }},
		{"schema", []string{"schema", "--data-dir", dir, "--connection", "site1", "--json"}, "",
			func(code int, out, errOut string) bool { return code == exitOK && isJSON(out) }},
		{"schema refresh", []string{"schema", "refresh", "--data-dir", dir, "--connection", "site1", "--timeout", "1m"}, "",
			func(code int, out, errOut string) bool { return code == exitOK && strings.Contains(out, "Refreshed") }},
		{"audit", []string{"audit", "--data-dir", dir, "--tenant", "site1", "--limit", "1", "--json"}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && strings.Count(strings.TrimSpace(out), "\n") == 0 && isJSON(out)
			}},
		{"agent add", []string{"agent", "add", "--name", "bot", "--tenant", "site1", "--profile", "aicos", "--config", cfg}, "",
			func(code int, out, errOut string) bool { _, err := os.Stat(cfg); return code == exitOK && err == nil }},
		{"agent list", []string{"agent", "list", "--config", cfg, "--json"}, "",
			func(code int, out, errOut string) bool { return code == exitOK && strings.Contains(out, `"bot"`) }},
		{"agent remove", []string{"agent", "remove", "bot", "--config", cfg}, "",
			func(code int, out, errOut string) bool {
				raw, _ := os.ReadFile(cfg)
				return code == exitOK && !strings.Contains(string(raw), `"bot"`)
			}},
		{"config", []string{"config", "show", "--config", cfg}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && isJSON(out) && strings.Contains(out, `"tenants"`)
			}},
		{"convert", []string{"convert", "--from", "markdown", "--to", "adf"}, "# Title",
			func(code int, out, errOut string) bool {
				return code == exitOK && isJSON(out) && strings.Contains(out, "heading")
			}},
		{"connect", []string{"connect", "--data-dir", dir, "--auth-url", "ftp://nowhere.example", "--client-id", "x", "--client-secret", "y", "--timeout", "1s"}, "",
			func(code int, out, errOut string) bool {
				return code != exitOK && strings.Contains(errOut, "ftp://nowhere.example")
			}},
		{"disconnect", []string{"disconnect", "--data-dir", dir, "--connection", "nosuch", "--timeout", "5s"}, "",
			func(code int, out, errOut string) bool {
				return code != exitOK && code != exitUsage && strings.Contains(errOut, "nosuch")
			}},
		{"rotate-key", []string{"rotate-key", "--data-dir", dir}, "",
			func(code int, out, errOut string) bool { return code == exitOK }},
		{"sandbox", []string{"sandbox", "--listen", "0.0.0.0:1", "--latency", "1ms"}, "",
			func(code int, out, errOut string) bool {
				return code == exitUsage && strings.Contains(errOut, "0.0.0.0:1")
			}},
		{"store", []string{"store", "copy", "--from", filepath.Join(dir, "nowhere"), "--to", "postgres://127.0.0.1:1/none"}, "",
			func(code int, out, errOut string) bool {
				return code == exitFailure && strings.Contains(errOut, filepath.Join(dir, "nowhere"))
			}},
		{"admin", []string{"admin", "token", "--data-dir", dir}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && strings.HasPrefix(out, console.AdminTokenPrefix)
			}},
		{"version", []string{"version"}, "",
			func(code int, out, errOut string) bool {
				return code == exitOK && strings.HasPrefix(out, "atlassian-mcp ")
			}},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.args[0]] = true
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runWith(t, strings.NewReader(tc.stdin), tc.args...)
			if strings.Contains(errOut, "Usage: atlassian-mcp") || !tc.check(code, out, errOut) {
				t.Fatalf("%q: exit %d\nstdout:\n%.600s\nstderr:\n%.600s", tc.args, code, out, errOut)
			}
		})
	}
	for _, c := range commands() {
		if !covered[c.name] {
			t.Errorf("subcommand %s has no spaced-flag case", c.name)
		}
	}
}

// TestCallTimeoutEndsAStalledCall runs the real binary against a sandbox
// that holds GET issue for 150 s, with --call-timeout 1s, and reports how
// long the deadline error took.
func TestCallTimeoutEndsAStalledCall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	site := connectSandbox(t, dir, "slow")
	site.InjectFault(sandbox.Fault{Method: "GET", Path: "/rest/api/3/issue/OPS-1", Latency: 150 * time.Second})
	bin := binary(t)
	start := time.Now()
	out, err := exec.Command(bin, "call", "atlassian_jira_get_issue", `{"issueKey":"OPS-1"}`, "--data-dir", dir, "--connection", "slow", "--call-timeout", "1s").Output()
	took := time.Since(start)
	t.Logf("time to the deadline error (process start to exit): %s", took)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailure {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "Jira did not answer within 1s") {
		t.Fatalf("not the deadline's answer:\n%s", out)
	}
	if took > 60*time.Second {
		t.Fatalf("the call took %s; its deadline was 1s", took)
	}
}
