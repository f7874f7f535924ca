package linkedintest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCommentLength is the longest comment the fake takes: LinkedIn's
// comment box stops at 1,250 characters (the Comments API reference
// gives no limit of its own for message.text).
const MaxCommentLength = 1250

// Comment is a comment on a post, as the fake holds it.
type Comment struct {
	ID string
	// URN is urn:li:comment:(<post URN>,<id>).
	URN, Post, Actor, Text string
	CreatedAt              time.Time
}

// Comments returns the comments on post (a share or ugcPost URN),
// oldest first.
func (s *Server) Comments(post string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Post == post {
			out = append(out, *c)
		}
	}
	return out
}

// AddComment records a comment of actor on post outside the API (a
// reader's), and returns its URN.
func (s *Server) AddComment(post, actor, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addCommentLocked(post, actor, text).URN
}

func (s *Server) addCommentLocked(post, actor, text string) *Comment {
	id := strconv.FormatInt(s.id(), 10)
	c := &Comment{ID: id, URN: "urn:li:comment:(" + post + "," + id + ")", Post: post, Actor: actor, Text: text, CreatedAt: s.now()}
	s.comments = append(s.comments, c)
	return c
}

// postLocked is the live post urn, or nil; callers hold mu.
func (s *Server) postLocked(urn string) *Post {
	for _, p := range s.posts {
		if p.URN == urn && !p.Deleted {
			return p
		}
	}
	return nil
}

// anyPostLocked is the post urn, deleted or not, or nil; callers hold mu.
func (s *Server) anyPostLocked(urn string) *Post {
	var p *Post
	for _, q := range s.posts {
		if q.URN == urn {
			p = q
		}
	}
	return p
}

// authorPost is how a call on a post starts: the post urn as find
// (postLocked or anyPostLocked) sees it, 404 if there is none, then 403
// unless the token holds the post author's variant of kind
// ("w_%s_social", "r_%s_social": authorScope) for resource. Each caller
// cites the section its kind and resource come from. It returns the
// post and true, or the answer to give and false.
func (s *Server) authorPost(r *http.Request, urn string, find func(string) *Post, kind, resource string) (*Post, reply, bool) {
	s.mu.Lock()
	p := find(urn)
	s.mu.Unlock()
	if p == nil {
		return nil, fail(http.StatusNotFound, 0, "", "Not Found: no such post "+urn), false
	}
	if rep, ok := s.needScope(r, authorScope(p.Author, kind), resource); !ok {
		return nil, rep, false
	}
	return p, reply{}, true
}

type commentRequest struct {
	Actor   string `json:"actor"`
	Object  string `json:"object"`
	Message *struct {
		Text string `json:"text"`
	} `json:"message"`
}

// json is c as the Comments API gives it ("Get Comments on Shares":
// actor, object, message.text, created, id, $URN).
func (c *Comment) json() map[string]any {
	at := c.CreatedAt.UnixMilli()
	return map[string]any{
		"id": c.ID, "$URN": c.URN, "actor": c.Actor, "object": c.Post,
		"message": map[string]any{"text": c.Text, "attributes": []any{}},
		"created": map[string]any{"actor": c.Actor, "time": at}, "lastModified": map[string]any{"actor": c.Actor, "time": at},
	}
}

// createComment is "Create a Comment" (Comments API): POST
// /rest/socialActions/{post URN}/comments with actor (a person or
// organization URN: the member's own, or a page they hold a role on),
// object (the post) and message.text. Commenting needs w_member_social,
// or w_organization_social for an organization actor ("Permissions").
// 201 with the comment, its URN in x-restli-id.
func (s *Server) createComment(r *http.Request, body []byte) reply {
	post := r.PathValue("urn")
	var req commentRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest("body is not a comment: %v", err)
	}
	if !authorURN.MatchString(req.Actor) {
		return fail(http.StatusUnprocessableEntity, 0, "", "/actor: not a person or organization URN")
	}
	if rep, ok := s.needScope(r, authorScope(req.Actor, "w_%s_social"), "comments.CREATE"); !ok {
		return rep
	}
	if req.Object != "" && req.Object != post {
		return fail(http.StatusUnprocessableEntity, 0, "", "/object: not the post of the path")
	}
	if req.Message == nil || strings.TrimSpace(req.Message.Text) == "" {
		return fail(http.StatusUnprocessableEntity, 0, "", "/message/text: required")
	}
	if utf8.RuneCountInString(req.Message.Text) > MaxCommentLength {
		return fail(http.StatusUnprocessableEntity, 0, "", "/message/text: longer than "+strconv.Itoa(MaxCommentLength)+" characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.postLocked(post) == nil {
		return fail(http.StatusNotFound, 0, "", "Not Found: no such post "+post)
	}
	c := s.addCommentLocked(post, req.Actor, req.Message.Text)
	rep := answer(http.StatusCreated, c.json())
	rep.header = http.Header{"X-Restli-Id": {c.URN}}
	return rep
}

// listComments is "Get Comments on Shares": the post's comments, newest
// first, paged by start and count. Reading them needs r_member_social
// (closed: "granted to select developers only") for a member's post, or
// r_organization_social for an organization's ("Permissions").
func (s *Server) listComments(r *http.Request, _ []byte) reply {
	post := r.PathValue("urn")
	if _, rep, ok := s.authorPost(r, post, s.postLocked, "r_%s_social", "comments.GET_ALL"); !ok {
		return rep
	}
	count, start := 10, 0
	q := r.URL.Query()
	if v, err := strconv.Atoi(q.Get("count")); err == nil && v > 0 {
		count = min(v, 100)
	}
	if v, err := strconv.Atoi(q.Get("start")); err == nil && v >= 0 {
		start = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []map[string]any
	for i := len(s.comments) - 1; i >= 0; i-- {
		if c := s.comments[i]; c.Post == post {
			all = append(all, c.json())
		}
	}
	page := []map[string]any{}
	if start < len(all) {
		page = all[start:min(start+count, len(all))]
	}
	return answer(http.StatusOK, map[string]any{
		"elements": page,
		"paging":   map[string]any{"start": start, "count": count, "total": len(all), "links": []any{}},
	})
}

// deletePost is "Delete Posts" (Posts API): DELETE /rest/posts/{URN}
// with the author's write permission (w_member_social or
// w_organization_social); 204 No Content, also for a post already
// deleted (deletion is idempotent); 404 for a post that never was.
func (s *Server) deletePost(r *http.Request, _ []byte) reply {
	urn := r.PathValue("urn")
	if !postURN.MatchString(urn) {
		return badRequest("not a post URN: %s", urn)
	}
	p, rep, ok := s.authorPost(r, urn, s.anyPostLocked, "w_%s_social", "partnerApiPostsExternal.DELETE")
	if !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !p.Deleted {
		p.Deleted = true
		s.deleted++
	}
	return reply{status: http.StatusNoContent}
}

// getPost is "Retrieve Posts by URN": 200 with the post, 404 once it is
// deleted. Reading a member's post needs r_member_social (closed), an
// organization's r_organization_social.
func (s *Server) getPost(r *http.Request, _ []byte) reply {
	urn := r.PathValue("urn")
	p, rep, ok := s.authorPost(r, urn, s.anyPostLocked, "r_%s_social", "partnerApiPostsExternal.GET")
	if !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Deleted {
		return fail(http.StatusNotFound, 0, "", "Not Found: post "+urn+" was deleted")
	}
	return answer(http.StatusOK, p.JSON)
}

// Deleted counts the posts deleted through the API.
func (s *Server) Deleted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleted
}
