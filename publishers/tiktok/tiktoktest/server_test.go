package tiktoktest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/fakeconsent"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// post sends a JSON API call and returns the status and envelope.
func post(t *testing.T, srv *tiktoktest.Server, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer act.any")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func code(env map[string]any) string {
	e, _ := env["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func put(t *testing.T, u string, first, last, total int64) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(make([]byte, last-first+1)))
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, total))
	req.Header.Set("Content-Type", "video/mp4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInitChecksChunkRules(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	const mb = 1 << 20
	tests := []struct {
		size, chunk, count int64
		ok                 bool
	}{
		{50_000_123, 10_000_000, 5, true},
		{50_000_123, 10_000_000, 6, false},
		{4 * mb, 4 * mb, 1, true},
		{4 * mb, 2 * mb, 2, false},
		{100 * mb, 100 * mb, 1, false},
		{20 * mb, 1 * mb, 20, false},
	}
	for _, tt := range tests {
		status, env := post(t, srv, "/v2/post/publish/video/init/", map[string]any{
			"post_info":   map[string]any{"title": "t", "privacy_level": "SELF_ONLY"},
			"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": tt.size, "chunk_size": tt.chunk, "total_chunk_count": tt.count},
		})
		if got := status == http.StatusOK && code(env) == "ok"; got != tt.ok {
			t.Errorf("init %d/%d/%d: %d %v, want ok=%v", tt.size, tt.chunk, tt.count, status, env["error"], tt.ok)
		}
	}
}

func TestUploadTakesChunksInOrderOnce(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	const size, chunk = 12 << 20, 5 << 20
	_, env := post(t, srv, "/v2/post/publish/video/init/", map[string]any{
		"post_info":   map[string]any{"title": "t", "privacy_level": "PUBLIC_TO_EVERYONE"},
		"source_info": map[string]any{"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": 2},
	})
	data := env["data"].(map[string]any)
	u, id := data["upload_url"].(string), data["publish_id"].(string)
	if s := put(t, u, chunk, size-1, size); s != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("second chunk first: %d", s)
	}
	if s := put(t, u, 0, chunk-1, size); s != http.StatusPartialContent {
		t.Errorf("first chunk: %d", s)
	}
	if s := put(t, u, 0, chunk-1, size); s != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("first chunk again: %d", s)
	}
	bad, _ := url.Parse(u)
	bad.RawQuery = "upload_token=guess"
	if s := put(t, bad.String(), chunk, size-1, size); s != http.StatusNotFound {
		t.Errorf("wrong upload token: %d", s)
	}
	if s := put(t, u, chunk, size-1, size); s != http.StatusCreated {
		t.Errorf("last chunk: %d", s)
	}
	_, st := post(t, srv, "/v2/post/publish/status/fetch/", map[string]string{"publish_id": id})
	d := st["data"].(map[string]any)
	if d["status"] != tiktoktest.StatusPublishComplete || len(d["publicaly_available_post_id"].([]any)) != 1 {
		t.Errorf("status %v", d)
	}
	if len(srv.Posts()) != 1 || srv.Published("t") != 1 {
		t.Errorf("posts %v", srv.Posts())
	}
}

// refreshToken runs the refresh_token grant of rt.
func refreshToken(t *testing.T, srv *tiktoktest.Server, rt string) (int, map[string]any) {
	t.Helper()
	return fakeconsent.Exchange(t, srv.URL()+"/v2/oauth/token/", url.Values{"client_key": {tiktoktest.DefaultClientKey},
		"client_secret": {tiktoktest.DefaultClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func TestTokenRotation(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	tok := srv.Issue("u1")
	refresh := func(rt string) (int, map[string]any) { return refreshToken(t, srv, rt) }
	status, out := refresh(tok.RefreshToken)
	if status != http.StatusOK || out["refresh_token"] == tok.RefreshToken || out["refresh_token"] != srv.LiveRefreshToken("u1") {
		t.Fatalf("refresh: %d %v", status, out)
	}
	if status, out := refresh(tok.RefreshToken); status != http.StatusBadRequest || out["error"] != "invalid_grant" {
		t.Errorf("old refresh token: %d %v", status, out)
	}
	for _, c := range srv.Calls() {
		for _, v := range c.Params {
			if strings.Contains(v, "rft.") || strings.Contains(v, tiktoktest.DefaultClientSecret) {
				t.Errorf("call log holds a secret: %v", c.Params)
			}
		}
	}
}

func TestFaults(t *testing.T) {
	srv := tiktoktest.New()
	defer srv.Close()
	for _, c := range tiktoktest.Codes {
		srv.FailNext(tiktoktest.EndpointCreatorInfo, 1, tiktoktest.Fault{Code: c})
		status, env := post(t, srv, "/v2/post/publish/creator_info/query/", struct{}{})
		if status != tiktoktest.StatusOf(c) || code(env) != c {
			t.Errorf("fault %s: %d %v", c, status, env)
		}
	}
	srv.FailNext(tiktoktest.EndpointCreatorInfo, 1, tiktoktest.Fault{Lost: true})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/v2/post/publish/creator_info/query/", nil)
	req.Header.Set("Authorization", "Bearer act.any")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("lost answer arrived")
	}
	if status, env := post(t, srv, "/v2/post/publish/creator_info/query/", struct{}{}); status != http.StatusOK || code(env) != "ok" {
		t.Errorf("after the faults: %d %v", status, env)
	}
}

// Tokens live as TikTok's newest documentation says (2 hours, 180
// days), or as SetTokenLifetimes says: the answer names the lives, an
// access token past its life is refused, a refresh token past its life
// too.
func TestTokenLifetimes(t *testing.T) {
	clk := publisherstest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	srv := tiktoktest.New()
	defer srv.Close()
	srv.SetClock(clk.Now)
	refresh := func(rt string) (int, map[string]any) { return refreshToken(t, srv, rt) }
	userInfo := func(at string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/v2/user/info/?fields=open_id", nil)
		req.Header.Set("Authorization", "Bearer "+at)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		access, refresh time.Duration
		set             bool
	}{{2 * time.Hour, 180 * 24 * time.Hour, false}, {24 * time.Hour, 365 * 24 * time.Hour, true}} {
		if tc.set {
			srv.SetTokenLifetimes(tc.access, tc.refresh)
		}
		tok := srv.Issue("u-" + tc.access.String())
		st, out := refresh(tok.RefreshToken)
		if st != http.StatusOK || out["expires_in"] != tc.access.Seconds() || out["refresh_expires_in"] != tc.refresh.Seconds() {
			t.Fatalf("lives %s/%s: %d %v", tc.access, tc.refresh, st, out)
		}
		at, rt := out["access_token"].(string), out["refresh_token"].(string)
		clk.Advance(tc.access - time.Second)
		if st := userInfo(at); st != http.StatusOK {
			t.Errorf("access token within its %s: %d", tc.access, st)
		}
		clk.Advance(time.Second)
		if st := userInfo(at); st != http.StatusUnauthorized {
			t.Errorf("access token after its %s: %d, want 401", tc.access, st)
		}
		clk.Advance(tc.refresh - tc.access)
		if st, out := refresh(rt); st != http.StatusBadRequest || out["error"] != "invalid_grant" {
			t.Errorf("refresh token after its %s: %d %v", tc.refresh, st, out)
		}
	}
}
