package youtube

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
	"github.com/heraldhq/herald/publishers/media"
)

// Herald owns the resumable session instead of leaving it to the official
// client, which hides the session URI and so cannot resume after the
// process dies. The wire protocol is Google's:
//
//	POST {upload}/youtube/v3/videos?uploadType=resumable&part=snippet,status
//	     Video JSON, X-Upload-Content-Type, X-Upload-Content-Length
//	  -> 200, Location: session URI
//	PUT  session, Content-Range: bytes a-b/total (or a-b/* while the size is unknown)
//	  -> 308 Range: bytes=0-n (incomplete; 200 + X-Http-Status-Code-Override: 308 also)
//	  -> 200/201 Video JSON (done)
//	PUT  session, empty, Content-Range: bytes */total   (status query)
//	  -> as above; 404/410 when the session is gone

// errSessionGone is a status query's answer for a session that expired.
var errSessionGone = errors.New("upload session expired")

// upload returns the id of the post's video, uploading it unless the
// checkpoints show an earlier attempt did. The session URI is saved before
// any byte is sent and the confirmed offset after every chunk; a retry
// asks the session how far it got and goes on from there.
func (p *Publisher) upload(ctx context.Context, req publishers.Request, a *auth, meta *youtube.Video, o postOptions) (uploadState, error) {
	for {
		st, err := p.uploadOnce(ctx, req, a, meta, o)
		if err == nil || !unauthorized(err) {
			return st, err
		}
		again, rerr := a.retry(ctx, "upload")
		if rerr != nil {
			return uploadState{}, rerr
		}
		if !again {
			return uploadState{}, publishers.Reauth(err)
		}
	}
}

func (p *Publisher) uploadOnce(ctx context.Context, req publishers.Request, a *auth, meta *youtube.Video, o postOptions) (uploadState, error) {
	cp := req.Checkpoints
	src := req.Content.Media[0].URL
	session := cp.Get(CheckpointSession)
	size := int64(-1)
	if s, err := strconv.ParseInt(cp.Get(CheckpointSize), 10, 64); err == nil {
		size = s
	}
	var offset int64
	if session != "" {
		a.HideURL(session, "upload_id")
		st, err := p.status(ctx, a, session, size)
		switch {
		case errors.Is(err, errSessionGone):
			if cp.Get(CheckpointFinal) != "" {
				// The last chunk went out and its answer never came
				// back: a video may exist, and only the session knew.
				return uploadState{}, publishers.Permanent(errors.New("youtube: upload: the session expired after the last chunk was sent, so whether the video was made is unknown; check the channel before publishing again"))
			}
			session = ""
		case err != nil:
			return uploadState{}, err
		case st.video != "":
			return st, nil
		default:
			offset = st.committed
		}
	}
	if session == "" {
		return p.startUpload(ctx, req, a, meta, o, src)
	}
	file, err := p.media.OpenAt(ctx, src, publishers.MediaVideo, offset)
	if err != nil {
		return uploadState{}, err
	}
	if size >= 0 && file.Size >= 0 && size != file.Size {
		file.Close()
		return uploadState{}, publishers.Permanent(fmt.Errorf("youtube: upload: the video is %d bytes now, %d when the upload began", file.Size, size))
	}
	if file.Size < 0 {
		file.Size = size
	}
	return p.send(ctx, req.Checkpoints, a, session, src, file, offset)
}

// startUpload opens the media, starts a session, saves it, and sends.
func (p *Publisher) startUpload(ctx context.Context, req publishers.Request, a *auth, meta *youtube.Video, o postOptions, src string) (uploadState, error) {
	cp := req.Checkpoints
	file, err := p.media.Open(ctx, src, publishers.MediaVideo)
	if err != nil {
		return uploadState{}, err
	}
	if file.Size == 0 {
		file.Close()
		return uploadState{}, publishers.Permanent(errors.New("youtube: upload: the video is empty"))
	}
	session, err := p.startSession(ctx, a, meta, o, file)
	if err != nil {
		file.Close()
		return uploadState{}, err
	}
	a.HideURL(session, "upload_id")
	for _, c := range []struct{ name, value string }{
		{CheckpointSession, session},
		{CheckpointSize, strconv.FormatInt(file.Size, 10)},
		{CheckpointOffset, "0"},
		{CheckpointFinal, ""},
	} {
		if err := cp.Save(ctx, c.name, c.value); err != nil {
			file.Close()
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: upload: save checkpoint %s: %w", c.name, err))
		}
	}
	return p.send(ctx, cp, a, session, src, file, 0)
}

