package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// Errors of the Client. Test with errors.Is.
var (
	// ErrConflict: a post with this id exists with other content or time.
	ErrConflict = errors.New("post id already used for a different post")
	// ErrNotFound: no post has this id.
	ErrNotFound = errors.New("post not found")
	// ErrAlreadyPublished: the post went out; it can no longer change.
	ErrAlreadyPublished = errors.New("post already published")
	// ErrFinal: the post failed or was canceled; it can no longer change.
	ErrFinal = errors.New("post already failed or canceled")
	// ErrPublishing: an attempt is running right now; try again shortly.
	ErrPublishing = errors.New("post is being published right now")
	// ErrStarted: an attempt already left work at the platform (a draft,
	// an upload) that the next attempt resumes, so the content can no
	// longer change; cancel the post and schedule a new one instead.
	ErrStarted = errors.New("post's publication already started at the platform (a draft or upload exists), so its content can no longer change; cancel it and schedule a new post")
)

// Client is the Go API product apps schedule posts through. It is safe for
// concurrent use.
type Client struct {
	q     *asynq.Client
	insp  *asynq.Inspector
	store *store
	opts  clientOptions
	// tenantErr says why opts.tenant is no tenant name: every method
	// that names a post or account returns it (tenant.go).
	tenantErr error
}

type clientOptions struct {
	now          func() time.Time
	maxRetry     int
	maxLateness  time.Duration
	eventsMaxLen int64
	observeEvent func(tenant, typ string)
	retention    time.Duration // WithRetention
	platforms    []string      // WithPlatforms; nil: any well-formed name
	tenant       string        // WithTenant; "" is tenant.Default
	// capabilities: WithCapabilities; nil: any platform may be asked.
	capabilities map[string]publishers.Capabilities
	// afterRunRefused, in tests, runs in runSoon between asynq refusing
	// to run a task and the look at its state.
	afterRunRefused func()
}

// ClientOption configures a Client.
type ClientOption func(*clientOptions)

// WithClock sets the clock the client reads (tests).
func WithClock(now func() time.Time) ClientOption { return func(o *clientOptions) { o.now = now } }

// WithMaxRetry sets how often a publish task is retried (default 12).
func WithMaxRetry(n int) ClientOption { return func(o *clientOptions) { o.maxRetry = n } }

// WithMaxLateness refuses posts whose time is further in the past than d
// (default 24h): they would only fail as too late.
func WithMaxLateness(d time.Duration) ClientOption {
	return func(o *clientOptions) { o.maxLateness = d }
}

// WithEventsMaxLen caps the events stream at about n entries (default
// events.DefaultMaxLen).
func WithEventsMaxLen(n int64) ClientOption { return func(o *clientOptions) { o.eventsMaxLen = n } }

// WithEventObserver has observe hear the type of every event the client
// appends (metrics).
func WithEventObserver(observe func(tenant, typ string)) ClientOption {
	return func(o *clientOptions) { o.observeEvent = observe }
}

// NewClient returns a Client over rdb. Closing the Client does not close
// rdb.
func NewClient(rdb redis.UniversalClient, opts ...ClientOption) *Client {
	o := clientOptions{now: time.Now, maxRetry: 12, maxLateness: 24 * time.Hour, retention: DefaultRetention}
	for _, f := range opts {
		f(&o)
	}
	return &Client{
		q:         asynq.NewClientFromRedisClient(rdb),
		insp:      asynq.NewInspectorFromRedisClient(rdb),
		store:     newStore(rdb, o.now, o.eventsMaxLen, o.observeEvent),
		opts:      o,
		tenantErr: checkTenant(o.tenant),
	}
}

// Close does nothing and returns nil: the Client holds no resource of
// its own (no connection, no goroutine) beyond rdb, which stays open for
// the caller to close. It exists so a Client can be handed to code that
// closes what it is given.
func (c *Client) Close() error { return nil }

// SchedulePost schedules p for p.PublishAt. Scheduling the same post
// again (same id, content and time) returns its current status and changes
// nothing; a different post under a used id returns ErrConflict.
func (c *Client) SchedulePost(ctx context.Context, p Post) (PostStatus, error) {
	if err := c.checkNewPost(p); err != nil {
		return PostStatus{}, err
	}
	st, err := c.schedule(ctx, c.ownPost(p))
	return st.forApp(), err
}

