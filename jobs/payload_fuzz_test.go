package jobs

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
)

// FuzzDecodePublishPayload: task payloads come from Redis, where anything
// may have been written. Decoding never panics, and what it accepts has a
// valid post id.
func FuzzDecodePublishPayload(f *testing.F) {
	good, _ := marshalPublishPayload(Post{ID: "p-1"})
	f.Add(good)
	f.Add([]byte(`{"v":1,"post":{"post_id":""}}`))
	f.Add([]byte(`{"v":2}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{junk`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePublishPayload(b)
		id, err2 := publishPayloadPostID(b)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("the full and the quick decoder disagree: %v / %v", err, err2)
		}
		if err != nil {
			return
		}
		if checkID("post_id", p.ID) != nil || id != p.ID {
			t.Fatalf("accepted payload with bad post id %q (%q)", p.ID, id)
		}
	})
}

func TestPayloadAccountID(t *testing.T) {
	good, _ := marshalPublishPayload(Post{ID: "p-1", AccountID: "acct-7", Content: publishers.Content{Text: `say "account_id":"evil"`}})
	tests := []struct {
		payload string
		want    string
	}{
		{string(good), "acct-7"},
		// The look-alike comes first: JSON escapes its quotes, so it is
		// not taken for the key.
		{`{"v":1,"post":{"post_id":"p","content":{"text":"say \"account_id\":\"evil\""},"account_id":"acct-7"}}`, "acct-7"},
		{`{"v":1,"post":{"post_id":"p"}}`, ""},
		{`{"account_id":""}`, ""},
		{`{"account_id":"a b"}`, ""},
		{`{"account_id":"unterminated`, ""},
		{`junk`, ""},
	}
	for _, tt := range tests {
		if got := payloadAccountID([]byte(tt.payload)); got != tt.want {
			t.Errorf("payloadAccountID(%s) = %q, want %q", tt.payload, got, tt.want)
		}
	}
}

// FuzzPayloadAccountID: the hint read from a payload Herald wrote is the
// post's own account when that is a valid id and "" otherwise, whatever
// the post's text holds; it is what the token is prefetched for. Raw
// bytes never make it panic.
func FuzzPayloadAccountID(f *testing.F) {
	f.Add("acct-7", `say "account_id":"evil"`, []byte(`{"v":1,"post":{"post_id":"p","account_id":"a"}}`))
	f.Add("", `"account_id":"acct-1"`, []byte(`"account_id":"`))
	f.Add("a b", "", []byte(`{"account_id":"x\"`))
	f.Fuzz(func(t *testing.T, acct, text string, raw []byte) {
		_ = payloadAccountID(raw)
		b, err := marshalPublishPayload(Post{ID: "p", AccountID: acct, Content: publishers.Content{Text: text}})
		if err != nil {
			t.Skip()
		}
		want := acct
		if checkID("account_id", acct) != nil {
			want = ""
		}
		if got := payloadAccountID(b); got != want {
			t.Fatalf("hint %q from %s, want %q", got, b, want)
		}
	})
}
