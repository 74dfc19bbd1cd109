package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(r) }
func (r *recorder) Fatal(...any)          { r.failed = true; panic(r) }
func run(r *recorder, f func(testing.TB)) bool {
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
	}()
	f(r)
	return !r.failed
}

func TestCheck(t *testing.T) {
	t.Setenv("UPDATE_GOLDEN", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "case.txt")
	if run(&recorder{TB: t}, func(tb testing.TB) { Check(tb, path, []byte("x")) }) {
		t.Fatal("a missing golden file passed")
	}
	t.Setenv("UPDATE_GOLDEN", "1")
	if !run(&recorder{TB: t}, func(tb testing.TB) { CheckString(tb, path, "hello\n") }) {
		t.Fatal("rewriting failed")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "hello\n" {
		t.Fatalf("rewritten file: %q, %v", b, err)
	}
	t.Setenv("UPDATE_GOLDEN", "")
	if !run(&recorder{TB: t}, func(tb testing.TB) { CheckString(tb, path, "hello\n") }) {
		t.Fatal("an equal output failed")
	}
	if run(&recorder{TB: t}, func(tb testing.TB) { CheckString(tb, path, "hello") }) {
		t.Fatal("a different output passed")
	}
}
