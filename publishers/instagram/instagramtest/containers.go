package instagramtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Container status codes.
const (
	StatusInProgress = "IN_PROGRESS"
	StatusFinished   = "FINISHED"
	StatusError      = "ERROR"
	StatusExpired    = "EXPIRED"
	StatusPublished  = "PUBLISHED"
)

// Processing is how a new container gets ready.
type Processing struct {
	// Polls is how many status reads answer IN_PROGRESS first.
	Polls int
	// Duration is how long, on the server's clock, the container stays
	// IN_PROGRESS after it was created.
	Duration time.Duration
	// Error, when set, makes the container end in ERROR (instead of
	// FINISHED) with this status text, such as "Error: media download
	// timed out: 2207003".
	Error string
}

// SetProcessing sets how containers created from now on get ready.
func (s *Server) SetProcessing(p Processing) {
	s.mu.Lock()
	s.processing = p
	s.mu.Unlock()
}

// SetMediaProcessing sets how containers of the media at mediaURL get
// ready, overriding SetProcessing.
func (s *Server) SetMediaProcessing(mediaURL string, p Processing) {
	s.mu.Lock()
	s.byURL[mediaURL] = p
	s.mu.Unlock()
}

// ExpireContainers makes every container not yet published EXPIRED, as
// 24 hours would.
func (s *Server) ExpireContainers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.containers {
		if c.Status != StatusPublished {
			c.Status = StatusExpired
		}
	}
}

// Container is a media container.
type Container struct {
	ID, UserID   string
	MediaType    string // IMAGE (no media_type given), VIDEO, REELS, STORIES, CAROUSEL
	ImageURL     string
	VideoURL     string
	Caption      string
	Children     []string
	CarouselItem bool
	Params       url.Values
	Status       string
	StatusText   string
	CreatedAt    time.Time
	processing   Processing
	reads        int
}

const maxCaption = 2200

func (s *Server) createContainer(r *http.Request, _ string) reply {
	user := r.PathValue("user")
	if !isAccount(user) {
		return notFound(user)
	}
	f := r.Form
	c := &Container{
		UserID: user, MediaType: strings.ToUpper(f.Get("media_type")),
		ImageURL: f.Get("image_url"), VideoURL: f.Get("video_url"),
		Caption: f.Get("caption"), CarouselItem: f.Get("is_carousel_item") == "true",
		Params: url.Values{}, Status: StatusInProgress,
	}
	for k, v := range f {
		if k != "access_token" {
			c.Params[k] = v
		}
	}
	if c.MediaType == "" {
		c.MediaType = "IMAGE"
	}
	if utf8.RuneCountInString(c.Caption) > maxCaption {
		return fail(http.StatusBadRequest, 100, 2207010, "The caption is too long.")
	}
	if rep, ok := checkParams(f, c.MediaType, c.CarouselItem); !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.containersToday(user, s.now()) >= ContainersPerDay {
		return tooManyContainers()
	}
	switch c.MediaType {
	case "IMAGE":
		if !public(c.ImageURL) {
			return fail(http.StatusBadRequest, 9004, 2207052, "The media could not be fetched from this URI: image_url")
		}
		if rep, ok := s.checkImage(c.ImageURL); !ok {
			return rep
		}
	case "VIDEO", "REELS":
		if !public(c.VideoURL) {
			return fail(http.StatusBadRequest, 9004, 2207052, "The media could not be fetched from this URI: video_url")
		}
		if c.MediaType == "VIDEO" && !c.CarouselItem {
			return fail(http.StatusBadRequest, 100, 2207023, "The media type VIDEO is not supported: use REELS.")
		}
	case "STORIES":
		if !public(c.ImageURL) && !public(c.VideoURL) {
			return fail(http.StatusBadRequest, 9004, 2207052, "The media could not be fetched from this URI")
		}
	case "CAROUSEL":
		ids := strings.Split(f.Get("children"), ",")
		if len(ids) < 2 || len(ids) > 10 {
			return fail(http.StatusBadRequest, 100, 2207028, "A carousel has 2 to 10 items.")
		}
		for _, id := range ids {
			child, ok := s.containers[id]
			if !ok || !child.CarouselItem || child.UserID != user {
				return fail(http.StatusBadRequest, 100, 2207028, fmt.Sprintf("Carousel item %q is not a carousel item container of this account.", id))
			}
			s.settle(child)
			if child.Status != StatusFinished {
				return fail(http.StatusBadRequest, 9007, 2207027, fmt.Sprintf("Carousel item %s is not ready (%s).", id, child.Status))
			}
		}
		c.Children = ids
	default:
		return fail(http.StatusBadRequest, 100, 2207023, fmt.Sprintf("Unknown media type %q.", c.MediaType))
	}
	c.ID = s.newID(containerPrefix)
	c.CreatedAt = s.now()
	c.processing = s.processing
	for _, u := range []string{c.ImageURL, c.VideoURL} {
		if p, ok := s.byURL[u]; ok && u != "" {
			c.processing = p
		}
	}
	s.containers[c.ID] = c
	return answer(map[string]any{"id": c.ID})
}

