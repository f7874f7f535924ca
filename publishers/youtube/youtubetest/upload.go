package youtubetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/api/youtube/v3"
)

// Block is the unit in which the fake keeps uploaded bytes: a request cut
// short keeps what it brought up to the last block boundary of the upload,
// and chunks other than the last must be whole blocks, as with Google.
const Block = 256 << 10

// maxMetadata bounds the Video JSON of an upload.
const maxMetadata = 1 << 20

// session is a resumable upload. Its counters are guarded by Server.mu;
// busy serialises the requests sent to it, as they would queue on
// Google's side.
type session struct {
	busy sync.Mutex

	id          string
	account     string
	meta        youtube.Video
	notify      bool
	contentType string
	declared    int64 // X-Upload-Content-Length, or -1

	committed int64
	received  int64
	video     string
	expired   bool

	// Only busy's holder touches these.
	hash    hash.Hash
	pending []byte // bytes past the last block boundary, not yet kept
}

// Upload is a resumable upload session as the fake saw it.
type Upload struct {
	ID      string
	Account string
	// Declared is the size announced when the session began, or -1.
	Declared int64
	// Received counts every byte sent to the session, resent ones too;
	// Committed those kept.
	Received, Committed int64
	// Video is the id of the video the upload made, once complete.
	Video   string
	Expired bool
}

// startSession starts a resumable upload: POST
// /upload/youtube/v3/videos?uploadType=resumable&part=... with the Video
// JSON; the session URI is in Location.
func (s *Server) startSession(r *http.Request, acct *account) reply {
	if rep, ok := s.spendInsert(acct); !ok {
		return rep
	}
	meta, rep, ok := readMetadata(r.Body)
	if !ok {
		return rep
	}
	if rep, ok := validate(r, &meta); !ok {
		return rep
	}
	ctype := r.Header.Get("X-Upload-Content-Type")
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if !videoType(ctype) {
		return apiError(http.StatusBadRequest, "invalidContentType", "X-Upload-Content-Type "+strconv.Quote(ctype)+" is not a video type")
	}
	declared := int64(-1)
	if v := r.Header.Get("X-Upload-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return apiError(http.StatusBadRequest, "badRequest", "X-Upload-Content-Length does not parse")
		}
		declared = n
	}
	u := &session{
		id: randomID(40), account: acct.id, meta: meta, notify: notifies(r),
		contentType: ctype, declared: declared, hash: sha256.New(),
	}
	s.mu.Lock()
	s.sessions[u.id] = u
	s.order = append(s.order, u.id)
	s.mu.Unlock()
	loc := s.base + "/upload/youtube/v3/videos?uploadType=resumable&upload_id=" + u.id
	return reply{status: http.StatusOK, header: http.Header{"Location": {loc}, "X-Guploader-Uploadid": {u.id}}}
}

func notifies(r *http.Request) bool {
	v := r.URL.Query().Get("notifySubscribers")
	return v == "" || v == "true"
}

func videoType(ctype string) bool {
	mt, _, err := mime.ParseMediaType(ctype)
	return err == nil && (strings.HasPrefix(mt, "video/") || mt == "application/octet-stream")
}

func readMetadata(body io.Reader) (youtube.Video, reply, bool) {
	var meta youtube.Video
	b, err := io.ReadAll(io.LimitReader(body, maxMetadata+1))
	if err != nil {
		return meta, reply{status: statusClientClosed}, false
	}
	if len(b) > maxMetadata {
		return meta, apiError(http.StatusBadRequest, "badRequest", "metadata too large"), false
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return meta, apiError(http.StatusBadRequest, "invalidTitle", "The request metadata specifies an invalid or empty video title."), false
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return meta, apiError(http.StatusBadRequest, "parseError", "Parse Error"), false
	}
	return meta, reply{}, true
}

