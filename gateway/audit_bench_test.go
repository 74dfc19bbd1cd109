package gateway

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/client"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

// benchDeps are the tools' dependencies on a sandbox without rate limits.
func benchDeps(b *testing.B) *mcp.Deps {
	b.Helper()
	_, deps := newSandboxDeps(b, []atlassian.Option{atlassian.WithoutRateLimits()}, sandbox.WithoutRateLimits())
	return deps
}

// benchClient serves deps with opts to a stdio client.
func benchClient(b *testing.B, deps *mcp.Deps, opts mcp.Options) *client.Client {
	b.Helper()
	opts.Products = bothProducts
	srv, err := mcp.NewServer(mcp.AllTools(deps), deps.Schema, opts)
	if err != nil {
		b.Fatal(err)
	}
	return stdioClient(b, srv)
}

// BenchmarkCallAuditOverhead measures one atlassian_jira_get_issue call
// through the MCP client on the sandbox: bare (no guard), guarded without
// an audit log, and guarded with the durable audit log (write + fsync
// before the result returns), serially and with 16 concurrent callers
// whose fsyncs are batched.
func BenchmarkCallAuditOverhead(b *testing.B) {
	deps := benchDeps(b)
	req := callRequest("atlassian_jira_get_issue", map[string]any{"sender": map[string]any{"email": "ana@acme.com"}})
	req.Params.Arguments = map[string]any{"issueKey": "ENG-1"}
	id := &Identity{Agent: "bench", Tenant: "acme", Profile: ProfileAssistant, DefaultTier: Internal, Directory: testDirectory}
	id.Policy, _ = ProfilePolicy(ProfileAssistant)
	variants := []struct {
		name  string
		audit bool
		guard bool
	}{{"bare", false, false}, {"guard", false, true}, {"guard+audit", true, true}}
	for _, v := range variants {
		opts := mcp.Options{}
		if v.guard {
			g := &Guard{Tenant: "acme", Default: id}
			if v.audit {
				l, err := OpenAuditLog(b.TempDir(), "acme", AuditOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { l.Close() })
				g.Audit = l
			}
			g.Apply(&opts)
		}
		c := benchClient(b, deps, opts)
		call := func(b *testing.B) {
			res, err := c.CallTool(context.Background(), req)
			if err != nil || res.IsError {
				b.Fatalf("%v %v", err, res)
			}
		}
		b.Run(v.name+"/serial", func(b *testing.B) {
			for b.Loop() {
				call(b)
			}
		})
		b.Run(v.name+"/parallel16", func(b *testing.B) {
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					call(b)
				}
			})
		})
	}
}
