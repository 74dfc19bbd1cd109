package sandbox

import "testing"

func TestJiraDurations(t *testing.T) {
	tests := []struct {
		in   string
		secs int64
		ok   bool
	}{
		{"2h 30m", 9000, true}, {"2h30m", 9000, true}, {"1d", 28800, true}, {"1w", 144000, true}, {"1w 2d 3h 4m", 144000 + 57600 + 10800 + 240, true},
		{"1.5h", 5400, true}, {"90", 5400, true}, {" 3h ", 10800, true},
		{"", 0, false}, {"0m", 0, false}, {"30s", 0, false}, {"h", 0, false}, {"-1h", 0, false}, {"1x", 0, false}, {"two hours", 0, false}, {"1e3h", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			secs, ok := jParseDuration(tt.in)
			if ok != tt.ok || secs != tt.secs {
				t.Errorf("jParseDuration(%q) = %d, %v; want %d, %v", tt.in, secs, ok, tt.secs, tt.ok)
			}
		})
	}
	for _, sec := range []int64{60, 5400, 28800, 144000 + 57600 + 10800 + 240} {
		back, ok := jParseDuration(jFormatDuration(sec))
		if !ok || back != sec {
			t.Errorf("round trip %d -> %q -> %d", sec, jFormatDuration(sec), back)
		}
	}
}

// FuzzJiraDuration checks the duration parser never panics and that what it
// accepts formats back to the same number of whole minutes.
func FuzzJiraDuration(f *testing.F) {
	for _, s := range []string{"2h 30m", "1w 2d", "1.5h", "90", "1x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		secs, ok := jParseDuration(s)
		if !ok {
			return
		}
		if secs < 60 {
			t.Fatalf("accepted %q as %d seconds", s, secs)
		}
		back, ok := jParseDuration(jFormatDuration(secs))
		if !ok || back != secs/60*60 {
			t.Fatalf("%q -> %d -> %q -> %d", s, secs, jFormatDuration(secs), back)
		}
	})
}
