package youtubetest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Op names an API operation, in the call log and for faults.
type Op string

// Operations of the fake.
const (
	OpVideosInsert        Op = "videos.insert" // starting a session, or a multipart upload
	OpUploadChunk         Op = "upload.chunk"  // bytes sent to a session
	OpUploadStatus        Op = "upload.status" // a status query of a session
	OpThumbnailsSet       Op = "thumbnails.set"
	OpPlaylistItemsInsert Op = "playlistItems.insert"
	OpVideosList          Op = "videos.list"
	OpVideosDelete        Op = "videos.delete"
	// OpCommentThreadsInsert and OpCommentThreadsList are the first
	// comment's calls.
	OpCommentThreadsInsert Op = "commentThreads.insert"
	OpCommentThreadsList   Op = "commentThreads.list"
	OpChannelsList         Op = "channels.list"
	OpToken                Op = "token"
	OpRevoke               Op = "revoke"
)

// Fault is how a call fails.
type Fault struct {
	// Status is the HTTP status; zero means 503, or the usual status of
	// Reason (403 for quotaExceeded, 401 for authError, ...).
	Status int
	// Reason is Google's error reason (quotaExceeded, backendError,
	// invalidTitle, ...); empty means a default for Status. For the
	// token endpoint it is the OAuth error code (invalid_grant, ...).
	Reason string
	// Message is the error's message; empty means the status text.
	Message string
	// RetryAfter, when positive, is sent as a Retry-After header.
	RetryAfter time.Duration
	// Lost makes an API call take effect and then close the connection
	// without an answer, as when the answer is lost on the way (the
	// other fields are ignored). Upload chunks and the token endpoint
	// have their own ways (DropChunk, LoseFinalResponse).
	Lost bool
}

// reasonStatus is the status Google answers each reason with.
var reasonStatus = map[string]int{
	"quotaExceeded":           http.StatusForbidden,
	"dailyLimitExceeded":      http.StatusForbidden,
	"rateLimitExceeded":       http.StatusForbidden,
	"userRateLimitExceeded":   http.StatusForbidden,
	"forbidden":               http.StatusForbidden,
	"uploadLimitExceeded":     http.StatusBadRequest,
	"authError":               http.StatusUnauthorized,
	"backendError":            http.StatusServiceUnavailable,
	"internalError":           http.StatusInternalServerError,
	"badRequest":              http.StatusBadRequest,
	"invalidTitle":            http.StatusBadRequest,
	"invalidDescription":      http.StatusBadRequest,
	"invalidCategoryId":       http.StatusBadRequest,
	"invalidTags":             http.StatusBadRequest,
	"invalidPublishAt":        http.StatusBadRequest,
	"mediaBodyRequired":       http.StatusBadRequest,
	"videoNotFound":           http.StatusNotFound,
	"commentsDisabled":        http.StatusForbidden,
	"insufficientPermissions": http.StatusForbidden,
	"commentTextTooLong":      http.StatusBadRequest,
	"playlistNotFound":        http.StatusNotFound,
	"invalid_grant":           http.StatusBadRequest,
}

func (f Fault) status() int {
	if f.Status != 0 {
		return f.Status
	}
	if s, ok := reasonStatus[f.Reason]; ok {
		return s
	}
	return http.StatusServiceUnavailable
}

func (f Fault) reply() reply {
	status := f.status()
	reason := f.Reason
	if reason == "" {
		switch {
		case status == http.StatusUnauthorized:
			reason = "authError"
		case status == http.StatusForbidden:
			reason = "forbidden"
		case status == http.StatusNotFound:
			reason = "notFound"
		case status == http.StatusRequestTimeout:
			reason = "requestTimeout"
		case status == http.StatusTooManyRequests:
			reason = "rateLimitExceeded"
		case status >= 500:
			reason = "backendError"
		default:
			reason = "badRequest"
		}
	}
	rep := apiError(status, reason, f.Message)
	if f.RetryAfter > 0 {
		if rep.header == nil {
			rep.header = http.Header{}
		}
		rep.header.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	return rep
}

// FailNext makes the next n calls of op fail with f: op "" means any
// call, n < 0 every call until FailNext(op, 0, ...) clears op's rules.
// Rules apply in the order they were added, at most one per call. A
// failed chunk reads nothing of its body into the upload.
func (s *Server) FailNext(op Op, n int, f Fault) {
	s.faults.Add(op, n, f)
}

// fault takes the fault a call of op runs into, if any.
func (s *Server) fault(op Op) (Fault, bool) {
	return s.faults.Take(op)
}

// dropRule cuts the connection of the chunk request numbered chunk after
// the server read after bytes of its body.
type dropRule struct {
	chunk int
	after int64
}

// DropChunk makes the k-th chunk request from now (1 is the next one) end
// with the connection closed after the server has read after bytes of its
// body. What was read is kept up to the last 256 KiB boundary of the
// upload, as Google's servers keep whole blocks.
func (s *Server) DropChunk(k int, after int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops = append(s.drops, &dropRule{chunk: s.chunks + k, after: after})
}

// takeDrop numbers a new chunk request and returns how many of its bytes
// to read before dropping the connection, or -1.
func (s *Server) takeDrop() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunks++
	for i, d := range s.drops {
		if d.chunk == s.chunks {
			s.drops = append(s.drops[:i], s.drops[i+1:]...)
			return d.after
		}
	}
	return -1
}

// LoseFinalResponse makes the next n uploads that complete create their
// video and then close the connection instead of answering, as when the
// answer is lost on the way.
func (s *Server) LoseFinalResponse(n int) {
	s.mu.Lock()
	s.loseFinal += n
	s.mu.Unlock()
}

func (s *Server) takeLoseFinal() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loseFinal > 0 {
		s.loseFinal--
		return true
	}
	return false
}

// ExpireSessions forgets every upload session not yet complete: requests
// to them answer 404, as to a session older than about a week.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.sessions {
		if u.video == "" {
			u.expired = true
		}
	}
}

// SetLatency delays every call by d, or by nothing when d <= 0. A call
// whose caller gives up while it waits does nothing and is recorded with
// status 499.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// chaos fails chunk requests at random.
type chaos struct {
	rate     float64
	rng      *rand.Rand
	failures int
}

// FailChunksAtRandom makes every chunk request from now on fail with
// probability rate (0 turns it off), the same way for the same seed: half
// of the failures answer 503 backendError before reading the body, the
// others close the connection after a random part of it was read (what
// was read is kept up to the last block boundary, as with DropChunk).
// ChunkFailures counts them.
func (s *Server) FailChunksAtRandom(rate float64, seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chaos = nil
	if rate > 0 {
		s.chaos = &chaos{rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	}
}

// ChunkFailures counts the failures FailChunksAtRandom caused.
func (s *Server) ChunkFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chaos == nil {
		return 0
	}
	return s.chaos.failures
}

// takeChaos decides the fate of a chunk request of n bytes: fail with a
// 503, drop the connection after the returned count of bytes, or neither
// (drop -1).
func (s *Server) takeChaos(n int64) (fail bool, drop int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chaos
	if c == nil || n <= 0 || c.rng.Float64() >= c.rate {
		return false, -1
	}
	c.failures++
	if c.rng.IntN(2) == 0 {
		return true, -1
	}
	return false, c.rng.Int64N(n)
}
