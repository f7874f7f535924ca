package sandboxserver

import "time"

// Call is one API call the server answered.
type Call struct {
	At     time.Time
	Method string
	Path   string
	// Ref is the Herald post the call was about, when known.
	Ref    string
	Status int
	// Created says this call created a post.
	Created bool
	// Lost says the call was served but its answer dropped (Fault.LoseResponse).
	Lost bool
	// RetryAfter is the delay the answer asked for (429s).
	RetryAfter time.Duration
}

// Post is a published post.
type Post struct {
	ID        string
	Ref       string
	AccountID string
	Title     string
	Text      string
	Media     []Media
	URL       string
	DraftID   string
	CreatedAt time.Time
	// Comments are the post's comments, oldest first.
	Comments []Comment
}

// Calls returns the API calls so far, in the order they were answered.
func (s *Server) Calls() []Call { return s.calls.All() }

// Published counts the posts created for ref.
func (s *Server) Published(ref string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.posts {
		if p.Ref == ref {
			n++
		}
	}
	return n
}

// Posts returns the published posts, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	posts := make([]Post, 0, len(s.order))
	for _, id := range s.order {
		p := *s.posts[id]
		p.Media = append([]Media(nil), p.Media...)
		p.Comments = append([]Comment(nil), p.Comments...)
		posts = append(posts, p)
	}
	return posts
}