// schedule is SchedulePost of a checked post with stored ids.
func (c *Client) schedule(ctx context.Context, p Post) (PostStatus, error) {
	if err := c.indexGroups(ctx, p); err != nil {
		return PostStatus{}, fmt.Errorf("schedule post %s: %w", appID(p.ID), storeError(err))
	}
	var r createResult
	if c.store.inlineEvents {
		// One round trip, the event and the new post's task included.
		r = c.store.createInline(ctx, p, c.opts.maxRetry)
	} else {
		r.fp, r.state, r.created, r.at, r.err = c.store.create(ctx, p)
	}
	if r.err != nil {
		return PostStatus{}, fmt.Errorf("schedule post %s: %w", appID(p.ID), storeError(r.err))
	}
	if !r.created && !p.matches(r.fp) {
		return PostStatus{}, fmt.Errorf("schedule post %s: %w", appID(p.ID), ErrConflict)
	}
	if err := c.enqueueAfterCreate(ctx, p, r); err != nil {
		return PostStatus{}, fmt.Errorf("schedule post %s: %w", appID(p.ID), storeError(err))
	}
	if r.created {
		if !c.store.inlineEvents {
			c.store.afterCreate(ctx, []Post{p})
		}
		// What was just written; no need to read it back.
		return PostStatus{PostID: p.ID, GroupID: p.GroupID, AccountID: p.AccountID, Platform: p.Platform, State: StateScheduled,
			PublishAt: time.UnixMilli(p.PublishAt.UnixMilli()).UTC(), UpdatedAt: r.at.UTC()}, nil
	}
	return c.status(ctx, p.ID)
}

// enqueueAfterCreate gives p the task its create (r) left to enqueue: a
// new post's, unless the inline script wrote it, replacing a leftover;
// and a scheduled record's that existed, since an earlier call may have
// stored the record and failed before enqueueing.
func (c *Client) enqueueAfterCreate(ctx context.Context, p Post, r createResult) error {
	switch {
	case !c.leftToEnqueue(r):
		return nil
	case r.created:
		return c.enqueueNew(ctx, p)
	}
	return c.enqueue(ctx, p)
}

// leftToEnqueue says whether create (r) left a task to enqueue: it did
// unless the inline script wrote the new post's task, or the record
// existed and is no longer scheduled.
func (c *Client) leftToEnqueue(r createResult) bool {
	if r.created {
		return !c.store.inlineEvents || r.taskTaken
	}
	return r.state == StateScheduled
}

// enqueue adds p's publish task; one that exists already is fine.
func (c *Client) enqueue(ctx context.Context, p Post) error {
	_, err := c.enqueueTask(ctx, p)
	return err
}

// enqueueNew adds a new post's publish task, replacing a leftover task
// under its id (replaceLeftoverTask).
func (c *Client) enqueueNew(ctx context.Context, p Post) error {
	taken, err := c.enqueueTask(ctx, p)
	if err != nil || !taken {
		return err
	}
	return c.replaceLeftoverTask(ctx, p)
}

// enqueueTask adds p's publish task and says whether its task id was
// taken (asynq then kept the task it had).
func (c *Client) enqueueTask(ctx context.Context, p Post) (taken bool, err error) {
	payload, err := marshalPublishPayload(p)
	if err != nil {
		return false, err
	}
	_, err = c.q.EnqueueContext(ctx, asynq.NewTask(TypePublish, payload),
		asynq.TaskID(publishTaskID(p.ID)),
		asynq.Queue(QueuePublish),
		asynq.ProcessAt(dueAt(p.PublishAt)),
		asynq.MaxRetry(c.opts.maxRetry),
		asynq.Timeout(publishTimeout),
	)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue: %w", err)
	}
	return false, nil
}

// replaceLeftoverTask replaces the task that holds new post p's task id
// when it is a leftover of an earlier post under the same id whose
// record has expired: asynq keeps an archived task for 90 days (or
// until 10,000 are archived), longer than HERALD_RECORD_RETENTION's
// default, so it would never run the new post, and the reconciler would
// fail the post as archived. A live task (pending, scheduled, retry,
// active) runs the new record as it finds it.
func (c *Client) replaceLeftoverTask(ctx context.Context, p Post) error {
	id := publishTaskID(p.ID)
	info, err := c.insp.GetTaskInfo(QueuePublish, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return c.enqueue(ctx, p) // gone since
	case err != nil:
		return fmt.Errorf("look at the task left under the post's id: %w", err)
	case info.State != asynq.TaskStateArchived && info.State != asynq.TaskStateCompleted:
		return nil
	}
	if err := c.insp.DeleteTask(QueuePublish, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return fmt.Errorf("delete the task left under the post's id: %w", err)
	}
	return c.enqueue(ctx, p)
}

// dueAt is when asynq should hand out a post's task. asynq keeps
// scheduled times in whole seconds and releases a task once the second it
// falls in has begun, so the time is rounded up: a post never goes out
// before its time.
func dueAt(t time.Time) time.Time {
	if r := t.Truncate(time.Second); !r.Equal(t) {
		return r.Add(time.Second)
	}
	return t
}

