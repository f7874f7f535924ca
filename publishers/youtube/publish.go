package youtube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
)

// Post options, in publishers.Content.Options.
const (
	OptionPrivacy           = "privacy"            // public (default), unlisted or private
	OptionTags              = "tags"               // comma-separated
	OptionCategoryID        = "category_id"        // YouTube's numeric category id
	OptionMadeForKids       = "made_for_kids"      // true or false (default)
	OptionNotifySubscribers = "notify_subscribers" // true (default) or false
	OptionPublishAt         = "publish_at"         // RFC 3339: upload private, YouTube publishes then
	OptionThumbnailURL      = "thumbnail_url"      // http(s) URL of a JPEG or PNG, at most 2 MB
	OptionPlaylistID        = "playlist_id"        // a playlist of the channel to add the video to
	// OptionSyntheticMedia is YouTube's altered-or-synthetic content
	// disclosure (status.containsSyntheticMedia): true when the video
	// shows realistic people, places or events that were made or changed
	// (by AI or otherwise). Unset says nothing.
	OptionSyntheticMedia = "contains_synthetic_media"
	// OptionDefaultLanguage is the language of the title and description
	// (snippet.defaultLanguage), a BCP-47 tag such as en or pt-BR.
	OptionDefaultLanguage = "default_language"
	// OptionDefaultAudioLanguage is the language spoken in the video
	// (snippet.defaultAudioLanguage), a BCP-47 tag.
	OptionDefaultAudioLanguage = "default_audio_language"
)

// MaxThumbnailBytes is YouTube's limit on custom thumbnails.
const MaxThumbnailBytes = 2 << 20

var knownOptions = []string{
	OptionPrivacy, OptionTags, OptionCategoryID, OptionMadeForKids,
	OptionNotifySubscribers, OptionPublishAt, OptionThumbnailURL, OptionPlaylistID,
	OptionSyntheticMedia, OptionDefaultLanguage, OptionDefaultAudioLanguage,
}

// postOptions are a post's options, checked.
type postOptions struct {
	notify    bool
	thumbnail string
	playlist  string
}

// metadata builds the Video body of the upload from the post. Anything
// wrong with the post is Permanent.
func (p *Publisher) metadata(c publishers.Content) (*youtube.Video, postOptions, error) {
	bad := func(format string, args ...any) (*youtube.Video, postOptions, error) {
		return nil, postOptions{}, publishers.Permanent(fmt.Errorf("youtube: "+format, args...))
	}
	videos := 0
	for _, m := range c.Media {
		if m.Kind != publishers.MediaVideo {
			return bad("media of kind %q: a YouTube post is one video", m.Kind)
		}
		videos++
	}
	if videos != 1 {
		return bad("%d videos: a YouTube post is exactly one video", videos)
	}
	for k := range c.Options {
		if !slices.Contains(knownOptions, k) {
			return bad("unknown option %q (known: %s)", k, strings.Join(knownOptions, ", "))
		}
	}
	opt := c.Options
	v := &youtube.Video{
		Snippet: &youtube.VideoSnippet{Title: c.Title, Description: c.Text},
		Status:  &youtube.VideoStatus{PrivacyStatus: "public", ForceSendFields: []string{"SelfDeclaredMadeForKids"}},
	}
	o := postOptions{notify: true, thumbnail: opt[OptionThumbnailURL], playlist: opt[OptionPlaylistID]}
	switch privacy := opt[OptionPrivacy]; privacy {
	case "":
	case "public", "unlisted", "private":
		v.Status.PrivacyStatus = privacy
	default:
		return bad("option %s %q is not public, unlisted or private", OptionPrivacy, privacy)
	}
	for _, t := range strings.Split(opt[OptionTags], ",") {
		if t = strings.TrimSpace(t); t != "" {
			v.Snippet.Tags = append(v.Snippet.Tags, t)
		}
	}
	v.Snippet.CategoryId = opt[OptionCategoryID]
	for _, l := range []struct {
		name string
		to   *string
	}{{OptionDefaultLanguage, &v.Snippet.DefaultLanguage}, {OptionDefaultAudioLanguage, &v.Snippet.DefaultAudioLanguage}} {
		if s := opt[l.name]; s != "" {
			if !language.MatchString(s) {
				return bad("option %s %q is not a language tag such as en or pt-BR", l.name, s)
			}
			*l.to = s
		}
	}
	if err := checkSnippet(v.Snippet); err != nil {
		return nil, postOptions{}, err
	}
	var err error
	if v.Status.SelfDeclaredMadeForKids, err = boolOption(opt, OptionMadeForKids, false); err != nil {
		return nil, postOptions{}, err
	}
	if opt[OptionSyntheticMedia] != "" {
		if v.Status.ContainsSyntheticMedia, err = boolOption(opt, OptionSyntheticMedia, false); err != nil {
			return nil, postOptions{}, err
		}
		// A declared false is a declaration too.
		v.Status.ForceSendFields = append(v.Status.ForceSendFields, "ContainsSyntheticMedia")
	}
	if o.notify, err = boolOption(opt, OptionNotifySubscribers, true); err != nil {
		return nil, postOptions{}, err
	}
	if at := opt[OptionPublishAt]; at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return bad("option %s %q is not an RFC 3339 time", OptionPublishAt, at)
		}
		if privacy := opt[OptionPrivacy]; privacy != "" && privacy != "private" {
			return bad("option %s needs privacy private (YouTube publishes a private video at that time), not %q", OptionPublishAt, privacy)
		}
		// A time already past cannot be scheduled: the post was meant
		// to be public by now, so it is.
		if t.After(p.now()) {
			v.Status.PrivacyStatus = "private"
			v.Status.PublishAt = t.UTC().Format(time.RFC3339)
		}
	}
	return v, o, nil
}

