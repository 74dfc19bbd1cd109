package adf

import (
	"strconv"
	"strings"
	"time"
)

var (
	dateRe = lazyRegexp(`^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z)?$`)
)

// scanExtensions splits raw text into text nodes and the extension nodes
// written inline: {status:COLOR Text}, {date:YYYY-MM-DD} and :emoji:.
func (c *mdConv) scanExtensions(out []*Node, raw string, marks []Mark) []*Node {
	// Four byte searches cost less than one ContainsAny (a set test a byte).
	if strings.IndexByte(raw, '\\') < 0 && strings.IndexByte(raw, '&') < 0 &&
		strings.IndexByte(raw, '{') < 0 && strings.IndexByte(raw, ':') < 0 {
		return append(out, c.textNode(raw, marks))
	}
	code := hasCode(marks)
	start := 0
	flush := func(out []*Node, start, end int) []*Node {
		if end > start {
			out = append(out, c.textNode(unescapeText(raw[start:end]), marks))
		}
		return out
	}
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '{':
			if code {
				continue
			}
			rest := raw[i:]
			if strings.HasPrefix(rest, "{status:") {
				if body, n := braceBody(rest, len("{status:")); n > 0 {
					if node := statusNode(unescapeText(body)); node != nil {
						out = flush(out, start, i)
						out = append(out, node)
						i += n - 1
						start = i + 1
					}
				}
			} else if strings.HasPrefix(rest, "{date:") {
				if body, n := braceBody(rest, len("{date:")); n > 0 && dateRe().MatchString(body) {
					if node := dateNode(body); node != nil {
						out = flush(out, start, i)
						out = append(out, node)
						i += n - 1
						start = i + 1
					}
				}
			}
		case ':':
			if code {
				continue
			}
			if name, n := emojiAt(raw[i:]); n > 0 {
				out = flush(out, start, i)
				out = append(out, &Node{Type: "emoji", Attrs: map[string]any{"shortName": ":" + name + ":", "text": emojiByName()[name]}})
				i += n - 1
				start = i + 1
			}
		}
	}
	return flush(out, start, len(raw))
}

// braceBody returns the text after the prefix up to the first unescaped
// "}" (no "{" allowed) and the length consumed including the brace.
func braceBody(s string, prefix int) (string, int) {
	for i := prefix; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{', '\n':
			return "", 0
		case '}':
			if i == prefix {
				return "", 0
			}
			return s[prefix:i], i + 1
		}
	}
	return "", 0
}

// emojiAt recognises a known :shortcode: at the start of s.
func emojiAt(s string) (string, int) {
	if len(s) < 3 || s[0] != ':' {
		return "", 0
	}
	for i := 1; i < len(s) && i < 40; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '+' || c == '-':
		case c == ':' && i > 1:
			if _, ok := emojiByName()[s[1:i]]; ok {
				return s[1:i], i + 1
			}
			return "", 0
		default:
			return "", 0
		}
	}
	return "", 0
}

func statusNode(body string) *Node {
	body = strings.TrimSpace(body)
	color, txt, _ := strings.Cut(body, " ")
	color = strings.ToLower(color)
	if color == "grey" || color == "gray" {
		color = "neutral"
	}
	if hexColor(color) {
		color = strings.ToLower(color)
	} else if !statusColors[color] {
		color, txt = "neutral", body
	}
	txt = strings.TrimSpace(txt)
	if txt == "" {
		return nil
	}
	return &Node{Type: "status", Attrs: map[string]any{"text": txt, "color": color}}
}

func dateNode(s string) *Node {
	var t time.Time
	var err error
	if len(s) == 10 {
		t, err = time.Parse("2006-01-02", s)
	} else {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return nil
	}
	return &Node{Type: "date", Attrs: map[string]any{"timestamp": strconv.FormatInt(t.UnixMilli(), 10)}}
}
