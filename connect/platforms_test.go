package connect_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// world is Herald with the fakes of the four platforms beside the
// sandbox, each connected through the flow and published to by the
// worker.
type world struct {
	*rig
	yt    *youtubetest.Server
	tt    *tiktoktest.Server
	li    *linkedintest.Server
	ig    *instagramtest.Server
	ps    map[string]publishers.Platform
	video string // a small video, on loopback
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{yt: youtubetest.New(), tt: tiktoktest.New(), li: linkedintest.New(), ig: instagramtest.New(), ps: map[string]publishers.Platform{}}
	for _, c := range []interface{ Close() }{w.yt, w.tt, w.li, w.ig} {
		t.Cleanup(c.Close)
	}
	w.li.SetClient("li-client", "li-secret")
	w.ig.SetAppSecret("ig-secret")
	w.tt.SetVerifiedPrefixes("https://cdn.example.com/")
	video := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "video/mp4")
		io.WriteString(rw, strings.Repeat("frame", 2000))
	}))
	t.Cleanup(video.Close)
	w.video = video.URL + "/v.mp4"
	fetch, err := media.New(media.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := []publishers.Platform{
		youtube.Platform(youtube.Options{Endpoint: w.yt.Endpoint(), UploadEndpoint: w.yt.UploadEndpoint(), Media: fetch}, youtube.Credentials{
			ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret, TokenURL: w.yt.TokenURL(), RevokeURL: w.yt.RevokeURL(), AuthURL: w.yt.AuthURL()}),
		tiktok.Platform(tiktok.Options{BaseURL: w.tt.URL(), ClientKey: tiktoktest.DefaultClientKey, ClientSecret: tiktoktest.DefaultClientSecret,
			PullPrefixes: []string{"https://cdn.example.com/"}}, tiktok.Consent{AuthURL: w.tt.AuthURL()}),
		linkedin.Platform(linkedin.Options{BaseURL: w.li.URL()}, linkedin.OAuth{TokenURL: w.li.TokenURL(), ClientID: "li-client", ClientSecret: "li-secret"}, linkedin.Consent{AuthURL: w.li.AuthURL()}),
		instagram.Platform(instagram.Options{BaseURL: w.ig.URL(), RefreshBaseURL: w.ig.URL()}, instagram.Consent{AppID: "ig-app", AppSecret: "ig-secret", AuthURL: w.ig.AuthURL(), TokenURL: w.ig.TokenURL()}),
	}
	for _, p := range ps {
		w.ps[p.Name] = p
	}
	w.rig = newRigWith(t, ps)
	return w
}

// connectAs runs the whole consent of account on platform, the user
// answering form on the consent page, and returns what the app reads.
func (w *world) connectAs(platform, account string, form url.Values, scopes ...string) url.Values {
	w.t.Helper()
	s, err := w.flow.Start(context.Background(), connect.Request{Platform: platform, AccountID: account, ReturnURL: w.app, Scopes: scopes, Key: "app"})
	if err != nil {
		w.t.Fatalf("Start: %v", err)
	}
	return w.result(w.get(w.consent(s.AuthorizeURL, form), 0))
}

// connected is the account.connected event of account, the latest.
func (w *world) connected(account string) events.Event {
	w.t.Helper()
	evs := w.h.Events(w.t)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == events.AccountConnected && evs[i].AccountID == account {
			return evs[i]
		}
	}
	w.t.Fatalf("no account.connected for %s in %+v", account, evs)
	return events.Event{}
}

func (w *world) tiktokPost(text string) publishers.Content {
	return publishers.Content{Title: text, Text: text,
		Media:   []publishers.Media{{URL: "https://cdn.example.com/t.mp4", Kind: publishers.MediaVideo}},
		Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyFollowers}}
}

