// Package golden compares test output with golden files under testdata/,
// and rewrites them when UPDATE_GOLDEN is set (an environment variable
// rather than a flag, because a flag breaks `go test ./...` in packages that
// do not define it). The one helper every package's golden tests share.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Updating reports whether golden files are being rewritten
// (UPDATE_GOLDEN=1).
func Updating() bool { return os.Getenv("UPDATE_GOLDEN") != "" }

// Check compares got with the golden file at path. Under UPDATE_GOLDEN=1
// it writes got there first (creating directories). A missing or different
// file fails the test with got in the message.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (review, then rewrite with UPDATE_GOLDEN=1)\n--- got ---\n%s", path, got)
	}
}

// CheckString is Check for text.
func CheckString(t testing.TB, path, got string) {
	t.Helper()
	Check(t, path, []byte(got))
}
