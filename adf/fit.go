package adf

import (
	"strings"
)

// contentRules maps a container type to the child types it may hold.
type contentRules map[string]nodeSet

var (
	// adfRules are the official schema's rules.
	adfRules = contentRules(allowedChildren)
	// storageRules are the wider rules of storage format, used when
	// markdown is converted for ToStorage: quotes and panels hold any block
	// (tables, panels, headings, task lists), so a quote around an alert or
	// a table inside a panel survives markdown -> storage.
	storageRules = func() contentRules {
		r := make(contentRules, len(allowedChildren))
		for k, v := range allowedChildren {
			r[k] = v
		}
		anyBlock := union(allowedChildren["doc"], setOf("nestedExpand"))
		r["blockquote"] = anyBlock
		r["panel"] = anyBlock
		r["tableHeader"] = r["tableCell"] // init has not run yet
		return r
	}()
)

// fit makes converted blocks valid children of container under the
// conversion's rules: blocks the container may not hold are rewritten into allowed ones that keep their
// text (a heading becomes a bold paragraph, a nested quote or panel gives
// up its frame, a table becomes one paragraph per row, an expand becomes a
// nestedExpand where allowed), and containers that need content get an
// empty paragraph.
func (c *mdConv) fit(container string, in []*Node) []*Node {
	return fitBlocks(c.rules(), container, in, true)
}

func (c *mdConv) rules() contentRules {
	if c.storage {
		return storageRules
	}
	return adfRules
}

// fitBlocks is fit; addMin says whether to add the empty paragraph a
// container needs (not when the blocks are spliced into another list).
func fitBlocks(rules contentRules, container string, in []*Node, addMin bool) []*Node {
	allowed := rules[container]
	ok := len(in) > 0
	for _, n := range in {
		if !allowed[n.Type] || n.Type == "expand" || n.Type == "nestedExpand" || isEmptyParagraph(n) {
			ok = false
			break
		}
	}
	if ok && (container != "listItem" || listItemFirst[in[0].Type]) {
		return in
	}
	out := make([]*Node, 0, len(in))
	for _, n := range in {
		if isEmptyParagraph(n) {
			// Markdown cannot write an empty paragraph; one is added back
			// below where a container needs it.
			continue
		}
		if allowed[n.Type] {
			switch n.Type {
			case "expand", "nestedExpand":
				n.Content = fitBlocks(rules, n.Type, n.Content, true)
			}
			out = append(out, n)
			continue
		}
		for _, d := range demote(rules, container, n) {
			if !isEmptyParagraph(d) {
				out = append(out, d)
			}
		}
	}
	if !addMin {
		return out
	}
	switch container {
	case "listItem":
		if len(out) == 0 || !listItemFirst[out[0].Type] {
			out = append([]*Node{emptyParagraph()}, out...)
		}
	case "blockquote", "panel", "tableCell", "tableHeader", "expand", "nestedExpand", "bodiedExtension", "layoutColumn":
		if len(out) == 0 {
			out = append(out, emptyParagraph())
		}
	}
	return out
}

var listItemFirst = setOf("paragraph", "mediaSingle", "codeBlock")

func isEmptyParagraph(n *Node) bool {
	return n.Type == "paragraph" && len(n.Content) == 0
}

func demote(rules contentRules, container string, n *Node) []*Node {
	allowed := rules[container]
	switch n.Type {
	case "expand", "nestedExpand":
		if allowed["nestedExpand"] {
			title := n.StringAttr("title")
			return []*Node{{Type: "nestedExpand", Attrs: map[string]any{"title": title}, Content: fitBlocks(rules, "nestedExpand", n.Content, true)}}
		}
		var out []*Node
		if t := n.StringAttr("title"); t != "" {
			out = append(out, &Node{Type: "paragraph", Content: []*Node{{Type: "text", Text: t, Marks: []Mark{{Type: "strong"}}}}})
		}
		return append(out, fitBlocks(rules, container, n.Content, false)...)
	case "heading":
		content := make([]*Node, len(n.Content))
		for i, c := range n.Content {
			if c.Type == "text" && !hasCode(c.Marks) {
				cp := *c
				cp.Marks = withMark(c.Marks, Mark{Type: "strong"})
				c = &cp
			}
			content[i] = c
		}
		return []*Node{{Type: "paragraph", Content: normalizeInline(content)}}
	case "blockquote", "panel":
		return fitBlocks(rules, container, n.Content, false)
	case "table":
		var out []*Node
		for _, row := range n.Content {
			var line []*Node
			for i, cell := range row.Content {
				if i > 0 {
					line = append(line, &Node{Type: "text", Text: " | "})
				}
				for j, b := range cell.Content {
					if j > 0 {
						line = append(line, &Node{Type: "text", Text: " "})
					}
					line = append(line, inlineText(b)...)
				}
			}
			out = append(out, &Node{Type: "paragraph", Content: normalizeInline(line)})
		}
		return out
	case "taskList":
		if allowed["bulletList"] {
			bl := &Node{Type: "bulletList"}
			for _, it := range n.Content {
				if it.Type != "taskItem" {
					bl.Content = append(bl.Content, &Node{Type: "listItem", Content: fitBlocks(rules, "listItem", demote(rules, "listItem", it), true)})
					continue
				}
				box := "[ ] "
				if it.StringAttr("state") == "DONE" {
					box = "[x] "
				}
				p := &Node{Type: "paragraph", Content: normalizeInline(append([]*Node{{Type: "text", Text: box}}, it.Content...))}
				bl.Content = append(bl.Content, &Node{Type: "listItem", Content: []*Node{p}})
			}
			return []*Node{bl}
		}
	}
	line := normalizeInline(inlineText(n))
	if len(line) == 0 {
		return nil
	}
	return []*Node{{Type: "paragraph", Content: line}}
}

// inlineText flattens a block to inline content (for inline-only places).
func inlineText(n *Node) []*Node {
	if inlineTypes[n.Type] {
		return []*Node{n}
	}
	switch n.Type {
	case "paragraph", "heading":
		return n.Content
	case "codeBlock":
		var out []*Node
		for i, line := range strings.Split(plainText(n.Content), "\n") {
			if i > 0 {
				out = append(out, &Node{Type: "hardBreak"})
			}
			if line != "" {
				out = append(out, &Node{Type: "text", Text: line, Marks: []Mark{{Type: "code"}}})
			}
		}
		return out
	case "mediaSingle":
		for _, m := range n.Content {
			if m.Type == "media" && m.StringAttr("url") != "" {
				alt := m.StringAttr("alt")
				if alt == "" {
					alt = m.StringAttr("url")
				}
				return []*Node{{Type: "text", Text: alt, Marks: []Mark{{Type: "link", Attrs: map[string]any{"href": m.StringAttr("url")}}}}}
			}
		}
		return nil
	case "rule":
		return []*Node{{Type: "text", Text: "---"}}
	}
	var out []*Node
	for _, c := range n.Content {
		out = appendLine(out, inlineText(c))
	}
	return out
}
