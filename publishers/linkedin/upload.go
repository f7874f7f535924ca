package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers"
)

var (
	imageURN = regexp.MustCompile(`^urn:li:image:[A-Za-z0-9_-]{1,128}$`)
	videoURN = regexp.MustCompile(`^urn:li:video:[A-Za-z0-9_-]{1,128}$`)
)

// Statuses of GET /rest/videos/{urn} and GET /rest/images/{urn}.
const (
	statusWaitingUpload    = "WAITING_UPLOAD"
	statusProcessing       = "PROCESSING"
	statusAvailable        = "AVAILABLE"
	statusProcessingFailed = "PROCESSING_FAILED"
)

// maxParts bounds the upload instructions accepted (a 4 MiB part each:
// 200 GiB, far past LinkedIn's video size limit).
const maxParts = 50000

// image uploads image i (from 0) of the post, unless an earlier attempt
// did, and returns its URN. Only an uploaded image is checkpointed: an
// initialized one whose bytes never arrived is abandoned (LinkedIn drops
// it) and a new one made. The image may still be PROCESSING: awaitImage
// waits for it.
func (pub *publication) image(ctx context.Context, i int, m publishers.Media) (string, error) {
	name := CheckpointImagePrefix + strconv.Itoa(i+1)
	if urn := pub.cp.Get(name); urn != "" {
		return urn, nil
	}
	n := len(pub.plan.media)
	file, err := pub.media.Open(ctx, m.URL, publishers.MediaImage)
	if err != nil {
		return "", fmt.Errorf("linkedin: image %d/%d: %w", i+1, n, err)
	}
	defer file.Close()
	var raw json.RawMessage
	body := map[string]any{"initializeUploadRequest": map[string]any{"owner": pub.author.urn}}
	step := fmt.Sprintf("initialize upload of image %d/%d", i+1, n)
	if _, err := pub.do(ctx, pub.s, call{step: step, method: http.MethodPost, path: "/rest/images", query: "action=initializeUpload", body: body, out: &raw, scope: pub.author.writeScope()}); err != nil {
		return "", err
	}
	urn, uploadURL, err := parseImageInit(raw)
	if err != nil {
		return "", publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
	}
	pub.s.HideURL(uploadURL)
	if _, err := pub.put(ctx, fmt.Sprintf("upload image %d/%d", i+1, n), uploadURL, file, file.Size); err != nil {
		return "", err
	}
	if err := pub.save(ctx, name, urn); err != nil {
		return "", err
	}
	return urn, nil
}

// parseImageInit reads the answer of images?action=initializeUpload.
func parseImageInit(b []byte) (urn, uploadURL string, err error) {
	var out struct {
		Value struct {
			UploadURL string `json:"uploadUrl"`
			Image     string `json:"image"`
		} `json:"value"`
	}
	if json.Unmarshal(b, &out) != nil {
		return "", "", errors.New("answer is not JSON")
	}
	if !imageURN.MatchString(out.Value.Image) {
		return "", "", errors.New("answer has no image URN")
	}
	if !httpURL(out.Value.UploadURL) {
		return "", "", errors.New("answer has no upload URL")
	}
	return out.Value.Image, out.Value.UploadURL, nil
}

// videoUpload is an initialized video upload, as checkpointed.
type videoUpload struct {
	Video string `json:"video"`
	Token string `json:"token,omitempty"`
	Size  int64  `json:"size"`
	Parts []part `json:"parts"`
	// Expires is when the part URLs stop working (Unix ms; 0 unknown).
	Expires int64 `json:"expires,omitempty"`
}

type part struct {
	URL   string `json:"url"`
	First int64  `json:"first"`
	Last  int64  `json:"last"`
}

// parseVideoInit reads the answer of videos?action=initializeUpload for
// a file of size bytes: the parts must cover it exactly, in order.
func parseVideoInit(b []byte, size int64) (videoUpload, error) {
	var out struct {
		Value struct {
			Video              string `json:"video"`
			UploadToken        string `json:"uploadToken"`
			UploadURLsExpireAt int64  `json:"uploadUrlsExpireAt"`
			UploadInstructions []struct {
				UploadURL string `json:"uploadUrl"`
				FirstByte int64  `json:"firstByte"`
				LastByte  int64  `json:"lastByte"`
			} `json:"uploadInstructions"`
		} `json:"value"`
	}
	if json.Unmarshal(b, &out) != nil {
		return videoUpload{}, errors.New("answer is not JSON")
	}
	v := out.Value
	if !videoURN.MatchString(v.Video) {
		return videoUpload{}, errors.New("answer has no video URN")
	}
	if len(v.UploadInstructions) == 0 || len(v.UploadInstructions) > maxParts {
		return videoUpload{}, fmt.Errorf("answer has %d upload instructions", len(v.UploadInstructions))
	}
	up := videoUpload{Video: v.Video, Token: v.UploadToken, Size: size, Expires: max(v.UploadURLsExpireAt, 0)}
	next := int64(0)
	for i, in := range v.UploadInstructions {
		if in.FirstByte != next || in.LastByte < in.FirstByte || in.LastByte >= size || !httpURL(in.UploadURL) {
			return videoUpload{}, fmt.Errorf("upload instruction %d does not continue the file", i+1)
		}
		up.Parts = append(up.Parts, part{URL: in.UploadURL, First: in.FirstByte, Last: in.LastByte})
		next = in.LastByte + 1
	}
	if next != size {
		return videoUpload{}, errors.New("upload instructions do not cover the file")
	}
	return up, nil
}

