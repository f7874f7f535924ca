package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// State is where a post is in its life.
type State string

// States of a post. Published, Failed and Canceled are final.
const (
	StateScheduled  State = "scheduled"
	StatePublishing State = "publishing"
	StatePublished  State = "published"
	StateFailed     State = "failed"
	StateCanceled   State = "canceled"
	// StateUnknown: the last attempt could not learn whether the platform
	// took the post (its answer was lost); the next attempt finds out
	// from the checkpoints, and never posts twice (unknown.go).
	StateUnknown State = "unknown"
	// StateCancelRequested: the post was canceled while the platform may
	// already have it; the next attempt only looks (never posts) and
	// ends it published (with post.cancel_failed) or canceled.
	StateCancelRequested State = "cancel_requested"
	// StateRemoving: a published post is being taken down at the
	// platform (UnpublishPost); it ends removed, or published again
	// with post.remove_failed (remove.go).
	StateRemoving State = "removing"
	// StateRemoved: the post was published and then taken down.
	StateRemoved State = "removed"
)

// Final reports whether s can no longer change by itself. A published
// post changes only when the app takes it down (UnpublishPost).
func (s State) Final() bool {
	return s == StatePublished || s == StateFailed || s == StateCanceled || s == StateRemoved
}

// PostStatus is what Herald knows of a post.
type PostStatus struct {
	PostID string `json:"post_id"`
	// GroupID is the post's group, when it has one.
	GroupID   string    `json:"group_id,omitempty"`
	AccountID string    `json:"account_id"`
	Platform  string    `json:"platform"`
	State     State     `json:"state"`
	PublishAt time.Time `json:"publish_at"`
	// Attempts counts publish attempts so far.
	Attempts int `json:"attempts"`
	// RemoteID, URL and PublishedAt are set once published.
	RemoteID    string    `json:"remote_id,omitempty"`
	URL         string    `json:"url,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	// RemovedAt is when the post was taken down (state removed).
	RemovedAt time.Time `json:"removed_at,omitzero"`
	// Warning says a published post is online but not quite as asked
	// (YouTube locked it private; Herald gave up waiting for TikTok's
	// post id), in words for the post's author.
	Warning string `json:"warning,omitempty"`
	// ResultState is the platform's word for a published post that is
	// not a public post yet ("sent_to_inbox": a draft in the creator's
	// TikTok inbox).
	ResultState string `json:"result_state,omitempty"`
	// RemoteIDPending: published, but the platform gives the post's id
	// later (TikTok, after moderation). Herald keeps looking it up
	// (lookup.go); post.updated brings RemoteID and URL.
	RemoteIDPending bool `json:"remote_id_pending,omitempty"`
	// FailureClass and Reason are set once failed ("too_late" is a
	// permanent failure of its own class).
	FailureClass string `json:"failure_class,omitempty"`
	Reason       string `json:"reason,omitempty"`
	// CommentState is where the post's first comment is: pending,
	// posted (CommentID is its id at the platform) or failed (Warning
	// says why); empty for a post without one (comment.go).
	CommentState string `json:"comment_state,omitempty"`
	CommentID    string `json:"comment_id,omitempty"`
	// LastError is the error of the last failed attempt, kept while the
	// post is retried.
	LastError string    `json:"last_error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// record is a post's publication record, as stored.
type record struct {
	PostStatus
	Post        Post
	Fingerprint string
	Checkpoints map[string]string
	// LastLook, when set, makes every attempt at the post only look
	// (unknown.go): "class:reason", how the post fails if the platform
	// has none.
	LastLook string
}

// recordVersion 2: the post field leaves out what the record's fields
// hold (storedpost.go), fp is 16 bytes, and created_at, which nothing
// read, is gone. Records of version 1 read the same.
const recordVersion = "2"

func recordKey(postID string) string        { return "herald:{post:" + postID + "}" }
func accountPostsKey(account string) string { return "herald:{acct:" + account + "}:posts" }

const checkpointPrefix = "cp:"

// store reads and writes publication records.
type store struct {
	// retention, if set, is how long a record outlives its post's end:
	// finish sets the expiry when it writes a final state.
	retention time.Duration
	rdb       redis.UniversalClient
	now       func() time.Time
	// events appends to the events stream.
	events *events.Writer
	// inlineEvents: the attempt scripts append their events themselves,
	// saving a round trip each. Not on Redis Cluster, where the stream
	// and a record are in different slots.
	inlineEvents bool
	// lockTTL is how long a post's lock lives unless renewed (lockTTL;
	// tests shorten it), renewEvery how often a running attempt renews it.
	lockTTL, renewEvery time.Duration
	// trackAttempts: begin and finish keep the recoverer's index of
	// running attempts (workers only; recover.go).
	trackAttempts bool
	// renewed, if set, hears of every renewal attempt's end (tests).
	renewed func()
	// beforeRead, if set, queues commands between begin's script and its
	// read of the record (tests: another client's write landing there).
	beforeRead func(redis.Pipeliner)
	// queueKnown: asynq's list of queues has the publish queue
	// (knowQueue).
	queueKnown atomic.Bool
}

func newStore(rdb redis.UniversalClient, now func() time.Time, maxLen int64, observe func(tenant, typ string)) *store {
	_, cluster := rdb.(*redis.ClusterClient)
	ev := events.NewWriter(rdb, events.WriterOptions{MaxLen: maxLen, Observe: observe, Now: now})
	return &store{rdb: rdb, now: now, events: ev, inlineEvents: !cluster, lockTTL: lockTTL, renewEvery: lockTTL / 3}
}

// appendEvent adds e to the stream. Its error is for the caller to log or
// drop: the record, not the stream, is the truth.
func (s *store) appendEvent(ctx context.Context, e events.Event) error {
	return s.events.Append(ctx, e)
}

// createScript writes a new record from recordArgs unless one exists; it
// returns nil when it wrote, else the existing record's fingerprint and
// state.
var createScript = redis.NewScript(newRecordLua + `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HMGET', KEYS[1], 'fp', 'state')
end
newRecord(KEYS[1], 1)
return false
`)

// transitionScript changes a record's fields if its state is one of the
// allowed ones (none listed: any state). It never creates a record, so an
// attempt that ends after its post was erased leaves nothing behind.
// ARGV: n, n allowed states, incr-attempts flag, field/value pairs.
// Returns {previous state, changed (0/1), attempts}.
var transitionScript = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'', 0, 0} end
local n = tonumber(ARGV[1])
local ok = (n == 0)
for i = 2, n + 1 do
  if ARGV[i] == st then ok = true end
