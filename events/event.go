package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/tenant"
)

// Stream is the default tenant's stream, the one every state change was
// appended to before there were tenants (its name is unchanged, so a
// deployment without tenants keeps its events and its consumer groups).
const Stream = "herald:events"

// StreamOf returns tenant t's stream: Stream for the default tenant (and
// for ""), herald:events:<t> for every other. One stream per tenant means
// a reader of one tenant cannot see another's events at all, and Redis
// ACLs can give each app its own stream alone.
func StreamOf(t string) string {
	if t == "" || t == tenant.Default {
		return Stream
	}
	return Stream + ":" + t
}

// DefaultMaxLen caps the stream unless configured otherwise; consumers
// that fall further behind lose the oldest events.
const DefaultMaxLen = 100_000

// Event types. They are part of Herald's contract with product apps.
const (
	PostScheduled  = "post.scheduled"
	PostPublishing = "post.publishing"
	PostPublished  = "post.published"
	// PostRetry: an attempt failed and the post will be tried again.
	PostRetry    = "post.retry"
	PostFailed   = "post.failed"
	PostCanceled = "post.canceled"
	// PostUnknown: an attempt could not learn whether the platform took
	// the post; the next attempt finds out (it never posts twice).
	PostUnknown = "post.unknown"
	// PostCancelRequested: a cancel arrived while the platform may
	// already have the post; post.canceled or post.published (with
	// post.cancel_failed) follows once the next attempt has looked.
	PostCancelRequested = "post.cancel_requested"
	// PostCancelFailed: the post was canceled too late, the platform had
	// it; its Reason says why. It follows post.published.
	PostCancelFailed = "post.cancel_failed"
	PostEdited       = "post.edited"
	// PostUpdated: a published post's details changed after the fact
	// (the platform gave its id once moderation ended, or Herald gave up
	// waiting for it and says so in Warning).
	PostUpdated = "post.updated"
	// PostCommented: the post's first comment (content.first_comment)
	// is on the platform; CommentID is its id there.
	PostCommented = "post.commented"
	// PostCommentFailed: the first comment could not be posted and
	// Herald stopped trying; the post stays published, with Warning
	// saying so, and Reason why.
	PostCommentFailed = "post.comment_failed"
	// PostRemoving: the app asked for a published post to be taken
	// down at the platform; post.removed or post.remove_failed follows.
	PostRemoving = "post.removing"
	// PostRemoved: the platform no longer has the post.
	PostRemoved = "post.removed"
	// PostRemoveFailed: the take-down failed; the post is published
	// again, Reason says why.
	PostRemoveFailed = "post.remove_failed"

	AccountConnected      = "account.connected"
	AccountReauthRequired = "account.reauth_required"
	AccountReconnectDue   = "account.reconnect_due"
	AccountDisconnected   = "account.disconnected"
	AccountDeauthorized   = "account.deauthorized"
	AccountErased         = "account.erased"

	AnalyticsRefreshed = "analytics.refreshed"
)

