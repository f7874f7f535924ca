package youtubetest

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/api/youtube/v3"
)

// ScopeForceSSL is the only scope commentThreads.insert takes
// (CommentThreads: insert, "Authorization"); Scope, what IssueToken
// grants unless told otherwise, lacks it.
const ScopeForceSSL = ScopePrefix + "youtube.force-ssl"

// MaxCommentLength is the longest textOriginal the fake takes: YouTube's
// comment box stops at 10,000 characters (commentTextTooLong past it).
const MaxCommentLength = 10_000

// Comment is a top-level comment as the fake holds it.
type Comment struct {
	// ID is the comment thread's id (that of its top-level comment).
	ID, VideoID string
	// AuthorChannelID is the channel that wrote it.
	AuthorChannelID string
	Text            string
	PublishedAt     time.Time
}

// AddComment records a comment on video outside the API (another
// viewer's), and returns its id.
func (s *Server) AddComment(videoID, authorChannelID, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: "Ug" + randomID(24), VideoID: videoID, AuthorChannelID: authorChannelID, Text: text, PublishedAt: time.Now()}
	s.comments = append(s.comments, c)
	return c.ID
}

// Comments returns the comments on video, oldest first.
func (s *Server) Comments(videoID string) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.VideoID == videoID {
			out = append(out, *c)
		}
	}
	return out
}

// insertCommentThread is commentThreads.insert (CommentThreads: insert):
// part snippet is required; the body must give snippet.channelId,
// snippet.videoId and snippet.topLevelComment.snippet.textOriginal
// ("Request body"); the token needs youtube.force-ssl
// ("Authorization"). Errors as its table lists them: channelOrVideoIdMissing,
// commentTextRequired, commentTextTooLong (400), commentsDisabled (403:
// YouTube turns comments off on videos made for kids), videoNotFound
// (404).
func (s *Server) insertCommentThread(r *http.Request, acct *account) reply {
	if !strings.Contains(r.URL.Query().Get("part"), "snippet") {
		return apiError(http.StatusBadRequest, "required", "Required parameter: part")
	}
	var t youtube.CommentThread
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&t); err != nil {
		return apiError(http.StatusBadRequest, "parseError", "This API does not support parsing form-encoded input.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := t.Snippet
	if sn == nil || sn.ChannelId == "" || sn.VideoId == "" {
		return apiError(http.StatusBadRequest, "channelOrVideoIdMissing", "The comment thread must be associated with a channel or video.")
	}
	var text string
	if sn.TopLevelComment != nil && sn.TopLevelComment.Snippet != nil {
		text = sn.TopLevelComment.Snippet.TextOriginal
	}
	switch {
	case strings.TrimSpace(text) == "":
		return apiError(http.StatusBadRequest, "commentTextRequired", "The comment resource that is being inserted must specify a value for the snippet.topLevelComment.snippet.textOriginal property.")
	case utf8.RuneCountInString(text) > MaxCommentLength:
		return apiError(http.StatusBadRequest, "commentTextTooLong", "The comment resource that is being inserted contains too many characters in the snippet.topLevelComment.snippet.textOriginal property.")
	}
	v, ok := s.videos[sn.VideoId]
	if !ok {
		return apiError(http.StatusNotFound, "videoNotFound", "The video identified by the videoId parameter could not be found.")
	}
	if v.MadeForKids {
		return apiError(http.StatusForbidden, "commentsDisabled", "The video identified by the videoId parameter has disabled comments.")
	}
	c := &Comment{ID: "Ug" + randomID(24), VideoID: v.ID, AuthorChannelID: acct.channel, Text: text, PublishedAt: time.Now()}
	s.comments = append(s.comments, c)
	return reply{status: http.StatusOK, body: c.resource(), video: v.ID}
}

// resource is c as commentThreads answers it.
func (c *Comment) resource() *youtube.CommentThread {
	return &youtube.CommentThread{Kind: "youtube#commentThread", Id: c.ID, Snippet: &youtube.CommentThreadSnippet{
		VideoId: c.VideoID, CanReply: true, IsPublic: true,
		TopLevelComment: &youtube.Comment{Kind: "youtube#comment", Id: c.ID, Snippet: &youtube.CommentSnippet{
			VideoId: c.VideoID, TextOriginal: c.Text, TextDisplay: c.Text,
			AuthorChannelId: &youtube.CommentSnippetAuthorChannelId{Value: c.AuthorChannelID},
			PublishedAt:     c.PublishedAt.UTC().Format(time.RFC3339), UpdatedAt: c.PublishedAt.UTC().Format(time.RFC3339),
		}},
	}}
}

// listCommentThreads is commentThreads.list by videoId (CommentThreads:
// list): part is required, one filter (videoId here), maxResults 1-100
// (default 20), pages by pageToken; order time is newest first.
func (s *Server) listCommentThreads(r *http.Request, _ *account) reply {
	q := r.URL.Query()
	if q.Get("part") == "" {
		return apiError(http.StatusBadRequest, "required", "Required parameter: part")
	}
	if q.Get("videoId") == "" {
		return apiError(http.StatusBadRequest, "missingRequiredParameter", "No filter selected. Expected one of: videoId, allThreadsRelatedToChannelId, id")
	}
	size := 20
	if m := q.Get("maxResults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 100 {
			return apiError(http.StatusBadRequest, "invalidParameter", "maxResults must be 1 to 100")
		}
		size = n
	}
	start, _ := strconv.Atoi(q.Get("pageToken"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.videos[q.Get("videoId")]; !ok {
		return apiError(http.StatusNotFound, "videoNotFound", "The video identified by the videoId parameter could not be found.")
	}
	var all []*Comment
	for _, c := range s.comments {
		if c.VideoID == q.Get("videoId") {
			all = append(all, c)
		}
	}
	slices.Reverse(all) // newest first
	resp := &youtube.CommentThreadListResponse{Kind: "youtube#commentThreadListResponse", Items: []*youtube.CommentThread{}}
	for i := start; i < len(all) && i < start+size; i++ {
		resp.Items = append(resp.Items, all[i].resource())
	}
	if start+size < len(all) {
		resp.NextPageToken = strconv.Itoa(start + size)
	}
	resp.PageInfo = &youtube.PageInfo{TotalResults: int64(len(resp.Items)), ResultsPerPage: int64(size)}
	return reply{status: http.StatusOK, body: resp}
}

// deleteVideo is videos.delete (Videos: delete): id is required; the
// token needs youtube, youtube.force-ssl or youtubepartner
// ("Authorization"); 204 on success; 404 videoNotFound, 403 forbidden
// for a video the channel does not own ("Errors"). The video's comments
// go with it.
func (s *Server) deleteVideo(r *http.Request, acct *account) reply {
	id := r.URL.Query().Get("id")
	if id == "" {
		return apiError(http.StatusBadRequest, "required", "Required parameter: id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	if !ok {
		return apiError(http.StatusNotFound, "videoNotFound", "The video that you are trying to delete cannot be found.")
	}
	if v.Account != acct.id {
		return apiError(http.StatusForbidden, "forbidden", "The video that you are trying to delete cannot be deleted. The request might not be properly authorized.")
	}
	delete(s.videos, id)
	s.vorder = slices.DeleteFunc(s.vorder, func(v string) bool { return v == id })
	s.comments = slices.DeleteFunc(s.comments, func(c *Comment) bool { return c.VideoID == id })
	s.deleted++
	return reply{status: http.StatusNoContent, video: id}
}

// Deleted counts the videos deleted through videos.delete.
func (s *Server) Deleted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleted
}
