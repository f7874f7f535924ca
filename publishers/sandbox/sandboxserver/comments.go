package sandboxserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The sandbox's comments and deletions, the shape of what real platforms
// offer (a comment as the post's author, read back by listing the post's
// comments; a delete that answers 404 once the post is gone):
//
//	POST   /v1/posts/{id}/comments {"account_id","text"} -> 201 {"id"}
//	GET    /v1/posts/{id}/comments -> {"comments":[{"id","account_id","text","created_at"}]}
//	DELETE /v1/posts/{id} -> 204, 404 when there is no such post
//	GET    /v1/posts/{id} -> {"id","url"}, 404 once deleted
//
// Calls about comments carry the ref CommentRef(post's ref), so a fault
// can hit a post's comment without its publication.

// MaxCommentLength is the longest comment the sandbox takes.
const MaxCommentLength = 2000

// Comment is a comment on a post.
type Comment struct {
	ID        string    `json:"id"`
	AccountID string    `json:"account_id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// CommentRef is the ref of the comment calls on the post of ref, for
// FailRef.
func CommentRef(ref string) string { return "comment:" + ref }

func (s *Server) commentRef(r *http.Request, b []byte) string {
	if ref := s.postRef(r, b); ref != "" {
		return CommentRef(ref)
	}
	return ""
}

// Comments returns the comments on post id, oldest first.
func (s *Server) Comments(id string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[id]; ok {
		return slices.Clone(p.Comments)
	}
	return nil
}

// Deleted counts the posts deleted through the API.
func (s *Server) Deleted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleted
}

func (s *Server) createComment(r *http.Request, body []byte) reply {
	var req struct {
		AccountID string `json:"account_id"`
		Text      string `json:"text"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return fail(http.StatusBadRequest, "bad_request", "body is not a comment: "+err.Error())
	}
	switch n := utf8.RuneCountInString(req.Text); {
	case strings.TrimSpace(req.Text) == "":
		return fail(http.StatusUnprocessableEntity, "invalid_comment", "text is required")
	case n > MaxCommentLength:
		return fail(http.StatusUnprocessableEntity, "invalid_comment", fmt.Sprintf("text has %d characters, at most %d", n, MaxCommentLength))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no post %q", r.PathValue("id")))
	}
	if req.AccountID != p.AccountID {
		return fail(http.StatusForbidden, "forbidden", "only the post's author comments through this API")
	}
	s.ncomment++
	c := Comment{ID: "c_" + strconv.Itoa(s.ncomment), AccountID: req.AccountID, Text: req.Text, CreatedAt: time.Now()}
	p.Comments = append(p.Comments, c)
	return reply{status: http.StatusCreated, body: map[string]string{"id": c.ID}}
}

func (s *Server) listComments(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no post %q", r.PathValue("id")))
	}
	return reply{status: http.StatusOK, body: map[string]any{"comments": append([]Comment{}, p.Comments...)}}
}

func (s *Server) deletePost(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := s.posts[id]; !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no post %q", id))
	}
	delete(s.posts, id)
	s.order = slices.DeleteFunc(s.order, func(v string) bool { return v == id })
	s.deleted++
	return reply{status: http.StatusNoContent}
}

func (s *Server) getPost(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no post %q", r.PathValue("id")))
	}
	return reply{status: http.StatusOK, body: publishReply{ID: p.ID, URL: p.URL}}
}
