package deauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// TikTokEvent is a verified TikTok for Developers webhook.
type TikTokEvent struct {
	ClientKey string
	// Event is the event name: authorization.removed, video.upload.failed,
	// video.publish.completed, ...
	Event      string
	CreateTime time.Time
	// UserOpenID is the TikTok user's open_id for the app.
	UserOpenID string
	// Content is the event's own JSON, as TikTok serialises it into a
	// string.
	Content string
	// Reason is authorization.removed's reason: 0 unknown, 1 the user
	// disconnected the app, 2 the account was deleted, 3 the user's age
	// changed, 4 the account was banned, 5 the developer revoked the
	// authorization.
	Reason int
}

// TikTokReasonAccountDeleted is authorization.removed's reason when the
// user deleted the TikTok account.
const TikTokReasonAccountDeleted = 2

// TikTokAuthorizationRemoved is the event TikTok sends when a user's
// authorization of the app ends; the user's tokens are already revoked.
const TikTokAuthorizationRemoved = "authorization.removed"

// maxTikTokBody bounds a webhook body; TikTok's are well under 1 KiB.
const maxTikTokBody = 64 << 10

// ParseTikTokWebhook verifies a TikTok webhook and returns its event.
// signature is the TikTok-Signature header, "t=<unix time>,s=<hex>",
// where s is the HMAC-SHA256 of "<t>.<body>" under the app's client
// secret; the signature is compared in constant time and checked before
// the body is read, and t must lie within tolerance of now, so a
// recorded webhook cannot be replayed later.
func ParseTikTokWebhook(signature string, body []byte, clientSecret string, now time.Time, tolerance time.Duration) (TikTokEvent, error) {
	var ev TikTokEvent
	if clientSecret == "" {
		return ev, ErrNotConfigured
	}
	if len(body) > maxTikTokBody {
		return ev, invalid("tiktok", CodeInvalidRequest, "body is longer than %d bytes", maxTikTokBody)
	}
	ts, sigs, err := parseTikTokSignature(signature)
	if err != nil {
		return ev, err
	}
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	want := mac.Sum(nil)
	matched := false
	for _, s := range sigs {
		if hmac.Equal(want, s) {
			matched = true
		}
	}
	if !matched {
		return ev, invalid("tiktok", CodeAuthenticationFailed, "TikTok-Signature does not match the client secret")
	}
	sec, _ := strconv.ParseInt(ts, 10, 64)
	at := time.Unix(sec, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return ev, invalid("tiktok", CodeExpired, "TikTok-Signature time is %s away from now, more than %s", d.Round(time.Second), tolerance)
	}
	var p struct {
		ClientKey  string       `json:"client_key"`
		Event      string       `json:"event"`
		CreateTime *json.Number `json:"create_time"`
		UserOpenID string       `json:"user_openid"`
		Content    string       `json:"content"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return ev, invalid("tiktok", CodeInvalidRequest, "body is not the JSON object TikTok sends")
	}
	if p.Event == "" || len(p.Event) > 128 {
		return ev, invalid("tiktok", CodeInvalidRequest, "body has no event")
	}
	ev = TikTokEvent{ClientKey: p.ClientKey, Event: p.Event, UserOpenID: p.UserOpenID, Content: p.Content}
	if p.CreateTime != nil {
		if s, err := p.CreateTime.Int64(); err == nil {
			ev.CreateTime = time.Unix(s, 0)
		}
	}
	if p.Event == TikTokAuthorizationRemoved {
		if p.UserOpenID == "" || len(p.UserOpenID) > 256 {
			return ev, invalid("tiktok", CodeInvalidRequest, "authorization.removed without a user_openid")
		}
		var c struct {
			Reason int `json:"reason"`
		}
		if json.Unmarshal([]byte(p.Content), &c) == nil {
			ev.Reason = c.Reason
		}
	}
	return ev, nil
}

// parseTikTokSignature splits "t=...,s=..." into the timestamp and the
// signatures (TikTok sends one; more are allowed, as Stripe-style
// headers do during a secret rotation).
func parseTikTokSignature(h string) (ts string, sigs [][]byte, err error) {
	if h == "" {
		return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature header is missing")
	}
	if len(h) > 1024 {
		return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature header is too long")
	}
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature is not t=<time>,s=<signature>")
		}
		switch k {
		case "t":
			if ts != "" {
				return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature has two times")
			}
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != v {
				return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature time %s is not a Unix time", quote(v))
			}
			ts = v
		case "s":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature signature is not a hex HMAC-SHA256")
			}
			sigs = append(sigs, b)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "", nil, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature is not t=<time>,s=<signature>")
	}
	return ts, sigs, nil
}
