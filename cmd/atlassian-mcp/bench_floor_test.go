package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkColdStartVsFloor is issue 12's cold-start and memory harness:
// it builds atlassian-mcp and the floor server (bench/floor: bare mcp-go,
// eight static tools, the same Go and mcp-go), then spawns them in turn,
// alternating which goes first, and measures over stdio what a client
// waits for: spawn -> initialize answered -> tools/list answered, plus the
// process's peak RSS (VmHWM) once tools/list is answered, split into its
// anonymous (heap, stacks, runtime) and file-backed (the binary's pages,
// mapped 64 KiB around each page touched) parts, and its CPU time.
// atlassian-mcp runs on a connected data directory (tokens and a cached
// schema) of the demo site, and of a generated site with 500 projects,
// 2,000 custom fields and 250 spaces. Each benchmark iteration is 9 such
// pairs; the figures are the medians over all pairs.
func BenchmarkColdStartVsFloor(b *testing.B) {
	bin := binary(&testing.T{})
	floor := buildFloor(b)
	sites := []struct {
		name string
		opts []sandbox.Option
	}{
		{"demo", nil},
		{"500-projects", []sandbox.Option{sandbox.WithoutRateLimits(),
			sandbox.WithGeneratedSite(sandbox.SiteSpec{Projects: 500, CustomFields: 2000, Issues: 1000, Spaces: 250, Pages: 250, Seed: 7})}},
	}
	b.Run("package-init", func(b *testing.B) {
		var us, fl []initStats
		for i := range 9 * b.N {
			u, err := initCost(bin, "version")
			if err != nil {
				b.Fatal(err)
			}
			f, err := initCost(floor)
			if err != nil {
				b.Fatal(err)
			}
			if i%2 == 1 { // the other order next time
				f, err = initCost(floor)
				if err == nil {
					u, err = initCost(bin, "version")
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			us, fl = append(us, u), append(fl, f)
		}
		u, f := medianInit(us), medianInit(fl)
		b.ReportMetric(u.clockMS, "init-ms")
		b.ReportMetric(f.clockMS, "floor-init-ms")
		b.ReportMetric(float64(u.bytes)/1024, "init-KiB")
		b.ReportMetric(float64(f.bytes)/1024, "floor-init-KiB")
		b.ReportMetric(float64(u.packages), "packages")
		b.ReportMetric(float64(f.packages), "floor-packages")
	})
	for _, site := range sites {
		b.Run(site.name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "data")
			sf := &storeFlags{dataDir: dir, connection: "default"}
			cleanup, err := startSandbox(context.Background(), streams{}, sf, slog.New(slog.DiscardHandler), site.opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer cleanup()
			env := append(os.Environ(), envDataDir+"="+dir)
			ours := func() (startStats, error) {
				return coldStart(bin, env, "serve", "--connection", sf.connection, "--log-level", "error")
			}
			base := func() (startStats, error) { return coldStart(floor, os.Environ()) }
			var us, fl []startStats
			for i := range 9 * b.N {
				first, second := ours, base
				if i%2 == 1 {
					first, second = base, ours
				}
				a, err := first()
				if err != nil {
					b.Fatal(err)
				}
				c, err := second()
				if err != nil {
					b.Fatal(err)
				}
				if i%2 == 1 {
					a, c = c, a
				}
				us, fl = append(us, a), append(fl, c)
			}
			u, f := medianStats(us), medianStats(fl)
			b.ReportMetric(ms(u.toTools), "ms-to-tools")
			b.ReportMetric(ms(f.toTools), "floor-ms")
			b.ReportMetric(float64(u.toTools)/float64(f.toTools), "x-floor")
			b.ReportMetric(ms(u.cpu), "cpu-ms")
			b.ReportMetric(ms(f.cpu), "floor-cpu-ms")
			b.ReportMetric(float64(u.hwmKB)/1024, "VmHWM-MiB")
			b.ReportMetric(float64(f.hwmKB)/1024, "floor-VmHWM-MiB")
			b.ReportMetric(float64(u.anonKB)/1024, "anon-MiB")
			b.ReportMetric(float64(f.anonKB)/1024, "floor-anon-MiB")
			b.ReportMetric(float64(u.fileKB)/1024, "file-MiB")
			b.ReportMetric(float64(f.fileKB)/1024, "floor-file-MiB")
			b.ReportMetric(float64(u.listBytes), "tools-list-bytes")
		})
	}
}

// startStats is one cold start.
type startStats struct {
	toTools   time.Duration // spawn to the tools/list answer
	cpu       time.Duration // user+sys of the whole process
	hwmKB     int64         // VmHWM when tools/list was answered
	anonKB    int64         // RssAnon then: heap, stacks, runtime
	fileKB    int64         // RssFile then: pages of the binary
	listBytes int           // size of the tools/list answer
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// medianStats takes each figure's median on its own.
func medianStats(s []startStats) startStats {
	med := func(get func(startStats) int64) int64 {
		v := make([]int64, len(s))
		for i, x := range s {
			v[i] = get(x)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return startStats{
		toTools:   time.Duration(med(func(x startStats) int64 { return int64(x.toTools) })),
		cpu:       time.Duration(med(func(x startStats) int64 { return int64(x.cpu) })),
		hwmKB:     med(func(x startStats) int64 { return x.hwmKB }),
		anonKB:    med(func(x startStats) int64 { return x.anonKB }),
		fileKB:    med(func(x startStats) int64 { return x.fileKB }),
		listBytes: int(med(func(x startStats) int64 { return int64(x.listBytes) })),
	}
}

// buildFloor builds bench/floor with the same Go.
func buildFloor(b *testing.B) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "floor")
	build := exec.Command("go", "build", "-o", out, "../../bench/floor")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as atlassian-mcp is built
	if msg, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build the floor server: %v\n%s", err, msg)
	}
	return out
}

// coldStart spawns bin as an MCP client would, runs initialize, sends
// notifications/initialized and tools/list, and returns when tools/list is
// answered with eight tools; it then reads the process's VmHWM, closes its
// stdin and waits for it to exit.
func coldStart(bin string, env []string, args ...string) (startStats, error) {
	var st startStats
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = io.Discard
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return st, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return st, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return st, err
	}
	done := false
	defer func() {
		if !done {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 64<<10), 16<<20)
	answer := func(id int) ([]byte, error) {
		for lines.Scan() {
			var msg struct {
				ID     json.RawMessage `json:"id"`
				Result json.RawMessage `json:"result"`
				Error  json.RawMessage `json:"error"`
			}
			if json.Unmarshal(lines.Bytes(), &msg) != nil || string(msg.ID) != strconv.Itoa(id) {
				continue // a notification
			}
			if msg.Error != nil {
				return nil, fmt.Errorf("request %d: %s", id, msg.Error)
			}
			return bytes.Clone(lines.Bytes()), nil
		}
		return nil, fmt.Errorf("%s exited before answering request %d: %v", filepath.Base(bin), id, lines.Err())
	}
	if _, err := io.WriteString(stdin, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`+"\n"); err != nil {
		return st, err
	}
	if _, err := answer(1); err != nil {
		return st, err
	}
	if _, err := io.WriteString(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n"+`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`+"\n"); err != nil {
		return st, err
	}
	list, err := answer(2)
	if err != nil {
		return st, err
	}
	st.toTools = time.Since(start)
	st.listBytes = len(list)
	var res struct {
		Result struct {
			Tools []json.RawMessage `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(list, &res); err != nil || len(res.Result.Tools) != 8 {
		return st, fmt.Errorf("tools/list of %s: %d tools (%v)", filepath.Base(bin), len(res.Result.Tools), err)
	}
	if st.hwmKB, st.anonKB, st.fileKB, err = memStatus(cmd.Process.Pid); err != nil {
		return st, err
	}
	_ = stdin.Close()
	done = true
	if err := cmd.Wait(); err != nil {
		return st, fmt.Errorf("%s: %v", filepath.Base(bin), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		st.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return st, nil
}

// memStatus reads a process's peak resident set size (VmHWM) and the
// anonymous and file-backed parts of its resident set (RssAnon, RssFile),
// in KiB.
func memStatus(pid int) (hwm, anon, file int64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	found := 0
	for line := range strings.Lines(string(status)) {
		name, value, ok := strings.Cut(line, ":")
		var dst *int64
		switch name {
		case "VmHWM":
			dst = &hwm
		case "RssAnon":
			dst = &anon
		case "RssFile":
			dst = &file
		}
		if !ok || dst == nil {
			continue
		}
		if *dst, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64); err != nil {
			return 0, 0, 0, err
		}
		found++
	}
	if found != 3 {
		return 0, 0, 0, errors.New("no VmHWM, RssAnon or RssFile in /proc/" + strconv.Itoa(pid) + "/status")
	}
	return hwm, anon, file, nil
}

// initStats sums GODEBUG=inittrace=1's lines: the package initialisation
// the runtime does before main.
type initStats struct {
	clockMS  float64
	bytes    int64
	packages int
}

// initCost runs bin with inittrace on and sums its init lines.
func initCost(bin string, args ...string) (initStats, error) {
	var st initStats
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return st, fmt.Errorf("%s: %v", filepath.Base(bin), err)
	}
	// init github.com/x/y @20 ms, 8.8 ms clock, 1701224 bytes, 21285 allocs
	for line := range strings.Lines(stderr.String()) {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		clock, _ := strconv.ParseFloat(f[4], 64)
		n, _ := strconv.ParseInt(f[7], 10, 64)
		st.clockMS += clock
		st.bytes += n
		st.packages++
	}
	if st.packages == 0 {
		return st, fmt.Errorf("%s: no inittrace lines", filepath.Base(bin))
	}
	return st, nil
}

// medianInit takes each figure's median on its own.
func medianInit(s []initStats) initStats {
	clocks := make([]float64, len(s))
	sizes := make([]int64, len(s))
	for i, x := range s {
		clocks[i], sizes[i] = x.clockMS, x.bytes
	}
	slices.Sort(clocks)
	slices.Sort(sizes)
	return initStats{clockMS: clocks[len(s)/2], bytes: sizes[len(s)/2], packages: s[0].packages}
}
