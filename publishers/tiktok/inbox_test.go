package tiktok_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func TestInboxUploadEndsSentToInbox(t *testing.T) {
	e := start(t)
	cp := &memory{}
	req := request(cp, "", e.src.video(6*mb))
	req.Content.Options = map[string]string{tiktok.OptionInbox: "true"}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != tiktok.StateSentToInbox || res.RemoteID != "" {
		t.Errorf("result %+v, want state %s and no post id", res, tiktok.StateSentToInbox)
	}
	pb := e.srv.Publishes()
	if len(pb) != 1 || !pb[0].Inbox || pb[0].Status != tiktoktest.StatusSendToUserInbox || pb[0].Received != 6*mb {
		t.Fatalf("publishes %+v, want one inbox upload, whole", pb)
	}
	if n := e.srv.Count(tiktoktest.EndpointInboxInit); n != 1 || e.srv.Count(tiktoktest.EndpointVideoInit) != 0 || e.srv.Count(tiktoktest.EndpointCreatorInfo) != 0 {
		t.Errorf("calls %s, want the inbox init and no creator_info", compact(steps(e.srv.Calls())))
	}
	again, err := e.p.Publish(context.Background(), req)
	if err != nil || again.State != tiktok.StateSentToInbox || e.srv.Count(tiktoktest.EndpointInboxInit) != 1 {
		t.Errorf("retry: %+v, %v; want the same outcome without a second init", again, err)
	}
}

func TestInboxPhotosAreAMediaUpload(t *testing.T) {
	e := start(t, func(o *tiktok.Options) { o.PullPrefixes = []string{"https://cdn.example.com/"} })
	e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
	req := request(&memory{}, "photos", publishers.Media{URL: "https://cdn.example.com/1.jpg", Kind: publishers.MediaImage})
	req.Content.Options = map[string]string{tiktok.OptionInbox: "true"}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil || res.State != tiktok.StateSentToInbox {
		t.Fatalf("%+v, %v", res, err)
	}
	if pb := e.srv.Publishes()[0]; !pb.Inbox || pb.Privacy != "" {
		t.Errorf("publish %+v, want an inbox upload without privacy", pb)
	}
}

func TestInboxRefusesPostSettings(t *testing.T) {
	for _, tt := range []struct {
		caption string
		options map[string]string
		want    string
	}{
		{"", map[string]string{"send_to_inbox": "true", "privacy_level": "SELF_ONLY"}, "option privacy_level does not go with send_to_inbox"},
		{"", map[string]string{"send_to_inbox": "true", "disable_comment": "true"}, "option disable_comment does not go with send_to_inbox"},
		{"a caption", map[string]string{"send_to_inbox": "true"}, "takes no caption"},
		{"", map[string]string{"send_to_inbox": "perhaps"}, "send_to_inbox"},
	} {
		e := start(t)
		req := request(&memory{}, tt.caption, e.src.video(mb))
		req.Content.Options = tt.options
		_, err := e.p.Publish(context.Background(), req)
		if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want permanent saying %q", tt.options, err, tt.want)
		}
		if n := len(e.srv.Calls()); n != 0 {
			t.Errorf("%v: %d calls", tt.options, n)
		}
	}
}
