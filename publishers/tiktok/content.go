package tiktok

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Keys of Content.Options a TikTok post reads. Unknown keys fail the post.
const (
	// OptionPrivacyLevel is one of the Privacy* levels, and must be among
	// the creator's privacy_level_options. Default: PUBLIC_TO_EVERYONE,
	// or SELF_ONLY for an unaudited app.
	OptionPrivacyLevel = "privacy_level"
	// OptionDisableComment, OptionDisableDuet and OptionDisableStitch are
	// true or false. Unset, they follow the creator's settings; set to
	// false where the creator disabled the interaction, the post is
	// refused. Duet and stitch are for videos only.
	OptionDisableComment = "disable_comment"
	OptionDisableDuet    = "disable_duet"
	OptionDisableStitch  = "disable_stitch"
	// OptionCoverTimestamp picks a video's cover frame, in milliseconds.
	OptionCoverTimestamp = "video_cover_timestamp_ms"
	// OptionBrandContent (a paid partnership) and OptionBrandOrganic
	// (promoting the creator's own business) are commercial content
	// disclosures, true or false. Branded content cannot be SELF_ONLY.
	OptionBrandContent = "brand_content_toggle"
	OptionBrandOrganic = "brand_organic_toggle"
	// OptionAIGC labels a video as AI-generated, true or false.
	OptionAIGC = "is_aigc"
	// OptionPhotoCoverIndex is the 0-based index of a photo post's cover.
	OptionPhotoCoverIndex = "photo_cover_index"
	// OptionAutoAddMusic lets TikTok add music to a photo post.
	OptionAutoAddMusic = "auto_add_music"
	// OptionDurationSec is the video's length in seconds, when the app
	// knows it: a video longer than the creator's
	// max_video_post_duration_sec is refused before upload.
	OptionDurationSec = "duration_sec"
)

// Privacy levels.
const (
	PrivacyPublic    = "PUBLIC_TO_EVERYONE"
	PrivacyFriends   = "MUTUAL_FOLLOW_FRIENDS"
	PrivacyFollowers = "FOLLOWER_OF_CREATOR"
	PrivacySelfOnly  = "SELF_ONLY"
)

// Limits TikTok sets on a post, in UTF-16 code units for texts.
const (
	MaxVideoTitle       = 2200
	MaxPhotoTitle       = 90
	MaxPhotoDescription = 4000
	MaxPhotos           = 35
)

type kind int

const (
	kindVideo kind = iota
	kindPhoto
)

// plan is a post as TikTok will be asked for it.
type plan struct {
	kind     kind
	pull     bool     // video by PULL_FROM_URL
	videoURL string   // kindVideo
	photos   []string // kindPhoto
	title    string
	desc     string // photo posts
	privacy  string
	// disable* are nil when unset: they follow the creator.
	disableComment, disableDuet, disableStitch *bool
	coverMS                                    int64 // -1 unset
	brandContent, brandOrganic, aigc, music    bool
	coverIndex                                 int
	durationSec                                int64 // 0 unknown
}

var knownOptions = map[string]kind{
	OptionPrivacyLevel: -1, OptionDisableComment: -1, OptionBrandContent: -1, OptionBrandOrganic: -1,
	OptionDisableDuet: kindVideo, OptionDisableStitch: kindVideo, OptionCoverTimestamp: kindVideo,
	OptionAIGC: kindVideo, OptionDurationSec: kindVideo,
	OptionPhotoCoverIndex: kindPhoto, OptionAutoAddMusic: kindPhoto,
}

