package adf

import (
	"fmt"
	"strings"
	"testing"
)

// benchLoop runs f b.N times and reports, besides Go's wall-clock MB/s,
// "cpu-MB/s": bytes per second of process CPU time, which stays meaningful
// when other processes share the machine.
func benchLoop(b *testing.B, size int, f func() error) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := processCPUTime()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	if used := processCPUTime() - start; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
	}
}

// realisticStorage builds a Confluence page of at least size bytes the way
// real team pages look: headings, prose with marks and links, mentions,
// page links, code macros, panels, expands, tables, task lists and lists.
func realisticStorage(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<h2>Section %d: rollout &amp; review</h2>`, i)
		fmt.Fprintf(&b, `<p>The <strong>payments</strong> service moved to the <em>new</em> queue in sprint %d. `+
			`See <a href="https://example.com/runbook?id=%d&amp;v=2">the runbook</a> and ask `+
			`<ac:link><ri:user ri:account-id="557058:aa%04d"/></ac:link> before touching `+
			`<code>config/prod.yaml</code>. Details are on `+
			`<ac:link><ri:page ri:space-key="ENG" ri:content-title="Payments Architecture %d"/><ac:plain-text-link-body><![CDATA[the architecture page]]></ac:plain-text-link-body></ac:link>. `+
			`Status: <ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">ON TRACK</ac:parameter></ac:structured-macro> `+
			`<ac:emoticon ac:name="tick"/> since <time datetime="2026-03-%02d" />.</p>`, i, i, i, i, i%28+1)
		b.WriteString(`<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">go</ac:parameter><ac:plain-text-body><![CDATA[func handle(ctx context.Context, req *Request) error {
	if req.Amount <= 0 && req.Currency != "EUR" {
		return fmt.Errorf("bad amount %d", req.Amount)
	}
	return queue.Publish(ctx, "payments", req)
}]]></ac:plain-text-body></ac:structured-macro>`)
		b.WriteString(`<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body><p>Deploys are frozen on Fridays. Use the <strong>canary</strong> first.</p></ac:rich-text-body></ac:structured-macro>`)
		b.WriteString(`<table><tbody><tr><th><p>Step</p></th><th><p>Owner</p></th><th><p>State</p></th></tr>`)
		for r := 0; r < 4; r++ {
			fmt.Fprintf(&b, `<tr><td><p>Migrate shard %d</p></td><td><p><ac:link><ri:user ri:account-id="557058:bb%02d"/></ac:link></p></td><td><p>In progress, <em>%d%%</em> done</p></td></tr>`, r, r, r*25)
		}
		b.WriteString(`</tbody></table>`)
		b.WriteString(`<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Write the migration plan</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Dry run on staging</ac:task-body></ac:task></ac:task-list>`)
		b.WriteString(`<ul><li><p>Latency p99 under 200 ms</p></li><li><p>Error rate below 0.1%</p><ul><li><p>alerts wired to #payments-oncall</p></li></ul></li></ul>`)
		b.WriteString(`<ac:structured-macro ac:name="expand" ac:schema-version="1"><ac:parameter ac:name="title">Meeting notes</ac:parameter><ac:rich-text-body><ol><li>Agreed on the cut-over window</li><li>Rollback is a feature flag</li></ol></ac:rich-text-body></ac:structured-macro>`)
	}
	return b.String()
}

func BenchmarkStorageToMarkdown(b *testing.B) {
	in := realisticStorage(100 << 10)
	benchLoop(b, len(in), func() error {
		_, err := StorageToMarkdown(in)
		return err
	})
}

func BenchmarkMarkdownToStorage(b *testing.B) {
	md, err := StorageToMarkdown(realisticStorage(100 << 10))
	if err != nil {
		b.Fatal(err)
	}
	benchLoop(b, len(md), func() error {
		_, err := MarkdownToStorage(md)
		return err
	})
}

func BenchmarkToStorage(b *testing.B) {
	md, err := StorageToMarkdown(realisticStorage(100 << 10))
	if err != nil {
		b.Fatal(err)
	}
	d, err := FromMarkdown(md)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := ToStorage(d)
	benchLoop(b, len(out), func() error {
		_, err := ToStorage(d)
		return err
	})
}
