package linkedintest

import (
	"net/url"
	"time"
)

// Call is one call the server answered (or, Lost, dropped).
type Call struct {
	At       time.Time
	Method   string
	Path     string
	Endpoint Endpoint
	// Query is the decoded query, without tokens.
	Query url.Values
	// Version and Protocol are the LinkedIn-Version and
	// X-Restli-Protocol-Version headers; Finder says X-RestLi-Method
	// was FINDER.
	Version, Protocol string
	Finder            bool
	// Authorized says a token came along; TokenInURL that it came in
	// the URL, where proxies and logs see it.
	Authorized, TokenInURL bool
	// Body is the request's body (JSON for API calls); for uploads only
	// Size is kept.
	Body   []byte
	Size   int64
	Status int
	Lost   bool
}

// Post is a created post.
type Post struct {
	URN    string
	Author string
	// Commentary is the little text as sent; Text what it shows.
	Commentary, Text string
	// Kind is text, article, image, multi-image, video or document.
	Kind       string
	MediaIDs   []string
	Title      string
	Article    string // the article's URL
	Visibility string
	NoReshare  bool
	CreatedAt  time.Time
	// Deleted: DELETE /rest/posts took it down.
	Deleted bool
	// JSON is the post as the finder lists it.
	JSON map[string]any
}

// Calls returns the calls so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.calls.All() }

// Posts returns the created posts, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, 0, len(s.posts))
	for _, p := range s.posts {
		c := *p
		c.MediaIDs = append([]string(nil), p.MediaIDs...)
		out = append(out, c)
	}
	return out
}

// Created says how many posts show text.
func (s *Server) Created(text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.posts {
		if p.Text == text {
			n++
		}
	}
	return n
}

// PartUploads says how many times part (from 1) of video was PUT,
// answered or not.
func (s *Server) PartUploads(video string, part int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[video]
	if !ok || part < 1 || part > len(v.puts) {
		return 0
	}
	return v.puts[part-1]
}
