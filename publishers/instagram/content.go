package instagram

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Options a post may set in Content.Options. Any other key fails the post
// (Permanent): a misspelt option should not be dropped silently.
const (
	// OptionMediaType is FEED (the default), REELS or STORIES. FEED
	// makes an image post from one image, a reel from one video (the
	// Graph API publishes feed videos as reels) and a carousel from 2 to
	// 10 items.
	OptionMediaType = "media_type"
	// OptionShareToFeed, "true" or "false", says whether a reel also
	// appears in the feed grid (Instagram's default is true). Reels only.
	OptionShareToFeed = "share_to_feed"
	// OptionCoverURL is the public URL of a reel's cover image. Reels
	// only.
	OptionCoverURL = "cover_url"
	// OptionThumbOffset is the frame, in milliseconds from the start, used
	// as a reel's cover when there is no cover_url. Reels only.
	OptionThumbOffset = "thumb_offset"
	// OptionLocationID tags the post with a Facebook Page's location
	// (a numeric page id). Not for stories.
	OptionLocationID = "location_id"
)

// Media types of OptionMediaType.
const (
	MediaTypeFeed    = "FEED"
	MediaTypeReels   = "REELS"
	MediaTypeStories = "STORIES"
)

// Limits Instagram sets on a post, checked before any call.
const (
	MaxCaptionLength = 2200 // characters
	MaxHashtags      = 30
	MaxMentions      = 20
	MaxCarouselItems = 10
)

// Container kinds: what a plan's parent container is.
const (
	kindImage    = "IMAGE"
	kindReel     = "REELS"
	kindStory    = "STORIES"
	kindCarousel = "CAROUSEL"
)

// plan is a validated post: the parameters of each container to create.
type plan struct {
	kind    string
	caption string
	// children are the carousel items' container parameters.
	children []url.Values
	// parent is the published container's parameters, without children.
	parent url.Values
}

