// Command floor is the cold-start and memory floor atlassian-mcp is
// measured against: a bare mcp-go stdio server with eight static tools,
// built with the same Go and the same mcp-go as atlassian-mcp. It does
// nothing a real server must (no data directory, no tokens, no schema), so
// whatever atlassian-mcp spends beyond it is its own. The benchmark
// BenchmarkColdStartVsFloor in cmd/atlassian-mcp builds and runs it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	s := server.NewMCPServer("floor", "1", server.WithToolCapabilities(true))
	for i := range 8 {
		name := fmt.Sprintf("tool_%d", i+1)
		s.AddTool(mcp.NewTool(name,
			mcp.WithDescription("A static tool of the floor server."),
			mcp.WithString("query", mcp.Required(), mcp.Description("what to look for")),
			mcp.WithNumber("limit", mcp.Description("how many results")),
		), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(name), nil
		})
	}
	if err := server.NewStdioServer(s).Listen(context.Background(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
