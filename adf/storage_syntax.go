package adf

import (
	"strings"
	"time"
)

// storageLanguages maps the fence languages agents write (and ADF
// codeBlock languages) to the language names the Confluence code macro
// accepts. A language not in the table is left out of the macro, which then
// renders as plain text (an unknown name can fail validation).
var storageLanguages = map[string]string{
	"actionscript": "actionscript3", "actionscript3": "actionscript3", "as3": "actionscript3",
	"applescript": "applescript",
	"bash":        "bash", "sh": "bash", "zsh": "bash", "shell": "shell", "console": "shell",
	"c": "c", "h": "c",
	"c#": "csharp", "cs": "csharp", "csharp": "csharp",
	"c++": "cpp", "cpp": "cpp", "cc": "cpp", "hpp": "cpp", "cxx": "cpp",
	"clojure": "clojure", "clj": "clojure",
	"coffeescript": "coffeescript", "coffee": "coffeescript",
	"coldfusion": "coldfusion", "cf": "coldfusion",
	"css": "css", "scss": "sass", "sass": "sass", "less": "less",
	"dart": "dart", "delphi": "delphi", "pascal": "delphi",
	"diff": "diff", "patch": "diff",
	"dockerfile": "dockerfile", "docker": "dockerfile",
	"elixir": "elixir", "erlang": "erlang", "erl": "erlang",
	"go": "go", "golang": "go",
	"graphql": "graphql", "gql": "graphql",
	"groovy": "groovy", "gradle": "groovy",
	"haskell": "haskell", "hs": "haskell",
	"html": "html", "xhtml": "html", "xml": "xml", "svg": "xml",
	"java": "java", "javafx": "javafx",
	"javascript": "javascript", "js": "javascript", "jsx": "javascript", "mjs": "javascript", "node": "javascript",
	"json":   "json",
	"julia":  "julia",
	"kotlin": "kotlin", "kt": "kotlin",
	"lua":      "lua",
	"markdown": "markdown", "md": "markdown",
	"matlab":      "matlab",
	"objective-c": "objective-c", "objc": "objective-c",
	"ocaml": "ocaml",
	"perl":  "perl", "pl": "perl",
	"php":        "php",
	"powershell": "powershell", "ps1": "powershell", "pwsh": "powershell",
	"python": "python", "py": "python", "python3": "python",
	"r":    "r",
	"ruby": "ruby", "rb": "ruby",
	"rust": "rust", "rs": "rust",
	"scala": "scala",
	"sql":   "sql", "mysql": "sql", "postgresql": "sql", "psql": "sql", "plsql": "sql",
	"swift": "swift",
	"text":  "text", "plaintext": "text", "txt": "text", "none": "text",
	"typescript": "typescript", "ts": "typescript", "tsx": "typescript",
	"vb": "vb", "vbnet": "vb", "visualbasic": "vb",
	"yaml": "yaml", "yml": "yaml",
}

// storageLanguage returns the code macro language for a fence language,
// or "" when Confluence has none (or it is plain text).
func storageLanguage(lang string) string {
	l := storageLanguages[strings.ToLower(strings.TrimSpace(lang))]
	if l == "text" {
		return ""
	}
	return l
}

// codeLanguageFromStorage returns the fence language for a code macro
// language: lower case, one word (a fence info string ends at a space).
func codeLanguageFromStorage(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "none" || lang == "text" {
		return ""
	}
	if i := strings.IndexAny(lang, " \t`"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

// emoticon is a Confluence emoticon name with its emoji shortcode and text.
type emoticon struct{ name, shortcode, text string }

// emoticons are Confluence's named emoticons (ac:emoticon ac:name=...).
var emoticons = []emoticon{
	{"smile", ":slightly_smiling_face:", "🙂"},
	{"sad", ":slightly_frowning_face:", "🙁"},
	{"cheeky", ":stuck_out_tongue:", "😛"},
	{"laugh", ":grinning:", "😀"},
	{"wink", ":wink:", "😉"},
	{"thumbs-up", ":thumbsup:", "👍"},
	{"thumbs-down", ":thumbsdown:", "👎"},
	{"information", ":information_source:", "ℹ️"},
	{"tick", ":white_check_mark:", "✅"},
	{"cross", ":x:", "❌"},
	{"warning", ":warning:", "⚠️"},
	{"plus", ":heavy_plus_sign:", "➕"},
	{"minus", ":heavy_minus_sign:", "➖"},
	{"question", ":question:", "❓"},
	{"light-on", ":bulb:", "💡"},
	{"yellow-star", ":star:", "⭐"},
	{"heart", ":heart:", "❤️"},
	{"broken-heart", ":broken_heart:", "💔"},
	// Names that share an emoji with one above: read, never written.
	{"light-off", ":bulb:", "💡"},
	{"red-star", ":star:", "⭐"},
	{"green-star", ":star:", "⭐"},
	{"blue-star", ":star:", "⭐"},
}

// emoticonMarkdown is the markdown for an ac:emoticon: the emoji shortcode
// Confluence Cloud records (ac:emoji-shortname), else the shortcode of a
// named emoticon, else the fallback text, else the name as a shortcode.
func emoticonMarkdown(name, shortname, fallback string) string {
	if s := strings.TrimSpace(shortname); len(s) > 2 && strings.HasPrefix(s, ":") && strings.HasSuffix(s, ":") && !strings.ContainsAny(s, " \n") {
		return s
	}
	name = strings.ToLower(strings.TrimSpace(name))
	for _, e := range emoticons {
		if e.name == name {
			return e.shortcode
		}
	}
	if fallback != "" {
		return fallback
	}
	if name == "" {
		return ""
	}
	return ":" + name + ":"
}

// emoticonName returns the Confluence emoticon name for an emoji shortcode
// (":star:") or its text ("⭐"), or "".
func emoticonName(shortcode, text string) string {
	for _, e := range emoticons {
		if (shortcode != "" && e.shortcode == shortcode) || (text != "" && e.text == text) {
			return e.name
		}
	}
	return ""
}

// statusMarkdown is the markdown for a status lozenge: FromMarkdown's
// {status:COLOUR Text}, with the macro's colour (Green, Grey, ...) as the
// ADF colour name (green, neutral, ...).
func statusMarkdown(title, colour string) string {
	c := strings.ToLower(strings.TrimSpace(colour))
	switch c {
	case "grey", "gray", "":
		c = "neutral"
	case "green", "yellow", "red", "blue", "purple":
	default:
		c = "neutral"
	}
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		title = "STATUS"
	}
	return "{status:" + c + " " + escapeMarkdownText(title) + "}"
}

// dateMarkdown is the markdown for a <time datetime=...>: FromMarkdown's
// {date:YYYY-MM-DD}. A datetime that is not a date stays as text.
func dateMarkdown(datetime string) (string, bool) {
	d := strings.TrimSpace(datetime)
	if len(d) > 10 && d[10] == 'T' {
		d = d[:10]
	}
	if _, err := time.Parse("2006-01-02", d); err != nil {
		return "", false
	}
	return "{date:" + d + "}", true
}

// escapeMarkdownText backslash-escapes the ASCII punctuation that could
// start markdown syntax (CommonMark allows a backslash before any ASCII
// punctuation, so this never changes the text).
func escapeMarkdownText(s string) string {
	if !strings.ContainsAny(s, "\\`*_{}[]<>()#+-.!|~&:@\"") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]<>()#+!|~&:@\"", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
