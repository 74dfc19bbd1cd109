package schema

import (
	"slices"
	"testing"
	"time"
)

// TestRankProjectsOrder checks RankProjects's keys in turn (issue count,
// last update, key) and that full ties keep the given order, as the
// stable sort it replaced did.
func TestRankProjectsOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &Project{Key: "B", IssueCount: 5}
	b := &Project{Key: "A", IssueCount: 5}
	c := &Project{Key: "Z", IssueCount: 9}
	d := &Project{Key: "Y", IssueCount: 5, LastIssueUpdate: t0}
	e1 := &Project{Key: "DUP", IssueCount: 1, Name: "first"}
	e2 := &Project{Key: "DUP", IssueCount: 1, Name: "second"}
	in := []*Project{e1, a, b, e2, c, d}
	got := RankProjects(in)
	want := []*Project{c, d, b, a, e1, e2}
	if !slices.Equal(got, want) {
		for i, p := range got {
			t.Errorf("%d: %s %s", i, p.Key, p.Name)
		}
	}
	if in[0] != e1 || in[5] != d {
		t.Error("RankProjects changed its argument")
	}
}
