package tiktok

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Checkpoints a Publish call saves, each before the step that needs it.
const (
	// CheckpointPublishID holds the publish_id init returned: once it is
	// saved, no attempt calls init again unless that publish can never
	// complete (see the package documentation).
	CheckpointPublishID = "tiktok_publish_id"
	// CheckpointUploadURL holds the FILE_UPLOAD upload_url: a
	// capability, never logged or put in an error.
	CheckpointUploadURL = "tiktok_upload_url"
	// CheckpointUploadAt holds when (Unix seconds) the upload URL was
	// issued; "0" once TikTok refused it.
	CheckpointUploadAt = "tiktok_upload_at"
	// CheckpointChunking holds the upload's cut, "size:chunk".
	CheckpointChunking = "tiktok_chunking"
	// CheckpointChunks holds how many chunks TikTok acknowledged.
	CheckpointChunks = "tiktok_chunks"
	// CheckpointPullSent is set just before a PULL_FROM_URL init: found
	// without a publish_id, it means the init's answer was lost.
	CheckpointPullSent = "tiktok_pull_sent"
	// CheckpointUsername holds the creator's username, for post URLs.
	CheckpointUsername = "tiktok_username"
	// CheckpointPost holds the published post's id ("-" when TikTok
	// gives none, as for SELF_ONLY posts; "inbox" for an upload that
	// reached the creator's inbox; "pending" while moderation withholds
	// the id of a published post).
	CheckpointPost = "tiktok_post_id"
	// CheckpointRestarts counts publishes abandoned because their upload
	// could not be finished.
	CheckpointRestarts = "tiktok_restarts"
)

// Publish statuses of /v2/post/publish/status/fetch/.
const (
	StatusProcessingUpload   = "PROCESSING_UPLOAD"
	StatusProcessingDownload = "PROCESSING_DOWNLOAD"
	StatusSendToUserInbox    = "SEND_TO_USER_INBOX"
	StatusPublishComplete    = "PUBLISH_COMPLETE"
	StatusFailed             = "FAILED"
)

// Values of CheckpointPost that are no post id.
const (
	postNone    = "-"       // published, and TikTok never gives an id (SELF_ONLY)
	postInbox   = "inbox"   // an inbox upload TikTok delivered
	postPending = "pending" // published; moderation withholds the id for now
)

// maxRestarts bounds how often a post's unfinishable upload is started
// over before the post fails.
const maxRestarts = 3

// errStartOver says the saved publish can never complete (its upload URL
// expired before the whole video arrived): make a new one.
var errStartOver = errors.New("tiktok: start the upload over")

// publication is one Publish call's state.
type publication struct {
	*Publisher
	s        *wire.Session
	req      publishers.Request
	pl       plan
	deadline time.Time // of waiting in-process
}

func (pub *publication) get(name string) string { return pub.req.Checkpoints.Get(name) }

func (pub *publication) save(ctx context.Context, name, value string) error {
	if err := pub.req.Checkpoints.Save(ctx, name, value); err != nil {
		return publishers.Transient(fmt.Errorf("tiktok: save checkpoint %s: %w", name, err))
	}
	return nil
}

// Publish publishes req.Content as a video or photo post of the account
// whose token req carries, resuming from req.Checkpoints (which must not
// be nil). See the package documentation for the flow.
func (p *Publisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	s, err := wire.NewSession("tiktok", req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Result{}, err
	}
	if req.Checkpoints == nil {
		// Without them a retry would init a second publish.
		return publishers.Result{}, publishers.Permanent(errors.New("tiktok: request has no checkpoints"))
	}
	pl, err := p.planOf(req.Content)
	if err != nil {
		return publishers.Result{}, err
	}
	pub := &publication{Publisher: p, s: s, req: req, pl: pl, deadline: p.now().Add(p.maxWait)}
	switch id := pub.get(CheckpointPost); id {
	case "":
	case postPending:
		return pub.lookup(ctx)
	default:
		return pub.result(id), nil
	}
	if req.ResolveOnly {
		return pub.resolve(ctx)
	}
	for {
		res, err := pub.run(ctx)
		if !errors.Is(err, errStartOver) {
			return res, err
		}
		if err := pub.startOver(ctx); err != nil {
			return publishers.Result{}, err
		}
	}
}

