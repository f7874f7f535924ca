package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// Retention sweep pace: retentionBudget index entries every
// retentionEvery, about 500 small scripts a second, pipelined. A pass over
// 1.5 million posts (50,000 a day kept 30 days) takes about 50 minutes,
// so a record's expiry is set within that of its end when its writer did
// not set it, a small share of a 30-day retention.
const (
	retentionEvery  = 10 * time.Second
	retentionBudget = 5000
)

// sweepRetention runs the client's retention sweep until ctx ends. Several
// schedulers each run one: the sweep's changes are idempotent.
func sweepRetention(ctx context.Context, client *jobs.Client, log *slog.Logger, every time.Duration) error {
	sw := client.NewRetentionSweep()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		st, err := sw.Step(ctx, retentionBudget)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("scheduler: retention sweep", "err", err)
			continue
		}
		if st.Expiring > 0 || st.Trimmed > 0 || st.Passes > 0 {
			log.Debug("scheduler: retention sweep", "examined", st.Examined, "expiring", st.Expiring, "trimmed", st.Trimmed, "passes", st.Passes)
		}
	}
}
