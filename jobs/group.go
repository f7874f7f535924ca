package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

// Post groups. A post may name a group (Post.GroupID): one campaign,
// "this announcement on YouTube, LinkedIn and Instagram". A group needs
// no registration: it is the sorted set herald:{group:ID}:posts of its
// posts' ids, written before the posts' records (an entry without a
// record is harmless and dropped when read, as the accounts' indexes
// do), and it exists while it has posts. Its key expires with the last
// of its records (the retention after its latest post's time), and an
// erasure takes the account's posts out of their groups. Events of a
// post carry its group_id.

// MaxGroupPosts is the most posts GroupStatus and CancelGroup handle: a
// campaign is a handful of posts, not a feed.
const MaxGroupPosts = 1000

// Group is the posts of one group, by publish time then post id.
type Group struct {
	GroupID string       `json:"group_id"`
	Posts   []PostStatus `json:"posts"`
}

func groupKey(id string) string { return "herald:{group:" + id + "}:posts" }

// groupIndexScript adds posts to a group's index and makes the index
// live at least ARGV[1] ms more. ARGV: ttl_ms (0: no expiry), then
// score, member pairs.
var groupIndexScript = redis.NewScript(`
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
local want = tonumber(ARGV[1])
if want > 0 then
  local t = redis.call('PTTL', KEYS[1])
  if t >= 0 and t < want then redis.call('PEXPIRE', KEYS[1], want) end
  if t == -1 then redis.call('PEXPIRE', KEYS[1], want) end
end
return 1
`)

// indexGroups enters the posts that name a group in their groups'
// indexes, in one round trip (none when no post has a group). It runs
// before the records are written.
func (c *Client) indexGroups(ctx context.Context, posts ...Post) error {
	byGroup := map[string][]any{}
	ttl := map[string]time.Duration{}
	for _, p := range posts {
		if p.GroupID == "" {
			continue
		}
		byGroup[p.GroupID] = append(byGroup[p.GroupID], p.PublishAt.UnixMilli(), p.ID)
		if c.opts.retention > 0 {
			// The index outlives the latest record of the group.
			d := max(p.PublishAt.Sub(c.opts.now()), 0) + c.opts.maxLateness + c.opts.retention + 24*time.Hour
			ttl[p.GroupID] = max(ttl[p.GroupID], d)
		}
	}
	if len(byGroup) == 0 {
		return nil
	}
	_, err := c.store.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for g, args := range byGroup {
			groupIndexScript.Eval(ctx, pipe, []string{groupKey(g)}, append([]any{ttl[g].Milliseconds()}, args...)...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index groups: %w", err)
	}
	return nil
}

// GroupStatus returns every post of group id with its state, by publish
// time then post id; ErrNotFound when the group has no post.
func (c *Client) GroupStatus(ctx context.Context, id string) (Group, error) {
	q, err := c.own("group_id", id)
	if err != nil {
		return Group{}, err
	}
	g, err := c.groupStatus(ctx, q)
	for i := range g.Posts {
		g.Posts[i] = g.Posts[i].forApp()
	}
	g.GroupID = appID(g.GroupID)
	return g, err
}

// groupStatus is GroupStatus of a stored group id; the statuses carry
// stored ids.
func (c *Client) groupStatus(ctx context.Context, id string) (Group, error) {
	posts, err := c.groupPosts(ctx, id)
	if err != nil {
		return Group{}, err
	}
	if len(posts) == 0 {
		return Group{}, fmt.Errorf("group %s: %w", appID(id), ErrNotFound)
	}
	return Group{GroupID: id, Posts: posts}, nil
}

// groupPosts reads the statuses of group id's posts, dropping index
// entries whose record is gone or names another group (an expired post
// whose id was used again).
func (c *Client) groupPosts(ctx context.Context, id string) ([]PostStatus, error) {
	zs, err := c.store.rdb.ZRangeWithScores(ctx, groupKey(id), 0, MaxGroupPosts-1).Result()
	if err != nil {
		return nil, fmt.Errorf("group %s: %w", appID(id), err)
	}
	entries := make([]indexEntry, len(zs))
	for i, z := range zs {
		m, _ := z.Member.(string)
		entries[i] = indexEntry{Score: int64(z.Score), ID: m}
	}
	sts, err := c.store.loadStatuses(ctx, entries)
	if err != nil {
		return nil, err
	}
	var out []PostStatus
	var stale []any
	for i, st := range sts {
		if st.PostID == "" || st.GroupID != id {
			stale = append(stale, entries[i].ID)
			continue
		}
		out = append(out, st)
	}
	if len(stale) > 0 {
		_ = c.store.rdb.ZRem(ctx, groupKey(id), stale...).Err() // tidying only
	}
	slices.SortFunc(out, func(a, b PostStatus) int {
		return cmp.Or(a.PublishAt.Compare(b.PublishAt), cmp.Compare(a.PostID, b.PostID))
	})
	return out, nil
}

// Outcomes of one post of CancelGroup.
const (
	// CancelCanceled: the post is canceled (now, or before).
	CancelCanceled = "canceled"
	// CancelRequested: the platform may have the post; the next attempt
	// looks, and ends it canceled or published (as CancelPost).
	CancelRequested = "cancel_requested"
	// CancelRefused: the post is published or failed; Err says which
	// (ErrAlreadyPublished, ErrFinal), as CancelPost's.
	CancelRefused = "refused"
)

// GroupCancelResult is what CancelGroup did with one post.
type GroupCancelResult struct {
	PostID string
	// Result is CancelCanceled, CancelRequested or CancelRefused.
	Result string
	// Status is the post's status after the call.
	Status PostStatus
	// Err is CancelPost's error for a refused post.
	Err error
}

// CancelGroup cancels every post of group id that is not yet published,
// each as CancelPost does, and returns a result per post (by publish
// time); ErrNotFound when the group has no post. A post that cannot be
// canceled (published, failed) does not stop the others. The error is
// for the call as a whole (Redis unreachable).
func (c *Client) CancelGroup(ctx context.Context, id string) ([]GroupCancelResult, error) {
	q, err := c.own("group_id", id)
	if err != nil {
		return nil, err
	}
	g, err := c.groupStatus(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]GroupCancelResult, len(g.Posts))
	for i, p := range g.Posts {
		out[i].PostID = appID(p.PostID)
		st, _, err := c.cancel(ctx, p.PostID)
		out[i].Status = st.forApp()
		switch {
		case errors.Is(err, ErrAlreadyPublished), errors.Is(err, ErrFinal), errors.Is(err, ErrNotFound):
			out[i].Result, out[i].Err = CancelRefused, err
		case err != nil:
			return out[:i], err
		case st.State == StateCancelRequested:
			out[i].Result = CancelRequested
		default:
			out[i].Result = CancelCanceled
		}
	}
	return out, nil
}

// forgetGroup takes postID out of its group's index, for an erasure.
// Run it before the record is deleted.
func (c *Client) forgetGroup(ctx context.Context, postID string) {
	if g, _ := c.store.rdb.HGet(ctx, recordKey(postID), "group").Result(); g != "" {
		_ = c.store.rdb.ZRem(ctx, groupKey(g), postID).Err()
	}
}
