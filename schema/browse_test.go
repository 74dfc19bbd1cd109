package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// golden compares got with testdata/name, rewriting it under UPDATE_GOLDEN=1.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (UPDATE_GOLDEN=1 rewrites it)\n--- got ---\n%s", path, got)
	}
}

func TestWriteText(t *testing.T) {
	s := demo()
	s.SiteName, s.SiteURL = "acme-demo", "https://acme-demo.atlassian.net"
	s.RefreshedAt = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	s.Duration = 1234 * time.Millisecond
	s.Confluence.MoreSpaces = true
	s.Failures = []Failure{{Scope: "jira: project OPS: create metadata", Reason: "403 Forbidden"}}
	var b bytes.Buffer
	if err := WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	golden(t, "browse.txt", b.Bytes())

	b.Reset()
	if err := WriteText(&b, nil); err != nil || !bytes.Contains(b.Bytes(), []byte("schema refresh")) {
		t.Errorf("nil snapshot: %q, %v", b.String(), err)
	}
}
