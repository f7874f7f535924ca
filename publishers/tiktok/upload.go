package tiktok

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
	"github.com/heraldhq/herald/publishers/media"
)

// TikTok's chunk rules (Media Transfer Guide): chunks of 5 to 64 MB, the
// last one up to 128 MB since it takes the trailing bytes; at most 1000
// chunks, sent in order; total_chunk_count = floor(video_size /
// chunk_size); a video under 5 MB goes whole, and one over 64 MB in
// several chunks. "MB" is read the strict way on both ends: at least
// 5 MiB, at most 64,000,000 bytes.
const (
	minChunk     = 5 << 20
	maxChunk     = 64_000_000
	maxLastChunk = 128_000_000
	maxChunks    = 1000
	// MaxVideoBytes is the largest video TikTok takes: 4 GB.
	MaxVideoBytes = 4 << 30
)

// chunking is how a video of size bytes is cut.
type chunking struct {
	size, chunk, count int64
}

// chunkPlan cuts size bytes into chunks of about preferred bytes by
// TikTok's rules.
func chunkPlan(size, preferred int64) (chunking, error) {
	if size <= 0 {
		return chunking{}, fmt.Errorf("video is empty")
	}
	if size > MaxVideoBytes {
		return chunking{}, fmt.Errorf("video is %d bytes, more than TikTok's %d", size, int64(MaxVideoBytes))
	}
	if size < minChunk {
		return chunking{size, size, 1}, nil
	}
	chunk := min(max(preferred, minChunk), maxChunk)
	count := size / chunk
	switch {
	case count == 0:
		chunk, count = size, 1
	case count == 1 && size > maxChunk:
		// One piece would be over 64 MB: two, then.
		chunk = size / 2
		count = size / chunk
	case count > maxChunks:
		chunk = (size + maxChunks - 1) / maxChunks
		count = size / chunk
	}
	return chunking{size, chunk, count}, nil
}

// bounds returns the first and last byte of chunk i (from 0).
func (c chunking) bounds(i int64) (first, last int64) {
	first = i * c.chunk
	last = first + c.chunk - 1
	if i == c.count-1 {
		last = c.size - 1
	}
	return first, last
}

// String is the checkpoint form, "size:chunk".
func (c chunking) String() string {
	return strconv.FormatInt(c.size, 10) + ":" + strconv.FormatInt(c.chunk, 10)
}

// parseChunking reads the checkpoint form back, checking TikTok's rules
// again: a checkpoint is outside input too.
func parseChunking(s string) (chunking, bool) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return chunking{}, false
	}
	size, err1 := strconv.ParseInt(a, 10, 64)
	chunk, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || size <= 0 || size > MaxVideoBytes || chunk <= 0 || chunk > size {
		return chunking{}, false
	}
	c := chunking{size: size, chunk: chunk, count: size / chunk}
	if c.count < 1 || c.count > maxChunks {
		return chunking{}, false
	}
	if _, last := c.bounds(c.count - 1); last != size-1 {
		return chunking{}, false
	}
	return c, true
}

// openSource opens the video for FILE_UPLOAD at byte offset.
func (p *Publisher) openSource(ctx context.Context, u string, offset int64) (*media.File, error) {
	if p.fetcherErr != nil {
		return nil, publishers.Permanent(fmt.Errorf("tiktok: media fetcher: %w", p.fetcherErr))
	}
	f, err := p.fetcher.OpenAt(ctx, u, publishers.MediaVideo, offset)
	if err != nil {
		return nil, fmt.Errorf("tiktok: open source video: %w", err)
	}
	return f, nil
}

// errUploadURLDead says TikTok no longer takes chunks at the upload URL.
var errUploadURLDead = errors.New("upload URL no longer accepted")

// putChunk sends chunk i of c, read from src, to uploadURL. Nothing is
// buffered: the request body is src, limited to the chunk.
func (p *Publisher) putChunk(ctx context.Context, uploadURL, contentType string, src io.Reader, c chunking, i int64, secrets []string) error {
	first, last := c.bounds(i)
	n := last - first + 1
	step := fmt.Sprintf("upload chunk %d/%d", i+1, c.count)
	ctx, cancel := context.WithTimeout(ctx, p.chunkTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, io.NopCloser(io.LimitReader(src, n)))
	if err != nil {
		return publishers.Transient(fmt.Errorf("tiktok: %s: upload URL does not parse: %w", step, errUploadURLDead))
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, c.size))
	resp, err := p.uploadClient.Do(req)
	if err != nil {
		return transportError(ctx, step, err, secrets...)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	_, e := parseAnswer(resp.StatusCode, b, secrets...)
	err = classify(step, e, resp.Header, p.now())
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		// Expired or unknown upload URL: the next attempt checks the
		// publish_id's status and starts over if it never got the
		// whole video.
		return publishers.Transient(fmt.Errorf("%w: %w", errUploadURLDead, err))
	case http.StatusBadRequest, http.StatusRequestedRangeNotSatisfiable:
		// TikTok's idea of the progress differs from ours: the next
		// attempt reads uploaded_bytes from the status.
		if publishers.ClassOf(err) == publishers.ClassPermanent && (e.Code == "" || e.Code == "invalid_params") {
			return publishers.Transient(err)
		}
	}
	return err
}

// videoTypes are the Content-Types a chunk may carry: the Media Transfer
// Guide's "Content-Type: {MIME_TYPE}" of the formats TikTok takes (MP4,
// MOV, WebM). TikTok refuses a chunk with another.
var videoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}

// videoContentType is the Content-Type of the chunks of a source served
// as ct: its own when TikTok takes it, video/mp4 when the source did not
// say (application/octet-stream, none), and an error for a video format
// TikTok does not take, found before the init.
func videoContentType(ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err == nil && slices.Contains(videoTypes, mt):
		return mt, nil
	case err == nil && strings.HasPrefix(mt, "video/"):
		return "", publishers.Permanent(fmt.Errorf("tiktok: the video is %s; TikTok takes MP4, MOV or WebM (%s)", wire.Quote(mt, 60), strings.Join(videoTypes, ", ")))
	}
	return "video/mp4", nil
}
