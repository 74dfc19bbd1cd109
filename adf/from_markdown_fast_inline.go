package adf

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark/util"
)

// Inline conversion of the markdown fast path: code spans, emphasis,
// strong, strikethrough, inline links and images, escapes, entities and
// GFM's extended URL autolinks (where goldmark's linkify finds them), in
// the subset where the result is certain. Anything else (raw HTML,
// HTML comments and declarations, <...> autolinks, tags across lines, nested
// brackets, reference links, unequal or ambiguous
// delimiter runs, non-ASCII text next to a delimiter, e-mail autolinks)
// reports !ok and the
// block goes to goldmark. The pieces feed the same inlineConv runs and
// finish() (extensions, escapes, normalisation) as goldmark's path.

type ftokKind uint8

const (
	ftText  ftokKind = iota // raw text buf[a:b]
	ftCode                  // code span, content in str
	ftDelim                 // delimiter run buf[a:b]
	ftOpen                  // "[" or "![" at buf[a:b]
	ftClose                 // "](...)" closing a link or image
	ftSkip                  // matched delimiter or consumed token: emits nothing
	ftAuto                  // GFM extended autolink buf[a:b], href in dest
	ftHTML                  // an inline HTML tag buf[a:b]
)

type ftok struct {
	kind     ftokKind
	a, b     int
	str      string
	ch       byte
	canOpen  bool
	canClose bool
	image    bool
	partner  int  // opener: index of its closer
	mark     Mark // opener: the mark its range applies
	dest     string
	alt      string
	isOpener bool
	matched  bool
}

// inline converts the lines of a paragraph or heading to inline nodes.
func (f *fastConv) inline(lines []fseg, allowMedia bool) ([]*Node, bool) {
	buf := f.buf[:0]
	for i, l := range lines {
		line := f.src[l.start:l.end]
		line = bytes.TrimRight(line, "\n")
		n := len(line)
		line = bytes.TrimLeft(line, " \t")
		if i > 0 && f.delimAfterMarker(l.start+n-len(line), line) {
			f.buf = buf
			return nil, false
		}
		if i == len(lines)-1 {
			line = bytes.TrimRight(line, " \t")
		} else if t := bytes.TrimRight(line, " "); len(t) > 0 && (t[len(t)-1] == '\t' || t[len(t)-1] == '\\' && !f.backslashBreak(line, lines)) {
			// goldmark keeps a tab before a line's trailing spaces; a
			// backslash there is a hard break the fast path reads only
			// where backslashBreak says
			f.buf = buf
			return nil, false
		}
		if i > 0 {
			buf = append(buf, '\n')
		}
		buf = append(buf, line...)
	}
	f.buf = buf
	toks, ok := f.tokenize(buf)
	if !ok {
		return nil, false
	}
	ic := f.mc.inline(allowMedia, -1)
	ic.c = &f.mc
	if !f.emit(ic, buf, toks, allowMedia) {
		return nil, false
	}
	return ic.finish(), true
}

// delimAfterMarker reports whether a paragraph line other than the first,
// whose text line starts at src[start], opens with an emphasis or
// strikethrough delimiter right after a container's marker (the "*" of
// ">*a"). For the character before such a delimiter goldmark reads the
// source byte before the line's text, the ">"; the tokenizer sees a line
// end, which flanks differently.
func (f *fastConv) delimAfterMarker(start int, line []byte) bool {
	if len(line) == 0 || line[0] != '*' && line[0] != '_' && line[0] != '~' || start == 0 {
		return false
	}
	c := f.src[start-1]
	return c != '\n' && c != ' ' && c != '\t'
}

