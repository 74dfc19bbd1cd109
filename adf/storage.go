package adf

// Confluence storage format conversions.
//
// Three functions convert between markdown, ADF and Confluence storage
// format (the XHTML-based page body with ac: and ri: elements):
//
//	StorageToMarkdown(storage)  storage -> markdown
//	ToStorage(doc)              ADF -> storage
//	MarkdownToStorage(md)       markdown -> ADF (FromMarkdown) -> storage
//
// Markdown written by StorageToMarkdown reads back through MarkdownToStorage
// to the same storage where markdown can express it, and
// storage -> markdown -> storage -> markdown is stable after one pass.
//
// # Markdown syntax for Confluence things
//
//	fenced code ```lang                code macro (language, CDATA body)
//	> [!NOTE] / [!TIP] / ...           info / tip / note / warning macros
//	<details><summary>T</summary>      expand macro with title T
//	- [ ] / - [x]                      ac:task-list (incomplete / complete)
//	@[Name](accountid:ID)              user mention (ri:user)
//	[text](confluence-page:KEY/Title)  link to a page (ri:page); KEY and
//	                                   Title are percent-encoded (%20 for a
//	                                   space); "confluence-page:Title" links
//	                                   a page of the same space
//	[text](confluence-attachment:f)    link to an attachment of the page
//	![alt](confluence-attachment:f)    image from an attachment
//	{name:key=value|key2=value2}       any other macro (toc, jira, ...):
//	                                   Confluence wiki-markup notation. A
//	                                   paragraph that is exactly such a
//	                                   token becomes the macro again; a
//	                                   macro with a body is written as
//	                                   {name:params} ... {name}.
//
// A user mention in storage carries only the account id; the display name
// is the link body when there is one, otherwise the account id itself.
//
// # Limits and bad input
//
// The converters are pure and bounded. Their behaviour on bad input:
//
//   - Size: inputs larger than MaxInputSize (10 MiB) are rejected with
//     ErrTooLarge before any parsing; a 20 MB page is an error, not an
//     allocation.
//   - Invalid UTF-8 is replaced with U+FFFD. NUL and the other control
//     characters XML forbids are dropped (storage output must be XML).
//   - Deep nesting: storage nested deeper than MaxDepth elements is
//     flattened (the deeper elements' text is kept, their nesting is not);
//     ToStorage does the same for ADF nested deeper than MaxDepth, so
//     recursion is bounded whatever the input.
//   - Malformed storage (unclosed or stray tags, missing end tags, bare
//     "&", unknown entities, broken CDATA) is read leniently the way a
//     browser would; it never fails and never panics. End tags close the
//     nearest open element of their name; "/>" always closes.
//   - ToStorage always writes well-formed XML: text and attributes are
//     escaped, "]]>" inside code is split across CDATA sections, and
//     anything it does not understand becomes escaped text with a visible
//     placeholder.
//   - Output size is linear in the input size.

// MarkdownToStorage converts markdown to Confluence storage format: it
// parses the markdown with FromMarkdown (the one markdown parser of the
// project) and writes the document with ToStorage. The syntax for
// Confluence things (page links, mentions, macros) is described in
// storage.go.
func MarkdownToStorage(md string) (string, error) {
	d, err := FromMarkdown(md)
	if err != nil {
		return "", err
	}
	return ToStorage(d)
}
