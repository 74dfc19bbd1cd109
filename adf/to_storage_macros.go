package adf

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// confluenceMacroExtension is the extensionType of Confluence macros kept
// in ADF.
const confluenceMacroExtension = "com.atlassian.confluence.macro.core"

// extensionParams reads the macro parameters of an ADF extension node:
// attrs.parameters.macroParams.{name}.value, in name order.
func extensionParams(n *Node) [][2]string {
	p, _ := n.Attrs["parameters"].(map[string]any)
	mp, _ := p["macroParams"].(map[string]any)
	var out [][2]string
	for _, k := range sortedKeys(mp) {
		v := mp[k]
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		out = append(out, [2]string{k, attrString(v)})
	}
	return out
}

func (w *storageWriter) extension(n *Node, depth int) {
	key := n.StringAttr("extensionKey")
	if n.StringAttr("extensionType") != confluenceMacroExtension || !validMacroName(key) {
		w.str("<p>")
		w.placeholder("extension "+n.StringAttr("extensionType")+" "+key, "")
		w.str("</p>")
		if len(n.Content) > 0 {
			w.blocks(n.Content, depth+1)
		}
		return
	}
	params := extensionParams(n)
	if n.Type == "bodiedExtension" {
		w.macroBlock(key, params, n.Content, depth)
		return
	}
	w.macroBlock(key, params, nil, depth)
}

func (w *storageWriter) extensionInline(n *Node) {
	key := n.StringAttr("extensionKey")
	if n.StringAttr("extensionType") != confluenceMacroExtension || !validMacroName(key) {
		w.placeholder("extension "+key, "")
		return
	}
	w.macroInline(key, extensionParams(n))
}

func (w *storageWriter) macroStart(name string, params [][2]string) {
	w.str("<ac:structured-macro")
	w.attr("ac:name", name)
	w.str(">")
	for _, p := range params {
		w.param(p[0], p[1])
	}
}

func (w *storageWriter) macroInline(name string, params [][2]string) {
	w.macroStart(name, params)
	w.str("</ac:structured-macro>")
}

// macroBlock writes a macro with an optional body: a single code block
// becomes a plain-text body, anything else a rich-text body.
func (w *storageWriter) macroBlock(name string, params [][2]string, body []*Node, depth int) {
	w.macroStart(name, params)
	switch {
	case len(body) == 1 && body[0] != nil && body[0].Type == "codeBlock":
		w.str("<ac:plain-text-body>")
		w.cdata(nodeText(body[0]))
		w.str("</ac:plain-text-body>")
	case len(body) > 0:
		w.str("<ac:rich-text-body>")
		w.blocks(body, depth+1)
		w.str("</ac:rich-text-body>")
	}
	w.str("</ac:structured-macro>")
}

// knownMacros are Confluence macros whose bare {name} paragraph is taken
// as the macro (with parameters, any valid name is).
var knownMacros = map[string]bool{
	"toc": true, "children": true, "jira": true, "anchor": true, "excerpt": true,
	"excerpt-include": true, "include": true, "recently-updated": true,
	"contentbylabel": true, "pagetree": true, "pagetreesearch": true, "attachments": true,
	"gallery": true, "livesearch": true, "section": true, "column": true,
	"widget": true, "roadmap": true, "details": true, "detailssummary": true,
	"multimedia": true, "view-file": true, "viewpdf": true, "profile": true,
	"profile-picture": true, "create-from-template": true, "blog-posts": true,
	"space-details": true, "listlabels": true, "popular-labels": true,
	"related-labels": true, "index": true, "tasks-report-macro": true,
	"content-report-table": true, "spaces": true, "recently-updated-dashboard": true,
	"network": true, "iframe": true, "html": true, "status": true, "noformat": true,
}

// inlineKnownMacros are macros a bare {name} token inside text stands for.
var inlineKnownMacros = map[string]bool{"anchor": true, "profile-picture": true}

func validMacroName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// macroToken reports whether paragraph p is exactly one {name:params}
// token, returning the name and the parameters (nil when there are none).
func macroToken(p *Node) (string, [][2]string, bool) {
	s, ok := paragraphText(p)
	if !ok {
		return "", nil, false
	}
	name, params, end, ok := parseMacroToken(s)
	if !ok || end != len(s) {
		return "", nil, false
	}
	return name, params, true
}

