package instagramtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

const user = "17841400000000001"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func start(t *testing.T) (*instagramtest.Server, *clock) {
	t.Helper()
	srv := instagramtest.New()
	t.Cleanup(srv.Close)
	clk := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	srv.SetClock(clk.Now)
	return srv, clk
}

// call makes a Graph call with the token in the Authorization header and
// returns the status and the decoded answer.
func call(t *testing.T, srv *instagramtest.Server, method, path string, params url.Values) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	u := srv.URL() + path
	if method == http.MethodGet {
		u += "?" + params.Encode()
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Authorization", "Bearer tok")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, out
}

func errorCode(out map[string]any) (code, subcode float64) {
	e, _ := out["error"].(map[string]any)
	code, _ = e["code"].(float64)
	subcode, _ = e["error_subcode"].(float64)
	return code, subcode
}

func status(t *testing.T, srv *instagramtest.Server, id string) string {
	t.Helper()
	_, out := call(t, srv, "GET", "/v24.0/"+id, url.Values{"fields": {"status_code,status"}})
	s, _ := out["status_code"].(string)
	return s
}

func TestContainerFinishesAfterItsPollsThenPublishesOnce(t *testing.T) {
	srv, _ := start(t)
	srv.SetProcessing(instagramtest.Processing{Polls: 2})
	_, out := call(t, srv, "POST", "/v24.0/"+user+"/media", url.Values{"image_url": {"https://x/a.jpg"}, "caption": {"hi"}})
	id, _ := out["id"].(string)
	if code, _ := call(t, srv, "POST", "/v24.0/"+user+"/media_publish", url.Values{"creation_id": {id}}); code != 400 {
		t.Errorf("publish before FINISHED = %d, want 400", code)
	}
	var seen []string
	for range 3 {
		seen = append(seen, status(t, srv, id))
	}
	if got := strings.Join(seen, ","); got != "IN_PROGRESS,IN_PROGRESS,FINISHED" {
		t.Errorf("statuses %s", got)
	}
	code, out := call(t, srv, "POST", "/v24.0/"+user+"/media_publish", url.Values{"creation_id": {id}})
	if code != 200 || out["id"] == nil {
		t.Fatalf("publish = %d %v", code, out)
	}
	code, out = call(t, srv, "POST", "/v24.0/"+user+"/media_publish", url.Values{"creation_id": {id}})
	// Not 2207008: that is Meta's temporary publishing error, which a
	// client retries; a second publish must not look retryable.
	if c, sub := errorCode(out); code != 400 || c != 100 || sub == 2207008 || status(t, srv, id) != "PUBLISHED" {
		t.Errorf("second publish = %d %v, want refused with (#100), container PUBLISHED", code, out)
	}
	if srv.Published("hi") != 1 || srv.Created("hi") != 1 {
		t.Errorf("published %d, created %d", srv.Published("hi"), srv.Created("hi"))
	}
}

func TestContainersFinishAndExpireByTheClock(t *testing.T) {
	srv, clk := start(t)
	srv.SetProcessing(instagramtest.Processing{Duration: time.Minute})
	_, out := call(t, srv, "POST", "/v24.0/"+user+"/media", url.Values{"media_type": {"REELS"}, "video_url": {"https://x/a.mp4"}})
	id := out["id"].(string)
	if s := status(t, srv, id); s != "IN_PROGRESS" {
		t.Errorf("status = %s", s)
	}
	clk.Advance(time.Minute)
	if s := status(t, srv, id); s != "FINISHED" {
		t.Errorf("status after a minute = %s", s)
	}
	clk.Advance(instagramtest.Window)
	if s := status(t, srv, id); s != "EXPIRED" {
		t.Errorf("status after a day = %s", s)
	}
	_, out = call(t, srv, "POST", "/v24.0/"+user+"/media_publish", url.Values{"creation_id": {id}})
	if _, sub := errorCode(out); sub != 2207020 {
		t.Errorf("publish expired = %v, want subcode 2207020", out)
	}
}

func TestPublishingLimitCountsTheWindow(t *testing.T) {
	srv, clk := start(t)
	srv.SetPublishingLimit(2)
	now := clk.Now()
	srv.Seed(user, "a", now.Add(-23*time.Hour))
	srv.Seed(user, "b", now.Add(-time.Hour))
	usage := func(since time.Time) float64 {
		p := url.Values{"fields": {"quota_usage,config"}}
		if !since.IsZero() {
			p.Set("since", strconv.FormatInt(since.Unix(), 10))
		}
		_, out := call(t, srv, "GET", "/v24.0/"+user+"/content_publishing_limit", p)
		d := out["data"].([]any)[0].(map[string]any)
		if cfg := d["config"].(map[string]any); cfg["quota_total"] != 2.0 || cfg["quota_duration"] != 86400.0 {
			t.Errorf("config %v", cfg)
		}
		return d["quota_usage"].(float64)
	}
	if u := usage(time.Time{}); u != 2 {
		t.Errorf("usage = %v, want 2", u)
	}
	if u := usage(now.Add(-2 * time.Hour)); u != 1 {
		t.Errorf("usage since 2h ago = %v, want 1", u)
	}
	_, out := call(t, srv, "POST", "/v24.0/"+user+"/media", url.Values{"image_url": {"https://x/a.jpg"}})
	_, out = call(t, srv, "POST", "/v24.0/"+user+"/media_publish", url.Values{"creation_id": {out["id"].(string)}})
	if c, sub := errorCode(out); c != 9 || sub != 2207042 {
		t.Errorf("publish at the limit = %v", out)
	}
	clk.Advance(time.Hour + time.Second)
	if u := usage(time.Time{}); u != 1 {
		t.Errorf("usage an hour later = %v, want 1", u)
	}
}

func TestFaultsAndTokens(t *testing.T) {
	srv, _ := start(t)
	srv.FailNext(instagramtest.EndpointCreate, 1, instagramtest.Fault{Code: 4, Header: instagramtest.RateLimitHeader(5 * time.Minute)})
	req, _ := http.NewRequest("POST", srv.URL()+"/v24.0/"+user+"/media", strings.NewReader("image_url=https://x/a.jpg"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(resp.Header.Get("X-Business-Use-Case-Usage"), `"estimated_time_to_regain_access":5`) {
		t.Errorf("fault = %d %v", resp.StatusCode, resp.Header)
	}
	srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
	_, out := call(t, srv, "POST", "/v24.0/"+user+"/media", url.Values{"image_url": {"https://x/a.jpg"}, "caption": {"lost"}})
	r2, _ := http.NewRequest("POST", srv.URL()+"/v24.0/"+user+"/media_publish", strings.NewReader("creation_id="+out["id"].(string)))
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r2.Header.Set("Authorization", "Bearer tok")
	if resp, err := http.DefaultClient.Do(r2); err == nil {
		resp.Body.Close()
		t.Error("lost call answered")
	}
	if srv.Published("lost") != 1 {
		t.Error("lost call did not take effect")
	}
	resp, err = http.Get(srv.URL() + "/refresh_access_token?grant_type=ig_refresh_token&access_token=tok")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	calls := srv.Calls()
	last := calls[len(calls)-1]
	if resp.StatusCode != 200 || !last.TokenInURL || last.Params.Has("access_token") {
		t.Errorf("refresh with the token in the URL = %d, logged %+v", resp.StatusCode, last)
	}
	resp, err = http.Get(srv.URL() + "/v24.0/" + user + "?fields=followers_count")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("call without token = %d, want 400 (code 190)", resp.StatusCode)
	}
}
