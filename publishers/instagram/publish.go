package instagram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Checkpoints a Publish call saves, each before the step that needs it.
const (
	// CheckpointContainer holds the id of the container that is
	// published: the post's only container, or a carousel's parent.
	CheckpointContainer = "ig_container"
	// CheckpointChildPrefix, followed by the item's position from 1,
	// holds the id of a carousel item's container.
	CheckpointChildPrefix = "ig_child_"
	// CheckpointSince holds when (Unix seconds) the current containers
	// were first asked for: published media older than that is not ours.
	CheckpointSince = "ig_since"
	// CheckpointMedia holds the id of the published media.
	CheckpointMedia = "ig_media"
	// CheckpointLookups counts attempts that found the container
	// PUBLISHED but not its media.
	CheckpointLookups = "ig_lookups"
	// CheckpointPublishTries counts media_publish calls of the current
	// container answered 24/2207008 (temporary publishing error).
	CheckpointPublishTries = "ig_publish_tries"
)

// Meta's advice for 24/2207008: "try again 1-2 times in the next 30
// seconds to 2 minutes; if unsuccessful, generate a new container".
const (
	temporaryPublishRetries = 2
	temporaryPublishWait    = time.Minute
)

// paceAt is the share (percent) of an API rate limit in use at which
// Publish stops starting new posts and stops polling.
const paceAt = 95

// slowAt is the share (percent) of an API rate limit in use above which
// status polls are spaced twice as far apart: Meta's rate limiting guide
// asks apps to slow down as X-Business-Use-Case-Usage (and X-App-Usage)
// approach 100, before calls are refused.
const slowAt = 80

// maxLookups is how many attempts look for the media of a published
// container before Publish reports success without its id.
const maxLookups = 3

// Container status codes.
const (
	statusInProgress = "IN_PROGRESS"
	statusFinished   = "FINISHED"
	statusPublished  = "PUBLISHED"
	statusError      = "ERROR"
	statusExpired    = "EXPIRED"
)

// errRemake says the containers expired: make new ones.
var errRemake = errors.New("instagram: containers expired")

// publication is one Publish call's state.
type publication struct {
	*Publisher
	s        *session
	req      publishers.Request
	plan     plan
	user     string
	deadline time.Time // of waiting in-process for containers
}

var igUserID = regexp.MustCompile(`^[0-9]{1,40}$`)

// Publish publishes req.Content as an image post, a carousel, a reel or a
// story on the account req.PlatformUserID (the ig-user-id), resuming from
// req.Checkpoints (which must not be nil): it never creates a container
// while a saved one can still be published, and never publishes a
// container twice. See the package documentation for the flow.
func (p *Publisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	s, err := p.newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Result{}, err
	}
	if req.Checkpoints == nil {
		// Without them a retry would create a second container, and so
		// a second post.
		return publishers.Result{}, publishers.Permanent(errors.New("instagram: request has no checkpoints"))
	}
	if !igUserID.MatchString(req.PlatformUserID) {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("instagram: account has no ig-user-id (platform user id %q)", s.clean([]byte(req.PlatformUserID), 60)))
	}
	pl, err := planOf(req.Content)
	if err != nil {
		return publishers.Result{}, err
	}
	pub := &publication{Publisher: p, s: s, req: req, plan: pl, user: req.PlatformUserID, deadline: p.now().Add(p.maxWait)}
	if media := req.Checkpoints.Get(CheckpointMedia); media != "" {
		return pub.result(ctx, media, "")
	}
	if req.ResolveOnly {
		return pub.resolve(ctx)
	}
	// Containers that expire while this call runs are made again once;
	// twice in one call means something else is wrong.
	for range 2 {
		res, err := pub.run(ctx)
		if errors.Is(err, errRemake) {
			if err := pub.forget(ctx); err != nil {
				return publishers.Result{}, err
			}
			continue
		}
		return res, err
	}
	return publishers.Result{}, publishers.Transient(errors.New("instagram: containers expired twice in one attempt"))
}