// publishTimeout bounds one publish attempt. Large uploads checkpoint their
// progress, so an attempt cut short resumes rather than restarts.
const publishTimeout = 30 * time.Minute

// PostStatus returns what Herald knows of post id.
func (c *Client) PostStatus(ctx context.Context, id string) (PostStatus, error) {
	q, err := c.own("post_id", id)
	if err != nil {
		return PostStatus{}, err
	}
	st, err := c.status(ctx, q)
	return st.forApp(), err
}

// status is PostStatus of a stored id.
func (c *Client) status(ctx context.Context, id string) (PostStatus, error) {
	rec, ok, err := c.store.load(ctx, id)
	if err != nil {
		return PostStatus{}, err
	}
	if !ok {
		return PostStatus{}, fmt.Errorf("post %s: %w", appID(id), ErrNotFound)
	}
	return rec.PostStatus, nil
}

// CancelPost stops post id from going out. Canceling a canceled post is a
// no-op; a published one returns ErrAlreadyPublished, a failed one
// ErrFinal. A post that the platform may already have (an attempt runs,
// or an earlier one's answer was lost) is left cancel_requested: the
// running attempt is stopped and the next one only looks, ending the post
// published (post.published, then post.cancel_failed) or canceled
// (post.canceled); see unknown.go.
func (c *Client) CancelPost(ctx context.Context, id string) (PostStatus, error) {
	q, err := c.own("post_id", id)
	if err != nil {
		return PostStatus{}, err
	}
	st, _, err := c.cancel(ctx, q)
	return st.forApp(), err
}

// cancel is CancelPost of a stored id; it also says whether an attempt
// was running.
func (c *Client) cancel(ctx context.Context, id string) (_ PostStatus, wasPublishing bool, err error) {
	st, err := c.status(ctx, id)
	if err != nil {
		return st, false, err
	}
	prev, verdict, err := c.store.cancelRecord(ctx, id)
	if err != nil {
		return st, false, err
	}
	if verdict == "requested" {
		return c.cancelRequested(ctx, st, prev)
	}
	if verdict != "canceled" {
		switch prev {
		case StateCanceled, StateCancelRequested:
			st, err = c.status(ctx, id)
		case StatePublished:
			st, err = c.postError(ctx, id, ErrAlreadyPublished)
		case "":
			st, err = PostStatus{}, fmt.Errorf("post %s: %w", appID(id), ErrNotFound)
		default:
			st, err = c.postError(ctx, id, ErrFinal)
		}
		return st, false, err
	}
	taskID := publishTaskID(id)
	if err := c.insp.DeleteTask(QueuePublish, taskID); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		// Active: ask the worker to stop. The handler rereads the record
		// and will not publish a canceled post.
		_ = c.insp.CancelProcessing(taskID)
	}
	// The record now ends its life: it expires the retention from now.
	// Should this fail, the retention sweep sets it.
	_ = c.store.expireFinal(ctx, c.opts.retention, id)
	_ = c.store.appendEvent(ctx, events.Event{PostID: id, GroupID: st.GroupID, AccountID: st.AccountID, Platform: st.Platform, State: string(StateCanceled)})
	st, err = c.status(ctx, id)
	return st, prev == StatePublishing, err
}

// cancelRequested stops a running attempt of a post left
// cancel_requested and makes sure an attempt comes soon to settle it.
func (c *Client) cancelRequested(ctx context.Context, st PostStatus, prev State) (_ PostStatus, wasPublishing bool, err error) {
	id := st.PostID
	// A running attempt (prev publishing) is stopped by its next renewal
	// (within a third of the lock's lifetime), which is refused; its
	// handler then snoozes the task briefly and the next attempt looks.
	// Not asynq's CancelProcessing: asynq would record the canceled
	// context instead of the snooze, and retry after a full backoff.
	if prev != StatePublishing {
		if err := c.runSoon(ctx, id); err != nil {
			return st, false, fmt.Errorf("cancel post %s: enqueue the attempt that settles it: %w", appID(id), err)
		}
	}
	_ = c.store.appendEvent(ctx, events.Event{PostID: id, GroupID: st.GroupID, AccountID: st.AccountID, Platform: st.Platform, State: string(StateCancelRequested)})
	st, err = c.status(ctx, id)
	return st, prev == StatePublishing, err
}

