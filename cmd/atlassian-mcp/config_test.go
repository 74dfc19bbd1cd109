package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
)

// versionLine is config show's version member.
var versionLine = regexp.MustCompile(`\n  "config_version": "[0-9a-f]+",`)

// TestConfigShowSet edits what 'agent' does not (a tenant's directory,
// audit retention) through config show and set, on the file and on the
// PostgreSQL store alike: an invalid or misspelt config changes nothing,
// and neither does an edit of a version since replaced (or of a file
// without a version) unless --force.
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
			if !versionLine.MatchString(shown) {
				t.Fatalf("config show prints no version:\n%s", shown)
			}
			// An edit of what was shown before the first set: the stored
			// config has moved since.
			stale := strings.Replace(shown, `"acme": {}`, `"acme": {"business_domains": ["stale.com"]}`, 1)
			unversioned := versionLine.ReplaceAllString(stale, "")
			steps := []struct {
				name     string
				content  string
				force    bool
				code     int
				errHas   string
				showHas  string
				showLack string
			}{
				{"directory and retention", edited, false, exitOK, "", `"max_age_days": 30`, ""},
				{"agent on an unknown tenant", strings.Replace(shown, `"tenant": "acme"`, `"tenant": "nope"`, 1), false, exitUsage, "", `"acme.com"`, `"nope"`},
				{"misspelt field", strings.Replace(shown, `"agents"`, `"agentz"`, 1), false, exitUsage, "", `"acme.com"`, `"agentz"`},
				{"edit of a version since replaced", stale, false, exitFailure, "nothing changed: the agents config changed since it was read", `"acme.com"`, `"stale.com"`},
				{"file without a version", unversioned, false, exitFailure, `has no "config_version"`, `"acme.com"`, `"stale.com"`},
				{"--force", stale, true, exitOK, "", `"stale.com"`, `"acme.com"`},
			}
			for _, s := range steps {
				if err := os.WriteFile(file, []byte(s.content), 0o600); err != nil {
					t.Fatal(err)
				}
				args := []string{"config", "set", file}
				if s.force {
					args = append(args, "--force")
				}
				code, out, errOut := run(args...)
				if code != s.code || !strings.Contains(errOut, s.errHas) || strings.Contains(errOut, "postgres://") {
					t.Fatalf("%s: config set: %d, want %d and %q\n%s%s", s.name, code, s.code, s.errHas, out, errOut)
				}
				_, now, _ := run("config", "show")
				if !strings.Contains(now, s.showHas) || s.showLack != "" && strings.Contains(now, s.showLack) {
					t.Fatalf("%s: config now:\n%s", s.name, now)
				}
			}
		})
	}
}