func (pub *publication) run(ctx context.Context) (publishers.Result, error) {
	cp := pub.req.Checkpoints
	container := cp.Get(CheckpointContainer)
	if container == "" {
		var err error
		if container, err = pub.makeContainers(ctx); err != nil {
			return publishers.Result{}, err
		}
	}
	st, err := pub.await(ctx, container)
	if err != nil {
		return publishers.Result{}, err
	}
	if st.Code == statusPublished {
		// An earlier attempt published it and lost the answer.
		return pub.lookup(ctx, container)
	}
	var out struct {
		ID string `json:"id"`
	}
	step := "publish container " + container
	err = pub.graph(ctx, pub.s, step, http.MethodPost, "/"+pub.user+"/media_publish", url.Values{"creation_id": {container}}, &out)
	if e := graphError(err); e != nil {
		switch {
		case e.Subcode == subcodeExpired:
			return publishers.Result{}, errRemake
		case e.Code == codePublishLimit || e.Subcode == subcodePublishLimit:
			return publishers.Result{}, pub.limitReached(ctx, err)
		case remakeSubcodes[e.Subcode]:
			// The container is dead, the post is not: new containers
			// on the next attempt.
			if ferr := pub.forget(ctx); ferr != nil {
				return publishers.Result{}, ferr
			}
			return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: making new containers: %w", err))
		case e.Subcode == subcodeTemporaryPublish:
			return publishers.Result{}, pub.temporaryPublishError(ctx, err)
		}
	}
	if err != nil {
		// Whether it went out is unknown: the next attempt reads the
		// container's status before doing anything.
		return publishers.Result{}, err
	}
	if !igUserID.MatchString(out.ID) {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: %s: answer has no media id", step))
	}
	if err := cp.Save(ctx, CheckpointMedia, out.ID); err != nil {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: save media %s: %w", out.ID, err))
	}
	return pub.result(ctx, out.ID, "")
}

// makeContainers creates the post's containers, reusing the carousel
// items an earlier attempt saved, and returns the container to publish.
func (pub *publication) makeContainers(ctx context.Context) (string, error) {
	cp := pub.req.Checkpoints
	if err := pub.checkLimit(ctx); err != nil {
		return "", err
	}
	if pub.s.usage >= paceAt {
		// Nearly out of calls: starting now could strand containers
		// half made. Wait until the budget recovers.
		return "", publishers.RateLimited(rateLimitWait(pub.s.header, pub.now()),
			fmt.Errorf("instagram: %.0f%% of the API call budget used; pausing before making containers", pub.s.usage))
	}
	if cp.Get(CheckpointSince) == "" {
		// A minute early: clocks differ, and media published before it
		// is older than any container of ours anyway.
		since := pub.now().Add(-time.Minute).Unix()
		if err := cp.Save(ctx, CheckpointSince, strconv.FormatInt(since, 10)); err != nil {
			return "", publishers.Transient(fmt.Errorf("instagram: save checkpoint: %w", err))
		}
	}
	params := cloneValues(pub.plan.parent)
	if pub.plan.kind == kindCarousel {
		ids := make([]string, len(pub.plan.children))
		for i, child := range pub.plan.children {
			name := CheckpointChildPrefix + strconv.Itoa(i+1)
			id := cp.Get(name)
			if id == "" {
				var err error
				step := fmt.Sprintf("create carousel item %d/%d", i+1, len(ids))
				if id, err = pub.create(ctx, step, child, name); err != nil {
					return "", err
				}
			}
			ids[i] = id
		}
		for _, id := range ids {
			st, err := pub.await(ctx, id)
			if err != nil {
				return "", err
			}
			if st.Code != statusFinished {
				// A published item is impossible; anything else
				// means the items must be made again.
				return "", fmt.Errorf("instagram: carousel item %s is %s: %w", id, st.Code, errRemake)
			}
		}
		params.Set("children", strings.Join(ids, ","))
	}
	return pub.create(ctx, "create container", params, CheckpointContainer)
}

// create makes one container and saves its id under checkpoint.
func (pub *publication) create(ctx context.Context, step string, params url.Values, checkpoint string) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := pub.graph(ctx, pub.s, step, http.MethodPost, "/"+pub.user+"/media", params, &out)
	if e := graphError(err); e != nil && (e.Code == codePublishLimit || e.Subcode == subcodePublishLimit) {
		return "", pub.limitReached(ctx, err)
	}
	if err != nil {
		return "", err
	}
	if !igUserID.MatchString(out.ID) {
		return "", publishers.Transient(fmt.Errorf("instagram: %s: answer has no container id", step))
	}
	if err := pub.req.Checkpoints.Save(ctx, checkpoint, out.ID); err != nil {
		return "", publishers.Transient(fmt.Errorf("instagram: save container %s: %w", out.ID, err))
	}
	return out.ID, nil
}

