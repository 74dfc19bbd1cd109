package adf

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fromMarkdownGoldmark is FromMarkdown without the fast path: the whole
// document goes through goldmark and the AST converter.
func fromMarkdownGoldmark(md string) *Doc {
	src := sanitizeMarkdown(md)
	c := &mdConv{src: src}
	doc := NewDoc(c.fit("doc", goldmarkBlocks(src, nil, false))...)
	assignTaskIDs(doc.Content, new(int))
	return doc
}

// checkSamePaths fails when the fast path and goldmark's disagree on md.
func checkSamePaths(t *testing.T, md string) {
	t.Helper()
	fast, err := FromMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := fast.MarshalJSON()
	want, _ := fromMarkdownGoldmark(md).MarshalJSON()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		from := max(0, i-300)
		t.Fatalf("fast path differs from goldmark for %q\nfast:     …%s\ngoldmark: …%s", clip(md, 2000), clip(string(got[from:]), 600), clip(string(want[from:]), 600))
	}
	if err := Validate(fast); err != nil {
		t.Fatalf("invalid ADF for %q: %v", md, err)
	}
}

// fastSeeds are the markdown goldens and the FromMarkdown fuzz seeds.
func fastSeeds(tb testing.TB) []string {
	var out []string
	for _, p := range markdownGoldens(tb) {
		src, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(src))
	}
	for _, dir := range []string{"FuzzFromMarkdown", "FuzzFastMarkdown"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", dir, "*"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			if s, ok := fuzzCorpusString(raw); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestFastMarkdownMatchesGoldmark(t *testing.T) {
	for _, md := range fastSeeds(t) {
		checkSamePaths(t, md)
	}
}

func FuzzFastMarkdown(f *testing.F) {
	for _, md := range fastSeeds(f) {
		f.Add(md)
	}
	f.Fuzz(func(t *testing.T, md string) {
		checkSamePaths(t, md)
	})
}

// fuzzCorpusString reads a one-string file of Go's fuzz corpus format.
func fuzzCorpusString(raw []byte) (string, bool) {
	lines := bytes.SplitN(raw, []byte("\n"), 2)
	if len(lines) != 2 || string(lines[0]) != "go test fuzz v1" {
		return "", false
	}
	body := bytes.TrimSpace(lines[1])
	if !bytes.HasPrefix(body, []byte("string(")) || !bytes.HasSuffix(body, []byte(")")) {
		return "", false
	}
	s, err := strconv.Unquote(string(body[len("string(") : len(body)-1]))
	return s, err == nil
}

// TestFastMarkdownCorpus compares both paths on the README corpus of
// bench/mdadf when MDADF_CORPUS names it.
func TestFastMarkdownCorpus(t *testing.T) {
	dir := os.Getenv("MDADF_CORPUS")
	if dir == "" {
		t.Skip("MDADF_CORPUS not set (bench/mdadf/run.sh gathers the corpus)")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { checkSamePaths(t, string(src)) })
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestFastMarkdownShare reports how much of the corpus the fast path
// converts (MDADF_CORPUS), and which blocks it leaves to goldmark (-v).
func TestFastMarkdownShare(t *testing.T) {
	dir := os.Getenv("MDADF_CORPUS")
	if dir == "" {
		t.Skip("MDADF_CORPUS not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	var st fastStats
	total := 0
	for _, f := range files {
		src, _ := os.ReadFile(f)
		s := sanitizeMarkdown(string(src))
		total += len(s)
		markdownBlocksStats(s, &st)
	}
	t.Logf("goldmark took %d of %d bytes (%.1f%%); %d whole documents", st.goldmark, total, 100*float64(st.goldmark)/float64(total), st.whole)
}
