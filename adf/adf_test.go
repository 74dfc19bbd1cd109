package adf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// TestParseLossless: a document with unknown nodes, marks, attributes and
// keys writes back to the same JSON value.
func TestParseLossless(t *testing.T) {
	inputs := map[string]string{
		"unknown everything":    `{"type":"doc","version":1,"content":[{"type":"weird","attrs":{"z":1.50,"a":[1,{"b":null}],"big":12345678901234567890},"foo":{"x":1},"content":[]},{"type":"paragraph","content":[{"type":"text","text":"<a&b>\u2028","marks":[{"type":"zap","attrs":{"q":"1"},"e":2}]}]}],"meta":true}`,
		"string escapes":        `{"type":"doc","version":1,"content":[{"type":"text","text":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x\u0000"}]}`,
		"numbers and literals":  `{"type":"doc","version":1,"content":[{"type":"x","attrs":{"a":-0.5e+10,"b":0,"c":1E3,"d":true,"e":false,"f":null,"g":[]}}]}`,
		"empty attrs and marks": `{"type":"doc","version":1,"content":[{"type":"paragraph","attrs":{},"content":[{"type":"text","text":"x","marks":[]}]}]}`,
	}
	golden, err := os.ReadFile(goldenDir + "/unknown-keys.input.adf.json")
	if err != nil {
		t.Fatal(err)
	}
	inputs["golden"] = string(golden)
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			d, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			out, err := d.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, []byte(in), out) {
				t.Errorf("round trip changed the document\nin:  %s\nout: %s", in, out)
			}
			// Deterministic: a second pass gives identical bytes.
			d2, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			out2, _ := d2.MarshalJSON()
			if !bytes.Equal(out, out2) {
				t.Errorf("output not deterministic:\n%s\n%s", out, out2)
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	norm := func(x []byte) string {
		dec := json.NewDecoder(bytes.NewReader(x))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("invalid JSON %s: %v", x, err)
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return norm(a) == norm(b)
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"type":"x","content":[`, 1000) + strings.Repeat(`]}`, 1000)
	tests := []struct {
		name, in string
		want     string
		is       error
	}{
		{"malformed", `{"type":"doc",`, "malformed JSON", nil},
		{"bad number", `{"type":"doc","version":01,"content":[]}`, "malformed JSON", nil},
		{"bad escape", `{"type":"doc","version":1,"content":[],"x":"\q"}`, "malformed JSON", nil},
		{"control char", "{\"type\":\"doc\",\"version\":1,\"content\":[],\"x\":\"\n\"}", "malformed JSON", nil},
		{"empty", ``, "malformed JSON", nil},
		{"trailing data", `{"type":"doc","version":1,"content":[]} {}`, "data after", nil},
		{"not an object", `[]`, "not a JSON object", nil},
		{"wrong root", `{"type":"paragraph","version":1,"content":[]}`, `root type is "paragraph"`, nil},
		{"no version", `{"type":"doc","content":[]}`, "version", nil},
		{"no content", `{"type":"doc","version":1}`, "content", nil},
		{"node not object", `{"type":"doc","version":1,"content":[1]}`, "content[0]: node is", nil},
		{"node without type", `{"type":"doc","version":1,"content":[{"text":"x"}]}`, `no string "type"`, nil},
		{"bad content kind", `{"type":"doc","version":1,"content":[{"type":"paragraph","content":{}}]}`, `"content" is`, nil},
		{"bad marks kind", `{"type":"doc","version":1,"content":[{"type":"text","text":"x","marks":{}}]}`, `"marks" is`, nil},
		{"text without text", `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text"}]}]}`, `text node has no "text"`, nil},
		{"invalid utf8", "{\"type\":\"doc\",\"version\":1,\"content\":[{\"type\":\"text\",\"text\":\"\xff\"}]}", "", ErrInvalidUTF8},
		{"too deep", `{"type":"doc","version":1,"content":[` + deep + `]}`, "", ErrTooDeep},
		{"too large", `{"type":"doc","version":1,"content":[],"pad":"` + strings.Repeat("a", MaxInputSize) + `"}`, "", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want %v", err, tt.is)
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestFromMarkdownLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		_, err := FromMarkdown(strings.Repeat("a", MaxInputSize+1))
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	cases := map[string]string{
		"invalid utf8":  "caf\xe9 \xff\xfe",
		"nul bytes":     "a\x00b\n\n- \x00",
		"deep quotes":   strings.Repeat(">", 1000) + " deep",
		"deep lists":    strings.Repeat("- ", 1000) + "deep",
		"deep indented": deepIndentedList(300),
		"deep emphasis": strings.Repeat("*", 1000) + "x" + strings.Repeat("*", 1000),
		"deep brackets": strings.Repeat("[", 5000) + "x" + strings.Repeat("](u)", 5000),
		"deep details":  strings.Repeat("<details><summary>s</summary>\n\n", 300) + "x" + strings.Repeat("\n\n</details>", 300),
		"unclosed tags": "<u>a <sub>b <details>",
		"crossed tags":  "<b>x<i>y</b>z</i> <u><u>a</u>",
		// Inputs that once made parsing super-linear (minutes per MB).
		"unclosed link openers": strings.Repeat("[a](", 1<<14),
		"intraword underscores": strings.Repeat("a_", 1<<15),
		"unpaired tags":         strings.Repeat("<u>", 1<<14),
		"unclosed details":      strings.Repeat("<details>", 1<<12),
		"many mixed delimiters": strings.Repeat("a*b_", 1<<14),
		"many quotes ml":        strings.Repeat("> > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > >\n", 100),
	}
	for name, md := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := FromMarkdown(md)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(d); err != nil {
				t.Fatalf("invalid output: %v", err)
			}
			raw, _ := d.MarshalJSON()
			if bytes.Contains(raw, []byte(`\u0000`)) {
				t.Error("NUL survived")
			}
			if _, err := ToMarkdown(d); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func deepIndentedList(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s- level %d\n", strings.Repeat("  ", i), i)
	}
	return b.String()
}

func TestValidateNegative(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty text", `[{"type":"paragraph","content":[{"type":"text","text":""}]}]`, "empty text"},
		{"code with strong", `[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"code"},{"type":"strong"}]}]}]`, "code mark cannot combine with strong"},
		{"list item starts with list", `[{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph"}]}]}]}]}]`, "listItem must start"},
		{"heading level", `[{"type":"heading","attrs":{"level":7}}]`, "level 1-6"},
		{"panel type", `[{"type":"panel","attrs":{"panelType":"purple"},"content":[{"type":"paragraph"}]}]`, "panelType"},
		{"status colour", `[{"type":"paragraph","content":[{"type":"status","attrs":{"text":"x","color":"orange"}}]}]`, "status attrs.color"},
		{"status text", `[{"type":"paragraph","content":[{"type":"status","attrs":{"text":"","color":"red"}}]}]`, "status needs a non-empty attrs.text"},
		{"heading in blockquote", `[{"type":"blockquote","content":[{"type":"heading","attrs":{"level":1}}]}]`, "heading is not allowed in blockquote"},
		{"empty cell", `[{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","content":[]}]}]}]`, "tableCell needs at least one child"},
		{"task state", `[{"type":"taskList","attrs":{"localId":"a"},"content":[{"type":"taskItem","attrs":{"localId":"b","state":"MAYBE"}}]}]`, "state"},
		{"mention id", `[{"type":"paragraph","content":[{"type":"mention","attrs":{}}]}]`, "attrs.id"},
		{"code block marks", `[{"type":"codeBlock","content":[{"type":"text","text":"x","marks":[{"type":"strong"}]}]}]`, "codeBlock text may not have marks"},
		{"text colour", `[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"textColor","attrs":{"color":"red"}}]}]}]`, "#rrggbb"},
		{"link href", `[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link"}]}]}]`, "href"},
		{"media attrs", `[{"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file"}}]}]`, "attrs.id"},
		{"block in paragraph", `[{"type":"paragraph","content":[{"type":"paragraph"}]}]`, "paragraph is not allowed in paragraph"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(`{"type":"doc","version":1,"content":` + tt.doc + `}`))
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(d)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if !strings.HasPrefix(ve.Violations[0].Path, "content[0]") {
				t.Errorf("path %q does not locate the node", ve.Violations[0].Path)
			}
		})
	}
	if err := Validate(NewDoc(&Node{Type: "paragraph", Content: []*Node{{Type: "text", Text: "ok"}}})); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
}

