package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// creatorFixture serves sandbox accounts a creator info that answers
// what answer returns, and records the token it was given.
func creatorFixture(t *testing.T, answer func() (publishers.CreatorInfo, error)) (*fixture, *string) {
	t.Helper()
	var got string
	f := newFixture(t, func(o *Options, _ *redistest.DB) {
		o.CreatorInfo = map[string]CreatorInfoFunc{"sandbox": func(_ context.Context, tok *oauth2.Token, _ func(context.Context) (*oauth2.Token, error)) (publishers.CreatorInfo, error) {
			got = tok.AccessToken
			return answer()
		}}
	})
	return f, &got
}

func TestCreatorInfoAnswersWhatThePlatformSays(t *testing.T) {
	f, tok := creatorFixture(t, func() (publishers.CreatorInfo, error) {
		return publishers.CreatorInfo{Username: "ada", Nickname: "Ada L.", PrivacyLevelOptions: []string{"SELF_ONLY", "PUBLIC_TO_EVERYONE"},
			CommentDisabled: true, StitchDisabled: true, MaxVideoDurationSec: 600}, nil
	})
	f.connect("acct-1", "sandbox")
	r := f.do("GET", "/v1/accounts/acct-1/creator-info", "")
	expect(t, r, http.StatusOK)
	var got creatorInfoResponse
	r.json(t, &got)
	want := creatorInfoResponse{AccountID: "acct-1", Platform: "sandbox", Username: "ada", Nickname: "Ada L.",
		PrivacyLevelOptions: []string{"SELF_ONLY", "PUBLIC_TO_EVERYONE"}, CommentDisabled: true, StitchDisabled: true, MaxVideoDurationSec: 600}
	if strings.Join(got.PrivacyLevelOptions, ",") != strings.Join(want.PrivacyLevelOptions, ",") || got.Username != want.Username ||
		got.Nickname != want.Nickname || got.AccountID != want.AccountID || got.Platform != want.Platform || !got.CommentDisabled ||
		got.DuetDisabled || !got.StitchDisabled || got.MaxVideoDurationSec != 600 {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if *tok != accessTok {
		t.Errorf("the platform was asked with token %q, not the account's", *tok)
	}
	if strings.Contains(string(r.body), accessTok) {
		t.Errorf("the answer shows the token: %s", r.body)
	}
}

func TestCreatorInfoOfAnUnknownAccountIsNotFound(t *testing.T) {
	f, _ := creatorFixture(t, func() (publishers.CreatorInfo, error) { return publishers.CreatorInfo{}, nil })
	r := f.do("GET", "/v1/accounts/nobody/creator-info", "")
	expect(t, r, http.StatusNotFound)
	if e := r.error(t); e.Code != codeNotFound {
		t.Errorf("code %q", e.Code)
	}
}

func TestCreatorInfoOfAPlatformWithoutOneIsRefusedNamingIt(t *testing.T) {
	f, _ := creatorFixture(t, func() (publishers.CreatorInfo, error) { return publishers.CreatorInfo{}, nil })
	f.connect("yt-1", "youtube")
	r := f.do("GET", "/v1/accounts/yt-1/creator-info", "")
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); e.Code != codeUnsupported || !strings.Contains(e.Message, "youtube") || !strings.Contains(e.Message, "sandbox") {
		t.Errorf("error %+v: want unsupported naming youtube and the platforms that have creator info", e)
	}
}

func TestCreatorInfoOfADisconnectedAccountAsksForAReconnect(t *testing.T) {
	asked := false
	f, _ := creatorFixture(t, func() (publishers.CreatorInfo, error) { asked = true; return publishers.CreatorInfo{}, nil })
	f.connect("acct-1", "sandbox")
	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)
	r := f.do("GET", "/v1/accounts/acct-1/creator-info", "")
	expect(t, r, http.StatusConflict)
	if e := r.error(t); e.Code != codeNotConnected || !strings.Contains(e.Message, "connect it again") {
		t.Errorf("error %+v", e)
	}
	if asked {
		t.Error("the platform was asked without a token")
	}
}

// TestCreatorInfoMapsThePlatformsRefusals: each class of the platform's
// error has its answer; a rate limit passes the platform's delay on.
func TestCreatorInfoMapsThePlatformsRefusals(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{"rate limited", publishers.RateLimited(1500*time.Millisecond, errors.New("tiktok: rate_limit_exceeded")), http.StatusTooManyRequests, codeRateLimited, "2"},
		{"rate limited without a delay", publishers.RateLimited(0, errors.New("tiktok: rate_limit_exceeded")), http.StatusTooManyRequests, codeRateLimited, "1"},
		{"token refused", publishers.Reauth(errors.New("tiktok: access_token_invalid")), http.StatusConflict, codeNotConnected, ""},
		{"refused for good", publishers.Permanent(errors.New("tiktok: spam_risk_user_banned_from_posting")), http.StatusConflict, codeConflict, ""},
		{"no answer", publishers.Transient(errors.New("tiktok: 502")), http.StatusServiceUnavailable, codeUnavailable, "10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := creatorFixture(t, func() (publishers.CreatorInfo, error) { return publishers.CreatorInfo{}, tc.err })
			f.connect("acct-1", "sandbox")
			r := f.do("GET", "/v1/accounts/acct-1/creator-info", "")
			expect(t, r, tc.status)
			if e := r.error(t); e.Code != tc.code || !strings.Contains(e.Message, "tiktok: ") {
				t.Errorf("error %+v, want code %s with the platform's reason", e, tc.code)
			}
			if got := r.header.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
			}
		})
	}
}
