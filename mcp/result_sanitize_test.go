package mcp

import (
	"bytes"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ascii", "Fix the login page\n\tnow", "Fix the login page\n\tnow"},
		{"accents and emoji kept", "café – naïve 👩\u200d💻", "café – naïve 👩\u200d💻"},
		{"zero width space", "a\u200bb", "ab"},
		{"bidi override and isolate", "x\u202ey\u2066z\u2069", "xyz"},
		{"tag block", "ok\U000E0041\U000E007F", "ok"},
		{"controls", "a\x00b\rc\x7fd\u0085e", "abcde"},
		{"soft hyphen and bom", "\ufeffsoft\u00adhyphen", "softhyphen"},
		{"invalid utf-8", "a\xffb\xc3", "ab"},
		{"hidden first and last", "\u200bmid\u200b", "mid"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sanitize(tt.in); got != tt.want {
				t.Errorf("sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(sanitizeBytes([]byte(tt.in))); got != tt.want {
				t.Errorf("sanitizeBytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzSanitize checks the ASCII fast path against the plain definition:
// the first hidden rune found is the one strings.IndexFunc finds, and
// nothing hidden survives.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "a\u200bb", "\xff\xfe", "é\u202e", "\U000E0041x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.IndexFunc(s, hidden)
		if got := firstHidden(s); got != want {
			t.Fatalf("firstHidden(%q) = %d, want %d", s, got, want)
		}
		if got := firstHidden([]byte(s)); got != want {
			t.Fatalf("firstHidden([]byte(%q)) = %d, want %d", s, got, want)
		}
		out := sanitize(s)
		if strings.IndexFunc(out, hidden) >= 0 || !bytes.Equal(sanitizeBytes([]byte(s)), []byte(out)) {
			t.Fatalf("sanitize(%q) = %q", s, out)
		}
	})
}

// BenchmarkSanitize scans a 64 KB result with nothing hidden, as nearly
// every result is.
func BenchmarkSanitize(b *testing.B) {
	doc := []byte(strings.Repeat(`{"key":"ENG-1","summary":"Fix the login page – café","status":"In Progress"},`, 850))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if len(sanitizeBytes(doc)) != len(doc) {
			b.Fatal("changed")
		}
	}
}