// TestSpecificConversions pins the constructions the brief calls out.
func TestSpecificConversions(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"code drops strong", "**`x`**", `{"type":"text","text":"x","marks":[{"type":"code"}]}`},
		{"code keeps link", "[`x`](https://e.com)", `"marks":[{"type":"link","attrs":{"href":"https://e.com"}},{"type":"code"}]`},
		{"list item starting with a list", "- - a", `{"type":"listItem","content":[{"type":"paragraph","content":[]},{"type":"bulletList"`},
		{"ordered start", "7. x", `{"type":"orderedList","attrs":{"order":7}`},
		{"heading in quote becomes bold", "> # T", `{"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"T","marks":[{"type":"strong"}]}]}]}`},
		{"caution is error panel", "> [!CAUTION]\n> x", `"panelType":"error"`},
		{"important is note panel", "> [!IMPORTANT]\n> x", `"panelType":"note"`},
		{"mention", "@[Ann](accountid:123)", `{"type":"mention","attrs":{"id":"123","text":"@Ann"}}`},
		{"raw html kept", "<div>x</div>", `"text":"\u003cdiv\u003ex\u003c/div\u003e"`},
		{"empty cell has paragraph", "| a |\n| --- |\n|  |", `{"type":"tableCell","content":[{"type":"paragraph","content":[]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := FromMarkdown(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := d.MarshalJSON()
			want := tt.want
			if strings.Contains(want, `\u003c`) {
				var s string
				_ = json.Unmarshal([]byte(`"`+strings.Split(strings.Split(want, `"text":"`)[1], `"`)[0]+`"`), &s)
				want = `"text":"` + s + `"`
			}
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("FromMarkdown(%q) =\n%s\nwant it to contain\n%s", tt.md, raw, want)
			}
			if err := Validate(d); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDeterministicLocalIDs: the same markdown gives the same task ids.
func TestDeterministicLocalIDs(t *testing.T) {
	md := "- [ ] a\n- [x] b\n"
	a, _ := FromMarkdown(md)
	b, _ := FromMarkdown(md)
	ja, _ := a.MarshalJSON()
	jb, _ := b.MarshalJSON()
	if !bytes.Equal(ja, jb) {
		t.Fatal("task localIds differ between runs")
	}
	ids := map[string]bool{}
	for _, n := range append([]*Node{a.Content[0]}, a.Content[0].Content...) {
		id := n.StringAttr("localId")
		if id == "" || ids[id] {
			t.Fatalf("missing or duplicate localId %q", id)
		}
		ids[id] = true
	}
}

// TestConcurrentUse runs both converters from many goroutines; with -race
// this proves the package shares no mutable state.
func TestConcurrentUse(t *testing.T) {
	files := markdownGoldens(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, f := range files {
				src, _ := os.ReadFile(f)
				d, err := FromMarkdown(string(src))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := ToMarkdown(d); err != nil {
					t.Error(err)
					return
				}
				if err := Validate(d); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestToMarkdownErrors(t *testing.T) {
	if _, err := ToMarkdown(nil); err == nil {
		t.Error("nil document accepted")
	}
	n := &Node{Type: "paragraph"}
	root := n
	for i := 0; i < MaxDepth+5; i++ {
		c := &Node{Type: "blockquote"}
		c.Content = []*Node{n}
		n = c
	}
	_ = root
	if _, err := ToMarkdown(NewDoc(n)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("err = %v, want ErrTooDeep", err)
	}
}

func TestNodeAccessors(t *testing.T) {
	d, err := Parse([]byte(`{"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":3,"s":"x","f":2.5}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Content[0]
	if l, ok := h.IntAttr("level"); !ok || l != 3 {
		t.Errorf("IntAttr(level) = %d, %v", l, ok)
	}
	if _, ok := h.IntAttr("f"); ok {
		t.Error("2.5 read as an int")
	}
	if h.StringAttr("s") != "x" || h.StringAttr("missing") != "" {
		t.Error("StringAttr wrong")
	}
	h.SetAttr("level", 2)
	if l, _ := h.IntAttr("level"); l != 2 {
		t.Error("SetAttr did not set")
	}
}
