package tiktok

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Transfer methods of source_info.
const (
	sourceFile = "FILE_UPLOAD"
	sourcePull = "PULL_FROM_URL"
)

// postInfo is the post_info of an init request.
type postInfo struct {
	Title          string `json:"title,omitempty"`
	Description    string `json:"description,omitempty"`
	PrivacyLevel   string `json:"privacy_level"`
	DisableComment bool   `json:"disable_comment"`
	DisableDuet    *bool  `json:"disable_duet,omitempty"`
	DisableStitch  *bool  `json:"disable_stitch,omitempty"`
	CoverMS        *int64 `json:"video_cover_timestamp_ms,omitempty"`
	AutoAddMusic   *bool  `json:"auto_add_music,omitempty"`
	BrandContent   bool   `json:"brand_content_toggle"`
	BrandOrganic   bool   `json:"brand_organic_toggle"`
	AIGC           *bool  `json:"is_aigc,omitempty"`
}

// sourceInfo is the source_info of an init request.
type sourceInfo struct {
	Source          string   `json:"source"`
	VideoSize       int64    `json:"video_size,omitempty"`
	ChunkSize       int64    `json:"chunk_size,omitempty"`
	TotalChunkCount int64    `json:"total_chunk_count,omitempty"`
	VideoURL        string   `json:"video_url,omitempty"`
	PhotoCoverIndex *int     `json:"photo_cover_index,omitempty"`
	PhotoImages     []string `json:"photo_images,omitempty"`
}

type initRequest struct {
	PostInfo   postInfo   `json:"post_info"`
	SourceInfo sourceInfo `json:"source_info"`
	PostMode   string     `json:"post_mode,omitempty"`
	MediaType  string     `json:"media_type,omitempty"`
}

func (pl plan) postInfo() postInfo {
	return postInfo{
		Title:          pl.title,
		Description:    pl.desc,
		PrivacyLevel:   pl.privacy,
		DisableComment: pl.disableComment != nil && *pl.disableComment,
		BrandContent:   pl.brandContent,
		BrandOrganic:   pl.brandOrganic,
	}
}

// videoInit is the body of /v2/post/publish/video/init/.
func (pl plan) videoInit(source string, c chunking) initRequest {
	pi := pl.postInfo()
	pi.DisableDuet, pi.DisableStitch = pl.disableDuet, pl.disableStitch
	if pl.coverMS >= 0 {
		ms := pl.coverMS
		pi.CoverMS = &ms
	}
	if pl.aigc {
		pi.AIGC = &pl.aigc
	}
	si := sourceInfo{Source: source}
	if source == sourceFile {
		si.VideoSize, si.ChunkSize, si.TotalChunkCount = c.size, c.chunk, c.count
	} else {
		si.VideoURL = pl.videoURL
	}
	return initRequest{PostInfo: pi, SourceInfo: si}
}

// photoInit is the body of /v2/post/publish/content/init/.
func (pl plan) photoInit() initRequest {
	pi := pl.postInfo()
	music := pl.music
	pi.AutoAddMusic = &music
	cover := pl.coverIndex
	return initRequest{
		PostInfo:   pi,
		SourceInfo: sourceInfo{Source: sourcePull, PhotoCoverIndex: &cover, PhotoImages: pl.photos},
		PostMode:   "DIRECT_POST",
		MediaType:  "PHOTO",
	}
}

func (pl plan) what() string {
	switch {
	case pl.kind == kindPhoto:
		return "photo post"
	case pl.pull:
		return "video pull"
	}
	return "video upload"
}

// rawStatus is the data of a status fetch as it comes. Post ids are
// int64 in the docs and may exceed float64's precision: they are read
// as raw JSON numbers or strings.
type rawStatus struct {
	Status          string            `json:"status"`
	FailReason      string            `json:"fail_reason"`
	PostIDs         []json.RawMessage `json:"publicaly_available_post_id"`
	UploadedBytes   json.RawMessage   `json:"uploaded_bytes"`
	DownloadedBytes json.RawMessage   `json:"downloaded_bytes"`
}

func (r rawStatus) parse() statusAnswer {
	st := statusAnswer{
		Status:          strings.TrimSpace(r.Status),
		FailReason:      r.FailReason,
		UploadedBytes:   wire.Count(r.UploadedBytes),
		DownloadedBytes: wire.Count(r.DownloadedBytes),
	}
	for _, raw := range r.PostIDs {
		if id := postID(raw); id != "" {
			st.PostIDs = append(st.PostIDs, id)
		}
	}
	return st
}

// parseStatus decodes a status fetch's data.
func parseStatus(data []byte) (statusAnswer, error) {
	var r rawStatus
	if err := json.Unmarshal(data, &r); err != nil {
		return statusAnswer{}, err
	}
	return r.parse(), nil
}

// postID reads a post id, a JSON number or string of digits; anything
// else is "".
func postID(raw json.RawMessage) string {
	s := string(bytes.TrimSpace(raw))
	if unq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = unq
	}
	if !isPostID(s) {
		return ""
	}
	return s
}

// isPostID says whether s looks like a TikTok post id: digits only.
func isPostID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
