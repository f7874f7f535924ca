package deauth_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
)

func publicBody(openID, content string) []byte {
	return []byte(`{"client_key":"` + tiktokKey + `","event":"post.publish.publicly_available","create_time":1,"user_openid":"` + openID + `","content":` + content + `}`)
}

// post.publish.publicly_available asks for the post ids of the user's
// TikTok accounts to be looked up, and disconnects nothing.
func TestTikTokPostPubliclyAvailableLooksUp(t *testing.T) {
	var (
		mu    sync.Mutex
		asked []string
		fail  error
	)
	f := newFixture(t, func(o *deauth.Options) {
		o.OnTikTokPostPublic = func(_ context.Context, account string) error {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, account)
			return fail
		}
	})
	ctx := context.Background()
	f.connect("tt-1", "tiktok", "open-id-1", "")
	f.connect("tt-2", "tiktok", "open-id-2", "")
	body := publicBody("open-id-1", `"{\"publish_id\":\"v_pub_url~v2.123\",\"post_id\":\"7300000000000000001\",\"publish_type\":\"DIRECT_PUBLISH\"}"`)
	if err := f.tiktok(ctx, body, time.Now()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := slices.Clone(asked)
	mu.Unlock()
	if !slices.Equal(got, []string{"tt-1"}) {
		t.Errorf("looked up %v, want [tt-1]", got)
	}
	if h := f.heard(); len(h) != 0 {
		t.Errorf("deauthorized %v: the webhook is no disconnect notice", h)
	}
	if n := f.count("tiktok", "lookup", "done"); n != 1 {
		t.Errorf("lookup/done counted %v times", n)
	}
	// A failure answers 503, for TikTok to send it again.
	mu.Lock()
	fail = errors.New("redis down")
	mu.Unlock()
	if err := f.tiktok(ctx, body, time.Now()); !errors.Is(err, deauth.ErrUnavailable) || deauth.StatusFor(err) != 503 {
		t.Errorf("err = %v (status %d), want unavailable, 503", err, deauth.StatusFor(err))
	}
}

func TestParseTikTokPostPubliclyAvailable(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		name, content, publishID, postID string
		ok                               bool
	}{
		{"string id", `"{\"publish_id\":\"p.1\",\"post_id\":\"7300000000000000001\"}"`, "p.1", "7300000000000000001", true},
		{"numeric id", `"{\"publish_id\":\"p.1\",\"post_id\":7300000000000000001}"`, "p.1", "7300000000000000001", true},
		{"not JSON", `"publish_id=p.1"`, "", "", false},
		{"id not a number", `"{\"publish_id\":\"p.1\",\"post_id\":\"x\"}"`, "", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := publicBody("open-id-1", c.content)
			ev, err := deauth.ParseTikTokWebhook(deauthtest.TikTokSignature(tiktokSecret, now, body), body, tiktokSecret, now, 0)
			if !c.ok {
				if !errors.Is(err, deauth.ErrInvalid) {
					t.Errorf("err = %v, want invalid", err)
				}
				return
			}
			if err != nil || ev.PublishID != c.publishID || ev.PostID != c.postID {
				t.Errorf("%+v, %v", ev, err)
			}
		})
	}
	body := publicBody("", `"{}"`)
	if _, err := deauth.ParseTikTokWebhook(deauthtest.TikTokSignature(tiktokSecret, now, body), body, tiktokSecret, now, 0); !errors.Is(err, deauth.ErrInvalid) {
		t.Errorf("without a user_openid: err = %v, want invalid", err)
	}
}