func boolOption(opt map[string]string, name string, def bool) (bool, error) {
	s, ok := opt[name]
	if !ok || s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, publishers.Permanent(fmt.Errorf("youtube: option %s %q is not true or false", name, s))
	}
	return b, nil
}

// Publish uploads the post's video, unless an earlier attempt did, then
// sets its thumbnail and adds it to a playlist when the options ask. Each
// step is checkpointed in req.Checkpoints (which must not be nil), so
// that a retry after any failure or crash resumes and makes one video.
func (p *Publisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if req.Checkpoints == nil {
		// Without them a retry would start a second upload.
		return publishers.Result{}, publishers.Permanent(errors.New("youtube: request has no checkpoints"))
	}
	meta, o, err := p.metadata(req.Content)
	if err != nil {
		return publishers.Result{}, err
	}
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Result{}, err
	}
	if req.ResolveOnly {
		return p.resolve(ctx, req, a)
	}
	cp := req.Checkpoints
	id := cp.Get(CheckpointVideo)
	if id == "" {
		st, err := p.upload(ctx, req, a, meta, o)
		if err != nil {
			return publishers.Result{}, err
		}
		id = st.video
		// The privacy first: a video id saved means both are.
		if err := cp.Save(ctx, CheckpointPrivacy, st.privacy); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("youtube: save privacy of %s: %w", id, err))
		}
		if err := cp.Save(ctx, CheckpointVideo, id); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("youtube: save video %s: %w", id, err))
		}
	}
	if o.thumbnail != "" && cp.Get(CheckpointThumbnail) == "" {
		if err := p.afterUpload(ctx, req, CheckpointThumbnail, "set thumbnail of "+id, func() (string, error) {
			return "set", p.setThumbnail(ctx, a, id, o.thumbnail)
		}); err != nil {
			return publishers.Result{}, err
		}
	}
	if o.playlist != "" && cp.Get(CheckpointPlaylist) == "" {
		if err := p.afterUpload(ctx, req, CheckpointPlaylist, "add "+id+" to playlist", func() (string, error) {
			return p.addToPlaylist(ctx, a, id, o.playlist)
		}); err != nil {
			return publishers.Result{}, err
		}
	}
	return publishers.Result{RemoteID: id, URL: WatchURL(id), Warning: privacyWarning(meta.Status.PrivacyStatus, cp.Get(CheckpointPrivacy))}, nil
}

// UnauditedWarning is the Result's warning when YouTube made a video
// private that was meant to be public or unlisted: what it does to every
// upload of an API project that has not passed Google's audit.
const UnauditedWarning = "YouTube locked the video private: the API project is not audited"

// privacyWarning compares the privacyStatus asked for with the one the
// video got. YouTube answers an unaudited project's upload with 200 and
// the video, private: only reading the status back tells.
func privacyWarning(asked, got string) string {
	switch {
	case got == "" || got == asked:
		return ""
	case got == "private":
		return UnauditedWarning
	}
	return fmt.Sprintf("YouTube made the video %s, not %s as asked", got, asked)
}