// sessionRequest serves a request sent to a session URI: bytes with
// Content-Range "bytes a-b/total" or "bytes a-b/*", or a status query
// "bytes */total" (or "bytes */*") with an empty body.
func (s *Server) sessionRequest(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("upload_id")
	s.mu.Lock()
	u, ok := s.sessions[id]
	s.mu.Unlock()
	first, last, total, query, rangeOK := parseUploadRange(r.Header.Get("Content-Range"), r.ContentLength)
	op := OpUploadChunk
	if query {
		op = OpUploadStatus
	}
	call := Call{Op: op, Method: r.Method, Path: r.URL.Path}
	if err := s.wait(r.Context()); err != nil {
		call.Status = statusClientClosed
		s.record(call)
		return
	}
	if !ok {
		s.answer(w, call, apiError(http.StatusNotFound, "notFound", "No such upload session."))
		return
	}
	call.Account = u.account
	if f, ok := s.fault(op); ok {
		io.Copy(io.Discard, r.Body)
		s.answer(w, call, f.reply())
		return
	}
	// The resumable upload guide authorizes every request to the session
	// (steps 3 and 4.1: "Authorization: Bearer AUTH_TOKEN"): one without a
	// live token is refused, and so is a token of another channel than
	// the one that started the session. A token refreshed mid-upload is
	// the same channel's, and fine.
	if acct, authErr := s.authenticate(r); authErr != nil {
		io.Copy(io.Discard, r.Body)
		s.answer(w, call, *authErr)
		return
	} else if acct.id != u.account {
		io.Copy(io.Discard, r.Body)
		s.answer(w, call, apiError(http.StatusForbidden, "forbidden", "The upload session belongs to another channel."))
		return
	}
	u.busy.Lock()
	defer u.busy.Unlock()
	s.mu.Lock()
	expired, video := u.expired, u.video
	s.mu.Unlock()
	switch {
	case expired:
		s.answer(w, call, apiError(http.StatusNotFound, "notFound", "The upload session has expired."))
		return
	case video != "":
		io.Copy(io.Discard, r.Body)
		call.Video = video
		s.answer(w, call, s.videoReply(video, http.StatusOK))
		return
	case !rangeOK:
		s.answer(w, call, apiError(http.StatusBadRequest, "badContent", "Content-Range does not parse: "+strconv.Quote(r.Header.Get("Content-Range"))))
		return
	case u.declared >= 0 && total >= 0 && total != u.declared:
		s.answer(w, call, apiError(http.StatusBadRequest, "badContent", "total size differs from X-Upload-Content-Length"))
		return
	}
	if query {
		s.finishOrReport(w, r, u, call, total)
		return
	}
	s.mu.Lock()
	committed := u.committed
	s.mu.Unlock()
	if first > committed {
		s.answer(w, call, apiError(http.StatusBadRequest, "badContent", "chunk starts at "+strconv.FormatInt(first, 10)+" past the committed "+strconv.FormatInt(committed, 10)))
		return
	}
	last1 := last + 1
	drop := s.takeDrop()
	if drop < 0 {
		fail, after := s.takeChaos(last1 - first)
		if fail {
			io.Copy(io.Discard, r.Body)
			s.answer(w, call, apiError(http.StatusServiceUnavailable, "backendError", "Backend Error"))
			return
		}
		drop = after
	}
	body := io.Reader(r.Body)
	if drop >= 0 {
		body = io.LimitReader(r.Body, drop)
	}
	read, err := s.receive(u, body, committed-first, last1-committed)
	call.Bytes = read
	if drop >= 0 && read >= drop {
		u.pending = u.pending[:0]
		call.Status = statusClientClosed
		s.record(call)
		hangUp(w)
		return
	}
	if err != nil {
		call.Status = statusClientClosed
		s.record(call)
		return
	}
	s.finishOrReport(w, r, u, call, total)
}

// receive reads a chunk whose first skip bytes are already kept and whose
// next n bytes are new, keeping whole blocks. It returns the bytes read.
func (s *Server) receive(u *session, body io.Reader, skip, n int64) (int64, error) {
	var read int64
	defer func() {
		s.mu.Lock()
		u.received += read
		s.mu.Unlock()
	}()
	if skip > 0 {
		k, err := io.CopyN(io.Discard, body, skip)
		read += k
		if err != nil {
			u.pending = u.pending[:0]
			return read, errOrShort(err)
		}
	}
	if u.pending == nil {
		u.pending = make([]byte, 0, Block)
	}
	for n > 0 {
		buf := u.pending[len(u.pending):cap(u.pending)]
		if int64(len(buf)) > n {
			buf = buf[:n]
		}
		k, err := body.Read(buf)
		read += int64(k)
		n -= int64(k)
		u.pending = u.pending[:len(u.pending)+k]
		if len(u.pending) == Block {
			s.keep(u)
		}
		if err != nil && n > 0 {
			u.pending = u.pending[:0]
			return read, errOrShort(err)
		}
	}
	return read, nil
}

