package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

type echoArgs struct {
	Text  string   `json:"text" jsonschema:"the text to echo"`
	Times int      `json:"times,omitempty"`
	Tags  []string `json:"tags,omitempty"`
}

type echoResult struct {
	Echo string `json:"echo"`
}

func (r echoResult) Text() string { return r.Echo }

func echoTool() *Tool {
	return newTool("test_echo", "Echo", Jira, ReadOnly,
		func(*schema.Snapshot) string { return "Echoes." },
		func(_ context.Context, in *echoArgs) (echoResult, error) {
			if in.Text == "fail" {
				return echoResult{}, argErrorf("text", "must not be %q", in.Text)
			}
			return echoResult{Echo: strings.Repeat(in.Text, max(in.Times, 1))}, nil
		})
}

func call(t *testing.T, tool *Tool, args any) *mcpgo.CallToolResult {
	t.Helper()
	var req mcpgo.CallToolRequest
	req.Params.Name = tool.Name
	req.Params.Arguments = args
	res, err := tool.Handler(context.Background(), req)
	if err != nil {
		t.Fatalf("handler returned a Go error: %v", err)
	}
	return res
}

func TestToolHandlerBindsAndRenders(t *testing.T) {
	tool := echoTool()
	tests := []struct {
		name    string
		args    any
		isError bool
		want    string
	}{
		{"ok", map[string]any{"text": "ab", "times": 2}, false, "abab"},
		{"no args", nil, false, ""},
		{"unknown parameter", map[string]any{"txt": "x"}, true, "parameter txt: unknown parameter; the parameters are text, times, tags"},
		{"wrong type", map[string]any{"times": "two"}, true, "parameter times: expected an integer, got a JSON string"},
		{"wrong element type", map[string]any{"tags": []any{1}}, true, "parameter tags: expected a string, got a JSON number"},
		{"handler error is a result", map[string]any{"text": "fail"}, true, `parameter text: must not be "fail"`},
		{"hidden runes stripped", map[string]any{"text": "a\u202eb\u200bc\U000E0041"}, false, "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, tool, tt.args)
			if res.IsError != tt.isError || resultText(res) != tt.want {
				t.Fatalf("got isError=%v %q, want isError=%v %q", res.IsError, resultText(res), tt.isError, tt.want)
			}
			if !res.IsError {
				var got echoResult
				if err := json.Unmarshal(res.StructuredContent.(json.RawMessage), &got); err != nil || got.Echo != tt.want {
					t.Fatalf("structuredContent %s: %v", res.StructuredContent, err)
				}
			}
		})
	}
}

func TestToolHandlerCancellationIsAnError(t *testing.T) {
	tool := newTool("test_cancel", "Cancel", Jira, ReadOnly,
		func(*schema.Snapshot) string { return "" },
		func(ctx context.Context, _ *echoArgs) (echoResult, error) { return echoResult{}, ctx.Err() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tool.Handler(ctx, mcpgo.CallToolRequest{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v, want context.Canceled", err)
	}
}

func TestKindAnnotations(t *testing.T) {
	tests := []struct {
		kind                                  Kind
		readOnly, destructive, idempotent, ow bool
	}{
		{ReadOnly, true, false, true, true},
		{Write, false, false, false, true},
		{Destructive, false, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			a := tt.kind.annotations("T")
			if *a.ReadOnlyHint != tt.readOnly || *a.DestructiveHint != tt.destructive || *a.IdempotentHint != tt.idempotent || *a.OpenWorldHint != tt.ow {
				t.Fatalf("annotations %+v", a)
			}
		})
	}
}

func TestDefinitionCarriesGeneratedSchemas(t *testing.T) {
	def := echoTool().Definition(nil)
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Description string `json:"description"`
		InputSchema struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		} `json:"inputSchema"`
		OutputSchema struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"outputSchema"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Description != "Echoes." || got.InputSchema.Type != "object" || len(got.InputSchema.Properties) != 3 {
		t.Fatalf("definition: %s", b)
	}
	if strings.Join(got.InputSchema.Required, ",") != "text" {
		t.Errorf("required = %v, want [text]", got.InputSchema.Required)
	}
	if got.OutputSchema.Type != "object" || got.OutputSchema.Properties["echo"] == nil {
		t.Errorf("output schema: %s", b)
	}
}

func TestInputSchemaHasNoNullTypes(t *testing.T) {
	type args struct {
		N    *int              `json:"n,omitempty"`
		List []string          `json:"list,omitempty"`
		Obj  map[string]string `json:"obj,omitempty"`
	}
	tool := newTool("test_null", "Null", Jira, ReadOnly, func(*schema.Snapshot) string { return "" },
		func(context.Context, *args) (echoResult, error) { return echoResult{}, nil })
	if strings.Contains(string(tool.InputSchema), "null") {
		t.Fatalf("input schema keeps null types: %s", tool.InputSchema)
	}
	var s struct {
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(tool.InputSchema, &s); err != nil {
		t.Fatal(err)
	}
	if s.Properties["n"].Type != "integer" || s.Properties["list"].Type != "array" || s.Properties["obj"].Type != "object" {
		t.Fatalf("types: %+v", s.Properties)
	}
}

func TestUnknownNestedParameterNamesItsPlace(t *testing.T) {
	type inner struct {
		Summary  string `json:"summary,omitempty"`
		Priority string `json:"priority,omitempty"`
	}
	type args struct {
		Key    string  `json:"issueKey"`
		Fields *inner  `json:"fields,omitempty"`
		Items  []inner `json:"items,omitempty"`
	}
	tool := newTool("test_nested", "Nested", Jira, Write, func(*schema.Snapshot) string { return "" },
		func(context.Context, *args) (echoResult, error) { return echoResult{Echo: "ok"}, nil })
	tests := []struct {
		args any
		want string
	}{
		{map[string]any{"issueKey": "A-1", "fields": map[string]any{"duedate": "2026-12-01"}},
			"parameter fields.duedate: unknown key in fields; it takes summary, priority"},
		{map[string]any{"issueKey": "A-1", "items": []any{map[string]any{"summary": "x"}, map[string]any{"colour": "red"}}},
			"parameter items[1].colour: unknown key in items[1]; it takes summary, priority"},
		{map[string]any{"IssueKey": "A-1", "fields": map[string]any{"Summary": "x"}, "extra": 1},
			"parameter extra: unknown parameter; the parameters are issueKey, fields, items"},
	}
	for _, tt := range tests {
		res := call(t, tool, tt.args)
		if !res.IsError || resultText(res) != tt.want {
			t.Errorf("got isError=%v %q\nwant %q", res.IsError, resultText(res), tt.want)
		}
	}
}
