package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/tenant"
)

// MaxListLimit is the most posts one ListPosts page holds.
const MaxListLimit = 500

// DefaultListLimit is a page's size when ListQuery.Limit is 0.
const DefaultListLimit = 50

// listScanBudget bounds how many index entries one ListPosts call reads
// when a state filter skips most of them: a page may then come back short
// (even empty) with a NextCursor to go on from, so no call is unbounded.
const listScanBudget = 5000

// ListQuery selects an account's posts for ListPosts.
type ListQuery struct {
	AccountID string
	// State, if set, keeps only posts in that state.
	State State
	// From (inclusive) and To (exclusive), if set, bound the posts'
	// publish times.
	From, To time.Time
	// Limit is the page size, 1 to MaxListLimit (0: DefaultListLimit).
	Limit int
	// Cursor is the NextCursor of the previous page ("" for the first).
	Cursor string
}

// ListPage is one page of ListPosts.
type ListPage struct {
	Posts []PostStatus `json:"posts"`
	// NextCursor continues the listing; "" after the last page. A page
	// shorter than the limit may still have one (a state filter stopped
	// the scan early): follow it until it is empty.
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListPosts lists an account's posts by publish time, then post id. The
// cursor names the last post seen (its publish time and id), not an
// offset, so posts scheduled, rescheduled or expired between two pages
// neither repeat nor shift the rest: a post is skipped or shown once,
// by where it sits when its page is read.
func (c *Client) ListPosts(ctx context.Context, q ListQuery) (ListPage, error) {
	entries, next, err := c.listEntries(ctx, q)
	if err != nil {
		return ListPage{}, err
	}
	recs, err := c.store.loadStatuses(ctx, entries)
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Posts: []PostStatus{}, NextCursor: next}
	for _, st := range recs {
		if st.PostID == "" || (q.State != "" && st.State != q.State) {
			continue
		}
		page.Posts = append(page.Posts, st.forApp())
	}
	return page, nil
}

// checkListQuery validates q and fills its defaults.
func checkListQuery(q *ListQuery) error {
	if err := checkID("account_id", q.AccountID); err != nil {
		return err
	}
	switch q.State {
	case "", StateScheduled, StatePublishing, StatePublished, StateFailed, StateCanceled, StateRemoving, StateRemoved:
	default:
		return &FieldError{Field: "state", Problem: fmt.Sprintf("%.40q: want scheduled, publishing, published, failed, canceled, removing or removed", q.State)}
	}
	if q.Limit == 0 {
		q.Limit = DefaultListLimit
	}
	if q.Limit < 1 || q.Limit > MaxListLimit {
		return &FieldError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", MaxListLimit)}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return &FieldError{Field: "to", Problem: "must be after from"}
	}
	return nil
}

// listEntries finds the index entries (stored ids) of q's page, q being
// the app's query of c's tenant: without a state filter exactly the
// page, with one as many as fill it from the scan budget. The cursor
// names the app's post id, so it shows nothing of the tenant and means
// a position in c's tenant's index only.
func (c *Client) listEntries(ctx context.Context, q ListQuery) ([]indexEntry, string, error) {
	if c.tenantErr != nil {
		return nil, "", c.tenantErr
	}
	if err := checkListQuery(&q); err != nil {
		return nil, "", err
	}
	q.AccountID = tenant.Qualify(c.opts.tenant, q.AccountID)
	var pos *indexEntry
	if q.Cursor != "" {
		e, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, "", err
		}
		e.ID = tenant.Qualify(c.opts.tenant, e.ID)
		pos = &e
	}
	cursor := func(e indexEntry) string { e.ID = appID(e.ID); return encodeCursor(e) }
	var out []indexEntry
	scanned := 0
	for {
		chunk, more, err := c.store.scanIndex(ctx, q.AccountID, pos, q.From, q.To, q.Limit)
		if err != nil {
			return nil, "", err
		}
		scanned += len(chunk)
		if q.State == "" {
			out = chunk
		} else {
			kept, err := c.store.filterState(ctx, chunk, q.State)
			if err != nil {
				return nil, "", err
			}
			out = append(out, kept...)
		}
		if len(chunk) > 0 {
			pos = &chunk[len(chunk)-1]
		}
		switch {
		case len(out) > q.Limit:
			// The page ends at its last post, and so does the cursor:
			// the rest of this chunk comes on the next page.
			out = out[:q.Limit]
			return out, cursor(out[len(out)-1]), nil
		case !more:
			return out, "", nil
		case q.State == "" || len(out) == q.Limit || scanned >= listScanBudget:
			return out, cursor(*pos), nil
		}
	}
}

// filterState keeps the entries whose record is in state st.
func (s *store) filterState(ctx context.Context, entries []indexEntry, st State) ([]indexEntry, error) {
	cmds := make([]*redis.StringCmd, len(entries))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range entries {
			cmds[i] = p.HGet(ctx, recordKey(e.ID), "state")
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	var out []indexEntry
	for i, cmd := range cmds {
		if cmd.Val() == string(st) {
			out = append(out, entries[i])
		}
	}
	return out, nil
}

// statusFields are the record fields a PostStatus is made of.
var statusFields = []string{"account", "platform", "state", "publish_at", "attempts", "remote_id", "url", "published_at",
	"warning", "result_state", "rid_pending", "class", "reason", "last_error", "updated_at", "cm_state", "comment_id", "group", "removed_at"}

// loadStatuses reads the statuses of entries in one round trip, without
// the posts' content. An entry whose record is gone (expired) gives a
// zero PostStatus.
func (s *store) loadStatuses(ctx context.Context, entries []indexEntry) ([]PostStatus, error) {
	cmds := make([]*redis.SliceCmd, len(entries))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range entries {
			cmds[i] = p.HMGet(ctx, recordKey(e.ID), statusFields...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	out := make([]PostStatus, len(entries))
	for i, cmd := range cmds {
		vals := cmd.Val()
		h := make(map[string]string, len(vals))
		for j, v := range vals {
			if str, ok := v.(string); ok {
				h[statusFields[j]] = str
			}
		}
		if h["state"] == "" {
			continue
		}
		out[i] = statusOf(entries[i].ID, h)
	}
	return out, nil
}

// statusOf reads a PostStatus from a record's fields (statusFields):
// the one reading that listings and decodeRecord share.
func statusOf(postID string, h map[string]string) PostStatus {
	attempts, _ := strconv.Atoi(h["attempts"])
	return PostStatus{
		PostID:          postID,
		GroupID:         h["group"],
		AccountID:       h["account"],
		Platform:        h["platform"],
		State:           State(h["state"]),
		PublishAt:       parseMilli(h["publish_at"]),
		Attempts:        attempts,
		RemoteID:        h["remote_id"],
		URL:             h["url"],
		PublishedAt:     parseMilli(h["published_at"]),
		RemovedAt:       parseMilli(h["removed_at"]),
		Warning:         h["warning"],
		ResultState:     h["result_state"],
		RemoteIDPending: h["rid_pending"] == "1",
		FailureClass:    h["class"],
		Reason:          h["reason"],
		LastError:       h["last_error"],
		CommentState:    h["cm_state"],
		CommentID:       h["comment_id"],
		UpdatedAt:       parseMilli(h["updated_at"]),
	}
}
