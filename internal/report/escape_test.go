package report

import (
	"strings"
	"testing"
)

func TestMdText(t *testing.T) {
	const z = zwsp
	tests := []struct{ name, in, want string }{
		{"plain", "plain £500k (3.6%)", "plain £500k (3.6%)"},
		{"pipe", "a | b", `a \| b`},
		{"line breaks", "line\nbreak\r\nand\rcr", "line<br>break<br>and<br>cr"},
		{"tag", "<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"formatting", "non_elective *x* [l](u) `c`", "non\\_elective \\*x\\* \\[l\\](u) \\`c\\`"},
		{"backslash and entity", `back\slash &amp;`, `back\\slash \&amp;`},
		{"entity spelling @", "&#64;team", `\&\#` + z + `64;team`},
		{"control", "esc\x1b", `esc\x1b`},
		{"bidi override", "a\u202eb", `a\u202eb`},
		{"mention", "ask @team", "ask @" + z + "team"},
		{"team mention", "@triangulate-nhs/regulators", "@" + z + "triangulate-nhs/regulators"},
		{"email", "a@b.example", "a@" + z + "b.example"},
		{"link", "[x](https://e.example)", `\[x\](https:` + z + `//e.example)`},
		{"image", "![x](https://e.example/i.png)", `!\[x\](https:` + z + `//e.example/i.png)`},
		{"autolink", "<https://e.example>", `\<https:` + z + `//e.example\>`},
		{"bare URL", "see http://e.example", "see http:" + z + "//e.example"},
		{"www", "WWW.e.example", "WWW" + z + ".e.example"},
		{"issue reference", "fixes #12", `fixes \#` + z + "12"},
		{"cross-repository reference", "o/r#12", `o/r\#` + z + "12"},
		{"GH reference", "GH-12", "GH" + z + "-12"},
		{"heading", "# big", `\# big`},
		{"quote", "> q", `\> q`},
		{"bullet", "- item", `\- item`},
		{"plus bullet", "+ item", `\+ item`},
		{"setext underline", "===", `\===`},
		{"ordered list", "12. item", `12\. item`},
		{"ordered list with parenthesis", "3) item", `3\) item`},
		{"number mid-text", "M10. January", "M10. January"},
		{"leading spaces would indent code", "    code", "code"},
		{"fence", "```go", "\\`\\`\\`go"},
		{"tilde fence", "~~~", `\~\~\~`},
		{"maths", "$x^2$", `\$x^2\$`},
		{"tab", "a\tb", "a b"},
		{"minus inside", "a - b", "a - b"},
		{"negative money", "-£7,500k", `\-£7,500k`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mdText(tt.in)
			if got != tt.want {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.ContainsAny(got, "\n\r") {
				t.Errorf("mdText(%q) spans lines: %q", tt.in, got)
			}
			if p := liveMarkup("x " + got); len(p) > 0 {
				t.Errorf("mdText(%q) = %q is live: %v", tt.in, got, p)
			}
		})
	}
}

func TestMdCode(t *testing.T) {
	if got, want := mdCode("a`b@c"), "<code>a\\`b@"+zwsp+"c</code>"; got != want {
		t.Errorf("mdCode = %q, want %q", got, want)
	}
	if got := mdCode(""); got != "" {
		t.Errorf("mdCode(\"\") = %q, want nothing", got)
	}
}
