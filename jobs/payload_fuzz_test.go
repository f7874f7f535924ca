package jobs

import (
	"encoding/json"
	"testing"
)

// FuzzDecodePublishPayload: task payloads come from Redis, where anything
// may have been written. Decoding never panics, and what it accepts has a
// valid post id.
func FuzzDecodePublishPayload(f *testing.F) {
	good, _ := json.Marshal(publishPayload{V: payloadVersion, Post: Post{ID: "p-1"}})
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