var (
	hashtagPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#[\p{L}\p{N}_]+`)
	mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.])@[A-Za-z0-9_.]+`)
	digits         = regexp.MustCompile(`^[0-9]{1,30}$`)
)

// planOf validates c and turns it into containers. Its errors are
// Permanent: the post cannot succeed as it is.
func planOf(c publishers.Content) (plan, error) {
	p, err := buildPlan(c)
	if err != nil {
		return plan{}, publishers.Permanent(fmt.Errorf("instagram: invalid post: %w", err))
	}
	return p, nil
}

// buildPlan is planOf before its errors are classified.
func buildPlan(c publishers.Content) (plan, error) {
	opts, err := checkContent(c)
	if err != nil {
		return plan{}, err
	}
	p := plan{caption: c.Text, parent: url.Values{}}
	if p.kind, err = kindOf(c, opts[OptionMediaType]); err != nil {
		return plan{}, err
	}
	if err := p.setOptions(opts); err != nil {
		return plan{}, err
	}
	p.setContainers(c)
	return p, nil
}

// checkContent checks what every kind of post requires (known options, a
// caption Instagram takes, media it can fetch) and returns the options,
// trimmed.
func checkContent(c publishers.Content) (map[string]string, error) {
	opts := map[string]string{}
	for k, v := range c.Options {
		switch k {
		case OptionMediaType, OptionShareToFeed, OptionCoverURL, OptionThumbOffset, OptionLocationID:
			opts[k] = strings.TrimSpace(v)
		default:
			return nil, fmt.Errorf("unknown option %q (known: %s, %s, %s, %s, %s)", k,
				OptionMediaType, OptionShareToFeed, OptionCoverURL, OptionThumbOffset, OptionLocationID)
		}
	}
	if err := checkCaption(c.Text); err != nil {
		return nil, err
	}
	if len(c.Media) == 0 {
		return nil, errors.New("an Instagram post needs at least one image or video")
	}
	for i, m := range c.Media {
		if m.Kind != publishers.MediaImage && m.Kind != publishers.MediaVideo {
			return nil, fmt.Errorf("media %d: kind %q, want image or video", i+1, m.Kind)
		}
		if err := checkURL(m.URL); err != nil {
			return nil, fmt.Errorf("media %d: %w", i+1, err)
		}
	}
	return opts, nil
}

// kindOf is the container kind that the media_type option (FEED when
// empty) and the media make.
func kindOf(c publishers.Content, option string) (string, error) {
	mediaType := strings.ToUpper(option)
	if mediaType == "" {
		mediaType = MediaTypeFeed
	}
	switch mediaType {
	case MediaTypeFeed:
		switch {
		case len(c.Media) > MaxCarouselItems:
			return "", fmt.Errorf("%d media items, a carousel takes at most %d", len(c.Media), MaxCarouselItems)
		case len(c.Media) > 1:
			return kindCarousel, nil
		case c.Media[0].Kind == publishers.MediaVideo:
			return kindReel, nil
		}
		return kindImage, nil
	case MediaTypeReels:
		if len(c.Media) != 1 || c.Media[0].Kind != publishers.MediaVideo {
			return "", errors.New("a reel is exactly one video")
		}
		return kindReel, nil
	case MediaTypeStories:
		if len(c.Media) != 1 {
			return "", fmt.Errorf("a story is one image or video, not %d", len(c.Media))
		}
		if strings.TrimSpace(c.Text) != "" {
			return "", errors.New("a story has no caption: leave the text empty")
		}
		return kindStory, nil
	}
	return "", fmt.Errorf("media_type %q, want FEED, REELS or STORIES", option)
}

// setOptions checks the options that depend on p.kind and sets them on
// the published container.
func (p *plan) setOptions(opts map[string]string) error {
	for _, k := range []string{OptionShareToFeed, OptionCoverURL, OptionThumbOffset} {
		if opts[k] != "" && p.kind != kindReel {
			return fmt.Errorf("option %s applies to reels only", k)
		}
	}
	if v := opts[OptionShareToFeed]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("share_to_feed %q, want true or false", v)
		}
		p.parent.Set("share_to_feed", strconv.FormatBool(b))
	}
	if v := opts[OptionCoverURL]; v != "" {
		if err := checkURL(v); err != nil {
			return fmt.Errorf("cover_url: %w", err)
		}
		p.parent.Set("cover_url", v)
	}
	if v := opts[OptionThumbOffset]; v != "" {
		n, err := strconv.ParseUint(v, 10, 31)
		if err != nil {
			return fmt.Errorf("thumb_offset %q, want milliseconds (a whole number)", v)
		}
		p.parent.Set("thumb_offset", strconv.FormatUint(n, 10))
	}
	if v := opts[OptionLocationID]; v != "" {
		if p.kind == kindStory {
			return errors.New("option location_id does not apply to stories")
		}
		if !digits.MatchString(v) {
			return fmt.Errorf("location_id %q, want a numeric page id", v)
		}
		p.parent.Set("location_id", v)
	}
	return nil
}

// setContainers sets the caption and the media on the containers of
// p.kind: the published one, and a carousel's items.
func (p *plan) setContainers(c publishers.Content) {
	if p.kind != kindStory && c.Text != "" {
		p.parent.Set("caption", c.Text)
	}
	switch p.kind {
	case kindImage:
		p.parent.Set("image_url", c.Media[0].URL)
	case kindReel:
		p.parent.Set("media_type", "REELS")
		p.parent.Set("video_url", c.Media[0].URL)
	case kindStory:
		p.parent.Set("media_type", "STORIES")
		setMedia(p.parent, c.Media[0])
	case kindCarousel:
		p.parent.Set("media_type", "CAROUSEL")
		for _, m := range c.Media {
			child := url.Values{"is_carousel_item": {"true"}}
			if m.Kind == publishers.MediaVideo {
				child.Set("media_type", "VIDEO")
			}
			setMedia(child, m)
			p.children = append(p.children, child)
		}
	}
}

func setMedia(v url.Values, m publishers.Media) {
	if m.Kind == publishers.MediaVideo {
		v.Set("video_url", m.URL)
	} else {
		v.Set("image_url", m.URL)
	}
}

func checkCaption(text string) error {
	if !utf8.ValidString(text) {
		return errors.New("caption is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(text); n > MaxCaptionLength {
		return fmt.Errorf("caption is %d characters, at most %d", n, MaxCaptionLength)
	}
	if n := len(hashtagPattern.FindAllString(text, -1)); n > MaxHashtags {
		return fmt.Errorf("caption has %d hashtags, at most %d", n, MaxHashtags)
	}
	if n := len(mentionPattern.FindAllString(text, -1)); n > MaxMentions {
		return fmt.Errorf("caption mentions %d accounts, at most %d", n, MaxMentions)
	}
	return nil
}

// checkURL accepts absolute http(s) URLs: Instagram fetches media from a
// public URL itself.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains([]string{"http", "https"}, u.Scheme) || u.Host == "" {
		return fmt.Errorf("media URL %q is not a public http(s) URL", wire.Quote(raw, 100))
	}
	return nil
}
