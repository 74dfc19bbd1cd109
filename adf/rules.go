package adf

// The content rules below follow the official ADF JSON schema
// (@atlaskit/adf-schema dist/json-schema/v1/full.json). They are shared by
// the markdown converter (to build only valid documents) and Validate.

type nodeSet map[string]bool

func setOf(types ...string) nodeSet {
	s := make(nodeSet, len(types))
	for _, t := range types {
		s[t] = true
	}
	return s
}

var (
	// inlineTypes are the node types allowed where inline content goes.
	inlineTypes = setOf("text", "date", "emoji", "hardBreak", "inlineCard", "mention",
		"placeholder", "status", "inlineExtension", "mediaInline")

	nonNestableBlocks = setOf("paragraph", "panel", "blockquote", "orderedList", "bulletList",
		"rule", "heading", "codeBlock", "mediaGroup", "mediaSingle", "decisionList", "taskList",
		"table", "blockCard", "embedCard", "extension")

	// allowedChildren maps a container type to the child types its content
	// may hold. Types not listed here are not checked.
	allowedChildren = map[string]nodeSet{
		"doc": setOf("blockCard", "codeBlock", "mediaSingle", "paragraph", "taskList", "orderedList",
			"bulletList", "blockquote", "decisionList", "embedCard", "extension", "heading",
			"mediaGroup", "rule", "panel", "table", "bodiedExtension", "expand", "layoutSection",
			"syncBlock", "bodiedSyncBlock"),
		"listItem":   setOf("paragraph", "bulletList", "orderedList", "taskList", "mediaSingle", "codeBlock", "extension"),
		"blockquote": setOf("paragraph", "orderedList", "bulletList", "codeBlock", "mediaSingle", "mediaGroup", "extension"),
		"panel": setOf("paragraph", "heading", "bulletList", "orderedList", "blockCard", "mediaGroup",
			"mediaSingle", "codeBlock", "taskList", "rule", "decisionList", "extension"),
		"tableCell": setOf("paragraph", "panel", "blockquote", "orderedList", "bulletList", "rule", "heading",
			"codeBlock", "mediaSingle", "mediaGroup", "decisionList", "taskList", "blockCard", "embedCard",
			"extension", "nestedExpand"),
		"expand": union(nonNestableBlocks, setOf("nestedExpand")),
		"nestedExpand": setOf("paragraph", "heading", "mediaSingle", "mediaGroup", "codeBlock", "bulletList",
			"orderedList", "taskList", "decisionList", "rule", "panel", "blockquote", "extension"),
		"bodiedExtension": nonNestableBlocks,
		"layoutColumn": setOf("blockCard", "paragraph", "mediaSingle", "codeBlock", "taskList", "bulletList",
			"orderedList", "heading", "mediaGroup", "decisionList", "rule", "panel", "blockquote", "extension",
			"embedCard", "table", "expand", "bodiedExtension"),
		"bulletList":    setOf("listItem"),
		"orderedList":   setOf("listItem"),
		"taskList":      setOf("taskItem", "taskList", "blockTaskItem"),
		"decisionList":  setOf("decisionItem"),
		"table":         setOf("tableRow"),
		"tableRow":      setOf("tableCell", "tableHeader"),
		"layoutSection": setOf("layoutColumn"),
		"mediaSingle":   setOf("media", "caption"),
		"mediaGroup":    setOf("media"),
		"paragraph":     inlineTypes,
		"heading":       inlineTypes,
		"taskItem":      inlineTypes,
		"decisionItem":  inlineTypes,
		"caption":       inlineTypes,
		"codeBlock":     setOf("text"),
	}

	// panelTypes are the valid panel attrs.panelType values.
	panelTypes = setOf("info", "note", "tip", "warning", "error", "success", "custom")
	// statusColors are the named status colours.
	statusColors = setOf("neutral", "purple", "blue", "red", "yellow", "green")
)

func init() {
	allowedChildren["tableHeader"] = allowedChildren["tableCell"]
}

func union(a, b nodeSet) nodeSet {
	out := make(nodeSet, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
