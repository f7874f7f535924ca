package deauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/heraldhq/herald/tokens"
)

// SignedRequest is the verified payload of a Meta signed_request, as
// Meta posts it to an app's deauthorize and data deletion callbacks.
type SignedRequest struct {
	// Algorithm is always HMAC-SHA256: ParseSignedRequest refuses others.
	Algorithm string
	// UserID is the app-scoped id of the Facebook user (or, for apps
	// using Instagram Login, the Instagram user) who removed the app.
	UserID string
	// IssuedAt is when Meta signed the request.
	IssuedAt time.Time
}

// maxSignedRequest bounds the field; Meta's are a few hundred bytes.
const maxSignedRequest = 8 << 10

// ParseSignedRequest verifies a signed_request,
// "<base64url signature>.<base64url JSON payload>", whose signature is
// the HMAC-SHA256 of the encoded payload under the app secret, and
// returns its payload. Any of secrets may have signed it (several let an
// app secret be reset without a gap). The signature is compared in
// constant time and checked before the payload is read; the payload must
// name the algorithm HMAC-SHA256, a user_id and an issued_at. How old
// the request may be is the caller's to decide.
func ParseSignedRequest(signed string, secrets ...string) (SignedRequest, error) {
	var sr SignedRequest
	if len(secrets) == 0 {
		return sr, ErrNotConfigured
	}
	if signed == "" {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request is missing")
	}
	if len(signed) > maxSignedRequest {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request is longer than %d bytes", maxSignedRequest)
	}
	encSig, encPayload, ok := strings.Cut(signed, ".")
	if !ok || encSig == "" || encPayload == "" {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request is not <signature>.<payload>")
	}
	sig, err := decodeBase64URL(encSig)
	if err != nil || len(sig) != sha256.Size {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request signature is not a base64url HMAC-SHA256")
	}
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(encPayload))
		if hmac.Equal(mac.Sum(nil), sig) {
			matched = true
		}
	}
	if !matched {
		return sr, invalid("meta", CodeAuthenticationFailed, "signed_request signature does not match the app secret")
	}
	raw, err := decodeBase64URL(encPayload)
	if err != nil {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request payload is not base64url")
	}
	var p struct {
		Algorithm string       `json:"algorithm"`
		UserID    flexibleID   `json:"user_id"`
		IssuedAt  *json.Number `json:"issued_at"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request payload is not the JSON object Meta sends")
	}
	if p.Algorithm != "HMAC-SHA256" {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request algorithm %s, want HMAC-SHA256", quote(p.Algorithm))
	}
	if p.UserID == "" || len(p.UserID) > tokens.MaxPlatformUserID {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request has no user_id")
	}
	if p.IssuedAt == nil {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request has no issued_at")
	}
	at, err := p.IssuedAt.Int64()
	if err != nil || at <= 0 {
		return sr, invalid("meta", CodeInvalidRequest, "signed_request issued_at is not a Unix time")
	}
	return SignedRequest{Algorithm: p.Algorithm, UserID: string(p.UserID), IssuedAt: time.Unix(at, 0)}, nil
}

// decodeBase64URL reads base64url with or without padding (Meta omits
// it; some libraries add it).
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
}

// flexibleID is an id sent as a JSON string or number.
type flexibleID string

func (f *flexibleID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexibleID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexibleID(n.String())
	return nil
}
