package instagram_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// statusReads are the times (since epoch) the server answered status reads.
func statusReads(srv *instagramtest.Server) []time.Duration {
	var at []time.Duration
	for _, c := range srv.Calls() {
		if c.Endpoint == instagramtest.EndpointRead && c.Params.Get("fields") == "status_code,status" {
			at = append(at, c.At.Sub(epoch))
		}
	}
	return at
}

func durations(ds []time.Duration) string {
	var b []string
	for _, d := range ds {
		b = append(b, d.String())
	}
	return strings.Join(b, " ")
}

// Meta asks for a container's status about once a minute: the first
// read at once, then a minute apart.
func TestStatusIsReadOnceAMinute(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Duration: 150 * time.Second})
	if _, err := e.p.Publish(context.Background(), request(&memory{}, "reel", video("a"))); err != nil {
		t.Fatal(err)
	}
	if got, want := durations(statusReads(e.srv)), "0s 1m0s 2m0s 3m0s"; got != want {
		t.Errorf("status read at %s, want %s", got, want)
	}
}

// For at most five minutes: then the attempt is parked, its container
// kept, and the next attempt polls the same container on.
func TestStatusPollingStopsAfterFiveMinutes(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Duration: 8 * time.Minute})
	cp := &memory{}
	req := request(cp, "long reel", video("a"))
	_, err := e.p.Publish(context.Background(), req)
	wait, ok := publishers.RetryAfter(err)
	if publishers.ClassOf(err) != publishers.ClassRateLimited || !ok || wait != instagram.DefaultHandBack {
		t.Fatalf("err = %v, want the attempt parked for %s", err, instagram.DefaultHandBack)
	}
	if got, want := durations(statusReads(e.srv)), "0s 1m0s 2m0s 3m0s 4m0s 5m0s"; got != want {
		t.Errorf("status read at %s, want %s", got, want)
	}
	if cp.Get(instagram.CheckpointContainer) == "" {
		t.Fatal("container checkpoint not kept")
	}
	e.clk.Advance(wait)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if c, p := e.srv.Created("long reel"), e.srv.Published("long reel"); c != 1 || p != 1 {
		t.Errorf("%d containers, %d media; want 1, 1", c, p)
	}
}

// Above 80% of the call budget (X-Business-Use-Case-Usage), status reads
// slow down to one every two minutes; at 95% they stop and the attempt is
// parked until the budget recovers.
func TestStatusPollingFollowsTheCallBudget(t *testing.T) {
	t.Run("above 80%", func(t *testing.T) {
		e := start(t)
		e.srv.SetUsage(businessUsage(85, 0))
		e.srv.SetProcessing(instagramtest.Processing{Duration: 150 * time.Second})
		if _, err := e.p.Publish(context.Background(), request(&memory{}, "busy", video("a"))); err != nil {
			t.Fatal(err)
		}
		if got, want := durations(statusReads(e.srv)), "0s 2m0s 4m0s"; got != want {
			t.Errorf("status read at %s, want %s", got, want)
		}
	})
	t.Run("at 95%", func(t *testing.T) {
		e := start(t, func(o *instagram.Options) { o.MaxWait = time.Minute })
		e.srv.SetProcessing(instagramtest.Processing{Duration: 10 * time.Minute})
		cp := &memory{}
		req := request(cp, "spent", video("a"))
		if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassRateLimited {
			t.Fatalf("first attempt: %v", err)
		}
		before := len(statusReads(e.srv))
		// The budget runs out while the container is processed.
		e.srv.SetUsage(businessUsage(96, 12))
		_, err := e.p.Publish(context.Background(), req)
		if wait, _ := publishers.RetryAfter(err); publishers.ClassOf(err) != publishers.ClassRateLimited || wait != 12*time.Minute || !strings.Contains(err.Error(), "96%") {
			t.Fatalf("err = %v, want parked for the 12 minutes Meta names", err)
		}
		if n := len(statusReads(e.srv)) - before; n != 1 || cp.Get(instagram.CheckpointContainer) == "" {
			t.Errorf("%d status reads, container %q; want 1 and kept", n, cp.Get(instagram.CheckpointContainer))
		}
	})
}

// businessUsage is an X-Business-Use-Case-Usage header: percent of the
// account's call budget used, and minutes until calls are accepted again.
func businessUsage(percent, regainMinutes int) http.Header {
	return http.Header{"X-Business-Use-Case-Usage": {fmt.Sprintf(`{"17841400000000001":[{"type":"instagram","call_count":%d,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":%d}]}`, percent, regainMinutes)}}
}

// At 100% of the budget the fake, as Instagram, refuses calls (80002)
// until estimated_time_to_regain_access: the post waits that long and
// makes nothing.
func TestSpentCallBudgetIsWaitedOut(t *testing.T) {
	e := start(t)
	e.srv.SetUsage(businessUsage(100, 30))
	req := request(&memory{}, "spent budget", image("a"))
	_, err := e.p.Publish(context.Background(), req)
	if wait, _ := publishers.RetryAfter(err); publishers.ClassOf(err) != publishers.ClassRateLimited || wait != 30*time.Minute || !strings.Contains(err.Error(), "80002") {
		t.Fatalf("err = %v, want rate limited for 30m with 80002", err)
	}
	if n := len(e.srv.Containers()); n != 0 {
		t.Errorf("%d containers made", n)
	}
	e.srv.SetUsage(businessUsage(10, 0))
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}
