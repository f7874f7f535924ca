package deauth

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/webhook"
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
	// PublishID and PostID are post.publish.publicly_available's: the
	// Content Posting API's publish_id and the public post's id.
	PublishID, PostID string
}

// TikTokReasonAccountDeleted is authorization.removed's reason when the
// user deleted the TikTok account.
const TikTokReasonAccountDeleted = 2

// TikTokAuthorizationRemoved is the event TikTok sends when a user's
// authorization of the app ends; the user's tokens are already revoked.
const TikTokAuthorizationRemoved = "authorization.removed"

// TikTokPostPubliclyAvailable is the event TikTok sends once a post made
// through the Content Posting API is public: its moderation ended, and
// the post id that the status fetch withheld is given (Content Posting
// webhooks; content {"publish_id", "post_id", "publish_type"}).
const TikTokPostPubliclyAvailable = "post.publish.publicly_available"

// tiktokSignature is the TikTok-Signature header: Herald's own signature
// scheme (package webhook) under the key s. TikTok sends one signature;
// more are allowed, as during a secret rotation.
var tiktokSignature = webhook.Scheme{Key: "s"}

// maxTikTokBody bounds a webhook body; TikTok's are well under 1 KiB.
const maxTikTokBody = 64 << 10

// ParseTikTokWebhook verifies a TikTok webhook and returns its event.
// signature is the TikTok-Signature header, "t=<unix time>,s=<hex>",
// where s is the HMAC-SHA256 of "<t>.<body>" under the app's client
// secret; the signature is compared in constant time and checked before
// the body is read, and t must lie within tolerance of now
// (webhook.DefaultTolerance when tolerance is 0), so a recorded webhook
// cannot be replayed later.
func ParseTikTokWebhook(signature string, body []byte, clientSecret string, now time.Time, tolerance time.Duration) (TikTokEvent, error) {
	var ev TikTokEvent
	if clientSecret == "" {
		return ev, ErrNotConfigured
	}
	if len(body) > maxTikTokBody {
		return ev, invalid("tiktok", CodeInvalidRequest, "body is longer than %d bytes", maxTikTokBody)
	}
	if signature == "" {
		return ev, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature header is missing")
	}
	if len(signature) > 1024 {
		return ev, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature header is too long")
	}
	if tolerance <= 0 {
		tolerance = webhook.DefaultTolerance
	}
	signed, err := tiktokSignature.Verify(signature, body, clientSecret, tolerance, now)
	switch {
	case errors.Is(err, webhook.ErrBadSignature):
		return ev, invalid("tiktok", CodeAuthenticationFailed, "TikTok-Signature does not match the client secret")
	case errors.Is(err, webhook.ErrExpired):
		return ev, invalid("tiktok", CodeExpired, "TikTok-Signature time is %s away from now, more than %s", now.Sub(signed).Round(time.Second), tolerance)
	case err != nil: // webhook.ErrNoSignature
		return ev, invalid("tiktok", CodeInvalidRequest, "TikTok-Signature is not t=<time>,s=<signature>")
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
		if p.UserOpenID == "" || len(p.UserOpenID) > tokens.MaxPlatformUserID {
			return ev, invalid("tiktok", CodeInvalidRequest, "authorization.removed without a user_openid")
		}
		var c struct {
			Reason int `json:"reason"`
		}
		if json.Unmarshal([]byte(p.Content), &c) == nil {
			ev.Reason = c.Reason
		}
	}
	if p.Event == TikTokPostPubliclyAvailable {
		if p.UserOpenID == "" || len(p.UserOpenID) > tokens.MaxPlatformUserID {
			return ev, invalid("tiktok", CodeInvalidRequest, "post.publish.publicly_available without a user_openid")
		}
		var c struct {
			PublishID string      `json:"publish_id"`
			PostID    json.Number `json:"post_id"` // a string; a number is taken too
		}
		d := json.NewDecoder(strings.NewReader(p.Content))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			return ev, invalid("tiktok", CodeInvalidRequest, "post.publish.publicly_available content is not the JSON TikTok sends")
		}
		ev.PublishID, ev.PostID = c.PublishID, c.PostID.String()
	}
	return ev, nil
}