// video uploads the post's video, resuming an earlier attempt's upload
// at its first part without an ETag, finalizes it and waits until
// LinkedIn made it AVAILABLE. It returns the video's URN.
func (pub *publication) video(ctx context.Context, m publishers.Media) (string, error) {
	var up videoUpload
	var src io.ReadCloser
	var pos int64
	defer func() {
		if src != nil {
			src.Close()
		}
	}()
	if saved := pub.cp.Get(CheckpointVideo); saved != "" && json.Unmarshal([]byte(saved), &up) == nil && videoURN.MatchString(up.Video) {
		for _, pt := range up.Parts {
			pub.s.HideURL(pt.URL)
		}
		if pub.cp.Get(CheckpointVideoFinalized) == "" && up.Expires > 0 && pub.now().UnixMilli() > up.Expires {
			// The part URLs are dead: start a new upload.
			if err := pub.forgetVideo(ctx, len(up.Parts)); err != nil {
				return "", err
			}
			up = videoUpload{}
		}
	} else {
		up = videoUpload{}
	}
	if up.Video == "" {
		file, err := pub.media.Open(ctx, m.URL, publishers.MediaVideo)
		if err != nil {
			return "", fmt.Errorf("linkedin: video: %w", err)
		}
		src = file
		if file.Size <= 0 {
			return "", publishers.Permanent(errors.New("linkedin: video: its server does not say its size, which LinkedIn needs before the upload"))
		}
		var raw json.RawMessage
		body := map[string]any{"initializeUploadRequest": map[string]any{
			"owner": pub.author.urn, "fileSizeBytes": file.Size, "uploadCaptions": false, "uploadThumbnail": false,
		}}
		if _, err := pub.do(ctx, pub.s, call{step: "initialize video upload", method: http.MethodPost, path: "/rest/videos", query: "action=initializeUpload", body: body, out: &raw, scope: pub.author.writeScope()}); err != nil {
			return "", err
		}
		if up, err = parseVideoInit(raw, file.Size); err != nil {
			return "", publishers.Transient(fmt.Errorf("linkedin: initialize video upload: %w", err))
		}
		for _, pt := range up.Parts {
			pub.s.HideURL(pt.URL)
		}
		b, _ := json.Marshal(up)
		if err := pub.save(ctx, CheckpointVideo, string(b)); err != nil {
			return "", err
		}
	}
	if pub.cp.Get(CheckpointVideoFinalized) == "" {
		etags := make([]string, len(up.Parts))
		for i := range up.Parts {
			name := CheckpointVideoPartPrefix + strconv.Itoa(i+1)
			if etags[i] = pub.cp.Get(name); etags[i] != "" {
				continue
			}
			etag, err := pub.uploadPart(ctx, m, up, i, &src, &pos)
			if err != nil {
				return "", err
			}
			if err := pub.save(ctx, name, etag); err != nil {
				return "", err
			}
			etags[i] = etag
		}
		if src != nil {
			src.Close()
			src = nil
		}
		if err := pub.finalize(ctx, up, etags); err != nil {
			return "", err
		}
	}
	if pub.cp.Get(CheckpointVideoFinalized) != statusAvailable {
		if err := pub.awaitVideo(ctx, up); err != nil {
			return "", err
		}
		if err := pub.save(ctx, CheckpointVideoFinalized, statusAvailable); err != nil {
			return "", err
		}
	}
	return up.Video, nil
}

