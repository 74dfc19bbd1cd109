package metrics

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// family is one metric family: it appends its HELP, TYPE and samples in
// the text exposition format.
type family interface {
	appendText(b []byte) []byte
}

// vec is a family's series, one per combination of label values, created
// on first use and never removed (every label here takes few values).
type vec[T any] struct {
	name, help, kind string
	labels           []string
	series           sync.Map // seriesKey(values) -> *series[T]
	init             func(*T)
}

type series[T any] struct {
	values []string
	v      T
}

// with returns the series of these label values, one per label name.
func (v *vec[T]) with(values ...string) *T {
	if len(values) != len(v.labels) {
		panic("metrics: " + v.name + " takes " + strconv.Itoa(len(v.labels)) + " label values")
	}
	key := seriesKey(values)
	if s, ok := v.series.Load(key); ok {
		return &s.(*series[T]).v
	}
	s := &series[T]{values: slices.Clone(values)}
	if v.init != nil {
		v.init(&s.v)
	}
	got, _ := v.series.LoadOrStore(key, s)
	return &got.(*series[T]).v
}

// seriesKey joins label values unambiguously, whatever bytes they hold.
func seriesKey(values []string) string {
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// sorted returns the series ordered by their label values, so that the
// exposition is the same for the same counts.
func (v *vec[T]) sorted() []*series[T] {
	var out []*series[T]
	v.series.Range(func(_, s any) bool {
		out = append(out, s.(*series[T]))
		return true
	})
	sort.Slice(out, func(i, j int) bool { return slices.Compare(out[i].values, out[j].values) < 0 })
	return out
}

// appendHeader appends the family's HELP and TYPE lines.
func (v *vec[T]) appendHeader(b []byte) []byte {
	return appendHeader(b, v.name, v.help, v.kind)
}

func appendHeader(b []byte, name, help, kind string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	for i := 0; i < len(help); i++ {
		switch c := help[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, kind...)
	return append(b, '\n')
}

// appendSample appends one sample line: name{labels} value. Label pairs
// are written in the order of their names, as Prometheus's own client
// does, with extra (le, for a bucket) placed among them.
func appendSample(b []byte, name string, labels, values []string, extraName, extraValue string, value float64) []byte {
	b = append(b, name...)
	type pair struct{ name, value string }
	pairs := make([]pair, 0, len(labels)+1)
	for i, l := range labels {
		pairs = append(pairs, pair{l, values[i]})
	}
	if extraName != "" {
		pairs = append(pairs, pair{extraName, extraValue})
	}
	if len(pairs) > 0 {
		sort.Slice(pairs, func(i, j int) bool { return pairs[i].name < pairs[j].name })
		b = append(b, '{')
		for i, p := range pairs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, p.name...)
			b = append(b, `="`...)
			b = appendLabelValue(b, p.value)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, value)
	return append(b, '\n')
}

func appendLabelValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat writes a sample value the way the text format spells it.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(f):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// counter is a monotonic count.
type counter struct{ n atomic.Uint64 }

func (c *counter) add(n uint64) { c.n.Add(n) }

// counterVec is a counter family.
type counterVec struct{ vec[counter] }

func newCounterVec(name, help string, labels ...string) *counterVec {
	return &counterVec{vec[counter]{name: name, help: help, kind: "counter", labels: labels}}
}

func (v *counterVec) appendText(b []byte) []byte {
	b = v.appendHeader(b)
	if len(v.labels) == 0 {
		v.with() // an unlabelled counter reads 0 before its first event
	}
	for _, s := range v.sorted() {
		b = appendSample(b, v.name, v.labels, s.values, "", "", float64(s.v.n.Load()))
	}
	return b
}

// histogram counts observations into buckets by upper bound and sums them.
type histogram struct {
	upper   []float64
	buckets []atomic.Uint64 // len(upper)+1: the last is +Inf
	sumBits atomic.Uint64   // math.Float64bits of the sum
}

func (h *histogram) observe(v float64) {
	h.buckets[sort.SearchFloat64s(h.upper, v)].Add(1)
	for {
		old := h.sumBits.Load()
		if h.sumBits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// histogramVec is a histogram family.
type histogramVec struct{ vec[histogram] }

func newHistogramVec(name, help string, upper []float64, labels ...string) *histogramVec {
	return &histogramVec{vec[histogram]{name: name, help: help, kind: "histogram", labels: labels,
		init: func(h *histogram) {
			h.upper = upper
			h.buckets = make([]atomic.Uint64, len(upper)+1)
		}}}
}

func (v *histogramVec) appendText(b []byte) []byte {
	b = v.appendHeader(b)
	if len(v.labels) == 0 {
		v.with()
	}
	for _, s := range v.sorted() {
		h := &s.v
		var cum uint64
		for i := range h.buckets {
			cum += h.buckets[i].Load()
			le := "+Inf"
			if i < len(h.upper) {
				le = string(appendFloat(nil, h.upper[i]))
			}
			b = appendSample(b, v.name+"_bucket", v.labels, s.values, "le", le, float64(cum))
		}
		b = appendSample(b, v.name+"_sum", v.labels, s.values, "", "", math.Float64frombits(h.sumBits.Load()))
		b = appendSample(b, v.name+"_count", v.labels, s.values, "", "", float64(cum))
	}
	return b
}
