package adf

import (
	"bytes"
)

var markRank = map[string]int{
	"link": 0, "em": 1, "strong": 2, "strike": 3, "underline": 4, "subsup": 5,
	"textColor": 6, "backgroundColor": 7, "code": 8,
}

func sortMarks(m []Mark) []Mark {
	for i := 1; i < len(m); i++ {
		for j := i; j > 0 && rankOf(m[j].Type) < rankOf(m[j-1].Type); j-- {
			m[j], m[j-1] = m[j-1], m[j]
		}
	}
	return m
}

func rankOf(t string) int {
	if r, ok := markRank[t]; ok {
		return r
	}
	return 100
}

func withMark(marks []Mark, m Mark) []Mark {
	for _, x := range marks {
		if x.Type == m.Type && (m.Type != "subsup" || sameAttrs(x.Attrs, m.Attrs)) {
			return marks
		}
	}
	out := make([]Mark, 0, len(marks)+1)
	for _, x := range marks {
		if x.Type != m.Type {
			out = append(out, x)
		}
	}
	out = append(out, m)
	return sortMarks(out)
}

func withoutMark(marks []Mark, t string) []Mark {
	for i, x := range marks {
		if x.Type == t {
			out := make([]Mark, 0, len(marks)-1)
			out = append(out, marks[:i]...)
			return append(out, marks[i+1:]...)
		}
	}
	return marks
}

func hasCode(marks []Mark) bool {
	for _, m := range marks {
		if m.Type == "code" {
			return true
		}
	}
	return false
}

func sameMarks(a, b []Mark) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || !sameAttrs(a[i].Attrs, b[i].Attrs) {
			return false
		}
	}
	return true
}

func sameAttrs(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	simple := true
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		as, aok := av.(string)
		bs, bok := bv.(string)
		if aok && bok {
			if as != bs {
				return false
			}
			continue
		}
		simple = false
	}
	if simple {
		return true
	}
	return bytes.Equal(appendObject(nil, a), appendObject(nil, b))
}
