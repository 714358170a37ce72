package report

import (
	"strconv"
	"strings"
	"unicode"
)

// zwsp is a zero-width space. Mentions, issue references and bare URLs are
// linked by GitHub after markdown is rendered, on the text itself, so a
// backslash (which markdown consumes) cannot stop them; an invisible
// character between "@" and a name, "#" and a number, or "://" and a host
// does, and a reader sees the text unchanged.
const zwsp = "\u200b"

// mdSpecial are the characters markdown (GitHub's included: "~" strikes
// through, "$" starts maths) or an HTML sanitizer reads as syntax anywhere
// in a line. Backslash-escaped, each shows as itself.
const mdSpecial = "\\`*_[]<>|&~#$"

// mdText is the one escaper for text the tool did not write (plan names,
// field labels, messages that quote plans, reasons, explanations, paths,
// error messages about proposed rules) wherever it lands in markdown:
// report's markdown format, and the review's summary, body and line
// comments. It returns one line that renders as the text itself:
//
//   - no link or image: "[", "]" and "<" are escaped, so neither
//     [text](url), ![alt](url), reference links nor <http://...> autolinks
//     form, and a bare URL or www. address is broken by an invisible space;
//   - no mention or reference: "@" and "#" followed by a name or number
//     get an invisible space, so @team, @org/team and #12 stay text and
//     nobody is notified;
//   - no HTML: "<" and "&" are escaped, so neither tags nor entities (which
//     could spell an "@") survive;
//   - no heading, list, quote, rule or code block: line breaks become
//     <br>, "#" and ">" are escaped, and a leading "-", "+", "=" or "1." is
//     escaped too, for a template that starts a line with the text;
//   - no formatting that could spill over a table cell: "*", "_", "~",
//     "`", "$" and "|" are escaped;
//   - control and invisible format characters (bidirectional overrides
//     included) are shown as escapes, tabs as spaces.
//
// Text the tool writes itself (headings, tables, owners mentioned from the
// base's CODEOWNERS) is never passed through it; everything else must be.
func mdText(s string) string {
	// Leading blanks and line breaks would indent a code block or open an
	// empty line where a template starts a line with the text.
	s = strings.TrimLeftFunc(strings.ReplaceAll(s, "\r\n", "\n"), unicode.IsSpace)
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i, c := range rs {
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case c == '\n' || c == '\r':
			b.WriteString("<br>")
		case c == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(c) || unicode.Is(unicode.Cf, c):
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
		case c == '@':
			b.WriteString("@" + zwsp)
		case c == '#':
			b.WriteString(`\#`)
			if isWord(next) {
				b.WriteString(zwsp)
			}
		case strings.ContainsRune(mdSpecial, c):
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == ':' && hasPrefixAt(rs, i+1, "//"):
			b.WriteString(":" + zwsp)
		case c == '.' && hasSuffixFold(rs[:i], "www"),
			c == '-' && hasSuffixFold(rs[:i], "gh") && unicode.IsDigit(next):
			// www.example.org and GH-12 link without any markup.
			b.WriteString(zwsp)
			b.WriteRune(c)
		case i == 0 && strings.ContainsRune("-+=", c):
			b.WriteByte('\\')
			b.WriteRune(c)
		case (c == '.' || c == ')') && leadingDigits(rs[:i]):
			// "1." or "1)" first on a line starts an ordered list.
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mdCode shows untrusted text in a monospace font. Markdown's code spans
// cannot hold every string safely (a backtick in the text ends them), so the
// text is escaped as any other and wrapped in <code>, which GitHub keeps.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "<code>" + mdText(s) + "</code>"
}

func isWord(c rune) bool { return c == '_' || unicode.IsLetter(c) || unicode.IsDigit(c) }

func hasPrefixAt(rs []rune, i int, prefix string) bool {
	for _, p := range prefix {
		if i >= len(rs) || rs[i] != p {
			return false
		}
		i++
	}
	return true
}

func hasSuffixFold(rs []rune, suffix string) bool {
	n := len([]rune(suffix))
	return len(rs) >= n && strings.EqualFold(string(rs[len(rs)-n:]), suffix)
}

// leadingDigits reports whether rs is one to nine ASCII digits, the most an
// ordered list marker takes.
func leadingDigits(rs []rune) bool {
	if len(rs) == 0 || len(rs) > 9 {
		return false
	}
	for _, c := range rs {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
