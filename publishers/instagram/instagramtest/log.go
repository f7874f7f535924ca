package instagramtest

import (
	"net/url"
	"time"
)

// Call is one API call the server answered (or, Lost, dropped).
type Call struct {
	At       time.Time
	Method   string
	Path     string
	Endpoint Endpoint
	// Params are the query and form parameters, without tokens and
	// secrets.
	Params url.Values
	Status int
	// Code and Subcode are the error answer's, if any.
	Code, Subcode int
	// TokenInURL says the access token came in the URL's query, where
	// proxies and logs see it.
	TokenInURL bool
	Lost       bool
}

// Media is a published post.
type Media struct {
	ID, UserID, ContainerID string
	ProductType             string // FEED, REELS or STORY
	MediaType               string // IMAGE, VIDEO or CAROUSEL_ALBUM
	Caption                 string
	// URLs are the image or video URLs, carousel items in order.
	URLs        []string
	Permalink   string
	PublishedAt time.Time
}

// Calls returns the calls so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.calls.All() }

// Media returns the published media, oldest first.
func (s *Server) Media() []Media {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Media, 0, len(s.order))
	for _, id := range s.order {
		m := *s.media[id]
		m.URLs = append([]string(nil), m.URLs...)
		out = append(out, m)
	}
	return out
}

// Containers returns every container made, carousel items included.
func (s *Server) Containers() []Container {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Container, 0, len(s.containers))
	for _, c := range s.containers {
		cc := *c
		out = append(out, cc)
	}
	return out
}

// Created counts the containers (carousel items left out) made with
// caption.
func (s *Server) Created(caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.containers {
		if !c.CarouselItem && c.Caption == caption {
			n++
		}
	}
	return n
}

// Published counts the media published with caption.
func (s *Server) Published(caption string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.media {
		if m.Caption == caption {
			n++
		}
	}
	return n
}

// Seed records a post of user published at at, outside the API: for
// filling the publishing window. It returns the media id.
func (s *Server) Seed(user, caption string, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Container{ID: s.newID(containerPrefix), UserID: user, MediaType: "IMAGE", Caption: caption,
		ImageURL: "https://example.com/seed.jpg", Status: StatusPublished, CreatedAt: at}
	s.containers[c.ID] = c
	return s.addMedia(c, at).ID
}

// addMedia publishes c at at.
func (s *Server) addMedia(c *Container, at time.Time) *Media {
	m := &Media{ID: s.newID(mediaPrefix), UserID: c.UserID, ContainerID: c.ID, Caption: c.Caption, PublishedAt: at}
	switch c.MediaType {
	case "REELS":
		m.ProductType, m.MediaType, m.URLs = "REELS", "VIDEO", []string{c.VideoURL}
		m.Permalink = "https://www.instagram.com/reel/" + shortcode(m.ID) + "/"
	case "STORIES":
		m.ProductType, m.MediaType, m.Caption = "STORY", "IMAGE", ""
		m.URLs = []string{c.ImageURL}
		if c.VideoURL != "" {
			m.MediaType, m.URLs = "VIDEO", []string{c.VideoURL}
		}
		m.Permalink = "https://www.instagram.com/stories/user_" + c.UserID + "/" + m.ID + "/"
	case "CAROUSEL":
		m.ProductType, m.MediaType = "FEED", "CAROUSEL_ALBUM"
		for _, id := range c.Children {
			ch := s.containers[id]
			m.URLs = append(m.URLs, ch.ImageURL+ch.VideoURL)
		}
		m.Permalink = "https://www.instagram.com/p/" + shortcode(m.ID) + "/"
	default:
		m.ProductType, m.MediaType, m.URLs = "FEED", "IMAGE", []string{c.ImageURL}
		m.Permalink = "https://www.instagram.com/p/" + shortcode(m.ID) + "/"
	}
	s.media[m.ID] = m
	s.order = append(s.order, m.ID)
	return m
}

// shortcode makes a permalink code from a media id.
func shortcode(id string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	h := hash(id)
	b := []byte("C")
	for range 10 {
		b = append(b, alphabet[h%64])
		h = h/64 + uint32(len(b))*2654435761
	}
	return string(b)
}
