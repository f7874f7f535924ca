// Package deauthtest makes the notices the platforms send when a user
// leaves, signed as the platforms sign them: a fake Google Cross-Account
// Protection issuer (an RSA key, its key set served over HTTP, security
// event tokens signed with it), Meta signed requests and TikTok webhook
// signatures. Tests and the demo use it; it does not import deauth.
package deauthtest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/heraldhq/herald/webhook"
)

// GoogleIssuer is the iss of Google's security event tokens.
const GoogleIssuer = "https://accounts.google.com/"

// Issuer is a fake RISC transmitter: it publishes its signing keys at
// JWKSURL and signs security event tokens.
type Issuer struct {
	// Audience is the aud Claims puts in tokens (the app's client id).
	Audience string
	// Now is the clock for iat (default time.Now).
	Now func() time.Time

	srv *httptest.Server

	mu        sync.Mutex
	key       *rsa.PrivateKey
	kid       string
	published []jose.JSONWebKey
	fetches   int
	down      bool
	n         int
}

// NewIssuer starts an issuer whose tokens are for audience. Close it.
func NewIssuer(audience string) *Issuer {
	i := &Issuer{Audience: audience, Now: time.Now}
	i.Rotate()
	i.srv = httptest.NewServer(http.HandlerFunc(i.serveKeys))
	return i
}

// JWKSURL is where the issuer publishes its keys.
func (i *Issuer) JWKSURL() string { return i.srv.URL + "/oauth2/v3/certs" }

// Close stops the key server.
func (i *Issuer) Close() { i.srv.Close() }

// Fetches says how often the key set was fetched.
func (i *Issuer) Fetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches
}

// SetDown makes the key server answer 503 (true) or serve again.
func (i *Issuer) SetDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.down = down
}

// Rotate makes a new signing key and publishes it beside the earlier
// ones; tokens are signed with it from now on.
func (i *Issuer) Rotate() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.n++
	i.key, i.kid = key, "test-key-"+strconv.Itoa(i.n)
	i.published = append(i.published, jose.JSONWebKey{Key: &key.PublicKey, KeyID: i.kid, Algorithm: "RS256", Use: "sig"})
}

func (i *Issuer) serveKeys(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	i.fetches++
	down := i.down
	set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), i.published...)}
	i.mu.Unlock()
	if down || r.URL.Path != "/oauth2/v3/certs" {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

// Claims returns the claims of a token carrying one event of eventType
// about the Google account sub (subject type iss-sub): iss, aud, iat now
// and a fresh jti. Change them before Sign to make a bad token.
func (i *Issuer) Claims(eventType, sub string) map[string]any {
	event := map[string]any{"subject": map[string]any{"subject_type": "iss-sub", "iss": GoogleIssuer, "sub": sub}}
	if sub == "" {
		event = map[string]any{"state": "verify-me"}
	}
	return map[string]any{
		"iss": GoogleIssuer, "aud": i.Audience, "iat": i.Now().Unix(), "jti": randomID(),
		"events": map[string]any{eventType: event},
	}
}

// SET returns a signed token of one event (Claims, then Sign).
func (i *Issuer) SET(eventType, sub string) string { return i.Sign(i.Claims(eventType, sub)) }

// Sign signs claims with the current key, as Google does (RS256, kid,
// typ secevent+jwt).
func (i *Issuer) Sign(claims map[string]any) string {
	i.mu.Lock()
	key, kid := i.key, i.kid
	i.mu.Unlock()
	return sign(key, kid, claims)
}

// Forge signs claims with a key of its own but names the issuer's key:
// the signature does not verify.
func (i *Issuer) Forge(claims map[string]any) string {
	i.mu.Lock()
	kid := i.kid
	i.mu.Unlock()
	return sign(strangerKey(), kid, claims)
}

// SignUnpublished signs claims with a key the issuer never published.
func (i *Issuer) SignUnpublished(claims map[string]any) string {
	return sign(strangerKey(), "unpublished", claims)
}

// strangerKey is the key Forge and SignUnpublished sign with: no issuer
// publishes it. It is made once, on first use, and shared, as making a
// 2048-bit key is slow.
var strangerKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

func sign(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	opts := (&jose.SignerOptions{}).WithType("secevent+jwt").WithHeader("kid", kid)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// MetaPayload is the payload of the signed request Meta posts to the
// deauthorize and data deletion callbacks.
func MetaPayload(userID string, issuedAt time.Time) map[string]any {
	return map[string]any{"algorithm": "HMAC-SHA256", "issued_at": issuedAt.Unix(), "user_id": userID}
}

// SignedRequest signs payload as Meta does: base64url (unpadded) of the
// HMAC-SHA256 of the encoded payload under the app secret, a dot, the
// base64url JSON payload.
func SignedRequest(appSecret string, payload map[string]any) string {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	return SignedRequestRaw(appSecret, b)
}

// SignedRequestRaw signs payload, any bytes, JSON or not, as Meta signs
// the JSON of a signed request: base64url (unpadded) of the HMAC-SHA256
// of the base64url (unpadded) payload under appSecret, a dot, the
// base64url payload.
func SignedRequestRaw(appSecret string, payload []byte) string {
	enc := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(enc))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) + "." + enc
}

// TikTokBody is the body of TikTok's authorization.removed webhook.
func TikTokBody(clientKey, openID string, reason int, at time.Time) []byte {
	content, _ := json.Marshal(map[string]int{"reason": reason})
	b, _ := json.Marshal(map[string]any{
		"client_key": clientKey, "event": "authorization.removed", "create_time": at.Unix(),
		"user_openid": openID, "content": string(content),
	})
	return b
}

// TikTokSignature is the TikTok-Signature header of body sent at t:
// "t=<unix>,s=<hex HMAC-SHA256 of "<unix>.<body>" under the client
// secret>", Herald's webhook signature under the key s.
func TikTokSignature(clientSecret string, t time.Time, body []byte) string {
	return webhook.Scheme{Key: "s"}.Sign(body, t, clientSecret)
}
