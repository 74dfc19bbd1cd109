package mcp

import (
	"bytes"
	"sync"
	"testing"
)

// TestToolSchemasGeneratedOnce builds the tools from several goroutines at
// once (as HTTP mode does per tenant): every build gets the same schemas,
// generated once and shared.
func TestToolSchemasGeneratedOnce(t *testing.T) {
	const builds = 8
	all := make([][]*Tool, builds)
	var wg sync.WaitGroup
	for i := range builds {
		wg.Go(func() { all[i] = AllTools(&Deps{}) })
	}
	wg.Wait()
	for i := 1; i < builds; i++ {
		for j, tool := range all[i] {
			first := all[0][j]
			if !bytes.Equal(tool.InputSchema, first.InputSchema) || !bytes.Equal(tool.OutputSchema, first.OutputSchema) {
				t.Fatalf("%s: build %d has other schemas", tool.Name, i)
			}
			if &tool.InputSchema[0] != &first.InputSchema[0] || &tool.OutputSchema[0] != &first.OutputSchema[0] {
				t.Errorf("%s: build %d generated its schemas again", tool.Name, i)
			}
		}
	}
}
