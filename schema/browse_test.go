package schema

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
)

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
	golden.Check(t, filepath.Join("testdata", "browse.txt"), b.Bytes())

	b.Reset()
	if err := WriteText(&b, nil); err != nil || !bytes.Contains(b.Bytes(), []byte("schema refresh")) {
		t.Errorf("nil snapshot: %q, %v", b.String(), err)
	}
}