// temporaryPublishError answers a 24/2207008 to media_publish as Meta
// asks: the same container again in a minute, twice; then new containers.
// The waits are RateLimited (not failures); the status read that starts
// every attempt still guards against publishing twice.
func (pub *publication) temporaryPublishError(ctx context.Context, err error) error {
	tries, _ := strconv.Atoi(pub.req.Checkpoints.Get(CheckpointPublishTries))
	tries++
	if tries <= temporaryPublishRetries {
		if serr := pub.req.Checkpoints.Save(ctx, CheckpointPublishTries, strconv.Itoa(tries)); serr != nil {
			return publishers.Transient(fmt.Errorf("instagram: save checkpoint: %w", serr))
		}
		return publishers.RateLimited(temporaryPublishWait, fmt.Errorf("instagram: temporary publishing error, trying the same container again in a minute (%d of %d): %w", tries, temporaryPublishRetries, err))
	}
	if ferr := pub.forget(ctx); ferr != nil {
		return ferr
	}
	return publishers.Transient(fmt.Errorf("instagram: temporary publishing error %d times: making new containers: %w", tries, err))
}

// forget clears the saved containers so that new ones are made.
func (pub *publication) forget(ctx context.Context) error {
	names := []string{CheckpointContainer, CheckpointSince, CheckpointPublishTries}
	for i := range pub.plan.children {
		names = append(names, CheckpointChildPrefix+strconv.Itoa(i+1))
	}
	for _, n := range names {
		if err := pub.req.Checkpoints.Save(ctx, n, ""); err != nil {
			return publishers.Transient(fmt.Errorf("instagram: clear checkpoint %s: %w", n, err))
		}
	}
	return nil
}

// containerStatus is a container's status_code and status.
type containerStatus struct {
	Code   string `json:"status_code"`
	Status string `json:"status"`
}

var subcodeInStatus = regexp.MustCompile(`\b2207[0-9]{3}\b`)

// await polls container id until it is no longer IN_PROGRESS, with
// backoff, until the call's deadline; past it the job is handed back. It
// returns FINISHED and PUBLISHED statuses, errRemake for EXPIRED, and a
// classified error for ERROR.
func (pub *publication) await(ctx context.Context, id string) (containerStatus, error) {
	delay := pub.pollInterval
	step := "read status of container " + id
	for {
		var st containerStatus
		if err := pub.graph(ctx, pub.s, step, http.MethodGet, "/"+id, url.Values{"fields": {"status_code,status"}}, &st); err != nil {
			return st, err
		}
		switch st.Code {
		case statusFinished, statusPublished:
			return st, nil
		case statusExpired:
			return st, errRemake
		case statusError:
			why := pub.s.clean([]byte(st.Status), maxMessage)
			sub, _ := strconv.Atoi(subcodeInStatus.FindString(st.Status))
			if transientSubcodes[sub] {
				// The container is dead but the media may be
				// fine: make new containers next attempt.
				if err := pub.forget(ctx); err != nil {
					return st, err
				}
				return st, publishers.Transient(fmt.Errorf("instagram: container %s failed: %s", id, why))
			}
			return st, publishers.Permanent(fmt.Errorf("instagram: container %s failed: %s", id, why))
		case statusInProgress:
		default:
			return st, publishers.Transient(fmt.Errorf("instagram: %s: unknown status %q", step, pub.s.clean([]byte(st.Code), 40)))
		}
		wait, err := pub.pollWait(id, delay)
		if err != nil {
			return st, err
		}
		if err := pub.sleep(ctx, wait); err != nil {
			return st, publishers.Transient(fmt.Errorf("instagram: wait for container %s: %w", id, err))
		}
		delay = min(delay*2, pub.maxPollDelay)
	}
}

