package tiktoktest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Publish statuses.
const (
	StatusProcessingUpload   = "PROCESSING_UPLOAD"
	StatusProcessingDownload = "PROCESSING_DOWNLOAD"
	StatusSendToUserInbox    = "SEND_TO_USER_INBOX"
	StatusPublishComplete    = "PUBLISH_COMPLETE"
	StatusFailed             = "FAILED"
)

// VideoTypes are the Content-Types a chunk may have: the Media Transfer
// Guide's video formats, MP4, MOV and WebM.
var VideoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}

// PhotoExtensions are the photo files a photo post may pull: TikTok's
// photo restrictions take JPEG and WebP only. A photo URL ending in
// another image extension fails its publish with
// file_format_check_failed once TikTok pulled it.
var PhotoExtensions = []string{".jpg", ".jpeg", ".webp"}

// Chunk rules the server enforces, as TikTok's Media Transfer Guide
// states them.
const (
	MinChunk     = 5 << 20
	MaxChunk     = 64_000_000
	MaxLastChunk = 128_000_000
	MaxChunks    = 1000
)

// Processing decides how a publish goes once its media arrived (every
// chunk uploaded, or pulled at init).
type Processing struct {
	// Polls is how many status fetches still say processing.
	Polls int
	// Duration is how long (on the server's clock) processing takes,
	// as well as Polls.
	Duration time.Duration
	// FailReason, if set, ends the publish FAILED with it.
	FailReason string
	// ModerationDelay is how long (on the server's clock) after
	// PUBLISH_COMPLETE the status withholds publicaly_available_post_id:
	// "developers are not provided with the post_id until [moderation]
	// is complete", which "may take a few hours" (Get Post Status).
	ModerationDelay time.Duration
	// Sequence, if set, is the statuses answered by the fetches after the
	// media arrived, in order, the last one repeating; Polls, Duration
	// and FailReason are then ignored (a FAILED in it fails with
	// FailReason or "internal").
	Sequence []string
}

// SetProcessing sets how publishes initialised from now on are
// processed.
func (s *Server) SetProcessing(p Processing) {
	s.mu.Lock()
	s.processing = p
	s.processing.Sequence = append([]string(nil), p.Sequence...)
	s.mu.Unlock()
}

// Publish is one publish_id the server handed out.
type Publish struct {
	ID          string
	Kind        string // "video" or "photo"
	Source      string // FILE_UPLOAD or PULL_FROM_URL
	Title       string
	Description string
	Privacy     string
	// PostInfo is the init's post_info as it came.
	PostInfo map[string]any
	VideoURL string
	Photos   []string
	// Size, ChunkSize and ChunkCount are FILE_UPLOAD's announcement.
	Size, ChunkSize, ChunkCount int64
	// Received is the bytes uploaded, Chunks their Content-Ranges in
	// the order they came, SHA256 the hash of every byte received.
	Received int64
	Chunks   []string
	SHA256   string
	Status   string
	// FailReason and PostID are set when the publish is final.
	FailReason string
	PostID     string
	InitAt     time.Time
	// Inbox says the publish is an upload to the creator's inbox: it
	// ends SEND_TO_USER_INBOX, not as a post.
	Inbox bool

	processing  Processing
	arrivedAt   time.Time
	completedAt time.Time
	polls       int
	hash        hash.Hash
	uploadURL   string
}

func (s *Server) creatorInfo(*http.Request, *Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.creator
	c.PrivacyLevelOptions = append([]string(nil), c.PrivacyLevelOptions...)
	return ok(c)
}

type initBody struct {
	PostInfo   map[string]any `json:"post_info"`
	SourceInfo struct {
		Source          string   `json:"source"`
		VideoSize       int64    `json:"video_size"`
		ChunkSize       int64    `json:"chunk_size"`
		TotalChunkCount int64    `json:"total_chunk_count"`
		VideoURL        string   `json:"video_url"`
		PhotoImages     []string `json:"photo_images"`
		PhotoCoverIndex *int     `json:"photo_cover_index"`
	} `json:"source_info"`
	PostMode  string `json:"post_mode"`
	MediaType string `json:"media_type"`
}

func (s *Server) videoInit(r *http.Request, c *Call) reply { return s.init(r, c, "video", false) }

func (s *Server) contentInit(r *http.Request, c *Call) reply { return s.init(r, c, "photo", false) }

// inboxInit is the Upload Content API's video init: source_info only,
// no post_info (the creator sets the post up in the app).
func (s *Server) inboxInit(r *http.Request, c *Call) reply { return s.init(r, c, "video", true) }