// backslashBreak reports whether line, a line of lines but their last,
// ends in a hard break the fast path reads as goldmark does: one
// backslash right before the line end (goldmark takes two or more, or
// spaces after it, otherwise), in lines where no raw HTML or link
// destination or title may span a line end (noSpans) and so hold the
// backslash. A code span may: the tokenizer finds it as goldmark does,
// and both keep the backslash in its text.
func (f *fastConv) backslashBreak(line []byte, lines []fseg) bool {
	n := len(line)
	return n > 0 && line[n-1] == '\\' && (n == 1 || line[n-2] != '\\') && f.noSpans(lines, false)
}

func isLocalPart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-'
}

func (f *fastConv) tokenize(s []byte) ([]ftok, bool) {
	t := tokenizer{f: f, s: s, toks: f.toks[:0], open: f.open[:0], head: true}
	ok := t.run()
	f.toks, f.open = t.toks[:0], t.open[:0] // keep the grown buffers for the next block
	if !ok {
		return nil, false
	}
	return t.toks, true
}

// tokenizer is the state of one tokenize call.
type tokenizer struct {
	f         *fastConv
	s         []byte
	toks      []ftok
	textStart int   // start of the text not yet in a token
	open      []int // open brackets: a link, maybe holding an image
	// Goldmark's inline loop tries its GFM autolink parser (linkify) after a
	// space, tab or "(" and at a "head": the start of a line and the
	// position right after any inline node (code span, delimiter run,
	// bracket, link, autolink), but never inside a link label. head says
	// whether the current position is such a position.
	head bool
}

// run tokenizes t.s; false when the fast path cannot be sure.
func (t *tokenizer) run() bool {
	s := t.s
	for i := 0; i < len(s); {
		if !t.head {
			// Plain text, and spaces and "(" no autolink can follow:
			// nothing below would do more than step over them.
			for i < len(s) && (inlinePlain[s[i]] ||
				(s[i] == ' ' || s[i] == '(') && (i+1 == len(s) || !autolinkStart[s[i+1]])) {
				i++
			}
			if i == len(s) {
				break
			}
		}
		c := s[i]
		atHead := t.head
		t.head = false
		if len(t.open) == 0 {
			next, linked, ok := t.autolinkAt(i, c, atHead)
			if !ok {
				return false
			}
			if linked {
				i, t.head = next, true
				continue
			}
		}
		ok := true
		switch c {
		case '\n':
			t.head = true
			i++
		case '\\':
			if i+1 < len(s) && (s[i+1] == ' ' || s[i+1] == '\t') && len(t.open) == 0 && mayAutolink(s[i+2:]) {
				return false // goldmark tries linkify at an escaped space too
			}
			if i+1 < len(s) && s[i+1] == '\n' {
				i++ // a hard break (see backslashBreak): the line end is read next
				break
			}
			i += 2 // an escaped character (or a literal backslash) stays raw text
		case '<':
			i, ok = t.html(i)
		case '`':
			i, ok = t.codeSpan(i)
		case '*', '_', '~':
			i, ok = t.delim(i, c)
		case '!', '[':
			i, ok = t.openBracket(i, c)
		case ']':
			i, ok = t.closeBracket(i)
		default:
			i++
		}
		if !ok {
			return false
		}
	}
	for _, k := range t.open {
		t.toks[k].kind = ftText
	}
	return t.flush(len(s)) && processEmphasis(t.toks, -1)
}

// flush ends the pending text at end; false when it may hold an e-mail
// autolink (which the fast path leaves to goldmark). An address has a
// local part right before its "@" (emailLen), so an "@" after anything
// else in the source (the start, a space, "[", "/", ...) links nothing.
func (t *tokenizer) flush(end int) bool {
	if end > t.textStart {
		txt := t.s[t.textStart:end]
		for k := bytes.IndexByte(txt, '@'); k >= 0; {
			if at := t.textStart + k; at > 0 && isLocalPart(t.s[at-1]) {
				return false
			}
			n := bytes.IndexByte(txt[k+1:], '@')
			if n < 0 {
				break
			}
			k += n + 1
		}
		t.toks = append(t.toks, ftok{kind: ftText, a: t.textStart, b: end})
	}
	return true
}

