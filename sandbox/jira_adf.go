package sandbox

import (
	"encoding/json"
	"html"
	"strings"
	"unicode/utf8"
)

// jAdfNode is the subset of an ADF node the sandbox reads.
type jAdfNode struct {
	Type    string         `json:"type"`
	Version int            `json:"version,omitempty"`
	Text    string         `json:"text,omitempty"`
	Attrs   map[string]any `json:"attrs,omitempty"`
	Marks   []jAdfMark     `json:"marks,omitempty"`
	Content []jAdfNode     `json:"content,omitempty"`
}

type jAdfMark struct {
	Type  string         `json:"type"`
	Attrs map[string]any `json:"attrs,omitempty"`
}

// jParseADF checks that raw is an ADF document ({"type":"doc","version":1,
// "content":[...]}) and returns it. ok is false for anything else,
// including a plain string, which Jira v3 rejects for rich-text fields.
func jParseADF(raw json.RawMessage) (*jAdfNode, bool) {
	var n jAdfNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, false
	}
	if n.Type != "doc" || n.Version != 1 {
		return nil, false
	}
	if !jValidADFContent(n.Content, 0) {
		return nil, false
	}
	return &n, true
}

func jValidADFContent(nodes []jAdfNode, depth int) bool {
	if depth > 64 {
		return false
	}
	for _, c := range nodes {
		if c.Type == "" {
			return false
		}
		if c.Type == "text" && c.Text == "" {
			return false
		}
		if !jValidADFContent(c.Content, depth+1) {
			return false
		}
	}
	return true
}

// jAdfText flattens an ADF document to plain text (blocks on their own lines),
// as the JQL text search sees it.
func jAdfText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	n, ok := jParseADF(raw)
	if !ok {
		return ""
	}
	var b strings.Builder
	jAdfTextNode(&b, n)
	return strings.TrimSpace(b.String())
}

func jAdfTextNode(b *strings.Builder, n *jAdfNode) {
	switch n.Type {
	case "text":
		b.WriteString(n.Text)
		return
	case "hardBreak":
		b.WriteByte('\n')
		return
	case "mention":
		if t, _ := n.Attrs["text"].(string); t != "" {
			b.WriteString(t)
		}
		return
	case "emoji":
		if t, _ := n.Attrs["text"].(string); t != "" {
			b.WriteString(t)
		} else if t, _ := n.Attrs["shortName"].(string); t != "" {
			b.WriteString(t)
		}
		return
	case "inlineCard":
		if u, _ := n.Attrs["url"].(string); u != "" {
			b.WriteString(u)
		}
		return
	case "status":
		if t, _ := n.Attrs["text"].(string); t != "" {
			b.WriteString(t)
		}
		return
	}
	for i := range n.Content {
		jAdfTextNode(b, &n.Content[i])
	}
	switch n.Type {
	case "paragraph", "heading", "codeBlock", "listItem", "tableRow", "taskItem", "decisionItem":
		b.WriteByte('\n')
	case "tableCell", "tableHeader":
		b.WriteByte(' ')
	}
}

// jAdfHTML renders an ADF document as the HTML Jira's renderedFields holds.
func jAdfHTML(raw json.RawMessage) string {
	n, ok := jParseADF(raw)
	if !ok {
		return ""
	}
	var b strings.Builder
	for i := range n.Content {
		jAdfHTMLNode(&b, &n.Content[i])
	}
	return b.String()
}

