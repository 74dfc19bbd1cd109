package schema

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkDiscoverLargeSite discovers a generated site of 500 projects,
// 2,000 custom fields and 250 spaces with 20 ms of latency on every
// request, through the REST layer's limiters (per endpoint, as Atlassian's),
// against the sandbox's burst limiter (likewise), with the default bounded
// concurrency. It reports requests per discovery and the 429s the sandbox
// sent (which must stay 0). Issue 12's goal: at most 3 s.
func BenchmarkDiscoverLargeSite(b *testing.B) {
	d, srv := sandboxDiscoverer(b,
		sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 2000, Spaces: 250, Pages: 500, Seed: 7}),
		sandbox.WithLatency(20*time.Millisecond))
	d.Now = nil // the default concurrency, as a server discovers
	b.ResetTimer()
	var snap *Snapshot
	for range b.N {
		srv.ResetRequests()
		var err error
		if snap, err = d.Discover(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if len(snap.Failures) > 0 {
		b.Fatalf("failures: %v", snap.Failures[:min(3, len(snap.Failures))])
	}
	if got := len(snap.Jira.Projects); got != 500 {
		b.Fatalf("%d projects discovered", got)
	}
	b.ReportMetric(float64(len(srv.Requests())), "requests/op")
	b.ReportMetric(float64(srv.Stats().RateLimited), "429s")
}

// BenchmarkCacheLoad loads a large site's snapshot from the bbolt cache, as
// every server start does: as discovered by default (create fields of the
// top 50 projects) and with every project's create fields.
func BenchmarkCacheLoad(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchmarkCacheLoad(b, DefaultFieldProjects) })
	b.Run("all-fields", func(b *testing.B) { benchmarkCacheLoad(b, -1) })
}

func benchmarkCacheLoad(b *testing.B, fieldProjects int) {
	d, _ := sandboxDiscoverer(b, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 1000, Spaces: 250, Pages: 250, Seed: 7}),
		sandbox.WithoutRateLimits())
	d.FieldProjects = fieldProjects
	d.Concurrency = 32
	snap, err := d.Discover(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	c := NewCache(b.TempDir())
	snap.Connection = "default"
	if err := c.Save(snap); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := c.Load("default"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshotDecode decodes the same large-site snapshot (the
// default discovery: create fields of the top 50 projects) from the
// cache's own encoding, from encoding/json and from encoding/gob: the
// figures that decide whether the custom codec earns its lines.
func BenchmarkSnapshotDecode(b *testing.B) {
	d, _ := sandboxDiscoverer(b, sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 1000, Spaces: 250, Pages: 250, Seed: 7}),
		sandbox.WithoutRateLimits())
	d.Concurrency = 32
	snap, err := d.Discover(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	custom, err := encodeSnapshot(snap)
	if err != nil {
		b.Fatal(err)
	}
	js, err := json.Marshal(snap)
	if err != nil {
		b.Fatal(err)
	}
	var gb bytes.Buffer
	if err := gob.NewEncoder(&gb).Encode(snap); err != nil {
		b.Fatal(err)
	}
	b.Run("custom", func(b *testing.B) {
		b.SetBytes(int64(len(custom)))
		for b.Loop() {
			if _, err := decodeSnapshot(custom); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			var s Snapshot
			if err := json.Unmarshal(js, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gob", func(b *testing.B) {
		b.SetBytes(int64(gb.Len()))
		for b.Loop() {
			var s Snapshot
			if err := gob.NewDecoder(bytes.NewReader(gb.Bytes())).Decode(&s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
