package jobs

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// payloadVersion is the version of the task payload format. Payloads
// written before the post's content left them (the whole post under
// "post") are version 1 too: the handler reads only post_id and
// account_id, which both forms have.
const payloadVersion = 1

// previewLen is how many characters of a post's title (or text) its task
// payload shows.
const previewLen = 40

// publishPayload is a publish task's payload: only what says which post
// a task is, for asynqmon and for the handler (the post id, and the
// account whose token the handler prefetches). The handler publishes the
// record's copy of the post, which reschedules and edits keep current, so
// the content is not stored twice; the preview is a few words of it for a
// person looking at the queue. No token or other secret is ever part of
// a payload.
type publishPayload struct {
	V    int         `json:"v"`
	Post payloadPost `json:"post"`
}

type payloadPost struct {
	ID        string `json:"post_id"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform"`
	Preview   string `json:"preview,omitempty"`
}

// newPublishPayload is p's task payload.
func newPublishPayload(p Post) publishPayload {
	return publishPayload{V: payloadVersion, Post: payloadPost{ID: p.ID, AccountID: p.AccountID, Platform: p.Platform, Preview: preview(p)}}
}

// marshalPublishPayload is p's payload, encoded.
func marshalPublishPayload(p Post) ([]byte, error) { return json.Marshal(newPublishPayload(p)) }

// preview is the first previewLen characters of p's title, or of its
// text when it has no title, on one line.
func preview(p Post) string {
	s := p.Content.Title
	if s == "" {
		s = p.Content.Text
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= previewLen {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:previewLen-1]), " ") + "…"
}

// publishPayloadPostID reads only what the handler needs of a publish
// payload, the post id: the record holds the post itself.
func publishPayloadPostID(b []byte) (string, error) {
	var p struct {
		V    int `json:"v"`
		Post struct {
			ID string `json:"post_id"`
		} `json:"post"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("payload: not a publish payload: %w", err)
	}
	if p.V != payloadVersion {
		return "", &FieldError{Field: "v", Problem: fmt.Sprintf("payload version %d, want %d", p.V, payloadVersion)}
	}
	if err := checkStored("post.post_id", p.Post.ID); err != nil {
		return "", err
	}
	return p.Post.ID, nil
}

// decodePublishPayload parses a publish task's payload.
func decodePublishPayload(b []byte) (payloadPost, error) {
	var p publishPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return payloadPost{}, fmt.Errorf("payload: not a publish payload: %w", err)
	}
	if p.V != payloadVersion {
		return payloadPost{}, &FieldError{Field: "v", Problem: fmt.Sprintf("payload version %d, want %d", p.V, payloadVersion)}
	}
	if err := checkStored("post.post_id", p.Post.ID); err != nil {
		return payloadPost{}, err
	}
	return p.Post, nil
}