// pollWait is how long to wait before reading container id's status
// again, delay at an easy pace: twice that when the last answer said more
// than slowAt percent of a call budget is used. Past the call's polling
// budget (Options.MaxWait), or with the budget nearly spent, the attempt
// is parked instead: RateLimited, its containers kept for the next.
func (pub *publication) pollWait(id string, delay time.Duration) (time.Duration, error) {
	if pub.s.usage >= paceAt {
		return 0, publishers.RateLimited(rateLimitWait(pub.s.header, pub.now()),
			fmt.Errorf("instagram: %.0f%% of the API call budget used; pausing the status reads of container %s", pub.s.usage, id))
	}
	if pub.s.usage > slowAt {
		delay *= 2
	}
	if pub.now().Add(delay).After(pub.deadline) {
		return 0, publishers.RateLimited(pub.handBack, fmt.Errorf("instagram: container %s still in progress after %s; handing the job back", id, pub.maxWait))
	}
	return delay, nil
}

// listedMedia is one entry of /{ig-user-id}/media or /stories.
type listedMedia struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
}

// lookup finds the media a PUBLISHED container became. The Graph API does
// not link a container to its media, so lookup lists the account's recent
// media (stories for a story) and takes the oldest one published after
// the container was asked for with the post's caption. Two posts of the
// same account with the same caption inside that window would be
// confused; the post itself is never published twice, only its id and URL
// could be the other post's.
func (pub *publication) lookup(ctx context.Context, container string) (publishers.Result, error) {
	cp := pub.req.Checkpoints
	since := time.Time{}
	if n, err := strconv.ParseInt(cp.Get(CheckpointSince), 10, 64); err == nil {
		since = time.Unix(n, 0)
	}
	edge := "/media"
	if pub.plan.kind == kindStory {
		edge = "/stories"
	}
	var out struct {
		Data []listedMedia `json:"data"`
	}
	params := url.Values{"fields": {"id,caption,timestamp,permalink"}, "limit": {"50"}}
	if err := pub.graph(ctx, pub.s, "find media of published container "+container, http.MethodGet, "/"+pub.user+edge, params, &out); err != nil {
		return publishers.Result{}, err
	}
	if m, ok := match(out.Data, pub.plan, since); ok {
		if err := cp.Save(ctx, CheckpointMedia, m.ID); err != nil {
			return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: save media %s: %w", m.ID, err))
		}
		return pub.result(ctx, m.ID, m.Permalink)
	}
	misses, _ := strconv.Atoi(cp.Get(CheckpointLookups))
	misses++
	if misses >= maxLookups {
		// Published for sure; reporting a failure would be false, and
		// retrying for ever pointless.
		return publishers.Result{}, nil
	}
	if err := cp.Save(ctx, CheckpointLookups, strconv.Itoa(misses)); err != nil {
		return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: save checkpoint: %w", err))
	}
	return publishers.Result{}, publishers.Transient(fmt.Errorf("instagram: container %s was published but its media is not listed yet", container))
}

// match picks the media of pl among listed: the oldest published at or
// after since whose caption is pl's (stories have none).
func match(listed []listedMedia, pl plan, since time.Time) (listedMedia, bool) {
	var best listedMedia
	var bestAt time.Time
	found := false
	for _, m := range listed {
		at, err := parseTime(m.Timestamp)
		if err != nil || at.Before(since) || !igUserID.MatchString(m.ID) {
			continue
		}
		if pl.kind != kindStory && strings.TrimSpace(m.Caption) != strings.TrimSpace(pl.caption) {
			continue
		}
		if !found || at.Before(bestAt) {
			best, bestAt, found = m, at, true
		}
	}
	return best, found
}

// parseTime reads Graph timestamps, "2026-05-24T19:33:56+0000".
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02T15:04:05-0700", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// result reads the permalink of media, unless it is known, for the
// Result.
func (pub *publication) result(ctx context.Context, media, permalink string) (publishers.Result, error) {
	if permalink == "" {
		var out struct {
			Permalink string `json:"permalink"`
		}
		if err := pub.graph(ctx, pub.s, "read permalink of media "+media, http.MethodGet, "/"+media, url.Values{"fields": {"permalink"}}, &out); err != nil {
			return publishers.Result{}, err
		}
		permalink = out.Permalink
	}
	if u, err := url.Parse(permalink); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		permalink = ""
	}
	return publishers.Result{RemoteID: media, URL: permalink}, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
