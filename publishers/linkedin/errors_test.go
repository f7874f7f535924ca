package linkedin_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestErrorClasses(t *testing.T) {
	tests := []struct {
		name    string
		author  string
		fault   linkedintest.Fault
		class   publishers.Class
		wait    time.Duration
		mention string
	}{
		{"500", member, linkedintest.Fault{Status: 500}, publishers.ClassTransient, 0, "500"},
		{"503", member, linkedintest.Fault{Status: 503}, publishers.ClassTransient, 0, "503"},
		{"504", member, linkedintest.Fault{Status: 504}, publishers.ClassTransient, 0, "504"},
		{"408", member, linkedintest.Fault{Status: 408}, publishers.ClassTransient, 0, "408"},
		{"429 with Retry-After", member, linkedintest.Fault{Status: 429, Header: linkedintest.RetryAfter(120)}, publishers.ClassRateLimited, 2 * time.Minute, "429"},
		{"429 with a Retry-After date", member, linkedintest.Fault{Status: 429, Header: http.Header{"Retry-After": {epoch.Add(3 * time.Minute).Format(http.TimeFormat)}}}, publishers.ClassRateLimited, 3 * time.Minute, "429"},
		{"429 without Retry-After", member, linkedintest.Fault{Status: 429}, publishers.ClassRateLimited, 7 * time.Minute, "429"},
		{"401", member, linkedintest.Fault{Status: 401, ServiceErrorCode: 65600, Message: "Invalid access token"}, publishers.ClassReauth, 0, "Invalid access token"},
		{"revoked", member, linkedintest.Fault{Status: 401, Code: "REVOKED_ACCESS_TOKEN", ServiceErrorCode: 65601}, publishers.ClassReauth, 0, "REVOKED_ACCESS_TOKEN"},
		{"403 member scope", member, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED", ServiceErrorCode: 100, Message: "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"}, publishers.ClassPermanent, 0, "permission w_member_social refused"},
		{"403 organization scope", org, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED", ServiceErrorCode: 100, Message: "Not enough permissions to access: partnerApiPostsExternal.CREATE.20260701"}, publishers.ClassPermanent, 0, "permission w_organization_social refused"},
		{"403 lost page role", org, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED", ServiceErrorCode: 100, Message: "Member does not have permission to create posts on behalf of urn:li:organization:2414183"}, publishers.ClassPermanent, 0, "page role"},
		{"403 unpermitted access", org, linkedintest.Fault{Status: 403, Message: "Unpermitted access to urn:li:organization:2414183"}, publishers.ClassPermanent, 0, "ADMINISTRATOR"},
		{"403 without a message", member, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED"}, publishers.ClassPermanent, 0, "w_member_social"},
		{"403 revoked token", member, linkedintest.Fault{Status: 403, Message: "The token used in the request has been revoked by the user"}, publishers.ClassReauth, 0, "revoked"},
		{"403 expired token", member, linkedintest.Fault{Status: 403, Message: "Expired access token"}, publishers.ClassReauth, 0, "Expired access token"},
		{"403 revoked code", member, linkedintest.Fault{Status: 403, Code: "REVOKED_ACCESS_TOKEN", ServiceErrorCode: 65601}, publishers.ClassReauth, 0, "REVOKED_ACCESS_TOKEN"},
		{"426 sunset version", member, linkedintest.Fault{Status: 426, Code: "NONEXISTENT_VERSION", Message: "Requested version 202510 is not active"}, publishers.ClassRateLimited, time.Hour, "HERALD_LINKEDIN_VERSION"},
		{"400", member, linkedintest.Fault{Status: 400, Message: "Unpermitted fields present in REQUEST_BODY"}, publishers.ClassPermanent, 0, "Unpermitted fields"},
		{"422", member, linkedintest.Fault{Status: 422, Message: "/commentary: length exceeded"}, publishers.ClassPermanent, 0, "length exceeded"},
		{"404", member, linkedintest.Fault{Status: 404}, publishers.ClassPermanent, 0, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, func(o *linkedin.Options) { o.RateLimitWait = 7 * time.Minute })
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, tt.fault)
			_, err := e.p.Publish(context.Background(), request(&memory{}, tt.author, "Class "+tt.name))
			if got := publishers.ClassOf(err); got != tt.class {
				t.Fatalf("err = %v: class %s, want %s", err, got, tt.class)
			}
			if d, _ := publishers.RetryAfter(err); d != tt.wait {
				t.Errorf("retry after %s, want %s", d, tt.wait)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.HasPrefix(errors.Unwrap(err).Error(), "linkedin: create text post: ") {
				t.Errorf("err = %q, want it to start with the step and mention %q", err, tt.mention)
			}
		})
	}
}

func TestRepeated429WaitsForMidnightUTC(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointCreatePost, 2, linkedintest.Fault{Status: 429})
	req := request(&memory{}, member, "Daily limit")
	_, err := e.p.Publish(context.Background(), req)
	if d, _ := publishers.RetryAfter(err); d != linkedin.DefaultRateLimitWait {
		t.Fatalf("first 429: %v", err)
	}
	e.clk.Advance(linkedin.DefaultRateLimitWait)
	_, err = e.p.Publish(context.Background(), req)
	midnight := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if d, _ := publishers.RetryAfter(err); d != midnight.Sub(e.clk.Now())+time.Minute || !strings.Contains(err.Error(), "daily") {
		t.Fatalf("second 429: %v, want a wait until just past midnight UTC", err)
	}
	// A new day starts a new count.
	e.clk.Advance(24 * time.Hour)
	e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 429})
	_, err = e.p.Publish(context.Background(), req)
	if d, _ := publishers.RetryAfter(err); d != linkedin.DefaultRateLimitWait {
		t.Fatalf("first 429 of the next day: %v", err)
	}
}

