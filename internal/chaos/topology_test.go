package chaos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
)

// publishThrough runs the end-to-end publish path over the Redis that
// redisURL names: connect an account, schedule posts, run a worker, and
// check each post is published exactly once. during, if set, runs while
// posts fall due (a failover, say).
func publishThrough(t *testing.T, redisURL string, n int, during func()) {
	t.Helper()
	rc, err := config.ParseRedisURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := rc.NewClient()
	defer rdb.Close()
	sb := sandboxtest.New()
	defer sb.Close()
	keys, _ := tokens.ParseKeyring(testKeys)
	client := jobs.NewClient(rdb)
	vault := tokens.New(rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}})
	ctx := context.Background()
	if err := vault.Connect(ctx, tokens.Account{ID: "acct-1", Platform: "sandbox", Token: &oauth2.Token{AccessToken: "t"}}); err != nil {
		t.Fatal(err)
	}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", sandbox.New(sb.URL(), nil))
	w, err := jobs.NewWorker(rdb, jobs.WorkerConfig{
		Concurrency: 10, Publishers: reg, Tokens: vault, Sealer: keys,
		Retry:  jobs.RetryPolicy{Base: 100 * time.Millisecond, Cap: time.Second},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	defer func() { stop(); <-done }()

	var posts []jobs.Post
	start := time.Now().Add(time.Second)
	for i := range n {
		p := jobs.Post{ID: fmt.Sprintf("p-%d", i), AccountID: "acct-1", Platform: "sandbox",
			PublishAt: start.Add(time.Duration(i) * 100 * time.Millisecond), Content: publishers.Content{Text: "hi"}}
		if err := retry(ctx, func() error { _, err := client.SchedulePost(ctx, p); return err }); err != nil {
			t.Fatalf("SchedulePost: %v", err)
		}
		posts = append(posts, p)
	}
	if during != nil {
		during()
	}
	deadline := time.Now().Add(3 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for _, p := range posts {
		for {
			st, err := client.PostStatus(ctx, p.ID)
			if err == nil && st.State == jobs.StatePublished {
				break
			}
			if err == nil && st.State.Final() {
				t.Fatalf("%s ended %s: %s %s", p.ID, st.State, st.FailureClass, st.Reason)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not published in time (last: %+v, %v)", p.ID, st, err)
			}
			<-tick.C
		}
		if got := sb.Published(p.ID); got != 1 {
			t.Errorf("%s published %d times", p.ID, got)
		}
	}
}

// retry runs f until it succeeds or 20 s pass: a failover makes Redis
// refuse writes for a moment.
func retry(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		<-tick.C
	}
}

// Three masters in cluster mode on loopback ports, slots split evenly.
func TestPublishOnRedisCluster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var addrs []string
	var clients []*redis.Client
	for range 3 {
		port, err := redisserver.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		srv, err := redisserver.Start(ctx, redisserver.Options{Port: port, Args: []string{
			"--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
		}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Stop)
		addrs = append(addrs, srv.Addr)
		c := redis.NewClient(&redis.Options{Addr: srv.Addr})
		t.Cleanup(func() { c.Close() })
		clients = append(clients, c)
	}
	per := 16384 / 3
	for i, c := range clients {
		lo, hi := i*per, (i+1)*per-1
		if i == 2 {
			hi = 16383
		}
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("ADDSLOTSRANGE: %v", err)
		}
	}
	for _, a := range addrs[1:] {
		host, port, _ := strings.Cut(a, ":")
		p, _ := strconv.Atoi(port)
		if err := clients[0].Do(ctx, "CLUSTER", "MEET", host, p).Err(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "cluster_state:ok on every node", func() bool {
		for _, c := range clients {
			info, err := c.ClusterInfo(ctx).Result()
			if err != nil || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:3") {
				return false
			}
		}
		return true
	})
	publishThrough(t, "redis-cluster://"+strings.Join(addrs, ","), size(20, 200), nil)
}

// A master, a replica and three sentinels; the master fails over while
// posts fall due.
func TestPublishThroughSentinelFailover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	masterPort, _ := redisserver.FreePort()
	master, err := redisserver.Start(ctx, redisserver.Options{Port: masterPort, AppendFsync: "everysec",
		Args: []string{"--repl-diskless-sync-delay", "0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(master.Stop)
	replicaPort, _ := redisserver.FreePort()
	replica, err := redisserver.Start(ctx, redisserver.Options{Port: replicaPort, AppendFsync: "everysec",
		Args: []string{"--replicaof", "127.0.0.1", strconv.Itoa(masterPort)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Stop)
	rc := redis.NewClient(&redis.Options{Addr: replica.Addr})
	t.Cleanup(func() { rc.Close() })
	waitFor(t, 30*time.Second, "the replica in sync", func() bool {
		info, err := rc.Info(ctx, "replication").Result()
		return err == nil && strings.Contains(info, "master_link_status:up")
	})
	var sentinels []string
	for range 3 {
		port, _ := redisserver.FreePort()
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor herald 127.0.0.1 %d 2\nsentinel down-after-milliseconds herald 1000\nsentinel failover-timeout herald 10000\n", port, dir, masterPort)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("redis-server", conf, "--sentinel")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		sentinels = append(sentinels, addr)
	}
	sc := redis.NewSentinelClient(&redis.Options{Addr: sentinels[0]})
	t.Cleanup(func() { sc.Close() })
	waitFor(t, 30*time.Second, "sentinels see the replica and each other", func() bool {
		reps, err := sc.Replicas(ctx, "herald").Result()
		if err != nil || len(reps) == 0 {
			return false
		}
		m, err := sc.Master(ctx, "herald").Result()
		return err == nil && m["num-other-sentinels"] == "2"
	})
	mc := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", masterPort)})
	t.Cleanup(func() { mc.Close() })

	failover := func() {
		if err := sc.Failover(ctx, "herald").Err(); err != nil {
			t.Fatalf("SENTINEL FAILOVER: %v", err)
		}
		waitFor(t, 30*time.Second, "the replica promoted", func() bool {
			addr, err := sc.GetMasterAddrByName(ctx, "herald").Result()
			return err == nil && addr[1] == strconv.Itoa(replicaPort)
		})
	}
	publishThrough(t, "redis-sentinel://"+strings.Join(sentinels, ",")+"/herald", size(20, 100), failover)
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still not: %s", within, what)
		}
		<-tick.C
	}
}
