package mcp

import (
	"unicode/utf8"
)

// Limits on tool arguments, checked before any call to Atlassian so that
// an oversized argument costs nothing upstream. docs/limits.md lists
// every limit of the server; keep it in step (TestLimitsAreDocumented).
const (
	// MaxQueryBytes bounds a JQL or CQL query (10 KiB).
	MaxQueryBytes = 10 << 10
	// MaxSummaryChars is Jira's limit on an issue summary.
	MaxSummaryChars = 255
	// MaxRichTextChars is Jira's limit on a rich-text field (description,
	// comment, worklog comment, multi-line custom field), checked on the
	// markdown given.
	MaxRichTextChars = 32767
	// MaxPageBytes is about what Confluence accepts in one page create
	// request, storage-format body included.
	MaxPageBytes = maxCreateRequestBytes
)

// checkQuery refuses a query (JQL or CQL, named by lang) over MaxQueryBytes.
func checkQuery(param, lang, q string) error {
	if len(q) > MaxQueryBytes {
		return argErrorf(param, "is %d bytes; this server accepts %s queries of at most %d bytes (10 KB). "+
			"Shorten it (fewer OR terms; key in (...) lists of at most a few hundred keys) or split it into several searches", len(q), lang, MaxQueryBytes)
	}
	return nil
}

// checkRichText refuses markdown for a Jira rich-text field over
// MaxRichTextChars characters.
func checkRichText(param, md string) error {
	if len(md) <= MaxRichTextChars { // bytes >= characters
		return nil
	}
	if n := utf8.RuneCountInString(md); n > MaxRichTextChars {
		return argErrorf(param, "is %d characters; a Jira rich-text field holds at most %d. "+
			"Shorten it, or split it: put the rest in comments (atlassian_jira_manage_issue add_comment) or in a linked Confluence page", n, MaxRichTextChars)
	}
	return nil
}