// runSoon runs post id's waiting task now, or enqueues one when asynq
// has none (it archived or lost it). A task that is still running
// although its post is not publishing has ended its attempt (or not
// begun one), and asynq would retry it only after its backoff: the post
// gets a task of its own now ("settle:<attempts>:<post id>"), harmless
// beside the other since the record decides what each does (a second
// attempt waits while one holds the post). A task can move between
// asking to run it and looking at it (a running one into retry, with
// its backoff): runSoon then asks again.
func (c *Client) runSoon(ctx context.Context, id string) error {
	taskID := publishTaskID(id)
	for try := 1; ; try++ {
		err := c.insp.RunTask(QueuePublish, taskID)
		if err == nil {
			return nil
		}
		if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			return c.enqueueSettle(ctx, id, false)
		}
		if c.opts.afterRunRefused != nil {
			c.opts.afterRunRefused()
		}
		info, err := c.insp.GetTaskInfo(QueuePublish, taskID)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound):
			return c.enqueueSettle(ctx, id, false)
		case err != nil:
			return nil // as before this look: the reconciler finds a stuck post
		case info.State == asynq.TaskStatePending:
			return nil
		case info.State == asynq.TaskStateActive, try == 3:
			// Running, or moving each time it is asked: a task of its own.
			return c.enqueueSettle(ctx, id, true)
		}
	}
}

// enqueueSettle enqueues post id's publish task when asynq has none
// (running false), or a settle task beside the running one.
func (c *Client) enqueueSettle(ctx context.Context, id string, running bool) error {
	rec, ok, err := c.store.load(ctx, id)
	if err != nil || !ok {
		return err
	}
	if !running {
		return c.enqueue(ctx, rec.Post)
	}
	payload, err := marshalPublishPayload(rec.Post)
	if err != nil {
		return err
	}
	_, err = c.q.EnqueueContext(ctx, asynq.NewTask(TypePublish, payload),
		asynq.TaskID(fmt.Sprintf("settle:%d:%s", rec.Attempts, id)), asynq.Queue(QueuePublish),
		asynq.MaxRetry(c.opts.maxRetry), asynq.Timeout(publishTimeout))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

// postError is post id's status and err, which names the post.
func (c *Client) postError(ctx context.Context, id string, err error) (PostStatus, error) {
	st, _ := c.status(ctx, id)
	return st, fmt.Errorf("post %s: %w", appID(id), err)
}

// ReschedulePost moves post id to publish at at. Only a scheduled post can
// move (a post waiting for a retry is scheduled too); one being published
// right now returns ErrPublishing.
func (c *Client) ReschedulePost(ctx context.Context, id string, at time.Time) (PostStatus, error) {
	q, err := c.own("post_id", id)
	if err != nil {
		return PostStatus{}, err
	}
	st, err := c.reschedule(ctx, q, at)
	return st.forApp(), err
}

// reschedule is ReschedulePost of a stored id.
func (c *Client) reschedule(ctx context.Context, id string, at time.Time) (PostStatus, error) {
	if at.IsZero() {
		return PostStatus{}, &FieldError{Field: "publish_at", Problem: "required (RFC 3339 with a time zone)"}
	}
	if late := c.opts.now().Sub(at); late > c.opts.maxLateness {
		return PostStatus{}, &FieldError{Field: "publish_at", Problem: fmt.Sprintf("%s in the past, more than the %s a post may be late", late.Round(time.Second), c.opts.maxLateness)}
	}
	rec, err := c.loadScheduled(ctx, id)
	if err != nil {
		return rec.PostStatus, err
	}
	p := rec.Post
	if !p.NotAfter.IsZero() && !p.NotAfter.After(at) {
		return rec.PostStatus, &FieldError{Field: "publish_at", Problem: "must be before the post's not_after"}
	}
	// Remove the old task first: while it is gone, the record still says
	// scheduled, and a failed enqueue below is repaired by scheduling
	// again. A task that became active meanwhile cannot be deleted.
	if err := c.insp.DeleteTask(QueuePublish, publishTaskID(id)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		return rec.PostStatus, fmt.Errorf("post %s: %w", appID(id), ErrPublishing)
	}
	p.PublishAt = at
	body, err := encodePost(p)
	if err != nil {
		return rec.PostStatus, err
	}
	r, err := c.store.transition(ctx, id, []State{StateScheduled}, false,
		"post", body, "fp", fingerprintOf(p, body), "publish_at", unixMilli(at))
	if err != nil {
		return rec.PostStatus, err
	}
	if !r.Changed {
		return c.postError(ctx, id, fmt.Errorf("state changed to %s meanwhile: %w", r.Prev, ErrFinal))
	}
	if err := c.enqueue(ctx, p); err != nil {
		return rec.PostStatus, fmt.Errorf("reschedule post %s: %w", appID(id), err)
	}
	_ = c.store.rdb.ZAddXX(ctx, accountPostsKey(p.AccountID), redis.Z{Score: float64(at.UnixMilli()), Member: id}).Err()
	return c.status(ctx, id)
}
