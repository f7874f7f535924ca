package main

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
)

// setMaxClients sets the test server's maxclients until the test ends.
// The server is the package's: tests here run one at a time.
func setMaxClients(t *testing.T, db *redistest.DB, n int) {
	t.Helper()
	ctx := context.Background()
	old, err := db.Client.ConfigGet(ctx, "maxclients").Result()
	if err != nil {
		t.Skipf("CONFIG GET maxclients: %v", err)
	}
	if err := db.Client.ConfigSet(ctx, "maxclients", fmt.Sprint(n)).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Client.ConfigSet(ctx, "maxclients", old["maxclients"]) })
}

// A worker of concurrency 4000 in two loops may open 1014 connections
// (jobs.PoolSize: 4000/4 + 2*2 + 8 = 1012, and asynq's subscriber of
// each loop): doctor says so against maxclients, through the binary's
// worker and doctor, and names the knobs.
func TestDoctorWeighsWorkersPoolsAgainstMaxclients(t *testing.T) {
	if 10*runtime.GOMAXPROCS(0) > 1012 {
		t.Skip("go-redis's floor of 10 per CPU passes the pool this test expects")
	}
	db, insp, _ := workerEnv(t)
	t.Setenv("HERALD_WORKER_CONCURRENCY", "4000")
	startHeraldWorker(t)
	waitLive(t, insp, 1)
	// The worker's connections carry its name: at least each loop's
	// subscriber.
	eventually.True(t, 15*time.Second, func() bool {
		c, err := readClients(context.Background(), db.Client)
		return err == nil && c.Workers >= testDequeuers
	}, "CLIENT LIST shows the worker's connections by name")

	for _, tt := range []struct {
		maxclients int
		want       string // "" for no finding
		fails      bool
	}{
		{5000, "", false},
		{1100, "WARNING: the live workers may open 1014 connections and other processes hold", false},
		{1000, "PROBLEM: the live workers may open 1014 connections and other processes hold", true},
	} {
		setMaxClients(t, db, tt.maxclients)
		out, _, err := herald(t, context.Background(), "doctor")
		if !strings.Contains(out, fmt.Sprintf("redis clients: maxclients %d, ", tt.maxclients)) ||
			!strings.Contains(out, "the 1 live worker may open 1014 (pool and asynq's subscribers)") {
			t.Errorf("maxclients %d: doctor does not weigh the worker's pool:\n%s", tt.maxclients, out)
		}
		// Some of those connected are the worker's, not counted twice.
		if strings.Contains(out, " 0 of them workers'") || strings.Contains(out, "CLIENT LIST refused") {
			t.Errorf("maxclients %d: doctor does not tell the worker's connections:\n%s", tt.maxclients, out)
		}
		finding := ""
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "of maxclients") {
				finding = line
			}
		}
		switch {
		case tt.want == "" && finding != "":
			t.Errorf("maxclients %d: doctor finds %q", tt.maxclients, finding)
		case tt.want != "" && (!strings.Contains(finding, tt.want) || !strings.Contains(finding, fmt.Sprintf("of maxclients %d", tt.maxclients)) ||
			!strings.Contains(finding, "raise Redis's maxclients, or lower HERALD_WORKER_CONCURRENCY or the number of workers")):
			t.Errorf("maxclients %d: doctor's finding %q, want %q naming the numbers and the fix:\n%s", tt.maxclients, finding, tt.want, out)
		}
		if (err != nil) != tt.fails {
			t.Errorf("maxclients %d: doctor: %v, want failing %v:\n%s", tt.maxclients, err, tt.fails, out)
		}
	}
}

// Managed Redis often refuses CONFIG (and may refuse CLIENT LIST):
// doctor then says it could not check, which is neither a warning nor a
// problem, and still names what the workers need.
func TestDoctorCannotCheckMaxclientsOnARefusingRedis(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	const user = "doctor-without-config"
	if err := db.Client.Do(ctx, "ACL", "SETUSER", user, "reset", "on", ">pw", "~*", "&*", "+@all", "-config", "-client|list").Err(); err != nil {
		t.Skipf("ACL SETUSER: %v", err)
	}
	t.Cleanup(func() { db.Client.Do(ctx, "ACL", "DELUSER", user) })
	opt := *db.Client.Options()
	opt.Username, opt.Password = user, "pw"
	rdb := redis.NewClient(&opt)
	t.Cleanup(func() { rdb.Close() })

	var out bytes.Buffer
	d := &diagnosis{w: &out}
	doctorClients(ctx, d, rdb, []*worker{{Host: "h", PID: 1, Concurrency: 4000, Loops: 2}})
	for _, want := range []string{
		"redis clients: maxclients unknown, ", "CLIENT LIST refused",
		"the 1 live worker may open 1014", "note: could not check maxclients (",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor lacks %q:\n%s", want, out.String())
		}
	}
	if d.warnings+d.problems != 0 {
		t.Errorf("a refused CONFIG GET is %d warnings, %d problems, want none:\n%s", d.warnings, d.problems, out.String())
	}
}

// The connections the workers hold now are part of what their pools may
// open: doctor counts them once. A worker of concurrency 2000 in four
// loops may open 520 (2000/4 + 2*4 + 8, and a subscriber a loop); 500 of
// the 600 connected are the workers', so 620 of 1000 is no finding,
// where counting them twice would pass maxclients.
func TestDoctorCountsWorkersConnectionsOnce(t *testing.T) {
	var out bytes.Buffer
	d := &diagnosis{w: &out}
	judgeClients(d, redisClients{Max: 1000, Connected: 600, Workers: 500}, []*worker{{Concurrency: 2000, Loops: 4}})
	if d.warnings+d.problems != 0 || !strings.Contains(out.String(), "600 connected (500 of them workers'); the 1 live worker may open 520") {
		t.Errorf("%d warnings, %d problems, want none:\n%s", d.warnings, d.problems, out.String())
	}
}
