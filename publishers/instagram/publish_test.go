package instagram_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

func TestPublishOnce(t *testing.T) {
	tests := []struct {
		name    string
		media   []publishers.Media
		options map[string]string
		polls   int
		steps   []string
		product string
		urlPart string
	}{
		{"image", []publishers.Media{image("a")}, nil, 0,
			[]string{"limit", "create IMAGE", "status", "publish", "permalink"}, "FEED", "/p/"},
		{"carousel", []publishers.Media{image("a"), video("b"), image("c")}, nil, 0,
			[]string{"limit", "create item IMAGE", "create item VIDEO", "create item IMAGE", "status", "status", "status", "create CAROUSEL", "status", "publish", "permalink"}, "FEED", "/p/"},
		{"reel that takes three polls", []publishers.Media{video("a")}, map[string]string{"share_to_feed": "false", "thumb_offset": "2000"}, 3,
			[]string{"limit", "create REELS", "status", "status", "status", "status", "publish", "permalink"}, "REELS", "/reel/"},
		{"story", []publishers.Media{image("a")}, map[string]string{"media_type": "STORIES"}, 0,
			[]string{"limit", "create STORIES", "status", "publish", "permalink"}, "STORY", "/stories/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetProcessing(instagramtest.Processing{Polls: tt.polls})
			cp := &memory{}
			caption := "Hello from " + tt.name
			if tt.product == "STORY" {
				caption = ""
			}
			req := request(cp, caption, tt.media...)
			req.Content.Options = tt.options
			res, err := e.p.Publish(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(e.srv); !slices.Equal(got, tt.steps) {
				t.Errorf("calls:\n got %s\nwant %s", join(got), join(tt.steps))
			}
			media := e.srv.Media()
			if len(media) != 1 {
				t.Fatalf("%d media published, want 1", len(media))
			}
			m := media[0]
			if res.RemoteID != m.ID || res.URL != m.Permalink || !strings.Contains(res.URL, tt.urlPart) {
				t.Errorf("result %+v, platform has %s %s", res, m.ID, m.Permalink)
			}
			if m.ProductType != tt.product || m.Caption != caption || m.UserID != user {
				t.Errorf("published %+v", m)
			}
			var urls []string
			for _, md := range tt.media {
				urls = append(urls, md.URL)
			}
			if !slices.Equal(m.URLs, urls) {
				t.Errorf("published media %v, want %v in order", m.URLs, urls)
			}
			if cp.Get(instagram.CheckpointMedia) != m.ID || cp.Get(instagram.CheckpointContainer) != m.ContainerID {
				t.Errorf("checkpoints %v", cp.Saved())
			}
			if tt.polls > 0 && e.clk.Slept() == 0 {
				t.Error("polled without waiting in between")
			}
			checkNoTokenInURLs(t, e.srv)
		})
	}
}

func TestReelOptionsReachTheContainer(t *testing.T) {
	e := start(t)
	req := request(&memory{}, "reel", video("a"))
	req.Content.Options = map[string]string{"share_to_feed": "false", "cover_url": "https://cdn.example.com/cover.jpg", "thumb_offset": "2000", "location_id": "7"}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	c := e.srv.Containers()[0]
	for k, want := range map[string]string{"media_type": "REELS", "share_to_feed": "false", "cover_url": "https://cdn.example.com/cover.jpg", "thumb_offset": "2000", "location_id": "7", "caption": "reel"} {
		if got := c.Params.Get(k); got != want {
			t.Errorf("container %s = %q, want %q", k, got, want)
		}
	}
}

func TestLostPublishAnswerPublishesOnce(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
	cp := &memory{}
	req := request(cp, "lost answer", image("a"))
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "publish container") {
		t.Fatalf("first attempt: err = %v, want transient naming the publish", err)
	}
	if n := e.srv.Published("lost answer"); n != 1 {
		t.Fatalf("the lost call published %d media, want 1", n)
	}
	before := len(e.srv.Calls())
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if got, want := steps(e.srv)[before:], []string{"status", "list"}; !slices.Equal(got, want) {
		t.Errorf("second attempt calls %s, want %s", join(got), join(want))
	}
	m := e.srv.Media()[0]
	if res.RemoteID != m.ID || res.URL != m.Permalink {
		t.Errorf("result %+v, want media %s %s", res, m.ID, m.Permalink)
	}
	if c, p := e.srv.Created("lost answer"), e.srv.Published("lost answer"); c != 1 || p != 1 {
		t.Errorf("%d containers, %d media; want 1, 1", c, p)
	}
	// A third call (the record update failed, say) only reads the link.
	if again, err := e.p.Publish(context.Background(), req); err != nil || again != res {
		t.Errorf("third attempt = %+v, %v; want %+v", again, err, res)
	}
}

