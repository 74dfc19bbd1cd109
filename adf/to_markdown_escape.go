package adf

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// escapeStatus escapes status text: braces always, the rest as text.
func escapeStatus(s string, table bool) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "{}")
		if i < 0 {
			b.WriteString(escapeText(s, false, table))
			return b.String()
		}
		b.WriteString(escapeText(s[:i], false, table))
		b.WriteByte('\\')
		b.WriteByte(s[i])
		s = s[i+1:]
	}
}

func adfDateText(ts string) string {
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms < -62135596800000 || ms > 253402300799999 {
		return "[date: " + escapeText(ts, false, false) + "]"
	}
	t := time.UnixMilli(ms).UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return "{date:" + t.Format("2006-01-02") + "}"
	}
	if t.Nanosecond() != 0 {
		return "{date:" + t.Format("2006-01-02T15:04:05.000Z") + "}"
	}
	return "{date:" + t.Format("2006-01-02T15:04:05Z") + "}"
}

// codeSpan writes text as an inline code span with enough backticks.
func codeSpan(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") ||
		(strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") && strings.Trim(s, " ") != "") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// adfCodeFence writes a fenced code block.
func adfCodeFence(code, lang string) string {
	longest, run := 0, 0
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '`':
			run++
			longest = max(longest, run)
		default:
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	} else {
		lang = ""
	}
	if strings.Contains(lang, "`") {
		// Only a tilde fence may carry backticks in its info string.
		tl, tr := 0, 0
		for i := 0; i < len(code); i++ {
			if code[i] == '~' {
				tr++
				tl = max(tl, tr)
			} else {
				tr = 0
			}
		}
		fence = strings.Repeat("~", max(3, tl+1))
	}
	lang = strings.ReplaceAll(lang, `\`, `\\`)
	lang = strings.ReplaceAll(lang, "&", `\&`)
	code = strings.ReplaceAll(code, "\r\n", "\n")
	if code == "" {
		return fence + lang + "\n" + fence
	}
	return fence + lang + "\n" + code + "\n" + fence
}

// linkDest writes a link destination so that it reads back unchanged.
func linkDest(u string) string {
	var b strings.Builder
	angle := u == "" || strings.ContainsAny(u, " ()<>\t\n\r")
	if angle {
		b.WriteByte('<')
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '\\' || c == '<' || c == '>':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '&':
			if _, n := entityAt(u[i:]); n > 0 {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case c == '\n' || c == '\r':
			b.WriteString("%0A")
		default:
			b.WriteByte(c)
		}
	}
	if angle {
		b.WriteByte('>')
	}
	return b.String()
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// escapeText escapes text so that markdown reads it back as the same text:
// markdown punctuation, entity-like ampersands, the extension syntaxes
// ({status:…}, {date:…}, :emoji:) and bare URLs or e-mail addresses that
// GFM would turn into links. At a line start, block markers are escaped.
func escapeText(s string, lineStart, table bool) string {
	return escapeWith(s, lineStart, table, false, false)
}

// escapeWith is escapeText; relaxed leaves alone characters that cannot
// start syntax where they stand (an underscore inside a word, a bracket not
// followed by "(", "<" not followed by a tag), which keeps prose and
// identifiers readable. inLink escapes every bracket (text of a link).
func escapeWith(s string, lineStart, table, relaxed, inLink bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	if lineStart {
		s = strings.TrimLeft(s, " \t")
		if s != "" {
			switch s[0] {
			case '#', '>', '-', '+', '=', '|':
				b.WriteByte('\\')
				b.WriteByte(s[0])
				s = s[1:]
			default:
				if s[0] >= '0' && s[0] <= '9' {
					j := 0
					for j < len(s) && j < 10 && s[j] >= '0' && s[j] <= '9' {
						j++
					}
					if j < len(s) && (s[j] == '.' || s[j] == ')') {
						b.WriteString(s[:j])
						b.WriteByte('\\')
						b.WriteByte(s[j])
						s = s[j+1:]
					}
				}
			}
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch c {
		case '`', '*', '~':
			b.WriteByte('\\')
		case '\\':
			if !relaxed || next == 0 || isASCIIPunct(next) {
				b.WriteByte('\\')
			}
		case '_':
			if !relaxed || i == 0 || next == 0 || !wordAround(s, i) {
				b.WriteByte('\\')
			}
		case '[':
			if !relaxed || inLink || i == 0 {
				b.WriteByte('\\')
			}
		case ']':
			if !relaxed || inLink || next == 0 || next == '(' || next == '[' || next == ':' {
				b.WriteByte('\\')
			}
		case '<':
			// "<" starts a tag or an autolink (even <|@x>) unless a space follows.
			if !relaxed || (next != ' ' && next != '\t') {
				b.WriteByte('\\')
			}
		case '|':
			if table {
				b.WriteByte('\\')
			}
		case '&':
			if _, n := entityAt(s[i:]); n > 0 {
				b.WriteByte('\\')
			}
		case '{':
			if strings.HasPrefix(s[i:], "{status:") || strings.HasPrefix(s[i:], "{date:") {
				b.WriteByte('\\')
			}
		case ':':
			if _, n := emojiAt(s[i:]); n > 0 {
				b.WriteByte('\\')
			} else if i >= 3 && strings.HasPrefix(s[i:], "://") && linkifyScheme(s[:i]) {
				b.WriteByte('\\')
			}
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") && (i == 3 || !isAlnum(s[i-4])) {
				b.WriteByte('\\')
			}
		case '@':
			if i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// wordAround reports whether s[i] sits between two word characters
// (neither whitespace nor punctuation), where "_" cannot be emphasis.
func wordAround(s string, i int) bool {
	p, _ := utf8.DecodeLastRuneInString(s[:i])
	n, _ := utf8.DecodeRuneInString(s[i+1:])
	return classRune(p) == 'a' && classRune(n) == 'a'
}

func linkifyScheme(before string) bool {
	if len(before) > 5 {
		before = before[len(before)-5:]
	}
	l := strings.ToLower(before)
	return strings.HasSuffix(l, "http") || strings.HasSuffix(l, "https") || strings.HasSuffix(l, "ftp")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '+' || c >= utf8.RuneSelf
}

// adfPrefixLines prefixes every line of s (blank lines get blankPrefix).
func adfPrefixLines(s, prefix, blankPrefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = blankPrefix
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// indentRest indents every line after the first (blank lines stay blank).
func indentRest(s, indent string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
