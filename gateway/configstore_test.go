package gateway_test

import (
	"path/filepath"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/internal/storetest"
)

// TestFileConfigConformance runs the agents config suite on the file
// store: every store is another process's view of one file.
func TestFileConfigConformance(t *testing.T) {
	storetest.RunConfig(t, func(t testing.TB) storetest.ConfigEnv {
		path := filepath.Join(t.TempDir(), "config.json")
		return storetest.ConfigEnv{Open: func(testing.TB) gateway.ConfigStore { return gateway.NewFileConfig(path) }}
	})
}

// TestFileAuditConformance runs the audit suite on the file logs: each
// sink is a tenant's log in one directory, as one server writes it.
func TestFileAuditConformance(t *testing.T) {
	storetest.RunAudit(t, func(t testing.TB) storetest.AuditEnv {
		dir := t.TempDir()
		return storetest.AuditEnv{
			Sink: func(t testing.TB, tenant string) gateway.AuditSink {
				l, err := gateway.OpenAuditLog(dir, tenant, gateway.AuditOptions{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = l.Close() })
				return l
			},
			Reader: func(testing.TB) gateway.AuditReader { return gateway.AuditFiles{Dir: dir} },
		}
	})
}
