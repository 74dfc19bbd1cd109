package mcp

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// typeArrays lists the paths in a schema where "type" is an array
// (["null","array"] and the like), which single-type dialects such as
// Gemini's function declarations reject or weaken.
func typeArrays(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if _, isArray := v[k].([]any); k == "type" && isArray {
				out = append(out, path+".type")
				continue
			}
			out = append(out, typeArrays(v[k], path+"."+k)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, typeArrays(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// Every input and output schema gives each property one type.
func TestSchemasHaveNoTypeArrays(t *testing.T) {
	for _, tool := range AllTools(&Deps{}) {
		for kind, raw := range map[string]json.RawMessage{"inputSchema": tool.InputSchema, "outputSchema": tool.OutputSchema} {
			var schema any
			if err := json.Unmarshal(raw, &schema); err != nil {
				t.Fatalf("%s %s: %v", tool.Name, kind, err)
			}
			if got := typeArrays(schema, kind); len(got) > 0 {
				t.Errorf("%s: type arrays at %v", tool.Name, got)
			}
		}
	}
}

// The walkers find what they look for, so the checks above and in
// harness.callOK can fail.
func TestSchemaWalkersFind(t *testing.T) {
	var schema any
	_ = json.Unmarshal([]byte(`{"properties":{"a":{"type":"string"},"b":{"type":["null","array"],"items":{"type":["null","object"]}}}}`), &schema)
	if got := typeArrays(schema, "s"); !slices.Equal(got, []string{"s.properties.b.items.type", "s.properties.b.type"}) {
		t.Errorf("typeArrays found %v", got)
	}
	var result any
	_ = json.Unmarshal([]byte(`{"a":[1,{"b":"x"}],"c":{"d":[{"e":null}]}}`), &result)
	if got := nullIn(result, "r"); got != "r.c.d[0].e" {
		t.Errorf("nullIn found %q", got)
	}
	if got := nullIn(json.RawMessage(`{"a":[]}`), "r"); got != "" {
		t.Errorf("nullIn found %q in a result without nulls", got)
	}
}
