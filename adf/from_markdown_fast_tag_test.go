package adf

import "testing"

// FuzzInlineTag checks inlineTagLen against goldmark's inline tag patterns.
func FuzzInlineTag(f *testing.F) {
	for _, s := range []string{`<a href="x">`, `<img src='a>b' alt=c/>`, `</span >`, `<a b=c/d>`,
		"<a\n b\r\n>", "<a b\r>", `<a b = "x"c>`, `<a b=>`, `<x-y z:w._-q>`, `</a\n\n>`, `<a/>`,
		`<a b="x" / >`, "<a \r\n/>", `<a b=c d='e' f="g">tail`, `<a b c>`, `<a _b>`, `<1a>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for k, re := range htmlTagRes() {
			want := -1
			if m := re.FindStringIndex(s); m != nil {
				want = m[1]
			}
			if got := inlineTagLen([]byte(s), k == 1); got != want {
				t.Fatalf("inlineTagLen(%q, close=%v) = %d, pattern says %d", s, k == 1, got, want)
			}
		}
	})
}
