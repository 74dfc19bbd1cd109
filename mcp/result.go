package mcp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

// ArgError is a mistake in a call's arguments that the caller can fix.
type ArgError struct {
	Param string
	Msg   string
}

// Error is "parameter Param: Msg", or Msg alone when no parameter is to blame:
// the wording a tool result shows the caller.
func (e *ArgError) Error() string {
	if e.Param == "" {
		return e.Msg
	}
	return fmt.Sprintf("parameter %s: %s", e.Param, e.Msg)
}

// argErrorf returns an *ArgError for param.
func argErrorf(param, format string, args ...any) error {
	return &ArgError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// unknownKeyAdvisor is implemented by argument structs that know what a
// caller who sends a key they do not take most likely meant ("status" in
// an update's fields is a transition). parent is the object the key was
// in ("" for the top level), value the value sent. An empty answer falls
// back to listing the keys the object takes.
type unknownKeyAdvisor interface {
	adviseUnknown(parent, key string, value any) string
}

// valueAt is the value of key inside the object at the dotted path parent
// of args, or nil.
func valueAt(args any, parent, key string) any {
	cur := args
	if parent != "" {
		for _, p := range strings.Split(parent, ".") {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
	}
	m, _ := cur.(map[string]any)
	return m[key]
}

// compactJSON renders v as compact JSON for an error message.
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "..."
	}
	return string(b)
}

// bindArguments decodes the call's arguments into dst strictly: an unknown
// parameter or a value of the wrong type is an ArgError that names it.
func bindArguments(req mcpgo.CallToolRequest, dst any) error {
	args := req.GetRawArguments()
	if msg, ok := args.(json.RawMessage); ok && len(msg) > 0 {
		// Decoded here only to coerce (numbers kept exact); a body that
		// does not decode is left for the strict decode to report.
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			args = v
		}
	}
	raw, err := json.Marshal(coerceArgs(args, reflect.TypeOf(dst)))
	if err != nil {
		return &ArgError{Msg: "arguments are not a JSON object"}
	}
	if string(raw) == "null" {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return &ArgError{Msg: "arguments must be a JSON object"}
		}
		msg := fmt.Sprintf("expected %s, got a JSON %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
		var args any
		_ = json.Unmarshal(raw, &args)
		parent, key := "", typeErr.Field
		if i := strings.LastIndexByte(key, '.'); i >= 0 {
			parent, key = key[:i], key[i+1:]
		}
		if s, ok := valueAt(args, parent, key).(string); ok && typeErr.Type.Kind() == reflect.Slice && typeErr.Type.Elem().Kind() == reflect.String {
			// One string where a list belongs: the list it most likely meant.
			items := []string{}
			for _, it := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
				if it = strings.TrimSpace(it); it != "" {
					items = append(items, it)
				}
			}
			msg += "; give a list, even of one item: " + compactJSON(map[string]any{key: items})
		}
		return argErrorf(typeErr.Field, "%s", msg)
	case errors.As(err, &syntaxErr):
		return &ArgError{Msg: "arguments are not valid JSON: " + err.Error()}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		var args any
		_ = json.Unmarshal(raw, &args)
		param, valid, parent, found := unknownParam(args, reflect.TypeOf(dst), "")
		if !found { // cannot happen: the decoder just met one
			param = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			valid = jsonFieldNames(dst)
		}
		if found && parent == "" {
			if advice := foreignParams[req.Params.Name][foldParam(param)]; advice != "" {
				return argErrorf(param, "is not a parameter of %s; %s", req.Params.Name, advice)
			}
			if advice := aliasAdvice(args, valid); advice != "" {
				return argErrorf(param, "%s", advice)
			}
		}
		if adv, ok := dst.(unknownKeyAdvisor); ok && found {
			key := strings.TrimPrefix(param, parent+".")
			if parent == "" {
				key = param
			}
			if advice := adv.adviseUnknown(parent, key, valueAt(args, parent, key)); advice != "" {
				return argErrorf(param, "%s", advice)
			}
		}
		if parent == "" {
			return argErrorf(param, "unknown parameter; the parameters are %s", strings.Join(valid, ", "))
		}
		return argErrorf(param, "unknown key in %s; it takes %s", parent, strings.Join(valid, ", "))
	}
	return &ArgError{Msg: err.Error()}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return goKind
}

// errorResult renders err as an isError result written for an LLM.
func errorResult(err error) *mcpgo.CallToolResult {
	return mcpgo.NewToolResultError(sanitize(describeError(err)))
}

// structuredResult renders a tool's result as structuredContent plus its
// compact text, both stripped of invisible and bidirectional controls
// (content from Atlassian is untrusted).
func structuredResult(res texter) (*mcpgo.CallToolResult, error) {
	b, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("mcp: encode result: %w", err)
	}
	return &mcpgo.CallToolResult{
		Content:           []mcpgo.Content{mcpgo.NewTextContent(sanitize(res.Text()))},
		StructuredContent: json.RawMessage(sanitizeBytes(b)),
	}, nil
}

// hidden reports runes that render invisibly or reorder text: format
// characters (zero-width spaces, bidirectional embeddings, overrides and
// isolates, the tag block used to smuggle instructions), C0/C1 controls
// other than tab and newline, and noncharacters. The zero-width joiner
// stays: emoji sequences need it.
func hidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r == '\u200d':
		return false
	case unicode.Is(unicode.Cf, r), unicode.IsControl(r):
		return true
	case r >= 0xE0000 && r <= 0xE007F:
		return true
	case r == utf8.RuneError:
		return true
	}
	return false
}

// plain reports the bytes that are never hidden and never start a
// multi-byte rune: printable ASCII, tab and newline.
var plain = func() (t [256]bool) {
	for b := 0x20; b < 0x7f; b++ {
		t[b] = true
	}
	t['\t'], t['\n'] = true, true
	return t
}()

// firstHidden returns the index of the first hidden rune in s (a result's
// text or its encoded JSON), or -1. It steps over printable ASCII a byte at
// a time and decodes only the rest, which keeps the pass over every result
// cheap.
func firstHidden[T string | []byte](s T) int {
	for i := 0; i < len(s); {
		if plain[s[i]] {
			i++
			continue
		}
		var buf [utf8.UTFMax]byte
		r, n := utf8.DecodeRune(buf[:copy(buf[:], s[i:])])
		if hidden(r) {
			return i
		}
		i += n
	}
	return -1
}

// visible is the strings.Map / bytes.Map function that drops hidden runes.
func visible(r rune) rune {
	if hidden(r) {
		return -1
	}
	return r
}

// sanitize removes hidden runes from s.
func sanitize(s string) string {
	if firstHidden(s) < 0 {
		return s
	}
	return strings.Map(visible, s)
}

// sanitizeBytes removes hidden runes from encoded JSON. JSON syntax never
// uses them, so only string contents change.
func sanitizeBytes(b []byte) []byte {
	if firstHidden(b) < 0 {
		return b
	}
	return bytes.Map(visible, b)
}
