package mcp

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// jsonFieldNames lists the JSON names of the struct dst points to.
func jsonFieldNames(dst any) []string {
	names, _ := structFields(reflect.TypeOf(dst))
	return names
}

// structFields returns the JSON names of struct type t (through pointers),
// in declaration order, and the type of each.
func structFields(t reflect.Type) ([]string, map[string]reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, nil
	}
	var names []string
	types := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names = append(names, name)
		types[name] = f.Type
	}
	return names, types
}

// unknownParam finds a key in the decoded arguments v that type t has no
// field for, however deep (encoding/json's error names only the key). It
// returns the key's dotted path, the valid names where it stands, and the
// path of the object that holds it ("" at the top). Keys match
// case-insensitively, as encoding/json matches them.
func unknownParam(v any, t reflect.Type, path string) (param string, valid []string, parent string, found bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return "", nil, "", false
		}
		names, types := structFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, k) })
			if i < 0 {
				return joinPath(path, k), names, path, true
			}
			if p, valid, parent, found := unknownParam(m[k], types[names[i]], joinPath(path, names[i])); found {
				return p, valid, parent, true
			}
		}
	case reflect.Slice, reflect.Array:
		items, _ := v.([]any)
		for i, item := range items {
			if p, valid, parent, found := unknownParam(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); found {
				return p, valid, parent, true
			}
		}
	}
	return "", nil, "", false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
