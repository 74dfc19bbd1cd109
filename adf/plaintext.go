package adf

import (
	"strings"
)

// plainText concatenates the text of inline nodes.
func plainText(nodes []*Node) string {
	var b strings.Builder
	for _, n := range nodes {
		writePlain(&b, n)
	}
	return b.String()
}

func writePlain(b *strings.Builder, n *Node) {
	switch n.Type {
	case "text":
		b.WriteString(n.Text)
	case "hardBreak":
		b.WriteByte('\n')
	case "mention", "emoji", "status":
		if t := n.StringAttr("text"); t != "" {
			b.WriteString(t)
		} else {
			b.WriteString(n.StringAttr("shortName"))
		}
	default:
		for _, c := range n.Content {
			writePlain(b, c)
		}
	}
}

// storagePlainText returns the text content of n and its descendants. It
// walks with an explicit stack, so any depth is fine.
func storagePlainText(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	stack := []*Node{n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil {
			continue
		}
		switch n.Type {
		case "text":
			b.WriteString(n.Text)
		case "hardBreak":
			b.WriteByte('\n')
		case "mention", "emoji", "status":
			if t := n.StringAttr("text"); t != "" {
				b.WriteString(t)
			} else {
				b.WriteString(n.StringAttr("shortName"))
			}
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return b.String()
}