// autolinkAt tries goldmark's linkify where it would at s[i] (outside
// brackets): after a space or "(", or at a head. linked reports an
// autolink token ending at next; ok is false when the fast path cannot be
// sure.
func (t *tokenizer) autolinkAt(i int, c byte, atHead bool) (next int, linked, ok bool) {
	s := t.s
	from := -1
	switch {
	case c == ' ' || c == '(':
		from = i + 1
	// A tab triggers goldmark's linkify too, but it steps over a
	// space only: the tab stays at the start and nothing matches.
	case c == '\v' || c == '\f':
		if mayAutolink(s[i+1:]) {
			return 0, false, false
		}
	case atHead && c != '\n' && !isASCIIPunct(c):
		from = i
	}
	if from < 0 || from >= len(s) || !autolinkStart[s[from]] {
		return 0, false, true
	}
	n, dest := linkifyAt(s[from:])
	if n == 0 || !t.flush(from) {
		return 0, false, true
	}
	t.toks = append(t.toks, ftok{kind: ftAuto, a: from, b: from + n, dest: dest})
	t.textStart = from + n
	return from + n, true, true
}

// html reads an inline HTML tag at s[i] ("<").
func (t *tokenizer) html(i int) (int, bool) {
	n, ok := htmlTagAt(t.s[i:])
	if !ok {
		return 0, false // a comment, an autolink, a tag across lines, ...
	}
	if n == 0 {
		return i + 1, true // a literal "<"
	}
	if !t.flush(i) {
		return 0, false
	}
	t.toks = append(t.toks, ftok{kind: ftHTML, a: i, b: i + n})
	t.textStart = i + n
	t.head = true
	return i + n, true
}

// codeSpan reads a backtick run at s[i]: a code span, or literal text
// when no run of the same length closes it.
func (t *tokenizer) codeSpan(i int) (int, bool) {
	s := t.s
	n := 0
	for i+n < len(s) && s[i+n] == '`' {
		n++
	}
	end := closingTicks(s, i+n, n)
	t.head = true
	if end < 0 {
		return i + n, true // no closer: the run is literal text
	}
	if !t.flush(i) {
		return 0, false
	}
	content := t.f.mc.str(s[i+n : end])
	content = strings.ReplaceAll(content, "\n", " ")
	if len(content) >= 2 && content[0] == ' ' && content[len(content)-1] == ' ' && strings.Trim(content, " ") != "" {
		content = content[1 : len(content)-1]
	}
	if t.f.tickPipes {
		content = strings.ReplaceAll(content, `\|`, "|")
	}
	t.toks = append(t.toks, ftok{kind: ftCode, a: i, b: end + n, str: content})
	t.textStart = end + n
	return end + n, true
}

// delim reads a run of c ("*", "_" or "~") at s[i].
func (t *tokenizer) delim(i int, c byte) (int, bool) {
	s := t.s
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	before, after := byte(' '), byte(' ')
	if i > 0 {
		before = s[i-1]
	}
	if i+n < len(s) {
		after = s[i+n]
	}
	if before == '\n' {
		before = ' '
	}
	if after == '\n' {
		after = ' '
	}
	if before >= utf8.RuneSelf || after >= utf8.RuneSelf || before < ' ' && before != '\t' || after < ' ' && after != '\t' {
		return 0, false // Unicode punctuation and spaces: leave to goldmark
	}
	canOpen, canClose := flanking(c, before, after)
	if c == '~' && n > 2 {
		canOpen, canClose = false, false
	}
	t.head = true // goldmark makes every run a node (or, for "~~~", tries linkify after it)
	if !canOpen && !canClose {
		return i + n, true
	}
	if canOpen && canClose || n > 2 {
		return 0, false
	}
	if !t.flush(i) {
		return 0, false
	}
	t.toks = append(t.toks, ftok{kind: ftDelim, a: i, b: i + n, ch: c, canOpen: canOpen, canClose: canClose})
	t.textStart = i + n
	return i + n, true
}

