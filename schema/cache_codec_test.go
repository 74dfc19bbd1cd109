package schema

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// filled returns a snapshot with every exported field of every type it
// reaches set to a non-zero value (slices of two, strings that repeat
// across elements), so a field the cache encoding forgets fails the round
// trip instead of silently vanishing from cached snapshots.
func filled() *Snapshot {
	s := new(Snapshot)
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		if v.Type() == reflect.TypeOf(time.Time{}) {
			n++
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, n, time.UTC)))
			return
		}
		switch v.Kind() {
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("s%d", n%7))
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int64:
			n++
			v.SetInt(int64(n) * 1000003)
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range 2 {
				fill(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i))
				}
			}
		default:
			panic("filled: no filler for " + v.Type().String())
		}
	}
	fill(reflect.ValueOf(s).Elem())
	return s
}

func TestCacheEncodingRoundTrip(t *testing.T) {
	sparse := demo()
	sparse.Jira.Projects[0].Priorities = []string{} // empty stays empty, nil stays nil
	sparse.Jira.Projects = append(sparse.Jira.Projects, nil)
	sparse.Confluence = nil
	sparse.Failures = nil
	tests := []struct {
		name string
		snap *Snapshot
	}{
		{"every field set", filled()},
		{"demo", demo()},
		{"nil, empty and missing parts", sparse},
		{"empty", &Snapshot{FormatVersion: FormatVersion, Connection: "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(t.TempDir())
			tt.snap.Connection = "c"
			if err := c.Save(tt.snap); err != nil {
				t.Fatal(err)
			}
			got, err := c.Load("c")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.snap) {
				t.Errorf("round trip changed the snapshot:\n got %+v\nwant %+v", got, tt.snap)
			}
		})
	}
}

// TestCacheEncodingDamaged checks that every truncation and many byte
// flips of a valid entry are errors (or, for a flipped format version,
// ErrNoSnapshot), never a panic or a wrong snapshot passed off as good.
func TestCacheEncodingDamaged(t *testing.T) {
	raw, err := encodeSnapshot(filled())
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(raw) {
		if _, err := decodeSnapshot(raw[:n]); err == nil {
			t.Fatalf("entry cut to %d of %d bytes decoded", n, len(raw))
		}
	}
	if _, err := decodeSnapshot(append(raw[:len(raw):len(raw)], 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("trailing byte: %v", err)
	}
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0xff
		_, _ = decodeSnapshot(b) // must not panic
	}
	old := append([]byte(codecMagic), byte(FormatVersion+1))
	if _, err := decodeSnapshot(append(old, raw[len(codecMagic)+1:]...)); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("other format version: %v, want ErrNoSnapshot", err)
	}
}

// FuzzCacheDecode feeds arbitrary entries to the decoder: an error or a
// snapshot, never a panic, and a decoded snapshot encodes again.
func FuzzCacheDecode(f *testing.F) {
	for _, s := range []*Snapshot{filled(), demo()} {
		raw, err := encodeSnapshot(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(codecMagic))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := decodeSnapshot(append([]byte(codecMagic), raw...))
		if err != nil {
			return
		}
		if _, err := encodeSnapshot(s); err != nil {
			t.Fatalf("decoded snapshot does not encode: %v", err)
		}
	})
}

// TestCacheRediscoversGobEntries: an entry in the gob envelope older builds
// wrote is not read (the gob branch is gone) but reported as no snapshot,
// so the server rediscovers instead of failing.
func TestCacheRediscoversGobEntries(t *testing.T) {
	c := NewCache(t.TempDir())
	want := demo()
	want.Connection = "default"
	if err := c.Save(want); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(want); err != nil {
		t.Fatal(err)
	}
	writeRaw(t, c, "default", body.Bytes())
	if got, err := c.Load("default"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("gob entry: %v, %v; want ErrNoSnapshot", got, err)
	}
}
