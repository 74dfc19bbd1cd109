package adf

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"golang.org/x/net/html"
)

// storagePlugin renders the x- elements.
type storagePlugin struct{}

func (p *storagePlugin) Name() string { return "confluence-storage" }

func (p *storagePlugin) Init(conv *converter.Converter) error {
	for _, name := range []string{elCode, elAlert, elDetails, elTaskList, elTask, elMacroBlock, elLayout, "table"} {
		conv.Register.TagType(name, converter.TagTypeBlock, converter.PriorityEarly)
	}
	for _, name := range []string{elMention, elStatus, elDate, elMacroInline, elRawInline, elVerbatim} {
		conv.Register.TagType(name, converter.TagTypeInline, converter.PriorityEarly)
	}
	conv.Register.Renderer(p.render, converter.PriorityEarly)
	// Before the code-block newline markers turn into "\n" (PriorityLate),
	// so lines inside code blocks are not touched.
	conv.Register.PostRenderer(blankWhitespaceLines, converter.PriorityStandard+50)
	return nil
}

// blankWhitespaceLines empties lines that hold only spaces (list
// indentation of a blank line), which markdown ignores anyway.
func blankWhitespaceLines(_ converter.Context, content []byte) []byte {
	if !bytes.Contains(content, []byte(" \n")) {
		return content
	}
	lines := bytes.Split(content, []byte("\n"))
	for i, l := range lines {
		if len(l) > 0 && len(bytes.TrimLeft(l, " ")) == 0 {
			lines[i] = nil
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

func (p *storagePlugin) render(ctx converter.Context, w converter.Writer, n *html.Node) converter.RenderStatus {
	if n.Type != html.ElementNode {
		return converter.RenderTryNext
	}
	if inCell(ctx) {
		// GFM table cells hold one line: blocks are written inline.
		switch n.Data {
		case elCode:
			renderCellCode(w, attr(n, "lang"), attr(n, "code"))
			return converter.RenderSuccess
		case elAlert:
			w.WriteString("**" + attr(n, "kind") + ":** ")
			w.Write(renderBlockChildren(ctx, n))
			w.WriteString("\n\n")
			return converter.RenderSuccess
		case "h1", "h2", "h3", "h4", "h5", "h6":
			w.WriteString("**")
			w.Write(bytes.TrimSpace(renderInline(ctx, n)))
			w.WriteString("**\n\n")
			return converter.RenderSuccess
		case elTaskList:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == elTask {
					if strings.EqualFold(attr(c, "status"), "complete") {
						w.WriteString("☑ ")
					} else {
						w.WriteString("☐ ")
					}
					w.Write(renderBlockChildren(ctx, c))
					w.WriteString("\n")
				}
			}
			return converter.RenderSuccess
		case "table":
			renderCellTable(ctx, w, n)
			return converter.RenderSuccess
		case "pre":
			renderCellCode(w, "", textOf(n))
			return converter.RenderSuccess
		}
	}
	switch n.Data {
	case elCode:
		renderCode(w, attr(n, "lang"), attr(n, "title"), attr(n, "code"))
	case elVerbatim:
		w.WriteString(attr(n, "text"))
	case elAlert:
		renderAlert(ctx, w, n)
	case elDetails:
		renderDetails(ctx, w, n)
	case elTaskList:
		renderTaskList(ctx, w, n)
	case elMention:
		renderMention(ctx, w, n)
	case elStatus:
		w.WriteString(statusMarkdown(attr(n, "title"), attr(n, "colour")))
	case elDate:
		renderDate(ctx, w, n)
	case elMacroBlock, elMacroInline:
		renderMacro(ctx, w, n)
	case elLayout:
		renderLayout(ctx, w, n)
	case elRawInline:
		tag := attr(n, "tag")
		if style := attr(n, "style"); style != "" {
			w.WriteString("<" + tag + ` style="` + style + `">`)
		} else {
			w.WriteString("<" + tag + ">")
		}
		ctx.RenderChildNodes(ctx, w, n)
		w.WriteString("</" + tag + ">")
	case "table":
		renderTable(ctx, w, n)
	case "blockquote":
		content := renderBlockChildren(ctx, n)
		if len(content) == 0 {
			return converter.RenderSuccess
		}
		w.WriteString("\n\n")
		prefixLines(w, prefixCodeNewlines(content, "> "), "> ")
		w.WriteString("\n\n")
	case "a":
		return renderAutolink(w, n)
	case "img":
		src := attr(n, "src")
		if src == "" {
			return converter.RenderTryNext
		}
		w.WriteString("![" + escapeLinkText(attr(n, "alt")) + "](" + linkDestination(src))
		if title := attr(n, "title"); title != "" {
			w.WriteString(" " + quoteTitle(title))
		}
		w.WriteString(")")
	case "li":
		w.Write(renderItemContent(ctx, n))
	case "ul", "ol":
		if attr(n, "x-alt") == "" {
			return converter.RenderTryNext
		}
		renderAltList(ctx, w, n)
	default:
		return converter.RenderTryNext
	}
	return converter.RenderSuccess
}

// codeBlockNewline is html-to-markdown's marker that keeps newlines inside
// code blocks from being collapsed; it is turned back into "\n" at the end.
const codeBlockNewline = "\uF002"

func renderCode(w converter.Writer, lang, info, code string) {
	code = strings.TrimSuffix(code, "\n")
	fence := codeFence(code)
	w.WriteString("\n\n")
	w.WriteString(fence)
	w.WriteString(lang)
	w.WriteString(info)
	w.WriteString("\n")
	w.WriteString(strings.ReplaceAll(code, "\n", codeBlockNewline))
	w.WriteString("\n")
	w.WriteString(fence)
	w.WriteString("\n\n")
}

// quoteInfo quotes a value for a fenced code info string (no backticks).
func quoteInfo(s string) string {
	return `"` + infoQuoter.Replace(s) + `"`
}

var infoQuoter = strings.NewReplacer("`", "'", "\n", " ", "\r", " ", `"`, `'`)

// codeFence returns a backtick fence longer than any backtick run in code.
func codeFence(code string) string {
	longest, run := 0, 0
	for i := 0; i < len(code); i++ {
		if code[i] == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	if longest < 3 {
		return "```"
	}
	return strings.Repeat("`", longest+1)
}

// listElements are the elements that render as a markdown list.
var listElements = map[string]bool{"ul": true, "ol": true, elTaskList: true}

// blockElements are the elements that render as markdown blocks.
var blockElements = map[string]bool{
	"p": true, "div": true, "pre": true, "table": true, "blockquote": true, "hr": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, elCode: true, elAlert: true, elDetails: true, elTaskList: true,
	elMacroBlock: true,
}

// renderItemContent renders the content of a list item or task. An item
// that is inline text followed by a nested list keeps the list on the next
// line ("- text\n  - nested"), so the markdown list stays tight.
func renderItemContent(ctx converter.Context, n *html.Node) []byte {
	var last *html.Node
	for c := n.LastChild; c != nil; c = c.PrevSibling {
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) == "" {
			continue
		}
		last = c
		break
	}
	if last == nil || last.Type != html.ElementNode || !listElements[last.Data] {
		return renderBlockChildren(ctx, n)
	}
	for c := n.FirstChild; c != last; c = c.NextSibling {
		if c.Type == html.ElementNode && blockElements[c.Data] {
			return renderBlockChildren(ctx, n)
		}
	}
	var head bytes.Buffer
	for c := n.FirstChild; c != last; c = c.NextSibling {
		ctx.RenderNodes(ctx, &head, c)
	}
	var list bytes.Buffer
	ctx.RenderNodes(ctx, &list, last)
	h := bytes.TrimSpace(head.Bytes())
	l := bytes.TrimSpace(list.Bytes())
	if len(h) == 0 {
		return l
	}
	out := make([]byte, 0, len(h)+1+len(l))
	out = append(out, h...)
	out = append(out, '\n')
	return append(out, l...)
}

// renderBlockChildren renders the children of n as markdown blocks and
// returns them trimmed.
func renderBlockChildren(ctx converter.Context, n *html.Node) []byte {
	var buf bytes.Buffer
	ctx.RenderChildNodes(ctx, &buf, n)
	return trimBlankLines(bytes.TrimSpace(buf.Bytes()))
}

// trimBlankLines collapses runs of three or more newlines to two.
func trimBlankLines(b []byte) []byte {
	if !bytes.Contains(b, []byte("\n\n\n")) {
		return b
	}
	out := make([]byte, 0, len(b))
	nl := 0
	for _, c := range b {
		if c == '\n' {
			nl++
			if nl > 2 {
				continue
			}
		} else {
			nl = 0
		}
		out = append(out, c)
	}
	return out
}

// prefixLines prefixes every line of content with prefix (a line that is
// empty gets the prefix without its trailing space).
func prefixLines(w converter.Writer, content []byte, prefix string) {
	bare := strings.TrimRight(prefix, " ")
	for i, line := range bytes.Split(content, []byte("\n")) {
		if i > 0 {
			w.WriteString("\n")
		}
		if len(line) == 0 {
			w.WriteString(bare)
			continue
		}
		w.WriteString(prefix)
		w.Write(line)
	}
}

// prefixCodeNewlines makes the code-block newline markers in content carry
// the prefix too (code blocks inside a blockquote or a list item).
func prefixCodeNewlines(content []byte, prefix string) []byte {
	return bytes.ReplaceAll(content, []byte(codeBlockNewline), []byte(codeBlockNewline+prefix))
}

func renderAlert(ctx converter.Context, w converter.Writer, n *html.Node) {
	content := renderBlockChildren(ctx, n)
	w.WriteString("\n\n> [!")
	w.WriteString(attr(n, "kind"))
	w.WriteString("]")
	if t := strings.TrimSpace(attr(n, "title")); t != "" {
		// ToStorage reads a bold first line followed by content back as
		// the title (a panel with only a title keeps it as its text).
		w.WriteString("\n> **")
		w.Write(ctx.EscapeContent([]byte(strings.Join(strings.Fields(t), " "))))
		w.WriteString("**")
		if len(content) > 0 {
			w.WriteString("\n>")
		}
	}
	if len(content) > 0 {
		w.WriteString("\n")
		first := n.FirstChild
		for first != nil && rendersNothing(first) {
			first = first.NextSibling
		}
		if strings.TrimSpace(attr(n, "title")) == "" && (first == nil || first.Type != html.ElementNode || first.Data != "p") {
			// Only a paragraph may continue the alert line; anything else
			// could be read as part of it (a "---" rule as a heading
			// underline). ToMarkdown does the same.
			w.WriteString(">\n")
		}
		prefixLines(w, prefixCodeNewlines(content, "> "), "> ")
	}
	w.WriteString("\n\n")
}

func renderDetails(ctx converter.Context, w converter.Writer, n *html.Node) {
	content := renderBlockChildren(ctx, n)
	w.WriteString("\n\n<details>\n<summary>")
	w.WriteString(html.EscapeString(strings.TrimSpace(attr(n, "title"))))
	w.WriteString("</summary>\n\n")
	w.Write(content)
	w.WriteString("\n\n</details>\n\n")
}

// renderAltList writes a list that follows a list of its family with the
// other marker ("* ", "N) "), so markdown keeps the two lists apart.
func renderAltList(ctx converter.Context, w converter.Writer, n *html.Node) {
	num := 1
	if n.Data == "ol" {
		if v := atoiBounded(attr(n, "start"), 999999999); v > 0 {
			num = v
		}
	}
	w.WriteString("\n\n")
	first := true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != "li" {
			continue
		}
		marker := "* "
		if n.Data == "ol" {
			marker = strconv.Itoa(num) + ") "
			num++
		}
		if !first {
			w.WriteString("\n")
		}
		first = false
		indent := strings.Repeat(" ", len(marker))
		content := prefixCodeNewlines(bytes.Trim(trimBlankLines(renderItemContent(ctx, c)), "\n"), indent)
		w.WriteString(marker)
		for i, line := range bytes.Split(content, []byte("\n")) {
			if i > 0 {
				w.WriteString("\n")
				if len(line) > 0 {
					w.WriteString(indent)
				}
			}
			w.Write(line)
		}
	}
	w.WriteString("\n\n")
}

func renderTaskList(ctx converter.Context, w converter.Writer, n *html.Node) {
	w.WriteString("\n\n")
	first := true
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != elTask {
			continue
		}
		if !first {
			w.WriteString("\n")
		}
		first = false
		bullet := "- "
		if attr(n, "x-alt") != "" {
			bullet = "* "
		}
		if strings.EqualFold(attr(c, "status"), "complete") {
			w.WriteString(bullet + "[x] ")
		} else {
			w.WriteString(bullet + "[ ] ")
		}
		content := renderItemContent(ctx, c)
		if len(content) == 0 {
			// An empty task still needs text to stay a task item (an
			// entity, which no trimming of the output removes).
			content = []byte("&nbsp;")
		}
		content = prefixCodeNewlines(content, "  ")
		for i, line := range bytes.Split(content, []byte("\n")) {
			if i > 0 {
				w.WriteString("\n")
				if len(line) > 0 {
					w.WriteString("  ")
				}
			}
			w.Write(line)
		}
	}
	w.WriteString("\n\n")
}

