package tiktok

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// CreatorInfo is what /v2/post/publish/creator_info/query/ says the
// creator may post now.
type CreatorInfo struct {
	Username            string   `json:"creator_username"`
	Nickname            string   `json:"creator_nickname"`
	PrivacyLevelOptions []string `json:"privacy_level_options"`
	CommentDisabled     bool     `json:"comment_disabled"`
	DuetDisabled        bool     `json:"duet_disabled"`
	StitchDisabled      bool     `json:"stitch_disabled"`
	MaxVideoDurationSec int64    `json:"max_video_post_duration_sec"`
}

// creatorInfo asks TikTok what the creator may post. A creator who may
// not post now (a posting cap, a ban) gets its error code, classified.
func (p *Publisher) creatorInfo(ctx context.Context, s *wire.Session) (CreatorInfo, error) {
	var ci CreatorInfo
	err := p.call(ctx, s, "query creator info", http.MethodPost, "/v2/post/publish/creator_info/query/", struct{}{}, &ci)
	return ci, err
}

// check refuses what the creator cannot use (Permanent, with the reason)
// and settles the interaction settings the post left to the creator.
func (pl *plan) check(ci CreatorInfo) error {
	refuse := func(format string, args ...any) error {
		return publishers.Permanent(fmt.Errorf("tiktok: creator %s: "+format, append([]any{wire.Quote(cmp.Or(ci.Username, "(unnamed)"), 60)}, args...)...))
	}
	opts := make([]string, len(ci.PrivacyLevelOptions))
	for i, o := range ci.PrivacyLevelOptions {
		opts[i] = wire.Quote(o, 40)
	}
	if pl.privacy == "" {
		// TikTok's content sharing guidelines: the creator picks the
		// privacy, nothing is preselected.
		return refuse("option %s is required (TikTok has the creator choose who sees the post); this account allows [%s]", OptionPrivacyLevel, strings.Join(opts, " "))
	}
	if !slices.Contains(ci.PrivacyLevelOptions, pl.privacy) {
		return refuse("privacy_level %s is not among the creator's options [%s]", pl.privacy, strings.Join(opts, " "))
	}
	settle := func(name, plural string, want **bool, disabled bool) error {
		switch {
		case *want == nil:
			v := disabled
			*want = &v
		case disabled && !**want:
			return refuse("disable_%s=false, but the creator has turned %s off", name, plural)
		}
		return nil
	}
	if err := settle("comment", "comments", &pl.disableComment, ci.CommentDisabled); err != nil {
		return err
	}
	if pl.kind == kindVideo {
		if err := settle("duet", "duets", &pl.disableDuet, ci.DuetDisabled); err != nil {
			return err
		}
		if err := settle("stitch", "stitches", &pl.disableStitch, ci.StitchDisabled); err != nil {
			return err
		}
		if pl.durationSec > 0 && ci.MaxVideoDurationSec > 0 && pl.durationSec > ci.MaxVideoDurationSec {
			return refuse("the video is %ds long, longer than the creator's maximum of %ds", pl.durationSec, ci.MaxVideoDurationSec)
		}
	}
	return nil
}

// queryCreatorInfo is creatorInfo for publishers.Platform.CreatorInfo:
// the API's answer to an app that shows the creator TikTok's choices.
func (p *Publisher) queryCreatorInfo(ctx context.Context, tok *oauth2.Token, forceRefresh func(context.Context) (*oauth2.Token, error)) (publishers.CreatorInfo, error) {
	s, err := wire.NewSession("tiktok", tok, forceRefresh)
	if err != nil {
		return publishers.CreatorInfo{}, err
	}
	ci, err := p.creatorInfo(ctx, s)
	if err != nil {
		return publishers.CreatorInfo{}, err
	}
	return publishers.CreatorInfo{
		Username: ci.Username, Nickname: ci.Nickname, PrivacyLevelOptions: ci.PrivacyLevelOptions,
		CommentDisabled: ci.CommentDisabled, DuetDisabled: ci.DuetDisabled, StitchDisabled: ci.StitchDisabled,
		MaxVideoDurationSec: ci.MaxVideoDurationSec,
	}, nil
}
