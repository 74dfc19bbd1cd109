package adf

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goldenDir = "../testdata/adf"

func updateGolden() bool { return os.Getenv("UPDATE_GOLDEN") != "" }

// checkGolden compares got with the golden file, or rewrites it with UPDATE_GOLDEN=1.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updateGolden() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the converter output (UPDATE_GOLDEN=1 rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// markdownGoldens lists name.md files (the markdown -> ADF goldens).
func markdownGoldens(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".out.md") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatal("no markdown goldens found")
	}
	return out
}

func adfInputGoldens(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.input.adf.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ADF input goldens: %v", err)
	}
	return files
}

func mustJSON(t testing.TB, d *Doc) []byte {
	t.Helper()
	b, err := d.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMarkdownGoldens converts each name.md to ADF, compares with
// name.adf.json, validates it, and checks that ADF -> markdown -> ADF gives
// the same document back.
func TestMarkdownGoldens(t *testing.T) {
	for _, mdPath := range markdownGoldens(t) {
		name := strings.TrimSuffix(filepath.Base(mdPath), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(mdPath)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := FromMarkdown(string(src))
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(doc); err != nil {
				t.Errorf("FromMarkdown output does not validate: %v", err)
			}
			got := mustJSON(t, doc)
			checkGolden(t, filepath.Join(goldenDir, name+".adf.json"), got)

			md, err := ToMarkdown(doc)
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromMarkdown(md)
			if err != nil {
				t.Fatal(err)
			}
			if again := mustJSON(t, back); !bytes.Equal(again, got) {
				t.Errorf("ADF -> markdown -> ADF changed the document\nmarkdown:\n%s\n--- got ---\n%s\n--- want ---\n%s", md, again, got)
			}
		})
	}
}

// TestADFInputGoldens renders ADF that markdown cannot produce (every other
// node type, unknown nodes and marks) and checks the markdown reads back to
// a valid document that is stable from then on.
func TestADFInputGoldens(t *testing.T) {
	for _, in := range adfInputGoldens(t) {
		name := strings.TrimSuffix(filepath.Base(in), ".input.adf.json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			md, err := ToMarkdown(doc)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join(goldenDir, name+".out.md"), []byte(md))
			assertStable(t, md)
		})
	}
}

// assertStable checks md -> ADF is valid and ADF -> md -> ADF is a fixed point.
func assertStable(t testing.TB, md string) {
	t.Helper()
	d1, err := FromMarkdown(md)
	if err != nil {
		t.Fatalf("FromMarkdown: %v", err)
	}
	if err := Validate(d1); err != nil {
		t.Fatalf("FromMarkdown(%q) does not validate: %v", md, err)
	}
	md2, err := ToMarkdown(d1)
	if err != nil {
		t.Fatalf("ToMarkdown: %v", err)
	}
	d2, err := FromMarkdown(md2)
	if err != nil {
		t.Fatalf("FromMarkdown: %v", err)
	}
	j1, _ := d1.MarshalJSON()
	j2, _ := d2.MarshalJSON()
	if !bytes.Equal(j1, j2) {
		t.Fatalf("md -> ADF -> md -> ADF not stable\nmd1: %q\nmd2: %q\nadf1: %s\nadf2: %s", md, md2, j1, j2)
	}
}
