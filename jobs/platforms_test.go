package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/jobs"
)

// A client told its platforms refuses posts and analytics of any other,
// naming the field; one told none takes any well-formed name.
func TestClientValidatesPlatformsItWasGiven(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never reached: validation comes first
	t.Cleanup(func() { rdb.Close() })
	listed := jobs.NewClient(rdb, jobs.WithPlatforms("youtube", "linkedin"))
	open := jobs.NewClient(rdb)
	tests := []struct {
		name     string
		client   *jobs.Client
		platform string
		ok       bool
	}{
		{"listed", listed, "linkedin", true},
		{"not listed", listed, "sandbox", false},
		{"malformed", listed, "You Tube", false},
		{"any well-formed without a list", open, "myspace", true},
		{"malformed without a list", open, "My Space", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPost()
			p.Platform = tt.platform
			err := tt.client.ValidatePost(p)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidatePost = %v, want nil", err)
				}
				return
			}
			if !containsField(err, "platform") || !errors.Is(err, jobs.ErrInvalid) {
				t.Fatalf("ValidatePost = %v, want a platform FieldError", err)
			}
			if _, err := tt.client.SchedulePost(context.Background(), p); !containsField(err, "platform") {
				t.Errorf("SchedulePost = %v, want a platform FieldError", err)
			}
			if err := tt.client.RefreshAnalytics(context.Background(), "acct", tt.platform); !containsField(err, "platform") {
				t.Errorf("RefreshAnalytics = %v, want a platform FieldError", err)
			}
		})
	}
}
