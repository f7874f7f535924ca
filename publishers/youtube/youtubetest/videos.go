package youtubetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/api/youtube/v3"
)

// Limits the fake enforces, as YouTube documents them for the videos
// resource (developers.google.com/youtube/v3/docs/videos, properties
// snippet.title, snippet.description, snippet.tags).
const (
	MaxTitleLength       = 100  // characters, "except < and >"
	MaxDescriptionLength = 5000 // bytes, "except < and >"
	// MaxTagsLength counts characters, the commas between tags, and the
	// quotes YouTube puts around a tag that contains a space.
	MaxTagsLength     = 500
	MaxThumbnailBytes = 2 << 20
	// MaxListIDs is the most ids videos.list takes in one call.
	MaxListIDs = 50
)

// categories are the video category ids the fake accepts: those
// videoCategories.list (regionCode=US) answers with assignable: true.
var categories = []string{"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}

// Video is an uploaded video as the fake holds it.
type Video struct {
	ID, Account, ChannelID string
	Title, Description     string
	Tags                   []string
	CategoryID             string
	// Requested is the privacyStatus the upload asked for; Privacy is
	// what the video got (private, whatever was asked, when the project
	// is unaudited: SetUnaudited).
	Requested, Privacy string
	PublishAt          string
	MadeForKids        bool
	NotifySubscribers  bool
	// ContainsSyntheticMedia is status.containsSyntheticMedia, the
	// altered-or-synthetic content disclosure.
	ContainsSyntheticMedia bool
	// DefaultLanguage and DefaultAudioLanguage are the snippet's.
	DefaultLanguage, DefaultAudioLanguage string
	ContentType                           string
	// Size and SHA256 (hex) describe the bytes uploaded; the bytes
	// themselves are not kept.
	Size    int64
	SHA256  string
	Session string // the resumable session that made it, "" for multipart
	// Thumbnail is the SHA-256 of the thumbnail set, if any.
	Thumbnail string
	Playlists []string
	Stats     VideoStats
	CreatedAt time.Time
}

// VideoStats are a video's statistics. Dislikes are private to the
// owner since 2021: the server sends dislikeCount only when it is set.
type VideoStats struct {
	Views, Likes, Comments, Dislikes uint64
}

type video struct {
	Video
}

func (s *Server) createVideo(acct string, meta youtube.Video, notify bool, ctype string, size int64, sum, session string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[acct]
	v := &video{Video{
		ID: randomID(11), Account: acct, ChannelID: a.channel,
		Title: meta.Snippet.Title, Description: meta.Snippet.Description,
		Tags: slices.Clone(meta.Snippet.Tags), CategoryID: meta.Snippet.CategoryId,
		NotifySubscribers: notify, ContentType: ctype, Size: size, SHA256: sum,
		Session: session, CreatedAt: time.Now(),
		DefaultLanguage: meta.Snippet.DefaultLanguage, DefaultAudioLanguage: meta.Snippet.DefaultAudioLanguage,
	}}
	v.Privacy = "public"
	if st := meta.Status; st != nil {
		if st.PrivacyStatus != "" {
			v.Privacy = st.PrivacyStatus
		}
		v.PublishAt = st.PublishAt
		v.MadeForKids = st.SelfDeclaredMadeForKids
		v.ContainsSyntheticMedia = st.ContainsSyntheticMedia
	}
	v.Requested = v.Privacy
	if s.unaudited {
		// "All videos uploaded via the videos.insert endpoint from
		// unverified API projects created after 28 July 2020 will be
		// restricted to private viewing mode" (videos resource, note at
		// the top): private whatever was asked, and never made public
		// at publishAt.
		v.Privacy, v.PublishAt = "private", ""
	}
	a.uploadsToday++
	s.videos[v.ID] = v
	s.vorder = append(s.vorder, v.ID)
	return v.ID
}

// validate checks upload metadata as YouTube does, with its reasons.
func validate(r *http.Request, meta *youtube.Video) (reply, bool) {
	part := r.URL.Query().Get("part")
	if !strings.Contains(part, "snippet") {
		return apiError(http.StatusBadRequest, "required", "part must include snippet"), false
	}
	sn := meta.Snippet
	if sn == nil || strings.TrimSpace(sn.Title) == "" || utf8.RuneCountInString(sn.Title) > MaxTitleLength || strings.ContainsAny(sn.Title, "<>") {
		return apiError(http.StatusBadRequest, "invalidTitle", "The request metadata specifies an invalid or empty video title."), false
	}
	if len(sn.Description) > MaxDescriptionLength || strings.ContainsAny(sn.Description, "<>") || !utf8.ValidString(sn.Description) {
		return apiError(http.StatusBadRequest, "invalidDescription", "The request metadata specifies an invalid video description."), false
	}
	if tagsLength(sn.Tags) > MaxTagsLength || slices.ContainsFunc(sn.Tags, func(t string) bool { return strings.ContainsAny(t, "<>") }) {
		return apiError(http.StatusBadRequest, "invalidTags", "The request metadata specifies invalid video keywords."), false
	}
	if sn.CategoryId != "" && !slices.Contains(categories, sn.CategoryId) {
		return apiError(http.StatusBadRequest, "invalidCategoryId", "The snippet.categoryId property specifies an invalid category ID."), false
	}
	if st := meta.Status; st != nil {
		switch st.PrivacyStatus {
		case "", "public", "unlisted", "private":
		default:
			return apiError(http.StatusBadRequest, "invalidVideoMetadata", "The request metadata is invalid: privacyStatus "+strconv.Quote(st.PrivacyStatus)), false
		}
		if st.PublishAt != "" {
			if _, err := time.Parse(time.RFC3339, st.PublishAt); err != nil || st.PrivacyStatus != "private" {
				return apiError(http.StatusBadRequest, "invalidPublishAt", "The request metadata specifies an invalid scheduled publishing time."), false
			}
		}
	}
	return reply{}, true
}

// tagsLength counts tags as snippet.tags documents it: "the character
// limit includes commas between items in the list", and a tag that
// contains a space counts with the quotation marks around it.
func tagsLength(tags []string) int {
	n := max(len(tags)-1, 0)
	for _, t := range tags {
		n += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			n += 2
		}
	}
	return n
}

