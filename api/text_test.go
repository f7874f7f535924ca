package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Text that is not valid Unicode is refused with 400 naming the field,
// not stored with U+FFFD in its place.
func TestInvalidTextIsRefusedNamingTheField(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	body := func(content string) string {
		return fmt.Sprintf(`{"post_id":"p1","account_id":"acct-1","platform":"youtube","publish_at":%q,"content":%s}`, at, content)
	}
	tests := []struct{ name, content, field string }{
		{"text, invalid byte", "{\"text\":\"caf\xe9\"}", "content.text"},
		{"text, lone high surrogate", `{"text":"a\ud800b"}`, "content.text"},
		{"text, lone low surrogate", `{"text":"a\udc00"}`, "content.text"},
		{"title, truncated sequence", "{\"title\":\"\xe2\x82\",\"text\":\"x\"}", "content.title"},
		{"option value", "{\"text\":\"x\",\"options\":{\"privacy\":\"pub\xfflic\"}}", "content.options.privacy"},
		{"option name", "{\"text\":\"x\",\"options\":{\"pri\xffvacy\":\"public\"}}", "content.options.pri\ufffdvacy"},
		{"media url", "{\"media\":[{\"url\":\"https://cdn.example/a.jpg\",\"kind\":\"image\"},{\"url\":\"https://cdn.example/\xc0.jpg\",\"kind\":\"image\"}]}", "content.media[1].url"},
	}
	for _, tt := range tests {
		r := f.do("POST", "/v1/posts", body(tt.content))
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tt.name, r.status, r.body)
			continue
		}
		if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
			t.Errorf("%s: fields %+v, want %s", tt.name, e.Fields, tt.field)
		}
	}
	// Valid text passes, escaped or not: a surrogate pair, and a
	// backslash followed by what only looks like an escape.
	for i, content := range []string{`{"text":"\ud83d\ude00 caf\u00e9"}`, `{"text":"C:\\ud800 is a path"}`, "{\"text\":\"café 😀\"}"} {
		r := f.do("POST", "/v1/posts", fmt.Sprintf(`{"post_id":"ok%d","account_id":"acct-1","platform":"youtube","publish_at":%q,"content":%s}`, i, at, content))
		expect(t, r, http.StatusCreated)
	}
}

// FuzzBadTextField: any body is walked without a panic, and a body that
// is valid Unicode throughout is never blamed.
func FuzzBadTextField(f *testing.F) {
	f.Add([]byte(`{"a":["b",{"c":"\ud800"}],"d":1}`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		field, bad := badTextField(b)
		if bad && validLiteral(b) {
			t.Errorf("badTextField(%q) blamed %q in valid text", b, field)
		}
	})
}
