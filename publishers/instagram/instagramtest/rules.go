package instagramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// Image is what the server knows of an image at a URL (SetImage): the
// real Graph API downloads it and looks.
type Image struct {
	// Format is "jpeg", "png", ...
	Format string
	// Bytes is its size.
	Bytes int64
	// Width and Height are in pixels.
	Width, Height int
}

// SetImage tells the server what the image at imageURL is. Images it was
// not told of pass as small square JPEGs.
func (s *Server) SetImage(imageURL string, img Image) {
	s.mu.Lock()
	if s.images == nil {
		s.images = map[string]Image{}
	}
	s.images[imageURL] = img
	s.mu.Unlock()
}

// Limits of IG User Media (developers.facebook.com/docs/instagram-platform/
// instagram-graph-api/reference/ig-user/media), "Image Specifications"
// and "Limitations".
const (
	// MaxImageBytes: "Maximum file size: 8 MiB".
	MaxImageBytes = 8 << 20
	// ContainersPerDay: "an account can create at most 400 containers
	// in a rolling 24 hour period".
	ContainersPerDay = 400
	maxUserTags      = 20
	maxCollaborators = 3
	maxAltText       = 1000
)

var (
	username = regexp.MustCompile(`^[A-Za-z0-9._]{1,30}$`)
	numeric  = regexp.MustCompile(`^[0-9]{1,30}$`)
)

// checkImage applies Image Specifications to an image container's media:
// JPEG only ("Format: JPEG", 36001/2207005), at most 8 MiB (36000/2207004,
// the Error Codes reference's sample), aspect ratio 4:5 to 1.91:1
// (36003/2207009). Callers hold mu.
func (s *Server) checkImage(imageURL string) (reply, bool) {
	img, ok := s.images[imageURL]
	if !ok {
		return reply{}, true
	}
	switch {
	case img.Format != "jpeg":
		return fail(http.StatusBadRequest, 36001, 2207005, "The image format is not supported. Only JPEG images can be published."), false
	case img.Bytes > MaxImageBytes:
		return userFail(36000, 2207004, "The image size is too large.", "The image is too large to download. It should be less than 8 MiB."), false
	case img.Width <= 0 || img.Height <= 0:
		return fail(http.StatusBadRequest, 36003, 2207009, "The submitted image has no dimensions."), false
	}
	// 4:5 <= width/height <= 1.91:1, compared without floats.
	w, h := int64(img.Width), int64(img.Height)
	if 5*w < 4*h || 100*w > 191*h {
		return fail(http.StatusBadRequest, 36003, 2207009, fmt.Sprintf("The submitted image with aspect ratio ('%d:%d') cannot be published. Please submit an image with a valid aspect ratio.", img.Width, img.Height)), false
	}
	return reply{}, true
}

func userFail(code, subcode int, message, userMessage string) reply {
	rep := fail(http.StatusBadRequest, code, subcode, message)
	rep.body.(map[string]any)["error"].(map[string]any)["error_user_msg"] = userMessage
	return rep
}

// checkParams applies IG User Media's parameter rules to a container of
// mediaType: no caption on a story, carousel items only IMAGE or VIDEO,
// user_tags (a JSON array of {username, x, y}; x and y from 0.0
// to 1.0 on images, none on reels; at most 20), collaborators (at most 3
// usernames; not stories or carousel items), alt_text (images only),
// audio_name, cover_url, share_to_feed and thumb_offset (reels only),
// location_id (a page id; not stories). Each refusal is (#100) Invalid
// parameter naming it.
func checkParams(f url.Values, mediaType string, carouselItem bool) (reply, bool) {
	bad := func(format string, args ...any) (reply, bool) {
		return fail(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter: "+fmt.Sprintf(format, args...)), false
	}
	reel, image := mediaType == "REELS", mediaType == "IMAGE"
	if mediaType == "STORIES" && f.Get("caption") != "" {
		return bad("caption is not supported for stories")
	}
	if carouselItem && mediaType != "IMAGE" && mediaType != "VIDEO" {
		return bad("a carousel item is an IMAGE or a VIDEO, not %s", mediaType)
	}
	for _, k := range []string{"audio_name", "cover_url", "share_to_feed", "thumb_offset"} {
		if f.Has(k) && !reel {
			return bad("%s applies to reels only", k)
		}
	}
	if f.Has("alt_text") && !image {
		return bad("alt_text applies to images only")
	}
	if len([]rune(f.Get("alt_text"))) > maxAltText {
		return bad("alt_text is longer than %d characters", maxAltText)
	}
	if f.Has("location_id") && (mediaType == "STORIES" || !numeric.MatchString(f.Get("location_id"))) {
		return bad("location_id must be a page id, and not on a story")
	}
	if v := f.Get("share_to_feed"); v != "" && v != "true" && v != "false" {
		return bad("share_to_feed must be true or false")
	}
	if v := f.Get("thumb_offset"); v != "" {
		if _, err := strconv.ParseUint(v, 10, 31); err != nil {
			return bad("thumb_offset must be milliseconds")
		}
	}
	if f.Has("collaborators") {
		if mediaType == "STORIES" || carouselItem {
			return bad("collaborators cannot be set on a story or a carousel item")
		}
		var names []string
		if err := json.Unmarshal([]byte(f.Get("collaborators")), &names); err != nil || len(names) == 0 || len(names) > maxCollaborators {
			return bad("collaborators must be a JSON array of 1 to %d usernames", maxCollaborators)
		}
		for _, n := range names {
			if !username.MatchString(n) {
				return bad("collaborators: %q is not a username", n)
			}
		}
	}
	if f.Has("user_tags") {
		if !image && !reel {
			return bad("user_tags apply to images and reels")
		}
		var tags []struct {
			Username string   `json:"username"`
			X        *float64 `json:"x"`
			Y        *float64 `json:"y"`
		}
		if err := json.Unmarshal([]byte(f.Get("user_tags")), &tags); err != nil || len(tags) == 0 || len(tags) > maxUserTags {
			return bad("user_tags must be a JSON array of 1 to %d tags", maxUserTags)
		}
		for _, t := range tags {
			if !username.MatchString(t.Username) {
				return bad("user_tags: %q is not a username", t.Username)
			}
			if image && (t.X == nil || t.Y == nil || *t.X < 0 || *t.X > 1 || *t.Y < 0 || *t.Y > 1) {
				return bad("user_tags on an image need x and y from 0.0 to 1.0")
			}
			if reel && (t.X != nil || t.Y != nil) {
				return bad("user_tags on a reel take no x or y")
			}
		}
	}
	return reply{}, true
}

// containersToday counts user's containers created in the last 24 hours;
// callers hold mu.
func (s *Server) containersToday(user string, now time.Time) int {
	n := 0
	for _, c := range s.containers {
		if c.UserID == user && now.Sub(c.CreatedAt) < Window {
			n++
		}
	}
	return n
}

// tooManyContainers is the refusal of a 401st container in 24 hours. Meta
// documents the limit, not its error; the fake answers the call-volume
// refusal (#4), which clients treat as "wait".
func tooManyContainers() reply {
	return fail(http.StatusBadRequest, 4, 0, "(#4) Application request limit reached: at most "+strconv.Itoa(ContainersPerDay)+" containers in 24 hours")
}
