package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Checkpoints a Publish call saves, each before the step that needs it.
const (
	// CheckpointPost holds the created post's URN (x-restli-id).
	CheckpointPost = "li_post"
	// CheckpointCreating holds when (Unix milliseconds) the post was
	// first sent to POST /rest/posts: from then on a post may exist
	// whose answer was lost, and every attempt looks for it first.
	CheckpointCreating = "li_creating"
	// CheckpointLookups counts lookups that did not find the post.
	CheckpointLookups = "li_lookups"
	// CheckpointImagePrefix, followed by the image's position from 1,
	// holds the URN of an uploaded image.
	CheckpointImagePrefix = "li_image_"
	// CheckpointImageReadyPrefix, followed by the image's position from
	// 1, holds the URN of the image once LinkedIn made it AVAILABLE.
	CheckpointImageReadyPrefix = "li_ready_image_"
	// CheckpointVideo holds the video upload (JSON: video URN, upload
	// token, part URLs and ranges). Its URLs are capabilities: the
	// worker seals checkpoints at rest.
	CheckpointVideo = "li_video"
	// CheckpointVideoPartPrefix, followed by the part's number from 1,
	// holds the ETag of an uploaded video part.
	CheckpointVideoPartPrefix = "li_video_part_"
	// CheckpointVideoFinalized is "1" once finalizeUpload succeeded,
	// "AVAILABLE" once LinkedIn processed the video.
	CheckpointVideoFinalized = "li_video_finalized"
	// CheckpointThrottled holds the UTC day and count of 429s without
	// Retry-After this post met ("2030-01-02 1").
	CheckpointThrottled = "li_throttled"
)

// ErrOutcomeUnknown is in the chain of an error whose post may or may
// not have been published, and that no retry can settle: the answer to
// creating it was lost and LinkedIn lets the account look it up only with
// a permission it lacks (r_member_social for a member). Its class is
// Transient, never Permanent (the post may well be out); a caller that
// keeps an "unknown" outcome tests for it with errors.Is, and a retry
// looks again (the permission may have been granted) but never posts.
// It is publishers.ErrOutcomeUnknown, which the worker records as the
// post's "unknown" state.
var ErrOutcomeUnknown = publishers.ErrOutcomeUnknown

// maxLookups is how many lookups miss before the post is sent again: a
// post can take a moment to be listed.
const maxLookups = 2

// lookAgain is how long a job waits before the next lookup.
const lookAgain = 30 * time.Second

// lookupSlack widens the lookup window for clocks that differ.
const lookupSlack = 2 * time.Minute

var postURN = regexp.MustCompile(`^urn:li:(share|ugcPost):[0-9]{1,30}$`)

// publication is one Publish call's state.
type publication struct {
	*Publisher
	s        *session
	req      publishers.Request
	cp       publishers.Checkpoints
	author   author
	plan     plan
	deadline time.Time // of waiting in-process for a video
}

// Publish publishes req.Content as a text, article, image, multi-image or
// video post of req.PlatformUserID (a person or organization URN),
// resuming from req.Checkpoints (which must not be nil). See the package
// documentation for the flow and what makes it exactly once.
func (p *Publisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	s, err := newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Result{}, err
	}
	if req.Checkpoints == nil {
		// Without them a retry would post a second time.
		return publishers.Result{}, publishers.Permanent(errors.New("linkedin: request has no checkpoints"))
	}
	a, err := authorOf(req)
	if err != nil {
		return publishers.Result{}, err
	}
	pl, err := planOf(req.Content, a)
	if err != nil {
		return publishers.Result{}, err
	}
	pub := &publication{Publisher: p, s: s, req: req, cp: req.Checkpoints, author: a, plan: pl, deadline: p.now().Add(p.maxWait)}
	res, err := pub.run(ctx)
	if err != nil {
		return publishers.Result{}, pub.throttled(ctx, err)
	}
	return res, nil
}

