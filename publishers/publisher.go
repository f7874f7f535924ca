package publishers

import (
	"context"
	"time"

	"golang.org/x/oauth2"
)

// Publisher is one platform, as the worker sees it.
type Publisher interface {
	// Publish makes req.Content a post of req.AccountID's. It returns the
	// platform's id and URL of the post, or a classified error. It must
	// be safe to call again after any failure or crash: progress saved in
	// req.Checkpoints is how a second call finds the first one's work.
	Publish(ctx context.Context, req Request) (Result, error)
	// Analytics reads the account's statistics and those of the given
	// posts.
	Analytics(ctx context.Context, req AnalyticsRequest) (Analytics, error)
}

// Content is what a post says, as the product app wrote it.
type Content struct {
	Title string  `json:"title,omitempty"`
	Text  string  `json:"text,omitempty"`
	Media []Media `json:"media,omitempty"`
	// Options are platform-specific settings (privacy, tags, ...), read
	// by the platform's publisher.
	Options map[string]string `json:"options,omitempty"`
	// FirstComment, if set, is posted as the author's first comment once
	// the post is published (where hashtags and links go), by the
	// platform's Commenter in a step of its own: Publish ignores it.
	FirstComment string `json:"first_comment,omitempty"`
}

// Media is one attachment, fetched by the publisher from URL.
type Media struct {
	URL  string `json:"url"`
	Kind string `json:"kind"` // image or video
}

// Media kinds.
const (
	MediaImage = "image"
	MediaVideo = "video"
)

// Request is one publish attempt.
type Request struct {
	PostID    string
	AccountID string
	// PlatformUserID is the account's id at the platform (the ig-user-id,
	// a LinkedIn person or organization URN, ...), as stored at connect.
	PlatformUserID string
	// Organizations are the organizations the account's user may publish
	// as, read when the account was connected through Herald
	// (Identity.Organizations); a post authored by one names it in its
	// options, and the publisher refuses one not listed here.
	Organizations []string
	// PublishAt is when the post was scheduled for, for platforms that can
	// schedule on their side.
	PublishAt time.Time
	Content   Content
	// Token is the account's access token, fresh. Never log it.
	Token *oauth2.Token
	// ForceRefresh, if set, gets a new token from the platform although
	// Token has not expired: for a platform that rejected Token (a 401)
	// before the publisher gives up with Reauth. At most once per attempt.
	ForceRefresh func(ctx context.Context) (*oauth2.Token, error)
	// Checkpoints holds what earlier attempts of this post saved.
	Checkpoints Checkpoints
	// Attempt counts attempts of this post, from 1.
	Attempt int
	// ResolveOnly says the post was canceled (or its deadline passed)
	// while an earlier attempt's outcome was unknown, or after it left a
	// checkpoint: the publisher must only find out, from its
	// checkpoints, whether the platform has the post, and return it if
	// so, never create or publish anything; when the platform has none it
	// returns an error wrapping ErrNotPublished. Only publishers that
	// implement Resolver get such a request. The worker sends none for a
	// post without checkpoints: every publisher saves one before any call
	// that can make the post, so without one nothing was sent.
	ResolveOnly bool
}

// Resolver is a Publisher that honours Request.ResolveOnly. The worker
// never sends a ResolveOnly request to a publisher that is not one (it
// would create the post): a canceled post of such a platform whose
// outcome is unknown ends failed, class outcome_unknown, for the app to
// check the platform.
type Resolver interface {
	Publisher
	// ResolvesOnly reports that Publish honours Request.ResolveOnly.
	ResolvesOnly() bool
}

// Result is a published post.
type Result struct {
	RemoteID string
	URL      string
	// Warning, when set, says the post is online but not quite as asked
	// (YouTube locked a video private because the API project is not
	// audited, ...), in words for the post's author. Never a secret.
	Warning string
	// State, when set, is a platform's word for a published post that
	// is not a public post yet (TikTok's "sent_to_inbox": a draft in
	// the creator's inbox).
	State string
	// RemoteIDPending says the post is published but the platform gives
	// its id later (TikTok, after moderation, which can take hours):
	// RemoteID and URL are empty, and calling Publish again with the
	// same checkpoints looks the id up.
	RemoteIDPending bool
}

// Checkpoints is a publisher's memory across attempts of one post: each
// step's outcome (an upload session, a container id) is saved before the
// next step starts.
type Checkpoints interface {
	// Get returns the saved value of name, or "".
	Get(name string) string
	// Save records value under name durably before returning.
	Save(ctx context.Context, name, value string) error
}

// AnalyticsRequest asks for an account's statistics.
type AnalyticsRequest struct {
	AccountID string
	// PlatformUserID is as in Request.
	PlatformUserID string
	Token          *oauth2.Token
	// ForceRefresh is as in Request.
	ForceRefresh func(ctx context.Context) (*oauth2.Token, error)
	// RemoteIDs are the platform ids of the posts to report on.
	RemoteIDs []string
	Since     time.Time
}

// Analytics is one reading of an account's statistics. Metrics use the
// common names below; Raw keeps the platform's own.
type Analytics struct {
	Account Metrics
	Posts   map[string]Metrics // by remote id
	// RawAccount and RawPosts keep the platform's own metric names and
	// values (e.g. YouTube's viewCount, LinkedIn's numLikes) beside the
	// common ones, for apps that show what the platform shows.
	RawAccount Metrics
	RawPosts   map[string]Metrics // by remote id
}

// Metrics maps a metric name to its value.
type Metrics map[string]int64

// Common metric names.
const (
	MetricViews       = "views"
	MetricLikes       = "likes"
	MetricComments    = "comments"
	MetricShares      = "shares"
	MetricFollowers   = "followers"
	MetricImpressions = "impressions"
	MetricReach       = "reach"
)