func (p *Publisher) startSession(ctx context.Context, a *auth, meta *youtube.Video, o postOptions, file *media.File) (string, error) {
	if err := p.quota.spendUpload(ctx, p.now()); err != nil {
		return "", err
	}
	body, err := json.Marshal(meta)
	if err != nil {
		return "", publishers.Permanent(fmt.Errorf("youtube: start upload: encode metadata: %w", err))
	}
	q := url.Values{"uploadType": {"resumable"}, "part": {"snippet,status"}, "notifySubscribers": {strconv.FormatBool(o.notify)}}
	ctx, cancel := context.WithTimeout(ctx, p.callTimeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, p.uploadURL+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", publishers.Permanent(fmt.Errorf("youtube: start upload: %w", err))
	}
	a.authorize(r)
	r.Header.Set("Content-Type", "application/json; charset=UTF-8")
	r.Header.Set("X-Upload-Content-Type", file.ContentType)
	if file.Size > 0 {
		r.Header.Set("X-Upload-Content-Length", strconv.FormatInt(file.Size, 10))
	}
	resp, err := p.client.Do(r)
	if err != nil {
		return "", transportError(ctx, "start upload", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		e := parseAnswer(resp.StatusCode, answer, a.Secrets()...)
		if quotaReason(e.Reason) {
			p.quota.exhaust(ctx, p.now(), bucketUploads)
		}
		return "", p.classifyOrAuth("start upload", e, resp.Header)
	}
	loc := resp.Header.Get("Location")
	if err := p.checkSession(loc); err != nil {
		return "", err
	}
	return loc, nil
}

// classifyOrAuth returns e itself for a 401, so that the caller can
// refresh the token and try again, and classifies anything else.
func (p *Publisher) classifyOrAuth(step string, e *APIError, h http.Header) error {
	if e.Status == http.StatusUnauthorized {
		return fmt.Errorf("youtube: %s: %w", step, e)
	}
	return p.classify(step, e, h)
}

// checkSession refuses a session URI that would send the token and media
// to a host other than the upload endpoint's.
func (p *Publisher) checkSession(loc string) error {
	u, err := url.Parse(loc)
	if err != nil || loc == "" {
		return publishers.Transient(errors.New("youtube: start upload: answer has no usable session URI"))
	}
	want := p.uploadHost
	sameHost := strings.EqualFold(u.Host, want.Host)
	google := strings.HasSuffix(strings.ToLower(u.Hostname()), ".googleapis.com") && strings.HasSuffix(strings.ToLower(want.Hostname()), ".googleapis.com")
	if u.Scheme != want.Scheme || !(sameHost || google) {
		return publishers.Permanent(fmt.Errorf("youtube: start upload: session URI points to %s://%s, not to the upload endpoint's host", u.Scheme, u.Host))
	}
	return nil
}

// uploadState is what a session says of itself.
type uploadState struct {
	committed int64
	video     string
	// privacy is the privacyStatus YouTube gave the video, read from
	// the answer that completed the upload ("" when it said none).
	privacy string
}

// status asks a session how far it got.
func (p *Publisher) status(ctx context.Context, a *auth, session string, size int64) (uploadState, error) {
	ctx, cancel := context.WithTimeout(ctx, p.callTimeout)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPut, session, http.NoBody)
	if err != nil {
		return uploadState{}, publishers.Permanent(errors.New("youtube: query upload: saved session URI does not parse"))
	}
	a.authorize(r)
	total := "*"
	if size >= 0 {
		total = strconv.FormatInt(size, 10)
	}
	r.Header.Set("Content-Range", "bytes */"+total)
	r.ContentLength = 0
	resp, err := p.client.Do(r)
	if err != nil {
		return uploadState{}, transportError(ctx, "query upload", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
		return uploadState{}, errSessionGone
	}
	return p.interpret("query upload", resp, a)
}

// interpret reads a session's answer: incomplete with a range, complete
// with the video, or an error.
func (p *Publisher) interpret(step string, resp *http.Response, a *auth) (uploadState, error) {
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return uploadState{}, transportError(context.Background(), step+": read answer", err)
	}
	incomplete := resp.StatusCode == http.StatusPermanentRedirect ||
		resp.StatusCode == http.StatusOK && resp.Header.Get("X-Http-Status-Code-Override") == "308"
	switch {
	case incomplete:
		n, ok := parseRange(resp.Header.Get("Range"))
		if !ok {
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: %s: Range %q does not parse", step, wire.Quote(resp.Header.Get("Range"), 60, a.Secrets()...)))
		}
		return uploadState{committed: n}, nil
	case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated:
		var v youtube.Video
		if err := json.Unmarshal(answer, &v); err != nil || v.Id == "" {
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: %s: complete, but the answer names no video: %s", step, wire.Quote(string(answer), 100, a.Secrets()...)))
		}
		st := uploadState{video: v.Id}
		if v.Status != nil {
			st.privacy = v.Status.PrivacyStatus
		}
		return st, nil
	}
	e := parseAnswer(resp.StatusCode, answer, a.Secrets()...)
	return uploadState{}, p.classifyOrAuth(step, e, resp.Header)
}

