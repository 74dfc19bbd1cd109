package adf

import "testing"

// TestHTMLToMarkdown covers the HTML Jira returns in renderedFields: it
// goes through the storage reader, so tables are GFM tables and <pre> is a
// fenced block rather than loose text.
func TestHTMLToMarkdown(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"paragraph, break, entities, list",
			`<p>Steps to <b>reproduce</b>:<br/>one &amp; two</p><ol><li>open</li><li>click</li></ol>`,
			"Steps to **reproduce**:  \none & two\n\n1. open\n2. click\n"},
		{"code panel",
			"<div class=\"code panel\"><div class=\"codeContent panelContent\"><pre class=\"code-java\">int x = 1;\nreturn x;</pre></div></div>",
			"```\nint x = 1;\nreturn x;\n```\n"},
		{"table",
			`<div class='table-wrap'><table class='confluenceTable'><tbody><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></tbody></table></div>`,
			"| A | B |\n| --- | --- |\n| 1 | 2 |\n"},
		{"inline marks and link",
			`<p><del>gone</del> <a href="https://x.example/a" rel="nofollow">link</a> <tt>mono</tt></p>`,
			"~~gone~~ [link](https://x.example/a) `mono`\n"},
		{"empty", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HTMLToMarkdown(tt.html)
			if err != nil || got != tt.want {
				t.Fatalf("HTMLToMarkdown(%q)\n got %q, %v\nwant %q", tt.html, got, err, tt.want)
			}
		})
	}
	if _, err := HTMLToMarkdown(string(make([]byte, MaxInputSize+1))); err != ErrTooLarge {
		t.Fatalf("oversized input: %v, want ErrTooLarge", err)
	}
}