func jAdfHTMLNode(b *strings.Builder, n *jAdfNode) {
	children := func() {
		for i := range n.Content {
			jAdfHTMLNode(b, &n.Content[i])
		}
	}
	wrap := func(tag string) {
		b.WriteString("<" + tag + ">")
		children()
		b.WriteString("</" + tag + ">")
	}
	switch n.Type {
	case "paragraph":
		wrap("p")
	case "heading":
		lvl := 1
		if f, ok := n.Attrs["level"].(float64); ok && f >= 1 && f <= 6 {
			lvl = int(f)
		}
		wrap("h" + itoa(lvl))
	case "bulletList":
		wrap("ul")
	case "orderedList":
		wrap("ol")
	case "listItem":
		wrap("li")
	case "blockquote":
		wrap("blockquote")
	case "rule":
		b.WriteString("<hr/>")
	case "hardBreak":
		b.WriteString("<br/>")
	case "codeBlock":
		b.WriteString(`<div class="code panel" style="border-width: 1px;"><div class="codeContent panelContent"><pre class="code-java">`)
		for i := range n.Content {
			b.WriteString(html.EscapeString(n.Content[i].Text))
		}
		b.WriteString("</pre></div></div>")
	case "panel":
		t, _ := n.Attrs["panelType"].(string)
		b.WriteString(`<div class="panel" data-panel-type="` + html.EscapeString(t) + `"><div class="panelContent">`)
		children()
		b.WriteString("</div></div>")
	case "table":
		b.WriteString(`<div class="table-wrap"><table class="confluenceTable"><tbody>`)
		children()
		b.WriteString("</tbody></table></div>")
	case "tableRow":
		wrap("tr")
	case "tableHeader":
		wrap("th")
	case "tableCell":
		wrap("td")
	case "mention":
		id, _ := n.Attrs["id"].(string)
		t, _ := n.Attrs["text"].(string)
		b.WriteString(`<a href="/secure/ViewProfile.jspa?accountId=` + html.EscapeString(id) + `" class="user-hover" rel="` +
			html.EscapeString(id) + `">` + html.EscapeString(strings.TrimPrefix(t, "@")) + "</a>")
	case "text":
		s := html.EscapeString(n.Text)
		for _, m := range n.Marks {
			switch m.Type {
			case "strong":
				s = "<b>" + s + "</b>"
			case "em":
				s = "<em>" + s + "</em>"
			case "code":
				s = "<tt>" + s + "</tt>"
			case "strike":
				s = "<del>" + s + "</del>"
			case "underline":
				s = "<ins>" + s + "</ins>"
			case "link":
				href, _ := m.Attrs["href"].(string)
				s = `<a href="` + html.EscapeString(href) + `" class="external-link" rel="nofollow noreferrer">` + s + "</a>"
			}
		}
		b.WriteString(s)
	default:
		var t strings.Builder
		jAdfTextNode(&t, n)
		b.WriteString(html.EscapeString(t.String()))
	}
}

// jAdfDoc builds an ADF document from blocks (helpers for the seed data).
func jAdfDoc(blocks ...map[string]any) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"type": "doc", "version": 1, "content": blocks})
	return b
}

func jAdfPara(inline ...map[string]any) map[string]any {
	return map[string]any{"type": "paragraph", "content": inline}
}

func jAdfTextRun(s string, marks ...string) map[string]any {
	n := map[string]any{"type": "text", "text": s}
	if len(marks) > 0 {
		ms := make([]map[string]any, len(marks))
		for i, m := range marks {
			ms[i] = map[string]any{"type": m}
		}
		n["marks"] = ms
	}
	return n
}

func jAdfMention(u *User) map[string]any {
	return map[string]any{"type": "mention", "attrs": map[string]any{"id": u.AccountID, "text": "@" + u.DisplayName, "accessLevel": ""}}
}

func jAdfBullets(items ...string) map[string]any {
	lis := make([]map[string]any, len(items))
	for i, it := range items {
		lis[i] = map[string]any{"type": "listItem", "content": []map[string]any{jAdfPara(jAdfTextRun(it))}}
	}
	return map[string]any{"type": "bulletList", "content": lis}
}

func jAdfCode(lang, code string) map[string]any {
	return map[string]any{"type": "codeBlock", "attrs": map[string]any{"language": lang},
		"content": []map[string]any{{"type": "text", "text": code}}}
}

func jAdfHeading(level int, s string) map[string]any {
	return map[string]any{"type": "heading", "attrs": map[string]any{"level": level}, "content": []map[string]any{jAdfTextRun(s)}}
}

// jAdfPlain is a one-paragraph document.
func jAdfPlain(s string) json.RawMessage { return jAdfDoc(jAdfPara(jAdfTextRun(s))) }

// jMaxTextChars is Jira Cloud's limit on a text field (description,
// environment, multi-line custom fields, comments, worklog comments),
// counted here on the stored document: its formatting counts too.
const jMaxTextChars = 32767

// jMsgTextTooLong is Jira's refusal of a text field over jMaxTextChars.
const jMsgTextTooLong = "The entered text is too long. It exceeds the allowed limit of 32,767 characters."

// jTextTooLong reports whether a rich-text document is over jMaxTextChars.
func jTextTooLong(raw json.RawMessage) bool {
	return len(raw) > jMaxTextChars && utf8.RuneCount(raw) > jMaxTextChars
}
