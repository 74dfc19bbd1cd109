package mcp

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzConfluenceBodyCut checks the body cutting and excerpt cleaning on
// any input: no panic, valid UTF-8 kept valid, the cut no longer than
// asked (plus a closing fence), fences balanced, no highlight markup left.
func FuzzConfluenceBodyCut(f *testing.F) {
	f.Add("intro\n\n```go\nx := 1\n```\n", 10)
	f.Add("> ```\n> code\n", 5)
	f.Add("héllo wörld 日本語", 3)
	f.Add("@@@hl@@@a@@@endhl@@@ &amp;&lt; b", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		cut := confCutMarkdown(s, max)
		if utf8.ValidString(s) && !utf8.ValidString(cut) {
			t.Fatalf("cut %q of %q is not UTF-8", cut, s)
		}
		if n := utf8.RuneCountInString(cut); n > max+4 {
			t.Fatalf("cut to %d runes, asked %d", n, max)
		}
		fences := 0
		for _, line := range strings.Split(cut, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " >"), "```") {
				fences++
			}
		}
		if fences%2 != 0 {
			t.Fatalf("unbalanced fences in %q", cut)
		}
		ex := confPlainExcerpt(s)
		if strings.ContainsAny(ex, "\n\t") || (!strings.Contains(s, "@@@@") && strings.Contains(ex, "@@@hl@@@")) {
			t.Fatalf("excerpt %q of %q", ex, s)
		}
	})
}

func TestConfluencePageURL(t *testing.T) {
	tests := []struct {
		site, webui, base, want string
	}{
		{"https://acme.atlassian.net", "/spaces/ENG/pages/1/T", "https://other/wiki", "https://acme.atlassian.net/wiki/spaces/ENG/pages/1/T"},
		{"https://acme.atlassian.net/", "spaces/ENG", "", "https://acme.atlassian.net/wiki/spaces/ENG"},
		{"", "/spaces/ENG", "https://acme.atlassian.net/wiki", "https://acme.atlassian.net/wiki/spaces/ENG"},
		{"https://acme.atlassian.net", "", "", ""},
	}
	for _, tt := range tests {
		d := &Deps{SiteURL: tt.site}
		if got := d.confPageURL(tt.webui, tt.base); got != tt.want {
			t.Errorf("confPageURL(%q, %q) with site %q = %q, want %q", tt.webui, tt.base, tt.site, got, tt.want)
		}
	}
}
