package adf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Violation is one broken ADF rule, located by a JSON-path-like Path such as
// "content[2].content[0]".
type Violation struct {
	// Path locates the node, e.g. "content[2].content[0]".
	Path string
	// Message says which rule is broken.
	Message string
}

// String returns the violation as "path: message".
func (v Violation) String() string { return v.Path + ": " + v.Message }

// ValidationError lists every violation Validate found.
type ValidationError struct {
	// Violations are in document order.
	Violations []Violation
}

// Error returns "adf: N schema violation(s): " and the first ten
// violations, separated by "; ".
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "adf: %d schema violation(s): ", len(e.Violations))
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		if i == 10 {
			fmt.Fprintf(&b, "and %d more", len(e.Violations)-10)
			break
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Validate checks the structural ADF rules the converters rely on: version
// 1; the children each container allows; a listItem's first child; required
// attributes (heading level 1-6, panelType, status text and colour,
// mention id, emoji shortName, date timestamp, taskList/taskItem localId and
// state, media attrs, link href, colour patterns); non-empty text; code
// combining only with link; unmarked code-block text; non-empty table cells
// and containers; MaxDepth. Unknown node and mark types are allowed (they
// are kept, not judged). It returns nil or a *ValidationError with every
// violation.
func Validate(d *Doc) error {
	if d == nil {
		return errors.New("adf: nil document")
	}
	v := &validator{}
	if d.Version != 1 {
		v.add("", "version must be 1, not "+strconv.Itoa(d.Version))
	}
	v.children("doc", "", d.Content, 1)
	if len(v.out) == 0 {
		return nil
	}
	return &ValidationError{Violations: v.out}
}

type validator struct {
	out []Violation
}

func (v *validator) add(path, msg string) {
	if path == "" {
		path = "doc"
	}
	v.out = append(v.out, Violation{Path: path, Message: msg})
}

func (v *validator) children(parent, path string, nodes []*Node, depth int) {
	if depth > MaxDepth {
		v.add(path, "nested deeper than "+strconv.Itoa(MaxDepth))
		return
	}
	allowed := allowedChildren[parent]
	for i, n := range nodes {
		p := "content[" + strconv.Itoa(i) + "]"
		if path != "" {
			p = path + "." + p
		}
		if n == nil {
			v.add(p, "null node")
			continue
		}
		if allowed != nil && !allowed[n.Type] && known(n.Type) {
			v.add(p, fmt.Sprintf("%s is not allowed in %s", n.Type, parent))
		}
		v.node(n, p, depth)
	}
}

// knownTypes are node types whose placement Validate judges.
var knownTypes = func() nodeSet {
	s := nodeSet{}
	for k, set := range allowedChildren {
		s[k] = true
		for t := range set {
			s[t] = true
		}
	}
	for _, t := range []string{"rule", "media", "mediaInline", "blockCard", "embedCard", "extension", "inlineExtension"} {
		s[t] = true
	}
	return s
}()

func known(t string) bool { return knownTypes[t] }

var minOneContent = setOf("bulletList", "orderedList", "listItem", "blockquote", "panel", "table",
	"tableCell", "tableHeader", "taskList", "decisionList", "expand", "nestedExpand", "mediaSingle",
	"mediaGroup", "layoutSection", "layoutColumn", "bodiedExtension")

func (v *validator) node(n *Node, p string, depth int) {
	if n.Type == "" {
		v.add(p, "node has no type")
	}
	if minOneContent[n.Type] && len(n.Content) == 0 {
		v.add(p, n.Type+" needs at least one child")
	}
	switch n.Type {
	case "text":
		if n.Text == "" {
			v.add(p, "text node with empty text")
		}
		v.marks(n, p)
	case "paragraph", "heading", "taskItem", "decisionItem", "caption":
		if n.Type == "heading" {
			if l, ok := n.IntAttr("level"); !ok || l < 1 || l > 6 {
				v.add(p, "heading needs attrs.level 1-6")
			}
		}
		if n.Type == "taskItem" {
			v.needString(n, p, "localId")
			if s := n.StringAttr("state"); s != "TODO" && s != "DONE" {
				v.add(p, `taskItem needs attrs.state "TODO" or "DONE"`)
			}
		}
		if n.Type == "decisionItem" {
			v.needString(n, p, "localId")
			v.needString(n, p, "state")
		}
	case "listItem":
		if len(n.Content) > 0 && !listItemFirst[n.Content[0].Type] {
			v.add(p, "listItem must start with a paragraph, mediaSingle or codeBlock, not "+n.Content[0].Type)
		}
	case "orderedList":
		if _, has := n.Attr("order"); has {
			if o, ok := n.IntAttr("order"); !ok || o < 0 {
				v.add(p, "orderedList attrs.order must be a number >= 0")
			}
		}
	case "codeBlock":
		for i, c := range n.Content {
			if len(c.Marks) > 0 {
				v.add(p+".content["+strconv.Itoa(i)+"]", "codeBlock text may not have marks")
			}
		}
	case "panel":
		if !panelTypes[n.StringAttr("panelType")] {
			v.add(p, "panel needs attrs.panelType in info, note, tip, warning, error, success, custom")
		}
	case "status":
		if n.StringAttr("text") == "" {
			v.add(p, "status needs a non-empty attrs.text")
		}
		if c := n.StringAttr("color"); !statusColors[c] && !hexColor(c) {
			v.add(p, "status attrs.color must be neutral, purple, blue, red, yellow or green")
		}
	case "mention":
		v.needString(n, p, "id")
	case "emoji":
		v.needString(n, p, "shortName")
	case "date":
		v.needString(n, p, "timestamp")
	case "taskList", "decisionList":
		v.needString(n, p, "localId")
		if n.Type == "taskList" && len(n.Content) > 0 && n.Content[0].Type == "taskList" {
			v.add(p, "taskList must start with a taskItem")
		}
	case "media":
		switch n.StringAttr("type") {
		case "external":
			v.needString(n, p, "url")
		case "file", "link":
			v.needString(n, p, "id")
			if _, ok := n.Attrs["collection"].(string); !ok {
				v.add(p, "media needs attrs.collection")
			}
		default:
			v.add(p, `media needs attrs.type "file", "link" or "external"`)
		}
	case "mediaSingle":
		if len(n.Content) > 0 && n.Content[0].Type != "media" {
			v.add(p, "mediaSingle must start with a media node")
		}
	case "nestedExpand":
		if n.Attrs == nil {
			v.add(p, "nestedExpand needs attrs")
		}
	case "inlineCard", "blockCard":
		if n.StringAttr("url") == "" {
			if _, ok := n.Attr("data"); !ok {
				v.add(p, n.Type+" needs attrs.url or attrs.data")
			}
		}
	case "extension", "bodiedExtension", "inlineExtension":
		v.needString(n, p, "extensionKey")
		v.needString(n, p, "extensionType")
	}
	if len(n.Content) > 0 {
		v.children(n.Type, p, n.Content, depth+1)
	}
}

func (v *validator) needString(n *Node, p, key string) {
	if n.StringAttr(key) == "" {
		v.add(p, fmt.Sprintf("%s needs a non-empty attrs.%s", n.Type, key))
	}
}

func (v *validator) marks(n *Node, p string) {
	code := false
	seen := map[string]bool{}
	for _, m := range n.Marks {
		if seen[m.Type] {
			v.add(p, "mark "+m.Type+" appears twice")
		}
		seen[m.Type] = true
		switch m.Type {
		case "code":
			code = true
		case "link":
			if _, ok := m.Attrs["href"].(string); !ok {
				v.add(p, "link mark needs attrs.href")
			}
		case "textColor", "backgroundColor":
			if !hexColor(m.StringAttr("color")) {
				v.add(p, m.Type+" mark needs attrs.color #rrggbb")
			}
		case "subsup":
			if t := m.StringAttr("type"); t != "sub" && t != "sup" {
				v.add(p, `subsup mark needs attrs.type "sub" or "sup"`)
			}
		}
	}
	if code {
		for _, m := range n.Marks {
			switch m.Type {
			case "code", "link", "annotation":
			default:
				v.add(p, "code mark cannot combine with "+m.Type)
			}
		}
	}
}