// uploadPart PUTs part i, streaming from the source, which it opens (at
// the part's first byte) when src is not positioned there. A transient
// failure is retried up to partRetries times, from a fresh source.
func (pub *publication) uploadPart(ctx context.Context, m publishers.Media, up videoUpload, i int, src *io.ReadCloser, pos *int64) (string, error) {
	pt := up.Parts[i]
	step := fmt.Sprintf("upload video part %d/%d", i+1, len(up.Parts))
	delay := pub.pollInterval
	for try := 0; ; try++ {
		if *src == nil || *pos != pt.First {
			if *src != nil {
				(*src).Close()
			}
			file, err := pub.media.OpenAt(ctx, m.URL, publishers.MediaVideo, pt.First)
			if err != nil {
				*src = nil
				return "", fmt.Errorf("linkedin: %s: %w", step, err)
			}
			*src, *pos = file, pt.First
		}
		n := pt.Last - pt.First + 1
		etag, err := pub.put(ctx, step, pt.URL, io.LimitReader(*src, n), n)
		if err == nil && etag == "" {
			// Without it finalizeUpload cannot name the part.
			err = publishers.Transient(fmt.Errorf("linkedin: %s: answer has no ETag", step))
		}
		if err == nil {
			*pos += n
			return etag, nil
		}
		// Whatever was read of the source is gone.
		(*src).Close()
		*src = nil
		if e := apiError(err); e != nil && (e.Status == http.StatusForbidden || e.Status == http.StatusNotFound || e.Status == http.StatusGone) {
			// The signed part URLs no longer work: a new upload, on
			// the next attempt.
			if ferr := pub.forgetVideo(ctx, len(up.Parts)); ferr != nil {
				return "", ferr
			}
			return "", publishers.Transient(fmt.Errorf("linkedin: %s: upload URL refused (%d); starting the upload again next attempt", step, e.Status))
		}
		if publishers.ClassOf(err) != publishers.ClassTransient || try >= pub.partRetries || ctx.Err() != nil {
			return "", err
		}
		if err := pub.sleep(ctx, delay); err != nil {
			return "", publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
		}
		delay = min(delay*2, pub.maxPollDelay)
	}
}

// put sends size bytes of body to an upload URL and returns the answer's
// ETag. The token goes along only to LinkedIn's own hosts.
func (pub *publication) put(ctx context.Context, step, uploadURL string, body io.Reader, size int64) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, body)
	if err != nil {
		return "", publishers.Transient(fmt.Errorf("linkedin: %s: bad upload URL", step))
	}
	if size >= 0 {
		req.ContentLength = size
	}
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if pub.trusted(req.URL) {
		req.Header.Set("Authorization", "Bearer "+pub.s.Token)
	}
	resp, err := pub.client.Do(req)
	if err != nil {
		return "", pub.networkError(ctx, pub.s, step, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := parseError(resp.StatusCode, b, pub.s.Secrets())
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
			// The signed URL, not the account, was refused (expired,
			// say): a new upload can work.
			return "", publishers.Transient(fmt.Errorf("linkedin: %s: upload URL refused: %w", step, e))
		}
		return "", classify(step, pub.author.writeScope(), e, resp.Header, pub.now(), pub.rateLimitWait)
	}
	return resp.Header.Get("ETag"), nil
}

// trusted says whether u is LinkedIn's (or the configured API host), and
// so may see the token.
func (pub *publication) trusted(u *url.URL) bool {
	base, err := url.Parse(pub.base)
	if err == nil && strings.EqualFold(u.Host, base.Host) {
		return true
	}
	h := strings.ToLower(u.Hostname())
	return u.Scheme == "https" && (h == "linkedin.com" || strings.HasSuffix(h, ".linkedin.com"))
}