// openBracket reads "[" or "![" at s[i].
func (t *tokenizer) openBracket(i int, c byte) (int, bool) {
	s := t.s
	if c == '!' && (i+1 >= len(s) || s[i+1] != '[') {
		return i + 1, true
	}
	// At most a link holding an image (a badge); other nesting is
	// left to goldmark.
	if len(t.open) == 2 || len(t.open) == 1 && (t.toks[t.open[0]].image || c != '!') {
		return 0, false
	}
	if !t.flush(i) {
		return 0, false
	}
	w := 1
	if c == '!' {
		w = 2
	}
	t.open = append(t.open, len(t.toks))
	t.toks = append(t.toks, ftok{kind: ftOpen, a: i, b: i + w, image: c == '!'})
	t.textStart = i + w
	t.head = true
	return i + w, true
}

// closeBracket reads "]" at s[i]: the end of a link or image when a
// destination or known reference follows, else text.
func (t *tokenizer) closeBracket(i int) (int, bool) {
	s := t.s
	if len(t.open) == 0 {
		return i + 1, true
	}
	openIdx := t.open[len(t.open)-1]
	dest, title, n, found, ok := t.f.linkTail(s, t.toks[openIdx].b, i)
	if !ok {
		return 0, false
	}
	if !t.flush(i) {
		return 0, false
	}
	t.open = t.open[:len(t.open)-1]
	if !found {
		// Not a link: the brackets are text, their content stays.
		t.toks[openIdx].kind = ftText
		t.textStart = i
		return i + 1, true
	}
	closeIdx := len(t.toks)
	t.toks = append(t.toks, ftok{kind: ftClose, a: i, b: i + 1 + n})
	toks := t.toks
	op := &toks[openIdx]
	if strings.HasPrefix(dest, "accountid:") {
		return 0, false // mentions
	}
	if op.image {
		// alt text: plain text only
		for k := openIdx + 1; k < closeIdx; k++ {
			if toks[k].kind != ftText || bytes.IndexByte(s[toks[k].a:toks[k].b], '\n') >= 0 {
				return 0, false
			}
		}
		op.alt = t.f.mc.str(s[op.b:i])
		op.dest = dest
		op.str = title
		t.toks = toks[:openIdx+1]
		t.toks[openIdx].partner = -1
	} else {
		if !processEmphasis(toks, openIdx) {
			return 0, false
		}
		op.isOpener = true
		op.partner = closeIdx
		op.dest = dest
		if dest != "" {
			op.mark = Mark{Type: "link", Attrs: t.f.mc.linkAttrs(dest)}
			if title != "" {
				op.mark.Attrs["title"] = title
			}
		}
		toks[closeIdx].kind = ftSkip
	}
	t.textStart = i + 1 + n
	t.head = true
	return i + 1 + n, true
}

// inlinePlain holds the bytes tokenize steps over when they are not at a
// head: everything but the bytes its loop acts on.
var inlinePlain = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	for _, c := range []byte(" (\v\f\n\\<`*_~![]") {
		t[c] = false
	}
	return t
}()

// autolinkStart holds the bytes a linkify match can start with.
var autolinkStart = [256]bool{'h': true, 'f': true, 'w': true}

// flanking applies CommonMark's delimiter-run rules (ASCII neighbours).
func flanking(c, before, after byte) (canOpen, canClose bool) {
	bw, aw := before == ' ' || before == '\t', after == ' ' || after == '\t'
	bp, ap := isASCIIPunct(before), isASCIIPunct(after)
	left := !aw && (!ap || bw || bp)
	right := !bw && (!bp || aw || ap)
	if c == '_' {
		return left && (!right || bp), right && (!left || ap)
	}
	return left, right
}

