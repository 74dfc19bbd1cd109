package adf

import (
	"strings"
	"testing"
)

// fidelityCases are the losses and second-round-trip changes found by
// converting real Confluence pages (issue 17). Each storage input must give
// the markdown shown, and that markdown must survive markdown -> storage ->
// markdown unchanged.
var fidelityCases = []struct {
	name, storage, md string
}{
	{"alert inside a quote keeps its label",
		`<blockquote><ac:structured-macro ac:name="warning"><ac:rich-text-body><p>careful</p></ac:rich-text-body></ac:structured-macro></blockquote>`,
		"> > [!CAUTION]\n> > careful\n"},
	{"table inside an alert",
		`<ac:structured-macro ac:name="info"><ac:rich-text-body><table><tbody><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>`,
		"> [!NOTE]\n>\n> | a | b |\n> | --- | --- |\n> | 1 | 2 |\n"},
	{"table inside a titled panel",
		`<ac:structured-macro ac:name="panel"><ac:parameter ac:name="title">T</ac:parameter><ac:rich-text-body><table><tbody><tr><th>a</th></tr><tr><td>1</td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>`,
		"> [!IMPORTANT]\n> **T**\n>\n> | a |\n> | --- |\n> | 1 |\n"},
	{"inline image keeps its paragraph",
		`<p>before <ac:image><ri:url ri:value="https://e.com/i.png"/></ac:image> after</p>`,
		"before ![](https://e.com/i.png) after\n"},
	{"code macro parameters kept in the info string",
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">py</ac:parameter><ac:parameter ac:name="title">Example</ac:parameter><ac:parameter ac:name="collapse">true</ac:parameter><ac:parameter ac:name="linenumbers">true</ac:parameter><ac:parameter ac:name="firstline">10</ac:parameter><ac:parameter ac:name="theme">Midnight</ac:parameter><ac:parameter ac:name="breakoutMode">wide</ac:parameter><ac:plain-text-body><![CDATA[print(1)]]></ac:plain-text-body></ac:structured-macro>`,
		"```py title=\"Example\" collapse=\"true\" linenumbers=\"true\" firstline=\"10\" theme=\"Midnight\" breakoutMode=\"wide\"\nprint(1)\n```\n"},
	{"unknown language kept",
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">mermaid</ac:parameter><ac:plain-text-body><![CDATA[graph TD]]></ac:plain-text-body></ac:structured-macro>`,
		"```mermaid\ngraph TD\n```\n"},
	{"parameters without a language",
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">T</ac:parameter><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>`,
		"``` title=\"T\"\nx\n```\n"},
	{"empty link keeps its brackets",
		`<p><a href="">text</a> after</p>`,
		"[text]() after\n"},
	{"anchor is not percent-encoded",
		`<p><a href="#API/v2-Guide">anchor</a> <ac:link ac:anchor="API/v2-Guide"><ri:page ri:content-title="Guide"/></ac:link></p>`,
		"[anchor](#API/v2-Guide) [Guide](confluence-page:Guide#API/v2-Guide)\n"},
	{"footnote link inside sup keeps one order",
		`<p>See<sup><a href="#fn:1">1</a></sup></p>`,
		"See[<sup>1</sup>](#fn:1)\n"},
	{"styled span is not split around strikethrough",
		`<p><span style="color: rgb(255,0,0);">red <span style="text-decoration: line-through;">struck</span> more</span></p>`,
		"<span style=\"color: #ff0000\">red ~~struck~~ more</span>\n"},
	{"nested marks in any order",
		`<p><span style="color: #00ff00;"><em><strong>x</strong></em></span></p>`,
		"***<span style=\"color: #00ff00\">x</span>***\n"},
	{"image caption kept as the title",
		`<ac:image ac:alt="arch"><ri:attachment ri:filename="a.png"/><ac:caption><p>The <strong>architecture</strong> "overview" diagram</p></ac:caption></ac:image>`,
		"![arch](confluence-attachment:a.png \"The architecture \\\"overview\\\" diagram\")\n"},
	{"inline image with a caption",
		`<p>x <ac:image><ri:url ri:value="https://e.com/i.png"/><ac:caption><p>cap</p></ac:caption></ac:image> y</p>`,
		"x ![](https://e.com/i.png \"cap\") y\n"},
	{"time text kept",
		`<p>Due <time datetime="2026-01-31">31 Jan 2026</time>, then <time datetime="2026-02-01"/></p>`,
		"Due 31 Jan 2026, then {date:2026-02-01}\n"},
	{"two adjacent lists stay two lists",
		`<ul><li>a</li></ul><ul><li>b</li></ul><p></p><ul><li>c</li></ul><ol><li>x</li></ol><ol start="3"><li>y</li></ol>`,
		"- a\n\n* b\n\n- c\n\n1. x\n\n3) y\n"},
	{"task list after a bullet list",
		`<ul><li>a</li></ul><ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>t</ac:task-body></ac:task></ac:task-list>`,
		"- a\n\n* [x] t\n"},
	{"code macro in a table cell stays a code block",
		"<table><tbody><tr><th>a</th></tr><tr><td><p>run:</p><ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">bash</ac:parameter><ac:plain-text-body><![CDATA[echo \"a|b\" && ls *.go <br>\n  `indented` \\x]]></ac:plain-text-body></ac:structured-macro></td></tr></tbody></table>",
		"| a |\n| --- |\n| run:<br><br><pre lang=\"bash\">echo \"a\\|b\" \\&\\& ls \\*.go \\<br\\><br>  \\`indented\\` \\\\x</pre> |\n"},
}

// TestADFFidelity: markdown that FromMarkdown reads into valid ADF comes
// back from ToMarkdown unchanged.
func TestADFFidelity(t *testing.T) {
	for _, md := range []string{
		"![arch](https://e.com/a.png \"The overview\")\n",
		"```mermaid\ngraph TD\n```\n",
		"```py\nprint(1)\n```\n",
		"| a |\n| --- |\n| <pre lang=\"go\">x \\:= \\*p<br>\\_ = x</pre> |\n",
	} {
		d, err := FromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(d); err != nil {
			t.Fatalf("%q: invalid ADF: %v", md, err)
		}
		got, err := ToMarkdown(d)
		if err != nil || got != md {
			t.Fatalf("ADF round trip of %q gave %q (%v)", md, got, err)
		}
	}
}

// TestCellCodeIsCodeBlock: a code block in a table cell comes back from
// its markdown as a code block, in ADF and in storage.
func TestCellCodeIsCodeBlock(t *testing.T) {
	md := "| a |\n| --- |\n| <pre lang=\"go\">x := 1<br>y</pre> |\n"
	d, err := FromMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	cell := d.Content[0].Content[1].Content[0]
	if len(cell.Content) != 1 || cell.Content[0].Type != "codeBlock" || cell.Content[0].StringAttr("language") != "go" ||
		nodeText(cell.Content[0]) != "x := 1\ny" {
		t.Fatalf("cell content %s", mustJSON(t, NewDoc(cell.Content...)))
	}
	st := mustM2S(t, md)
	if want := `<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">go</ac:parameter><ac:plain-text-body><![CDATA[x := 1` + "\n" + `y]]>`; !strings.Contains(st, want) {
		t.Fatalf("storage %s\nlacks %s", st, want)
	}
}

func TestStorageFidelity(t *testing.T) {
	for _, tc := range fidelityCases {
		t.Run(tc.name, func(t *testing.T) {
			md1 := mustS2M(t, tc.storage)
			if md1 != tc.md {
				t.Fatalf("storage -> markdown\n got %q\nwant %q", md1, tc.md)
			}
			st := mustM2S(t, md1)
			checkWellFormed(t, st)
			if md2 := mustS2M(t, st); md2 != md1 {
				t.Fatalf("second round trip changed the markdown\nmd1 %q\nmd2 %q\nstorage %s", md1, md2, st)
			}
		})
	}
}

// TestFidelityWordsKept: every word of the storage text is in the markdown.
func TestFidelityWordsKept(t *testing.T) {
	for _, tc := range fidelityCases {
		md := mustS2M(t, tc.storage)
		if r := wordRecall(storageWords(t, tc.storage), md); r < 1 {
			t.Errorf("%s: recall %.3f in %q", tc.name, r, md)
		}
	}
}