// escapeLinkText escapes text for use inside [...] of a markdown link.
func escapeLinkText(s string) string {
	s = linkTextEscaper.Replace(s)
	if !strings.Contains(s, "&") {
		return s
	}
	// An "&" that starts an entity would be read as that entity.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' {
			if _, n := entityAt(s[i:]); n > 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var linkTextEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`, "\n", " ", "`", "\\`", "*", `\*`, "_", `\_`)

// linkDestination writes dest as a markdown link destination that reads
// back as exactly dest: ASCII punctuation that could end or confuse it is
// backslash-escaped, and a destination with spaces is put in <...>.
func linkDestination(dest string) string {
	var b strings.Builder
	for _, r := range dest {
		switch {
		case r == '\n' || r == '\r':
			r = ' '
		case strings.ContainsRune(`\()<>[]`, r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if strings.ContainsAny(out, " \t") {
		return "<" + out + ">"
	}
	return out
}

func renderMention(_ converter.Context, w converter.Writer, n *html.Node) {
	id := attr(n, "id")
	name := attr(n, "name")
	if name == "" {
		name = id
	}
	name = strings.TrimPrefix(name, "@")
	w.WriteString("@[")
	w.WriteString(escapeLinkText(name))
	w.WriteString("](")
	w.WriteString(linkDestination("accountid:" + id))
	w.WriteString(")")
}

func renderDate(ctx converter.Context, w converter.Writer, n *html.Node) {
	dt := strings.TrimSpace(attr(n, "datetime"))
	if dt == "" || attr(n, "text") != "" {
		ctx.RenderChildNodes(ctx, w, n)
		return
	}
	if md, ok := dateMarkdown(dt); ok {
		w.WriteString(md)
		return
	}
	w.Write(ctx.EscapeContent([]byte(dt)))
}

func renderMacro(ctx converter.Context, w converter.Writer, n *html.Node) {
	name := attr(n, "name")
	params := attr(n, "params")
	open := "{" + name
	if params != "" {
		open += ":" + params
	}
	open += "}"
	open = string(ctx.EscapeContent([]byte(open)))
	block := n.Data == elMacroBlock
	switch attr(n, "body") {
	case "":
		if block {
			w.WriteString("\n\n" + open + "\n\n")
		} else {
			w.WriteString(open)
		}
	case "plain":
		if block {
			w.WriteString("\n\n" + open)
			renderCode(w, "", "", attr(n, "code"))
			w.WriteString("{" + name + "}\n\n")
		} else {
			w.WriteString(open)
			w.Write(ctx.EscapeContent([]byte(strings.Join(strings.Fields(attr(n, "code")), " "))))
			w.WriteString("{" + name + "}")
		}
	default:
		if block {
			content := renderBlockChildren(ctx, n)
			w.WriteString("\n\n" + open + "\n\n")
			w.Write(content)
			w.WriteString("\n\n{" + name + "}\n\n")
		} else {
			w.WriteString(open)
			ctx.RenderChildNodes(ctx, w, n)
			w.WriteString("{" + name + "}")
		}
	}
}

// layoutWidths are the column widths (in %) of Confluence's layout types.
var layoutWidths = map[string][]string{
	"single": {"100"}, "two_equal": {"50", "50"}, "two_left_sidebar": {"33.33", "66.66"},
	"two_right_sidebar": {"66.66", "33.33"}, "three_equal": {"33.33", "33.33", "33.33"},
	"three_with_sidebars": {"25", "50", "25"}, "four_equal": {"25", "25", "25", "25"},
	"five_equal": {"20", "20", "20", "20", "20"},
}

// renderLayout writes a layout section the way ToMarkdown writes an ADF
// layout: "[layout: N columns]", "[column K, width W%]" before each
// column's content, "[/layout]" at the end. ToStorage reads it back.
func renderLayout(ctx converter.Context, w converter.Writer, n *html.Node) {
	var cells []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			cells = append(cells, c)
		}
	}
	widths := layoutWidths[attr(n, "type")]
	if len(widths) != len(cells) {
		widths = nil
	}
	w.WriteString("\n\n[layout: " + strconv.Itoa(len(cells)) + " columns]")
	for i, c := range cells {
		w.WriteString("\n\n[column " + strconv.Itoa(i+1))
		if widths != nil {
			w.WriteString(", width " + widths[i] + "%")
		}
		w.WriteString("]")
		if content := renderBlockChildren(ctx, c); len(content) > 0 {
			w.WriteString("\n\n")
			w.Write(content)
		}
	}
	w.WriteString("\n\n[/layout]\n\n")
}

// renderAutolink writes <https://...> for a link whose text is its URL.
func renderAutolink(w converter.Writer, n *html.Node) converter.RenderStatus {
	href := attr(n, "href")
	c := n.FirstChild
	if c == nil || c.NextSibling != nil || c.Type != html.TextNode || c.Data != href {
		return converter.RenderTryNext
	}
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
		return converter.RenderTryNext
	}
	if strings.ContainsAny(href, " <>\t\n") {
		return converter.RenderTryNext
	}
	w.WriteString("<" + href + ">")
	return converter.RenderSuccess
}

func atoiBounded(s string, limit int) int {
	n := 0
	for _, c := range strings.TrimSpace(s) {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		if n > limit {
			return limit
		}
	}
	return n
}

// unescapeLineStart drops the backslash html-to-markdown puts before a
// character that would start a block at the beginning of a line ("\-",
// "1\."): inside a table cell nothing starts a line, and the backslash
// would otherwise pile up on every round trip.
func unescapeLineStart(line string) string {
	t := strings.TrimLeft(line, " ")
	if len(t) >= 2 && t[0] == '\\' && strings.IndexByte("-+#>=", t[1]) >= 0 {
		return t[1:]
	}
	i := 0
	for i < len(t) && i < 9 && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(t) && t[i] == '\\' && (t[i+1] == '.' || t[i+1] == ')') {
		return t[:i] + t[i+1:]
	}
	return line
}
