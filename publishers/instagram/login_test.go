package instagram_test

import (
	"context"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// One deployment, accounts of both logins: each account's calls go to its
// login's host (graph.instagram.com or graph.facebook.com, each a fake
// that refuses the other login's tokens) and its token is renewed by its
// login's grant.
func TestBothLoginsAtOnce(t *testing.T) {
	ig, fb := instagramtest.New(), instagramtest.New()
	t.Cleanup(ig.Close)
	t.Cleanup(fb.Close)
	ig.SetHost(instagramtest.HostInstagram)
	fb.SetHost(instagramtest.HostFacebook)
	clk := publisherstest.NewClock(epoch)
	ig.SetClock(clk.Now)
	fb.SetClock(clk.Now)
	p := instagram.New(instagram.Options{
		BaseURL: fb.URL(), RefreshBaseURL: ig.URL(), AppID: "app-1", AppSecret: "s3cret",
		Now: clk.Now, Sleep: clk.Sleep,
	})
	for _, tt := range []struct {
		name    string
		tok     *oauth2.Token
		host    *instagramtest.Server
		other   *instagramtest.Server
		caption string
	}{
		{"instagram login", &oauth2.Token{AccessToken: "IGAAtok-ig-1"}, ig, fb, "via instagram"},
		{"facebook login", &oauth2.Token{AccessToken: "EAAtok-fb-1"}, fb, ig, "via facebook"},
		{"recorded instagram login", instagram.WithLogin(&oauth2.Token{AccessToken: "opaque-1"}, instagram.LoginInstagram), ig, fb, "recorded"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.other.Calls())
			req := request(&memory{}, tt.caption, image("a"))
			req.Token = tt.tok
			if _, err := p.Publish(context.Background(), req); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if tt.host.Published(tt.caption) != 1 || len(tt.other.Calls()) != before {
				t.Errorf("published %d on its host; %d calls to the other", tt.host.Published(tt.caption), len(tt.other.Calls())-before)
			}
			nt, err := p.RefreshToken(context.Background(), tt.tok)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if len(tt.other.Calls()) != before {
				t.Errorf("refresh called the other host")
			}
			if instagram.LoginOf(nt, "") != instagram.LoginOf(tt.tok, "") {
				t.Errorf("renewed token's login %q, want %q", instagram.LoginOf(nt, ""), instagram.LoginOf(tt.tok, ""))
			}
		})
	}
}

// A token of one login is refused on the other's host, as Meta's are: the
// fake rule that would have caught a deployment sending every account to
// one host.
func TestHostRefusesTheOtherLoginsToken(t *testing.T) {
	e := start(t, func(o *instagram.Options) { o.RefreshBaseURL = "http://127.0.0.1:1" }) // Instagram Login host unused
	e.srv.SetHost(instagramtest.HostFacebook)
	req := request(&memory{}, "wrong host", image("a"))
	req.Token = instagram.WithLogin(&oauth2.Token{AccessToken: "IGAA-misrouted"}, instagram.LoginFacebook)
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassReauth {
		t.Fatalf("err = %v, want the 190 Meta answers", err)
	}
}

func TestLoginOf(t *testing.T) {
	for _, tt := range []struct {
		tok  *oauth2.Token
		want instagram.Login
	}{
		{nil, "fallback"},
		{&oauth2.Token{AccessToken: "IGAAx"}, instagram.LoginInstagram},
		{&oauth2.Token{AccessToken: "IGQVJx"}, instagram.LoginInstagram},
		{&oauth2.Token{AccessToken: "EAAGx"}, instagram.LoginFacebook},
		{&oauth2.Token{AccessToken: "opaque"}, "fallback"},
		{instagram.WithLogin(&oauth2.Token{AccessToken: "IGAAx"}, instagram.LoginFacebook), instagram.LoginFacebook},
		{(&oauth2.Token{AccessToken: "EAAx"}).WithExtra(map[string]any{"login": "myspace"}), instagram.LoginFacebook},
	} {
		if got := instagram.LoginOf(tt.tok, "fallback"); got != tt.want {
			t.Errorf("LoginOf(%v) = %q, want %q", tt.tok, got, tt.want)
		}
	}
}
