package jobs

import (
	"context"
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

// logTasks logs each task's end with its type, id, attempt and duration.
// Payloads are not logged: they hold users' content.
func logTasks(log *slog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			err := next.ProcessTask(ctx, t)
			attrs := []any{"type", t.Type(), "task_id", id, "retried", retried, "duration", time.Since(start).Round(time.Millisecond)}
			if err != nil {
				log.Warn("task failed", append(attrs, "err", err)...)
			} else {
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
