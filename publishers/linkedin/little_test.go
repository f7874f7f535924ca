package linkedin_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\`, `\\`},
		{`|`, `\|`},
		{`{`, `\{`},
		{`}`, `\}`},
		{`@`, `\@`},
		{`[`, `\[`},
		{`]`, `\]`},
		{`(`, `\(`},
		{`)`, `\)`},
		{`<`, `\<`},
		{`>`, `\>`},
		{`#`, `\#`},
		{`*`, `\*`},
		{`_`, `\_`},
		{`~`, `\~`},
		{"plain text, punctuation: ok! ¿sí? 100% & $5 \"quoted\" 'single' /slash/ ^caret^ `tick`", "plain text, punctuation: ok! ¿sí? 100% & $5 \"quoted\" 'single' /slash/ ^caret^ `tick`"},
		{"line one\nline two\r\n\ttabbed", "line one\nline two\r\n\ttabbed"},
		{"emoji 🚀 and ünïcödé", "emoji 🚀 and ünïcödé"},
		{"#launch day", "#launch day"},
		{"a #tag, #Tag2 and #日本", "a #tag, #Tag2 and #日本"},
		{"(#tag)", `\(#tag\)`},
		{"#my_tag", `#my\_tag`},
		{"C# and F#", `C\# and F\#`},
		{"a#b", `a\#b`},
		{"##double", `\#\#double`},
		{"# heading", `\# heading`},
		{"#", `\#`},
		{"&#39;", `&\#39;`},
		{"https://example.com/#top", `https://example.com/\#top`},
		{"https://example.com/a_b(c)?x=[1]", `https://example.com/a\_b\(c\)?x=\[1\]`},
		{"@[Acme](urn:li:organization:1)", `\@\[Acme\]\(urn:li:organization:1\)`},
		{"{hashtag|#|x}", `\{hashtag\|\#\|x\}`},
		{`already \_ escaped`, `already \\\_ escaped`},
		{"<b>*bold*</b> ~strike~", `\<b\>\*bold\*\</b\> \~strike\~`},
		{"", ""},
	}
	covered := map[rune]bool{}
	for _, tt := range tests {
		got := linkedin.EscapeText(tt.in)
		if got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		shown, err := linkedintest.ParseLittle(got)
		if err != nil || shown != tt.in {
			t.Errorf("LinkedIn shows %q (%v) for %q, want the text unchanged", shown, err, got)
		}
		if utf8.RuneCountInString(tt.in) == 1 {
			covered[[]rune(tt.in)[0]] = true
		}
	}
	for _, r := range linkedin.Reserved {
		if !covered[r] {
			t.Errorf("reserved %q has no case of its own", r)
		}
	}
}

func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"", "hello", linkedin.Reserved, "#tag #_x C# a\\#b", "@[x](urn:li:person:1)", "{hashtag|#|x}", "#日本語 #١٢٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // JSON would have replaced it before LinkedIn saw it
		}
		esc := linkedin.EscapeText(s)
		shown, err := linkedintest.ParseLittle(esc)
		if err != nil {
			t.Fatalf("LinkedIn's grammar rejects %q (from %q): %v", esc, s, err)
		}
		if shown != s {
			t.Fatalf("%q shows %q, want %q", esc, shown, s)
		}
		if strings.Count(esc, "@") != strings.Count(esc, `\@`) {
			t.Fatalf("%q has an unescaped @", esc)
		}
	})
}
