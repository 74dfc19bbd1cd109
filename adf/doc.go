// Package adf converts between markdown, the Atlassian Document Format (ADF,
// used by Jira) and Confluence storage format.
//
// The package is pure: it does no I/O and holds no mutable global state, so
// every function is safe for concurrent use.
//
// # ADF model
//
// [Doc], [Node] and [Mark] model ADF losslessly: [Parse] keeps unknown node
// types, marks, attributes and keys, and [Doc.MarshalJSON] writes them back
// unchanged with a stable key order. [Validate] checks the structural rules
// of the official schema (@atlaskit/adf-schema) that the converters rely on.
//
// # Markdown to ADF
//
// [FromMarkdown] reads CommonMark with GitHub's extensions (tables,
// strikethrough, task lists, autolinks) and always returns a document that
// is valid against the official ADF schema. Beyond plain markdown it reads:
//
//	@[Display Name](accountid:ID)   mention (the "@" is optional)
//	{status:COLOR Text}             status lozenge; COLOR is neutral, purple, blue,
//	                                red, yellow, green (grey = neutral) or #rrggbb;
//	                                without a colour word the lozenge is neutral
//	{date:2026-11-29}               date (UTC midnight); {date:2026-11-29T15:30:00Z} too
//	:smile:                         emoji, for a table of common shortcodes only;
//	                                other :words: stay text (so 10:30:45 is safe)
//	> [!NOTE] / [!TIP] / [!IMPORTANT] / [!WARNING] / [!CAUTION]
//	                                GitHub alerts become panels: info, tip, note,
//	                                warning, error; [!SUCCESS], [!INFO], [!ERROR]
//	                                and [!CUSTOM] are read too
//	<details><summary>T</summary>…</details>
//	                                expand (nestedExpand when nested or in a cell)
//	<u> <sub> <sup> <s> <b> <i> <br> <span style="color: #rrggbb">
//	                                underline, subsup, strike, strong, em, hard
//	                                break, textColor (background-color: backgroundColor)
//	![alt](url)                     mediaSingle with external media
//
// A backslash before "{", ":" or "@" keeps these syntaxes as text. Other
// raw HTML is kept as text, never dropped. ADF rules are enforced by
// construction: code marks combine only with links (so **`x`** is code), a
// list item that starts with a list gets an empty paragraph first, task
// lists get deterministic localIds derived from position and text, content a
// container may not hold is rewritten into what it may hold (a heading in a
// quote becomes a bold paragraph, a table in a list becomes one paragraph
// per row), table cells always hold a paragraph, and text nodes are never
// empty. A table whose header row is empty is read as a table without one.
//
// Top-level blocks in plain markdown (paragraphs, headings, lists, quotes,
// code, inline and reference links, images, emphasis) are converted by a
// fast path straight from the source; every other block goes through
// goldmark. Both give the same document (FuzzFastMarkdown compares them).
// Goldmark's parser runs with our own GFM extensions (tables,
// strikethrough, task boxes, extended autolinks) rather than goldmark's
// extension package, which costs every process 6 ms of start-up;
// FuzzGFMMatchesGoldmark holds them to the same trees and documents.
//
// # ADF to markdown
//
// [ToMarkdown] renders every ADF node; its output reads back through
// FromMarkdown to the same document wherever markdown can express it. What
// markdown cannot express becomes a readable bracketed placeholder that keeps
// the text and essential attributes: "[media: file id=… collection=…]",
// "[extension: TYPE key=KEY param="v"]" (bodied extensions wrap their body
// up to "[/extension]"), "[layout: 2 columns]" … "[/layout]", decisions as
// "- Decision: …", cards as <url>, unknown nodes as "[type]" followed by
// their content. Table colspan and rowspan are flattened into empty cells;
// block content in cells is joined with <br>. Attributes markdown has no
// place for (panel colours and icons, media layout and sizes, annotations,
// table widths) are not carried into the markdown.
//
// # Limits
//
// Inputs larger than [MaxInputSize] (10 MiB) return [ErrTooLarge]. Parse
// rejects JSON that is malformed, not UTF-8 ([ErrInvalidUTF8]) or nested
// deeper than [MaxDepth] (100) nodes ([ErrTooDeep]). FromMarkdown replaces
// invalid UTF-8 and NUL bytes with U+FFFD and flattens container nesting
// beyond 40 levels (the text is kept). Work is linear in the input: a
// document with more than 64 "](" that cannot close within 256 bytes has the
// "(" of the rest escaped, since goldmark would rescan the line for each. No
// input causes a panic or unbounded memory use.
//
// Known limits: brackets inside inline code inside a link's text, and an
// empty list item nested as the first child of another item followed by more
// content, do not read back exactly; ADF links with no visible text are
// dropped when they start a line.
package adf
