package metrics

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processFamily is the process's CPU time, memory, file descriptors and
// start time, read from /proc under the names Prometheus's process
// collector gives them. A figure /proc does not give is left out.
type processFamily struct{}

// userHZ is the unit of /proc's CPU times: USER_HZ, 100 on every Linux
// architecture Go supports.
const userHZ = 100

func (processFamily) appendText(b []byte) []byte {
	if st, ok := readStat(); ok {
		b = appendOne(b, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", float64(st.utime+st.stime)/userHZ)
		b = appendOne(b, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", float64(st.rssPages*uint64(os.Getpagesize())))
		b = appendOne(b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", float64(st.vsize))
		if boot, ok := bootTime(); ok {
			b = appendOne(b, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", float64(boot)+float64(st.start)/userHZ)
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		b = appendOne(b, "process_open_fds", "Number of open file descriptors.", "gauge", float64(len(fds)))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		b = appendOne(b, "process_max_fds", "Maximum number of open file descriptors.", "gauge", float64(lim.Cur))
	}
	return b
}

type procStat struct{ utime, stime, start, vsize, rssPages uint64 }

// readStat reads /proc/self/stat (proc(5)): the fields after the command
// name, which sits in parentheses and may itself hold spaces or ')'.
func readStat() (procStat, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state): field n is f[n-3].
	if len(f) < 22 {
		return procStat{}, false
	}
	var st procStat
	for _, p := range []struct {
		field int
		dst   *uint64
	}{{14, &st.utime}, {15, &st.stime}, {22, &st.start}, {23, &st.vsize}, {24, &st.rssPages}} {
		v, err := strconv.ParseUint(f[p.field-3], 10, 64)
		if err != nil {
			return procStat{}, false
		}
		*p.dst = v
	}
	return st, true
}

// bootTime is the system's boot time in seconds since the epoch, the
// btime line of /proc/stat.
func bootTime() (uint64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
