package linkedin_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestCommentaryKeepsMentions(t *testing.T) {
	tests := []struct{ in, want, shown string }{
		{"Thanks @[Acme](urn:li:organization:2414183)!", `Thanks @[Acme](urn:li:organization:2414183)!`, "Thanks Acme!"},
		{"@[Ada Lovelace](urn:li:person:8675309abc) (host) #launch", `@[Ada Lovelace](urn:li:person:8675309abc) \(host\) #launch`, "Ada Lovelace (host) #launch"},
		{"two: @[A](urn:li:person:a1)@[B](urn:li:organization:2)", `two: @[A](urn:li:person:a1)@[B](urn:li:organization:2)`, "two: AB"},
		// Not mentions: other URNs, reserved characters in the name, a
		// bare @: escaped, shown as written.
		{"@[Acme](urn:li:share:1)", `\@\[Acme\]\(urn:li:share:1\)`, "@[Acme](urn:li:share:1)"},
		{"@[A_b](urn:li:person:x)", `\@\[A\_b\]\(urn:li:person:x\)`, "@[A_b](urn:li:person:x)"},
		{"@ada", `\@ada`, "@ada"},
		{"no mention (here)", `no mention \(here\)`, "no mention (here)"},
	}
	for _, tt := range tests {
		got := linkedin.Commentary(tt.in)
		if got != tt.want {
			t.Errorf("Commentary(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if shown, err := linkedintest.ParseLittle(got); err != nil || shown != tt.shown {
			t.Errorf("LinkedIn shows %q (%v) for %q, want %q", shown, err, got, tt.shown)
		}
	}
	if got := linkedin.Mentions("hi @[A](urn:li:person:a1) and @[B](urn:li:organization:2)"); !slices.Equal(got, []string{"urn:li:person:a1", "urn:li:organization:2"}) {
		t.Errorf("Mentions = %v", got)
	}
}

// shownMention is the grammar of a kept mention, written out again.
var shownMention = regexp.MustCompile(`@\[([^\\|{}@\[\]()<>#*_~\n]{1,100})\]\(urn:li:(?:person:[A-Za-z0-9_-]{1,64}|organization:[0-9]{1,20})\)`)

func FuzzCommentary(f *testing.F) {
	for _, s := range []string{"", "@[A](urn:li:person:1)", "x @[B](urn:li:organization:2) #t", linkedin.Reserved, "@[](urn:li:person:1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		c := linkedin.Commentary(s)
		shown, err := linkedintest.ParseLittle(c)
		if err != nil {
			t.Fatalf("LinkedIn's grammar rejects %q (from %q): %v", c, s, err)
		}
		// What shows is the text with each kept mention replaced by
		// its name.
		want := shownMention.ReplaceAllString(s, "$1")
		if shown != want {
			t.Fatalf("%q shows %q, want %q", c, shown, want)
		}
		if strings.Count(c, "@")-strings.Count(c, `\@`) != len(linkedin.Mentions(s)) {
			t.Fatalf("%q: unescaped @ other than the mentions", c)
		}
	})
}

func TestMentionReachesThePost(t *testing.T) {
	e := start(t)
	if _, err := e.p.Publish(context.Background(), request(&memory{}, org, "Welcome @[Ada](urn:li:person:8675309abc) (finally)")); err != nil {
		t.Fatal(err)
	}
	p := e.srv.Posts()[0]
	if p.Commentary != `Welcome @[Ada](urn:li:person:8675309abc) \(finally\)` || p.Text != "Welcome Ada (finally)" {
		t.Errorf("post %q shows %q", p.Commentary, p.Text)
	}
}