func (s *Server) init(r *http.Request, c *Call, kind string, inbox bool) reply {
	var b initBody
	if err := decode(r, &b); err != nil {
		return fail(http.StatusBadRequest, CodeInvalidParams, "request body is not JSON")
	}
	title, _ := b.PostInfo["title"].(string)
	desc, _ := b.PostInfo["description"].(string)
	privacy, _ := b.PostInfo["privacy_level"].(string)
	if kind == "photo" && b.PostMode == "MEDIA_UPLOAD" {
		inbox = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Title = title
	switch {
	case inbox && kind == "video" && b.PostInfo != nil:
		return fail(http.StatusBadRequest, CodeInvalidParams, "the inbox video init takes source_info only")
	case inbox:
	case !slices.Contains(s.creator.PrivacyLevelOptions, privacy):
		return fail(http.StatusBadRequest, CodePrivacyLevelMismatch, fmt.Sprintf("privacy_level %q is not among the creator's options", privacy))
	case s.unaudited && privacy != "SELF_ONLY":
		return fail(http.StatusForbidden, CodeUnaudited, "Please review our integration guidelines at https://developers.tiktok.com/doc/content-sharing-guidelines/")
	}
	p := &Publish{Kind: kind, Source: b.SourceInfo.Source, Title: title, Description: desc, Privacy: privacy,
		PostInfo: b.PostInfo, InitAt: s.now(), processing: s.processing, Status: StatusProcessingUpload, Inbox: inbox}
	si := b.SourceInfo
	switch {
	case kind == "photo":
		if b.MediaType != "PHOTO" || (b.PostMode != "DIRECT_POST" && b.PostMode != "MEDIA_UPLOAD") || si.Source != "PULL_FROM_URL" || len(si.PhotoImages) == 0 || len(si.PhotoImages) > 35 {
			return fail(http.StatusBadRequest, CodeInvalidParams, "a photo post needs media_type PHOTO, post_mode DIRECT_POST or MEDIA_UPLOAD, PULL_FROM_URL and 1-35 photo_images")
		}
		if si.PhotoCoverIndex != nil && (*si.PhotoCoverIndex < 0 || *si.PhotoCoverIndex >= len(si.PhotoImages)) {
			return fail(http.StatusBadRequest, CodeInvalidParams, "photo_cover_index out of range")
		}
		for _, u := range si.PhotoImages {
			if !s.verifiedLocked(u) {
				return fail(http.StatusForbidden, CodeURLOwnershipUnverified, "the URL's domain or prefix is not verified")
			}
		}
		p.Photos = append([]string(nil), si.PhotoImages...)
		for _, u := range si.PhotoImages {
			if !photoType(u) {
				p.processing = Processing{FailReason: "file_format_check_failed"}
			}
		}
		p.Status, p.arrivedAt = StatusProcessingDownload, s.now()
	case si.Source == "PULL_FROM_URL":
		if !s.verifiedLocked(si.VideoURL) {
			return fail(http.StatusForbidden, CodeURLOwnershipUnverified, "the URL's domain or prefix is not verified")
		}
		p.VideoURL = si.VideoURL
		p.Status, p.arrivedAt = StatusProcessingDownload, s.now()
	case si.Source == "FILE_UPLOAD":
		if msg := checkChunking(si.VideoSize, si.ChunkSize, si.TotalChunkCount); msg != "" {
			return fail(http.StatusBadRequest, CodeInvalidParams, msg)
		}
		p.Size, p.ChunkSize, p.ChunkCount = si.VideoSize, si.ChunkSize, si.TotalChunkCount
		p.hash = sha256.New()
	default:
		return fail(http.StatusBadRequest, CodeInvalidParams, "source must be FILE_UPLOAD or PULL_FROM_URL")
	}
	n := s.newID()
	p.ID = fmt.Sprintf("v_pub_%s~v2.%d", map[bool]string{true: "file", false: "url"}[p.Source == "FILE_UPLOAD"], 7300000000000000000+n)
	c.PublishID = p.ID
	data := map[string]string{"publish_id": p.ID}
	if p.Source == "FILE_UPLOAD" {
		uploadID := strconv.Itoa(9000 + n)
		p.uploadURL = fmt.Sprintf("%s/upload/%s?upload_token=ut-%x", s.ts.URL, uploadID, sha256.Sum256([]byte(p.ID)))
		s.uploads[uploadID] = p.ID
		data["upload_url"] = p.uploadURL
	}
	s.publishes[p.ID] = p
	s.order = append(s.order, p.ID)
	return ok(data)
}

// checkChunking checks an announced upload against TikTok's chunk rules;
// "" means it follows them.
func checkChunking(size, chunk, count int64) string {
	switch {
	case size <= 0 || chunk <= 0 || count <= 0:
		return "video_size, chunk_size and total_chunk_count must be positive"
	case count != size/chunk:
		return fmt.Sprintf("total_chunk_count %d is not video_size/chunk_size rounded down (%d)", count, size/chunk)
	case size < MinChunk && (chunk != size || count != 1):
		return "a video under 5 MB is uploaded whole"
	case size >= MinChunk && (chunk < MinChunk || chunk > MaxChunk):
		return "chunk_size must be 5 to 64 MB"
	case count > MaxChunks:
		return "at most 1000 chunks"
	case size-(count-1)*chunk > MaxLastChunk:
		return "the last chunk is over 128 MB"
	case size > MaxChunk && count < 2:
		return "a video over 64 MB is uploaded in several chunks"
	}
	return ""
}

func (s *Server) verifiedLocked(u string) bool {
	for _, p := range s.verified {
		if p != "" && strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

// upload takes one chunk: it must be the next one, by the announced
// chunking, with a matching Content-Range and length.
func (s *Server) upload(r *http.Request, c *Call) reply {
	c.Range = r.Header.Get("Content-Range")
	c.ContentType = r.Header.Get("Content-Type")
	// Media Transfer Guide, "Media transfer HTTP schema": every chunk
	// says its Content-Type, one of the video formats TikTok takes (MP4,
	// MOV, WebM).
	if mt, _, err := mime.ParseMediaType(c.ContentType); err != nil || !slices.Contains(VideoTypes, mt) {
		io.Copy(io.Discard, io.LimitReader(r.Body, MaxLastChunk))
		return fail(http.StatusUnsupportedMediaType, CodeInvalidFileUpload, fmt.Sprintf("Content-Type %q is not one of %s", c.ContentType, strings.Join(VideoTypes, ", ")))
	}
	s.mu.Lock()
	id, known := s.uploads[r.PathValue("id")]
	p := s.publishes[id]
	valid := known && p != nil && r.URL.RawQuery == strings.SplitN(p.uploadURL, "?", 2)[1]
	var expired bool
	if valid {
		expired = !s.now().Before(p.InitAt.Add(UploadURLLifetime))
	}
	var first, last, total int64
	var want [2]int64
	msg := ""
	if valid && !expired {
		c.PublishID = id
		if _, err := fmt.Sscanf(c.Range, "bytes %d-%d/%d", &first, &last, &total); err != nil {
			msg = "Content-Range must be bytes first-last/total"
		} else {
			i := p.Received / p.ChunkSize
			want[0] = p.Received
			want[1] = want[0] + p.ChunkSize - 1
			if i >= p.ChunkCount-1 {
				want[1] = p.Size - 1
			}
			switch {
			case p.Received >= p.Size:
				msg = "the upload is complete"
			case total != p.Size || first != want[0] || last != want[1]:
				msg = fmt.Sprintf("expected bytes %d-%d/%d", want[0], want[1], p.Size)
			case r.ContentLength >= 0 && r.ContentLength != last-first+1:
				msg = "Content-Length does not match Content-Range"
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !valid:
		return fail(http.StatusNotFound, CodeInvalidParams, "unknown upload")
	case expired:
		return fail(http.StatusForbidden, CodeInvalidParams, "upload URL expired")
	case msg != "":
		io.Copy(io.Discard, io.LimitReader(r.Body, MaxLastChunk))
		return fail(http.StatusRequestedRangeNotSatisfiable, CodeInvalidParams, msg)
	}
	// Read the chunk outside the lock, hashing it, never keeping it.
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r.Body, last-first+2))
	if err != nil || n != last-first+1 {
		return fail(http.StatusBadRequest, CodeInvalidFileUpload, "chunk body does not match its Content-Range")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Received != first {
		return fail(http.StatusRequestedRangeNotSatisfiable, CodeInvalidParams, "another upload of this chunk won")
	}
	// The whole-file hash is over the chunks as received; chunk hashes
	// are folded in order, which equals hashing the bytes only when
	// every chunk comes once. Tests compare with SourceHash.
	p.hash.Write(h.Sum(nil))
	p.Received += n
	p.Chunks = append(p.Chunks, c.Range)
	if p.Received == p.Size {
		p.arrivedAt = s.now()
		p.SHA256 = hex.EncodeToString(p.hash.Sum(nil))
		return reply{status: http.StatusCreated, raw: " "}
	}
	return reply{status: http.StatusPartialContent, raw: " "}
}

func (s *Server) status(r *http.Request, c *Call) reply {
	var b struct {
		PublishID string `json:"publish_id"`
	}
	if err := decode(r, &b); err != nil {
		return fail(http.StatusBadRequest, CodeInvalidParams, "request body is not JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.PublishID = b.PublishID
	p, found := s.publishes[b.PublishID]
	if !found {
		return fail(http.StatusBadRequest, CodeInvalidParams, "publish_id not found")
	}
	s.advanceLocked(p)
	data := map[string]any{"status": p.Status, "fail_reason": p.FailReason, "publicaly_available_post_id": []any{}}
	if p.Source == "FILE_UPLOAD" {
		data["uploaded_bytes"] = p.Received
	} else if !p.arrivedAt.IsZero() {
		data["downloaded_bytes"] = 1 << 20
	}
	if p.PostID != "" && !s.now().Before(p.completedAt.Add(p.processing.ModerationDelay)) {
		n, _ := strconv.ParseInt(p.PostID, 10, 64)
		data["publicaly_available_post_id"] = []int64{n}
	}
	c.PublishStatus = p.Status
	return ok(data)
}

// advanceLocked moves p on by one status read.
func (s *Server) advanceLocked(p *Publish) {
	if p.Status == StatusPublishComplete || p.Status == StatusFailed || p.arrivedAt.IsZero() {
		return
	}
	pr := p.processing
	p.polls++
	if len(pr.Sequence) > 0 {
		st := pr.Sequence[min(p.polls, len(pr.Sequence))-1]
		switch st {
		case StatusPublishComplete:
			s.completeLocked(p)
		case StatusFailed:
			p.Status, p.FailReason = StatusFailed, pr.FailReason
			if p.FailReason == "" {
				p.FailReason = "internal"
			}
		default:
			p.Status = st
		}
		return
	}
	if p.polls <= pr.Polls || s.now().Before(p.arrivedAt.Add(pr.Duration)) {
		return
	}
	if pr.FailReason != "" {
		p.Status, p.FailReason = StatusFailed, pr.FailReason
		return
	}
	s.completeLocked(p)
}

func (s *Server) completeLocked(p *Publish) {
	if p.Inbox {
		// An upload ends in the creator's inbox; the post, if any, is
		// the creator's doing in the app.
		p.Status = StatusSendToUserInbox
		return
	}
	p.Status, p.completedAt = StatusPublishComplete, s.now()
	post := Post{PublishID: p.ID, Title: p.Title, Privacy: p.Privacy, Kind: p.Kind, At: s.now()}
	if p.Privacy != "SELF_ONLY" {
		p.PostID = strconv.FormatInt(7400000000000000000+int64(s.newID()), 10)
		post.ID = p.PostID
	}
	s.posts = append(s.posts, post)
}

// SourceHash is what a Publish's SHA256 is for data uploaded in chunks
// of the given ranges exactly once each: the hash of the chunks' hashes.
func SourceHash(data []byte, chunkSize, chunkCount int64) string {
	all := sha256.New()
	size := int64(len(data))
	for i := int64(0); i < chunkCount; i++ {
		first, last := i*chunkSize, (i+1)*chunkSize
		if i == chunkCount-1 {
			last = size
		}
		h := sha256.Sum256(data[first:last])
		all.Write(h[:])
	}
	return hex.EncodeToString(all.Sum(nil))
}

// ExpireUploadURLs makes every upload URL handed out so far refuse
// chunks, as an hour after init does.
func (s *Server) ExpireUploadURLs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.publishes {
		p.InitAt = p.InitAt.Add(-UploadURLLifetime)
	}
}

// photoType says whether TikTok can take the photo at u, by its name:
// one without an extension is given the benefit of the doubt.
func photoType(u string) bool {
	pu, err := url.Parse(u)
	if err != nil {
		return false
	}
	ext := strings.ToLower(path.Ext(pu.Path))
	return ext == "" || slices.Contains(PhotoExtensions, ext)
}

// RemoveInModeration fails a completed publish whose post moderation took
// down, with reason as its fail_reason; it reports whether the publish
// exists.
func (s *Server) RemoveInModeration(publishID, reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.publishes[publishID]
	if ok {
		p.Status, p.FailReason, p.PostID = StatusFailed, reason, ""
	}
	return ok
}