func (pub *publication) run(ctx context.Context) (publishers.Result, error) {
	if pub.req.ResolveOnly {
		return pub.resolve(ctx)
	}
	if urn := pub.cp.Get(CheckpointPost); urn != "" {
		return result(urn), nil
	}
	content, err := pub.content(ctx)
	if err != nil {
		return publishers.Result{}, err
	}
	body := pub.body(content)
	if since := pub.cp.Get(CheckpointCreating); since != "" {
		res, found, err := pub.lookup(ctx, since, body)
		if err != nil || found {
			return res, err
		}
	}
	return pub.create(ctx, body)
}

// content uploads the post's media (resuming what earlier attempts
// uploaded) and returns the post's content, nil for a text post.
func (pub *publication) content(ctx context.Context) (*postContent, error) {
	switch pub.plan.kind {
	case kindArticle:
		a := *pub.plan.article
		if len(pub.plan.media) == 1 {
			urn, err := pub.image(ctx, 0, pub.plan.media[0])
			if err != nil {
				return nil, err
			}
			if err := pub.awaitImage(ctx, 0, urn); err != nil {
				return nil, err
			}
			a.Thumbnail = urn
		}
		return &postContent{Article: &a}, nil
	case kindImage, kindMultiImage:
		ids := make([]mediaRef, len(pub.plan.media))
		for i, m := range pub.plan.media {
			urn, err := pub.image(ctx, i, m)
			if err != nil {
				return nil, err
			}
			ids[i] = mediaRef{ID: urn}
		}
		// All uploaded first, so that LinkedIn processes them while the
		// first is waited for.
		for i, ref := range ids {
			if err := pub.awaitImage(ctx, i, ref.ID); err != nil {
				return nil, err
			}
		}
		if pub.plan.kind == kindImage {
			ids[0].Title = pub.plan.title
			return &postContent{Media: &ids[0]}, nil
		}
		return &postContent{MultiImage: &multiImage{Images: ids}}, nil
	case kindDocument:
		urn, err := pub.document(ctx, pub.plan.media[0])
		if err != nil {
			return nil, err
		}
		return &postContent{Media: &mediaRef{ID: urn, Title: pub.plan.title}}, nil
	case kindVideo:
		urn, err := pub.video(ctx, pub.plan.media[0])
		if err != nil {
			return nil, err
		}
		return &postContent{Media: &mediaRef{ID: urn, Title: pub.plan.title}}, nil
	}
	return nil, nil
}

// postBody is a post as POST /rest/posts takes it and GET lists it.
type postBody struct {
	ID                        string       `json:"id,omitempty"`
	Author                    string       `json:"author"`
	Commentary                string       `json:"commentary"`
	Visibility                string       `json:"visibility"`
	Distribution              distribution `json:"distribution"`
	Content                   *postContent `json:"content,omitempty"`
	LifecycleState            string       `json:"lifecycleState"`
	IsReshareDisabledByAuthor bool         `json:"isReshareDisabledByAuthor"`
	CreatedAt                 int64        `json:"createdAt,omitempty"`
}

type distribution struct {
	FeedDistribution               string `json:"feedDistribution"`
	TargetEntities                 []any  `json:"targetEntities"`
	ThirdPartyDistributionChannels []any  `json:"thirdPartyDistributionChannels"`
}

type postContent struct {
	Media      *mediaRef   `json:"media,omitempty"`
	MultiImage *multiImage `json:"multiImage,omitempty"`
	Article    *article    `json:"article,omitempty"`
}

type mediaRef struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

type multiImage struct {
	Images []mediaRef `json:"images"`
}

func (pub *publication) body(c *postContent) postBody {
	return postBody{
		Author:     pub.author.urn,
		Commentary: pub.plan.commentary,
		Visibility: pub.plan.visibility,
		Distribution: distribution{
			FeedDistribution: "MAIN_FEED", TargetEntities: []any{}, ThirdPartyDistributionChannels: []any{},
		},
		Content:                   c,
		LifecycleState:            "PUBLISHED",
		IsReshareDisabledByAuthor: pub.plan.noReshare,
	}
}

