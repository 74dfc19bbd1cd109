package mcp

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Many clients send every argument as a string ("maxResults":"5"), and
// some send numeric ids as numbers ("pageId":98334). Both are clear in
// intent, so before the strict decode the arguments are coerced toward
// the parameter's type: a string holding an integer to an integer
// parameter, "true"/"false" to a boolean one, and an integral number to a
// string one. Anything else is left for the decoder to refuse by name.

// coerceArgs returns a copy of v with the values that fit t's fields converted. It
// never changes a value it cannot convert losslessly, and it leaves free
// maps (customFields) alone: their values are coerced by the field's type
// later.
func coerceArgs(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		names, types := structFields(t)
		out := make(map[string]any, len(m)) // the caller's map stays as sent
		for k, val := range m {
			out[k] = val
			for _, n := range names {
				if strings.EqualFold(n, k) {
					out[k] = coerceArgs(val, types[n])
					break
				}
			}
		}
		return out
	case reflect.Slice, reflect.Array:
		items, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, len(items))
		for i := range items {
			out[i] = coerceArgs(items[i], t.Elem())
		}
		return out
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				return json.Number(strconv.FormatInt(n, 10))
			}
		}
	case reflect.Bool:
		if s, ok := v.(string); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				return true
			case "false":
				return false
			}
		}
	case reflect.String:
		switch n := v.(type) {
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return strconv.FormatInt(i, 10)
			}
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return strconv.FormatInt(int64(n), 10)
			}
		}
	}
	return v
}
