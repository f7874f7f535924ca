package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// Figure 5's token endpoint latency and worker concurrency (enough for
// every job to run at once).
const (
	refreshLatency = 50 * time.Millisecond
	refreshJobs    = 1000
)

// refreshRun is one side of figure 5.
type refreshRun struct {
	Started   time.Duration // worker start to the last job reaching the platform
	Published time.Duration // worker start to the last job published
	Calls     int           // token endpoint calls
}

// figRefresh is figure 5: 1000 due jobs of one account whose token has
// expired, against the same jobs with a token still valid.
func figRefresh(ctx context.Context, e *env) ([]row, error) {
	exp, err := refreshSide(ctx, e, true)
	if err != nil {
		return nil, fmt.Errorf("expired: %w", err)
	}
	fresh, err := refreshSide(ctx, e, false)
	if err != nil {
		return nil, fmt.Errorf("fresh: %w", err)
	}
	return []row{{
		Figure:   "5. Token refresh, time to all started",
		Herald:   fmt.Sprintf("%s, %d token call(s)", ms(exp.Started), exp.Calls),
		Baseline: fmt.Sprintf("%s, %d token call(s)", ms(fresh.Started), fresh.Calls),
		Ratio:    ratio(exp.Started.Seconds(), fresh.Started.Seconds()),
		Note: fmt.Sprintf("%d due jobs of one account, concurrency %d, token endpoint latency %s; baseline = same jobs with a valid token; want exactly 1 call; all published after %s (baseline %s)",
			refreshJobs, refreshJobs, refreshLatency, ms(exp.Published), ms(fresh.Published)),
	}}, nil
}

func refreshSide(ctx context.Context, e *env, expired bool) (refreshRun, error) {
	if err := e.fresh(ctx); err != nil {
		return refreshRun{}, err
	}
	rdb, err := e.client()
	if err != nil {
		return refreshRun{}, err
	}
	defer rdb.Close()
	oauth := tokenstest.New()
	defer oauth.Close()
	oauth.SetLatency(refreshLatency)
	vault := e.newVault(rdb, tokens.Platform{
		OAuth: &oauth2.Config{ClientID: "bench", ClientSecret: "bench", Endpoint: oauth.Endpoint()},
	})
	expiry := time.Now().Add(time.Hour)
	if expired {
		expiry = time.Now().Add(-time.Minute)
	}
	const acct = "acct-refresh"
	if err := vault.Connect(ctx, tokens.Account{ID: acct, Platform: "sandbox", PlatformUserID: "u-1", Token: oauth.Issue(expiry)}); err != nil {
		return refreshRun{}, err
	}
	at := dueAt()
	if err := schedule(ctx, jobs.NewClient(rdb), refreshJobs, func(i int) jobs.Post { return post("t", i, acct, at) }); err != nil {
		return refreshRun{}, err
	}
	started, published := newCountdown(refreshJobs), newCountdown(refreshJobs)
	pub := &noop{OnCall: started.hit}
	start := time.Now()
	w, err := startHerald(rdb, workerConfig(e.log, refreshJobs, pub, vault, e.keys, func(o jobs.Outcome) {
		if o.State == jobs.StatePublished {
			published.hit()
		}
	}))
	if err != nil {
		return refreshRun{}, err
	}
	werr := published.wait(ctx, 2*time.Minute)
	_ = w.stop()
	if werr != nil {
		return refreshRun{}, werr
	}
	return refreshRun{
		Started:   time.Unix(0, started.at.Load()).Sub(start),
		Published: time.Unix(0, published.at.Load()).Sub(start),
		Calls:     oauth.Refreshes(),
	}, nil
}
