package querykit

import (
	"testing"
	"time"
)

func TestWildMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"run*", "runbook", true}, {"*book", "runbook", true}, {"r?n*k", "runbook", true},
		{"run", "runbook", false}, {"*", "", true}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
		{"?", "", false},
	}
	for _, tt := range tests {
		if got := WildMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("WildMatch(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

func TestAddUnit(t *testing.T) {
	base := time.Date(2026, 1, 31, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		unit byte
		n    int
		want time.Time
	}{
		{'y', 1, time.Date(2027, 1, 31, 10, 30, 0, 0, time.UTC)},
		{'M', 1, time.Date(2026, 3, 3, 10, 30, 0, 0, time.UTC)}, // Go normalises Feb 31
		{'w', -1, time.Date(2026, 1, 24, 10, 30, 0, 0, time.UTC)},
		{'d', 2, time.Date(2026, 2, 2, 10, 30, 0, 0, time.UTC)},
		{'h', -3, time.Date(2026, 1, 31, 7, 30, 0, 0, time.UTC)},
		{'m', 45, time.Date(2026, 1, 31, 11, 15, 0, 0, time.UTC)},
		{'x', 5, base},
	}
	for _, tt := range tests {
		if got := AddUnit(base, tt.unit, tt.n); !got.Equal(tt.want) {
			t.Errorf("AddUnit(%c, %d) = %v, want %v", tt.unit, tt.n, got, tt.want)
		}
	}
}
