package adf

import (
	"strings"
)

// plainText returns the text of nodes and their descendants: text as is,
// hardBreak as a newline, mention, emoji and status as their text (or
// shortName). It walks with an explicit stack, so any depth is fine.
func plainText(nodes []*Node) string {
	var b strings.Builder
	stack := make([]*Node, 0, len(nodes)+8)
	for i := len(nodes) - 1; i >= 0; i-- {
		stack = append(stack, nodes[i])
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		switch n.Type {
		case "text":
			b.WriteString(n.Text)
			continue
		case "hardBreak":
			b.WriteByte('\n')
			continue
		case "mention", "emoji", "status":
			if t := n.StringAttr("text"); t != "" {
				b.WriteString(t)
			} else {
				b.WriteString(n.StringAttr("shortName"))
			}
			continue
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return b.String()
}

// nodeText is plainText of the single node n.
func nodeText(n *Node) string {
	if n == nil {
		return ""
	}
	return plainText([]*Node{n})
}