func TestLostAnswerWithTheSameCaptionPostedBeforeFindsOurs(t *testing.T) {
	e := start(t)
	e.srv.Seed(user, "same words", epoch.Add(-2*time.Hour))
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
	req := request(&memory{}, "same words", image("a"))
	e.p.Publish(context.Background(), req)
	e.srv.Seed(user, "other words", epoch.Add(time.Minute))
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	ours := e.srv.Media()[1]
	if ours.ContainerID == "" || res.RemoteID != ours.ID {
		t.Errorf("found %s, want %s (the older post with the same caption is not ours)", res.RemoteID, ours.ID)
	}
}

func TestPublishedMediaNotFoundIsReportedWithoutID(t *testing.T) {
	// The container is PUBLISHED but no listed media matches (an edited
	// caption, listing lag): a few attempts look, then Publish reports
	// success without an id rather than failing a post that is live.
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
	req := request(&memory{}, "edited later", image("a"))
	e.p.Publish(context.Background(), req)
	// An answer without data: nothing listed.
	e.srv.FailNext(instagramtest.EndpointList, -1, instagramtest.Fault{Status: 200})
	for attempt := 2; attempt <= 3; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "not listed yet") {
			t.Fatalf("attempt %d: err = %v, want transient", attempt, err)
		}
	}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil || res != (publishers.Result{}) {
		t.Errorf("attempt 4 = %+v, %v; want success without id", res, err)
	}
	if p := e.srv.Published("edited later"); p != 1 {
		t.Errorf("published %d times, want 1", p)
	}
}

func TestWorkerKilledBetweenContainerAndPublish(t *testing.T) {
	for _, kill := range []string{instagram.CheckpointContainer, instagram.CheckpointChildPrefix + "2"} {
		t.Run("after saving "+kill, func(t *testing.T) {
			e := start(t)
			ctx, crash := context.WithCancel(context.Background())
			cp := &memory{OnSave: func(name, _ string) {
				if name == kill {
					crash()
				}
			}}
			req := request(cp, "crash", image("a"), image("b"))
			if _, err := e.p.Publish(ctx, req); !errors.Is(err, context.Canceled) {
				t.Fatalf("first attempt: err = %v, want canceled", err)
			}
			if cp.Get(kill) == "" {
				t.Fatal("nothing saved before the crash")
			}
			cp.OnSave = nil
			if _, err := e.p.Publish(context.Background(), req); err != nil {
				t.Fatalf("second attempt: %v", err)
			}
			items := 0
			for _, c := range e.srv.Containers() {
				if c.CarouselItem {
					items++
				}
			}
			if c, p := e.srv.Created("crash"), e.srv.Published("crash"); c != 1 || p != 1 || items != 2 {
				t.Errorf("%d containers, %d items, %d media; want 1, 2, 1", c, items, p)
			}
		})
	}
}

func TestContainerErrorFailsThePost(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Polls: 1, Error: "Error: The video format is not supported: 2207026"})
	cp := &memory{}
	req := request(cp, "bad video", video("a"))
	for attempt := 1; attempt <= 2; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "2207026") {
			t.Errorf("attempt %d: err = %v, want permanent with Instagram's status", attempt, err)
		}
	}
	if c, p := e.srv.Created("bad video"), e.srv.Published("bad video"); c != 1 || p != 0 {
		t.Errorf("%d containers, %d media; want 1, 0", c, p)
	}
}

func TestContainerTransientErrorMakesANewContainer(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Error: "Error: media download timed out: 2207003"})
	req := request(&memory{}, "flaky download", video("a"))
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	e.srv.SetProcessing(instagramtest.Processing{})
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if c, p := e.srv.Created("flaky download"), e.srv.Published("flaky download"); c != 2 || p != 1 {
		t.Errorf("%d containers, %d media; want 2, 1", c, p)
	}
}

func TestExpiredContainerIsMadeAgain(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Duration: time.Hour})
	cp := &memory{}
	req := request(cp, "slow", video("a"))
	_, err := e.p.Publish(context.Background(), req)
	if wait, ok := publishers.RetryAfter(err); !ok || wait != instagram.DefaultHandBack {
		t.Fatalf("first attempt: err = %v, want handed back after %s", err, instagram.DefaultHandBack)
	}
	old := cp.Get(instagram.CheckpointContainer)
	e.srv.ExpireContainers()
	e.srv.SetProcessing(instagramtest.Processing{})
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if cp.Get(instagram.CheckpointContainer) == old {
		t.Error("container checkpoint still names the expired container")
	}
	if c, p := e.srv.Created("slow"), e.srv.Published("slow"); c != 2 || p != 1 {
		t.Errorf("%d containers, %d media; want 2, 1", c, p)
	}
}

func TestExpiredAnswerOnPublishMakesANewCarousel(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Code: 100, Subcode: 2207020, Message: "The media container has expired."})
	if _, err := e.p.Publish(context.Background(), request(&memory{}, "late", image("a"), image("b"))); err != nil {
		t.Fatal(err)
	}
	if c, p, n := e.srv.Created("late"), e.srv.Published("late"), len(e.srv.Containers()); c != 2 || p != 1 || n != 6 {
		t.Errorf("%d containers (%d with items), %d media; want 2 (6), 1", c, n, p)
	}
}

func TestSlowContainerHandsTheJobBack(t *testing.T) {
	e := start(t, func(o *instagram.Options) { o.MaxWait = time.Minute; o.HandBack = 20 * time.Second })
	e.srv.SetProcessing(instagramtest.Processing{Duration: 10 * time.Minute})
	cp := &memory{}
	req := request(cp, "long video", video("a"))
	_, err := e.p.Publish(context.Background(), req)
	if wait, ok := publishers.RetryAfter(err); !ok || wait != 20*time.Second || !strings.Contains(err.Error(), "still in progress") {
		t.Fatalf("err = %v, want the job handed back for 20s", err)
	}
	if s := e.clk.Slept(); s > time.Minute {
		t.Errorf("waited %s in-process, budget 1m", s)
	}
	e.clk.Advance(10 * time.Minute)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if c, p := e.srv.Created("long video"), e.srv.Published("long video"); c != 1 || p != 1 {
		t.Errorf("%d containers, %d media; want 1, 1", c, p)
	}
}

func TestPublishingLimitDefersUntilTheWindowFrees(t *testing.T) {
	e := start(t)
	e.srv.SetPublishingLimit(3)
	for _, ago := range []time.Duration{23 * time.Hour, 20 * time.Hour, 2 * time.Hour} {
		e.srv.Seed(user, "earlier", epoch.Add(-ago))
	}
	cp := &memory{}
	req := request(cp, "over the limit", image("a"))
	_, err := e.p.Publish(context.Background(), req)
	wait, ok := publishers.RetryAfter(err)
	// The oldest post leaves the window in 1h; the estimate errs late by
	// at most 24h/64.
	if !ok || wait < time.Hour || wait > time.Hour+24*time.Hour/64 {
		t.Fatalf("err = %v (wait %s), want rate limited for about 1h", err, wait)
	}
	if !strings.Contains(err.Error(), "3 of 3") {
		t.Errorf("err = %v, want the usage", err)
	}
	if n := e.srv.Created("over the limit"); n != 0 {
		t.Errorf("%d containers made at the limit", n)
	}
	e.clk.Advance(wait)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	if p := e.srv.Published("over the limit"); p != 1 {
		t.Errorf("published %d times, want 1", p)
	}
}

func TestLimitAnswerOnPublishKeepsTheContainer(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Code: 9, Subcode: 2207042})
	req := request(&memory{}, "limited", image("a"))
	_, err := e.p.Publish(context.Background(), req)
	if wait, ok := publishers.RetryAfter(err); !ok || wait != time.Hour {
		t.Fatalf("err = %v, want rate limited for the default hour", err)
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if c, p := e.srv.Created("limited"), e.srv.Published("limited"); c != 1 || p != 1 {
		t.Errorf("%d containers, %d media; want 1, 1", c, p)
	}
}

func TestGraphErrorsAreClassified(t *testing.T) {
	tests := []struct {
		name  string
		fault instagramtest.Fault
		class publishers.Class
		wait  time.Duration
	}{
		{"1 unknown", instagramtest.Fault{Code: 1}, publishers.ClassTransient, 0},
		{"2 unavailable", instagramtest.Fault{Code: 2}, publishers.ClassTransient, 0},
		{"is_transient", instagramtest.Fault{Code: 100, Transient: true}, publishers.ClassTransient, 0},
		{"2207001", instagramtest.Fault{Code: 9007, Subcode: 2207001}, publishers.ClassTransient, 0},
		{"2207003", instagramtest.Fault{Code: 9007, Subcode: 2207003}, publishers.ClassTransient, 0},
		{"2207032", instagramtest.Fault{Code: 9007, Subcode: 2207032}, publishers.ClassTransient, 0},
		{"4", instagramtest.Fault{Code: 4, Header: instagramtest.RateLimitHeader(7 * time.Minute)}, publishers.ClassRateLimited, 7 * time.Minute},
		{"17", instagramtest.Fault{Code: 17, Header: instagramtest.RateLimitHeader(3 * time.Minute)}, publishers.ClassRateLimited, 3 * time.Minute},
		{"32", instagramtest.Fault{Code: 32}, publishers.ClassRateLimited, 5 * time.Minute},
		{"341", instagramtest.Fault{Code: 341}, publishers.ClassRateLimited, 5 * time.Minute},
		{"613", instagramtest.Fault{Code: 613}, publishers.ClassRateLimited, 5 * time.Minute},
		{"80002", instagramtest.Fault{Code: 80002, Header: instagramtest.RateLimitHeader(42 * time.Minute)}, publishers.ClassRateLimited, 42 * time.Minute},
		{"190", instagramtest.Fault{Code: 190, Subcode: 463}, publishers.ClassReauth, 0},
		{"10", instagramtest.Fault{Code: 10}, publishers.ClassReauth, 0},
		{"200", instagramtest.Fault{Code: 200}, publishers.ClassReauth, 0},
		{"299", instagramtest.Fault{Code: 299}, publishers.ClassReauth, 0},
		{"100", instagramtest.Fault{Code: 100, Message: "Invalid parameter"}, publishers.ClassPermanent, 0},
		{"2207057", instagramtest.Fault{Code: 100, Subcode: 2207057}, publishers.ClassPermanent, 0},
		{"506", instagramtest.Fault{Code: 506}, publishers.ClassPermanent, 0},
		{"aspect ratio", instagramtest.Fault{Code: 9004, Subcode: 2207009, UserMessage: "The aspect ratio is not supported."}, publishers.ClassPermanent, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.FailNext(instagramtest.EndpointCreate, 1, tt.fault)
			_, err := e.p.Publish(context.Background(), request(&memory{}, "classified", image("a")))
			if c := publishers.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after = %s, want %s", wait, tt.wait)
			}
			if err == nil || !strings.Contains(err.Error(), "instagram: create container: ") || !strings.Contains(err.Error(), tt.fault.UserMessage) {
				t.Errorf("error %v does not name the step and Instagram's message", err)
			}
			if n := e.srv.Published("classified"); n != 0 {
				t.Errorf("published %d", n)
			}
		})
	}
}

func TestRejectedTokenIsRefreshedOnce(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointCreate, 1, instagramtest.Fault{Code: 190, Subcode: 460})
	refreshes := 0
	req := request(&memory{}, "refreshed", image("a"))
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) {
		refreshes++
		return &oauth2.Token{AccessToken: "IGQVJ-new-token"}, nil
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if refreshes != 1 {
		t.Errorf("refreshed %d times, want 1", refreshes)
	}

	e.srv.FailNext(instagramtest.EndpointCreate, 2, instagramtest.Fault{Code: 190})
	req = request(&memory{}, "still rejected", image("a"))
	refreshes = 0
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) {
		refreshes++
		return &oauth2.Token{AccessToken: "IGQVJ-new-token"}, nil
	}
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassReauth || refreshes != 1 {
		t.Errorf("err = %v after %d refreshes, want reauth after 1", err, refreshes)
	}
}