func (pub *publication) run(ctx context.Context) (publishers.Result, error) {
	id := pub.get(CheckpointPublishID)
	if id == "" {
		if pub.get(CheckpointPullSent) != "" {
			// Prefer a post that may be missing to one that may be
			// there twice.
			return publishers.Result{}, publishers.Permanent(errors.New("tiktok: an earlier attempt sent a PULL_FROM_URL init and lost its answer; TikTok may be publishing that post, so no second one is started"))
		}
		return pub.start(ctx)
	}
	up, uploading := pub.savedUpload()
	if uploading && up.done < up.c.count {
		// An earlier attempt stopped mid-upload: ask TikTok how far it
		// got before sending anything.
		st, err := pub.status(ctx, id)
		if err != nil {
			return publishers.Result{}, err
		}
		switch st.Status {
		case StatusPublishComplete, StatusFailed, StatusSendToUserInbox, StatusProcessingDownload:
			if st.Status == StatusFailed && st.UploadedBytes < up.c.size {
				// It failed because the video never arrived whole.
				return publishers.Result{}, errStartOver
			}
			return pub.finish(ctx, id, st)
		}
		// TikTok may have got chunks whose acknowledgement was lost: its
		// uploaded_bytes, when it falls on a chunk boundary past ours,
		// says where to go on.
		switch got := st.UploadedBytes; {
		case got == up.c.size:
			up.done = up.c.count
		case got > up.done*up.c.chunk && got%up.c.chunk == 0:
			up.done = min(got/up.c.chunk, up.c.count-1)
		}
		if up.done < up.c.count {
			if !pub.urlValid() {
				return publishers.Result{}, errStartOver
			}
			if err := pub.upload(ctx, id, up, nil, ""); err != nil {
				return publishers.Result{}, err
			}
		}
	}
	return pub.await(ctx, id)
}

// savedUpload is a FILE_UPLOAD's saved progress.
type savedUpload struct {
	url  string
	c    chunking
	done int64
}

func (pub *publication) savedUpload() (savedUpload, bool) {
	u := pub.get(CheckpointUploadURL)
	c, ok := parseChunking(pub.get(CheckpointChunking))
	if u == "" || !ok {
		return savedUpload{}, false
	}
	done, err := strconv.ParseInt(pub.get(CheckpointChunks), 10, 64)
	if err != nil || done < 0 {
		done = 0
	}
	return savedUpload{url: u, c: c, done: min(done, c.count)}, true
}

// urlValid says whether the saved upload URL can still take chunks: it
// was issued less than UploadURLLifetime ago, with a margin for the
// chunks to come.
func (pub *publication) urlValid() bool {
	at, err := strconv.ParseInt(pub.get(CheckpointUploadAt), 10, 64)
	if err != nil || at <= 0 {
		return false
	}
	return pub.now().Before(time.Unix(at, 0).Add(pub.urlLifetime - pub.urlLifetime/12))
}

// startOver forgets a publish that can never complete, so that the next
// run makes a new one.
func (pub *publication) startOver(ctx context.Context) error {
	n, _ := strconv.Atoi(pub.get(CheckpointRestarts))
	if n >= maxRestarts {
		return publishers.Permanent(fmt.Errorf("tiktok: the upload was started %d times and never finished", n+1))
	}
	for _, name := range []string{CheckpointPublishID, CheckpointUploadURL, CheckpointUploadAt, CheckpointChunking, CheckpointChunks, CheckpointPullSent} {
		if err := pub.save(ctx, name, ""); err != nil {
			return err
		}
	}
	return pub.save(ctx, CheckpointRestarts, strconv.Itoa(n+1))
}

