package mcp

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/internal/golden"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// toolsReference renders docs/tools.md from the tool definitions: the
// repository's own reference of the tool contract, which cannot drift
// from the code because TestToolsReferenceIsCurrent compares them.
func toolsReference(t *testing.T) string {
	var b strings.Builder
	b.WriteString("# Tool reference\n\n")
	b.WriteString("<!-- Generated from the tool definitions by TestToolsReferenceIsCurrent (mcp/docs_test.go);\n" +
		"     rewrite with UPDATE_GOLDEN=1 go test ./mcp -run TestToolsReferenceIsCurrent. Do not edit by hand. -->\n\n")
	b.WriteString("The tools as an MCP client lists them before schema discovery; once the site's schema is\n" +
		"discovered the descriptions also name its projects, issue types, fields and spaces, the options of\n" +
		"select fields a create screen requires, and the issue types and priority schemes only some projects have\n" +
		"(`atlassian-mcp tools` prints them for a connection). Every tool returns `structuredContent`\n" +
		"matching its output schema plus a text rendering. Limits on arguments: [limits.md](limits.md).\n\n")
	tools := AllTools(&Deps{Schema: schema.NewStore(nil, "test")})
	b.WriteString("| tool | product | kind | title |\n|---|---|---|---|\n")
	for _, tool := range tools {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s |\n", tool.Name, tool.Name, tool.Product, tool.Kind, tool.Title)
	}
	for _, tool := range tools {
		def := tool.Definition(nil)
		fmt.Fprintf(&b, "\n## %s\n\n%s. Kind: %s (readOnlyHint %v, destructiveHint %v).\n\n",
			tool.Name, tool.Title, tool.Kind, *def.Annotations.ReadOnlyHint, *def.Annotations.DestructiveHint)
		b.WriteString("```text\n" + strings.TrimSpace(def.Description) + "\n```\n\n")
		var in struct {
			Properties map[string]struct {
				Type        string          `json:"type"`
				Description string          `json:"description"`
				Enum        []any           `json:"enum"`
				Items       json.RawMessage `json:"items"`
			} `json:"properties"`
			Required []string `json:"required"`
		}
		if err := json.Unmarshal(tool.InputSchema, &in); err != nil {
			t.Fatal(err)
		}
		b.WriteString("| parameter | type | required | meaning |\n|---|---|---|---|\n")
		for _, name := range propertyOrder(tool.InputSchema) {
			p := in.Properties[name]
			typ := p.Type
			if p.Type == "array" && len(p.Items) > 0 {
				var it struct{ Type string }
				_ = json.Unmarshal(p.Items, &it)
				typ = "array of " + it.Type
			}
			meaning := p.Description
			if len(p.Enum) > 0 {
				var vals []string
				for _, v := range p.Enum {
					vals = append(vals, fmt.Sprintf("`%v`", v))
				}
				meaning += " (one of " + strings.Join(vals, ", ") + ")"
			}
			req := ""
			if slices.Contains(in.Required, name) {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", name, typ, req, strings.ReplaceAll(meaning, "|", `\|`))
		}
	}
	return b.String()
}

// propertyOrder lists the top-level properties of an input schema in the
// order the schema writes them (the argument struct's field order).
func propertyOrder(raw json.RawMessage) []string {
	var top struct {
		Properties json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(raw, &top)
	dec := json.NewDecoder(strings.NewReader(string(top.Properties)))
	var names []string
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return names
		}
		names = append(names, k.(string))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return names
		}
	}
	return names
}

func TestToolsReferenceIsCurrent(t *testing.T) {
	golden.CheckString(t, "../docs/tools.md", toolsReference(t))
}

// TestLimitsAreDocumented checks docs/limits.md states each argument and
// transport limit with the value the code uses.
func TestLimitsAreDocumented(t *testing.T) {
	raw, err := os.ReadFile("../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, want := range []string{
		fmt.Sprintf("%d bytes", DefaultMaxRequestBytes),
		fmt.Sprintf("%d bytes", MaxQueryBytes),
		fmt.Sprintf("%d characters", MaxSummaryChars),
		fmt.Sprintf("%d characters", MaxRichTextChars),
		fmt.Sprintf("%d bytes", MaxPageBytes),
		fmt.Sprintf("reads %ds, writes %ds", int(DefaultReadTimeout.Seconds()), int(DefaultWriteTimeout.Seconds())),
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/limits.md does not state %q", want)
		}
	}
	if regexp.MustCompile(`\.\./shared|/work/shared`).MatchString(doc) {
		t.Error("docs/limits.md refers outside the repository")
	}
}
