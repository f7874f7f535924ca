package jobs

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ExportedPost is a post with its status, as ExportPosts gives it. Its
// JSON is the post's own fields (those SchedulePost and the API take)
// with the status under "status", so an export can be imported again.
type ExportedPost struct {
	Post
	Status PostStatus `json:"status"`
}

// ExportPosts calls fn with every post of q (its Limit is the page size
// read at a time; its Cursor, if set, where to begin), in ListPosts'
// order, stopping at fn's first error.
func (c *Client) ExportPosts(ctx context.Context, q ListQuery, fn func(ExportedPost) error) error {
	for {
		entries, next, err := c.listEntries(ctx, q)
		if err != nil {
			return err
		}
		cmds := make([]*redis.MapStringStringCmd, len(entries))
		_, err = c.store.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, e := range entries {
				cmds[i] = p.HGetAll(ctx, recordKey(e.ID))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("export posts: %w", err)
		}
		for i, cmd := range cmds {
			h := cmd.Val()
			if len(h) == 0 {
				continue // expired since it was listed
			}
			rec, err := decodeRecord(entries[i].ID, h)
			if err != nil {
				return err
			}
			if q.State != "" && rec.State != q.State {
				continue
			}
			if err := fn(ExportedPost{Post: rec.Post.forApp(), Status: rec.PostStatus.forApp()}); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		q.Cursor = next
	}
}