func public(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// settle moves c along by the clock: processing done, or expired.
func (s *Server) settle(c *Container) {
	now := s.now()
	if c.Status == StatusInProgress && c.reads >= c.processing.Polls && !now.Before(c.CreatedAt.Add(c.processing.Duration)) {
		if c.processing.Error != "" {
			c.Status, c.StatusText = StatusError, c.processing.Error
		} else {
			c.Status, c.StatusText = StatusFinished, "Finished: Media container is ready to be published."
		}
	}
	if c.Status != StatusPublished && c.Status != StatusError && !now.Before(c.CreatedAt.Add(Window)) {
		c.Status = StatusExpired
	}
	if c.Status == StatusExpired {
		c.StatusText = "Expired: Media container was not published within 24 hours."
	}
}

func (s *Server) publish(r *http.Request, _ string) reply {
	user := r.PathValue("user")
	id := r.Form.Get("creation_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.containers[id]
	if !ok || c.UserID != user {
		return notFound(id)
	}
	s.settle(c)
	switch {
	case c.CarouselItem:
		return fail(http.StatusBadRequest, 100, 0, "A carousel item cannot be published on its own.")
	case c.Status == StatusExpired:
		return fail(http.StatusBadRequest, 100, 2207020, "The media container has expired: create a new one.")
	case c.Status == StatusPublished:
		// Meta documents no error for publishing a container twice
		// (2207008 is a temporary publishing error, Error Codes
		// reference); the Graph API answers a parameter it will not act
		// on with (#100) Invalid parameter, and so does this fake. The
		// publisher must never depend on it: it reads the status first.
		return fail(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter: the media container has already been published.")
	case c.Status == StatusError:
		// Likewise undocumented; 2207051 would be the spam restriction.
		return fail(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter: the media container failed: "+c.StatusText)
	case c.Status != StatusFinished:
		return fail(http.StatusBadRequest, 9007, 2207027, "Media ID is not available: the media is not ready for publishing, please wait for a moment.")
	}
	if s.usedLocked(user, time.Time{}) >= s.limit {
		return fail(http.StatusBadRequest, 9, 2207042, "Application request limit reached: the maximum number of posts published in 24 hours has been reached.")
	}
	m := s.addMedia(c, s.now())
	c.Status = StatusPublished
	c.StatusText = "Published: Media has been published."
	return answer(map[string]any{"id": m.ID})
}

// usedLocked counts user's media published in the window, since since
// when later.
func (s *Server) usedLocked(user string, since time.Time) int {
	from := s.now().Add(-Window)
	if since.After(from) {
		from = since
	}
	n := 0
	for _, m := range s.media {
		if m.UserID == user && !m.PublishedAt.Before(from) {
			n++
		}
	}
	return n
}

func (s *Server) publishingLimit(r *http.Request, _ string) reply {
	user := r.PathValue("user")
	if !isAccount(user) {
		return notFound(user)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var since time.Time
	if v := r.Form.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || time.Unix(n, 0).Before(s.now().Add(-Window-time.Second)) {
			return fail(http.StatusBadRequest, 100, 0, "(#100) since must be a Unix timestamp no older than 24 hours")
		}
		since = time.Unix(n, 0)
	}
	return answer(map[string]any{"data": []any{map[string]any{
		"quota_usage": s.usedLocked(user, since),
		"config":      map[string]any{"quota_total": s.limit, "quota_duration": int64(Window / time.Second)},
	}}})
}
