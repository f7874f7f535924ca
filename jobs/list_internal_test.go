package jobs

import (
	"testing"
)

// A listing reads only statusFields of each record, yet shows what
// PostStatus shows: a field statusOf reads that statusFields lacks (a
// published post's warning, say) would be empty in every listing.
func TestStatusFieldsCoverThePostStatus(t *testing.T) {
	h := map[string]string{"post": `{"post_id":"p"}`, "fp": "x"}
	for i, f := range []string{"account", "platform", "publish_at", "attempts", "remote_id", "url", "published_at",
		"warning", "result_state", "class", "reason", "last_error", "updated_at"} {
		h[f] = "1" + string(rune('0'+i%10))
	}
	h["state"], h["rid_pending"] = "published", "1"
	rec, err := decodeRecord("p", h)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, f := range statusFields {
		listed[f] = h[f]
	}
	if got := statusOf("p", listed); got != rec.PostStatus {
		t.Errorf("listed = %+v\nloaded = %+v", got, rec.PostStatus)
	}
}

// FuzzCursor: a cursor from outside either decodes to what encodes back
// to it, or is refused naming the cursor.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor(indexEntry{Score: 1764979200000, ID: "post-1"}))
	f.Add("")
	f.Add("MTotMTp4")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := decodeCursor(s)
		if err != nil {
			if fe, ok := err.(*FieldError); !ok || fe.Field != "cursor" {
				t.Fatalf("error %v does not name the cursor", err)
			}
			return
		}
		if checkID("post_id", e.ID) != nil {
			t.Fatalf("accepted id %q", e.ID)
		}
		if again, err := decodeCursor(encodeCursor(e)); err != nil || again != e {
			t.Fatalf("round trip of %+v: %+v, %v", e, again, err)
		}
	})
}
