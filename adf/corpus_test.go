package adf

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// corpusDir holds realistic Confluence pages built from the documented
// storage-format elements (runbook, release notes, API guide, meeting
// notes, architecture page with a layout, troubleshooting page), each with
// its markdown golden.
const corpusDir = "testdata/corpus"

// fenceOpenRe matches the opening line of a fenced code block.
var fenceOpenRe = regexp.MustCompile("(?m)^[ >]*```")

// TestCorpus checks, for every page: the markdown matches its golden; the
// round trip is stable for storage (md1 == StorageToMarkdown(MarkdownToStorage(md1)))
// and for ADF (md == ToMarkdown(FromMarkdown(md)) after one pass); every
// code macro outside a table cell is a fenced block; and the markdown
// keeps at least 97% of the page's words (99.8% over the corpus).
func TestCorpus(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(corpusDir, "*.storage.xml"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no corpus pages in %s: %v", corpusDir, err)
	}
	var found, total float64
	for _, p := range pages {
		name := strings.TrimSuffix(filepath.Base(p), ".storage.xml")
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		storage := string(raw)
		md := mustS2M(t, storage)
		t.Run(name, func(t *testing.T) {
			compareGolden(t, filepath.Join(corpusDir, name+".md"), md)
			checkStorageStable(t, storage)
			d, err := FromMarkdown(md)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(d); err != nil {
				t.Fatalf("ADF of the page is invalid: %v", err)
			}
			checkADFStable(t, d)
			macros := strings.Count(storage, `ac:name="code"`) - cellCodeMacros(storage)
			if fences := len(fenceOpenRe.FindAllString(md, -1)) / 2; fences != macros {
				t.Errorf("%d fenced code blocks for %d code macros outside tables", fences, macros)
			}
		})
		want := storageWords(t, storage)
		r := wordRecall(want, md)
		t.Logf("%-18s recall %.4f of %d words", name, r, len(want))
		if r < 0.97 {
			t.Errorf("%s: recall %.4f < 0.97", name, r)
		}
		found += r * float64(len(want))
		total += float64(len(want))
	}
	overall := found / total
	t.Logf("corpus recall %.4f of %.0f words", overall, total)
	if overall < 0.998 {
		t.Errorf("corpus recall %.4f < 0.998", overall)
	}
}

// cellCodeMacros counts the code macros inside table cells (written as
// <pre> in the cell, not fenced).
func cellCodeMacros(storage string) int {
	n := 0
	for _, cell := range regexp.MustCompile(`(?s)<td>.*?</td>`).FindAllString(storage, -1) {
		n += strings.Count(cell, `ac:name="code"`)
	}
	return n
}
