package atlassian

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkLimiterReserve measures the limiter's cost per request when it
// does not need to wait (rates far above the load).
func BenchmarkLimiterReserve(b *testing.B) {
	for _, tc := range []struct{ method, issue string }{{"GET", ""}, {"PUT", "ENG-1"}} {
		b.Run(tc.method, func(b *testing.B) {
			l := NewLimiter(RateLimits{GET: 1e9, POST: 1e9, PUT: 1e9, DELETE: 1e9, Burst: 1 << 30,
				IssueWrites: []Window{{N: 1 << 30, Per: time.Second}}})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, ok := l.reserve(time.Now(), "jira", tc.method, "/rest/api/3/issue/{issueIdOrKey}", tc.issue); !ok {
						b.Fatal("refused")
					}
				}
			})
		})
	}
}

// BenchmarkLimiterManyIssues measures per-issue bookkeeping across many
// issues (map growth and sweeping).
func BenchmarkLimiterManyIssues(b *testing.B) {
	l := NewLimiter(RateLimits{PUT: 1e9, Burst: 1 << 30})
	keys := make([]string, 10000)
	for i := range keys {
		keys[i] = fmt.Sprintf("ENG-%d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.reserve(time.Now(), "jira", "PUT", "/rest/api/3/issue/{issueIdOrKey}", keys[i%len(keys)])
		i++
	}
}
