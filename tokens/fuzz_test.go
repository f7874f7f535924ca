package tokens

import (
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// FuzzRecordDecode: whatever sits in Redis under a token key, decoding and
// opening it returns an error or a token, never a panic.
func FuzzRecordDecode(f *testing.F) {
	ring, _ := ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	r := &record{Account: "a", Platform: "youtube", Rev: "r", Status: StatusActive}
	r.seal(ring, &oauth2.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Unix(1e9, 0)})
	f.Add("1", "youtube", "active", "k1", string(r.Sealed), "1000000000000", "3")
	f.Add("1", "youtube", "active", "k9", string(r.Sealed), "", "")
	f.Add("1", "youtube", "active", "k1", string(r.Sealed[:10]), "x", "1")
	f.Add("2", "", "weird", "", "", "", "")
	f.Fuzz(func(t *testing.T, v, platform, status, kid, sealed, expiry, version string) {
		h := map[string]string{"v": v, "platform": platform, "status": status, "kid": kid, "sealed": sealed, "expiry": expiry, "version": version}
		rec, err := decodeRecord("a", h)
		if err != nil {
			return
		}
		tok, err := rec.open(ring)
		if err == nil && tok == nil {
			t.Fatal("no error and no token")
		}
	})
}
