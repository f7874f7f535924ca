package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// CreatorInfoFunc asks a platform what an account's creator may post now
// (publishers.Platform.CreatorInfo).
type CreatorInfoFunc func(ctx context.Context, tok *oauth2.Token, forceRefresh func(context.Context) (*oauth2.Token, error)) (publishers.CreatorInfo, error)

// creatorInfoResponse is GET /v1/accounts/{id}/creator-info's answer: the
// platform's creator info under TikTok's names, so an app can show the
// creator the privacy levels to choose from (TikTok requires the choice).
type creatorInfoResponse struct {
	AccountID           string   `json:"account_id"`
	Platform            string   `json:"platform"`
	Username            string   `json:"creator_username"`
	Nickname            string   `json:"creator_nickname"`
	PrivacyLevelOptions []string `json:"privacy_level_options"`
	CommentDisabled     bool     `json:"comment_disabled"`
	DuetDisabled        bool     `json:"duet_disabled"`
	StitchDisabled      bool     `json:"stitch_disabled"`
	MaxVideoDurationSec int64    `json:"max_video_post_duration_sec"`
}

// unavailableRetry is the Retry-After of a platform that did not answer.
const unavailableRetry = 10

// getCreatorInfo asks the account's platform, now, what its creator may
// post. Nothing is cached: the options change with the creator's
// settings, and TikTok wants them read before each post.
func (a *API) getCreatorInfo(w http.ResponseWriter, r *http.Request) error {
	info, acct, err := a.accountInfo(r)
	if err != nil {
		return err
	}
	query := a.o.CreatorInfo[info.Platform]
	if query == nil {
		return newProblem(statusInvalid, codeUnsupported, fmt.Sprintf(
			"account %s is a %s account: %s has no creator info (accounts of %s have)", info.ID, info.Platform, info.Platform, a.creatorPlatforms()))
	}
	tok, err := a.o.Vault.Token(r.Context(), acct, info.Platform)
	if errors.Is(err, tokens.ErrNotConnected) {
		return notConnected(info.ID, err)
	}
	if err != nil {
		return err
	}
	ci, err := query(r.Context(), tok, func(ctx context.Context) (*oauth2.Token, error) {
		return a.o.Vault.ForceRefresh(ctx, acct, info.Platform, tok)
	})
	if err != nil {
		return creatorInfoProblem(info, err)
	}
	opts := ci.PrivacyLevelOptions
	if opts == nil {
		opts = []string{}
	}
	writeJSON(w, http.StatusOK, creatorInfoResponse{
		AccountID: info.ID, Platform: info.Platform, Username: ci.Username, Nickname: ci.Nickname,
		PrivacyLevelOptions: opts, CommentDisabled: ci.CommentDisabled, DuetDisabled: ci.DuetDisabled,
		StitchDisabled: ci.StitchDisabled, MaxVideoDurationSec: ci.MaxVideoDurationSec,
	})
	return nil
}

// notConnected is the 409 of an account without a usable token.
func notConnected(account string, err error) *problem {
	why := "is not connected"
	if errors.Is(err, tokens.ErrReauthRequired) {
		why = "needs reauthorization"
	}
	return newProblem(http.StatusConflict, codeNotConnected, fmt.Sprintf("account %s %s: connect it again", account, why))
}

// creatorInfoProblem answers a platform's classified refusal. Its text is
// the publisher's, which never holds a token.
func creatorInfoProblem(info tokens.Info, err error) *problem {
	switch publishers.ClassOf(err) {
	case publishers.ClassRateLimited:
		after, _ := publishers.RetryAfter(err)
		secs := max(1, int(math.Ceil(after.Seconds())))
		p := newProblem(http.StatusTooManyRequests, codeRateLimited, fmt.Sprintf("%s rate-limits the account: try again in %ds (%v)", info.Platform, secs, err))
		p.retryAfter = secs
		return p
	case publishers.ClassReauth:
		return newProblem(http.StatusConflict, codeNotConnected, fmt.Sprintf("%s refused account %s's token: connect it again (%v)", info.Platform, info.ID, err))
	case publishers.ClassPermanent:
		return newProblem(http.StatusConflict, codeConflict, fmt.Sprintf("%s refused to say what account %s may post: %v", info.Platform, info.ID, err))
	default:
		p := newProblem(http.StatusServiceUnavailable, codeUnavailable, fmt.Sprintf("%s did not answer for account %s: try again (%v)", info.Platform, info.ID, err))
		p.retryAfter = unavailableRetry
		return p
	}
}

// creatorPlatforms names the platforms with creator info, sorted.
func (a *API) creatorPlatforms() string {
	var names []string
	for name, f := range a.o.CreatorInfo {
		if f != nil {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "no platform this deployment serves"
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