func errOrShort(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// keep commits the pending bytes.
func (s *Server) keep(u *session) {
	u.hash.Write(u.pending)
	s.mu.Lock()
	u.committed += int64(len(u.pending))
	s.mu.Unlock()
	u.pending = u.pending[:0]
}

// finishOrReport completes the upload when all of it is there, and
// otherwise reports the committed range.
func (s *Server) finishOrReport(w http.ResponseWriter, r *http.Request, u *session, call Call, total int64) {
	s.mu.Lock()
	committed := u.committed
	s.mu.Unlock()
	if total >= 0 && committed+int64(len(u.pending)) == total {
		s.keep(u)
		v := s.createVideo(u.account, u.meta, u.notify, u.contentType, total, hex.EncodeToString(u.hash.Sum(nil)), u.id)
		s.mu.Lock()
		u.video = v
		s.mu.Unlock()
		call.Video = v
		if s.takeLoseFinal() {
			call.Status = statusClientClosed
			s.record(call)
			hangUp(w)
			return
		}
		s.answer(w, call, s.videoReply(v, http.StatusOK))
		return
	}
	u.pending = u.pending[:0] // a partial block is not kept
	rep := reply{status: http.StatusPermanentRedirect, header: http.Header{}}
	if committed > 0 {
		rep.header.Set("Range", "bytes=0-"+strconv.FormatInt(committed-1, 10))
	}
	if r.Header.Get("X-GUploader-No-308") == "yes" {
		rep.status = http.StatusOK
		rep.header.Set("X-Http-Status-Code-Override", "308")
	}
	rep.header.Set("Content-Length", "0")
	s.answer(w, call, rep)
}

func (s *Server) answer(w http.ResponseWriter, call Call, rep reply) {
	call.Status = rep.status
	if rep.header.Get("X-Http-Status-Code-Override") == "308" {
		call.Status = http.StatusPermanentRedirect
	}
	s.record(call)
	writeReply(w, rep)
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// parseUploadRange reads the Content-Range of a request to a session.
// total is -1 for "*"; query says the request asks for status (no bytes).
// A request without Content-Range sends the whole file in one piece.
func parseUploadRange(h string, contentLength int64) (first, last, total int64, query, ok bool) {
	if h == "" {
		if contentLength <= 0 {
			return 0, 0, 0, false, false
		}
		return 0, contentLength - 1, contentLength, false, true
	}
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, 0, false, false
	}
	span, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false, false
	}
	total = -1
	if size != "*" {
		t, err := strconv.ParseUint(size, 10, 62)
		if err != nil {
			return 0, 0, 0, false, false
		}
		total = int64(t)
	}
	if span == "*" {
		return 0, 0, total, true, contentLength <= 0
	}
	a, b, found := strings.Cut(span, "-")
	f, err1 := strconv.ParseUint(a, 10, 62)
	l, err2 := strconv.ParseUint(b, 10, 62)
	if !found || err1 != nil || err2 != nil || l < f || total >= 0 && int64(l) >= total {
		return 0, 0, 0, false, false
	}
	if contentLength >= 0 && contentLength != int64(l-f+1) {
		return 0, 0, 0, false, false
	}
	return int64(f), int64(l), total, false, true
}

// multipartInsert serves uploadType=multipart: the Video JSON and the
// media in one multipart/related request, as the Go client sends media
// smaller than one chunk.
func (s *Server) multipartInsert(r *http.Request, acct *account) reply {
	if rep, ok := s.spendInsert(acct); !ok {
		return rep
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return apiError(http.StatusBadRequest, "badContent", "multipart upload without a multipart body")
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		return apiError(http.StatusBadRequest, "badContent", "no metadata part")
	}
	meta, rep, ok := readMetadata(part)
	if !ok {
		return rep
	}
	if rep, ok := validate(r, &meta); !ok {
		return rep
	}
	part, err = mr.NextPart()
	if err != nil {
		return apiError(http.StatusBadRequest, "mediaBodyRequired", "The request does not include the video content.")
	}
	ctype := part.Header.Get("Content-Type")
	if !videoType(ctype) {
		return apiError(http.StatusBadRequest, "invalidContentType", "media type "+strconv.Quote(ctype)+" is not a video type")
	}
	h := sha256.New()
	n, err := io.Copy(h, part)
	if err != nil {
		return reply{status: statusClientClosed}
	}
	if n == 0 {
		return apiError(http.StatusBadRequest, "mediaBodyRequired", "The request does not include the video content.")
	}
	id := s.createVideo(acct.id, meta, notifies(r), ctype, n, hex.EncodeToString(h.Sum(nil)), "")
	rep = s.videoReply(id, http.StatusOK)
	rep.video, rep.bytes = id, n
	return rep
}

// Uploads returns the resumable sessions so far, oldest first.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.order))
	for _, id := range s.order {
		u := s.sessions[id]
		out = append(out, Upload{
			ID: u.id, Account: u.account, Declared: u.declared,
			Received: u.received, Committed: u.committed, Video: u.video, Expired: u.expired,
		})
	}
	return out
}

// BytesReceived counts the media bytes the server received in all
// uploads, resent ones included.
func (s *Server) BytesReceived() int64 {
	var n int64
	for _, c := range s.calls.All() {
		if c.Op == OpVideosInsert {
			n += c.Bytes
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.sessions {
		n += u.received
	}
	return n
}
