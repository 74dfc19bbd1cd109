package tokenstore

import (
	"bytes"
	"testing"
)

// FuzzParseKeyring checks that no key specification panics and that an
// accepted one always yields 32-byte keys with a current version.
func FuzzParseKeyring(f *testing.F) {
	f.Add("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")
	f.Add("2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=,1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")
	f.Add("v3:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE")
	f.Add(":,:,")
	f.Fuzz(func(t *testing.T, spec string) {
		k, err := ParseKeyring("fuzz", spec)
		if err != nil {
			return
		}
		if k.Current() == 0 || len(k.raw[k.Current()]) != keySize {
			t.Fatalf("accepted %q with current %d", spec, k.Current())
		}
	})
}

// FuzzOpenSealed checks that opening arbitrary bytes as sealed secrets
// never panics and never succeeds unless the bytes are a real seal.
func FuzzOpenSealed(f *testing.F) {
	k := testKeyring(f, 1)
	ad := associatedData("default")
	f.Add(k.seal([]byte(`{"access_token":"x"}`), ad))
	f.Add([]byte{1})
	f.Add(bytes.Repeat([]byte{1}, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, _, err := k.open(b, ad)
		if err == nil && !bytes.Equal(pt, []byte(`{"access_token":"x"}`)) {
			t.Fatalf("opened forged bytes to %q", pt)
		}
	})
}
