package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// A record keeps its post in two parts: the post id (in its key), the
// account, platform, publish_at and not_after as fields of their own,
// which the scripts read, and the rest of the post (its content, and
// any field Post gains) as JSON in the post field. Records written
// before version 2 hold the whole post in that JSON; both read the same,
// since the record's fields win (decodePost).
//
// Slim, a record stays under Redis's hash-max-listpack-value for
// tweet-sized posts once that is raised to 1024 (README: Production,
// Redis memory), which halves what it costs.

// storedPost is a Post as a record's post field keeps it: its own
// fields shadow Post's that the record keeps apart, and being empty they
// are left out of the JSON.
type storedPost struct {
	Post
	ID        string    `json:"post_id,omitempty"`
	AccountID string    `json:"account_id,omitempty"`
	Platform  string    `json:"platform,omitempty"`
	PublishAt time.Time `json:"publish_at,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
}

// encodePost is p's post field.
func encodePost(p Post) ([]byte, error) { return json.Marshal(storedPost{Post: p}) }

// decodePost reads the post of postID's record h, in either form.
func decodePost(postID string, h map[string]string) (Post, error) {
	var p Post
	if err := json.Unmarshal([]byte(h["post"]), &p); err != nil {
		return Post{}, fmt.Errorf("record of post %s: bad post: %w", postID, err)
	}
	p.ID, p.AccountID, p.Platform = postID, h["account"], h["platform"]
	p.PublishAt, p.NotAfter = parseMilli(h["publish_at"]), parseMilli(h["not_after"])
	return p, nil
}

// fingerprintSum identifies a post's content and schedule, to tell a
// repeated SchedulePost from a conflicting one.
func (p Post) fingerprintSum() [16]byte {
	p.PublishAt = p.PublishAt.UTC().Truncate(time.Second)
	if !p.NotAfter.IsZero() {
		p.NotAfter = p.NotAfter.UTC().Truncate(time.Second)
	}
	b, _ := json.Marshal(p) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return [16]byte(sum[:16])
}

// fingerprint is p's fp field: the 16 bytes themselves (records before
// version 2 hold them as 32 hex digits).
func (p Post) fingerprint() string {
	sum := p.fingerprintSum()
	return string(sum[:])
}

// matches reports whether stored, a record's fp field in either form, is
// p's fingerprint.
func (p Post) matches(stored string) bool {
	sum := p.fingerprintSum()
	switch len(stored) {
	case len(sum):
		return stored == string(sum[:])
	case 2 * len(sum):
		return stored == hex.EncodeToString(sum[:])
	}
	return false
}
