package instagramtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCommentLength is the longest comment the fake takes (2,200
// characters, as a caption).
const MaxCommentLength = 2200

// Comment is a comment on a media, as the fake holds it.
type Comment struct {
	ID, MediaID string
	// From is the IG user who wrote it.
	From      string
	Text      string
	Timestamp time.Time
}

// Comments returns the comments on media, oldest first.
func (s *Server) Comments(mediaID string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.MediaID == mediaID {
			out = append(out, *c)
		}
	}
	return out
}

// AddComment records a comment of user on media outside the API (a
// follower's), and returns its id.
func (s *Server) AddComment(mediaID, user, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.newID(commentPrefix), MediaID: mediaID, From: user, Text: text, Timestamp: s.now()}
	s.comments = append(s.comments, c)
	return c.ID
}

const commentPrefix = "181"

// createComment is POST /{ig-media-id}/comments?message=... (IG Media
// Comments, "Creating a Comment on a Media Object"): message is
// required; the comment is the account's, which published the media;
// it needs instagram_business_manage_comments (Instagram Login) or
// instagram_manage_comments (Facebook Login) ("Requirements", checked
// with the other endpoints' permissions: permissions.go). The answer is
// {"id": comment id}.
func (s *Server) createComment(r *http.Request, token string) reply {
	id := r.PathValue("id")
	msg := r.Form.Get("message")
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return notFound(id)
	}
	switch {
	case strings.TrimSpace(msg) == "":
		return fail(http.StatusBadRequest, 100, 0, "(#100) The parameter message is required")
	case utf8.RuneCountInString(msg) > MaxCommentLength:
		return fail(http.StatusBadRequest, 100, 0, "(#100) Param message must be at most "+strconv.Itoa(MaxCommentLength)+" characters long")
	}
	c := &Comment{ID: s.newID(commentPrefix), MediaID: id, From: m.UserID, Text: msg, Timestamp: s.now()}
	s.comments = append(s.comments, c)
	return answer(map[string]any{"id": c.ID})
}

// listComments is GET /{ig-media-id}/comments ("Reading"): the media's
// comments, newest first, with the fields asked (timestamp, text and id
// by default; from is {id, username}), paged by limit and after.
func (s *Server) listComments(r *http.Request, token string) reply {
	id := r.PathValue("id")
	fields := fieldsOf(r)
	if len(fields) == 0 {
		fields = []string{"timestamp", "text", "id"}
	}
	limit := 25
	if v, err := strconv.Atoi(r.Form.Get("limit")); err == nil && v > 0 {
		limit = min(v, 50)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.media[id]; !ok {
		return notFound(id)
	}
	var all []*Comment
	for i := len(s.comments) - 1; i >= 0; i-- {
		if s.comments[i].MediaID == id {
			all = append(all, s.comments[i])
		}
	}
	start := 0
	if a := r.Form.Get("after"); a != "" {
		start, _ = strconv.Atoi(a)
	}
	data := []map[string]any{}
	for i := start; i < len(all) && i < start+limit; i++ {
		c := all[i]
		data = append(data, pick(map[string]any{"id": c.ID, "text": c.Text, "timestamp": graphTime(c.Timestamp),
			"from": map[string]any{"id": c.From, "username": "user" + c.From}, "username": "user" + c.From}, fields))
	}
	body := map[string]any{"data": data}
	if start+limit < len(all) {
		next := strconv.Itoa(start + limit)
		body["paging"] = map[string]any{"cursors": map[string]any{"after": next}, "next": "https://graph.facebook.com/" + id + "/comments?after=" + next}
	}
	return answer(body)
}
