package deauth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
)

func codeOf(err error) string {
	var ie *deauth.InvalidError
	if errors.As(err, &ie) {
		return ie.Code
	}
	return ""
}

func TestParseSignedRequest(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	valid := deauthtest.SignedRequest(metaSecret, deauthtest.MetaPayload("fb-user-1", now))
	sig, payload, _ := strings.Cut(valid, ".")
	other := deauthtest.SignedRequest("another-secret", deauthtest.MetaPayload("fb-user-1", now))
	sha1 := deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "HMAC-SHA1", "issued_at": now.Unix(), "user_id": "1"})
	noUser := deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": now.Unix()})
	noTime := deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "HMAC-SHA256", "user_id": "1"})
	numeric := deauthtest.SignedRequest(metaSecret, map[string]any{"algorithm": "HMAC-SHA256", "issued_at": now.Unix(), "user_id": 10234})
	notJSON := deauthtest.SignedRequestRaw(metaSecret, []byte("not json"))
	tampered := sig + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"algorithm":"HMAC-SHA256","issued_at":1800000000,"user_id":"victim"}`))

	for _, tc := range []struct {
		name    string
		signed  string
		secrets []string
		user    string // want, when valid
		code    string // want, when invalid
		err     error
	}{
		{"valid", valid, []string{metaSecret}, "fb-user-1", "", nil},
		{"padded signature", sig + "=." + payload, []string{metaSecret}, "fb-user-1", "", nil},
		{"second secret", valid, []string{"old-secret", metaSecret}, "fb-user-1", "", nil},
		{"numeric user id", numeric, []string{metaSecret}, "10234", "", nil},
		{"forged: another secret", other, []string{metaSecret}, "", deauth.CodeAuthenticationFailed, deauth.ErrInvalid},
		{"forged: payload swapped", tampered, []string{metaSecret}, "", deauth.CodeAuthenticationFailed, deauth.ErrInvalid},
		{"forged: signature flipped", flip(sig) + "." + payload, []string{metaSecret}, "", deauth.CodeAuthenticationFailed, deauth.ErrInvalid},
		{"algorithm other than HMAC-SHA256", sha1, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"no user id", noUser, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"no issued_at", noTime, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"payload not JSON", notJSON, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"empty", "", []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"one part", payload, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"signature not base64", "!!!." + payload, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"signature too short", "AAAA." + payload, []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"too long", valid + strings.Repeat("A", 9000), []string{metaSecret}, "", deauth.CodeInvalidRequest, deauth.ErrInvalid},
		{"no secret", valid, nil, "", "", deauth.ErrNotConfigured},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sr, err := deauth.ParseSignedRequest(tc.signed, tc.secrets...)
			if tc.err == nil {
				if err != nil || sr.UserID != tc.user || sr.Algorithm != "HMAC-SHA256" || !sr.IssuedAt.Equal(now) {
					t.Fatalf("= %+v, %v", sr, err)
				}
				return
			}
			if !errors.Is(err, tc.err) || codeOf(err) != tc.code {
				t.Fatalf("err %v (code %q), want %v (code %q)", err, codeOf(err), tc.err, tc.code)
			}
			if strings.Contains(err.Error(), metaSecret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}
}

func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

func TestParseTikTokWebhook(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := deauthtest.TikTokBody(tiktokKey, "open-id-1", 1, now)
	sig := deauthtest.TikTokSignature(tiktokSecret, now, body)
	other := []byte(strings.Replace(string(body), "open-id-1", "open-id-2", 1))
	video := []byte(`{"client_key":"k","event":"video.publish.completed","create_time":1800000000,"user_openid":"o","content":"{}"}`)
	noUser := []byte(`{"client_key":"k","event":"authorization.removed","create_time":1800000000,"content":"{}"}`)
	for _, tc := range []struct {
		name string
		sig  string
		body []byte
		at   time.Time
		code string
	}{
		{"valid", sig, body, now, ""},
		{"valid, received late within tolerance", sig, body, now.Add(4 * time.Minute), ""},
		{"other event", deauthtest.TikTokSignature(tiktokSecret, now, video), video, now, ""},
		{"forged: another secret", deauthtest.TikTokSignature("other", now, body), body, now, deauth.CodeAuthenticationFailed},
		{"forged: body changed", sig, other, now, deauth.CodeAuthenticationFailed},
		{"forged: time changed", strings.Replace(sig, "t=1800000000", "t=1800000999", 1), body, now.Add(999 * time.Second), deauth.CodeAuthenticationFailed},
		{"replayed later", sig, body, now.Add(time.Hour), deauth.CodeExpired},
		{"from the future", sig, body, now.Add(-time.Hour), deauth.CodeExpired},
		{"no header", "", body, now, deauth.CodeInvalidRequest},
		{"no signature", "t=1800000000", body, now, deauth.CodeInvalidRequest},
		{"no time", strings.TrimPrefix(sig, "t=1800000000,"), body, now, deauth.CodeInvalidRequest},
		{"signature not hex", "t=1800000000,s=zz", body, now, deauth.CodeInvalidRequest},
		{"time not a number", "t=soon,s=" + strings.Repeat("0", 64), body, now, deauth.CodeInvalidRequest},
		{"body not JSON", deauthtest.TikTokSignature(tiktokSecret, now, []byte("{")), []byte("{"), now, deauth.CodeInvalidRequest},
		{"removed without user", deauthtest.TikTokSignature(tiktokSecret, now, noUser), noUser, now, deauth.CodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := deauth.ParseTikTokWebhook(tc.sig, tc.body, tiktokSecret, tc.at, 5*time.Minute)
			if tc.code == "" {
				if err != nil || ev.Event == "" {
					t.Fatalf("= %+v, %v", ev, err)
				}
				return
			}
			if !errors.Is(err, deauth.ErrInvalid) || codeOf(err) != tc.code {
				t.Fatalf("err %v (code %q), want code %q", err, codeOf(err), tc.code)
			}
		})
	}
	ev, err := deauth.ParseTikTokWebhook(sig, body, tiktokSecret, now, time.Minute)
	if err != nil || ev.UserOpenID != "open-id-1" || ev.Reason != 1 || ev.ClientKey != tiktokKey || !ev.CreateTime.Equal(now) {
		t.Errorf("= %+v, %v", ev, err)
	}
	if _, err := deauth.ParseTikTokWebhook(sig, body, "", now, time.Minute); !errors.Is(err, deauth.ErrNotConfigured) {
		t.Errorf("without a secret: %v", err)
	}
}

func TestVerifyRISC(t *testing.T) {
	iss := deauthtest.NewIssuer(clientID)
	defer iss.Close()
	now := time.Now()
	v, err := deauth.NewRISC(deauth.RISCOptions{
		JWKSURL: iss.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{clientID},
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := func(mod func(map[string]any)) map[string]any {
		c := iss.Claims(deauth.RISCAccountDisabled, "google-sub-1")
		if mod != nil {
			mod(c)
		}
		return c
	}
	hs256 := "eyJhbGciOiJIUzI1NiIsImtpZCI6InRlc3Qta2V5LTEifQ.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20vIn0.c2lnbmF0dXJl"
	none := "eyJhbGciOiJub25lIiwia2lkIjoidGVzdC1rZXktMSJ9.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20vIn0."
	for _, tc := range []struct {
		name  string
		token string
		code  string
	}{
		{"valid", iss.Sign(claims(nil)), ""},
		{"audience among several", iss.Sign(claims(func(c map[string]any) { c["aud"] = []string{"x", clientID} })), ""},
		{"forged signature", iss.Forge(claims(nil)), deauth.CodeAuthenticationFailed},
		{"unpublished key", iss.SignUnpublished(claims(nil)), deauth.CodeInvalidKey},
		{"other issuer", iss.Sign(claims(func(c map[string]any) { c["iss"] = "https://evil.example/" })), deauth.CodeInvalidIssuer},
		{"other audience", iss.Sign(claims(func(c map[string]any) { c["aud"] = "someone-else" })), deauth.CodeInvalidAudience},
		{"too old", iss.Sign(claims(func(c map[string]any) { c["iat"] = now.Add(-2 * time.Hour).Unix() })), deauth.CodeExpired},
		{"expired", iss.Sign(claims(func(c map[string]any) { c["exp"] = now.Add(-time.Hour).Unix() })), deauth.CodeExpired},
		{"from the future", iss.Sign(claims(func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() })), deauth.CodeInvalidRequest},
		{"no iat", iss.Sign(claims(func(c map[string]any) { delete(c, "iat") })), deauth.CodeInvalidRequest},
		{"no jti", iss.Sign(claims(func(c map[string]any) { delete(c, "jti") })), deauth.CodeInvalidRequest},
		{"no events", iss.Sign(claims(func(c map[string]any) { c["events"] = map[string]any{} })), deauth.CodeInvalidRequest},
		{"event not an object", iss.Sign(claims(func(c map[string]any) { c["events"] = map[string]any{"x": 3} })), deauth.CodeInvalidRequest},
		{"HS256", hs256, deauth.CodeInvalidRequest},
		{"alg none", none, deauth.CodeInvalidRequest},
		{"garbage", "not.a.jwt", deauth.CodeInvalidRequest},
		{"empty", "", deauth.CodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			se, err := v.Verify(context.Background(), tc.token)
			if tc.code == "" {
				if err != nil || se.ID == "" || len(se.Events) != 1 || se.Events[0].Subject != "google-sub-1" ||
					se.Events[0].SubjectType != "iss-sub" || se.Events[0].ShortType() != "account-disabled" {
					t.Fatalf("= %+v, %v", se, err)
				}
				return
			}
			if !errors.Is(err, deauth.ErrInvalid) || codeOf(err) != tc.code {
				t.Fatalf("err %v (code %q), want code %q", err, codeOf(err), tc.code)
			}
		})
	}
}

func TestRISCKeysAreCachedAndRefetchedOnRotation(t *testing.T) {
	iss := deauthtest.NewIssuer(clientID)
	defer iss.Close()
	now := time.Now()
	clock := func() time.Time { return now }
	iss.Now = clock
	v, err := deauth.NewRISC(deauth.RISCOptions{
		JWKSURL: iss.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{clientID},
		MinRefetch: time.Minute, KeysTTL: time.Hour, Now: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	verify := func() error {
		_, err := v.Verify(ctx, iss.SET(deauth.RISCTokensRevoked, "google-sub-1"))
		return err
	}
	for range 5 {
		if err := verify(); err != nil {
			t.Fatal(err)
		}
	}
	if n := iss.Fetches(); n != 1 {
		t.Errorf("5 tokens fetched the keys %d times, want 1", n)
	}
	// Tokens naming unknown keys: one fetch a minute at most.
	for range 5 {
		if _, err := v.Verify(ctx, iss.SignUnpublished(iss.Claims(deauth.RISCTokensRevoked, "s"))); !errors.Is(err, deauth.ErrInvalid) {
			t.Fatalf("unpublished key: %v", err)
		}
	}
	if n := iss.Fetches(); n != 1 {
		t.Errorf("unknown keys within MinRefetch fetched %d times, want 1", n)
	}
	// Google rotates: the first token with the new key fetches again.
	now = now.Add(2 * time.Minute)
	iss.Rotate()
	if err := verify(); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if n := iss.Fetches(); n != 2 {
		t.Errorf("fetches after rotation %d, want 2", n)
	}
	// Keys past their TTL are fetched again; while Google is down the
	// ones in hand still serve.
	now = now.Add(2 * time.Hour)
	iss.SetDown(true)
	if err := verify(); err != nil {
		t.Fatalf("stale keys with the key server down: %v", err)
	}
	if n := iss.Fetches(); n != 3 {
		t.Errorf("fetches after the TTL %d, want 3", n)
	}
}

func TestRISCWithoutKeysIsUnavailable(t *testing.T) {
	iss := deauthtest.NewIssuer(clientID)
	defer iss.Close()
	iss.SetDown(true)
	v, err := deauth.NewRISC(deauth.RISCOptions{JWKSURL: iss.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{clientID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), iss.SET(deauth.RISCTokensRevoked, "s")); !errors.Is(err, deauth.ErrUnavailable) {
		t.Errorf("key server down: %v, want ErrUnavailable", err)
	}
	for _, o := range []deauth.RISCOptions{
		{JWKSURL: "certs", Issuer: "i", Audiences: []string{"a"}},
		{JWKSURL: iss.JWKSURL(), Audiences: []string{"a"}},
		{JWKSURL: iss.JWKSURL(), Issuer: "i"},
	} {
		if _, err := deauth.NewRISC(o); err == nil {
			t.Errorf("NewRISC(%+v) accepted", o)
		}
	}
}