// parseRange reads a session's Range header, "bytes=0-n", as the count of
// bytes committed (n+1); no header means none. Anything else is refused.
func parseRange(h string) (int64, bool) {
	if h == "" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, false
	}
	first, last, ok := strings.Cut(rest, "-")
	if !ok || first != "0" || last == "" || last[0] < '0' || last[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(last, 10, 64)
	if err != nil || n == 1<<63-1 {
		return 0, false
	}
	return n + 1, true
}

// send uploads file from offset on, chunk by chunk, saving each confirmed
// offset. A chunk that fails with a hiccup is retried in process (see
// retry.go) from the offset the session reports. It closes file.
func (p *Publisher) send(ctx context.Context, cp publishers.Checkpoints, a *auth, session, src string, file *media.File, offset int64) (uploadState, error) {
	defer func() { file.Close() }()
	size := file.Size
	c := newChunker(file, p.chunkSize)
	retry := p.newChunkRetry()
	for chunkNo := 1; ; chunkNo++ {
		body, n, last, err := c.next(offset)
		if err != nil {
			return uploadState{}, err
		}
		total := int64(-1)
		if last {
			total = offset + n
			if err := cp.Save(ctx, CheckpointFinal, "1"); err != nil {
				return uploadState{}, publishers.Transient(fmt.Errorf("youtube: upload: save checkpoint: %w", err))
			}
		}
		step := fmt.Sprintf("upload chunk %d (bytes %d-%d)", chunkNo, offset, offset+n-1)
		st, err := p.sendChunk(ctx, a, chunk{session: session, step: step, body: body, offset: offset, n: n, total: total, contentType: file.ContentType})
		if err != nil {
			if st, err = p.recoverChunk(ctx, a, retry, session, size, err); err != nil {
				return uploadState{}, err
			}
		} else {
			retry.Reset()
		}
		if st.video != "" {
			return st, nil
		}
		if st.committed > offset+n || st.committed < offset && retry.Failures() == 0 {
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: %s: session reports %d bytes, expected %d", step, st.committed, offset+n))
		}
		if err := cp.Save(ctx, CheckpointOffset, strconv.FormatInt(st.committed, 10)); err != nil {
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: upload: save checkpoint: %w", err))
		}
		if st.committed != offset+n || retry.Failures() > 0 {
			// The session kept part of the chunk, or the stream broke
			// mid-chunk: read the rest again from the source.
			file.Close()
			if file, err = p.reopen(ctx, src, size, st.committed); err != nil {
				return uploadState{}, err
			}
			c = newChunker(file, p.chunkSize)
		}
		offset = st.committed
	}
}

// reopen opens the media at offset, keeping the size learned before when
// the source does not say it again.
func (p *Publisher) reopen(ctx context.Context, src string, size, offset int64) (*media.File, error) {
	f, err := p.media.OpenAt(ctx, src, publishers.MediaVideo, offset)
	if err != nil {
		return nil, err
	}
	if size >= 0 && f.Size >= 0 && f.Size != size {
		f.Close()
		return nil, publishers.Permanent(fmt.Errorf("youtube: upload: the video is %d bytes now, %d when the upload began", f.Size, size))
	}
	if f.Size < 0 {
		f.Size = size
	}
	return f, nil
}

// chunk is one PUT of a resumable upload: n bytes of body at offset.
type chunk struct {
	session string // the session URI: a capability, never in an error
	step    string // names the chunk in errors
	body    io.Reader
	offset  int64
	n       int64 // 0: only say the total (media ended on a boundary)
	total   int64 // the media's size; -1 until the last chunk
	// contentType is the media's, sent with every chunk.
	contentType string
}

