package deauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
)

// FuzzParseSignedRequest: whatever Meta's callback is sent, parsing
// returns a verified payload or an error that is ErrInvalid, never a
// panic; and no input verifies without the secret.
func FuzzParseSignedRequest(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(deauthtest.SignedRequest(metaSecret, deauthtest.MetaPayload("10234", now)))
	f.Add(deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "HMAC-SHA256", "user_id": 5, "issued_at": 1.5}))
	f.Add(deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "none"}))
	f.Add(deauthtest.SignedRequest("other", deauthtest.MetaPayload("1", now)))
	f.Add("a.b")
	f.Add("....")
	f.Add("")
	f.Fuzz(func(t *testing.T, signed string) {
		sr, err := deauth.ParseSignedRequest(signed, metaSecret)
		if err != nil {
			if !errors.Is(err, deauth.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			if strings.Contains(err.Error(), metaSecret) {
				t.Fatal("the error shows the secret")
			}
			return
		}
		if sr.UserID == "" || sr.Algorithm != "HMAC-SHA256" || sr.IssuedAt.IsZero() {
			t.Fatalf("accepted %+v", sr)
		}
		if _, err := deauth.ParseSignedRequest(signed, "not-the-secret"); err == nil {
			t.Fatal("verified under another secret")
		}
	})
}

// FuzzParseTikTokWebhook: any header and body give an event or
// ErrInvalid, never a panic; and nothing verifies without the secret.
func FuzzParseTikTokWebhook(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	body := deauthtest.TikTokBody(tiktokKey, "open-1", 1, now)
	f.Add(deauthtest.TikTokSignature(tiktokSecret, now, body), body)
	f.Add("t=1800000000,s=00", []byte("{}"))
	f.Add("t=,s=,t=", []byte(`{"event":"authorization.removed","content":"{\"reason\":\"x\"}"}`))
	f.Add("", []byte(nil))
	public := []byte(`{"client_key":"` + tiktokKey + `","event":"post.publish.publicly_available","create_time":1800000000,"user_openid":"open-1","content":"{\"publish_id\":\"v_pub~1\",\"post_id\":\"7300000000000000001\"}"}`)
	f.Add(deauthtest.TikTokSignature(tiktokSecret, now, public), public)
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		ev, err := deauth.ParseTikTokWebhook(sig, body, tiktokSecret, now, 5*time.Minute)
		if err != nil {
			if !errors.Is(err, deauth.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if ev.Event == "" || (ev.Event == deauth.TikTokAuthorizationRemoved && ev.UserOpenID == "") {
			t.Fatalf("accepted %+v", ev)
		}
		if _, err := deauth.ParseTikTokWebhook(sig, body, "not-the-secret", now, 5*time.Minute); err == nil {
			t.Fatal("verified under another secret")
		}
	})
}

// FuzzVerifyRISC: any body posted to the RISC receiver gives a verified
// token or an error, never a panic.
func FuzzVerifyRISC(f *testing.F) {
	iss := deauthtest.NewIssuer(clientID)
	defer iss.Close()
	v, err := deauth.NewRISC(deauth.RISCOptions{
		JWKSURL: iss.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{clientID},
		MinRefetch: time.Hour,
	})
	if err != nil {
		f.Fatal(err)
	}
	valid := iss.SET(deauth.RISCTokensRevoked, "google-sub-1")
	f.Add(valid)
	f.Add(iss.Forge(iss.Claims(deauth.RISCAccountPurged, "s")))
	f.Add(iss.SET(deauth.RISCVerification, ""))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c.d.e")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		se, err := v.Verify(context.Background(), token)
		if err != nil {
			if !errors.Is(err, deauth.ErrInvalid) && !errors.Is(err, deauth.ErrUnavailable) {
				t.Fatalf("error %v is neither ErrInvalid nor ErrUnavailable", err)
			}
			return
		}
		// No check that only the valid seeds verify: base64 decoding
		// skips CR and LF, so a valid token with a newline inside it
		// verifies too (the same signed bytes, so no forgery).
		if se.ID == "" || len(se.Events) == 0 {
			t.Fatalf("accepted %+v", se)
		}
	})
}
