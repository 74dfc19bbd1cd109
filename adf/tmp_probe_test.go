package adf

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestTmpProbe(t *testing.T) {
	cases := strings.Split(os.Getenv("PROBE"), "\n====\n")
	for _, s := range cases {
		md1, _ := StorageToMarkdown(s)
		st, _ := MarkdownToStorage(md1)
		md2, _ := StorageToMarkdown(st)
		fmt.Printf("IN:  %s\nMD1: %q\nST:  %s\nMD2: %q\nSAME: %v\n\n", s, md1, st, md2, md1 == md2)
	}
}
