package mcp

import (
	"regexp"
	"sync"
)

// lazyRE is a regular expression compiled on its first use instead of at
// package initialisation: a stdio server starting to answer tools/list
// needs none of the tool layer's expressions, and compiling them all at
// init was most of this package's init cost (issue 12). TestLazyRegexps
// compiles every one, so a bad pattern still fails the tests, not a call.
type lazyRE struct {
	expr string
	re   func() *regexp.Regexp
}

// lazyRegexps are all the package's lazy expressions, for the test.
var lazyRegexps []*lazyRE

// lazyRegexp returns expr, compiled on first use.
func lazyRegexp(expr string) *lazyRE {
	l := &lazyRE{expr: expr, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
	lazyRegexps = append(lazyRegexps, l)
	return l
}

// MatchString is regexp.Regexp.MatchString.
func (l *lazyRE) MatchString(s string) bool { return l.re().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (l *lazyRE) FindStringSubmatch(s string) []string { return l.re().FindStringSubmatch(s) }

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (l *lazyRE) ReplaceAllString(src, repl string) string { return l.re().ReplaceAllString(src, repl) }

// ReplaceAll is regexp.Regexp.ReplaceAll.
func (l *lazyRE) ReplaceAll(src, repl []byte) []byte { return l.re().ReplaceAll(src, repl) }

// FindAllStringSubmatch is regexp.Regexp.FindAllStringSubmatch.
func (l *lazyRE) FindAllStringSubmatch(s string, n int) [][]string {
	return l.re().FindAllStringSubmatch(s, n)
}

// FindAllString is regexp.Regexp.FindAllString.
func (l *lazyRE) FindAllString(s string, n int) []string { return l.re().FindAllString(s, n) }

// ReplaceAllStringFunc is regexp.Regexp.ReplaceAllStringFunc.
func (l *lazyRE) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return l.re().ReplaceAllStringFunc(src, repl)
}

// FindStringIndex is regexp.Regexp.FindStringIndex.
func (l *lazyRE) FindStringIndex(s string) []int { return l.re().FindStringIndex(s) }

// FindAllStringIndex is regexp.Regexp.FindAllStringIndex.
func (l *lazyRE) FindAllStringIndex(s string) [][]int { return l.re().FindAllStringIndex(s, -1) }

// FindAllStringSubmatchIndex is regexp.Regexp.FindAllStringSubmatchIndex.
func (l *lazyRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.re().FindAllStringSubmatchIndex(s, n)
}

// FindStringSubmatchIndex is regexp.Regexp.FindStringSubmatchIndex.
func (l *lazyRE) FindStringSubmatchIndex(s string) []int { return l.re().FindStringSubmatchIndex(s) }
