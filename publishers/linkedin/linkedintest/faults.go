package linkedintest

import (
	"net/http"
	"strconv"
)

// Endpoint names a kind of call, for faults and the call log.
type Endpoint string

// Endpoints.
const (
	EndpointCreatePost      Endpoint = "create_post"      // POST /rest/posts
	EndpointListPosts       Endpoint = "list_posts"       // GET /rest/posts?q=author
	EndpointImageInit       Endpoint = "image_init"       // POST /rest/images?action=initializeUpload
	EndpointImage           Endpoint = "image"            // GET /rest/images/{urn}
	EndpointDocumentInit    Endpoint = "document_init"    // POST /rest/documents?action=initializeUpload
	EndpointDocument        Endpoint = "document"         // GET /rest/documents/{urn}
	EndpointVideoInit       Endpoint = "video_init"       // POST /rest/videos?action=initializeUpload
	EndpointUpload          Endpoint = "upload"           // PUT of an upload URL (image or video part)
	EndpointFinalize        Endpoint = "finalize"         // POST /rest/videos?action=finalizeUpload
	EndpointVideo           Endpoint = "video"            // GET /rest/videos/{urn}
	EndpointShareStats      Endpoint = "share_stats"      // GET /rest/organizationalEntityShareStatistics
	EndpointNetworkSize     Endpoint = "network_size"     // GET /rest/networkSizes/{urn}
	EndpointMemberAnalytics Endpoint = "member_analytics" // GET /rest/memberCreatorPostAnalytics
	EndpointSocialActions   Endpoint = "social_actions"   // GET /rest/socialActions?ids=List(...) or /rest/socialActions/{urn}
	EndpointToken           Endpoint = "token"            // POST /oauth/v2/accessToken
	EndpointGetPost         Endpoint = "get_post"         // GET /rest/posts/{urn}
	EndpointDeletePost      Endpoint = "delete_post"      // DELETE /rest/posts/{urn}
	EndpointComment         Endpoint = "comment"          // POST /rest/socialActions/{urn}/comments
	EndpointComments        Endpoint = "comments"         // GET /rest/socialActions/{urn}/comments
)

// Fault is how a call fails: an error answer, or (Lost) no answer at all
// after the call took effect.
type Fault struct {
	// Status is the HTTP status; zero means 500.
	Status int
	// Code is LinkedIn's symbolic code (REVOKED_ACCESS_TOKEN,
	// ACCESS_DENIED, ...), ServiceErrorCode its number.
	Code             string
	ServiceErrorCode int
	// Message is the error message; empty means a made-up one.
	Message string
	// Header is sent with the answer (Retry-After).
	Header http.Header
	// Lost makes the call take effect and then drops the connection
	// without an answer.
	Lost bool
	// Echo appends the request's URL and Authorization header to the
	// message, as a careless proxy might: clients must keep both out of
	// their errors.
	Echo bool
}

// RetryAfter is a Retry-After header of d seconds.
func RetryAfter(seconds int) http.Header {
	return http.Header{"Retry-After": {strconv.Itoa(seconds)}}
}

func (f Fault) reply(r *http.Request) reply {
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := f.Message
	if msg == "" {
		msg = "injected fault"
	}
	if f.Echo {
		msg += " (" + r.URL.String() + " " + r.Header.Get("Authorization") + ")"
	}
	rep := fail(status, f.ServiceErrorCode, f.Code, msg)
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
