package adf

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

func FuzzFromMarkdown(f *testing.F) {
	for _, p := range markdownGoldens(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	for _, s := range []string{"**`x`**", "- - a", "> [!NOTE]\n> x", "<details><summary>t</summary>x</details>", "{status:red x}", ":smile:", "a\\\nb", "| a |\n| - |\n| b |"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		d, err := FromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(d); err != nil {
			t.Fatalf("invalid ADF for %q: %v", md, err)
		}
		out, err := ToMarkdown(d)
		if err != nil {
			t.Fatal(err)
		}
		assertStable(t, out)
	})
}

func FuzzParseADF(f *testing.F) {
	for _, p := range adfInputGoldens(f) {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"a*b","marks":[{"type":"em"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err == nil && !json.Valid(data) {
			t.Fatalf("Parse accepted invalid JSON %q", data)
		}
		if err != nil {
			return
		}
		out, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		d2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of our own output failed: %v\n%s", err, out)
		}
		out2, _ := d2.MarshalJSON()
		if !bytes.Equal(out, out2) {
			t.Fatalf("JSON not stable:\n%s\n%s", out, out2)
		}
		md, err := ToMarkdown(d)
		if err != nil {
			return
		}
		assertStable(t, md)
	})
}
