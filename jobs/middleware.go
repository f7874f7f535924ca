package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"
)

// recoverPanics turns a handler's panic into an error, so one bad task
// fails on its own instead of taking the worker down with it.
func recoverPanics(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic in %s handler: %v\n%s", t.Type(), r, debug.Stack())
			}
		}()
		return next.ProcessTask(ctx, t)
	})
}

// taskSubject is what a task is about, read from its payload for logs:
// ids only, never content.
type taskSubject struct {
	Post struct {
		ID        string `json:"post_id"`
		AccountID string `json:"account_id"`
		Platform  string `json:"platform"`
	} `json:"post"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform"`
}

// logTasks logs each task's end with its type, id, the post, account and
// platform it is about, its attempt and duration. Content is not logged.
func logTasks(log *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			err := next.ProcessTask(ctx, t)
			_, snoozed := Snoozed(err)
			level := slog.LevelDebug
			if err != nil && !snoozed {
				level = slog.LevelWarn
			}
			if !log.Enabled(ctx, level) {
				return err // a successful task at info level: nothing to decode
			}
			attrs := []any{"type", t.Type(), "task_id", id, "attempt", retried + 1, "duration", time.Since(start).Round(time.Millisecond)}
			var subj taskSubject
			if json.Unmarshal(t.Payload(), &subj) == nil {
				if subj.Post.ID != "" {
					attrs = append(attrs, "post_id", subj.Post.ID, "account_id", subj.Post.AccountID, "platform", subj.Post.Platform)
				} else if subj.AccountID != "" {
					attrs = append(attrs, "account_id", subj.AccountID, "platform", subj.Platform)
				}
			}
			switch {
			case snoozed:
				log.Debug("task snoozed", append(attrs, "reason", err)...)
			case err != nil:
				log.Warn("task failed", append(attrs, "err", err)...)
			default:
				log.Debug("task done", attrs...)
			}
			return err
		})
	}
}

// asynqLogger sends asynq's own log lines to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }

// Fatal logs at error level. asynq calls it on errors it cannot recover
// from; the worker's Run returns the error instead of exiting the process.
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
