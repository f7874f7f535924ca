package tiktok

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
)

// Fail reasons a FAILED status carries, as the Get Post Status reference
// (developers.tiktok.com/doc/content-posting-api-reference-get-video-status,
// "fail_reason") lists them.
const (
	FailFileFormat   = "file_format_check_failed"
	FailDuration     = "duration_check_failed"
	FailFrameRate    = "frame_rate_check_failed"
	FailPictureSize  = "picture_size_check_failed"
	FailInternal     = "internal"
	FailVideoPull    = "video_pull_failed"
	FailPhotoPull    = "photo_pull_failed"
	FailCancelled    = "publish_cancelled"
	FailAuthRemoved  = "auth_removed"
	FailTooManyPosts = "spam_risk_too_many_posts"
	FailUserBanned   = "spam_risk_user_banned_from_posting"
	FailSpamRiskText = "spam_risk_text"
	FailSpamRisk     = "spam_risk"
)

// failReasons says what each documented fail_reason is worth. Those not
// listed (and new ones) are permanent: the publish is over and TikTok
// said why.
var failReasons = map[string]publishers.Class{
	// TikTok's own hiccup, and a pull from the app's server that did not
	// go through (a timeout, a 5xx of the media host): a new publish
	// may well work.
	FailInternal:  publishers.ClassTransient,
	FailVideoPull: publishers.ClassTransient,
	FailPhotoPull: publishers.ClassTransient,
	// The creator's posting cap: wait until the window passes.
	FailTooManyPosts: publishers.ClassRateLimited,
	// The creator removed the app's access.
	FailAuthRemoved: publishers.ClassReauth,
	// The media, the text or the account is refused as it is.
	FailFileFormat:   publishers.ClassPermanent,
	FailDuration:     publishers.ClassPermanent,
	FailFrameRate:    publishers.ClassPermanent,
	FailPictureSize:  publishers.ClassPermanent,
	FailCancelled:    publishers.ClassPermanent,
	FailUserBanned:   publishers.ClassPermanent,
	FailSpamRiskText: publishers.ClassPermanent,
	FailSpamRisk:     publishers.ClassPermanent,
}

// FailReasonClass is the class of a FAILED publish's fail_reason.
func FailReasonClass(reason string) publishers.Class {
	if c, ok := failReasons[reason]; ok {
		return c
	}
	return publishers.ClassPermanent
}

// failed turns a FAILED publish into the attempt's error. A failure worth
// another try forgets the publish first: its publish_id is final, and the
// next attempt must init a new one (at most maxRestarts times).
func (pub *publication) failed(ctx context.Context, id, reason, why string) error {
	err := fmt.Errorf("tiktok: publish %s failed: %s", id, why)
	switch FailReasonClass(reason) {
	case publishers.ClassReauth:
		return publishers.Reauth(err)
	case publishers.ClassPermanent:
		return publishers.Permanent(err)
	}
	if serr := pub.startOver(ctx); serr != nil {
		return serr
	}
	if FailReasonClass(reason) == publishers.ClassRateLimited {
		return publishers.RateLimited(DefaultPostingCapWait, err)
	}
	return publishers.Transient(err)
}
