package instagram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// Each answer to media_publish that the Error Codes reference names, and
// what Meta asks a client to do about it: the class, the wait, and
// whether the next attempt makes a new container. The next attempt, the
// fault gone, publishes once.
func TestPublishErrorCodes(t *testing.T) {
	tests := []struct {
		name          string
		fault         instagramtest.Fault
		class         publishers.Class
		wait          time.Duration
		newContainer  bool
		mention       string
		publishesNext bool
	}{
		{"-1/2207053 unknown upload error", instagramtest.Fault{Code: -1, Subcode: 2207053, Message: "unknown upload error"}, publishers.ClassTransient, 0, true, "2207053", true},
		{"24/2207006 media not found", instagramtest.Fault{Code: 24, Subcode: 2207006, Message: "The media with id 1 cannot be found"}, publishers.ClassTransient, 0, true, "2207006", true},
		{"24/2207008 temporary publishing error", instagramtest.Fault{Code: 24, Subcode: 2207008, Message: "Temporarily unable to publish"}, publishers.ClassRateLimited, time.Minute, false, "2207008", true},
		{"4/2207051 spam restriction", instagramtest.Fault{Code: 4, Subcode: 2207051, Message: "Application request limit reached", UserMessage: "We restrict certain activity to protect our community. Tell us if you think we made a mistake."}, publishers.ClassPermanent, 0, false, "We restrict certain activity", false},
		{"4 app rate limit", instagramtest.Fault{Code: 4, Message: "(#4) Application request limit reached"}, publishers.ClassRateLimited, 5 * time.Minute, false, "code 4", true},
		{"9/2207042 publishing limit", instagramtest.Fault{Code: 9, Subcode: 2207042}, publishers.ClassRateLimited, 0, false, "2207042", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.FailNext(instagramtest.EndpointPublish, 1, tt.fault)
			req := request(&memory{}, "code "+tt.name, image("a"))
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != tt.class || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v, want %s mentioning %q", err, tt.class, tt.mention)
			}
			if d, _ := publishers.RetryAfter(err); tt.wait != 0 && d != tt.wait {
				t.Errorf("waits %s, want %s", d, tt.wait)
			}
			if d, ok := publishers.RetryAfter(err); ok {
				e.clk.Advance(d)
			}
			if tt.publishesNext {
				// A permanent error ends the job: no next attempt.
				if _, err := e.p.Publish(context.Background(), req); err != nil {
					t.Fatalf("second attempt: %v", err)
				}
			}
			want := 1
			if tt.newContainer {
				want = 2
			}
			if c := e.srv.Created("code " + tt.name); c != want {
				t.Errorf("%d containers, want %d", c, want)
			}
			wantMedia := 0
			if tt.publishesNext {
				wantMedia = 1
			}
			if p := e.srv.Published("code " + tt.name); p != wantMedia {
				t.Errorf("%d media, want %d", p, wantMedia)
			}
		})
	}
}

// 24/2207008 again and again: the same container twice more, a minute
// apart, then new containers (Meta: "try again 1-2 times in the next 30
// seconds to 2 minutes; if unsuccessful, generate a new container").
func TestTemporaryPublishErrorRetriesThenMakesANewContainer(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 3, instagramtest.Fault{Code: 24, Subcode: 2207008})
	req := request(&memory{}, "stubborn", image("a"))
	var classes []string
	for attempt := 1; attempt <= 5; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if err == nil {
			break
		}
		classes = append(classes, publishers.ClassOf(err).String())
		if d, ok := publishers.RetryAfter(err); ok {
			e.clk.Advance(d)
		}
	}
	if got, want := strings.Join(classes, " "), "rate_limited rate_limited transient"; got != want {
		t.Errorf("attempts %s, want %s", got, want)
	}
	if c, p := e.srv.Created("stubborn"), e.srv.Published("stubborn"); c != 2 || p != 1 {
		t.Errorf("%d containers, %d media; want 2, 1", c, p)
	}
}

// A container that ends in ERROR with 2207053 is made again.
func TestUnknownUploadErrorInStatusMakesANewContainer(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(instagramtest.Processing{Error: "Error: unknown upload error: 2207053"})
	req := request(&memory{}, "upload hiccup", video("a"))
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: %v, want transient", err)
	}
	e.srv.SetProcessing(instagramtest.Processing{})
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if c, p := e.srv.Created("upload hiccup"), e.srv.Published("upload hiccup"); c != 2 || p != 1 {
		t.Errorf("%d containers, %d media; want 2, 1", c, p)
	}
}
