package adf_test

import (
	"fmt"

	"github.com/atlassian-mcp/atlassian-mcp/adf"
)

func ExampleStorageToMarkdown() {
	storage := `<p>Ask <ac:link><ri:user ri:account-id="557058:ada"/></ac:link> about ` +
		`<ac:link><ri:page ri:space-key="ENG" ri:content-title="Release Plan"/></ac:link>.</p>` +
		`<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Freeze on Friday.</p></ac:rich-text-body></ac:structured-macro>` +
		`<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">go</ac:parameter>` +
		`<ac:plain-text-body><![CDATA[fmt.Println("]]]]><![CDATA[>")]]></ac:plain-text-body></ac:structured-macro>` +
		`<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>`
	md, err := adf.StorageToMarkdown(storage)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(md)
	// Output:
	// Ask @[557058:ada](accountid:557058:ada) about [Release Plan](confluence-page:ENG/Release%20Plan).
	//
	// > [!NOTE]
	// > Freeze on Friday.
	//
	// ```go
	// fmt.Println("]]>")
	// ```
	//
	// {toc:maxLevel=2}
}

func ExampleMarkdownToStorage() {
	md := "- [x] ship {status:green DONE}\n- [ ] tell [the team](confluence-page:ENG/Team)\n"
	storage, err := adf.MarkdownToStorage(md)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(storage)
	// Output:
	// <ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>ship <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro></ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>tell <ac:link><ri:page ri:space-key="ENG" ri:content-title="Team" /><ac:plain-text-link-body><![CDATA[the team]]></ac:plain-text-link-body></ac:link></ac:task-body></ac:task></ac:task-list>
}
