package adf

import (
	"regexp"
	"strings"
	"sync"
	"time"
)

// codeLanguageFromStorage returns the fence language for a code macro
// language: as written (py stays py, mermaid stays mermaid), cut to one
// word because a fence info string's language ends at a space.
func codeLanguageFromStorage(lang string) string {
	lang = strings.TrimSpace(lang)
	if i := strings.IndexAny(lang, " \t`"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

// infoParamRe matches one key="value" parameter of a fence info string,
// the form StorageToMarkdown writes a code macro's parameters in.
var infoParamRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_-]*)="([^"]*)"`) })

// splitCodeInfo splits a fence info string into the language and the
// key="value" parameters after it. A first word that is itself a
// parameter means there is no language.
func splitCodeInfo(info string) (lang string, params [][2]string) {
	rest := strings.TrimSpace(info)
	if !infoParamRe().MatchString(rest) {
		i := strings.IndexAny(rest, " \t")
		if i < 0 {
			return rest, nil
		}
		lang, rest = rest[:i], strings.TrimSpace(rest[i:])
	}
	for rest != "" {
		m := infoParamRe().FindStringSubmatch(rest)
		if m == nil {
			break // not ours: the rest is ignored, as CommonMark does
		}
		params = append(params, [2]string{m[1], m[2]})
		rest = strings.TrimSpace(rest[len(m[0]):])
	}
	return lang, params
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
