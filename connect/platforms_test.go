package connect_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
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

// Reconnecting an account replaces its token, and revokes the one it
// replaced at the platform when that cannot reach the new one: always
// where the platform revokes one token (none of these four), only for
// another user where revoking ends the user's whole authorization of the
// app (Google, TikTok), never where the platform has no revoke
// (LinkedIn, Instagram). The new token works in every case.
func TestReconnectReplacesAndRevokes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	channels := func(tok *oauth2.Token) int {
		req, _ := http.NewRequest("GET", w.yt.URL()+"/youtube/v3/channels?part=id&mine=true", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name, platform string
		user           string // the consent form's field naming the user
		first, second  string
		want           bool // the first token is revoked
		revoked        func(old *oauth2.Token) bool
		works          func(tok *oauth2.Token) error
	}{
		{name: "youtube, another Google account", platform: "youtube", user: "account", first: "alice", second: "bob", want: true,
			revoked: func(old *oauth2.Token) bool { return channels(old) == http.StatusUnauthorized }},
		{name: "youtube, the same Google account", platform: "youtube", user: "account", first: "carol", second: "carol"},
		{name: "tiktok, another user", platform: "tiktok", user: "open_id", first: "ada", second: "bea", want: true,
			revoked: func(old *oauth2.Token) bool { return w.tt.Revoked(old.AccessToken) }},
		{name: "tiktok, the same user", platform: "tiktok", user: "open_id", first: "cy", second: "cy"},
		{name: "linkedin, no revoke endpoint", platform: "linkedin", user: "member", first: "m1", second: "m2"},
		{name: "instagram, no revoke endpoint", platform: "instagram", user: "user", first: "17841400000000007", second: "17841400000000008"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.t = t
			account := fmt.Sprintf("re-%d-%s", i, tt.platform)
			connect := func(who string) *oauth2.Token {
				if res := w.connectAs(tt.platform, account, url.Values{"decision": {"allow"}, tt.user: {who}}); res.Get("status") != "connected" {
					t.Fatalf("result %v", res)
				}
				tok, err := w.h.Vault.Token(ctx, account, tt.platform)
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			old := connect(tt.first)
			next := connect(tt.second)
			if next.AccessToken == old.AccessToken {
				t.Fatal("the reconnect kept the old token")
			}
			if tt.want {
				eventually.True(t, 20*time.Second, func() bool { return tt.revoked(old) }, "the replaced token revoked at %s", tt.platform)
			} else if w.h.Redis.Exists(ctx, "herald:{acct:"+account+"}:revoke").Val() != 0 {
				t.Error("the replaced token was kept for revocation")
			}
			if err := w.works(tt.platform, next); err != nil {
				t.Errorf("the new token: %v", err)
			}
		})
	}
	// The worker publishes with a reconnected account.
	w.t = t
	w.h.SchedulePost(t, jobs.Post{ID: "re-yt-post", AccountID: "re-1-youtube", Platform: "youtube",
		Content: publishers.Content{Title: "after the reconnect", Media: []publishers.Media{{URL: w.video, Kind: publishers.MediaVideo}}}})
	w.h.WaitPublished(t, "re-yt-post")
}

// works calls platform with tok, as its publisher would, and says
// whether the platform took it.
func (w *world) works(platform string, tok *oauth2.Token) error {
	ctx := context.Background()
	switch platform {
	case "youtube":
		req, _ := http.NewRequest("GET", w.yt.URL()+"/youtube/v3/channels?part=id&mine=true", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("channels.list answered %d", resp.StatusCode)
		}
		return nil
	case "tiktok":
		_, err := w.ps["tiktok"].CreatorInfo(ctx, tok, nil)
		return err
	default:
		_, err := w.ps[platform].Authorization.Identify(ctx, http.DefaultClient, tok)
		return err
	}
}

// A LinkedIn member who grants the organization scopes is connected
// with the organizations they administer, and a post names one of them
// to be that organization's; one the member does not administer fails
// before LinkedIn is called. Granting posting as organizations without
// the permission to read them connects the member, and the event says
// why no organization was read.
func TestLinkedInOrganizations(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const admin, analyst, requested = "urn:li:organization:101", "urn:li:organization:102", "urn:li:organization:103"
	w.li.SetOrganizationRole("orgMember", admin, linkedintest.RoleAdministrator, linkedintest.StateApproved)
	w.li.SetOrganizationRole("orgMember", analyst, linkedintest.RoleAnalyst, linkedintest.StateApproved)
	w.li.SetOrganizationRole("orgMember", requested, linkedintest.RoleAdministrator, linkedintest.StateRequested)
	scopes := append(append([]string{}, linkedin.PublishScopes...), linkedin.OrganizationScopes...)
	if res := w.connectAs("linkedin", "li-pages", url.Values{"decision": {"allow"}, "member": {"orgMember"}}, scopes...); res.Get("status") != "connected" {
		t.Fatalf("result %v", res)
	}
	info, err := w.h.Vault.Info(ctx, "li-pages")
	if err != nil || info.PlatformUserID != "urn:li:person:orgMember" || !slices.Equal(info.Organizations, []string{admin}) {
		t.Fatalf("account %+v %v", info, err)
	}
	if ev := w.connected("li-pages"); ev.Reason != "" {
		t.Errorf("account.connected reason %q", ev.Reason)
	}
	w.h.SchedulePost(t, jobs.Post{ID: "as-page", AccountID: "li-pages", Platform: "linkedin",
		Content: publishers.Content{Text: "from the page", Options: map[string]string{linkedin.OptionAuthor: admin}}})
	w.h.WaitPublished(t, "as-page")
	posts := w.li.Posts()
	if len(posts) != 1 || posts[0].Author != admin {
		t.Fatalf("posts %+v", posts)
	}
	w.h.SchedulePost(t, jobs.Post{ID: "as-other-page", AccountID: "li-pages", Platform: "linkedin",
		Content: publishers.Content{Text: "from another page", Options: map[string]string{linkedin.OptionAuthor: analyst}}})
	if st := w.h.WaitFailed(t, "as-other-page"); st.FailureClass != "permanent" || !strings.Contains(st.Reason, "option author") {
		t.Errorf("post as a page the member does not administer: %s: %s", st.FailureClass, st.Reason)
	}
	if len(w.li.Posts()) != 1 {
		t.Error("LinkedIn got a post as a page the member does not administer")
	}

	if res := w.connectAs("linkedin", "li-no-pages", url.Values{"decision": {"allow"}, "member": {"orgMember"}}, "openid", "profile", "w_organization_social"); res.Get("status") != "connected" {
		t.Fatalf("result %v", res)
	}
	if info, _ := w.h.Vault.Info(ctx, "li-no-pages"); len(info.Organizations) != 0 {
		t.Errorf("organizations %v read without r_organization_admin", info.Organizations)
	}
	if ev := w.connected("li-no-pages"); !strings.Contains(ev.Reason, "organizations not read: r_organization_admin not granted") {
		t.Errorf("account.connected reason %q", ev.Reason)
	}
}
