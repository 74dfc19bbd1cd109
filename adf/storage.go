package adf

// Confluence storage format conversions.
//
// Four functions convert between markdown, ADF and Confluence storage
// format (the XHTML-based page body with ac: and ri: elements):
//
//	StorageToMarkdown(storage)  storage -> markdown (html-to-markdown v2 with
//	                            renderers for the ac:/ri: elements)
//	HTMLToMarkdown(html)        the same path for plain HTML (Jira's
//	                            renderedFields)
//	ToStorage(doc)              ADF -> storage
//	MarkdownToStorage(md)       markdown -> ADF (FromMarkdown) -> storage
//
// storage -> markdown -> storage -> markdown is stable after one pass, and
// markdown in the form StorageToMarkdown writes reads back through
// MarkdownToStorage and StorageToMarkdown unchanged.
//
// # Mapping
//
//	storage                                  markdown
//	code / noformat macro (CDATA body)       ```lang key="value"... fenced code; the
//	                                         language as written (known to Confluence
//	                                         or not) and every other parameter (title,
//	                                         collapse, linenumbers, ...) come back
//	info / tip / note / warning / panel      > [!NOTE] / [!TIP] / [!WARNING] / [!CAUTION] /
//	                                         [!IMPORTANT]: Confluence's note macro is the
//	                                         yellow (ADF warning) panel, its warning macro
//	                                         the red (ADF error) one, a generic panel the
//	                                         purple (ADF note) one; a title becomes a bold
//	                                         first line, which ToStorage reads back as the
//	                                         title when more content follows
//	expand macro                             <details><summary>Title</summary> ... </details>
//	ac:task-list / ac:task                   - [ ] / - [x], nested lists indented
//	<ac:link><ri:user ri:account-id=ID/>     @[Name](accountid:ID): storage has no display
//	                                         name, so Name is the link body when there is
//	                                         one, else the account id
//	<ac:link><ri:page ri:space-key=K         [text](confluence-page:K/Title), K and Title
//	  ri:content-title=T/>                   percent-encoded (%20 for a space); without K
//	                                         "confluence-page:Title" (same space);
//	                                         ac:anchor adds "#anchor"; markdown may
//	                                         also write spaces as they are when the
//	                                         link is unambiguous (spacedPageLink)
//	ri:attachment link / image               [text](confluence-attachment:file.pdf) /
//	                                         ![alt](confluence-attachment:file.png)
//	ri:space, ri:blog-post, ac:anchor links  [text](confluence-space:KEY),
//	                                         (confluence-blogpost:K/Title), (#anchor)
//	ac:image with ri:url                     ![alt](url)
//	ac:caption of an image                   ![alt](url "caption") (the caption's
//	                                         plain text as the image title)
//	table (th, td, block content)            GFM table; the first row is the header row;
//	                                         blocks in a cell are joined with <br> (a
//	                                         code block as <pre lang="py">line<br>line</pre>
//	                                         with markdown punctuation backslash-escaped,
//	                                         which reads back as a code block; panels as
//	                                         "**NOTE:** text",
//	                                         headings bold, tasks as ☐/☑, nested tables
//	                                         as rows); "|" is escaped; colspan adds
//	                                         empty cells
//	ac:emoticon                              :shortcode: (Cloud's ac:emoji-shortname, or
//	                                         the named emoticon's emoji: tick is
//	                                         :white_check_mark:, ...)
//	status macro                             {status:green DONE} (Grey is neutral)
//	<time datetime="2026-01-31"/>            {date:2026-01-31}
//	<time datetime="...">31 Jan</time>       31 Jan: text inside <time> (exports) is
//	                                         what the reader sees, kept as text
//	strike span, <u>, <sub>, <sup>           ~~x~~, <u>x</u>, <sub>x</sub>, <sup>x</sup>
//	<span style="color: rgb(...)">           <span style="color: #rrggbb">x</span> (also
//	                                         background-color), which FromMarkdown reads
//	toc, jira and every other macro          {name:key=value|key2=value2} (Confluence
//	                                         wiki-markup notation; "|", "}", "=" and "\"
//	                                         in values escaped with "\"); a macro with a
//	                                         body is {name:params}, the body, {name};
//	                                         unknown ac: elements the same way
//	ac:layout sections                       [layout: N columns], [column K, width W%]
//	                                         before each column, [/layout] (ToMarkdown's
//	                                         markers for ADF layouts); ToStorage reads
//	                                         them back and picks the layout type from
//	                                         the widths
//	ac:adf-extension                         its fallback content
//	ac:placeholder                           dropped (editor prompt text, not content)
//
// On the way back (ToStorage), a paragraph that is exactly one
// {name:params} token becomes the structured macro again (a bare {name}
// only for well-known macro names or when a closing {name} paragraph
// follows, which makes the paragraphs between them its rich-text body, or
// its plain-text body when that is a single code block); inside text, a
// token with parameters becomes an inline macro. ADF extension nodes of
// Confluence macros (com.atlassian.confluence.macro.core) are written back
// as the macros they are, and so is ToMarkdown's placeholder for them
// ("[extension: com.atlassian.confluence.macro.core key=NAME p="v"]", with
// "[/extension]" closing a body) when it is a paragraph of its own.
//
// What does not survive storage -> markdown -> storage: mention display
// names (storage has none), inline-comment markers (the text stays, the
// anchor goes), panel parameters other than the title and the generic panel's colour, status
// macro subtlety, image sizes, and macros nested inside a list item or a
// table cell that ADF cannot hold there (their content stays).
//
// # Limits and bad input
//
// The converters are pure and bounded:
//
//   - Size: inputs larger than MaxInputSize (10 MiB) are rejected with
//     ErrTooLarge before any parsing; a 20 MB page is an error, not an
//     allocation. Output size is linear in the input size (a colspan counts
//     as at most 64 cells; see below for nesting).
//   - Invalid UTF-8 is replaced with U+FFFD. NUL and the other control
//     characters XML forbids are dropped (storage output must be XML).
//   - Deep nesting: storage nested deeper than 32 elements is flattened
//     (the deeper elements' text is kept, their nesting is not; real pages
//     stay near 15); ToStorage writes nodes deeper than MaxDepth (100) as
//     their plain text, so recursion is bounded whatever the input.
//   - Memory and time: StorageToMarkdown builds a DOM, so it needs about 30
//     times the input for typical pages and up to about 60 times for
//     pathological ones made of tiny elements (about 550 MB at the 10 MiB
//     limit); it runs at about 10 MB/s on typical pages. Deeply nested
//     quotes, panels and lists repeat their line prefixes, so the markdown
//     can be up to about 16 times the input in the worst case.
//   - Malformed storage (unclosed or stray tags, missing end tags, bare
//     "&", unknown entities, broken CDATA) is read leniently and never
//     fails: "/>" always closes, an end tag closes the nearest open element
//     of its name and is ignored when there is none, CDATA is literal text,
//     XHTML entities (&nbsp; &rsquo; ...) are decoded. StorageToMarkdown
//     returns an error only for oversized input.
//   - ToStorage always writes well-formed XML (the tests parse every output
//     with a strict XML parser): text and attributes are escaped, "]]>"
//     inside code is split across CDATA sections, and nodes storage cannot
//     express become escaped text with a visible "[type: text]" placeholder.

// MarkdownToStorage converts markdown to Confluence storage format: it
// parses the markdown with FromMarkdown (the one markdown parser of the
// project) and writes the document with ToStorage. The syntax for
// Confluence things (page links, mentions, macros) is described in
// storage.go.
func MarkdownToStorage(md string) (string, error) {
	d, err := fromMarkdown(md, true)
	if err != nil {
		return "", err
	}
	return ToStorage(d)
}
