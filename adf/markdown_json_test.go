package adf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// checkJSONPath fails when MarkdownToJSON or AppendMarkdownJSON (after a
// prefix) writes other bytes for md than want, FromMarkdown's document
// through MarshalJSON.
func checkJSONPath(t *testing.T, md string, want []byte) {
	t.Helper()
	got, err := MarkdownToJSON(md)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("MarkdownToJSON differs from FromMarkdown + MarshalJSON for %q\ngot:  %s\nwant: %s", clip(md, 2000), clip(string(got), 1000), clip(string(want), 1000))
	}
	prefix := []byte(`{"fields":`)
	got, err = AppendMarkdownJSON(prefix, md)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("AppendMarkdownJSON differs from FromMarkdown + MarshalJSON for %q\ngot:  %s\nwant: %s", clip(md, 2000), clip(string(got), 1000), clip(string(want), 1000))
	}
}

// markdownJSONWant is FromMarkdown's document of md through MarshalJSON.
func markdownJSONWant(t *testing.T, md string) []byte {
	t.Helper()
	d, err := FromMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// markdownJSONInputs are the goldens, the fast path's seeds, the storage
// corpus's markdown and, when MDADF_CORPUS names it, the README corpus.
func markdownJSONInputs(t *testing.T) []string {
	ins := fastSeeds(t)
	paths := markdownGoldens(t)
	more, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.md"))
	paths = append(paths, more...)
	if dir := os.Getenv("MDADF_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*.md"))
		paths = append(paths, more...)
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, string(src))
	}
	return ins
}

// TestMarkdownJSONMatchesMarshal checks the JSON entry points write
// FromMarkdown's document byte for byte, one input after another so each
// call reuses memory the previous one handed back, and for an input that
// is too large.
func TestMarkdownJSONMatchesMarshal(t *testing.T) {
	for _, md := range markdownJSONInputs(t) {
		checkJSONPath(t, md, markdownJSONWant(t, md))
		checkJSONPath(t, crlf(md), markdownJSONWant(t, crlf(md)))
	}
	big := strings.Repeat("a", MaxInputSize+1)
	if b, err := AppendMarkdownJSON([]byte("x"), big); err != ErrTooLarge || string(b) != "x" {
		t.Fatalf("too large: %q, %v", b, err)
	}
	if _, err := MarkdownToJSON(big); err != ErrTooLarge {
		t.Fatalf("too large: %v", err)
	}
}

// TestMarkdownJSONConcurrent converts the inputs from several goroutines
// at once (run with -race): pooled memory must never be shared.
func TestMarkdownJSONConcurrent(t *testing.T) {
	ins := markdownJSONInputs(t)
	want := make([][]byte, len(ins))
	for i, md := range ins {
		want[i] = markdownJSONWant(t, md)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range ins {
				i := (k + g*len(ins)/4) % len(ins)
				got, err := MarkdownToJSON(ins[i])
				if err != nil || !bytes.Equal(got, want[i]) {
					t.Errorf("input %d differs when converted concurrently (%v)", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzMarkdownJSON checks the JSON entry points against FromMarkdown +
// MarshalJSON on b after converting a (so a's conversion leaves its
// memory to b's).
func FuzzMarkdownJSON(f *testing.F) {
	seeds := fastSeeds(f)
	for i, md := range seeds {
		f.Add(seeds[(i+1)%len(seeds)], md)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if _, err := AppendMarkdownJSON(nil, a); err != nil {
			t.Fatal(err)
		}
		checkJSONPath(t, b, markdownJSONWant(t, b))
	})
}