// create sends the post. From the moment it is sent the outcome can be
// unknown (a timeout, a lost answer), so CheckpointCreating is saved
// first and every later attempt looks before it sends again.
func (pub *publication) create(ctx context.Context, body postBody) (publishers.Result, error) {
	earlier := pub.cp.Get(CheckpointCreating) != ""
	if !earlier {
		if err := pub.save(ctx, CheckpointCreating, strconv.FormatInt(pub.now().UnixMilli(), 10)); err != nil {
			return publishers.Result{}, err
		}
	} else if err := pub.save(ctx, CheckpointLookups, ""); err != nil {
		return publishers.Result{}, err
	}
	h, err := pub.do(ctx, pub.s, call{step: "create " + pub.plan.kind.String() + " post", method: http.MethodPost, path: "/rest/posts", body: body, scope: pub.author.writeScope()})
	if e := apiError(err); e != nil && e.Code == codeDuplicate && e.Duplicate != "" && earlier {
		// LinkedIn refused the post as a copy of one it has: ours,
		// from the attempt whose answer was lost.
		return pub.done(ctx, e.Duplicate)
	}
	if e := apiError(err); e != nil && e.Status < 500 && !earlier {
		// LinkedIn answered and refused: no post was made, so the next
		// attempt need not look for one.
		if cerr := pub.save(ctx, CheckpointCreating, ""); cerr != nil {
			return publishers.Result{}, cerr
		}
	}
	if err != nil {
		return publishers.Result{}, err
	}
	urn := h.Get("X-RestLi-Id")
	if !postURN.MatchString(urn) {
		// Created, most likely, but unnamed: the next attempt's lookup
		// finds it.
		return publishers.Result{}, publishers.Transient(fmt.Errorf("linkedin: create %s post: answer has no post URN in x-restli-id", pub.plan.kind))
	}
	return pub.done(ctx, urn)
}

func (pub *publication) done(ctx context.Context, urn string) (publishers.Result, error) {
	if err := pub.save(ctx, CheckpointPost, urn); err != nil {
		return publishers.Result{}, err
	}
	return result(urn), nil
}

// lookup looks for the post an earlier attempt may have created, among
// the author's posts created since then, by its marker: the same
// commentary and the same content (media URNs, which are this post's
// own, or article URL). It reports found, or (not found) lets the caller
// send the post again once maxLookups lookups have missed.
func (pub *publication) lookup(ctx context.Context, sinceMS string, want postBody) (publishers.Result, bool, error) {
	ms, err := strconv.ParseInt(sinceMS, 10, 64)
	if err != nil {
		ms = 0
	}
	since := time.UnixMilli(ms).Add(-lookupSlack)
	const pageSize = 50
	for start := 0; start < 3*pageSize; start += pageSize {
		q := "q=author&author=" + escapeURN(pub.author.urn) + "&count=" + strconv.Itoa(pageSize) + "&start=" + strconv.Itoa(start) + "&sortBy=CREATED"
		var raw json.RawMessage
		_, err := pub.do(ctx, pub.s, call{step: "look for the post of a lost create answer", method: http.MethodGet, path: "/rest/posts", query: q, finder: true, out: &raw, scope: pub.author.readScope()})
		if e := apiError(err); e != nil && e.Status == http.StatusForbidden {
			// Posting again could post twice; not posting could lose
			// the post; and it is not the post's fault. Herald promises
			// never twice: the outcome stays unknown (see doc.go, "Lost
			// answers").
			return publishers.Result{}, false, publishers.Transient(fmt.Errorf("linkedin: %w: the answer to creating this post was lost and the account cannot list its posts (LinkedIn refuses the lookup without %s, a permission it grants few apps), so whether it was published cannot be known; not posting again: check the feed: %w", ErrOutcomeUnknown, pub.author.readScope(), e))
		}
		if err != nil {
			return publishers.Result{}, false, err
		}
		posts, err := parsePostList(raw)
		if err != nil {
			return publishers.Result{}, false, publishers.Transient(fmt.Errorf("linkedin: look for the post: %w", err))
		}
		for _, p := range posts {
			if p.CreatedAt != 0 && time.UnixMilli(p.CreatedAt).Before(since) {
				continue
			}
			if matches(p, want) {
				res, err := pub.done(ctx, p.ID)
				return res, true, err
			}
		}
		if len(posts) < pageSize || (posts[len(posts)-1].CreatedAt != 0 && time.UnixMilli(posts[len(posts)-1].CreatedAt).Before(since)) {
			break
		}
	}
	misses, _ := strconv.Atoi(pub.cp.Get(CheckpointLookups))
	if misses+1 >= maxLookups {
		return publishers.Result{}, false, nil
	}
	if err := pub.save(ctx, CheckpointLookups, strconv.Itoa(misses+1)); err != nil {
		return publishers.Result{}, false, err
	}
	return publishers.Result{}, false, publishers.RateLimited(lookAgain, errors.New("linkedin: the answer to creating this post was lost and it is not listed (yet); looking again before posting again"))
}

