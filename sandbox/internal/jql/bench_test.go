package jql

import (
	"testing"
)

// reportCPU adds a cpu-ns/op metric measured from the process CPU time.
func reportCPU(b *testing.B, start interface{ Nanoseconds() int64 }) {
	b.ReportMetric(float64(cpuTime().Nanoseconds()-start.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

const benchQuery = `project = PC AND status in ("To Do", "In Progress") AND assignee != currentUser() AND created > -30d ORDER BY priority DESC, updated DESC`

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	_, env := generatedIssues(1)
	q, _ := Parse(benchQuery)
	for b.Loop() {
		if _, err := q.Compile(env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatch10k matches every issue of a 10,000-issue site once.
func BenchmarkMatch10k(b *testing.B) {
	issues, env := generatedIssues(10000)
	for _, bm := range []struct{ name, jql string }{
		{"project", "project = PC"},
		{"mixed", benchQuery},
		{"allprojects", "status != Done AND priority in (High, Highest) ORDER BY updated DESC"},
		{"text", `text ~ "database failover"`},
	} {
		b.Run(bm.name, func(b *testing.B) {
			q, _ := Parse(bm.jql)
			if err := q.Validate(env); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				n := 0
				for _, is := range issues {
					if q.Match(is, env) {
						n++
					}
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkTop25 selects the first 25 of the matching issues in order.
func BenchmarkTop25(b *testing.B) {
	issues, env := generatedIssues(10000)
	q, _ := Parse("status != Done ORDER BY priority DESC, updated DESC")
	c, err := q.Compile(env)
	if err != nil {
		b.Fatal(err)
	}
	hits := c.Filter(nil, issues)
	b.Run("TopK", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		for b.Loop() {
			c.TopK(hits, 25)
		}
		reportCPU(b, start)
	})
	b.Run("FullSort", func(b *testing.B) {
		buf := make([]*Issue, len(hits))
		b.ReportAllocs()
		for b.Loop() {
			copy(buf, hits)
			c.Sort(buf)
		}
	})
}

// BenchmarkSearch25of10k is the sandbox's enhanced search end to end:
// parse, validate, filter 10,000 issues and take the first page of 25.
func BenchmarkSearch25of10k(b *testing.B) {
	issues, env := generatedIssues(10000)
	var buf []*Issue
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		q, err := Parse(benchQuery)
		if err != nil {
			b.Fatal(err)
		}
		c, err := q.Compile(env)
		if err != nil {
			b.Fatal(err)
		}
		buf = c.Filter(buf[:0], issues)
		c.TopK(buf, 25)
	}
	reportCPU(b, start)
}
