package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
)

// TestConfigShowSet edits what 'agent' does not (a tenant's directory,
// audit retention) through config show and set, on the file and on the
// PostgreSQL store alike: an invalid or misspelt config changes nothing.
func TestConfigShowSet(t *testing.T) {
	stores := []struct {
		name string
		flag func(t *testing.T) []string
	}{
		{"file", func(t *testing.T) []string { return []string{"--data-dir", t.TempDir()} }},
		{"postgres", func(t *testing.T) []string { return []string{"--store", pgtest.DSN(t)} }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			where := st.flag(t)
			run := func(args ...string) (int, string, string) { return runCLI(t, append(args, where...)...) }
			if code, _, stderr := run("agent", "add", "--name", "bot", "--tenant", "acme", "--profile", "aicos"); code != exitOK {
				t.Fatalf("agent add: %d %s", code, stderr)
			}
			code, shown, stderr := run("config", "show")
			if code != exitOK || !strings.Contains(shown, `"name": "bot"`) || !strings.Contains(shown, `"token_sha256"`) {
				t.Fatalf("config show: %d\n%s%s", code, shown, stderr)
			}
			file := filepath.Join(t.TempDir(), "c.json")
			edited := strings.Replace(shown, `"acme": {}`, `"acme": {"business_domains": ["acme.com"]}`, 1)
			edited = strings.Replace(edited, `"agents": [`, `"audit": {"max_age_days": 30}, "agents": [`, 1)
			if edited == shown || !strings.Contains(edited, "acme.com") || !strings.Contains(edited, "max_age_days") {
				t.Fatalf("the edit did not apply to:\n%s", shown)
			}
			steps := []struct {
				name     string
				content  string
				code     int
				showHas  string
				showLack string
			}{
				{"directory and retention", edited, exitOK, `"max_age_days": 30`, ""},
				{"agent on an unknown tenant", strings.Replace(shown, `"tenant": "acme"`, `"tenant": "nope"`, 1), exitUsage, `"acme.com"`, `"nope"`},
				{"misspelt field", strings.Replace(shown, `"agents"`, `"agentz"`, 1), exitUsage, `"acme.com"`, `"agentz"`},
			}
			for _, s := range steps {
				if err := os.WriteFile(file, []byte(s.content), 0o600); err != nil {
					t.Fatal(err)
				}
				if code, out, errOut := run("config", "set", file); code != s.code {
					t.Fatalf("%s: config set: %d, want %d\n%s%s", s.name, code, s.code, out, errOut)
				}
				_, now, _ := run("config", "show")
				if !strings.Contains(now, s.showHas) || s.showLack != "" && strings.Contains(now, s.showLack) {
					t.Fatalf("%s: config now:\n%s", s.name, now)
				}
			}
		})
	}
}
