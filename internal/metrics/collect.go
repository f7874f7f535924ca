package metrics

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// collectTimeout bounds the read behind one scrape of a collector.
const collectTimeout = 5 * time.Second

// Quota is one daily quota bucket of a platform's project, as a platform
// reports it (youtube.Publisher.QuotaUsage).
type Quota struct {
	Platform string
	// Project names the budget (a Google Cloud project).
	Project string
	// Bucket names the counter within it: "uploads", "units".
	Bucket      string
	Used, Limit int64
	// Reset is when Used goes back to zero; zero if unknown.
	Reset time.Time
}

// projectName is the shape of a project label (Google project ids).
var projectName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

var (
	quotaUsed = prometheus.NewDesc("herald_platform_quota_used",
		"Quota spent today, by platform, project and bucket.", []string{"platform", "project", "bucket"}, nil)
	quotaLimit = prometheus.NewDesc("herald_platform_quota_limit",
		"Quota budget a day, by platform, project and bucket.", []string{"platform", "project", "bucket"}, nil)
	quotaReset = prometheus.NewDesc("herald_platform_quota_reset_timestamp_seconds",
		"When the day's quota resets (Unix time), by platform, project and bucket.", []string{"platform", "project", "bucket"}, nil)
	quotaErr = prometheus.NewDesc("herald_platform_quota_scrape_error",
		"1 if the last read of the quota counters failed, else 0.", nil, nil)
)

// QuotaCollector reports the quota buckets read returns, calling it on
// every scrape.
func QuotaCollector(read func(context.Context) ([]Quota, error)) prometheus.Collector {
	return &funcCollector[Quota]{
		read: func(ctx context.Context) ([]Quota, error) {
			rows, err := read(ctx)
			return merge(rows, func(q Quota) Quota {
				q.Platform = platformLabel(q.Platform)
				if !projectName.MatchString(q.Project) {
					q.Project = other
				}
				q.Bucket = oneOf(q.Bucket, "uploads", "units", "requests", "posts")
				return q
			}, func(q Quota) [3]string { return [3]string{q.Platform, q.Project, q.Bucket} },
				func(a, b Quota) Quota { a.Used += b.Used; a.Limit += b.Limit; return a }), err
		},
		descs: []*prometheus.Desc{quotaUsed, quotaLimit, quotaReset, quotaErr},
		errs:  quotaErr,
		emit: func(ch chan<- prometheus.Metric, q Quota) {
			l := []string{q.Platform, q.Project, q.Bucket}
			ch <- prometheus.MustNewConstMetric(quotaUsed, prometheus.GaugeValue, float64(q.Used), l...)
			ch <- prometheus.MustNewConstMetric(quotaLimit, prometheus.GaugeValue, float64(q.Limit), l...)
			if !q.Reset.IsZero() {
				ch <- prometheus.MustNewConstMetric(quotaReset, prometheus.GaugeValue, float64(q.Reset.Unix()), l...)
			}
		},
	}
}

// AccountCount is how many accounts of a platform are in a status.
type AccountCount struct {
	Platform, Status string
	N                int64
}

var (
	accountsDesc = prometheus.NewDesc("herald_accounts",
		"Connected accounts by platform and status (active, reauth_required, revoking, disconnected).", []string{"platform", "status"}, nil)
	accountsErr = prometheus.NewDesc("herald_accounts_scrape_error",
		"1 if the last count of accounts failed, else 0.", nil, nil)
)

// AccountsCollector reports the account counts read returns, calling it
// on every scrape (wrap an expensive read with Cached).
func AccountsCollector(read func(context.Context) ([]AccountCount, error)) prometheus.Collector {
	return &funcCollector[AccountCount]{
		read: func(ctx context.Context) ([]AccountCount, error) {
			rows, err := read(ctx)
			return merge(rows, func(a AccountCount) AccountCount {
				a.Platform = platformLabel(a.Platform)
				a.Status = oneOf(a.Status, "active", "reauth_required", "revoking", "disconnected")
				return a
			}, func(a AccountCount) [3]string { return [3]string{a.Platform, a.Status} },
				func(a, b AccountCount) AccountCount { a.N += b.N; return a }), err
		},
		descs: []*prometheus.Desc{accountsDesc, accountsErr},
		errs:  accountsErr,
		emit: func(ch chan<- prometheus.Metric, a AccountCount) {
			ch <- prometheus.MustNewConstMetric(accountsDesc, prometheus.GaugeValue, float64(a.N), a.Platform, a.Status)
		},
	}
}

// funcCollector reports what read returns at each scrape. emit must not
// send two metrics with the same labels (the scrape would fail): read
// merges rows whose labels fold together first.
type funcCollector[T any] struct {
	read  func(context.Context) ([]T, error)
	descs []*prometheus.Desc
	errs  *prometheus.Desc
	emit  func(chan<- prometheus.Metric, T)
}

func (c *funcCollector[T]) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *funcCollector[T]) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	rows, err := c.read(ctx)
	failed := 0.0
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(c.errs, prometheus.GaugeValue, failed)
	if err != nil {
		return
	}
	for _, r := range rows {
		c.emit(ch, r)
	}
}

// merge folds each row's labels with fold and adds up rows whose key is
// then the same, keeping the first one's order.
func merge[T any](rows []T, fold func(T) T, key func(T) [3]string, add func(a, b T) T) []T {
	var out []T
	at := map[[3]string]int{}
	for _, r := range rows {
		r = fold(r)
		k := key(r)
		if i, ok := at[k]; ok {
			out[i] = add(out[i], r)
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// Cached wraps read so that it runs at most once per ttl; calls in
// between get the last result. Errors are not cached. now is the clock
// (nil: time.Now).
func Cached[T any](ttl time.Duration, now func() time.Time, read func(context.Context) (T, error)) func(context.Context) (T, error) {
	if now == nil {
		now = time.Now
	}
	var (
		mu   sync.Mutex
		last T
		at   time.Time
		ok   bool
	)
	return func(ctx context.Context) (T, error) {
		mu.Lock()
		defer mu.Unlock()
		if ok && now().Sub(at) < ttl {
			return last, nil
		}
		v, err := read(ctx)
		if err != nil {
			return v, err
		}
		last, at, ok = v, now(), true
		return v, nil
	}
}
