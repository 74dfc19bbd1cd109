package adf

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// addGoldenSeeds adds every file matching pattern under the storage golden
// directory to the corpus.
func addGoldenSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join(storageGoldenDir, "*", pattern))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(string(b))
		}
	}
}

func FuzzStorageToMarkdown(f *testing.F) {
	addGoldenSeeds(f, "*.storage.xml")
	for _, s := range []string{
		``, `<`, `<![CDATA[`, `]]>`, `<ac:link>`, `<ri:page/>`, `&`, `&#0;`, `&#xD800;`,
		`<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[]]]]><![CDATA[>]]>`,
		`<table><tr><td colspan="99999">x</td></tr></table>`, `<ol start="-5"><li>x</li></ol>`,
		`<ac:task-list><ac:task><ac:task-body><ac:task-list><ac:task>`, `<time datetime="x"/>`,
		"<p>\x00\xff</p>", `<ac:structured-macro ac:name="}|{"><ac:parameter ac:name="=">\</ac:parameter></ac:structured-macro>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		md, err := StorageToMarkdown(in)
		if err != nil {
			if len(in) <= MaxInputSize {
				t.Fatalf("error on an input within the limits: %v", err)
			}
			return
		}
		if !utf8.ValidString(md) {
			t.Fatalf("output is not valid UTF-8: %q", md)
		}
		if len(md) > 64*len(in)+1024 {
			t.Fatalf("output of %d bytes for %d bytes of input", len(md), len(in))
		}
		// What we write reads back as well-formed storage.
		st, err := MarkdownToStorage(md)
		if err != nil {
			t.Fatalf("MarkdownToStorage of our own markdown: %v", err)
		}
		if err := wellFormed(st); err != nil {
			t.Fatalf("storage from our markdown is not well-formed: %v\n%s", err, st)
		}
	})
}

func FuzzMarkdownToStorage(f *testing.F) {
	addGoldenSeeds(f, "*.md")
	for _, s := range []string{
		"", "```\n]]>\n```", "[x](confluence-page:%zz/%)", "{toc}", "{a:b=c|d}\n\n{a}",
		"@[x](accountid:)", "{status:red }", "{date:9999-99-99}", "> [!NOTE]\n> x",
		"<details><summary>a</summary>\n\nb\n</details>", "- [ ] \x00", "![a](confluence-attachment:)",
		"| a |\n|---|\n| <br> |", "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		st, err := MarkdownToStorage(md)
		if err != nil {
			if len(md) <= MaxInputSize {
				t.Fatalf("error on an input within the limits: %v", err)
			}
			return
		}
		if err := wellFormed(st); err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, st)
		}
		if _, err := StorageToMarkdown(st); err != nil {
			t.Fatalf("StorageToMarkdown of our own storage: %v", err)
		}
	})
}
