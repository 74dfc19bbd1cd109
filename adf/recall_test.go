package adf

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// words splits s into words: runs of letters and digits. Markdown syntax
// (*, |, [, `) and storage markup fall between words, so the same text
// gives the same words in both.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// storageWords returns the words a reader sees on a storage page: the text
// of every element except macro parameters and task states (options such
// as a language or a colour, not content), including code bodies and link bodies.
func storageWords(t testing.TB, storage string) []string {
	t.Helper()
	doc := parseStorage(cleanText(storage), maxStorageDepth)
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "ac:parameter", "ac:task-status", "ac:task-id":
				return // options and states, not text
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return words(b.String())
}

// wordRecall is the share of want's words (counted with multiplicity)
// found in text.
func wordRecall(want []string, text string) float64 {
	if len(want) == 0 {
		return 1
	}
	have := map[string]int{}
	for _, w := range words(text) {
		have[w]++
	}
	found := 0
	for _, w := range want {
		if have[w] > 0 {
			have[w]--
			found++
		}
	}
	return float64(found) / float64(len(want))
}