// The user grants less than asked, on every platform: the account is
// connected with what was granted and account.connected names what is
// missing; a post that needs a missing scope fails as reauth naming it,
// and the platform is not called. Handed over by an app (the grant not
// read by Herald, so not checked), the same token reaches the platform,
// which refuses it: reauth again where the platform says the scope is
// missing; LinkedIn's 403 cannot tell a missing scope from a missing
// page role or product, so it stays permanent there, naming the scope.
func TestSmallerGrantOnEveryPlatform(t *testing.T) {
	w := newWorld(t)
	const org = "urn:li:organization:4242"
	tests := []struct {
		platform string
		form     url.Values
		scopes   []string // asked; none: the platform's defaults
		missing  string   // in account.connected's reason
		content  func() publishers.Content
		need     string // in the failed post's reason
		// calls counts the platform's publishing calls.
		calls func() int
		// handed is the class and a word of the platform's own refusal.
		handedClass, handedWord string
		handedOrgs              []string
	}{
		{
			platform: "youtube", form: url.Values{"decision": {"allow"}, "grant": {"https://www.googleapis.com/auth/youtube.readonly"}},
			missing: "scopes not granted: https://www.googleapis.com/auth/youtube.upload",
			content: func() publishers.Content {
				return publishers.Content{Title: "t", Media: []publishers.Media{{URL: w.video, Kind: publishers.MediaVideo}}}
			},
			need:        "youtube.upload",
			calls:       func() int { return w.yt.Count(youtubetest.OpVideosInsert, 0) },
			handedClass: "reauth", handedWord: "insufficient",
		},
		{
			platform: "tiktok", form: url.Values{"decision": {"allow"}, "grant": {"video.list"}},
			missing: "scopes not granted: video.publish user.info.stats",
			content: func() publishers.Content { return w.tiktokPost("tt") },
			need:    "video.publish",
			calls: func() int {
				return countIf(w.tt.Calls(), func(c tiktoktest.Call) bool {
					return c.Endpoint == tiktoktest.EndpointCreatorInfo || c.Endpoint == tiktoktest.EndpointVideoInit
				})
			},
			handedClass: "reauth", handedWord: "scope_not_authorized",
		},
		{
			platform: "instagram", form: url.Values{"decision": {"allow"}, "grant": {"instagram_business_manage_insights"}},
			missing: "scopes not granted: instagram_business_content_publish",
			content: func() publishers.Content {
				return publishers.Content{Text: "ig", Media: []publishers.Media{{URL: "https://cdn.example.com/1.jpg", Kind: publishers.MediaImage}}}
			},
			need: "instagram_business_content_publish",
			calls: func() int {
				return countIf(w.ig.Calls(), func(c instagramtest.Call) bool { return c.Endpoint == instagramtest.EndpointCreate })
			},
			handedClass: "reauth", handedWord: "(#10)",
		},
		{
			// LinkedIn's consent grants all that was asked or nothing:
			// the member scopes only, then a post as an organization.
			platform: "linkedin", form: allow(),
			content: func() publishers.Content {
				return publishers.Content{Text: "li", Options: map[string]string{linkedin.OptionAuthor: org}}
			},
			need: "w_organization_social",
			calls: func() int {
				return countIf(w.li.Calls(), func(c linkedintest.Call) bool { return c.Endpoint == linkedintest.EndpointCreatePost })
			},
			handedClass: "permanent", handedWord: "w_organization_social", handedOrgs: []string{org},
		},
		{
			platform: "sandbox", form: url.Values{"decision": {"allow"}, "grant": {"analytics"}},
			missing:     "scopes not granted: publish",
			content:     func() publishers.Content { return publishers.Content{Text: "sb"} },
			need:        "publish",
			calls:       func() int { return len(w.h.Sandbox.Calls()) },
			handedClass: "reauth", handedWord: "missing scope",
		},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			w.t = t
			account := "small-" + tt.platform
			if res := w.connectAs(tt.platform, account, tt.form, tt.scopes...); res.Get("status") != "connected" {
				t.Fatalf("result %v", res)
			}
			info, err := w.h.Vault.Info(ctx, account)
			if err != nil || info.Status != tokens.StatusActive || !info.ScopesGranted || slices.Contains(info.Scopes, tt.need) || slices.ContainsFunc(info.Scopes, func(s string) bool { return strings.HasSuffix(s, tt.need) }) {
				t.Fatalf("account %+v %v: want connected without %s", info, err, tt.need)
			}
			if ev := w.connected(account); ev.Reason != tt.missing {
				t.Errorf("account.connected reason %q, want %q", ev.Reason, tt.missing)
			}
			before := tt.calls()
			w.h.SchedulePost(t, jobs.Post{ID: account + "-1", AccountID: account, Platform: tt.platform, Content: tt.content()})
			st := w.h.WaitFailed(t, account+"-1")
			if st.FailureClass != "reauth" || !strings.Contains(st.Reason, tt.need) || !strings.Contains(st.Reason, "grant") {
				t.Errorf("post failed %s: %s; want reauth naming %s", st.FailureClass, st.Reason, tt.need)
			}
			if n := tt.calls() - before; n != 0 {
				t.Errorf("%s was called %d times for a post its grant does not allow", tt.platform, n)
			}

			// The same token, handed over by an app.
			tok, err := w.h.Vault.Token(ctx, account, tt.platform)
			if err != nil {
				t.Fatal(err)
			}
			err = w.h.Vault.Connect(ctx, tokens.Account{ID: account, Platform: tt.platform, PlatformUserID: info.PlatformUserID,
				Scopes: info.Scopes, Organizations: tt.handedOrgs, Token: tok})
			if err != nil {
				t.Fatal(err)
			}
			w.h.SchedulePost(t, jobs.Post{ID: account + "-2", AccountID: account, Platform: tt.platform, Content: tt.content()})
			st = w.h.WaitFailed(t, account+"-2")
			if st.FailureClass != tt.handedClass || !strings.Contains(st.Reason, tt.handedWord) {
				t.Errorf("handed over: post failed %s: %s; want %s with %q", st.FailureClass, st.Reason, tt.handedClass, tt.handedWord)
			}
			if tt.calls() == before {
				t.Errorf("handed over: %s was not called", tt.platform)
			}
		})
	}
}

func countIf[C any](calls []C, f func(C) bool) int {
	n := 0
	for _, c := range calls {
		if f(c) {
			n++
		}
	}
	return n
}
