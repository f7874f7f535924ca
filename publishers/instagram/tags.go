package instagram

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options of what schedulers post beside the media (IG User Media
// reference, "Parameters"). Each is checked before any call, with what
// Instagram would refuse.
const (
	// OptionUserTags tags accounts: a JSON array as the Graph API takes
	// it, [{"username":"ada","x":0.5,"y":0.25}]: x and y (0.0 to 1.0,
	// from the top left) on an image, none on a reel. At most 20. Image
	// posts and reels.
	OptionUserTags = "user_tags"
	// OptionCollaborators invites up to 3 accounts as collaborators:
	// usernames separated by commas. Not stories.
	OptionCollaborators = "collaborators"
	// OptionAltText is an image post's alt text.
	OptionAltText = "alt_text"
	// OptionAltTextPrefix, followed by an item's position from 1
	// ("alt_text_2"), is a carousel image's alt text.
	OptionAltTextPrefix = "alt_text_"
	// OptionAudioName names a reel's audio.
	OptionAudioName = "audio_name"
)

// Limits of those options.
const (
	MaxUserTags      = 20
	MaxCollaborators = 3
	MaxAltText       = 1000 // characters
)

var igUsername = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)

// userTag is one entry of user_tags.
type userTag struct {
	Username string   `json:"username"`
	X        *float64 `json:"x,omitempty"`
	Y        *float64 `json:"y,omitempty"`
}

// isExtraOption says whether k is one of this file's options.
func isExtraOption(k string) bool {
	switch k {
	case OptionUserTags, OptionCollaborators, OptionAltText, OptionAudioName:
		return true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(k, OptionAltTextPrefix))
	return strings.HasPrefix(k, OptionAltTextPrefix) && err == nil && n >= 1 && n <= MaxCarouselItems
}

// setExtras checks this file's options against p.kind and sets them on
// the containers: the published one, or a carousel's items.
func (p *plan) setExtras(opts map[string]string) error {
	if v := opts[OptionUserTags]; v != "" {
		if p.kind != kindImage && p.kind != kindReel {
			return errors.New("user_tags apply to image posts and reels")
		}
		tags, err := parseUserTags(v, p.kind == kindImage)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(tags)
		p.parent.Set("user_tags", string(b))
	}
	if v := opts[OptionCollaborators]; v != "" {
		if p.kind == kindStory {
			return errors.New("collaborators do not apply to stories")
		}
		names, err := parseCollaborators(v)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(names)
		p.parent.Set("collaborators", string(b))
	}
	if v := opts[OptionAltText]; v != "" {
		if p.kind != kindImage {
			return errors.New("alt_text applies to an image post (a carousel's images take alt_text_N)")
		}
		if err := checkAltText(OptionAltText, v); err != nil {
			return err
		}
		p.parent.Set("alt_text", v)
	}
	for i := 1; i <= MaxCarouselItems; i++ {
		k := OptionAltTextPrefix + strconv.Itoa(i)
		v := opts[k]
		if v == "" {
			continue
		}
		if p.kind != kindCarousel || i > len(p.children) || p.children[i-1].Get("image_url") == "" {
			return fmt.Errorf("%s names no image of a carousel", k)
		}
		if err := checkAltText(k, v); err != nil {
			return err
		}
		p.children[i-1].Set("alt_text", v)
	}
	if v := opts[OptionAudioName]; v != "" {
		if p.kind != kindReel {
			return errors.New("audio_name applies to reels only")
		}
		if utf8.RuneCountInString(v) > 100 {
			return errors.New("audio_name is longer than 100 characters")
		}
		p.parent.Set("audio_name", v)
	}
	return nil
}

func parseUserTags(v string, positioned bool) ([]userTag, error) {
	var tags []userTag
	if err := json.Unmarshal([]byte(v), &tags); err != nil {
		return nil, errors.New(`user_tags must be a JSON array like [{"username":"ada","x":0.5,"y":0.5}]`)
	}
	if len(tags) == 0 || len(tags) > MaxUserTags {
		return nil, fmt.Errorf("user_tags has %d tags, want 1 to %d", len(tags), MaxUserTags)
	}
	for i, t := range tags {
		if !igUsername.MatchString(t.Username) {
			return nil, fmt.Errorf("user_tags %d: %q is not an Instagram username", i+1, t.Username)
		}
		switch {
		case positioned && (t.X == nil || t.Y == nil):
			return nil, fmt.Errorf("user_tags %d: a tag on an image needs x and y", i+1)
		case positioned && (*t.X < 0 || *t.X > 1 || *t.Y < 0 || *t.Y > 1):
			return nil, fmt.Errorf("user_tags %d: x and y run from 0.0 to 1.0", i+1)
		case !positioned:
			tags[i].X, tags[i].Y = nil, nil // a reel's tags have no place
		}
	}
	return tags, nil
}

func parseCollaborators(v string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(v, ",") {
		n = strings.TrimPrefix(strings.TrimSpace(n), "@")
		if n == "" {
			continue
		}
		if !igUsername.MatchString(n) {
			return nil, fmt.Errorf("collaborators: %q is not an Instagram username", n)
		}
		names = append(names, n)
	}
	if len(names) == 0 || len(names) > MaxCollaborators {
		return nil, fmt.Errorf("collaborators names %d accounts, want 1 to %d", len(names), MaxCollaborators)
	}
	return names, nil
}

func checkAltText(k, v string) error {
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxAltText {
		return fmt.Errorf("%s must be valid text of at most %d characters", k, MaxAltText)
	}
	return nil
}