// finalize completes the upload with the parts' ETags. A refusal after an
// earlier finalize whose answer was lost is recognized by the video's
// status, which has then left WAITING_UPLOAD.
func (pub *publication) finalize(ctx context.Context, up videoUpload, etags []string) error {
	body := map[string]any{"finalizeUploadRequest": map[string]any{"video": up.Video, "uploadToken": up.Token, "uploadedPartIds": etags}}
	_, err := pub.do(ctx, pub.s, call{step: "finalize video upload", method: http.MethodPost, path: "/rest/videos", query: "action=finalizeUpload", body: body, scope: pub.author.writeScope()})
	if err != nil && publishers.ClassOf(err) == publishers.ClassPermanent {
		if st, serr := pub.videoStatus(ctx, up.Video); serr == nil && (st.Status == statusProcessing || st.Status == statusAvailable) {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	return pub.save(ctx, CheckpointVideoFinalized, "1")
}

// mediaState is the status of an image or video.
type mediaState struct {
	Status string `json:"status"`
	Reason string `json:"processingFailureReason"`
}

// parseMediaStatus reads GET /rest/videos/{urn} or /rest/images/{urn}.
func parseMediaStatus(b []byte) (mediaState, error) {
	var st mediaState
	if json.Unmarshal(b, &st) != nil {
		return mediaState{}, errors.New("status answer is not JSON")
	}
	return st, nil
}

// asset is an image or video whose status can be read: "video" and
// "/rest/videos/", or "image" and "/rest/images/".
type asset struct{ kind, path, urn string }

func videoAsset(urn string) asset { return asset{"video", "/rest/videos/", urn} }
func imageAsset(urn string) asset { return asset{"image", "/rest/images/", urn} }

func (a asset) String() string { return a.kind + " " + a.urn }

func (pub *publication) mediaStatus(ctx context.Context, a asset) (mediaState, error) {
	var raw json.RawMessage
	step := "read status of " + a.String()
	if _, err := pub.do(ctx, pub.s, call{step: step, method: http.MethodGet, path: a.path + escapeURN(a.urn), out: &raw, scope: pub.author.writeScope()}); err != nil {
		return mediaState{}, err
	}
	st, err := parseMediaStatus(raw)
	if err != nil {
		return st, publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
	}
	return st, nil
}

func (pub *publication) videoStatus(ctx context.Context, urn string) (mediaState, error) {
	return pub.mediaStatus(ctx, videoAsset(urn))
}

// await polls a's status with backoff (wait.Sleep unless Options
// say otherwise) until AVAILABLE, for at most the call's deadline; past
// it the job is handed back (RateLimited after HandBack) and the next
// attempt polls again from its checkpoints. PROCESSING_FAILED is
// Permanent with LinkedIn's reason; WAITING_UPLOAD is handed to waiting,
// which says what the next attempt must redo.
func (pub *publication) await(ctx context.Context, a asset, waiting func() error) error {
	delay := pub.pollInterval
	for {
		st, err := pub.mediaStatus(ctx, a)
		if err != nil {
			return err
		}
		switch st.Status {
		case statusAvailable:
			return nil
		case statusProcessingFailed:
			why := pub.s.clean([]byte(st.Reason), maxMessage)
			if why == "" {
				why = "no reason given"
			}
			return publishers.Permanent(fmt.Errorf("linkedin: %s failed processing: %s", a, why))
		case statusWaitingUpload:
			return waiting()
		case statusProcessing, "":
		default:
			return publishers.Transient(fmt.Errorf("linkedin: %s: unknown status %q", a, pub.s.clean([]byte(st.Status), 40)))
		}
		if pub.now().Add(delay).After(pub.deadline) {
			return publishers.RateLimited(pub.handBack, fmt.Errorf("linkedin: %s still processing after %s; handing the job back", a, pub.maxWait))
		}
		if err := pub.sleep(ctx, delay); err != nil {
			return publishers.Transient(fmt.Errorf("linkedin: wait for %s: %w", a, err))
		}
		delay = min(delay*2, pub.maxPollDelay)
	}
}

// awaitVideo waits until the finalized video is AVAILABLE.
func (pub *publication) awaitVideo(ctx context.Context, up videoUpload) error {
	return pub.await(ctx, videoAsset(up.Video), func() error {
		// The finalize did not take: do it again next attempt.
		if err := pub.save(ctx, CheckpointVideoFinalized, ""); err != nil {
			return err
		}
		return publishers.Transient(fmt.Errorf("linkedin: video %s is still waiting for its upload after finalizeUpload", up.Video))
	})
}

// awaitImage waits until image i (from 0), uploaded as urn, is
// AVAILABLE, unless an earlier attempt saw it so. LinkedIn refuses a post
// whose image is still PROCESSING.
func (pub *publication) awaitImage(ctx context.Context, i int, urn string) error {
	ready := CheckpointImageReadyPrefix + strconv.Itoa(i+1)
	if pub.cp.Get(ready) == urn {
		return nil
	}
	err := pub.await(ctx, imageAsset(urn), func() error {
		// The bytes did not take although the PUT was answered: upload
		// the image again next attempt.
		if err := pub.save(ctx, CheckpointImagePrefix+strconv.Itoa(i+1), ""); err != nil {
			return err
		}
		return publishers.Transient(fmt.Errorf("linkedin: image %s is still waiting for its upload; uploading it again next attempt", urn))
	})
	if err != nil {
		return err
	}
	return pub.save(ctx, ready, urn)
}

// forgetVideo clears the video upload's checkpoints so that a new upload
// starts.
func (pub *publication) forgetVideo(ctx context.Context, parts int) error {
	for i := range parts {
		if err := pub.save(ctx, CheckpointVideoPartPrefix+strconv.Itoa(i+1), ""); err != nil {
			return err
		}
	}
	if err := pub.save(ctx, CheckpointVideoFinalized, ""); err != nil {
		return err
	}
	return pub.save(ctx, CheckpointVideo, "")
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