// A sunset version is not the post's fault: the post waits an hour (for
// the operator to configure a current version), it does not fail. The
// fake sunsets 202510 on its own clock (October 15, 2026), as LinkedIn.
func TestSunsetVersionParksThePost(t *testing.T) {
	e := start(t, func(o *linkedin.Options) { o.Version = "202510" })
	_, err := e.p.Publish(context.Background(), request(&memory{}, member, "Old version"))
	if publishers.ClassOf(err) != publishers.ClassRateLimited || !strings.Contains(err.Error(), "HERALD_LINKEDIN_VERSION") {
		t.Fatalf("err = %v", err)
	}
	if d, _ := publishers.RetryAfter(err); d != time.Hour {
		t.Errorf("parked for %s, want an hour", d)
	}
	if got := e.srv.Created("Old version"); got != 0 {
		t.Errorf("%d posts made with a sunset version", got)
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	fresh := "AQX-fresh-token-77aa"
	tests := []struct {
		name  string
		setup func(e env)
		req   func(e env) publishers.Request
	}{
		{"token echoed by the API", func(e env) {
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 400, Echo: true})
		}, func(e env) publishers.Request { return request(&memory{}, member, "echo") }},
		{"refreshed token echoed", func(e env) {
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 401})
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 503, Echo: true})
		}, func(e env) publishers.Request {
			r := request(&memory{}, member, "echo")
			r.ForceRefresh = func(context.Context) (*oauth2.Token, error) { return &oauth2.Token{AccessToken: fresh}, nil }
			return r
		}},
		{"image upload URL and token echoed", func(e env) {
			e.srv.FailNext(linkedintest.EndpointUpload, 1, linkedintest.Fault{Status: 400, Echo: true})
		}, func(e env) publishers.Request { return request(&memory{}, member, "echo", e.image("a")) }},
		{"video part URL echoed", func(e env) {
			e.srv.FailNext(linkedintest.EndpointUpload, -1, linkedintest.Fault{Status: 500, Echo: true})
		}, func(e env) publishers.Request { return request(&memory{}, member, "echo", e.video("v")) }},
		{"echoed by an image status read", func(e env) {
			e.srv.FailNext(linkedintest.EndpointImage, 1, linkedintest.Fault{Status: 400, Echo: true})
		}, func(e env) publishers.Request { return request(&memory{}, member, "echo", e.image("a")) }},
		{"echoed in a lookup", func(e env) {
			e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
			e.srv.FailNext(linkedintest.EndpointListPosts, 1, linkedintest.Fault{Status: 403, Echo: true})
		}, func(e env) publishers.Request { return request(&memory{}, member, "echo") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			tt.setup(e)
			req := tt.req(e)
			var errs []error
			for range 2 {
				if _, err := e.p.Publish(context.Background(), req); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			secrets := []string{token, fresh}
			for _, c := range e.srv.Calls() {
				if c.Endpoint == linkedintest.EndpointUpload {
					secrets = append(secrets, c.Query.Get("sig"))
				}
			}
			for _, err := range errs {
				t.Log(err)
				for _, secret := range secrets {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Errorf("error %q contains secret %q", err, secret)
					}
				}
			}
		})
	}
}

func TestNetworkErrorsDropTheURL(t *testing.T) {
	dead := linkedintest.New()
	dead.Close()
	p := linkedin.New(linkedin.Options{BaseURL: dead.URL() + "/?oauth2_access_token=" + token})
	_, err := p.Publish(context.Background(), request(&memory{}, member, "unreachable"))
	if publishers.ClassOf(err) != publishers.ClassTransient || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "oauth2_access_token") {
		t.Errorf("err = %v, want transient without the URL", err)
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &linkedin.APIError{Status: http.StatusUnprocessableEntity, Code: "DUPLICATE_POST", Message: "Content is a duplicate", ServiceErrorCode: 0}
	if got, want := e.Error(), "422 DUPLICATE_POST: Content is a duplicate"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
