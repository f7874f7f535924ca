package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/webhook"
)

// revokePayload is an account:revoke task's payload.
type revokePayload struct {
	V         int    `json:"v"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform,omitempty"`
	// DisconnectedAt (unix ms) starts the look window (disconnectlook.go).
	DisconnectedAt int64 `json:"disconnected_at,omitempty"`
}

func revokeTaskID(account string) string { return "revoke:" + account }

// accountDisconnected does what jobs owes a disconnected account: it
// cancels every post of it that has not gone out and enqueues the
// revocation of its token on the critical queue. tokens.Vault calls it
// through Options.OnDisconnect (see VaultHooks).
func (c *Client) accountDisconnected(ctx context.Context, accountID, platform string) error {
	at := c.opts.now()
	ids, err := c.store.rdb.ZRange(ctx, accountPostsKey(accountID), 0, -1).Result()
	if err == nil {
		err = c.cancelAll(ctx, accountID, ids)
	}
	// The revocation is enqueued after the cancels, so that its job sees
	// the posts whose look needs the token (disconnectlook.go), and also
	// when a cancel failed.
	if qerr := c.enqueueRevoke(ctx, accountID, platform, at.UnixMilli()); qerr != nil {
		return errors.Join(err, qerr)
	}
	if err != nil {
		return err
	}
	// An attempt that was already talking to the platform was asked to
	// stop; wait until it has, so that nothing of the account is published
	// after Disconnect returns. Every post's, not only those this call
	// canceled: a repeated Disconnect (after a first that failed) must
	// wait for the attempts the first one canceled.
	if err := c.waitUnlocked(ctx, ids); err != nil {
		return fmt.Errorf("wait for the running attempts of %s: %w", accountID, err)
	}
	_ = c.store.appendEvent(ctx, events.Event{Type: events.AccountDisconnected, AccountID: accountID, Platform: platform})
	return nil
}

// enqueueRevoke enqueues the revocation of the tokens the Vault keeps
// aside for accountID (a disconnect's, or the one a reconnect replaced).
// A revoke task already there takes them too: Revoke reads the kept
// tokens again after each round. disconnectedAt (unix ms, 0 for a
// reconnect's replaced token) starts the look window (disconnectlook.go).
func (c *Client) enqueueRevoke(ctx context.Context, accountID, platform string, disconnectedAt int64) error {
	payload, _ := json.Marshal(revokePayload{V: payloadVersion, AccountID: accountID, Platform: platform, DisconnectedAt: disconnectedAt})
	_, err := c.q.EnqueueContext(ctx, asynq.NewTask(TypeAccountRevoke, payload),
		asynq.TaskID(revokeTaskID(accountID)), asynq.Queue(QueueCritical), asynq.MaxRetry(8))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue revoke of %s: %w", accountID, err)
	}
	return nil
}

// cancelAll cancels the posts ids of accountID that have not gone out.
func (c *Client) cancelAll(ctx context.Context, accountID string, ids []string) error {
	for _, id := range ids {
		_, _, err := c.cancel(ctx, id)
		if err != nil && !errors.Is(err, ErrAlreadyPublished) && !errors.Is(err, ErrFinal) && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("cancel post %s of %s: %w", id, accountID, err)
		}
	}
	return nil
}

// forgetAccount deletes everything jobs keeps that names the account:
// publication records, the post index, the analytics snapshot, its tasks
// in every asynq state and queue, and its entries in the events stream.
// tokens.Vault calls it through Options.OnErase (see VaultHooks), after
// it deleted the tokens: never the other way round.
func (c *Client) forgetAccount(ctx context.Context, accountID string) (map[string]int, error) {
	n := map[string]int{}
	ids, err := c.store.rdb.ZRange(ctx, accountPostsKey(accountID), 0, -1).Result()
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		c.deleteTask(QueuePublish, publishTaskID(id), n)
		c.forgetLookups(ctx, accountID, id, n)
		c.forgetSteps(ctx, id, n)
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
	d, err := c.store.rdb.Del(ctx, accountPostsKey(accountID)).Result()
	if err != nil {
		return n, err
	}
	a, err := analytics.Forget(ctx, c.store.rdb, accountID)
	if err != nil {
		return n, err
	}
	n["indexes"] += int(d) + a
	ev, err := c.store.events.Forget(ctx, accountID)
	n["events"] += ev
	if err != nil {
		return n, err
	}
	// The one trace left: that the account was erased, for the product
	// app's own cleanup (it names nothing but the account id).
	_ = c.store.appendEvent(ctx, events.Event{Type: events.AccountErased, AccountID: accountID})
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
	names := func(p []byte) bool { return strings.Contains(string(p), needle) }
	if queue == QueueWebhooks {
		// A delivery holds the event as its tenant's app sees it.
		names = func(p []byte) bool { return webhook.TaskAbout(p, account) }
	}
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
				if names(t.Payload) && c.insp.DeleteTask(queue, t.ID) == nil {
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

// revokeHandler runs account:revoke tasks. Its last attempt forces the
// deletion of the token even when the platform keeps failing. It waits,
// bounded, while posts of the account need the token for a look
// (disconnectlook.go).
type revokeHandler struct {
	revoker Tokens
	looks   *lookHold
}

func (h *revokeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p revokePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || checkStored("account_id", p.AccountID) != nil {
		return fmt.Errorf("payload: not a revoke payload: %w", asynq.SkipRetry)
	}
	wait, err := h.looks.wait(ctx, p)
	if err != nil {
		return err
	}
	if wait > 0 {
		return snooze(wait, fmt.Sprintf("posts of %s wait for a look with the token", p.AccountID))
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	_, err = h.revoker.Revoke(ctx, p.AccountID, retried >= maxRetry)
	return err
}