end
if not ok then return {st, 0, tonumber(redis.call('HGET', KEYS[1], 'attempts') or 0)} end
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts') or 0)
if ARGV[n + 2] == '1' then
  attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
if #ARGV > n + 2 then
  redis.call('HSET', KEYS[1], unpack(ARGV, n + 3))
end
return {st, 1, attempts}
`)

func unixMilli(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func parseMilli(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s == "" {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// create stores a new scheduled record for p. When a record exists it
// returns its fingerprint and state and created=false (fp is empty when
// it wrote, as createResultOf explains).
func (s *store) create(ctx context.Context, p Post) (fp string, st State, created bool, at time.Time, err error) {
	// Index first: an index entry without a record is harmless, a record
	// missing from its account's index would escape erasure.
	// The index orders an account's posts by publish time; NX keeps a
	// conflicting repeat from moving the original.
	idx := redis.Z{Score: float64(p.PublishAt.UnixMilli()), Member: p.ID}
	if err := s.rdb.ZAddNX(ctx, accountPostsKey(p.AccountID), idx).Err(); err != nil {
		return "", "", false, at, fmt.Errorf("index post: %w", err)
	}
	at = s.now().Truncate(time.Millisecond)
	rec, err := recordArgs(p, at)
	if err != nil {
		return "", "", false, at, err
	}
	res, err := createScript.Run(ctx, s.rdb, []string{recordKey(p.ID)}, rec...).Result()
	if errors.Is(err, redis.Nil) {
		return "", StateScheduled, true, at, nil
	}
	if err != nil {
		return "", "", false, at, fmt.Errorf("create record: %w", err)
	}
	vals, _ := res.([]any)
	if len(vals) != 2 {
		return "", "", false, at, fmt.Errorf("create record: unexpected reply %v", res)
	}
	f, _ := vals[0].(string)
	state, _ := vals[1].(string)
	return f, State(state), false, at, nil
}

// transitionResult is what transition saw.
type transitionResult struct {
	Prev     State // "" when there is no record
	Changed  bool
	Attempts int
	// Fenced: the write was refused because another attempt holds the
	// post (finish only).
	Fenced bool
}

// transition sets fields on postID's record if its state is in from (any
// state when from is empty), counting an attempt when incr is set.
func (s *store) transition(ctx context.Context, postID string, from []State, incr bool, fields ...any) (transitionResult, error) {
	args := make([]any, 0, 2+len(from)+len(fields)+2)
	args = append(args, len(from))
	for _, f := range from {
		args = append(args, string(f))
	}
	if incr {
		args = append(args, "1")
	} else {
		args = append(args, "0")
	}
	if len(fields) > 0 {
		args = append(args, fields...)
		args = append(args, "updated_at", unixMilli(s.now()))
	}
	res, err := transitionScript.Run(ctx, s.rdb, []string{recordKey(postID)}, args...).Slice()
	if err != nil {
		return transitionResult{}, fmt.Errorf("update record: %w", err)
	}
	prev, _ := res[0].(string)
	changed, _ := res[1].(int64)
	attempts, _ := res[2].(int64)
	return transitionResult{Prev: State(prev), Changed: changed == 1, Attempts: int(attempts)}, nil
}

// load reads postID's record; ok is false when there is none.
func (s *store) load(ctx context.Context, postID string) (rec record, ok bool, err error) {
	h, err := s.rdb.HGetAll(ctx, recordKey(postID)).Result()
	if err != nil {
		return record{}, false, fmt.Errorf("read record: %w", err)
	}
	if len(h) == 0 {
		return record{}, false, nil
	}
	rec, err = decodeRecord(postID, h)
	return rec, err == nil, err
}

func decodeRecord(postID string, h map[string]string) (record, error) {
	var rec record
	var err error
	if rec.Post, err = decodePost(postID, h); err != nil {
		return record{}, err
	}
	rec.PostStatus = statusOf(postID, h)
	rec.Fingerprint = h["fp"]
	rec.LastLook = h["last_look"]
	rec.Checkpoints = map[string]string{}
	for k, v := range h {
		if name, ok := strings.CutPrefix(k, checkpointPrefix); ok {
			rec.Checkpoints[name] = v
		}
	}
	return rec, nil
}

// Sealer encrypts checkpoint values, some of which are capabilities (a
// resumable upload session URI lets anyone upload to the account).
// *tokens.Keyring is one.
type Sealer interface {
	Seal(context, plaintext string) string
	Open(context, sealed string) (string, error)
}

// checkpoints is a record's publishers.Checkpoints, for the attempt that
// holds the post's lock as owner.
type checkpoints struct {
	s      *store
	sealer Sealer // nil: values stored as they are
	postID string
	owner  string
	// lose, if set, stops the attempt when the fence refuses a save.
	lose  func(error)
	saved map[string]string
}

func checkpointContext(postID, name string) string { return "checkpoint|" + postID + "|" + name }

// openCheckpoints unseals what earlier attempts of rec saved, for the
// attempt of owner; lose, if set, hears why a save was refused.
func openCheckpoints(s *store, sealer Sealer, rec *record, owner string, lose func(error)) (*checkpoints, error) {
	c := &checkpoints{s: s, sealer: sealer, postID: rec.PostID, owner: owner, lose: lose, saved: map[string]string{}}
	for name, v := range rec.Checkpoints {
		if sealer != nil {
			pt, err := sealer.Open(checkpointContext(rec.PostID, name), v)
			if err != nil {
				return nil, publishers.Permanent(fmt.Errorf("checkpoint %s of post %s does not open (was its key removed from HERALD_TOKEN_KEYS?): %w", name, rec.PostID, err))
			}
			v = pt
		}
		c.saved[name] = v
	}
	return c, nil
}

var _ publishers.Checkpoints = (*checkpoints)(nil)

func (c *checkpoints) Get(name string) string { return c.saved[name] }

func (c *checkpoints) Save(ctx context.Context, name, value string) error {
	stored := value
	if c.sealer != nil {
		stored = c.sealer.Seal(checkpointContext(c.postID, name), value)
	}
	// Only while this attempt holds the post (fence.go): a stalled
	// attempt must not save its draft over the one that took over.
	if err := c.s.saveCheckpoint(ctx, c.postID, c.owner, checkpointPrefix+name, stored); err != nil {
		err = fmt.Errorf("save checkpoint %s: %w", name, err)
		if errors.Is(err, errLockLost) && c.lose != nil {
			c.lose(err)
		}
		return err
	}
	c.saved[name] = value
	return nil
}
