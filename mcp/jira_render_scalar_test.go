package mcp

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestScalarJSON checks the decoder-free path against json.Decoder with
// UseNumber, which it replaces for the values it takes.
func TestScalarJSON(t *testing.T) {
	tests := []struct {
		raw  string
		fast bool // taken without a decoder
	}{
		{`null`, true}, {`true`, true}, {`false`, true},
		{`0`, true}, {`-12.5e3`, true}, {`10016`, true},
		{`"plain"`, true}, {`""`, true}, {`"ünïcode ✓"`, true},
		{`"esc\"aped"`, false}, {`"\u00e9"`, false}, {"\"bad \xff utf8\"", false},
		{`{"value":"x"}`, false}, {`["a","b"]`, false}, {`[]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := scalarJSON([]byte(tt.raw))
			if ok != tt.fast {
				t.Fatalf("scalarJSON(%s) ok = %v, want %v", tt.raw, ok, tt.fast)
			}
			if !ok {
				return
			}
			dec := json.NewDecoder(bytes.NewReader([]byte(tt.raw)))
			dec.UseNumber()
			var want any
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("scalarJSON(%s) = %#v, json.Decoder = %#v", tt.raw, got, want)
			}
		})
	}
}
