package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
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

// fingerprint identifies a post's content and schedule, to tell a
// repeated SchedulePost from a conflicting one: the first 16 bytes of a
// SHA-256 of the post's id, account, platform, publish_at and not_after
// (whole seconds) and its post field, so that storing a post encodes it
// once (recordArgs). Records before version 2 hold another hash, as
// hex (legacyFingerprint); matches takes either.
func (p Post) fingerprint() string {
	body, _ := encodePost(p)
	return fingerprintOf(p, body)
}

// fingerprintOf is p's fingerprint, body its post field.
func fingerprintOf(p Post, body []byte) string {
	// The fields before the body hold no NUL (ids, names and numbers).
	b := make([]byte, 0, 96+len(body))
	b = append(b, p.ID...)
	b = append(b, 0)
	b = append(b, p.AccountID...)
	b = append(b, 0)
	b = append(b, p.Platform...)
	b = append(b, 0)
	b = strconv.AppendInt(b, p.PublishAt.Unix(), 10)
	b = append(b, 0)
	if !p.NotAfter.IsZero() {
		b = strconv.AppendInt(b, p.NotAfter.Unix(), 10)
	}
	b = append(b, 0)
	b = append(b, body...)
	sum := sha256.Sum256(b)
	return string(sum[:16])
}

// legacyFingerprint is the fingerprint of records before version 2, in
// hex: a hash of the whole post's JSON.
func (p Post) legacyFingerprint() string {
	p.PublishAt = p.PublishAt.UTC().Truncate(time.Second)
	if !p.NotAfter.IsZero() {
		p.NotAfter = p.NotAfter.UTC().Truncate(time.Second)
	}
	b, _ := json.Marshal(p) // map keys are sorted: stable
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// matches reports whether stored, a record's fp field in either form, is
// p's fingerprint.
func (p Post) matches(stored string) bool {
	if len(stored) == 2*16 {
		return stored == p.legacyFingerprint()
	}
	return stored == p.fingerprint()
}
