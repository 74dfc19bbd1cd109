package adf

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use instead of at package init, so
// starting a process that does not convert markdown costs nothing for it.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