// start makes a new publish: creator info, checks, init, upload, wait.
func (pub *publication) start(ctx context.Context) (publishers.Result, error) {
	if pub.pl.inbox {
		// The creator settles everything in the app: no creator_info
		// (a call of a 20/min budget) is needed.
		if pub.pl.kind == kindPhoto || pub.pl.pull {
			return pub.startPull(ctx)
		}
		return pub.startUpload(ctx)
	}
	ci, err := pub.creatorInfo(ctx, pub.s)
	if err != nil {
		return publishers.Result{}, err
	}
	if err := pub.pl.check(ci); err != nil {
		return publishers.Result{}, err
	}
	if usernamePattern.MatchString(ci.Username) {
		if err := pub.save(ctx, CheckpointUsername, ci.Username); err != nil {
			return publishers.Result{}, err
		}
	}
	if pub.pl.kind == kindPhoto || pub.pl.pull {
		return pub.startPull(ctx)
	}
	return pub.startUpload(ctx)
}

// initAnswer is the data of an init answer.
type initAnswer struct {
	PublishID string `json:"publish_id"`
	UploadURL string `json:"upload_url"`
}

var publishIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.~\-]{1,200}$`)

func (pub *publication) startPull(ctx context.Context) (publishers.Result, error) {
	path, body := pub.pl.videoInitPath(sourcePull, chunking{})
	if pub.pl.kind == kindPhoto {
		path, body = "/v2/post/publish/content/init/", pub.pl.photoInit()
	}
	if err := ctx.Err(); err != nil {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("tiktok: init: %w", err))
	}
	if err := pub.save(ctx, CheckpointPullSent, "1"); err != nil {
		return publishers.Result{}, err
	}
	var out initAnswer
	err := pub.call(ctx, pub.s, "init "+pub.pl.what(), http.MethodPost, path, body, &out)
	if err != nil {
		if initRefused(err) {
			// TikTok's own answer says it took nothing.
			if serr := pub.save(ctx, CheckpointPullSent, ""); serr != nil {
				return publishers.Result{}, serr
			}
		}
		return publishers.Result{}, err
	}
	if !publishIDPattern.MatchString(out.PublishID) {
		return publishers.Result{}, publishers.Permanent(errors.New("tiktok: init answer has no publish_id; TikTok may be publishing the post, so no second one is started"))
	}
	if err := pub.save(ctx, CheckpointPublishID, out.PublishID); err != nil {
		return publishers.Result{}, err
	}
	return pub.await(ctx, out.PublishID)
}

func (pub *publication) startUpload(ctx context.Context) (publishers.Result, error) {
	src, err := pub.openSource(ctx, pub.pl.videoURL, 0)
	if err != nil {
		return publishers.Result{}, err
	}
	defer src.Close()
	if src.Size < 0 {
		return publishers.Result{}, publishers.Permanent(errors.New("tiktok: the source video's server does not say its size (Content-Length), which TikTok needs before the upload; serve it with one or from a URL prefix verified for PULL_FROM_URL"))
	}
	contentType, err := videoContentType(src.ContentType)
	if err != nil {
		return publishers.Result{}, err
	}
	c, err := chunkPlan(src.Size, pub.chunkSize)
	if err != nil {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: %w", err))
	}
	var out initAnswer
	path, body := pub.pl.videoInitPath(sourceFile, c)
	if err := pub.call(ctx, pub.s, "init video upload", http.MethodPost, path, body, &out); err != nil {
		// A lost answer leaves a publish without bytes: it can never
		// post, so the next attempt simply inits again.
		return publishers.Result{}, err
	}
	if !publishIDPattern.MatchString(out.PublishID) || checkURL(out.UploadURL) != nil {
		return publishers.Result{}, publishers.Transient(errors.New("tiktok: init video upload: answer has no publish_id or upload_url"))
	}
	pub.s.HideURL(out.UploadURL, "upload_token")
	// The upload first, the publish_id last: a publish_id without its
	// upload state would look like a finished upload.
	for _, kv := range [][2]string{
		{CheckpointUploadURL, out.UploadURL},
		{CheckpointUploadAt, strconv.FormatInt(pub.now().Unix(), 10)},
		{CheckpointChunking, c.String()},
		{CheckpointChunks, "0"},
		{CheckpointPublishID, out.PublishID},
	} {
		if err := pub.save(ctx, kv[0], kv[1]); err != nil {
			return publishers.Result{}, err
		}
	}
	if err := pub.upload(ctx, out.PublishID, savedUpload{url: out.UploadURL, c: c}, src, contentType); err != nil {
		return publishers.Result{}, err
	}
	return pub.await(ctx, out.PublishID)
}

// upload sends the chunks of up from up.done on, reading the source from
// src (positioned at chunk up.done, its chunks sent as contentType) or,
// when nil, opening it there. Each
// acknowledged chunk is saved before the next is sent.
func (pub *publication) upload(ctx context.Context, id string, up savedUpload, src io.Reader, contentType string) error {
	pub.s.HideURL(up.url, "upload_token")
	if src == nil {
		first, _ := up.c.bounds(up.done)
		f, err := pub.openSource(ctx, pub.pl.videoURL, first)
		if err != nil {
			return err
		}
		defer f.Close()
		if f.Size >= 0 && f.Size != up.c.size {
			return publishers.Permanent(fmt.Errorf("tiktok: the source video is now %d bytes, not the %d announced to TikTok", f.Size, up.c.size))
		}
		if contentType, err = videoContentType(f.ContentType); err != nil {
			return err
		}
		src = f
	}
	retry := pub.newChunkRetry()
	var reopened io.Closer
	defer func() {
		if reopened != nil {
			reopened.Close()
		}
	}()
	for i := up.done; i < up.c.count; i++ {
		err := pub.putChunk(ctx, up.url, contentType, src, up.c, i, pub.s.Secrets())
		if err == nil {
			retry.Reset()
			if err := pub.save(ctx, CheckpointChunks, strconv.FormatInt(i+1, 10)); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, errUploadURLDead) {
			if serr := pub.save(ctx, CheckpointUploadAt, "0"); serr != nil {
				return serr
			}
		}
		next, rerr := pub.recoverChunk(ctx, id, up.c, i, retry, err)
		if rerr != nil {
			return fmt.Errorf("tiktok: publish %s: %w", id, rerr)
		}
		if err := pub.save(ctx, CheckpointChunks, strconv.FormatInt(next, 10)); err != nil {
			return err
		}
		if next >= up.c.count {
			return nil
		}
		// The stream stopped somewhere in chunk i: open the source again
		// where chunk next begins.
		first, _ := up.c.bounds(next)
		f, err := pub.openSource(ctx, pub.pl.videoURL, first)
		if err != nil {
			return err
		}
		if reopened != nil {
			reopened.Close()
		}
		reopened, src = f, f
		i = next - 1
	}
	return nil
}

// statusAnswer is the data of a status fetch.
type statusAnswer struct {
	Status          string
	FailReason      string
	PostIDs         []string
	UploadedBytes   int64
	DownloadedBytes int64
}

func (pub *publication) status(ctx context.Context, id string) (statusAnswer, error) {
	var raw rawStatus
	if err := pub.call(ctx, pub.s, "fetch status of "+id, http.MethodPost, "/v2/post/publish/status/fetch/", map[string]string{"publish_id": id}, &raw); err != nil {
		return statusAnswer{}, err
	}
	return raw.parse(), nil
}

// await polls the status of publish id until it is final, with backoff,
// until the call's deadline; past it the job is handed back.
func (pub *publication) await(ctx context.Context, id string) (publishers.Result, error) {
	delay := pub.pollInterval
	misses := 0
	for {
		st, err := pub.status(ctx, id)
		switch {
		case err != nil && publishers.ClassOf(err) == publishers.ClassTransient && misses < 2 && ctx.Err() == nil:
			// Reading a status is safe to repeat.
			misses++
		case err != nil:
			return publishers.Result{}, err
		case st.Status == StatusProcessingUpload || st.Status == StatusProcessingDownload:
			misses = 0
		default:
			return pub.finish(ctx, id, st)
		}
		if pub.now().Add(delay).After(pub.deadline) {
			return publishers.Result{}, publishers.RateLimited(pub.handBack, fmt.Errorf("tiktok: publish %s still processing after %s; handing the job back", id, pub.maxWait))
		}
		if err := pub.sleep(ctx, delay); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("tiktok: wait for publish %s: %w", id, err))
		}
		delay = min(delay*2, pub.maxPollDelay)
	}
}

// finish turns a final status into the call's outcome.
func (pub *publication) finish(ctx context.Context, id string, st statusAnswer) (publishers.Result, error) {
	switch st.Status {
	case StatusPublishComplete:
		post := postNone
		switch {
		case len(st.PostIDs) > 0:
			post = st.PostIDs[0]
		case pub.pl.privacy != PrivacySelfOnly:
			// A public post's id comes once moderation is done.
			post = postPending
		}
		if err := pub.save(ctx, CheckpointPost, post); err != nil {
			return publishers.Result{}, err
		}
		return pub.result(post), nil
	case StatusFailed:
		why := cmp.Or(wire.Quote(st.FailReason, maxMessage, pub.s.Secrets()...), "no fail_reason given")
		return publishers.Result{}, pub.failed(ctx, id, st.FailReason, why)
	case StatusSendToUserInbox:
		if pub.pl.inbox {
			if err := pub.save(ctx, CheckpointPost, postInbox); err != nil {
				return publishers.Result{}, err
			}
			return pub.result(postInbox), nil
		}
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: publish %s went to the creator's inbox instead of the profile: the creator must finish it in the TikTok app", id))
	case StatusProcessingUpload, StatusProcessingDownload:
		return pub.await(ctx, id)
	default:
		return publishers.Result{}, publishers.Transient(fmt.Errorf("tiktok: publish %s: unknown status %q", id, wire.Quote(st.Status, 40, pub.s.Secrets()...)))
	}
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._]{1,64}$`)