// extensionPrefix starts ToMarkdown's placeholder for an ADF extension
// node holding a Confluence macro.
const extensionPrefix = "[extension: " + confluenceMacroExtension + " key="

// extensionToken reads ToMarkdown's placeholder for a Confluence macro
// extension, `[extension: com.atlassian.confluence.macro.core key=NAME
// param="value" ...]`, when it is the whole paragraph.
func extensionToken(p *Node) (string, [][2]string, bool) {
	s, ok := paragraphText(p)
	if !ok || !strings.HasPrefix(s, extensionPrefix) || !strings.HasSuffix(s, "]") {
		return "", nil, false
	}
	s = s[len(extensionPrefix) : len(s)-1]
	name, rest, _ := strings.Cut(s, " ")
	if !validMacroName(name) {
		return "", nil, false
	}
	var params [][2]string
	for rest = strings.TrimSpace(rest); rest != ""; rest = strings.TrimSpace(rest) {
		key, after, ok := strings.Cut(rest, "=")
		if !ok || key == "" || strings.ContainsAny(key, " \"") {
			return "", nil, false
		}
		q, err := strconv.QuotedPrefix(after)
		if err != nil {
			return "", nil, false
		}
		val, err := strconv.Unquote(q)
		if err != nil {
			return "", nil, false
		}
		if key != "text" {
			params = append(params, [2]string{key, val})
		}
		rest = after[len(q):]
	}
	return name, params, true
}

// paragraphText is the text of a paragraph that holds one unmarked text
// node.
func paragraphText(p *Node) (string, bool) {
	if p.Type != "paragraph" || len(p.Content) != 1 || p.Content[0] == nil || p.Content[0].Type != "text" || len(p.Content[0].Marks) > 0 {
		return "", false
	}
	return strings.TrimSpace(p.Content[0].Text), true
}

// layoutToken reads "[layout: N columns]" (ToMarkdown's and
// StorageToMarkdown's layout marker).
func layoutToken(t string) (int, bool) {
	rest, ok := strings.CutPrefix(t, "[layout: ")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, " columns]")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n >= 1 && n <= 5
}

// columnToken reads "[column K]" or "[column K, width W%]", returning the
// width ("" when absent).
func columnToken(n *Node) (string, bool) {
	t, ok := paragraphText(n)
	if !ok {
		return "", false
	}
	rest, ok := strings.CutPrefix(t, "[column ")
	if !ok || !strings.HasSuffix(rest, "]") {
		return "", false
	}
	rest = rest[:len(rest)-1]
	num, width, _ := strings.Cut(rest, ", width ")
	if _, err := strconv.Atoi(num); err != nil {
		return "", false
	}
	return strings.TrimSuffix(width, "%"), true
}

// layoutFromMarkers writes the blocks between "[layout: N columns]" and
// "[/layout]" as an ac:layout, splitting columns at "[column K...]".
func (w *storageWriter) layoutFromMarkers(cols int, body []*Node, depth int) {
	var columns [][]*Node
	var widths []string
	for _, n := range body {
		if n == nil {
			continue
		}
		if width, ok := columnToken(n); ok {
			columns = append(columns, []*Node{})
			widths = append(widths, width)
			continue
		}
		if len(columns) == 0 {
			columns = append(columns, []*Node{})
			widths = append(widths, "")
		}
		columns[len(columns)-1] = append(columns[len(columns)-1], n)
	}
	if len(columns) == 0 {
		columns, widths = [][]*Node{{}}, []string{""}
	}
	w.openLayout()
	w.str("<ac:layout-section")
	w.attr("ac:type", layoutType(widths))
	w.str(">")
	for _, c := range columns {
		w.str("<ac:layout-cell>")
		w.blocks(c, depth+2)
		w.str("</ac:layout-cell>")
	}
	w.str("</ac:layout-section></ac:layout>")
}

// openLayout starts an ac:layout, or continues the one the previous
// sibling block closed: consecutive layout sections share one ac:layout,
// as in the pages Confluence writes. (Whatever was written last ends with
// "</ac:layout>" only when it was a layout: text is escaped and CDATA ends
// with "]]>".)
func (w *storageWriter) openLayout() {
	const end = "</ac:layout>"
	if bytes.HasSuffix(w.b.Bytes(), []byte(end)) {
		w.b.Truncate(w.b.Len() - len(end))
		return
	}
	w.str("<ac:layout>")
}

