package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// asynq's own orphan recovery, measured as TestChaosWorkersKilled
// measures Herald's: bare asynq workers (this test binary, started with
// bareWorkerEnv set) run 600 ms tasks while some are killed with
// SIGKILL; the time from a kill to the next start of each task it was
// running is asynq's recovery time (lease expiry, then its recoverer).

const (
	bareWorkerEnv = "HERALD_CHAOS_BARE_ASYNQ_WORKER" // its value is Redis's unix socket
	bareStarts    = "bare:starts"                    // list of "task attempt unix_ms"
)

func bareAttemptKey(id string) string { return "bare:attempts:" + id }

// runBareWorker is a bare asynq server with a 600 ms handler that notes
// each start. It runs until SIGTERM (or SIGKILL).
func runBareWorker() int {
	opt := asynq.RedisClientOpt{Network: "unix", Addr: os.Getenv(bareWorkerEnv)}
	rdb := opt.MakeRedisClient().(redis.UniversalClient)
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:     20,
		ShutdownTimeout: 2 * time.Second,
		RetryDelayFunc:  func(int, error, *asynq.Task) time.Duration { return 200 * time.Millisecond },
	})
	h := asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		n, err := rdb.Incr(ctx, bareAttemptKey(id)).Result()
		if err != nil {
			return err
		}
		if err := rdb.RPush(ctx, bareStarts, fmt.Sprintf("%s %d %d", id, n, time.Now().UnixMilli())).Err(); err != nil {
			return err
		}
		select {
		case <-time.After(600 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if err := srv.Start(h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	srv.Shutdown()
	return 0
}

// startBare starts a bare asynq worker process, tracked as the rig's
// herald workers are.
func (r *rig) startBare() {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextID
	r.nextID++
	log, err := os.Create(filepath.Join(r.dir, fmt.Sprintf("bare-%d.log", id)))
	if err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), bareWorkerEnv+"="+r.redis.Socket)
	r.track(id, cmd, log)
}

// TestChaosBareAsynqRecovery measures asynq's own orphan recovery, the
// baseline of Herald's (make chaos only: it waits out asynq's lease and
// recoverer, one to two minutes).
func TestChaosBareAsynqRecovery(t *testing.T) {
	if !full() {
		t.Skip("make chaos only (HERALD_CHAOS=full)")
	}
	t.Parallel()
	r := newRig(t, "everysec")
	ctx := context.Background()
	q := asynq.NewClientFromRedisClient(r.rdb)
	const n, kills = 300, 6
	spread := 20 * time.Second
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("bare-%04d", i)
		_, err := q.Enqueue(asynq.NewTask("bare", nil), asynq.TaskID(ids[i]), asynq.MaxRetry(25),
			asynq.ProcessIn(time.Second+spread*time.Duration(i)/n))
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		r.startBare()
	}
	insp := asynq.NewInspectorFromRedisClient(r.rdb)
	rng := rand.New(rand.NewPCG(1, 2))
	var snaps []killSnapshot
	tick := time.NewTicker(spread / (kills + 1))
	for i := range kills {
		if i > 0 {
			<-tick.C
		}
		r.killBusy(rng)
		at := time.Now()
		s := killSnapshot{at: at, attempts: map[string]int{}}
		active, _ := insp.ListActiveTasks("default", asynq.PageSize(1000))
		for _, ti := range active {
			a, _ := strconv.Atoi(r.rdb.Get(ctx, bareAttemptKey(ti.ID)).Val())
			s.attempts[ti.ID] = a
		}
		snaps = append(snaps, s)
		r.startBare()
	}
	tick.Stop()
	waitFor(t, 4*time.Minute, "every bare task done", func() bool {
		qi, err := insp.GetQueueInfo("default")
		return err == nil && qi.Pending+qi.Active+qi.Scheduled+qi.Retry == 0
	})
	began := map[string]map[int]time.Time{}
	for _, line := range r.rdb.LRange(ctx, bareStarts, 0, -1).Val() {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		a, _ := strconv.Atoi(f[1])
		ms, _ := strconv.ParseInt(f[2], 10, 64)
		if began[f[0]] == nil {
			began[f[0]] = map[int]time.Time{}
		}
		began[f[0]][a] = time.UnixMilli(ms)
	}
	rec := recoveries(snaps, began)
	if len(rec) == 0 {
		t.Fatal("no task was orphaned by a kill: the scenario proved nothing")
	}
	t.Logf("bare asynq orphan recovery (kill -> next attempt), %d orphans: p50 %s, p99 %s, max %s",
		len(rec), percentile(rec, 0.5).Round(100*time.Millisecond), percentile(rec, 0.99).Round(100*time.Millisecond), percentile(rec, 1).Round(100*time.Millisecond))
}