// matches says whether listed is the post want describes.
func matches(listed, want postBody) bool {
	if listed.Author != want.Author || listed.LifecycleState == "DELETED" {
		return false
	}
	if listed.Commentary != want.Commentary && unescape(listed.Commentary) != unescape(want.Commentary) {
		return false
	}
	return sameContent(listed.Content, want.Content)
}

func sameContent(a, b *postContent) bool {
	switch {
	case a == nil || b == nil:
		return (a == nil || *a == postContent{}) && (b == nil || *b == postContent{})
	case b.Media != nil:
		return a.Media != nil && a.Media.ID == b.Media.ID
	case b.MultiImage != nil:
		if a.MultiImage == nil || len(a.MultiImage.Images) != len(b.MultiImage.Images) {
			return false
		}
		for i := range b.MultiImage.Images {
			if a.MultiImage.Images[i].ID != b.MultiImage.Images[i].ID {
				return false
			}
		}
		return true
	case b.Article != nil:
		return a.Article != nil && a.Article.Source == b.Article.Source
	}
	return a.Media == nil && a.MultiImage == nil && a.Article == nil
}

// unescape drops little text's escapes, for comparing commentaries that
// LinkedIn may give back escaped differently.
func unescape(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if !esc && r == '\\' {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

// parsePostList reads the answer of the posts finder.
func parsePostList(b []byte) ([]postBody, error) {
	var out struct {
		Elements []postBody `json:"elements"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, errors.New("posts answer is not JSON")
	}
	kept := out.Elements[:0]
	for _, p := range out.Elements {
		if postURN.MatchString(p.ID) {
			kept = append(kept, p)
		}
	}
	return kept, nil
}

// throttled turns a 429 without Retry-After into a wait until midnight
// UTC when the post met one already today: LinkedIn's limits are daily
// per member and per app, and a second 429 most likely means one of them
// is used up.
func (pub *publication) throttled(ctx context.Context, err error) error {
	e := apiError(err)
	if e == nil || e.Status != http.StatusTooManyRequests || e.hinted {
		return err
	}
	day := pub.now().UTC().Format(time.DateOnly)
	seen := 0
	if d, n, ok := strings.Cut(pub.cp.Get(CheckpointThrottled), " "); ok && d == day {
		seen, _ = strconv.Atoi(n)
	}
	_ = pub.save(ctx, CheckpointThrottled, day+" "+strconv.Itoa(seen+1))
	if seen == 0 {
		return err
	}
	return publishers.RateLimited(untilMidnightUTC(pub.now()), fmt.Errorf("linkedin: 429 again today, taken as the daily member or app limit (resets at midnight UTC): %w", e))
}

func (pub *publication) save(ctx context.Context, name, value string) error {
	if err := pub.cp.Save(ctx, name, value); err != nil {
		return publishers.Transient(fmt.Errorf("linkedin: save checkpoint %s: %w", name, err))
	}
	return nil
}

// result names a post: its URN and its feed URL.
func result(urn string) publishers.Result {
	return publishers.Result{RemoteID: urn, URL: "https://www.linkedin.com/feed/update/" + urn + "/"}
}
