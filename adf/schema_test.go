package adf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is where testdata/fetch-adf-schema.sh puts the official schema;
// the ADF_SCHEMA environment variable overrides it.
func schemaPath() string {
	if p := os.Getenv("ADF_SCHEMA"); p != "" {
		return p
	}
	return filepath.Join("..", ".cache", "adf-schema", "full.json")
}

func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := schemaPath()
	f, err := os.Open(path)
	if err != nil {
		msg := fmt.Sprintf("official ADF schema not found at %s (run adf/testdata/fetch-adf-schema.sh or set ADF_SCHEMA): %v", path, err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg) // CI must not go green without the schema check
		}
		t.Skip(msg)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("adf-full.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("adf-full.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func schemaCheck(t *testing.T, s *jsonschema.Schema, name string, d *Doc) {
	t.Helper()
	raw, err := d.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		msg := err.Error()
		if len(msg) > 4000 {
			msg = msg[:4000] + "..."
		}
		t.Errorf("%s is not valid against the official ADF schema: %s", name, msg)
	}
}

// TestSchemaGoldens validates every markdown golden's ADF output, and the
// ADF read back from every ADF-input golden's markdown, against the official
// @atlaskit/adf-schema JSON schema.
func TestSchemaGoldens(t *testing.T) {
	s := loadSchema(t)
	for _, mdPath := range markdownGoldens(t) {
		src, err := os.ReadFile(mdPath)
		if err != nil {
			t.Fatal(err)
		}
		d, err := FromMarkdown(string(src))
		if err != nil {
			t.Fatal(err)
		}
		schemaCheck(t, s, filepath.Base(mdPath), d)
	}
	for _, in := range adfInputGoldens(t) {
		raw, _ := os.ReadFile(in)
		d, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		md, err := ToMarkdown(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		schemaCheck(t, s, filepath.Base(in)+" -> md -> ADF", back)
	}
	// The tricky constructions on their own.
	for _, md := range []string{
		"**`x`**", "- - nested first", "> # heading in quote", "- > quote in list",
		"<details><summary>a</summary>\n\n<details><summary>b</summary>\n\n<details><summary>c</summary>x</details>\n\n</details>\n\n</details>",
		"| a |\n| --- |\n| <details><summary>t</summary>x</details> |", "> [!NOTE]", "-", ">", "```\n```",
		"> - [ ] task in quote", strings.Repeat("> ", 200) + "deep",
		"![a](https://e.com/a.png \"caption\")", "x ![a](https://e.com/a.png \"cap\") y",
		"> > [!CAUTION]\n> > alert in quote", "> [!NOTE]\n> | a |\n> | - |\n> | 1 |", "[empty]()",
		"```py title=\"x\" collapse=\"true\"\ncode\n```",
	} {
		d, err := FromMarkdown(md)
		if err != nil {
			t.Fatal(err)
		}
		schemaCheck(t, s, strings.ReplaceAll(md, "\n", `\n`), d)
		var v any
		raw, _ := d.MarshalJSON()
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSchemaRejects makes sure the schema check is not vacuous.
func TestSchemaRejects(t *testing.T) {
	s := loadSchema(t)
	d, err := Parse([]byte(`{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"code"},{"type":"strong"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := d.MarshalJSON()
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if s.Validate(inst) == nil {
		t.Fatal("schema accepted code combined with strong")
	}
	if Validate(d) == nil {
		t.Fatal("Validate accepted code combined with strong")
	}
}

// TestSchemaGenerated validates FromMarkdown's output for generated
// markdown full of edge cases against the official schema.
func TestSchemaGenerated(t *testing.T) {
	s := loadSchema(t)
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 500; i++ {
		var b strings.Builder
		for j := 1 + r.Intn(20); j > 0; j-- {
			b.WriteString(roundTripPieces[r.Intn(len(roundTripPieces))])
		}
		d, err := FromMarkdown(b.String())
		if err != nil {
			t.Fatal(err)
		}
		schemaCheck(t, s, strconv.Quote(b.String()), d)
		if t.Failed() {
			return
		}
	}
}