// sendChunk PUTs c and reads what the session says it now holds.
func (p *Publisher) sendChunk(ctx context.Context, a *auth, c chunk) (uploadState, error) {
	ctx, cancel := context.WithTimeout(ctx, p.chunkTimeout)
	defer cancel()
	rb := &bodyReader{r: c.body}
	var r *http.Request
	var err error
	if c.n == 0 {
		// Media of unknown size that ended on a chunk boundary: the
		// last "chunk" only says the total.
		r, err = http.NewRequestWithContext(ctx, http.MethodPut, c.session, http.NoBody)
	} else {
		r, err = http.NewRequestWithContext(ctx, http.MethodPut, c.session, rb)
	}
	if err != nil {
		return uploadState{}, publishers.Permanent(errors.New("youtube: upload: saved session URI does not parse"))
	}
	a.authorize(r)
	r.ContentLength = c.n
	size := "*"
	if c.total >= 0 {
		size = strconv.FormatInt(c.total, 10)
	}
	if c.n == 0 {
		r.Header.Set("Content-Range", "bytes */"+size)
	} else {
		r.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%s", c.offset, c.offset+c.n-1, size))
	}
	r.Header.Set("Content-Type", c.contentType)
	resp, err := p.client.Do(r)
	if rerr := rb.detach(); rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, errDetached) {
		// The source failed, not YouTube: its error says why.
		if resp != nil {
			resp.Body.Close()
		}
		return uploadState{}, sourceError(ctx, c.step, rerr)
	}
	if err != nil {
		return uploadState{}, transportError(ctx, c.step, err)
	}
	defer resp.Body.Close()
	return p.interpret(c.step, resp, a)
}

func sourceError(ctx context.Context, step string, err error) error {
	var classified *publishers.Error
	if errors.As(err, &classified) {
		return err
	}
	return transportError(ctx, step+": read the video", err)
}

// bodyReader is a request body over the media stream. It remembers the
// stream's error, which net/http would report only inside its own, and it
// is detached once the request is over: net/http may go on reading a
// body after Do returns, and the stream belongs to the next chunk then.
type bodyReader struct {
	mu   sync.Mutex
	r    io.Reader
	err  error
	done bool
}

var errDetached = errors.New("request over")

func (b *bodyReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return 0, errDetached
	}
	n, err := b.r.Read(p)
	if err != nil && b.err == nil {
		b.err = err
	}
	return n, err
}

// detach ends the body's use and returns the stream's error, if any.
func (b *bodyReader) detach() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	return b.err
}

// chunker cuts the media into chunks. When the size is known a chunk is
// read from the source while it is sent; when it is not, a chunk is read
// into memory first, since its Content-Range must say whether it is the
// last.
type chunker struct {
	src   *bufio.Reader
	size  int64
	chunk int64
	buf   []byte
}

func newChunker(f *media.File, chunk int64) *chunker {
	return &chunker{src: bufio.NewReaderSize(f, 64<<10), size: f.Size, chunk: chunk}
}

// next returns the chunk that begins at offset, its length, and whether
// it is the last.
func (c *chunker) next(offset int64) (io.Reader, int64, bool, error) {
	if c.size >= 0 {
		n := min(c.chunk, c.size-offset)
		if n < 0 {
			return nil, 0, false, publishers.Permanent(fmt.Errorf("youtube: upload: offset %d is past the video's %d bytes", offset, c.size))
		}
		return io.LimitReader(c.src, n), n, offset+n == c.size, nil
	}
	if c.buf == nil {
		c.buf = make([]byte, c.chunk)
	}
	n, err := io.ReadFull(c.src, c.buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if offset+int64(n) == 0 {
			return nil, 0, false, publishers.Permanent(errors.New("youtube: upload: the video is empty"))
		}
		return bytes.NewReader(c.buf[:n]), int64(n), true, nil
	case err != nil:
		return nil, 0, false, sourceError(context.Background(), "upload: read the video", err)
	}
	_, err = c.src.Peek(1)
	if err != nil && err != io.EOF {
		return nil, 0, false, sourceError(context.Background(), "upload: read the video", err)
	}
	return bytes.NewReader(c.buf[:n]), int64(n), err == io.EOF, nil
}
