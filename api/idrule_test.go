package api

import (
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald/input"
)

// TestDocumentedIDPatternIsTheIDRule: every id pattern openapi.json gives
// apps (path ids, account_id, post_id) accepts exactly what input.CheckID
// accepts, so a client that validates against the document and Herald
// agree.
func TestDocumentedIDPatternIsTheIDRule(t *testing.T) {
	patterns := regexp.MustCompile(`"pattern": "(\^\[A-Za-z0-9[^"]*)"`).FindAllStringSubmatch(string(openAPI), -1)
	if len(patterns) < 3 {
		t.Fatalf("found %d id patterns in openapi.json, want the path ids and the body ids", len(patterns))
	}
	ids := []string{"", "a", "post-1", "acme:post:42", "a.b_c-D", "has space", "a/b", "é", "a\nb",
		strings.Repeat("x", input.MaxIDLen), strings.Repeat("x", input.MaxIDLen+1)}
	for _, m := range patterns {
		re, err := regexp.Compile(m[1])
		if err != nil {
			t.Fatalf("pattern %s: %v", m[1], err)
		}
		for _, id := range ids {
			if got, want := re.MatchString(id), input.ValidID(id); got != want {
				t.Errorf("pattern %s matches %q: %v, but input.ValidID says %v", m[1], id, got, want)
			}
		}
	}
}

// TestPathIDUsesTheIDRule: a bad id in the path is a 400 naming the field
// with the rule's own words, before any lookup.
func TestPathIDUsesTheIDRule(t *testing.T) {
	for _, id := range []string{"has space", strings.Repeat("x", input.MaxIDLen+1)} {
		p := checkID("post_id", id)
		if p == nil {
			t.Fatalf("checkID(%q) = nil", id)
		}
		want := input.CheckID("post_id", id)
		if len(p.fields) != 1 || p.fields[0] != (fieldProblem{want.Field, want.Problem}) {
			t.Errorf("checkID(%q) fields %v, want %v", id, p.fields, want)
		}
	}
	if p := checkID("post_id", "post-1"); p != nil {
		t.Errorf("checkID(post-1) = %v", p)
	}
}
