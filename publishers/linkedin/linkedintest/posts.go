package linkedintest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	authorURN = regexp.MustCompile(`^urn:li:(person:[A-Za-z0-9_-]{1,64}|organization:[0-9]{1,20})$`)
	postURN   = regexp.MustCompile(`^urn:li:(share|ugcPost):[0-9]{1,30}$`)
	visible   = map[string]bool{"PUBLIC": true, "CONNECTIONS": true, "LOGGED_IN": true}
)

type mediaRef struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

type postRequest struct {
	Author       string `json:"author"`
	Commentary   string `json:"commentary"`
	Visibility   string `json:"visibility"`
	Distribution *struct {
		FeedDistribution string `json:"feedDistribution"`
	} `json:"distribution"`
	Content *struct {
		Media      *mediaRef `json:"media"`
		MultiImage *struct {
			Images []mediaRef `json:"images"`
		} `json:"multiImage"`
		Article *struct {
			Source      string `json:"source"`
			Title       string `json:"title"`
			Description string `json:"description"`
			Thumbnail   string `json:"thumbnail"`
		} `json:"article"`
	} `json:"content"`
	LifecycleState            string `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool   `json:"isReshareDisabledByAuthor"`
}

func (s *Server) createPost(r *http.Request, body []byte) reply {
	var req postRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest("body is not a post: %v", err)
	}
	if !authorURN.MatchString(req.Author) {
		return fail(http.StatusUnprocessableEntity, 0, "", "/author: not a person or organization URN")
	}
	if rep, ok := s.needScope(r, authorScope(req.Author, "w_%s_social"), "partnerApiPostsExternal.CREATE"); !ok {
		return rep
	}
	if rep, ok := s.needRole(r, req.Author, "partnerApiPostsExternal.CREATE"); !ok {
		return rep
	}
	if !visible[req.Visibility] {
		return fail(http.StatusUnprocessableEntity, 0, "", "/visibility: required, PUBLIC, CONNECTIONS or LOGGED_IN")
	}
	if req.Distribution == nil || req.Distribution.FeedDistribution != "MAIN_FEED" {
		return fail(http.StatusUnprocessableEntity, 0, "", "/distribution/feedDistribution: required")
	}
	if req.LifecycleState != "PUBLISHED" {
		return fail(http.StatusUnprocessableEntity, 0, "", "/lifecycleState: must be PUBLISHED")
	}
	text, err := ParseLittle(req.Commentary)
	if err != nil {
		return fail(http.StatusUnprocessableEntity, 0, "", "/commentary: not valid little text: "+err.Error())
	}
	p := &Post{Author: req.Author, Commentary: req.Commentary, Text: text, Kind: "text", Visibility: req.Visibility, NoReshare: req.IsReshareDisabledByAuthor}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := req.Content; c != nil {
		switch {
		case c.Media != nil && c.MultiImage == nil && c.Article == nil:
			if img, ok := s.images[c.Media.ID]; ok {
				if img.Status != "AVAILABLE" || img.Owner != req.Author {
					return fail(http.StatusUnprocessableEntity, 0, "", "/content/media/id: image not AVAILABLE or not the author's")
				}
				p.Kind = "image"
			} else if strings.HasPrefix(c.Media.ID, "urn:li:document:") {
				if rep, ok := s.postDocument(c.Media.ID, c.Media.Title, req.Author); !ok {
					return rep
				}
				p.Kind = "document"
			} else if v, ok := s.videos[c.Media.ID]; ok {
				if v.Status != "AVAILABLE" || v.Owner != req.Author {
					return fail(http.StatusUnprocessableEntity, 0, "", "/content/media/id: video not AVAILABLE or not the author's")
				}
				p.Kind = "video"
			} else {
				return fail(http.StatusUnprocessableEntity, 0, "", "/content/media/id: no such media")
			}
			p.MediaIDs = []string{c.Media.ID}
			p.Title = c.Media.Title
		case c.MultiImage != nil && c.Media == nil && c.Article == nil:
			if n := len(c.MultiImage.Images); n < 2 || n > 20 {
				return fail(http.StatusUnprocessableEntity, 0, "", "/content/multiImage/images: 2 to 20 images")
			}
			for _, m := range c.MultiImage.Images {
				img, ok := s.images[m.ID]
				if !ok || img.Status != "AVAILABLE" || img.Owner != req.Author {
					return fail(http.StatusUnprocessableEntity, 0, "", "/content/multiImage/images: image not AVAILABLE or not the author's")
				}
				p.MediaIDs = append(p.MediaIDs, m.ID)
			}
			p.Kind = "multi-image"
		case c.Article != nil && c.Media == nil && c.MultiImage == nil:
			if !strings.HasPrefix(c.Article.Source, "http://") && !strings.HasPrefix(c.Article.Source, "https://") {
				return fail(http.StatusUnprocessableEntity, 0, "", "/content/article/source: not a URL")
			}
			// Posts API, "Article": source and title are required;
			// LinkedIn does not scrape the page for them. A thumbnail
			// is an image URN uploaded through the Images API.
			if strings.TrimSpace(c.Article.Title) == "" {
				return fail(http.StatusUnprocessableEntity, 0, "", "/content/article/title: required")
			}
			if c.Article.Thumbnail != "" {
				img, ok := s.images[c.Article.Thumbnail]
				if !ok || img.Status != "AVAILABLE" || img.Owner != req.Author {
					return fail(http.StatusUnprocessableEntity, 0, "", "/content/article/thumbnail: image not AVAILABLE or not the author's")
				}
				p.MediaIDs = []string{c.Article.Thumbnail}
			}
			p.Kind, p.Article, p.Title = "article", c.Article.Source, c.Article.Title
		default:
			return fail(http.StatusUnprocessableEntity, 0, "", "/content: exactly one of media, multiImage, article")
		}
	} else if strings.TrimSpace(text) == "" {
		return fail(http.StatusUnprocessableEntity, 0, "", "/commentary: a post without content needs commentary")
	}
	for _, old := range s.posts {
		if !old.Deleted && old.Author == p.Author && old.Commentary == p.Commentary && slices.Equal(old.MediaIDs, p.MediaIDs) && old.Article == p.Article {
			return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
				"errorDetailType": "com.linkedin.common.error.BadRequest",
				"message":         "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of " + old.URN,
				"errorDetails":    map[string]any{"inputErrors": []any{map[string]any{"description": "Duplicate post is detected", "input": map[string]any{}, "code": "DUPLICATE_POST"}}},
				"status":          422,
			}}
		}
	}
	kind := "share"
	if p.Kind == "video" {
		kind = "ugcPost"
	}
	p.URN = "urn:li:" + kind + ":" + strconv.FormatInt(s.id(), 10)
	p.CreatedAt = s.now()
	var listed map[string]any
	_ = json.Unmarshal(body, &listed)
	listed["id"] = p.URN
	listed["createdAt"] = p.CreatedAt.UnixMilli()
	listed["publishedAt"] = p.CreatedAt.UnixMilli()
	listed["lastModifiedAt"] = p.CreatedAt.UnixMilli()
	p.JSON = listed
	s.posts = append(s.posts, p)
	return reply{status: http.StatusCreated, header: http.Header{"X-Restli-Id": {p.URN}, "X-Linkedin-Id": {p.URN}}}
}

// listPosts is the posts finder by author, newest first.
func (s *Server) listPosts(r *http.Request, _ []byte) reply {
	q := r.URL.Query()
	if q.Get("q") != "author" {
		return badRequest("unsupported finder %q", q.Get("q"))
	}
	if r.Header.Get("X-RestLi-Method") != "FINDER" {
		return badRequest("X-RestLi-Method: FINDER is required")
	}
	author := q.Get("author")
	if !authorURN.MatchString(author) {
		return badRequest("author: not a URN")
	}
	if rep, ok := s.needScope(r, authorScope(author, "r_%s_social"), "partnerApiPostsExternal.FINDER-author"); !ok {
		return rep
	}
	if sb := q.Get("sortBy"); sb != "" && sb != "CREATED" && sb != "LAST_MODIFIED" {
		return badRequest("sortBy: CREATED or LAST_MODIFIED")
	}
	count, start := 10, 0
	if v, err := strconv.Atoi(q.Get("count")); err == nil && v > 0 {
		count = min(v, 100)
	}
	if v, err := strconv.Atoi(q.Get("start")); err == nil && v >= 0 {
		start = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var mine []map[string]any
	for i := len(s.posts) - 1; i >= 0; i-- {
		p := s.posts[i]
		if p.Author == author && !p.Deleted && now.Sub(p.CreatedAt) >= s.listLag {
			mine = append(mine, p.JSON)
		}
	}
	page := []map[string]any{}
	if start < len(mine) {
		page = mine[start:min(start+count, len(mine))]
	}
	return answer(http.StatusOK, map[string]any{
		"elements": page,
		"paging":   map[string]any{"start": start, "count": count, "total": len(mine), "links": []any{}},
	})
}
