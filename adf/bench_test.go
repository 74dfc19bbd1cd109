package adf

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// realisticMarkdown builds a ~size-byte issue/page body: prose with marks,
// lists, task lists, code, tables, alerts, mentions and status lozenges,
// plus the markdown goldens.
func realisticMarkdown(tb testing.TB, size int) string {
	var b strings.Builder
	for _, p := range markdownGoldens(tb) {
		src, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(src)
		b.WriteString("\n\n")
	}
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Section %d\n\n", i)
		fmt.Fprintf(&b, "The **deployment** of service *%d* failed on `node-%d` after the ~~old~~ new config was applied; "+
			"see [the runbook](https://example.atlassian.net/wiki/spaces/OPS/pages/%d) and ask @[Jane Doe](accountid:557058:%d). "+
			"Status {status:yellow In progress} since {date:2026-11-%02d}. :warning:\n\n", i, i, i, i, i%28+1)
		b.WriteString("- Check the logs for `ERROR` lines\n- Restart the worker\n  1. drain\n  2. restart\n- Confirm metrics\n\n")
		b.WriteString("- [ ] write the postmortem\n- [x] page the on-call\n\n")
		b.WriteString("```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n")
		b.WriteString("| Host | State | Notes |\n| --- | --- | --- |\n| a1 | up | fine |\n| a2 | **down** | disk full |\n\n")
		b.WriteString("> [!WARNING]\n> Do not restart during business hours.\n\n")
	}
	return b.String()
}

func BenchmarkFromMarkdown(b *testing.B) {
	md := realisticMarkdown(b, 100<<10)
	b.SetBytes(int64(len(md)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromMarkdown(md); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkADFToMarkdown measures Parse + ToMarkdown on a ~100 KB ADF JSON
// document (bytes counted are the JSON input).
func BenchmarkADFToMarkdown(b *testing.B) {
	raw := realisticADF(b, 100<<10)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ToMarkdown(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToMarkdown measures ToMarkdown alone on the parsed document.
func BenchmarkToMarkdown(b *testing.B) {
	raw := realisticADF(b, 100<<10)
	d, err := Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToMarkdown(d); err != nil {
			b.Fatal(err)
		}
	}
}

func realisticADF(tb testing.TB, size int) []byte {
	md := realisticMarkdown(tb, size/4)
	for {
		d, err := FromMarkdown(md)
		if err != nil {
			tb.Fatal(err)
		}
		raw, _ := d.MarshalJSON()
		if len(raw) >= size {
			return raw
		}
		md += "\n\n" + md[:len(md)/4]
	}
}
