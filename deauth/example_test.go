package deauth_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
)

func ExampleParseSignedRequest() {
	// What Meta posts as the signed_request form field.
	issued := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	signed := deauthtest.SignedRequest("app-secret", deauthtest.MetaPayload("10234", issued))

	sr, err := deauth.ParseSignedRequest(signed, "app-secret")
	fmt.Println(sr.UserID, sr.IssuedAt.UTC().Format(time.RFC3339), err)

	_, err = deauth.ParseSignedRequest(signed, "guessed-secret")
	fmt.Println(err)
	// Output:
	// 10234 2026-11-02T09:00:00Z <nil>
	// meta: signed_request signature does not match the app secret
}

func ExampleParseTikTokWebhook() {
	sent := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	body := deauthtest.TikTokBody("client-key", "open-id-1", 1, sent)
	header := deauthtest.TikTokSignature("client-secret", sent, body)

	ev, err := deauth.ParseTikTokWebhook(header, body, "client-secret", sent.Add(time.Second), 5*time.Minute)
	fmt.Println(ev.Event, ev.UserOpenID, ev.Reason, err)

	_, err = deauth.ParseTikTokWebhook(header, body, "client-secret", sent.Add(time.Hour), 5*time.Minute)
	fmt.Println(err)
	// Output:
	// authorization.removed open-id-1 1 <nil>
	// tiktok: TikTok-Signature time is 1h0m0s away from now, more than 5m0s
}

func ExampleRISC_Verify() {
	google := deauthtest.NewIssuer("my-client-id.apps.googleusercontent.com")
	defer google.Close()
	v, err := deauth.NewRISC(deauth.RISCOptions{
		JWKSURL:   google.JWKSURL(), // https://www.googleapis.com/oauth2/v3/certs in production
		Issuer:    "https://accounts.google.com/",
		Audiences: []string{"my-client-id.apps.googleusercontent.com"},
	})
	if err != nil {
		panic(err)
	}
	se, err := v.Verify(context.Background(), google.SET(deauth.RISCAccountPurged, "109876543210"))
	if err != nil {
		panic(err)
	}
	e := se.Events[0]
	fmt.Println(e.ShortType(), e.SubjectType, e.Subject)
	// Output: account-purged iss-sub 109876543210
}
