package adf

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ToMarkdown renders an ADF document as markdown that FromMarkdown reads
// back to the same document wherever markdown can express it. Every node
// type of the ADF spec is handled; nodes markdown cannot express (media
// files, extensions, layouts, decisions, unknown types) become readable
// placeholders in square brackets that keep their text and essential
// attributes. Nothing is dropped silently. Documents nested deeper than
// MaxDepth return ErrTooDeep.
func ToMarkdown(d *Doc) (string, error) {
	if d == nil {
		return "", errors.New("adf: nil document")
	}
	r := &mdRenderer{}
	out := r.blocks(d.Content, 1)
	if r.err != nil {
		return "", r.err
	}
	if out == "" {
		return "", nil
	}
	return out + "\n", nil
}

// Markdown renders the document as markdown; see ToMarkdown.
func (d *Doc) Markdown() (string, error) { return ToMarkdown(d) }

type mdRenderer struct {
	err error
}

func (r *mdRenderer) tooDeep(depth int) bool {
	if depth > MaxDepth {
		if r.err == nil {
			r.err = ErrTooDeep
		}
		return true
	}
	return false
}

// blocks renders block nodes separated by blank lines.
func (r *mdRenderer) blocks(nodes []*Node, depth int) string {
	if r.tooDeep(depth) {
		return ""
	}
	var b strings.Builder
	prevList := ""
	alt := false
	for _, n := range nodes {
		if n == nil {
			continue
		}
		// Consecutive lists of the same kind need a different marker, or
		// markdown would merge them into one list.
		family := listFamily(n.Type)
		if family != "" && family == prevList {
			alt = !alt
		} else {
			alt = false
		}
		s := r.block(n, depth, alt)
		if family != "" {
			prevList = family
		} else if s != "" {
			prevList = ""
		}
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (r *mdRenderer) block(n *Node, depth int, alt bool) string {
	switch n.Type {
	case "paragraph":
		return r.inline(n.Content, ctxBlock, depth)
	case "heading":
		level, _ := n.IntAttr("level")
		level = min(max(level, 1), 6)
		s := r.inline(n.Content, ctxHeading, depth)
		if s == "" {
			return strings.Repeat("#", level)
		}
		if j := len(strings.TrimRight(s, "#")); j < len(s) && (j == 0 || s[j-1] == ' ' || s[j-1] == '\t') {
			// A trailing run of "#" after a space would be read as the
			// closing sequence.
			s = s[:j] + `\` + s[j:]
		}
		return strings.Repeat("#", level) + " " + s
	case "bulletList":
		marker := "-"
		if alt {
			marker = "*"
		}
		var items []string
		for _, it := range n.Content {
			items = append(items, r.listItem(it, marker, depth+1))
		}
		return strings.Join(items, "\n")
	case "orderedList":
		start, ok := n.IntAttr("order")
		if !ok || start < 0 {
			start = 1
		}
		start = min(start, 999999999-len(n.Content))
		delim := "."
		if alt {
			delim = ")"
		}
		var items []string
		for i, it := range n.Content {
			items = append(items, r.listItem(it, strconv.Itoa(start+i)+delim, depth+1))
		}
		return strings.Join(items, "\n")
	case "taskList":
		return r.taskList(n, depth, alt)
	case "decisionList":
		marker := "-"
		if alt {
			marker = "*"
		}
		var items []string
		for _, it := range n.Content {
			label := "Decision: "
			if st := it.StringAttr("state"); st != "" && st != "DECIDED" {
				label = "Decision (" + st + "): "
			}
			body := r.inline(it.Content, ctxBlock, depth+2)
			if it.Type != "decisionItem" {
				body = r.block(it, depth+2, false)
			}
			items = append(items, indentRest(marker+" "+escapeText(label, true, false)+body, strings.Repeat(" ", len(marker)+1)))
		}
		return strings.Join(items, "\n")
	case "codeBlock":
		return adfCodeFence(plainText(n.Content), n.StringAttr("language"))
	case "blockquote":
		return adfPrefixLines(r.blocks(n.Content, depth+1), "> ", ">")
	case "rule":
		return "---"
	case "table":
		return r.table(n, depth+1)
	case "panel":
		name := panelAlerts[n.StringAttr("panelType")]
		if name == "" {
			name = "NOTE"
		}
		body := r.blocks(n.Content, depth+1)
		if body == "" {
			return "> [!" + name + "]"
		}
		sep := "\n"
		if len(n.Content) > 0 && (n.Content[0].Type != "paragraph" || len(n.Content[0].Content) == 0) {
			// Only a paragraph may continue the alert line; anything else
			// could be read as part of it (a "-" line as a heading underline).
			sep = "\n>\n"
		}
		return "> [!" + name + "]" + sep + adfPrefixLines(body, "> ", ">")
	case "expand", "nestedExpand":
		body := r.blocks(n.Content, depth+1)
		s := "<details>\n<summary>" + htmlEscape(n.StringAttr("title")) + "</summary>\n\n"
		if body != "" {
			s += body + "\n\n"
		}
		return s + "</details>"
	case "mediaSingle", "mediaGroup":
		var parts []string
		for i, c := range n.Content {
			switch c.Type {
			case "media":
				if t := captionOf(n.Content[i+1:]); t != "" && isExternalMedia(c) {
					// The caption is the image title, which reads back.
					parts = append(parts, strings.TrimSuffix(r.media(c), ")")+" "+quoteTitle(t)+")")
					continue
				}
				parts = append(parts, r.media(c))
			case "caption":
				if i > 0 && isExternalMedia(n.Content[i-1]) {
					continue // written as the title
				}
				if s := r.inline(c.Content, ctxBlock, depth+1); s != "" {
					parts = append(parts, "*"+s+"*")
				}
			default:
				parts = append(parts, r.block(c, depth+1, false))
			}
		}
		return strings.Join(parts, "\n\n")
	case "media", "mediaInline":
		return r.media(n)
	case "blockCard", "embedCard":
		return r.card(n)
	case "extension", "bodiedExtension", "inlineExtension":
		head := extensionPlaceholder(n)
		if n.Type != "bodiedExtension" {
			return head
		}
		body := r.blocks(n.Content, depth+1)
		if body == "" {
			return head + "\n\n[/extension]"
		}
		return head + "\n\n" + body + "\n\n[/extension]"
	case "layoutSection":
		var b strings.Builder
		fmt.Fprintf(&b, "[layout: %d columns]", len(n.Content))
		for i, col := range n.Content {
			b.WriteString("\n\n")
			if w := attrString(col.Attrs["width"]); w != "" {
				fmt.Fprintf(&b, "[column %d, width %s%%]", i+1, w)
			} else {
				fmt.Fprintf(&b, "[column %d]", i+1)
			}
			if body := r.blocks(col.Content, depth+2); body != "" {
				b.WriteString("\n\n" + body)
			}
		}
		b.WriteString("\n\n[/layout]")
		return b.String()
	case "listItem":
		return r.listItem(n, "-", depth)
	case "taskItem", "blockTaskItem":
		return r.taskList(&Node{Type: "taskList", Content: []*Node{n}}, depth, alt)
	case "decisionItem":
		return r.block(&Node{Type: "decisionList", Content: []*Node{n}}, depth, alt)
	}
	if inlineTypes[n.Type] {
		return r.inline([]*Node{n}, ctxBlock, depth)
	}
	// Unknown block: a placeholder naming it, then its content.
	head := "[" + escapeText(n.Type, false, false) + "]"
	if len(n.Content) == 0 {
		if n.Text != "" {
			return head + " " + escapeText(n.Text, false, false)
		}
		return head
	}
	if allInline(n.Content) {
		return head + " " + r.inline(n.Content, ctxBlock, depth+1)
	}
	return head + "\n\n" + r.blocks(n.Content, depth+1)
}

// listFamily groups list types by the markers they share: bullet-style
// lists (bullets, tasks, decisions) all start with "-".
func listFamily(t string) string {
	switch t {
	case "bulletList", "taskList", "decisionList":
		return "bullet"
	case "orderedList":
		return "ordered"
	}
	return ""
}

func allInline(nodes []*Node) bool {
	for _, n := range nodes {
		if !inlineTypes[n.Type] {
			return false
		}
	}
	return true
}

// panelAlerts maps panel types to the alert names FromMarkdown reads back.
var panelAlerts = map[string]string{
	"info": "NOTE", "note": "IMPORTANT", "tip": "TIP", "warning": "WARNING",
	"error": "CAUTION", "success": "SUCCESS", "custom": "CUSTOM",
}

func (r *mdRenderer) listItem(it *Node, marker string, depth int) string {
	content := it.Content
	if it.Type != "listItem" {
		content = []*Node{it}
	}
	// A leading empty paragraph exists only because ADF forbids a list
	// spanItem that starts with a list; markdown writes that as "- - spanItem".
	if len(content) > 1 && content[0].Type == "paragraph" && len(content[0].Content) == 0 {
		switch content[1].Type {
		case "bulletList", "orderedList", "taskList":
			content = content[1:]
		}
	}
	body := r.blocks(content, depth+1)
	if body == "" {
		return marker
	}
	return indentRest(marker+" "+body, strings.Repeat(" ", len(marker)+1))
}

func (r *mdRenderer) taskList(n *Node, depth int, alt bool) string {
	marker := "-"
	if alt {
		marker = "*"
	}
	var lines []string
	for _, it := range n.Content {
		switch it.Type {
		case "taskItem", "blockTaskItem":
			box := "[ ] "
			if it.StringAttr("state") == "DONE" {
				box = "[x] "
			}
			var body string
			if it.Type == "taskItem" {
				body = r.inline(it.Content, ctxTask, depth+1)
			} else {
				body = r.blocks(it.Content, depth+1)
			}
			lines = append(lines, indentRest(marker+" "+box+body, "  "))
		case "taskList":
			sub := r.taskList(it, depth+1, false)
			if len(lines) == 0 {
				lines = append(lines, sub)
			} else {
				lines = append(lines, adfPrefixLines(sub, "  ", ""))
			}
		default:
			lines = append(lines, indentRest(marker+" "+r.block(it, depth+1, false), "  "))
		}
	}
	return strings.Join(lines, "\n")
}

// captionOf returns the plain text of the caption that follows a media
// node (the next sibling), or "".
func captionOf(rest []*Node) string {
	if len(rest) == 0 || rest[0] == nil || rest[0].Type != "caption" {
		return ""
	}
	return strings.Join(strings.Fields(plainText(rest[0].Content)), " ")
}

// isExternalMedia says whether media renders as a markdown image.
func isExternalMedia(n *Node) bool {
	if n == nil || n.Type != "media" {
		return false
	}
	typ := n.StringAttr("type")
	return typ == "external" || (typ == "" && n.StringAttr("url") != "")
}

// quoteTitle quotes a link or image title for markdown.
func quoteTitle(t string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t) + `"`
}

func (r *mdRenderer) media(n *Node) string {
	typ := n.StringAttr("type")
	alt := n.StringAttr("alt")
	if url := n.StringAttr("url"); typ == "external" || (typ == "" && url != "") {
		return "![" + escapeText(alt, false, false) + "](" + linkDest(url) + ")"
	}
	var parts []string
	label := "media"
	if n.Type == "mediaInline" {
		label = "media inline"
	}
	if typ != "" {
		parts = append(parts, typ)
	}
	if alt != "" {
		parts = append(parts, "alt="+strconv.Quote(alt))
	}
	for _, k := range []string{"id", "collection", "width", "height"} {
		if v := attrString(n.Attrs[k]); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	return "[" + escapeText(label+": "+strings.Join(parts, " "), false, false) + "]"
}

func (r *mdRenderer) card(n *Node) string {
	if url := n.StringAttr("url"); url != "" && !strings.ContainsAny(url, " <>\n") {
		return "<" + url + ">"
	}
	return "[" + n.Type + "]"
}

// extensionPlaceholder names an extension and its essential attributes.
func extensionPlaceholder(n *Node) string {
	parts := []string{"extension:"}
	if t := n.StringAttr("extensionType"); t != "" {
		parts = append(parts, t)
	}
	if k := n.StringAttr("extensionKey"); k != "" {
		parts = append(parts, "key="+k)
	}
	if p, ok := n.Attrs["parameters"].(map[string]any); ok {
		params := p
		if mp, ok := p["macroParams"].(map[string]any); ok {
			params = mp
		}
		keys := make([]string, 0, len(params))
		for k := range params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := params[k]
			if m, ok := v.(map[string]any); ok {
				v = m["value"]
			}
			if s := attrString(v); s != "" {
				parts = append(parts, k+"="+strconv.Quote(s))
			}
		}
	}
	if t := n.StringAttr("text"); t != "" {
		parts = append(parts, "text="+strconv.Quote(t))
	}
	return "[" + escapeText(strings.Join(parts, " "), false, false) + "]"
}
