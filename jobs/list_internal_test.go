package jobs

import (
	"testing"
)

// statusOf and decodeRecord read the same fields into a PostStatus.
func TestStatusOfAgreesWithDecodeRecord(t *testing.T) {
	h := map[string]string{"post": `{"post_id":"p"}`}
	for i, f := range statusFields {
		h[f] = "1" + string(rune('0'+i%10))
	}
	h["state"] = "published"
	rec, err := decodeRecord("p", h)
	if err != nil {
		t.Fatal(err)
	}
	if got := statusOf("p", h); got != rec.PostStatus {
		t.Errorf("statusOf = %+v\ndecodeRecord = %+v", got, rec.PostStatus)
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
