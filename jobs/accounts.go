package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"
)

// revokePayload is an account:revoke task's payload.
type revokePayload struct {
	V         int    `json:"v"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform,omitempty"`
}

func revokeTaskID(account string) string { return "revoke:" + account }

// AccountDisconnected does what jobs owes a disconnected account: it
// enqueues the revocation of its token on the critical queue and cancels
// every post of it that has not gone out. tokens.Vault calls it through
// Options.OnDisconnect.
func (c *Client) AccountDisconnected(ctx context.Context, accountID, platform string) error {
	payload, _ := json.Marshal(revokePayload{V: payloadVersion, AccountID: accountID, Platform: platform})
	_, err := c.q.EnqueueContext(ctx, asynq.NewTask(TypeAccountRevoke, payload),
		asynq.TaskID(revokeTaskID(accountID)), asynq.Queue(QueueCritical), asynq.MaxRetry(8))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue revoke of %s: %w", accountID, err)
	}
	ids, err := c.store.rdb.ZRange(ctx, accountPostsKey(accountID), 0, -1).Result()
	if err != nil {
		return err
	}
	for _, id := range ids {
		_, _, err := c.cancel(ctx, id)
		if err != nil && !errors.Is(err, ErrAlreadyPublished) && !errors.Is(err, ErrFinal) && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("cancel post %s of %s: %w", id, accountID, err)
		}
	}
	// An attempt that was already talking to the platform was asked to
	// stop; wait until it has, so that nothing of the account is published
	// after Disconnect returns. Every post's, not only those this call
	// canceled: a repeated Disconnect (after a first that failed) must
	// wait for the attempts the first one canceled.
	if err := c.waitUnlocked(ctx, ids); err != nil {
		return fmt.Errorf("wait for the running attempts of %s: %w", accountID, err)
	}
	_ = c.AccountEvent(ctx, EventAccountDisconnected, accountID, platform, "")
	return nil
}

// ForgetAccount deletes everything jobs keeps that names the account:
// publication records, the post index, the analytics snapshot, its tasks
// in every asynq state and queue, and its entries in the events stream.
// tokens.Vault calls it through Options.OnErase.
func (c *Client) ForgetAccount(ctx context.Context, accountID string) (map[string]int, error) {
	n := map[string]int{}
	ids, err := c.store.rdb.ZRange(ctx, accountPostsKey(accountID), 0, -1).Result()
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		c.deleteTask(QueuePublish, publishTaskID(id), n)
		d, err := c.store.rdb.Del(ctx, recordKey(id)).Result()
		if err != nil {
			return n, err
		}
		n["posts"] += int(min(d, 1))
	}
	c.deleteTask(QueueCritical, revokeTaskID(accountID), n)
	// Analytics tasks have one id per window: find them by payload.
	for _, q := range []string{QueueAnalytics, QueueWebhooks} {
		if err := c.deleteTasksNaming(q, accountID, n); err != nil {
			return n, err
		}
	}
	d, err := c.store.rdb.Del(ctx, accountPostsKey(accountID), analyticsKey(accountID), historyKey(accountID), reconnectKey(accountID)).Result()
	if err != nil {
		return n, err
	}
	n["indexes"] += int(d)
	ev, err := c.forgetEvents(ctx, accountID)
	n["events"] += ev
	if err != nil {
		return n, err
	}
	// The one trace left: that the account was erased, for the product
	// app's own cleanup (it names nothing but the account id).
	_ = c.AccountEvent(ctx, EventAccountErased, accountID, "", "")
	return n, nil
}

// deleteTask removes a task whatever its state; an active one is
// canceled first (it will find its record gone and stop).
func (c *Client) deleteTask(queue, id string, n map[string]int) {
	info, err := c.insp.GetTaskInfo(queue, id)
	if err != nil {
		return
	}
	if info.State == asynq.TaskStateActive {
		_ = c.insp.CancelProcessing(id)
		return
	}
	if c.insp.DeleteTask(queue, id) == nil {
		n["tasks"]++
	}
}

// deleteTasksNaming deletes the queue's tasks whose payload names account.
func (c *Client) deleteTasksNaming(queue, account string, n map[string]int) error {
	needle := `"account_id":"` + account + `"`
	lists := []func(string, ...asynq.ListOption) ([]*asynq.TaskInfo, error){
		c.insp.ListPendingTasks, c.insp.ListScheduledTasks, c.insp.ListRetryTasks,
		c.insp.ListArchivedTasks, c.insp.ListCompletedTasks,
	}
	for _, list := range lists {
		for page := 1; ; page++ {
			tasks, err := list(queue, asynq.Page(page), asynq.PageSize(500))
			if errors.Is(err, asynq.ErrQueueNotFound) {
				break
			}
			if err != nil {
				return err
			}
			deleted := 0
			for _, t := range tasks {
				if strings.Contains(string(t.Payload), needle) && c.insp.DeleteTask(queue, t.ID) == nil {
					n["tasks"]++
					deleted++
				}
			}
			if len(tasks) < 500 {
				break
			}
			page -= min(1, deleted) // deleting shifted the pages
		}
	}
	return nil
}

// forgetEvents deletes the events stream's entries about account.
func (c *Client) forgetEvents(ctx context.Context, account string) (int, error) {
	deleted := 0
	start := "-"
	for {
		msgs, err := c.store.rdb.XRangeN(ctx, EventsStream, start, "+", 1000).Result()
		if err != nil {
			return deleted, err
		}
		var ids []string
		for _, m := range msgs {
			if m.Values["account_id"] == account {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			d, err := c.store.rdb.XDel(ctx, EventsStream, ids...).Result()
			if err != nil {
				return deleted, err
			}
			deleted += int(d)
		}
		if len(msgs) < 1000 {
			return deleted, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// Revoker revokes a disconnected account's token at its platform
// (tokens.Vault).
type Revoker interface {
	Revoke(ctx context.Context, accountID string, force bool) (revoked bool, err error)
}

// revokeHandler runs account:revoke tasks. Its last attempt forces the
// deletion of the token even when the platform keeps failing.
type revokeHandler struct{ revoker Revoker }

func (h *revokeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p revokePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || checkID("account_id", p.AccountID) != nil {
		return fmt.Errorf("payload: not a revoke payload: %w", asynq.SkipRetry)
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	_, err := h.revoker.Revoke(ctx, p.AccountID, retried >= maxRetry)
	return err
}