// resource is v as the API returns it. Counts are JSON strings.
func (v *video) resource(parts string) *youtube.Video {
	out := &youtube.Video{Kind: "youtube#video", Etag: v.SHA256[:16], Id: v.ID}
	all := parts == ""
	if all || strings.Contains(parts, "snippet") {
		out.Snippet = &youtube.VideoSnippet{
			ChannelId: v.ChannelID, Title: v.Title, Description: v.Description, Tags: v.Tags,
			CategoryId: v.CategoryID, PublishedAt: v.CreatedAt.UTC().Format(time.RFC3339),
			DefaultLanguage: v.DefaultLanguage, DefaultAudioLanguage: v.DefaultAudioLanguage,
		}
	}
	if all || strings.Contains(parts, "status") {
		out.Status = &youtube.VideoStatus{
			UploadStatus: "uploaded", PrivacyStatus: v.Privacy, PublishAt: v.PublishAt,
			SelfDeclaredMadeForKids: v.MadeForKids, MadeForKids: v.MadeForKids,
			ContainsSyntheticMedia: v.ContainsSyntheticMedia,
			ForceSendFields:        []string{"SelfDeclaredMadeForKids", "MadeForKids", "ContainsSyntheticMedia"},
		}
	}
	if strings.Contains(parts, "statistics") {
		out.Statistics = &youtube.VideoStatistics{
			ViewCount: v.Stats.Views, LikeCount: v.Stats.Likes, CommentCount: v.Stats.Comments, DislikeCount: v.Stats.Dislikes,
			ForceSendFields: []string{"ViewCount", "LikeCount", "CommentCount", "FavoriteCount"},
		}
	}
	return out
}

func (s *Server) videoReply(id string, status int) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return reply{status: status, body: s.videos[id].resource("snippet,status"), video: id}
}

