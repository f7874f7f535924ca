package youtube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
)

// Quota costs in units, per the Data API's quota table.
const (
	costList         = 1
	costThumbnail    = 50
	costPlaylistItem = 50
)

// Buckets, as hash fields of the day's key.
const (
	bucketUploads = "uploads"
	bucketUnits   = "units"
)

// pacific is where YouTube's quota day begins and ends.
var pacific = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: cannot happen
	}
	return loc
}

// quota counts a project's spending per Pacific day in Redis, in one hash
// per day: herald:yt:quota:<project>:<YYYYMMDD> {uploads, units}. Every
// worker of the project shares it. Spending is checked and counted in one
// script, before the call: a call that would go over the budget is not
// made. A call that then fails still counts, as Google counts it.
type quota struct {
	rdb              redis.UniversalClient
	project          string
	uploads, units   int64
	uploadUnits      int64
	analyticsReserve int64
}

// ttl keeps a day's key a little past its day, for the metrics of late
// readers.
const quotaTTL = 48 * time.Hour

func newQuota(opts Options, _ func() time.Time) *quota {
	q := &quota{
		rdb:              opts.Redis,
		project:          orString(opts.Project, DefaultProject),
		uploads:          opts.UploadsPerDay,
		units:            opts.UnitsPerDay,
		uploadUnits:      max(opts.UploadUnits, 0),
		analyticsReserve: opts.AnalyticsReserve,
	}
	if q.uploads <= 0 {
		q.uploads = DefaultUploadsPerDay
	}
	if q.units <= 0 {
		q.units = DefaultUnitsPerDay
	}
	if q.analyticsReserve == 0 {
		q.analyticsReserve = DefaultAnalyticsReserve
	}
	q.analyticsReserve = max(q.analyticsReserve, 0)
	return q
}

// day is the quota day of t, and the reset that ends it.
func day(t time.Time) (string, time.Time) {
	p := t.In(pacific)
	return p.Format("20060102"), time.Date(p.Year(), p.Month(), p.Day()+1, 0, 0, 0, 0, pacific)
}

// untilReset is how long from now until the quota resets.
func (q *quota) untilReset(now time.Time) time.Duration {
	_, reset := day(now)
	return reset.Sub(now)
}

func (q *quota) key(now time.Time) string {
	d, _ := day(now)
	return "herald:yt:quota:" + q.project + ":" + d
}

// spendScript adds ARGV[2] to field ARGV[1] unless that takes it past
// ARGV[3]; it returns {1, used} when spent, {0, used} when not.
var spendScript = redis.NewScript(`
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local cost = tonumber(ARGV[2])
if used + cost > tonumber(ARGV[3]) then
  return {0, used}
end
used = redis.call('HINCRBY', KEYS[1], ARGV[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, used}
`)

// exhaustScript raises field ARGV[1] to ARGV[2].
var exhaustScript = redis.NewScript(`
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if used < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`)

// spendUpload counts one videos.insert (and its units, if any).
func (q *quota) spendUpload(ctx context.Context, now time.Time) error {
	if err := q.spend(ctx, now, bucketUploads, 1, q.uploads, "upload"); err != nil {
		return err
	}
	if q.uploadUnits > 0 {
		return q.spend(ctx, now, bucketUnits, q.uploadUnits, q.units, "upload")
	}
	return nil
}

// spendUnits counts cost units of a publishing step.
func (q *quota) spendUnits(ctx context.Context, now time.Time, cost int64, what string) error {
	return q.spend(ctx, now, bucketUnits, cost, q.units, what)
}

// spendAnalytics counts cost units of analytics, which leave the reserve
// alone.
func (q *quota) spendAnalytics(ctx context.Context, now time.Time, cost int64) error {
	return q.spend(ctx, now, bucketUnits, cost, q.units-q.analyticsReserve, "analytics")
}

func (q *quota) spend(ctx context.Context, now time.Time, field string, cost, limit int64, what string) error {
	if q.rdb == nil {
		return nil
	}
	res, err := spendScript.Run(ctx, q.rdb, []string{q.key(now)}, field, cost, limit, quotaTTL.Milliseconds()).Int64Slice()
	if err != nil {
		return publishers.Transient(fmt.Errorf("youtube: quota of project %s: %w", q.project, err))
	}
	if len(res) != 2 {
		return publishers.Transient(errors.New("youtube: quota script answered " + fmt.Sprint(res)))
	}
	if res[0] == 0 {
		return publishers.RateLimited(q.untilReset(now), fmt.Errorf(
			"youtube: %s: project %s has spent %d of %d %s today (Pacific time); waiting for the reset",
			what, q.project, res[1], limit, field))
	}
	return nil
}

// exhaust records that YouTube said the bucket is empty, so that other
// jobs wait for the reset without asking.
func (q *quota) exhaust(ctx context.Context, now time.Time, field string) {
	if q.rdb == nil {
		return
	}
	limit := q.units
	if field == bucketUploads {
		limit = q.uploads
	}
	// Best effort: the job waits for the reset either way.
	exhaustScript.Run(ctx, q.rdb, []string{q.key(now)}, field, limit, quotaTTL.Milliseconds())
}

// Usage is a project's quota use today (Pacific time).
type Usage struct {
	Project string
	// Uploads and Units are spent; UploadsBudget and UnitsBudget are the
	// day's budgets.
	Uploads, UploadsBudget int64
	Units, UnitsBudget     int64
	// Reset is when the counts go back to zero.
	Reset time.Time
}

// QuotaUsage reads today's quota use, for metrics. Without Redis it
// reports zero use.
func (p *Publisher) QuotaUsage(ctx context.Context) (Usage, error) {
	q, now := p.quota, p.now()
	_, reset := day(now)
	u := Usage{Project: q.project, UploadsBudget: q.uploads, UnitsBudget: q.units, Reset: reset}
	if q.rdb == nil {
		return u, nil
	}
	vals, err := q.rdb.HMGet(ctx, q.key(now), bucketUploads, bucketUnits).Result()
	if err != nil {
		return u, fmt.Errorf("youtube: quota of project %s: %w", q.project, err)
	}
	u.Uploads, u.Units = count(vals[0]), count(vals[1])
	return u, nil
}

func count(v any) int64 {
	s, _ := v.(string)
	var n int64
	fmt.Sscan(strings.TrimSpace(s), &n)
	return n
}
