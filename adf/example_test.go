package adf_test

import (
	"fmt"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
)

func ExampleFromMarkdown() {
	doc, err := adf.FromMarkdown("Ping @[Jane Doe](accountid:5b10ac8d) about **`x`** {status:green Done}")
	if err != nil {
		panic(err)
	}
	raw, _ := doc.MarshalJSON()
	fmt.Println(string(raw))
	// Output:
	// {"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Ping "},{"type":"mention","attrs":{"id":"5b10ac8d","text":"@Jane Doe"}},{"type":"text","text":" about "},{"type":"text","text":"x","marks":[{"type":"code"}]},{"type":"text","text":" "},{"type":"status","attrs":{"color":"green","text":"Done"}}]}]}
}

func ExampleToMarkdown() {
	doc, err := adf.Parse([]byte(`{"type":"doc","version":1,"content":[
	  {"type":"panel","attrs":{"panelType":"warning"},"content":[{"type":"paragraph","content":[{"type":"text","text":"Careful"}]}]},
	  {"type":"extension","attrs":{"extensionType":"com.atlassian.confluence.macro.core","extensionKey":"toc"}}]}`))
	if err != nil {
		panic(err)
	}
	md, _ := adf.ToMarkdown(doc)
	fmt.Print(md)
	// Output:
	// > [!WARNING]
	// > Careful
	//
	// [extension: com.atlassian.confluence.macro.core key=toc]
}

func ExampleParse() {
	// Unknown nodes, marks and attributes survive a read and write.
	doc, err := adf.Parse([]byte(`{"type":"doc","version":1,"content":[{"type":"futureNode","attrs":{"x":1.50}}]}`))
	if err != nil {
		panic(err)
	}
	raw, _ := doc.MarshalJSON()
	fmt.Println(string(raw))
	// Output:
	// {"type":"doc","version":1,"content":[{"type":"futureNode","attrs":{"x":1.50}}]}
}

func ExampleValidate() {
	doc, _ := adf.Parse([]byte(`{"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":9}}]}`))
	fmt.Println(adf.Validate(doc))
	// Output:
	// adf: 1 schema violation(s): content[0]: heading needs attrs.level 1-6
}