// result is the Result of post ("-": published without a public id).
func (pub *publication) result(post string) publishers.Result {
	switch post {
	case postNone:
		return publishers.Result{}
	case postInbox:
		return publishers.Result{State: StateSentToInbox}
	case postPending:
		return publishers.Result{RemoteIDPending: true}
	}
	res := publishers.Result{RemoteID: post}
	if u := pub.get(CheckpointUsername); usernamePattern.MatchString(u) {
		res.URL = "https://www.tiktok.com/@" + u + "/video/" + post
	}
	return res
}

// lookup asks for the id of a post published while moderation withheld
// it: one status fetch (30 a minute per user: the caller paces the
// lookups). The post stays published whatever the answer, unless
// moderation took it down: then the publish is FAILED, for good, with
// TikTok's reason (never started over: it was online once).
func (pub *publication) lookup(ctx context.Context) (publishers.Result, error) {
	id := pub.get(CheckpointPublishID)
	st, err := pub.status(ctx, id)
	if err != nil {
		return publishers.Result{}, err
	}
	switch {
	case st.Status == StatusPublishComplete && len(st.PostIDs) > 0:
		if err := pub.save(ctx, CheckpointPost, st.PostIDs[0]); err != nil {
			return publishers.Result{}, err
		}
		return pub.result(st.PostIDs[0]), nil
	case st.Status == StatusFailed:
		why := cmp.Or(wire.Quote(st.FailReason, maxMessage, pub.s.Secrets()...), "no fail_reason given")
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("tiktok: publish %s was taken down after it was published: %s", id, why))
	}
	return pub.result(postPending), nil
}
