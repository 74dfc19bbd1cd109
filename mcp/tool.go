// Package mcp is the tool layer of atlassian-mcp: the eight tools (one file
// each), their descriptions rendered from the schema snapshot, validation
// of arguments against it, and the MCP server wiring over stdio and
// streamable HTTP.
//
// A tool is one self-describing value: its argument struct is the only
// source of its input schema, its result struct the source of its output
// schema, its Kind the source of all four annotation hints, and its handler
// returns errors a caller can fix as isError results written for an LLM.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
)

// Kind says what a tool does to the site. Every MCP annotation hint derives
// from it, so a tool's side effects are declared exactly once.
type Kind int

// The kinds of tools.
const (
	// ReadOnly tools only read.
	ReadOnly Kind = iota + 1
	// Write tools create things but never overwrite or remove.
	Write
	// Destructive tools may overwrite or remove (update fields, remove
	// labels, unassign).
	Destructive
)

// String is the kind as tools.md and the CLI write it: read-only, write or
// destructive.
func (k Kind) String() string {
	switch k {
	case ReadOnly:
		return "read-only"
	case Write:
		return "write"
	case Destructive:
		return "destructive"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// annotations derives the four MCP hints from the kind.
func (k Kind) annotations(title string) mcpgo.ToolAnnotation {
	readOnly := k == ReadOnly
	destructive := k == Destructive
	idempotent := k == ReadOnly
	openWorld := true
	return mcpgo.ToolAnnotation{
		Title:           title,
		ReadOnlyHint:    &readOnly,
		DestructiveHint: &destructive,
		IdempotentHint:  &idempotent,
		OpenWorldHint:   &openWorld,
	}
}

// Product is the Atlassian product a tool belongs to; a tool is registered
// only when the connected site has its product. It is atlassian.Product:
// one type for the concept across the packages.
type Product = atlassian.Product

// The products with tools.
const (
	Jira       = atlassian.ProductJira
	Confluence = atlassian.ProductConfluence
)

// Tool is one MCP tool: its definition, kind and handler.
type Tool struct {
	Name    string
	Title   string
	Product Product
	Kind    Kind
	// Describe renders the description from a schema snapshot, which is nil
	// before discovery has finished.
	Describe func(snap *schema.Snapshot) string
	// InputSchema and OutputSchema are generated from the argument and
	// result types when the tool is constructed.
	InputSchema  json.RawMessage
	OutputSchema json.RawMessage
	// Handler runs a call. It never returns a Go error for anything the
	// caller could fix: those are isError results.
	Handler server.ToolHandlerFunc
}

// Definition is the tool as clients list it, described for snap.
func (t *Tool) Definition(snap *schema.Snapshot) mcpgo.Tool {
	def := mcpgo.NewToolWithRawSchema(t.Name, t.Describe(snap), t.InputSchema)
	def.Title = t.Title
	def.Annotations = t.Kind.annotations(t.Title)
	def.RawOutputSchema = t.OutputSchema
	return def
}

// texter is implemented by every tool result: a compact text rendering for
// clients that read only text content.
type texter interface {
	Text() string
}

// newTool builds a Tool whose schemas come from In and Out and whose handler
// binds the arguments into In, runs run, and renders its result or error.
func newTool[In any, Out texter](name, title string, product Product, kind Kind,
	describe func(*schema.Snapshot) string, run func(ctx context.Context, in *In) (Out, error)) *Tool {
	input, out := schemasFor[In, Out](name)
	return &Tool{
		Name:         name,
		Title:        title,
		Product:      product,
		Kind:         kind,
		Describe:     describe,
		InputSchema:  input,
		OutputSchema: out,
		Handler: func(ctx context.Context, req mcpgo.CallToolRequest) (*mcpgo.CallToolResult, error) {
			in := new(In)
			if err := bindArguments(req, in); err != nil {
				return errorResult(err), nil
			}
			res, err := run(ctx, in)
			if err != nil {
				// A cancelled call answers nobody; one whose deadline
				// passed is answered by Server.deadline, unless the
				// handler said itself what may have happened.
				var uw *uncertainWrite
				if ctx.Err() != nil && !errors.As(err, &uw) {
					return nil, ctx.Err()
				}
				return errorResult(err), nil
			}
			return structuredResult(res)
		},
	}
}

// toolSchemas are the generated input and output schemas of one pair of
// argument and result types, generated once.
type toolSchemas struct {
	once          sync.Once
	input, output json.RawMessage
	err           error
	// key names the tool and its types in pregeneratedSchemas; generate
	// generates the schemas by reflection (for TestPregeneratedSchemas).
	key      string
	generate func() (input, output json.RawMessage, err error)
}

// generatedSchemas memoises the schemas by type pair: generating them by
// reflection is most of the cost of building the tools, which happens for
// every tenant's server and every `call` and `tools` run. The schemas are
// shared read-only.
var generatedSchemas sync.Map // [2]reflect.Type -> *toolSchemas

// schemasFor returns the input and output schemas generated from In and
// Out: the copy generated at build time (pregeneratedSchemas, which
// TestPregeneratedSchemas keeps equal to what the generator makes of the
// types now), else generated by reflection. Generating them for the eight
// tools was about 14% of a stdio server's CPU from spawn to its first
// tools/list answer, and most of its garbage (issue 12).
func schemasFor[In, Out any](name string) (json.RawMessage, json.RawMessage) {
	key := [2]reflect.Type{reflect.TypeFor[In](), reflect.TypeFor[Out]()}
	v, ok := generatedSchemas.Load(key)
	if !ok {
		v, _ = generatedSchemas.LoadOrStore(key, &toolSchemas{
			key:      schemaKey(name, key[0], key[1]),
			generate: generateSchemas[In, Out],
		})
	}
	s := v.(*toolSchemas)
	s.once.Do(func() {
		if pre, ok := pregeneratedSchemas[s.key]; ok {
			s.input, s.output = json.RawMessage(pre[0]), json.RawMessage(pre[1])
			return
		}
		s.input, s.output, s.err = s.generate()
	})
	if s.err != nil || s.input == nil {
		panic(fmt.Sprintf("mcp: tool %s: cannot generate its schemas: %v", name, s.err))
	}
	return s.input, s.output
}

// schemaKey is a tool's key in pregeneratedSchemas: its name and the names
// of its argument and result types, so a tool built on other types is
// generated, never served another's schemas.
func schemaKey(name string, in, out reflect.Type) string {
	return name + " " + in.String() + " " + out.String()
}

// generateSchemas generates the input and output schemas of In and Out by
// reflection, in the form tools/list serves them.
func generateSchemas[In, Out any]() (input, output json.RawMessage, err error) {
	var scratch mcpgo.Tool
	mcpgo.WithInputSchema[In]()(&scratch)
	mcpgo.WithOutputSchema[Out]()(&scratch)
	output, err = json.Marshal(scratch.OutputSchema)
	if err == nil {
		output, err = leanOutputSchema(output)
	}
	if err == nil {
		// Results never carry null (an omitted property or an empty
		// list says the same), so each property has one type.
		output, err = withoutNullTypes(output)
	}
	if err == nil && scratch.RawInputSchema != nil {
		input, err = withoutNullTypes(scratch.RawInputSchema)
		input = openObjects.ReplaceAll(input, nil)
	}
	if err == nil && input != nil {
		input, err = withPatterns(input, reflect.TypeFor[In]())
	}
	return input, output, err
}

// withPatterns adds the `pattern:"..."` tag of each top-level string
// parameter of t to its schema (the generator knows only enums): a
// comma-separated list of known values (get_issue's expand) declares them
// that way. The parameter's schema must appear exactly once.
func withPatterns(schema json.RawMessage, t reflect.Type) (json.RawMessage, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := range t.NumField() {
		f := t.Field(i)
		pat, ok := f.Tag.Lookup("pattern")
		if !ok {
			continue
		}
		if _, err := regexp.Compile(pat); err != nil {
			return nil, fmt.Errorf("field %s: pattern: %w", f.Name, err)
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		at := []byte(`"` + name + `":{"type":"string"`)
		if bytes.Count(schema, at) != 1 {
			return nil, fmt.Errorf("field %s: its schema is not a single string property", f.Name)
		}
		quoted, _ := json.Marshal(pat)
		schema = bytes.Replace(schema, at, append(append(bytes.Clone(at), `,"pattern":`...), quoted...), 1)
	}
	return schema, nil
}

// nullTypes matches the generator's nullable types in compact JSON.
var nullTypes = lazyRegexp(`"type":\["null","([a-z]+)"\]|"type":\["([a-z]+)","null"\]`)

// withoutNullTypes rewrites the generator's nullable types
// ("type":["null","integer"] for pointer and slice fields) to the plain
// type, keeping the property order: some clients reject type arrays, and an
// omitted optional parameter already means "not given".
func withoutNullTypes(schema json.RawMessage) (json.RawMessage, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, schema); err != nil {
		return nil, err
	}
	return nullTypes.ReplaceAll(compact.Bytes(), []byte(`"type":"$1$2"`)), nil
}

// openObjects matches the generator's "additionalProperties":true (on
// map-typed parameters), which is JSON Schema's default: bytes every client
// reads on every turn for nothing.
var openObjects = lazyRegexp(`,"additionalProperties":true\b|"additionalProperties":true,`)

// leanOutputSchema trims an output schema to what says something: no
// "additionalProperties" on objects (results may grow fields, and closed
// output schemas only make old clients reject new servers), and a
// description said once (the first time, in key order, which is the order
// the schema is written in) rather than on every copy of a shared type.
func leanOutputSchema(raw json.RawMessage) (json.RawMessage, error) {
	var schema any
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "additionalProperties")
			if d, ok := v["description"].(string); ok {
				if seen[d] {
					delete(v, "description")
				}
				seen[d] = true
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(schema)
	return json.Marshal(schema)
}
