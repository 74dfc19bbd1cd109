package mcp

import (
	"regexp"
	"testing"
)

// TestLazyRegexps compiles every lazily compiled expression of the package,
// as package initialisation used to: a bad pattern fails here, not in a
// tool call.
func TestLazyRegexps(t *testing.T) {
	if len(lazyRegexps) == 0 {
		t.Fatal("no lazy expressions registered")
	}
	for _, l := range lazyRegexps {
		if _, err := regexp.Compile(l.expr); err != nil {
			t.Errorf("%q: %v", l.expr, err)
		}
	}
}