// closingTicks finds a backtick run of exactly n starting at or after from.
func closingTicks(s []byte, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

// linkTail resolves the bracket pair s[textStart-1 or -2 : close+1]: an
// inline link "(...)" after it, or a reference ("[label]", "[]" or none)
// to a definition of the document. It returns the bytes consumed after
// "]", found=false when the brackets are plain text, and ok=false when
// the fast path cannot be sure.
func (f *fastConv) linkTail(s []byte, textStart, close int) (dest, title string, n int, found, ok bool) {
	rest := s[close+1:]
	if len(rest) > 0 && rest[0] == '(' {
		dest, title, n, ok = inlineLinkTail(rest)
		return dest, title, n, ok, ok
	}
	if !f.refs {
		if len(rest) > 0 && rest[0] == '[' {
			return "", "", 0, false, false
		}
		return "", "", 0, false, true
	}
	label := s[textStart:close]
	if len(rest) > 0 && rest[0] == '[' {
		k := bytes.IndexAny(rest[1:], "[]\\\n")
		if k < 0 || rest[1+k] != ']' || k > 999 {
			return "", "", 0, false, false
		}
		if k > 0 {
			label = rest[1 : 1+k]
		}
		n = k + 2
	}
	if bytes.ContainsAny(label, "[]\\\n") || len(bytes.TrimSpace(label)) == 0 {
		return "", "", 0, false, false
	}
	ref, has := f.pc.Reference(util.ToLinkReference(label))
	if !has {
		if n > 0 {
			return "", "", 0, false, false
		}
		return "", "", 0, false, true
	}
	return unescapeText(string(ref.Destination())), unescapeText(string(ref.Title())), n, true, true
}

// inlineLinkTail parses "(dest)" or "(dest "title")" right after "]" in a
// plain form: no line break inside, no spaces in a bare destination.
func inlineLinkTail(s []byte) (dest, title string, n int, ok bool) {
	if len(s) == 0 || s[0] != '(' {
		return "", "", 0, false
	}
	i := 1
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '<' {
		j := i + 1
		for j < len(s) && s[j] != '>' {
			if s[j] == '<' || s[j] == '\n' || s[j] == '\\' {
				return "", "", 0, false
			}
			j++
		}
		if j == len(s) {
			return "", "", 0, false
		}
		dest = string(s[i+1 : j])
		i = j + 1
	} else {
		j := i
		depth := 0
		for j < len(s) {
			c := s[j]
			if c == '\\' && j+1 < len(s) && isASCIIPunct(s[j+1]) {
				j += 2
				continue
			}
			if c <= ' ' || c == 0x7f {
				break
			}
			if c == '(' {
				depth++
				if depth > 8 {
					return "", "", 0, false
				}
			} else if c == ')' {
				if depth == 0 {
					break
				}
				depth--
			}
			j++
		}
		if depth != 0 {
			return "", "", 0, false
		}
		dest = string(s[i:j])
		i = j
	}
	sp := i
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') && i > sp {
		q := s[i]
		j := i + 1
		for j < len(s) && s[j] != q {
			if s[j] == '\n' || s[j] == '\\' && j+1 < len(s) && s[j+1] == '\n' {
				return "", "", 0, false // a title over lines (a hard break's backslash too)
			}
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(s) {
			return "", "", 0, false
		}
		title = unescapeText(string(s[i+1 : j]))
		i = j + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	if i >= len(s) || s[i] != ')' {
		return "", "", 0, false
	}
	return unescapeText(dest), title, i + 1, true
}

// processEmphasis matches delimiter runs after index bottom as goldmark
// does, for runs of equal length (1 or 2) only.
func processEmphasis(toks []ftok, bottom int) bool {
	for ci := bottom + 1; ci < len(toks); ci++ {
		closer := &toks[ci]
		if closer.kind != ftDelim || !closer.canClose || closer.matched {
			continue
		}
		oi := -1
		for k := ci - 1; k > bottom; k-- {
			o := &toks[k]
			if o.kind == ftDelim && !o.matched && o.canOpen && o.ch == closer.ch {
				oi = k
				break
			}
		}
		if oi < 0 {
			if !closer.canOpen {
				closer.kind = ftText
			}
			continue
		}
		op := &toks[oi]
		n := op.b - op.a
		if n != closer.b-closer.a {
			return false
		}
		switch {
		case op.ch == '~':
			op.mark = Mark{Type: "strike"}
		case n == 2:
			op.mark = Mark{Type: "strong"}
		default:
			op.mark = Mark{Type: "em"}
		}
		op.matched, op.isOpener, op.partner = true, true, ci
		closer.matched = true
		closer.kind = ftSkip
		for k := oi + 1; k < ci; k++ {
			if toks[k].kind == ftDelim && !toks[k].matched {
				toks[k].kind = ftText
			}
		}
	}
	for k := bottom + 1; k < len(toks); k++ {
		if toks[k].kind == ftDelim && !toks[k].matched {
			toks[k].kind = ftText
		}
	}
	return true
}

// emitFrame is a range of tokens emit applies marks to.
type emitFrame struct {
	marks []Mark
	end   int
	html  bool // a pair of HTML tags, not an AST node of its own
}

// emit feeds the tokens, with the marks of the ranges around them, to ic.
func (f *fastConv) emit(ic *inlineConv, s []byte, toks []ftok, allowMedia bool) bool {
	stack := f.frames[:0]
	defer func() { f.frames = stack[:0] }()
	var marks []Mark
	pairs := htmlPairs(s, toks)
	for i := range toks {
		for len(stack) > 0 && stack[len(stack)-1].end == i {
			stack = stack[:len(stack)-1]
			marks = nil
			if len(stack) > 0 {
				marks = stack[len(stack)-1].marks
			}
		}
		t := &toks[i]
		switch t.kind {
		case ftText:
			emitRaw(ic, s[t.a:t.b], marks)
		case ftHTML:
			// As inlineConv.htmlInline: <br> is a hard break, a tag
			// pair that stands for a mark applies it, any other tag is
			// kept as text.
			raw := f.mc.str(s[t.a:t.b])
			if htmlBrRe().MatchString(raw) {
				ic.trimTrailingSpace()
				ic.addNode(&Node{Type: "hardBreak"})
				continue
			}
			if end, ok := pairs[i]; ok {
				limit := len(toks)
				if k := len(stack) - 1; k >= 0 && stack[k].html {
					limit = stack[k].end
				}
				if mark, ok := htmlTagMark(raw); ok && end < limit {
					inner := marks
					if !hasCode(marks) {
						inner = f.mc.withMark(marks, mark)
					}
					toks[end].kind = ftSkip
					stack = append(stack, emitFrame{inner, end, true})
					marks = inner
					continue
				}
			}
			ic.addText(raw, marks)
		case ftAuto:
			ic.addText(f.mc.str(s[t.a:t.b]), f.mc.withLink(marks, Mark{Type: "link", Attrs: f.mc.linkAttrs(t.dest)}))
		case ftCode:
			ic.addText(t.str, f.mc.codeMarks(marks))
		case ftDelim:
			if t.isOpener {
				inner := marks
				if t.mark.Type != "" {
					inner = f.mc.withMark(marks, t.mark)
				}
				stack = append(stack, emitFrame{inner, t.partner, false})
				marks = inner
			} else {
				emitRaw(ic, s[t.a:t.b], marks)
			}
		case ftOpen:
			if t.image {
				f.image(ic, t, marks, allowMedia)
				continue
			}
			inner := marks
			if t.mark.Type != "" {
				inner = f.mc.withLink(marks, t.mark)
			}
			stack = append(stack, emitFrame{inner, t.partner, false})
			marks = inner
		}
	}
	return true
}

func (f *fastConv) image(ic *inlineConv, t *ftok, marks []Mark, allowMedia bool) {
	alt := ""
	if t.alt != "" {
		sub := &inlineConv{c: &f.mc, from: -1}
		sub.addRaw([]byte(t.alt), nil)
		alt = plainText(sub.finish())
	}
	ic.addImage(t.dest, alt, t.str, marks, allowMedia)
}

// emitRaw adds raw text, turning line ends into soft or hard breaks as
// goldmark's text nodes do.
func emitRaw(ic *inlineConv, seg []byte, marks []Mark) {
	for {
		k := bytes.IndexByte(seg, '\n')
		if k < 0 {
			ic.addRaw(seg, marks)
			return
		}
		part := seg[:k]
		if len(part) >= 1 && part[len(part)-1] == '\\' {
			// A hard break by backslash (backslashBreak): goldmark's text
			// ends before the backslash.
			ic.addRaw(bytes.TrimRight(part[:len(part)-1], " \t"), marks)
			ic.trimTrailingSpace()
			ic.addNode(&Node{Type: "hardBreak"})
		} else if len(part) >= 2 && part[len(part)-1] == ' ' && part[len(part)-2] == ' ' {
			ic.addRaw(bytes.TrimRight(part, " \t"), marks)
			ic.trimTrailingSpace()
			ic.addNode(&Node{Type: "hardBreak"})
		} else {
			ic.addRaw(bytes.TrimRight(part, " \t"), marks)
			ic.addRaw(space, marks)
		}
		seg = seg[k+1:]
	}
}

// The patterns of goldmark's linkify extension (extension/linkify.go),
// which the goldmark path uses unchanged.
var (
	linkifyURLRe = lazyRegexp(`^(?:http|https|ftp)://[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?::\d+)?(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=\(\);,'">\^{}\[\]` + "`" + `]*)?`)
	linkifyWWWRe = lazyRegexp(`^www\.[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-z]+(?:[/#?][-a-zA-Z0-9@:%_\+.~#!?&/=\(\);,'">\^{}\[\]` + "`" + `]*)?`)
)

// linkifyAt is goldmark's linkify for URLs at the start of line: the
// length of the autolink there (0: none) and its href. E-mail addresses
// are not matched; the tokenizer leaves text that may hold one to goldmark.
func linkifyAt(line []byte) (int, string) {
	var m []int
	www := false
	if bytes.HasPrefix(line, []byte("http:")) || bytes.HasPrefix(line, []byte("https:")) || bytes.HasPrefix(line, []byte("ftp:")) {
		m = linkifyURLRe().FindIndex(line)
	}
	if m == nil && bytes.HasPrefix(line, []byte("www.")) {
		m = linkifyWWWRe().FindIndex(line)
		www = true
	}
	if m == nil || m[0] != 0 {
		return 0, ""
	}
	// Trailing punctuation and unbalanced ")" are not part of the link.
	opening := bytes.Count(line[:m[1]], []byte{'('})
	closing := bytes.Count(line[:m[1]], []byte{')'})
	i := m[1]
loop:
	for i > 1 {
		switch line[i-1] {
		case '?', '!', '.', ',', ':', '*', '_', '~':
			i--
		case ')':
			if closing <= opening {
				break loop
			}
			closing--
			i--
		case ';':
			j := i - 2
			for ; j > 0; j-- {
				if util.IsAlphaNumeric(line[j]) {
					continue
				}
				break
			}
			if j == i-2 || line[j] != '&' {
				break loop
			}
			i = j
		default:
			break loop
		}
	}
	if www {
		return i, "http://" + string(line[:i])
	}
	return i, string(line[:i])
}

// The inline HTML tag patterns of goldmark's raw HTML parser
// (parser/raw_html.go). inlineTagLen reads them by hand; FuzzInlineTag
// checks it against them.
var htmlTagRes = sync.OnceValue(func() [2]*regexp.Regexp {
	const tagname = `([A-Za-z][A-Za-z0-9-]*)`
	const spaceOrOneNewline = `(?:[ \t]|(?:\r\n|\n){0,1})`
	const attribute = `(?:[\r\n \t]+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:[\r\n \t]*=[\r\n \t]*(?:[^\"'=<>` + "`" + `\x00-\x20]+|'[^']*'|"[^"]*"))?)`
	return [2]*regexp.Regexp{
		regexp.MustCompile("^<" + tagname + attribute + `*` + spaceOrOneNewline + `*/?>`),
		regexp.MustCompile("^</" + tagname + spaceOrOneNewline + `*>`),
	}
})

// htmlTagAt reads s, which starts with "<", as goldmark's inline parsers
// do: the length of an open or close tag on one line there, 0 for a
// literal "<", and ok=false where the fast path cannot be sure (comments,
// declarations, processing instructions, <...> autolinks, tags that span
// lines).
func htmlTagAt(s []byte) (int, bool) {
	if len(s) < 2 {
		return 0, true
	}
	switch c := s[1]; {
	case c == '!' || c == '?':
		return 0, false
	case c >= '0' && c <= '9':
		return 0, true // no tag name starts with a digit
	case c == '/' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
	default:
		return 0, true
	}
	// goldmark tries <scheme:...> and <e-mail> autolinks first: both need
	// a ":" or "@" before a ">" with no space or "<" in between.
	for _, c := range s[1:] {
		if c == '>' || c == ' ' || c == '<' || c == '\n' || c == '\t' {
			break
		}
		if c == ':' || c == '@' {
			return 0, false
		}
	}
	isClose := s[1] == '/'
	if isClose && (len(s) < 3 || !(s[2] >= 'a' && s[2] <= 'z' || s[2] >= 'A' && s[2] <= 'Z' || s[2] >= '0' && s[2] <= '9')) {
		return 0, true
	}
	n := inlineTagLen(s, isClose) // htmlTagRes's patterns, read by hand
	if n < 0 {
		return 0, true
	}
	if bytes.IndexByte(s[:n], '\n') >= 0 || bytes.Contains(s[:n], []byte("\uFFFD")) {
		// the goldmark path reads an <a> tag whose attributes hold U+FFFD
		// (what invalid UTF-8 becomes) otherwise: leave such tags to it
		return 0, false
	}
	return n, true
}

// htmlPairs pairs the HTML open and close tags among toks as
// inlineConv.pairTags pairs them among an AST node's children: a stack per
// tag name, within the same parent (the emphasis or link that holds the
// tag, or the top level). It maps an open tag's index to its close tag's.
func htmlPairs(s []byte, toks []ftok) map[int]int {
	var pairs map[int]int
	type key struct {
		parent int
		tag    string
	}
	var stacks map[key][]int
	var parents []int // open emphasis and links, innermost last
	for i := range toks {
		for len(parents) > 0 && toks[parents[len(parents)-1]].partner == i {
			parents = parents[:len(parents)-1]
		}
		t := &toks[i]
		switch {
		case t.kind == ftHTML:
			parent := -1
			if len(parents) > 0 {
				parent = parents[len(parents)-1]
			}
			raw := string(s[t.a:t.b])
			if om := htmlOpenTag(raw); om != nil {
				if stacks == nil {
					stacks = map[key][]int{}
					pairs = map[int]int{}
				}
				k := key{parent, strings.ToLower(om[1])}
				stacks[k] = append(stacks[k], i)
			} else if cm := htmlCloseRe().FindStringSubmatch(raw); cm != nil && stacks != nil {
				k := key{parent, strings.ToLower(cm[1])}
				if st := stacks[k]; len(st) > 0 {
					pairs[st[len(st)-1]] = i
					stacks[k] = st[:len(st)-1]
				}
			}
		case t.isOpener && t.partner > i:
			parents = append(parents, i)
		}
	}
	return pairs
}
