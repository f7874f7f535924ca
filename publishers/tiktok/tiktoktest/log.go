package tiktoktest

import (
	"time"
)

// Call is one call the server answered (or, Lost, dropped).
type Call struct {
	At       time.Time
	Method   string
	Path     string
	Endpoint Endpoint
	Status   int
	// Code is the error answer's code, if any.
	Code string
	// PublishID is the publish the call made, fed or asked about.
	PublishID string
	// PublishStatus is the status a status fetch answered.
	PublishStatus string
	// Title is an init's post_info.title.
	Title string
	// Range is an upload's Content-Range, ContentType its Content-Type.
	Range, ContentType string
	// IDs are a video query's ids.
	IDs []string
	// Params are an OAuth call's form values, secrets left out.
	Params map[string]string
	// TokenInURL says an access_token came in the URL's query, where
	// proxies and logs see it.
	TokenInURL bool
	Lost       bool
}

// Post is a published post.
type Post struct {
	// ID is the public post id; empty for SELF_ONLY posts, as TikTok
	// gives none.
	ID        string
	PublishID string
	Kind      string
	Title     string
	Privacy   string
	At        time.Time
}

// Calls returns the calls so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.calls.All() }

// Publishes returns every publish_id handed out, oldest first.
func (s *Server) Publishes() []Publish {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Publish, 0, len(s.order))
	for _, id := range s.order {
		p := *s.publishes[id]
		p.Chunks = append([]string(nil), p.Chunks...)
		p.Photos = append([]string(nil), p.Photos...)
		p.hash = nil
		out = append(out, p)
	}
	return out
}

// Posts returns the published posts, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Inits counts the publishes initialised with title.
func (s *Server) Inits(title string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.publishes {
		if p.Title == title {
			n++
		}
	}
	return n
}

// Published counts the posts published with title.
func (s *Server) Published(title string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.posts {
		if p.Title == title {
			n++
		}
	}
	return n
}

// Count counts the calls to ep.
func (s *Server) Count(ep Endpoint) int {
	return s.calls.Count(func(c Call) bool { return c.Endpoint == ep })
}
