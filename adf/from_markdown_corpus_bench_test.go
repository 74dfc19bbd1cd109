package adf

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDocs reads the markdown corpus bench/mdadf/run.sh gathers (READMEs
// shipped in npm packages) from the directory in MDADF_CORPUS.
func corpusDocs(b *testing.B) ([]string, int64) {
	dir := os.Getenv("MDADF_CORPUS")
	if dir == "" {
		b.Skip("MDADF_CORPUS not set: bench/mdadf/run.sh gathers the README corpus and sets it")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no .md files in MDADF_CORPUS=%s: %v", dir, err)
	}
	var docs []string
	var n int64
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, string(src))
		n += int64(len(src))
	}
	return docs, n
}

// BenchmarkFromMarkdownCorpus is the figure: markdown to ADF JSON
// over a corpus of real READMEs (bytes counted are the markdown), through
// MarkdownToJSON as the server's create and update calls convert it.
func BenchmarkFromMarkdownCorpus(b *testing.B) {
	docs, n := corpusDocs(b)
	benchLoop(b, int(n), func() error {
		for _, md := range docs {
			if _, err := MarkdownToJSON(md); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkFromMarkdownCorpusDoc is the same conversion through the
// document: FromMarkdown, then MarshalJSON.
func BenchmarkFromMarkdownCorpusDoc(b *testing.B) {
	docs, n := corpusDocs(b)
	benchLoop(b, int(n), func() error {
		for _, md := range docs {
			d, err := FromMarkdown(md)
			if err != nil {
				return err
			}
			if _, err := d.MarshalJSON(); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkFromMarkdownCorpusGoldmark is the same corpus through goldmark
// alone (the path before the fast path), for the ratio in the same run.
func BenchmarkFromMarkdownCorpusGoldmark(b *testing.B) {
	docs, n := corpusDocs(b)
	benchLoop(b, int(n), func() error {
		for _, md := range docs {
			if _, err := fromMarkdownGoldmark(md).MarshalJSON(); err != nil {
				return err
			}
		}
		return nil
	})
}
