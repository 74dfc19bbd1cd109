package metrics

import (
	"runtime"
)

// runtimeFamily is the Go runtime's metrics, under the names Prometheus's
// Go collector gives them, so existing dashboards read them.
type runtimeFamily struct{}

func (runtimeFamily) appendText(b []byte) []byte {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b = appendHeader(b, "go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", "summary")
	b = appendSample(b, "go_gc_duration_seconds_sum", nil, nil, "", "", float64(ms.PauseTotalNs)/1e9)
	b = appendSample(b, "go_gc_duration_seconds_count", nil, nil, "", "", float64(ms.NumGC))
	b = appendOne(b, "go_goroutines", "Number of goroutines that currently exist.", "gauge", float64(runtime.NumGoroutine()))
	b = appendHeader(b, "go_info", "Information about the Go environment.", "gauge")
	b = appendSample(b, "go_info", []string{"version"}, []string{runtime.Version()}, "", "", 1)
	for _, g := range []struct {
		name, help, kind string
		v                uint64
	}{
		{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", "gauge", ms.HeapAlloc},
		{"go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already.", "counter", ms.TotalAlloc},
		{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use.", "gauge", ms.HeapInuse},
		{"go_memstats_heap_objects", "Number of currently allocated objects.", "gauge", ms.HeapObjects},
		{"go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place.", "gauge", ms.NextGC},
		{"go_memstats_sys_bytes", "Number of bytes obtained from system.", "gauge", ms.Sys},
	} {
		b = appendOne(b, g.name, g.help, g.kind, float64(g.v))
	}
	return appendOne(b, "go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", "gauge", float64(ms.LastGC)/1e9)
}

// appendOne appends a family of one unlabelled sample.
func appendOne(b []byte, name, help, kind string, v float64) []byte {
	b = appendHeader(b, name, help, kind)
	return appendSample(b, name, nil, nil, "", "", v)
}