// Event is one entry of the stream, in the JSON form webhooks deliver and
// `herald events tail --json` prints. Fields that do not apply to an
// event's type are left out of the JSON.
type Event struct {
	// ID is the stream entry id: unique, increasing, and the key for a
	// consumer that must not act twice on one event.
	ID   string    `json:"id"`
	Type string    `json:"type"`
	At   time.Time `json:"at"`
	// Tenant is the product app the event belongs to (tenant.Default in
	// a deployment without tenants). Parse always sets it. An event being
	// written may leave it empty when its ids are qualified (as jobs
	// builds them): the ids say whose it is.
	Tenant string `json:"tenant"`
	// AccountID and PostID are the app's own ids in what Parse returns.
	// An event being written may carry the qualified ids Herald stores
	// ("shop~acct-1", see package tenant); Fields writes the app's.
	AccountID string `json:"account_id"`
	Platform  string `json:"platform,omitempty"`
	PostID    string `json:"post_id,omitempty"`
	// GroupID is the post's group (the campaign it belongs to), when it
	// has one: the app's id in what Parse returns, as the others.
	GroupID string `json:"group_id,omitempty"`
	// State is the post's state after the change (jobs.State's values).
	State   string `json:"state,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	// Class is the error class of a retry or failure: transient,
	// rate_limited, reauth or permanent.
	Class    string `json:"class,omitempty"`
	Reason   string `json:"reason,omitempty"`
	RemoteID string `json:"remote_id,omitempty"`
	URL      string `json:"url,omitempty"`
	// Warning says a published post is online but not quite as asked
	// ("YouTube locked the video private: ..."), in words for people.
	Warning string `json:"warning,omitempty"`
	// ResultState is the platform's word for a published post that is
	// not a public post yet ("sent_to_inbox": a draft in the creator's
	// TikTok inbox).
	ResultState string `json:"result_state,omitempty"`
	// RemoteIDPending says the post is published but the platform gives
	// its id later (TikTok, after moderation): a post.updated follows
	// with remote_id and url.
	RemoteIDPending bool `json:"remote_id_pending,omitempty"`
	// CommentID is the platform's id of the first comment
	// (post.commented).
	CommentID string `json:"comment_id,omitempty"`
}

// Stamp dates e and, when it has no type, names it after its post's
// state ("post." + State): what every way of appending an event does
// first, including a script that appends it itself (see Fields).
func (e *Event) Stamp(at time.Time) {
	if e.Type == "" {
		e.Type = "post." + e.State
	}
	e.At = at
}

// Local returns e as a reader of its tenant sees it: Tenant named and
// the ids the app's own. The tenant of qualified ids wins over Tenant;
// plain ids are Tenant's (the default tenant's when Tenant is empty).
func (e Event) Local() Event {
	e, _ = e.local()
	return e
}

// Errors of an event Append refuses.
var (
	// errTenants: an event whose ids, or ids and Tenant, name two tenants.
	errTenants = errors.New("its ids belong to different tenants")
	// errBadTenant: an id qualified with something that is no tenant.
	errBadTenant = errors.New("an id's tenant is not a tenant name")
)

// local is Local, and an error when e's ids name two tenants, or its ids
// one and Tenant another (it would be appended to one tenant's stream
// though it is about another), or an id is qualified with no valid
// tenant name.
func (e Event) local() (Event, error) {
	var err error
	named := "" // the tenant of the qualified ids
	for _, id := range []*string{&e.AccountID, &e.PostID, &e.GroupID} {
		if !strings.Contains(*id, tenant.Sep) {
			continue
		}
		t, app := tenant.Split(*id)
		if tenant.Check(t) != nil {
			err = errBadTenant
			continue
		}
		if named != "" && t != named {
			err = errTenants
		}
		named, *id = t, app
	}
	if named != "" {
		if e.Tenant != "" && e.Tenant != named {
			err = errTenants
		}
		e.Tenant = named
	}
	if e.Tenant == "" {
		e.Tenant = tenant.Default
	}
	return e, err
}

// Stream is the stream e is appended to: its tenant's (StreamOf).
func (e Event) Stream() string { return StreamOf(e.Local().Tenant) }

// Fields is e as the stream's field/value pairs (Local: the tenant and
// the app's ids), for a Lua script that appends e in the same step as
// the change it reports (XADD e.Stream() MAXLEN ~ n * Fields...). Stamp e
// first.
func (e Event) Fields() []any {
	e = e.Local()
	v := []any{"type", e.Type, "tenant", e.Tenant, "account_id", e.AccountID, "at", e.At.UTC().Format(time.RFC3339Nano)}
	for _, kv := range [][2]string{
		{"platform", e.Platform}, {"post_id", e.PostID}, {"group_id", e.GroupID}, {"state", e.State},
		{"class", e.Class}, {"reason", e.Reason}, {"remote_id", e.RemoteID}, {"url", e.URL},
		{"warning", e.Warning}, {"result_state", e.ResultState}, {"comment_id", e.CommentID},
	} {
		if kv[1] != "" {
			v = append(v, kv[0], kv[1])
		}
	}
	if e.Attempt > 0 {
		v = append(v, "attempt", strconv.Itoa(e.Attempt))
	}
	if e.RemoteIDPending {
		v = append(v, "remote_id_pending", "1")
	}
	return v
}

// Parse reads an entry of a tenant's stream, as that tenant's reader
// sees it: the app's ids and the tenant. An entry without a tenant (one
// appended before there were tenants) is the default tenant's.
func Parse(m redis.XMessage) (Event, error) {
	s := func(k string) string { v, _ := m.Values[k].(string); return v }
	e := Event{
		ID: m.ID, Type: s("type"), Tenant: s("tenant"), AccountID: s("account_id"), Platform: s("platform"),
		PostID: s("post_id"), GroupID: s("group_id"), State: s("state"), Class: s("class"), Reason: s("reason"),
		RemoteID: s("remote_id"), URL: s("url"), Warning: s("warning"), ResultState: s("result_state"),
		RemoteIDPending: s("remote_id_pending") == "1", CommentID: s("comment_id"),
	}
	if e.Type == "" {
		return e, fmt.Errorf("event %s: no type", m.ID)
	}
	if e.Tenant == "" {
		e.Tenant = tenant.Default
	} else if err := tenant.Check(e.Tenant); err != nil {
		return e, fmt.Errorf("event %s: tenant: %w", m.ID, err)
	}
	if strings.Contains(e.AccountID, tenant.Sep) || strings.Contains(e.PostID, tenant.Sep) {
		// Fields never writes a qualified id: this one would leave its
		// tenant behind.
		return e, fmt.Errorf("event %s: account_id or post_id holds %q", m.ID, tenant.Sep)
	}
	at, err := time.Parse(time.RFC3339Nano, s("at"))
	if err != nil {
		return e, fmt.Errorf("event %s: at: %w", m.ID, err)
	}
	if y := at.UTC().Year(); y < 1 || y > 9999 {
		// Fields writes the time in UTC, which RFC 3339 cannot hold
		// outside these years: such an entry would not read back.
		return e, fmt.Errorf("event %s: at %q is out of range", m.ID, s("at"))
	}
	e.At = at
	if a := s("attempt"); a != "" && a != "0" {
		if e.Attempt, err = strconv.Atoi(a); err != nil {
			return e, fmt.Errorf("event %s: attempt %q is not a number", m.ID, a)
		}
	}
	return e, nil
}