// layoutColumnWidth is a layoutColumn's width attribute as text.
func layoutColumnWidth(c *Node) string {
	switch v := c.Attrs["width"].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// layoutType picks Confluence's layout type for columns of these widths
// (in %, "" when unknown).
func layoutType(widths []string) string {
	f := make([]float64, len(widths))
	known := true
	for i, s := range widths {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			known = false
		}
		f[i] = v
	}
	switch len(widths) {
	case 1:
		return "single"
	case 2:
		switch {
		case known && f[0]+5 < f[1]:
			return "two_left_sidebar"
		case known && f[1]+5 < f[0]:
			return "two_right_sidebar"
		}
		return "two_equal"
	case 3:
		if known && f[1] > f[0]+5 && f[1] > f[2]+5 {
			return "three_with_sidebars"
		}
		return "three_equal"
	case 4:
		return "four_equal"
	}
	return "five_equal"
}

// macroClosers indexes, for one list of sibling blocks, the paragraphs
// that can close a bodied macro: "{name}" by name and "[/extension]", so
// finding the end of a macro costs a lookup, not a scan of what follows
// (a page of many macro tokens stays linear).
type macroClosers struct {
	at    map[string][]int // closing paragraph indices by name, ascending
	opens map[string][]int // "{name:params}" opening indices by name
}

func findClosers(nodes []*Node) *macroClosers {
	c := &macroClosers{at: map[string][]int{}, opens: map[string][]int{}}
	for i, n := range nodes {
		if n == nil || n.Type != "paragraph" {
			continue
		}
		t, ok := paragraphText(n)
		if !ok || len(t) < 3 {
			continue
		}
		if t == "[/extension]" || t == "[/layout]" {
			c.at[t] = append(c.at[t], i)
			continue
		}
		if name, params, end, ok := parseMacroToken(t); ok && end == len(t) {
			if params == nil {
				c.at[name] = append(c.at[name], i)
			} else {
				c.opens[name] = append(c.opens[name], i)
			}
		}
	}
	return c
}

// next returns the first closing index for name after i, or -1.
func (c *macroClosers) next(name string, i int) int {
	list := c.at[name]
	k := sort.SearchInts(list, i+1)
	if k < len(list) {
		return list[k]
	}
	return -1
}

// opensBetween reports whether another {name:params} opening sits between
// i and end (then the {name} at end closes that one, not ours).
func (c *macroClosers) opensBetween(name string, i, end int) bool {
	list := c.opens[name]
	k := sort.SearchInts(list, i+1)
	return k < len(list) && list[k] < end
}

// maxMacroParams bounds the length of a {name:params} parameter list.
const maxMacroParams = 2048

// parseMacroToken parses "{name}" or "{name:k=v|k2=v2}" at the start of s,
// returning the token length. Backslash escapes "|", "}", "=" and "\".
func parseMacroToken(s string) (name string, params [][2]string, end int, ok bool) {
	if len(s) < 3 || s[0] != '{' {
		return "", nil, 0, false
	}
	// Names and parameter lists are bounded, so scanning a text full of
	// "{" stays linear.
	i := 1
	for i < len(s) && i <= 65 && s[i] != ':' && s[i] != '}' {
		i++
	}
	if i >= len(s) || (s[i] != ':' && s[i] != '}') {
		return "", nil, 0, false
	}
	name = s[1:i]
	if !validMacroName(name) {
		return "", nil, 0, false
	}
	if s[i] == '}' {
		return name, nil, i + 1, true
	}
	i++ // past ':'
	var key, cur strings.Builder
	haveKey := false
	flush := func() {
		if haveKey || cur.Len() > 0 {
			params = append(params, [2]string{key.String(), cur.String()})
		}
		key.Reset()
		cur.Reset()
		haveKey = false
	}
	for limit := min(len(s), i+maxMacroParams); i < limit; i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '=' && !haveKey:
			key.WriteString(cur.String())
			cur.Reset()
			haveKey = true
		case c == '|':
			flush()
		case c == '}':
			flush()
			if params == nil {
				params = [][2]string{}
			}
			return name, params, i + 1, true
		case c == '\n' || c == '{':
			// A value never holds a bare "{" (escape it), so a text full
			// of "{" costs one short scan per brace.
			return "", nil, 0, false
		default:
			cur.WriteByte(c)
		}
	}
	return "", nil, 0, false
}