// afterUpload runs a step that follows the upload and saves its outcome.
// The video exists by then, so the post is published whatever the step
// does: failures that a retry soon can fix (transient, a short rate
// limit) are returned, and the others (a bad thumbnail, a missing
// playlist, the quota gone until tomorrow, a revoked token) are logged and
// the step is skipped rather than fail a post that is online.
func (p *Publisher) afterUpload(ctx context.Context, req publishers.Request, checkpoint, what string, do func() (string, error)) error {
	value, err := do()
	if err != nil {
		wait, limited := publishers.RetryAfter(err)
		class := publishers.ClassOf(err)
		if class == publishers.ClassTransient || limited && wait > 0 && wait <= time.Hour {
			return err
		}
		p.log.WarnContext(ctx, "youtube: step skipped; the video is published without it",
			"post_id", req.PostID, "account_id", req.AccountID, "step", what, "class", class.String(), "error", err.Error())
		value = "skipped"
	}
	if err := req.Checkpoints.Save(ctx, checkpoint, value); err != nil {
		return publishers.Transient(fmt.Errorf("youtube: save %s: %w", checkpoint, err))
	}
	return nil
}

// setThumbnail streams the image at src into thumbnails.set.
func (p *Publisher) setThumbnail(ctx context.Context, a *auth, id, src string) error {
	if err := p.quota.spendUnits(ctx, p.now(), costThumbnail, "set thumbnail"); err != nil {
		return err
	}
	return p.call(ctx, a, "set thumbnail of "+id, func(ctx context.Context, svc *youtube.Service) error {
		file, err := p.media.Open(ctx, src, publishers.MediaImage)
		if err != nil {
			return err
		}
		defer file.Close()
		if file.Size > MaxThumbnailBytes {
			return publishers.Permanent(fmt.Errorf("youtube: thumbnail is %d bytes, YouTube takes at most %d", file.Size, MaxThumbnailBytes))
		}
		body := &capped{r: file, left: MaxThumbnailBytes}
		// ChunkSize 0: one streaming request, nothing buffered.
		_, err = svc.Thumbnails.Set(id).Media(body, googleapi.ContentType(file.ContentType), googleapi.ChunkSize(0)).Context(ctx).Do()
		if body.over {
			return publishers.Permanent(fmt.Errorf("youtube: thumbnail is larger than %d bytes", MaxThumbnailBytes))
		}
		p.spentOnQuotaError(ctx, err)
		return err
	})
}

// capped fails a stream longer than left bytes.
type capped struct {
	r    io.Reader
	left int64
	over bool
}

func (c *capped) Read(b []byte) (int, error) {
	if c.left < 0 {
		c.over = true
		return 0, errors.New("too large")
	}
	if int64(len(b)) > c.left+1 {
		b = b[:c.left+1]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	if c.left < 0 {
		c.over = true
		return 0, errors.New("too large")
	}
	return n, err
}

// addToPlaylist inserts the video into a playlist and returns the item's
// id.
func (p *Publisher) addToPlaylist(ctx context.Context, a *auth, id, playlist string) (string, error) {
	if err := p.quota.spendUnits(ctx, p.now(), costPlaylistItem, "add to playlist"); err != nil {
		return "", err
	}
	var item string
	err := p.call(ctx, a, "add "+id+" to playlist "+playlist, func(ctx context.Context, svc *youtube.Service) error {
		res, err := svc.PlaylistItems.Insert([]string{"snippet"}, &youtube.PlaylistItem{
			Snippet: &youtube.PlaylistItemSnippet{
				PlaylistId: playlist,
				ResourceId: &youtube.ResourceId{Kind: "youtube#video", VideoId: id},
			},
		}).Context(ctx).Do()
		p.spentOnQuotaError(ctx, err)
		if err == nil {
			item = res.Id
		}
		return err
	})
	return item, err
}

// spentOnQuotaError records in the accounting a quotaExceeded answer to a
// units call, so that other jobs stop asking until the reset.
func (p *Publisher) spentOnQuotaError(ctx context.Context, err error) {
	var g *googleapi.Error
	if errors.As(err, &g) && len(g.Errors) > 0 && quotaReason(g.Errors[0].Reason) {
		p.quota.exhaust(ctx, p.now(), bucketUnits)
	}
}
