package schema

import (
	"strings"
	"testing"
)

func TestFieldRefAndIsFieldID(t *testing.T) {
	tests := []struct {
		in, ref string
		id      bool
	}{
		{"cf[10016]", "customfield_10016", true},
		{"CF[10016]", "customfield_10016", true},
		{"customfield_10016", "customfield_10016", true},
		{"duedate", "duedate", true},
		{"fixVersions", "fixVersions", true},
		{"Story Points", "Story Points", false},
		{"cf[10016", "cf[10016", false},
		{"Summary", "Summary", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ref := FieldRef(tt.in)
			if ref != tt.ref || IsFieldID(ref) != tt.id {
				t.Fatalf("FieldRef(%q) = %q (id %v); want %q (id %v)", tt.in, ref, IsFieldID(ref), tt.ref, tt.id)
			}
		})
	}
}

func TestSimilarFields(t *testing.T) {
	s := demo()
	tests := []struct {
		name string
		want string // the fields' ids, comma-joined, best class only
	}{
		{"storypoints", "customfield_10016"},            // same letters without spaces
		{"story", "customfield_10016"},                  // containment
		{"story pts", "customfield_10016"},              // every word a prefix
		{"Sumary", "summary"},                           // edit distance
		{"tean", "customfield_10001,customfield_20001"}, // both Teams, same class
		{"velocity", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			for _, f := range s.SimilarFields(tt.name) {
				ids = append(ids, f.ID)
			}
			if got := strings.Join(ids, ","); got != tt.want {
				t.Fatalf("SimilarFields(%q) = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
	if got := (&Snapshot{}).SimilarFields("x"); got != nil {
		t.Fatalf("without Jira: %v", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"story points", "story points", 0},
		{"story points", "story point", 1},
		{"sprint", "sprnit", 2},
		{"team", "severity", 4}, // beyond the limit of 3
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 3); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
