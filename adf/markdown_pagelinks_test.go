package adf

import (
	"strings"
	"testing"
)

// linkHrefs lists the href of every link mark in the document, in order.
func linkHrefs(nodes []*Node) []string {
	var out []string
	for _, n := range nodes {
		for _, m := range n.Marks {
			if m.Type == "link" {
				out = append(out, m.Attrs["href"].(string))
			}
		}
		out = append(out, linkHrefs(n.Content)...)
	}
	return out
}

// TestSpacedConfluenceLinks checks that "[t](confluence-page:SPACE/Page Title)"
// is a link when unambiguous, the same one as the %20 form, on both markdown
// paths, in storage as in ADF; and that ambiguous forms stay text.
func TestSpacedConfluenceLinks(t *testing.T) {
	tests := []struct {
		name      string
		md        string
		wantHrefs []string // link hrefs in order; nil: no link
		wantStore string   // in MarkdownToStorage's output ("" to skip)
	}{
		{"page with spaces", "See [rota](confluence-page:OPS/On call rota) now.\n",
			[]string{"confluence-page:OPS/On%20call%20rota"}, `ri:space-key="OPS" ri:content-title="On call rota"`},
		{"same as the %20 form", "See [rota](confluence-page:OPS/On%20call%20rota) now.\n",
			[]string{"confluence-page:OPS/On%20call%20rota"}, `ri:content-title="On call rota"`},
		{"same space, anchor", "[x](confluence-page:Release Plan#Go live)\n",
			[]string{"confluence-page:Release%20Plan#Go%20live"}, `<ac:link ac:anchor="Go live"><ri:page ri:content-title="Release Plan" />`},
		{"balanced parentheses", "[x](confluence-page:ENG/Release (v2) notes) after\n",
			[]string{"confluence-page:ENG/Release%20(v2)%20notes"}, `ri:content-title="Release (v2) notes"`},
		{"percent kept", "[x](confluence-page:ENG/100% uptime)\n",
			[]string{"confluence-page:ENG/100%25%20uptime"}, `ri:content-title="100% uptime"`},
		{"blog post", "[x](confluence-blogpost:ENG/Launch week recap)\n",
			[]string{"confluence-blogpost:ENG/Launch%20week%20recap"}, `<ri:blog-post ri:space-key="ENG" ri:content-title="Launch week recap"`},
		{"attachment", "[spec](confluence-attachment:Spec v2.pdf)\n",
			[]string{"confluence-attachment:Spec%20v2.pdf"}, `ri:filename="Spec v2.pdf"`},
		{"two in a list item", "- [a](confluence-page:A/One page) and [b](confluence-page:B/Two pages)\n",
			[]string{"confluence-page:A/One%20page", "confluence-page:B/Two%20pages"}, `ri:content-title="Two pages"`},
		{"in emphasis", "*see [x](confluence-page:A/B c)*\n",
			[]string{"confluence-page:A/B%20c"}, ""},
		{"ordinary link untouched", "[x](confluence-page:A/B \"tip\")\n",
			[]string{"confluence-page:A/B"}, ""},
		// Ambiguous or not Confluence: CommonMark's reading (text) stands.
		{"title after spaces", "[x](confluence-page:A/B c \"tip\")\n", nil, ""},
		{"other scheme", "[x](wiki:A b)\n", nil, ""},
		{"formatted label", "[**x**](confluence-page:A/B c)\n", nil, ""},
		{"unbalanced", "[x](confluence-page:A/B (c)\n", nil, ""},
		{"across lines", "[x](confluence-page:A/B\nc)\n", nil, ""},
		{"in code span", "`[x](confluence-page:A/B c)`\n", nil, ""},
		{"in code block", "```\n[x](confluence-page:A/B c)\n```\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkSamePaths(t, tt.md)
			doc, err := FromMarkdown(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			got := linkHrefs(doc.Content)
			if strings.Join(got, "\n") != strings.Join(tt.wantHrefs, "\n") {
				t.Fatalf("hrefs = %q, want %q", got, tt.wantHrefs)
			}
			st, err := MarkdownToStorage(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantStore != "" && !strings.Contains(st, tt.wantStore) {
				t.Errorf("storage %s\nlacks %s", st, tt.wantStore)
			}
			if tt.wantHrefs == nil && strings.Contains(st, "<ac:link") {
				t.Errorf("storage has a link: %s", st)
			}
			// The markdown written back is the %20 form, which reads the same.
			back, err := ToMarkdown(doc)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := FromMarkdown(back)
			if g := linkHrefs(again.Content); strings.Join(g, "\n") != strings.Join(got, "\n") {
				t.Errorf("read back %q: hrefs %q, want %q", back, g, got)
			}
		})
	}
}
