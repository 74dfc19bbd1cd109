package atlassian

import (
	"encoding/json"
	"reflect"

	jsonv2 "github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// v1Semantics are the options under which go-json-experiment/json decodes
// exactly as encoding/json does (case-insensitive names, duplicate names
// and invalid UTF-8 allowed, legacy time and error semantics, Unmarshaler
// methods called).
var v1Semantics = jsonv1.DefaultOptionsV1()

// unmarshalJSON decodes b into out, a pointer, with encoding/json's
// semantics but in one pass: encoding/json validates the whole input
// before decoding it, and decoding Atlassian's responses (a Jira issue is
// 10-30 KB) was the largest part of a tool call's CPU (issue 12).
//
// When b does not decode, out is reset and decoded again by encoding/json,
// so the error a caller sees (its *json.SyntaxError or
// *json.UnmarshalTypeError, which jsonErrText renders) and what out holds
// afterwards are encoding/json's own.
func unmarshalJSON(b []byte, out any) error {
	if jsonv2.Unmarshal(b, out, v1Semantics) == nil {
		return nil
	}
	if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero()
	}
	return json.Unmarshal(b, out)
}