// listVideos is videos.list by id.
func (s *Server) listVideos(r *http.Request, _ *account) reply {
	q := r.URL.Query()
	if q.Get("part") == "" {
		return apiError(http.StatusBadRequest, "required", "No filter selected. Expected one of: part")
	}
	var ids []string
	for _, v := range q["id"] {
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return apiError(http.StatusBadRequest, "missingRequiredParameter", "No filter selected. Expected one of: id, myRating, chart")
	}
	if len(ids) > MaxListIDs {
		return apiError(http.StatusBadRequest, "badRequest", "too many ids: at most 50")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &youtube.VideoListResponse{Kind: "youtube#videoListResponse", Items: []*youtube.Video{}}
	for _, id := range ids {
		if v, ok := s.videos[id]; ok {
			resp.Items = append(resp.Items, v.resource(q.Get("part")))
		}
	}
	resp.PageInfo = &youtube.PageInfo{TotalResults: int64(len(resp.Items)), ResultsPerPage: int64(len(resp.Items))}
	return reply{status: http.StatusOK, body: resp}
}

// listChannels is channels.list with mine=true or id.
func (s *Server) listChannels(r *http.Request, acct *account) reply {
	q := r.URL.Query()
	if q.Get("part") == "" {
		return apiError(http.StatusBadRequest, "required", "No filter selected. Expected one of: part")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var accts []*account
	switch {
	case q.Get("mine") == "true":
		accts = append(accts, acct)
	case q.Get("id") != "":
		for _, id := range strings.Split(q.Get("id"), ",") {
			for _, a := range s.accounts {
				if a.channel == id {
					accts = append(accts, a)
				}
			}
		}
	default:
		return apiError(http.StatusBadRequest, "missingRequiredParameter", "No filter selected. Expected one of: mine, id")
	}
	resp := &youtube.ChannelListResponse{Kind: "youtube#channelListResponse", Items: []*youtube.Channel{}}
	for _, a := range accts {
		c := &youtube.Channel{Kind: "youtube#channel", Id: a.channel}
		if strings.Contains(q.Get("part"), "statistics") {
			c.Statistics = &youtube.ChannelStatistics{
				SubscriberCount: a.subscribers, ViewCount: a.views, VideoCount: uint64(s.countVideosLocked(a.id)),
				ForceSendFields: []string{"SubscriberCount", "ViewCount", "VideoCount", "HiddenSubscriberCount"},
			}
		}
		resp.Items = append(resp.Items, c)
	}
	resp.PageInfo = &youtube.PageInfo{TotalResults: int64(len(resp.Items)), ResultsPerPage: 5}
	return reply{status: http.StatusOK, body: resp}
}

func (s *Server) countVideosLocked(acct string) int {
	n := 0
	for _, v := range s.videos {
		if v.Account == acct {
			n++
		}
	}
	return n
}

// setThumbnail is thumbnails.set: the image as the whole body
// (uploadType=media) or as the second part of a multipart body.
func (s *Server) setThumbnail(r *http.Request, acct *account) reply {
	id := r.URL.Query().Get("videoId")
	s.mu.Lock()
	v, ok := s.videos[id]
	s.mu.Unlock()
	if !ok {
		return apiError(http.StatusNotFound, "videoNotFound", "The video that you are trying to update cannot be found.")
	}
	if v.Account != acct.id {
		return apiError(http.StatusForbidden, "forbidden", "The authenticated user doesn't have permissions to upload and set custom video thumbnails.")
	}
	body, ctype := io.Reader(r.Body), r.Header.Get("Content-Type")
	if mt, params, err := mime.ParseMediaType(ctype); err == nil && strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(r.Body, params["boundary"])
		if _, err := mr.NextPart(); err != nil { // the (empty) metadata part
			return apiError(http.StatusBadRequest, "mediaBodyRequired", "The request does not include the image content.")
		}
		part, err := mr.NextPart()
		if err != nil {
			return apiError(http.StatusBadRequest, "mediaBodyRequired", "The request does not include the image content.")
		}
		body, ctype = part, part.Header.Get("Content-Type")
	}
	if mt, _, _ := mime.ParseMediaType(ctype); mt != "image/jpeg" && mt != "image/png" && mt != "application/octet-stream" {
		return apiError(http.StatusBadRequest, "invalidImage", "The provided image content is invalid: type "+strconv.Quote(ctype))
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(body, MaxThumbnailBytes+1))
	if err != nil {
		return reply{status: statusClientClosed}
	}
	switch {
	case n == 0:
		return apiError(http.StatusBadRequest, "mediaBodyRequired", "The request does not include the image content.")
	case n > MaxThumbnailBytes:
		return apiError(http.StatusRequestEntityTooLarge, "mediaBodyTooLarge", "The thumbnail is larger than 2 MB.")
	}
	s.mu.Lock()
	v.Thumbnail = hex.EncodeToString(h.Sum(nil))
	s.mu.Unlock()
	url := s.base + "/vi/" + id + "/default.jpg"
	return reply{status: http.StatusOK, video: id, bytes: n, body: &youtube.ThumbnailSetResponse{
		Kind: "youtube#thumbnailSetResponse",
		Items: []*youtube.ThumbnailDetails{{
			Default: &youtube.Thumbnail{Url: url, Width: 120, Height: 90},
		}},
	}}
}

// insertPlaylistItem is playlistItems.insert with part=snippet.
func (s *Server) insertPlaylistItem(r *http.Request, acct *account) reply {
	var item youtube.PlaylistItem
	if err := json.NewDecoder(io.LimitReader(r.Body, maxMetadata)).Decode(&item); err != nil {
		return apiError(http.StatusBadRequest, "parseError", "Parse Error")
	}
	sn := item.Snippet
	if sn == nil || sn.PlaylistId == "" {
		return apiError(http.StatusBadRequest, "playlistIdRequired", "The request does not specify a value for the required playlistId property.")
	}
	if sn.ResourceId == nil || sn.ResourceId.VideoId == "" {
		return apiError(http.StatusBadRequest, "videoNotFound", "The video that you are trying to add to the playlist cannot be found.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !acct.playlists[sn.PlaylistId] {
		return apiError(http.StatusNotFound, "playlistNotFound", "The playlist identified with the request's playlistId parameter cannot be found.")
	}
	v, ok := s.videos[sn.ResourceId.VideoId]
	if !ok {
		return apiError(http.StatusNotFound, "videoNotFound", "The video that you are trying to add to the playlist cannot be found.")
	}
	v.Playlists = append(v.Playlists, sn.PlaylistId)
	s.items++
	out := &youtube.PlaylistItem{
		Kind: "youtube#playlistItem", Id: "PLI" + strconv.Itoa(s.items) + randomID(20),
		Snippet: &youtube.PlaylistItemSnippet{
			PlaylistId: sn.PlaylistId, ChannelId: acct.channel, Title: v.Title,
			ResourceId: &youtube.ResourceId{Kind: "youtube#video", VideoId: v.ID},
		},
	}
	return reply{status: http.StatusOK, body: out, video: v.ID}
}

// AddPlaylist makes a playlist on the account's channel and returns its
// id.
func (s *Server) AddPlaylist(accountID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(accountID)
	id := "PL" + randomID(32)
	s.accounts[accountID].playlists[id] = true
	return id
}

// SetVideoStats sets a video's statistics; it reports whether the video
// exists.
func (s *Server) SetVideoStats(id string, st VideoStats) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	if ok {
		v.Stats = st
	}
	return ok
}

// SetChannelStats sets the subscribers and total views of the account's
// channel (made if needed).
func (s *Server) SetChannelStats(accountID string, subscribers, views uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(accountID)
	a := s.accounts[accountID]
	a.subscribers, a.views = subscribers, views
}

// Videos returns the videos so far, oldest first.
func (s *Server) Videos() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Video, 0, len(s.vorder))
	for _, id := range s.vorder {
		v := s.videos[id].Video
		v.Tags = slices.Clone(v.Tags)
		v.Playlists = slices.Clone(v.Playlists)
		out = append(out, v)
	}
	return out
}

// VideosTitled counts the videos with the given title: tests give each
// post its own title and check it made exactly one video.
func (s *Server) VideosTitled(title string) int {
	n := 0
	for _, v := range s.Videos() {
		if v.Title == title {
			n++
		}
	}
	return n
}