// planOf checks c and makes the post's plan. Everything wrong with it is
// Permanent, found before any call.
func (p *Publisher) planOf(c publishers.Content) (plan, error) {
	pl := plan{coverMS: -1}
	bad := func(format string, args ...any) (plan, error) {
		return plan{}, publishers.Permanent(fmt.Errorf("tiktok: "+format, args...))
	}
	var videos, images []string
	for i, m := range c.Media {
		if err := checkURL(m.URL); err != nil {
			return bad("media %d: %v", i+1, err)
		}
		switch m.Kind {
		case publishers.MediaVideo:
			videos = append(videos, m.URL)
		case publishers.MediaImage:
			images = append(images, m.URL)
		default:
			return bad("media %d: kind %q is neither image nor video", i+1, wire.Quote(m.Kind, 20))
		}
	}
	switch {
	case len(videos) == 1 && len(images) == 0:
		pl.kind, pl.videoURL, pl.pull = kindVideo, videos[0], p.pullable(videos[0])
	case len(videos) == 0 && len(images) > 0 && len(images) <= MaxPhotos:
		pl.kind, pl.photos = kindPhoto, images
		for i, u := range images {
			if len(p.pullPrefixes) > 0 && !p.pullable(u) {
				return bad("photo %d is not under a URL prefix verified at TikTok (photo posts are pulled by TikTok)", i+1)
			}
		}
	case len(videos) == 0 && len(images) == 0:
		return bad("a post needs one video or 1 to %d images", MaxPhotos)
	case len(videos) > 0 && len(images) > 0:
		return bad("a post cannot mix video and images")
	case len(videos) > 1:
		return bad("a post has one video, not %d", len(videos))
	default:
		return bad("a photo post has at most %d images, not %d", MaxPhotos, len(images))
	}
	if pl.kind == kindVideo {
		pl.title = cmp.Or(c.Text, c.Title)
		if n := utf16Len(pl.title); n > MaxVideoTitle {
			return bad("caption is %d characters (UTF-16), more than TikTok's %d", n, MaxVideoTitle)
		}
	} else {
		pl.title, pl.desc = c.Title, c.Text
		if n := utf16Len(pl.title); n > MaxPhotoTitle {
			return bad("photo post title is %d characters (UTF-16), more than TikTok's %d", n, MaxPhotoTitle)
		}
		if n := utf16Len(pl.desc); n > MaxPhotoDescription {
			return bad("photo post description is %d characters (UTF-16), more than TikTok's %d", n, MaxPhotoDescription)
		}
	}
	if err := pl.readOptions(c.Options); err != nil {
		return plan{}, publishers.Permanent(fmt.Errorf("tiktok: %w", err))
	}
	if pl.privacy == "" {
		pl.privacy = PrivacyPublic
		if p.unaudited {
			pl.privacy = PrivacySelfOnly
		}
	}
	if p.unaudited && pl.privacy != PrivacySelfOnly {
		return bad("privacy_level %s: the TikTok app is not audited, so it may post SELF_ONLY only", pl.privacy)
	}
	if pl.brandContent && pl.privacy == PrivacySelfOnly {
		return bad("branded content (%s) cannot be SELF_ONLY", OptionBrandContent)
	}
	return pl, nil
}

func (pl *plan) readOptions(opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(opts[k])
		only, known := knownOptions[k]
		if !known {
			return fmt.Errorf("unknown option %q", wire.Quote(k, 40))
		}
		if only >= 0 && only != pl.kind {
			what := "videos"
			if only == kindPhoto {
				what = "photo posts"
			}
			return fmt.Errorf("option %s is for %s only", k, what)
		}
		var err error
		switch k {
		case OptionPrivacyLevel:
			if !slices.Contains([]string{PrivacyPublic, PrivacyFriends, PrivacyFollowers, PrivacySelfOnly}, v) {
				return fmt.Errorf("%s %q is not one of %s, %s, %s, %s", k, wire.Quote(v, 40), PrivacyPublic, PrivacyFriends, PrivacyFollowers, PrivacySelfOnly)
			}
			pl.privacy = v
		case OptionDisableComment:
			pl.disableComment, err = boolOption(k, v)
		case OptionDisableDuet:
			pl.disableDuet, err = boolOption(k, v)
		case OptionDisableStitch:
			pl.disableStitch, err = boolOption(k, v)
		case OptionBrandContent:
			err = setBool(&pl.brandContent, k, v)
		case OptionBrandOrganic:
			err = setBool(&pl.brandOrganic, k, v)
		case OptionAIGC:
			err = setBool(&pl.aigc, k, v)
		case OptionAutoAddMusic:
			err = setBool(&pl.music, k, v)
		case OptionCoverTimestamp:
			pl.coverMS, err = intOption(k, v, 0, 1<<40)
		case OptionDurationSec:
			pl.durationSec, err = intOption(k, v, 1, 1<<31)
		case OptionPhotoCoverIndex:
			var n int64
			n, err = intOption(k, v, 0, int64(len(pl.photos)-1))
			pl.coverIndex = int(n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func boolOption(k, v string) (*bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not true or false", k, wire.Quote(v, 40))
	}
	return &b, nil
}

func setBool(dst *bool, k, v string) error {
	b, err := boolOption(k, v)
	if err == nil {
		*dst = *b
	}
	return err
}

func intOption(k, v string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q is not a whole number from %d to %d", k, wire.Quote(v, 40), lo, hi)
	}
	return n, nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("URL is not an http(s) URL")
	}
	return nil
}

// pullable says whether TikTok can pull u: it is under a verified prefix.
func (p *Publisher) pullable(u string) bool {
	for _, prefix := range p.pullPrefixes {
		if prefix != "" && strings.HasPrefix(u, prefix) {
			return true
		}
	}
	return false
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }
