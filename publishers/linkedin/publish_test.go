package linkedin_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestPublishOnce(t *testing.T) {
	tests := []struct {
		name    string
		author  string
		text    string
		media   func(e env) []publishers.Media
		options map[string]string
		polls   int
		steps   []string
		kind    string
		urn     string
	}{
		{"text", member, "Hello, LinkedIn", nil, nil, 0,
			[]string{"create_post"}, "text", "urn:li:share:"},
		{"organization text", org, "We are hiring (again)!", nil, nil, 0,
			[]string{"create_post"}, "text", "urn:li:share:"},
		{"article", member, "Read this", nil, map[string]string{linkedin.OptionArticleURL: "https://example.com/post", linkedin.OptionArticleTitle: "A post"}, 0,
			[]string{"create_post"}, "article", "urn:li:share:"},
		{"image", member, "One picture", func(e env) []publishers.Media { return []publishers.Media{e.image("a")} }, nil, 0,
			[]string{"image_init", "upload", "image", "create_post"}, "image", "urn:li:share:"},
		{"image that takes two polls", org, "One slow picture", func(e env) []publishers.Media { return []publishers.Media{e.image("a")} }, nil, 2,
			[]string{"image_init", "upload", "image", "image", "image", "create_post"}, "image", "urn:li:share:"},
		{"multi-image", org, "Three pictures", func(e env) []publishers.Media {
			return []publishers.Media{e.image("a"), e.image("b"), e.image("c")}
		}, nil, 0,
			[]string{"image_init", "upload", "image_init", "upload", "image_init", "upload", "image", "image", "image", "create_post"}, "multi-image", "urn:li:share:"},
		{"video that takes two polls", member, "Watch", func(e env) []publishers.Media { return []publishers.Media{e.video("v")} }, nil, 2,
			[]string{"video_init", "upload", "upload", "upload", "finalize", "video", "video", "video", "create_post"}, "video", "urn:li:ugcPost:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetProcessing(linkedintest.Processing{Polls: tt.polls})
			e.srv.SetImageProcessing(linkedintest.Processing{Polls: tt.polls})
			cp := &memory{}
			var media []publishers.Media
			if tt.media != nil {
				media = tt.media(e)
			}
			req := request(cp, tt.author, tt.text, media...)
			req.Content.Options = tt.options
			res, err := e.p.Publish(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(e.srv.Calls()); !slices.Equal(got, tt.steps) {
				t.Errorf("calls:\n got %s\nwant %s", join(got), join(tt.steps))
			}
			posts := e.srv.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts, want 1", len(posts))
			}
			p := posts[0]
			if res.RemoteID != p.URN || !strings.HasPrefix(p.URN, tt.urn) || res.URL != "https://www.linkedin.com/feed/update/"+p.URN+"/" {
				t.Errorf("result %+v, platform has %s", res, p.URN)
			}
			if p.Kind != tt.kind || p.Text != tt.text || p.Author != tt.author || p.Visibility != "PUBLIC" {
				t.Errorf("posted %+v", p)
			}
			if len(p.MediaIDs) != len(media) {
				t.Errorf("post carries %d media, want %d", len(p.MediaIDs), len(media))
			}
			if cp.Get(linkedin.CheckpointPost) != p.URN {
				t.Errorf("checkpoints %v", cp.Saved())
			}
			if tt.polls > 0 && e.clk.Slept() == 0 {
				t.Error("polled without waiting in between")
			}
			checkCalls(t, e.srv)
			// Once more with the same checkpoints: nothing happens.
			before := len(e.srv.Calls())
			again, err := e.p.Publish(context.Background(), req)
			if err != nil || again != res || len(e.srv.Calls()) != before {
				t.Errorf("second Publish: %+v, %v, %d more calls", again, err, len(e.srv.Calls())-before)
			}
		})
	}
}

func TestPostBody(t *testing.T) {
	e := start(t)
	req := request(&memory{}, org, "Body check", e.image("a"))
	req.Content.Title = "Alt"
	req.Content.Options = map[string]string{linkedin.OptionVisibility: "LOGGED_IN", linkedin.OptionDisableReshare: "true"}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var create linkedintest.Call
	for _, c := range e.srv.Calls() {
		if c.Endpoint == linkedintest.EndpointCreatePost {
			create = c
		}
	}
	var body struct {
		Author       string `json:"author"`
		Visibility   string `json:"visibility"`
		Distribution struct {
			FeedDistribution string `json:"feedDistribution"`
			TargetEntities   []any  `json:"targetEntities"`
			ThirdParty       []any  `json:"thirdPartyDistributionChannels"`
		} `json:"distribution"`
		Content struct {
			Media struct{ ID, Title string } `json:"media"`
		} `json:"content"`
		LifecycleState string `json:"lifecycleState"`
		NoReshare      bool   `json:"isReshareDisabledByAuthor"`
	}
	if err := json.Unmarshal(create.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Author != org || body.Visibility != "LOGGED_IN" || body.Distribution.FeedDistribution != "MAIN_FEED" ||
		body.Distribution.TargetEntities == nil || body.Distribution.ThirdParty == nil || body.LifecycleState != "PUBLISHED" ||
		!body.NoReshare || !strings.HasPrefix(body.Content.Media.ID, "urn:li:image:") || body.Content.Media.Title != "Alt" {
		t.Errorf("create body %s", create.Body)
	}
	var initBody struct {
		Req struct{ Owner string } `json:"initializeUploadRequest"`
	}
	if err := json.Unmarshal(e.srv.Calls()[0].Body, &initBody); err != nil || initBody.Req.Owner != org {
		t.Errorf("initializeUpload body %s", e.srv.Calls()[0].Body)
	}
}

// TestPostBodies checks what POST /rest/posts carries for each kind of
// post, beyond what TestPostBody checks of an image post.
func TestPostBodies(t *testing.T) {
	type ref struct{ ID, Title string }
	type body struct {
		Author     string `json:"author"`
		Commentary string `json:"commentary"`
		Visibility string `json:"visibility"`
		Content    *struct {
			Media      *ref `json:"media"`
			MultiImage *struct {
				Images []ref `json:"images"`
			} `json:"multiImage"`
			Article *struct{ Source, Title, Description string } `json:"article"`
		} `json:"content"`
		LifecycleState string `json:"lifecycleState"`
	}
	tests := []struct {
		name  string
		req   func(e env) publishers.Request
		check func(t *testing.T, e env, cp *memory, b body)
	}{
		{"text", func(e env) publishers.Request { return request(nil, member, "Plain (text) #tag") }, func(t *testing.T, e env, cp *memory, b body) {
			if b.Content != nil || b.Commentary != `Plain \(text\) #tag` || b.Author != member {
				t.Errorf("body %+v", b)
			}
		}},
		{"article", func(e env) publishers.Request {
			r := request(nil, org, "Read this")
			r.Content.Title = "Fallback title"
			r.Content.Options = map[string]string{linkedin.OptionArticleURL: "https://example.com/a?b=1", linkedin.OptionArticleDescription: "Why"}
			return r
		}, func(t *testing.T, e env, cp *memory, b body) {
			if b.Content == nil || b.Content.Article == nil || b.Content.Media != nil || b.Content.MultiImage != nil {
				t.Fatalf("content %+v", b.Content)
			}
			if a := b.Content.Article; a.Source != "https://example.com/a?b=1" || a.Title != "Fallback title" || a.Description != "Why" || b.Author != org {
				t.Errorf("article %+v by %s", a, b.Author)
			}
		}},
		{"multi-image", func(e env) publishers.Request {
			return request(nil, member, "Pictures", e.image("a"), e.image("b"), e.image("c"))
		}, func(t *testing.T, e env, cp *memory, b body) {
			if b.Content == nil || b.Content.MultiImage == nil || b.Content.Media != nil {
				t.Fatalf("content %+v", b.Content)
			}
			var got []string
			for _, im := range b.Content.MultiImage.Images {
				got = append(got, im.ID)
			}
			want := []string{cp.Get(linkedin.CheckpointImagePrefix + "1"), cp.Get(linkedin.CheckpointImagePrefix + "2"), cp.Get(linkedin.CheckpointImagePrefix + "3")}
			if !slices.Equal(got, want) {
				t.Errorf("images %v, want the uploads in order %v", got, want)
			}
		}},
		{"video", func(e env) publishers.Request {
			r := request(nil, org, "Watch", e.video("v"))
			r.Content.Title = "Launch video"
			return r
		}, func(t *testing.T, e env, cp *memory, b body) {
			var up struct{ Video string }
			_ = json.Unmarshal([]byte(cp.Get(linkedin.CheckpointVideo)), &up)
			if b.Content == nil || b.Content.Media == nil || b.Content.Media.ID != up.Video || b.Content.Media.Title != "Launch video" || up.Video == "" {
				t.Errorf("content %+v, video %q", b.Content, up.Video)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			cp := &memory{}
			req := tt.req(e)
			req.Checkpoints = cp
			if _, err := e.p.Publish(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			var creates []linkedintest.Call
			for _, c := range e.srv.Calls() {
				if c.Endpoint == linkedintest.EndpointCreatePost {
					creates = append(creates, c)
				}
			}
			if len(creates) != 1 {
				t.Fatalf("%d creates, want 1", len(creates))
			}
			var b body
			if err := json.Unmarshal(creates[0].Body, &b); err != nil {
				t.Fatal(err)
			}
			if b.Visibility != "PUBLIC" || b.LifecycleState != "PUBLISHED" {
				t.Errorf("body %s", creates[0].Body)
			}
			tt.check(t, e, cp, b)
			checkCalls(t, e.srv)
		})
	}
}

func TestCommentaryRoundTrip(t *testing.T) {
	e := start(t)
	text := `Every reserved one: \ | { } @ [ ] ( ) < > # * _ ~, a #hashtag, C# and mail@example.com (see [1]) ~~done~~ *bold* _it_`
	if _, err := e.p.Publish(context.Background(), request(&memory{}, member, text)); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Posts()[0].Text; got != text {
		t.Errorf("LinkedIn shows\n%q\nwant\n%q", got, text)
	}
}

// A lost create is found by listing the author's posts: an organization's
// with the ordinary r_organization_social, a member's only when the app
// holds the closed r_member_social.
func TestLostCreateAnswerFoundByLookup(t *testing.T) {
	for _, tt := range []struct {
		name   string
		author string
		media  func(e env) []publishers.Media
	}{
		{"text", member, nil},
		{"image", member, func(e env) []publishers.Media { return []publishers.Media{e.image("a")} }},
		{"video", member, func(e env) []publishers.Media { return []publishers.Media{e.video("v")} }},
		{"organization text", org, nil},
		{"organization image", org, func(e env) []publishers.Media { return []publishers.Media{e.image("a")} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			if tt.media != nil {
				// The author posted the same text with other media
				// before: the lookup must not take it for ours.
				if _, err := e.p.Publish(context.Background(), request(&memory{}, tt.author, "Lost answer", tt.media(e)...)); err != nil {
					t.Fatal(err)
				}
			}
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
			e.clk.Advance(time.Hour)
			cp := &memory{}
			var media []publishers.Media
			if tt.media != nil {
				media = tt.media(e)
			}
			req := request(cp, tt.author, "Lost answer", media...)
			if tt.author == member {
				req = e.reader(req)
			}
			postsBefore := len(e.srv.Posts())
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "create") {
				t.Fatalf("first attempt: err = %v, want transient naming the create", err)
			}
			if n := len(e.srv.Posts()) - postsBefore; n != 1 {
				t.Fatalf("the lost call made %d posts, want 1", n)
			}
			before := len(e.srv.Calls())
			res, err := e.p.Publish(context.Background(), req)
			if err != nil {
				t.Fatalf("second attempt: %v", err)
			}
			if got := steps(e.srv.Calls()[before:]); !slices.Equal(got, []string{"list_posts"}) {
				t.Errorf("second attempt calls %s, want list_posts only", join(got))
			}
			posts := e.srv.Posts()
			if len(posts)-postsBefore != 1 || res.RemoteID != posts[len(posts)-1].URN {
				t.Errorf("result %+v; posts %d (want one more than %d), newest %s", res, len(posts), postsBefore, posts[len(posts)-1].URN)
			}
		})
	}
}

func TestLostCreateAnswerWithListingLag(t *testing.T) {
	e := start(t)
	e.srv.SetListLag(24 * time.Hour) // never listed within the test
	e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
	cp := &memory{}
	req := e.reader(request(cp, member, "Lagging index"))
	var classes []string
	var res publishers.Result
	for attempt := 1; attempt <= 4; attempt++ {
		r, err := e.p.Publish(context.Background(), req)
		if err == nil {
			res = r
			break
		}
		classes = append(classes, publishers.ClassOf(err).String())
		if d, ok := publishers.RetryAfter(err); ok {
			e.clk.Advance(d)
		}
	}
	if want := []string{"transient", "rate_limited"}; !slices.Equal(classes, want) {
		t.Errorf("failed attempts %v, want %v", classes, want)
	}
	if n := e.srv.Created("Lagging index"); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
	// The third attempt sent the post again; LinkedIn refused it as a
	// duplicate of the first, which is ours.
	if res.RemoteID != e.srv.Posts()[0].URN {
		t.Errorf("result %+v, post %s", res, e.srv.Posts()[0].URN)
	}
}

// An ordinary app cannot list a member's posts (r_member_social is
// closed; the fake refuses the finder without it): after a lost create the
// outcome stays unknown, never failed and never posted twice.
func TestLostCreateAnswerWithoutListingScope(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
	req := request(&memory{}, member, "Cannot look")
	if _, err := e.p.Publish(context.Background(), req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	for attempt := 2; attempt <= 4; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if publishers.ClassOf(err) != publishers.ClassTransient || !errors.Is(err, linkedin.ErrOutcomeUnknown) || !strings.Contains(err.Error(), "r_member_social") {
			t.Fatalf("attempt %d: err = %v, want transient, outcome unknown, naming r_member_social", attempt, err)
		}
	}
	if n := e.srv.Created("Cannot look"); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestRefusedCreateIsNotLookedUp(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 429})
	req := request(&memory{}, member, "Throttled")
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassRateLimited {
		t.Fatalf("first attempt: %v", err)
	}
	before := len(e.srv.Calls())
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got := steps(e.srv.Calls()[before:]); !slices.Equal(got, []string{"create_post"}) {
		t.Errorf("second attempt calls %s, want create_post only", join(got))
	}
}

func TestVideoResumesAfterCrash(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cp := &memory{OnSave: func(name, _ string) {
		if name == linkedin.CheckpointVideoPartPrefix+"2" {
			cancel() // the worker dies after part 2
		}
	}}
	req := request(cp, member, "Crash test", e.video("v"))
	if _, err := e.p.Publish(ctx, req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	cp.OnSave = nil
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	videos := e.srv.Videos()
	if len(videos) != 1 {
		t.Fatalf("%d video uploads, want 1", len(videos))
	}
	for urn := range videos {
		for part := 1; part <= 3; part++ {
			if n := e.srv.PartUploads(urn, part); n != 1 {
				t.Errorf("part %d sent %d times, want 1", part, n)
			}
		}
	}
	if n := e.srv.Created("Crash test"); n != 1 || res.RemoteID != e.srv.Posts()[0].URN {
		t.Errorf("%d posts, result %+v", n, res)
	}
}

func TestVideoPartFailureRetriesThatPartOnly(t *testing.T) {
	e := start(t)
	cp := &memory{}
	cp.OnSave = func(name, _ string) {
		if name == linkedin.CheckpointVideoPartPrefix+"1" {
			e.srv.FailNext(linkedintest.EndpointUpload, 1, linkedintest.Fault{Status: 503})
		}
	}
	if _, err := e.p.Publish(context.Background(), request(cp, member, "Flaky part", e.video("v"))); err != nil {
		t.Fatal(err)
	}
	for urn := range e.srv.Videos() {
		for part, want := range []int{1, 2, 1} {
			if n := e.srv.PartUploads(urn, part+1); n != want {
				t.Errorf("part %d sent %d times, want %d", part+1, n, want)
			}
		}
	}
	if e.clk.Slept() == 0 {
		t.Error("part retried without waiting")
	}
}

func TestVideoProcessingHandsBack(t *testing.T) {
	e := start(t, func(o *linkedin.Options) { o.MaxWait = time.Second; o.HandBack = 30 * time.Second })
	e.srv.SetProcessing(linkedintest.Processing{Polls: 3})
	req := request(&memory{}, member, "Long video", e.video("v"))
	handBacks := 0
	for attempt := 1; attempt <= 10; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if err == nil {
			break
		}
		if d, ok := publishers.RetryAfter(err); !ok || d != 30*time.Second {
			t.Fatalf("attempt %d: %v, want a 30s hand back", attempt, err)
		}
		handBacks++
	}
	if handBacks != 3 {
		t.Errorf("%d hand backs, want 3", handBacks)
	}
	count := map[linkedintest.Endpoint]int{}
	for _, c := range e.srv.Calls() {
		count[c.Endpoint]++
	}
	if count[linkedintest.EndpointVideoInit] != 1 || count[linkedintest.EndpointFinalize] != 1 || count[linkedintest.EndpointCreatePost] != 1 {
		t.Errorf("calls %v", count)
	}
}

func TestVideoProcessingFailed(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(linkedintest.Processing{Fail: "Unsupported codec"})
	_, err := e.p.Publish(context.Background(), request(&memory{}, member, "Bad video", e.video("v")))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "Unsupported codec") {
		t.Errorf("err = %v, want permanent with LinkedIn's reason", err)
	}
	if len(e.srv.Posts()) != 0 {
		t.Error("posted a failed video")
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	tests := []struct {
		name       string
		refreshed  string
		refreshErr error
		class      publishers.Class
	}{
		{"refresh helps", "fresh-token", nil, -1},
		{"still refused", linkedintest.TokenRevoked, nil, publishers.ClassReauth},
		{"refresh refused", "", publishers.Reauth(errors.New("invalid_grant")), publishers.ClassReauth},
		{"token endpoint down", "", publishers.Transient(errors.New("token endpoint 503")), publishers.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			refreshes := 0
			req := request(&memory{}, member, "Refresh "+tt.name)
			req.Token = &oauth2.Token{AccessToken: linkedintest.TokenExpired}
			req.ForceRefresh = func(context.Context) (*oauth2.Token, error) {
				refreshes++
				if tt.refreshErr != nil {
					return nil, tt.refreshErr
				}
				return &oauth2.Token{AccessToken: tt.refreshed}, nil
			}
			_, err := e.p.Publish(context.Background(), req)
			if tt.class < 0 && err != nil || tt.class >= 0 && publishers.ClassOf(err) != tt.class {
				t.Errorf("err = %v (%s), want class %v", err, publishers.ClassOf(err), tt.class)
			}
			if refreshes != 1 {
				t.Errorf("%d refreshes, want 1", refreshes)
			}
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	e := start(t)
	tooLong := strings.Repeat("é", linkedin.MaxCommentary+1)
	var many []publishers.Media
	for range linkedin.MaxImages + 1 {
		many = append(many, e.image("x"))
	}
	tests := []struct {
		name  string
		req   func() publishers.Request
		class publishers.Class
	}{
		{"no author URN", func() publishers.Request { return request(&memory{}, "8675309", "hi") }, publishers.ClassPermanent},
		{"company page id", func() publishers.Request { return request(&memory{}, "urn:li:company:1", "hi") }, publishers.ClassPermanent},
		{"no checkpoints", func() publishers.Request { return request(nil, member, "hi") }, publishers.ClassPermanent},
		{"no token", func() publishers.Request { r := request(&memory{}, member, "hi"); r.Token = nil; return r }, publishers.ClassReauth},
		{"text too long", func() publishers.Request { return request(&memory{}, member, tooLong) }, publishers.ClassPermanent},
		{"nothing to post", func() publishers.Request { return request(&memory{}, member, "  ") }, publishers.ClassPermanent},
		{"two videos", func() publishers.Request { return request(&memory{}, member, "hi", e.video("a"), e.video("b")) }, publishers.ClassPermanent},
		{"video and image", func() publishers.Request { return request(&memory{}, member, "hi", e.video("a"), e.image("b")) }, publishers.ClassPermanent},
		{"too many images", func() publishers.Request { return request(&memory{}, member, "hi", many...) }, publishers.ClassPermanent},
		{"unknown media kind", func() publishers.Request {
			return request(&memory{}, member, "hi", publishers.Media{URL: e.files.URL + "/a.gif", Kind: "gif"})
		}, publishers.ClassPermanent},
		{"unknown option", func() publishers.Request {
			r := request(&memory{}, member, "hi")
			r.Content.Options = map[string]string{"privacy": "x"}
			return r
		}, publishers.ClassPermanent},
		{"article with media", func() publishers.Request {
			r := request(&memory{}, member, "hi", e.image("a"))
			r.Content.Options = map[string]string{linkedin.OptionArticleURL: "https://example.com"}
			return r
		}, publishers.ClassPermanent},
		{"article URL not http", func() publishers.Request {
			r := request(&memory{}, member, "hi")
			r.Content.Options = map[string]string{linkedin.OptionArticleURL: "javascript:alert(1)"}
			return r
		}, publishers.ClassPermanent},
		{"organization to connections", func() publishers.Request {
			r := request(&memory{}, org, "hi")
			r.Content.Options = map[string]string{linkedin.OptionVisibility: "CONNECTIONS"}
			return r
		}, publishers.ClassPermanent},
		{"media not found", func() publishers.Request {
			return request(&memory{}, member, "hi", publishers.Media{URL: e.files.URL + "/missing.png", Kind: publishers.MediaImage})
		}, publishers.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.srv.Calls())
			_, err := e.p.Publish(context.Background(), tt.req())
			if err == nil || publishers.ClassOf(err) != tt.class {
				t.Errorf("err = %v, want %s", err, tt.class)
			}
			for _, c := range e.srv.Calls()[before:] {
				if c.Endpoint == linkedintest.EndpointCreatePost {
					t.Errorf("a post was sent")
				}
			}
		})
	}
}

func TestExpiredVideoUploadStartsAgain(t *testing.T) {
	e := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cp := &memory{OnSave: func(name, _ string) {
		if name == linkedin.CheckpointVideoPartPrefix+"1" {
			cancel()
		}
	}}
	req := request(cp, member, "Stale upload", e.video("v"))
	if _, err := e.p.Publish(ctx, req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	cp.OnSave = nil
	e.clk.Advance(2 * linkedintest.UploadURLLife)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Videos()); n != 2 {
		t.Errorf("%d video uploads, want a second after the URLs expired", n)
	}
	if n := e.srv.Created("Stale upload"); n != 1 {
		t.Errorf("%d posts", n)
	}
}

func TestLostFinalizeAnswer(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointFinalize, 1, linkedintest.Fault{Lost: true})
	req := request(&memory{}, member, "Lost finalize", e.video("v"))
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: %v", err)
	}
	// The second finalize is refused (already done); the video's status
	// shows it was not needed.
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Created("Lost finalize"); n != 1 || len(e.srv.Videos()) != 1 {
		t.Errorf("%d posts, %d videos", n, len(e.srv.Videos()))
	}
}

func TestImageProcessingFailed(t *testing.T) {
	e := start(t)
	e.srv.SetImageProcessing(linkedintest.Processing{Polls: 1, Fail: "Image format not supported"})
	_, err := e.p.Publish(context.Background(), request(&memory{}, member, "Bad picture", e.image("a")))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "Image format not supported") {
		t.Errorf("err = %v, want permanent with LinkedIn's reason", err)
	}
	if got, want := steps(e.srv.Calls()), []string{"image_init", "upload", "image", "image"}; !slices.Equal(got, want) {
		t.Errorf("calls %s, want %s (no post)", join(got), join(want))
	}
	if e.clk.Slept() == 0 {
		t.Error("polled without waiting in between")
	}
}

func TestImageProcessingHandsBackAndResumes(t *testing.T) {
	e := start(t, func(o *linkedin.Options) { o.MaxWait = time.Second; o.HandBack = 30 * time.Second })
	e.srv.SetImageProcessing(linkedintest.Processing{Polls: 3})
	cp := &memory{}
	req := request(cp, member, "Slow picture", e.image("a"))
	handBacks := 0
	var res publishers.Result
	for attempt := 1; attempt <= 10; attempt++ {
		r, err := e.p.Publish(context.Background(), req)
		if err == nil {
			res = r
			break
		}
		if d, ok := publishers.RetryAfter(err); !ok || d != 30*time.Second || !strings.Contains(err.Error(), "still processing") {
			t.Fatalf("attempt %d: %v, want a 30s hand back", attempt, err)
		}
		handBacks++
		e.clk.Advance(30 * time.Second)
	}
	if handBacks != 3 {
		t.Errorf("%d hand backs, want 3", handBacks)
	}
	count := map[linkedintest.Endpoint]int{}
	for _, c := range e.srv.Calls() {
		count[c.Endpoint]++
	}
	if count[linkedintest.EndpointImageInit] != 1 || count[linkedintest.EndpointUpload] != 1 || count[linkedintest.EndpointImage] != 4 || count[linkedintest.EndpointCreatePost] != 1 {
		t.Errorf("calls %v, want one upload, four status reads and one post", count)
	}
	urn := cp.Get(linkedin.CheckpointImagePrefix + "1")
	posts := e.srv.Posts()
	if len(posts) != 1 || len(posts[0].MediaIDs) != 1 || posts[0].MediaIDs[0] != urn || res.RemoteID != posts[0].URN {
		t.Errorf("posts %+v, result %+v, checkpointed image %s", posts, res, urn)
	}
	if cp.Get(linkedin.CheckpointImageReadyPrefix+"1") != urn {
		t.Errorf("checkpoints %v, want the image marked ready", cp.Saved())
	}
}

func TestImageWaitResumesAfterCrash(t *testing.T) {
	e := start(t)
	e.srv.SetImageProcessing(linkedintest.Processing{Polls: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cp := &memory{OnSave: func(name, _ string) {
		if name == linkedin.CheckpointImagePrefix+"2" {
			cancel() // the worker dies once the second image is uploaded
		}
	}}
	req := request(cp, org, "Crash while waiting", e.image("a"), e.image("b"))
	if _, err := e.p.Publish(ctx, req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: %v, want transient", err)
	}
	cp.OnSave = nil
	before := len(e.srv.Calls())
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// Both images come from the checkpoints: their status is read, they
	// are not uploaded again.
	if got, want := steps(e.srv.Calls()[before:]), []string{"image", "image", "image", "image", "create_post"}; !slices.Equal(got, want) {
		t.Errorf("second attempt calls %s, want %s", join(got), join(want))
	}
	if n := len(e.srv.Images()); n != 2 {
		t.Errorf("%d images uploaded, want 2", n)
	}
	if n := e.srv.Created("Crash while waiting"); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}