// After a forced refresh the session redacts every token it held, not
// just the one in use: Graph may echo the token a call was first made
// with, or the refresh token.
func TestRefreshedSessionKeepsOldSecretsOut(t *testing.T) {
	e := start(t)
	const refreshToken, fresh = "IGQVJ-refresh-5b7e0c", "IGQVJ-fresh-token-91d4"
	echo := instagramtest.Fault{Code: 190, Message: "Error validating access token " + token + ", refresh token " + refreshToken + ", new token " + fresh}
	e.srv.FailNext(instagramtest.EndpointCreate, 2, echo)
	req := request(&memory{}, "echoed", image("a"))
	req.Token.RefreshToken = refreshToken
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) {
		return &oauth2.Token{AccessToken: fresh}, nil
	}
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassReauth || e.srv.Created("echoed") != 0 {
		t.Fatalf("err = %v, want reauth", err)
	}
	for _, secret := range []string{token, refreshToken, fresh} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), "Error validating access token [redacted]") {
		t.Errorf("error %q: expected Graph's message, redacted", err)
	}
}

func TestRequestsThatCannotBePublished(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*publishers.Request)
		class publishers.Class
		text  string
	}{
		{"no token", func(r *publishers.Request) { r.Token = nil }, publishers.ClassReauth, "no access token"},
		{"revoked token", func(r *publishers.Request) { r.Token = &oauth2.Token{AccessToken: instagramtest.TokenRevoked} }, publishers.ClassReauth, "code 190 subcode 460"},
		{"no ig-user-id", func(r *publishers.Request) { r.PlatformUserID = "" }, publishers.ClassPermanent, "no ig-user-id"},
		{"no checkpoints", func(r *publishers.Request) { r.Checkpoints = nil }, publishers.ClassPermanent, "no checkpoints"},
		{"too many hashtags", func(r *publishers.Request) { r.Content.Text = strings.Repeat("#x ", 31) }, publishers.ClassPermanent, "31 hashtags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			req := request(&memory{}, "x", image("a"))
			tt.edit(&req)
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != tt.class || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want %s saying %q", err, tt.class, tt.text)
			}
			if n := len(e.srv.Media()); n != 0 {
				t.Errorf("%d published", n)
			}
		})
	}
}

func TestUnknownSavedContainerFailsWithoutANewOne(t *testing.T) {
	e := start(t)
	cp := &memory{}
	_ = cp.Save(context.Background(), instagram.CheckpointContainer, "17900000000099999")
	_, err := e.p.Publish(context.Background(), request(cp, "gone", image("a")))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "17900000000099999") {
		t.Errorf("err = %v, want permanent naming the container", err)
	}
	if n := len(e.srv.Containers()); n != 0 {
		t.Errorf("%d containers made", n)
	}
}

func TestErrorsNeverContainTheToken(t *testing.T) {
	faults := []instagramtest.Fault{
		{Code: 190, Message: "token " + token + " is invalid"},
		{Code: 100, UserMessage: "Authorization: Bearer " + token},
		{Code: 4, Message: token},
		{Code: 2, Message: "upstream said " + token},
	}
	for _, f := range faults {
		e := start(t)
		e.srv.FailNext("", 1, f)
		_, err := e.p.Publish(context.Background(), request(&memory{}, "x", image("a")))
		if err == nil || strings.Contains(err.Error(), token) {
			t.Errorf("code %d: error %v contains the token", f.Code, err)
		}
	}
	e := start(t)
	e.srv.Close()
	_, err := e.p.Publish(context.Background(), request(&memory{}, "x", image("a")))
	if publishers.ClassOf(err) != publishers.ClassTransient || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), e.srv.URL()) {
		t.Errorf("network error %v: want transient without the token or the URL", err)
	}
}

func TestNearlyExhaustedCallBudgetPausesBeforeContainers(t *testing.T) {
	e := start(t)
	e.srv.SetUsage(instagramtest.UsageHeader(97))
	req := request(&memory{}, "paced", image("a"))
	_, err := e.p.Publish(context.Background(), req)
	if wait, ok := publishers.RetryAfter(err); !ok || wait != 5*time.Minute || !strings.Contains(err.Error(), "97%") {
		t.Fatalf("err = %v, want rate limited for 5m", err)
	}
	if n := len(e.srv.Containers()); n != 0 {
		t.Errorf("%d containers made", n)
	}
	e.srv.SetUsage(instagramtest.UsageHeader(40))
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}
