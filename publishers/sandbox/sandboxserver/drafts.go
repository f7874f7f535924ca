package sandboxserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxTextLength is the longest text, in characters, a post may have.
const MaxTextLength = 5000

// Media is an attachment of a post.
type Media struct {
	URL  string `json:"url"`
	Kind string `json:"kind"` // image or video
}

type draftRequest struct {
	AccountID string  `json:"account_id"`
	Ref       string  `json:"ref"`
	Title     string  `json:"title"`
	Text      string  `json:"text"`
	Media     []Media `json:"media"`
}

type publishReply struct {
	ID      string `json:"id"`
	URL     string `json:"url"`
	Created bool   `json:"created"`
}

// draftRef is the ref a draft request carries, if its body can be read.
func (s *Server) draftRef(_ *http.Request, body []byte) string {
	var req draftRequest
	json.Unmarshal(body, &req)
	return req.Ref
}

// publishRef is the ref of the draft being published.
func (s *Server) publishRef(r *http.Request, _ []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.drafts[r.PathValue("id")]; ok {
		return d.ref
	}
	return ""
}

func (s *Server) createDraft(_ *http.Request, body []byte) reply {
	var req draftRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return fail(http.StatusBadRequest, "bad_request", "body is not a draft: "+err.Error())
	}
	if msg := invalid(req); msg != "" {
		return fail(http.StatusUnprocessableEntity, "invalid_post", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ndraft++
	d := &draft{
		id: "d_" + strconv.Itoa(s.ndraft), ref: req.Ref, account: req.AccountID,
		title: req.Title, text: req.Text, media: append([]Media(nil), req.Media...),
	}
	s.drafts[d.id] = d
	return reply{status: http.StatusCreated, body: map[string]string{"id": d.id}}
}

// invalid says what is wrong with a draft, or "".
func invalid(req draftRequest) string {
	switch {
	case req.AccountID == "":
		return "account_id is required"
	case req.Ref == "":
		return "ref is required"
	}
	if n := utf8.RuneCountInString(req.Text); n > MaxTextLength {
		return fmt.Sprintf("text is %d characters long, the limit is %d", n, MaxTextLength)
	}
	for i, m := range req.Media {
		if m.Kind != "image" && m.Kind != "video" {
			return fmt.Sprintf("media %d: kind %q is neither image nor video", i+1, m.Kind)
		}
		if m.URL == "" {
			return fmt.Sprintf("media %d: url is required", i+1)
		}
	}
	return ""
}

// publish makes a draft a post, once: publishing it again answers with the
// same post, as a platform that remembers does.
func (s *Server) publish(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.drafts[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no draft %q", r.PathValue("id")))
	}
	if p, ok := s.posts[d.post]; ok {
		return reply{status: http.StatusOK, body: publishReply{ID: p.ID, URL: p.URL}}
	}
	s.npost++
	id := "p_" + strconv.Itoa(s.npost)
	p := &Post{
		ID: id, Ref: d.ref, AccountID: d.account, Title: d.title, Text: d.text,
		Media: d.media, URL: s.base + "/p/" + id, DraftID: d.id, CreatedAt: time.Now(),
	}
	s.posts[id] = p
	s.order = append(s.order, id)
	d.post = id
	return reply{status: http.StatusOK, body: publishReply{ID: p.ID, URL: p.URL, Created: true}, created: true}
}

// draftReply is a draft as GET /v1/drafts/{id} shows it: post_id and url
// are its post's, once published.
type draftReply struct {
	ID     string `json:"id"`
	PostID string `json:"post_id,omitempty"`
	URL    string `json:"url,omitempty"`
}

// getDraft shows a draft and whether it became a post: how a client whose
// publish answer was lost learns the outcome without publishing.
func (s *Server) getDraft(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.drafts[r.PathValue("id")]
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no draft %q", r.PathValue("id")))
	}
	out := draftReply{ID: d.id}
	if p, ok := s.posts[d.post]; ok {
		out.PostID, out.URL = p.ID, p.URL
	}
	return reply{status: http.StatusOK, body: out}
}
