package instagramtest

import (
	"net/http"
	"strconv"
	"time"
)

// Endpoint names a kind of API call, for faults and the call log.
type Endpoint string

// Endpoints.
const (
	EndpointCreate   Endpoint = "create"   // POST /{ig-user-id}/media
	EndpointPublish  Endpoint = "publish"  // POST /{ig-user-id}/media_publish
	EndpointLimit    Endpoint = "limit"    // GET /{ig-user-id}/content_publishing_limit
	EndpointList     Endpoint = "list"     // GET /{ig-user-id}/media, /stories
	EndpointRead     Endpoint = "read"     // GET /{id} (container status, media, account), GET /?ids=
	EndpointInsights Endpoint = "insights" // GET /{id}/insights
	EndpointRefresh  Endpoint = "refresh"  // GET /refresh_access_token, POST /oauth/access_token
	EndpointComment  Endpoint = "comment"  // POST /{ig-media-id}/comments
	EndpointComments Endpoint = "comments" // GET /{ig-media-id}/comments
)

// Fault is how a call fails: a Graph error answer, or (Lost) no answer at
// all after the call took effect.
type Fault struct {
	// Status is the HTTP status; zero means 400 (Graph's usual), or 500
	// for codes 1 and 2.
	Status int
	// Code and Subcode are the error's code and error_subcode; a zero
	// Code means 2 (service temporarily unavailable).
	Code, Subcode int
	// Message is the error message; empty means a made-up one.
	Message string
	// UserMessage is error_user_msg, Instagram's text for people.
	UserMessage string
	// Transient sets is_transient.
	Transient bool
	// Header is sent with the answer (X-App-Usage,
	// X-Business-Use-Case-Usage, Retry-After).
	Header http.Header
	// Lost makes the call take effect and then drops the connection
	// without an answer: the caller cannot know what happened.
	Lost bool
}

// UsageHeader is an X-App-Usage header reporting percent of the app's
// call budget in use.
func UsageHeader(percent int) http.Header {
	return http.Header{"X-App-Usage": {`{"call_count":` + strconv.Itoa(percent) + `,"total_cputime":5,"total_time":5}`}}
}

// RateLimitHeader is an X-Business-Use-Case-Usage header saying calls are
// accepted again after regain.
func RateLimitHeader(regain time.Duration) http.Header {
	mins := strconv.FormatInt(int64(regain/time.Minute), 10)
	return http.Header{
		"X-Business-Use-Case-Usage": {`{"17841400000000000":[{"type":"instagram","call_count":100,"total_cputime":12,"total_time":20,"estimated_time_to_regain_access":` + mins + `}]}`},
		"X-App-Usage":               {`{"call_count":100,"total_cputime":12,"total_time":20}`},
	}
}

func (f Fault) reply() reply {
	code := f.Code
	if code == 0 {
		code = 2
	}
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
		if code == 1 || code == 2 {
			status = http.StatusInternalServerError
		}
	}
	msg := f.Message
	if msg == "" {
		msg = "(#" + strconv.Itoa(code) + ") injected fault"
	}
	rep := fail(status, code, f.Subcode, msg)
	e := rep.body.(map[string]any)["error"].(map[string]any)
	if f.Transient {
		e["is_transient"] = true
	}
	if f.UserMessage != "" {
		e["error_user_msg"] = f.UserMessage
	}
	rep.header = f.Header
	return rep
}

// FailNext makes the next n calls to ep ("" for any) fail with f; n < 0
// fails them until FailNext(ep, 0, ...) clears the endpoint's rules.
// Rules apply in the order they were added, at most one per call.
func (s *Server) FailNext(ep Endpoint, n int, f Fault) {
	s.faults.Add(ep, n, f)
}

func (s *Server) fault(ep Endpoint) (Fault, bool) {
	return s.faults.Take(ep)
}
