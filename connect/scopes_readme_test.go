package connect

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEListsTheRequestedScopes keeps the README's scope list (what
// an admin configures in the developer console) equal to what connect
// requests: a scope missing there makes consent fail on a real site.
func TestREADMEListsTheRequestedScopes(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)with these scopes: `([^`]*)`").FindSubmatch(raw)
	if m == nil {
		t.Fatal("README.md has no \"with these scopes: `...`\" list")
	}
	listed := strings.Fields(string(m[1]))
	slices.Sort(listed)
	var want []string
	for _, s := range DefaultScopes {
		if s != "offline_access" { // the README says it is requested automatically
			want = append(want, s)
		}
	}
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("README scopes differ from connect.DefaultScopes:\n README: %v\n code:   %v", listed, want)
	}
}
