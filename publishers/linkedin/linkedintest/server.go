package linkedintest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/calllog"
	"github.com/heraldhq/herald/internal/faultrules"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tokens the server treats specially; any other non-empty token works.
const (
	TokenRevoked = "revoked" // 401 REVOKED_ACCESS_TOKEN (65601)
	TokenExpired = "expired" // 401 EXPIRED_ACCESS_TOKEN (65602)
)

// DefaultPartSize is the size of a video upload part, as LinkedIn's.
const DefaultPartSize = 4 << 20

// Server is a running fake LinkedIn REST API. Its methods are safe for
// concurrent use.
type Server struct {
	ts   *httptest.Server
	once sync.Once

	mu         sync.Mutex
	now        func() time.Time
	faults     faultrules.Rules[Endpoint, Fault]
	calls      calllog.Log[Call]
	posts      []*Post
	comments   []*Comment
	deleted    int // posts deleted through the API
	images     map[string]*Image
	documents  map[string]*Image
	videos     map[string]*Video
	partSize   int64
	processing Processing
	// imageProcessing is how uploaded images get ready.
	imageProcessing Processing
	listLag         time.Duration
	sunset          map[string]bool
	stats           map[string]Stats
	followers       map[string]int64
	social          map[string]SocialActions
	member          map[string]map[string]int64
	// scopes are what the tokens a consent or IssueToken issued carry;
	// any other token has OrdinaryScopes.
	scopes map[string]map[string]bool
	// acls are the members' organization roles (organizations.go).
	acls     []*orgACL
	clientID string
	secret   string
	next     int64
}

// New starts a server on a loopback address. The caller must Close it.
func New() *Server {
	s := &Server{
		now:       time.Now,
		images:    map[string]*Image{},
		documents: map[string]*Image{},
		videos:    map[string]*Video{},
		partSize:  DefaultPartSize,
		sunset:    map[string]bool{},
		stats:     map[string]Stats{},
		followers: map[string]int64{},
		social:    map[string]SocialActions{},
		member:    map[string]map[string]int64{},
		next:      7100000000000000000,
	}
	s.ts = httptest.NewServer(s.routes())
	return s
}

// URL is the server's base URL, such as "http://127.0.0.1:41234": the
// publisher's BaseURL. The token endpoint is URL + "/oauth/v2/accessToken".
func (s *Server) URL() string { return s.ts.URL }

// TokenURL is the server's token endpoint.
func (s *Server) TokenURL() string { return s.ts.URL + "/oauth/v2/accessToken" }

// Close stops the server.
func (s *Server) Close() { s.once.Do(s.ts.Close) }

// SetClock makes the server read time from now: creation times, upload
// URL expiry and the listing lag follow it.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetPartSize sets the size of video upload parts (tests use small
// ones).
func (s *Server) SetPartSize(n int64) {
	s.mu.Lock()
	s.partSize = max(n, 1)
	s.mu.Unlock()
}

// SetListLag hides posts younger than d (on the server's clock) from the
// posts finder, as a search index that lags.
func (s *Server) SetListLag(d time.Duration) {
	s.mu.Lock()
	s.listLag = d
	s.mu.Unlock()
}

// Sunset makes calls with LinkedIn-Version version fail with 426, before
// its time (versions also sunset on the server's clock: see served).
func (s *Server) Sunset(version string) {
	s.mu.Lock()
	s.sunset[version] = true
	s.mu.Unlock()
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /rest/posts", s.api(EndpointCreatePost, s.createPost))
	mux.Handle("GET /rest/posts", s.api(EndpointListPosts, s.listPosts))
	mux.Handle("GET /rest/posts/{urn}", s.api(EndpointGetPost, s.getPost))
	mux.Handle("DELETE /rest/posts/{urn}", s.api(EndpointDeletePost, s.deletePost))
	mux.Handle("POST /rest/socialActions/{urn}/comments", s.api(EndpointComment, s.createComment))
	mux.Handle("GET /rest/socialActions/{urn}/comments", s.api(EndpointComments, s.listComments))
	mux.Handle("POST /rest/images", s.api(EndpointImageInit, s.initImage))
	mux.Handle("GET /rest/images/{urn}", s.api(EndpointImage, s.readImage))
	mux.Handle("POST /rest/documents", s.api(EndpointDocumentInit, s.initDocument))
	mux.Handle("GET /rest/documents/{urn}", s.api(EndpointDocument, s.readDocument))
	mux.Handle("PUT /upload/document/{id}", s.upload(s.uploadDocument))
	mux.HandleFunc("POST /rest/videos", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("action") == "finalizeUpload" {
			s.api(EndpointFinalize, s.finalize).ServeHTTP(w, r)
			return
		}
		s.api(EndpointVideoInit, s.initVideo).ServeHTTP(w, r)
	})
	mux.Handle("GET /rest/videos/{urn}", s.api(EndpointVideo, s.readVideo))
	mux.Handle("GET /rest/organizationalEntityShareStatistics", s.api(EndpointShareStats, s.shareStats))
	mux.Handle("GET /rest/networkSizes/{urn}", s.api(EndpointNetworkSize, s.networkSize))
	mux.Handle("GET /rest/memberCreatorPostAnalytics", s.api(EndpointMemberAnalytics, s.memberAnalytics))
	mux.Handle("GET /rest/organizationAcls", s.api(EndpointOrganizationAcls, s.organizationAcls))
	mux.Handle("GET /rest/socialActions", s.api(EndpointSocialActions, s.socialActionsBatch))
	mux.Handle("GET /rest/socialActions/{urn}", s.api(EndpointSocialActions, s.socialActions))
	mux.Handle("PUT /upload/image/{id}", s.upload(s.uploadImage))
	mux.Handle("PUT /upload/video/{id}/{part}", s.upload(s.uploadPart))
	mux.Handle("POST /oauth/v2/accessToken", s.tokenOrCode())
	consent := s.consentPage()
	mux.HandleFunc("GET "+AuthPath, consent.Show)
	mux.HandleFunc("POST "+AuthPath, consent.Decide)
	mux.HandleFunc("GET /v2/userinfo", s.userinfo)
	mux.Handle("/", s.api("", func(*http.Request, []byte) reply {
		return fail(http.StatusNotFound, 0, "", "No virtual resource found")
	}))
	return mux
}

// reply is an answer before it is written.
type reply struct {
	status int
	body   any // nil: no body
	header http.Header
}

func answer(status int, body any) reply { return reply{status: status, body: body} }

func fail(status, serviceCode int, code, message string) reply {
	d := map[string]any{"message": message, "status": status}
	if serviceCode != 0 {
		d["serviceErrorCode"] = serviceCode
	}
	if code != "" {
		d["code"] = code
	}
	return reply{status: status, body: d}
}

var versionHeader = regexp.MustCompile(`^[0-9]{6}(\.[0-9]{2})?$`)

// served says whether LinkedIn serves version (YYYYMM[.RR]) at now.
// Marketing API Versioning (learn.microsoft.com/linkedin/marketing/versioning):
// monthly releases, each "supported and stable for a minimum of one year
// before sunset"; the migrations table (…/marketing/integrations/migrations)
// sunsets each in the same month a year on, from the 15th (202510: October
// 15, 2026). A version not yet released is not active either. Both answer
// 426 (NONEXISTENT_VERSION, "Requested version … is not active").
func served(version string, now time.Time) bool {
	if !versionHeader.MatchString(version) {
		return true // refused as malformed, not as sunset
	}
	y, yerr := strconv.Atoi(version[:4])
	m, merr := strconv.Atoi(version[4:6])
	if yerr != nil || merr != nil || m < 1 || m > 12 {
		return false
	}
	release := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	sunset := time.Date(y+1, time.Month(m), 15, 0, 0, 0, 0, time.UTC)
	return !now.Before(release) && now.Before(sunset)
}

// api runs a REST call: injected faults, protocol headers,
// authentication, then serve; the call is logged before it is answered.
func (s *Server) api(ep Endpoint, serve func(r *http.Request, body []byte) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			return
		}
		token, inURL := tokenOf(r)
		call := Call{
			Method: r.Method, Path: r.URL.Path, Endpoint: ep, Query: r.URL.Query(),
			Version: r.Header.Get("LinkedIn-Version"), Protocol: r.Header.Get("X-Restli-Protocol-Version"),
			Finder: r.Header.Get("X-RestLi-Method") == "FINDER", Authorized: token != "", TokenInURL: inURL,
			Body: body,
		}
		call.Query.Del("access_token")
		call.Query.Del("oauth2_access_token")
		f, faulty := s.fault(ep)
		s.mu.Lock()
		sunset := s.sunset[call.Version] || !served(call.Version, s.now())
		s.mu.Unlock()
		var rep reply
		switch {
		case faulty && !f.Lost:
			rep = f.reply(r)
		case token == "":
			rep = fail(http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
		case token == TokenRevoked:
			rep = fail(http.StatusUnauthorized, 65601, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user")
		case token == TokenExpired:
			rep = fail(http.StatusUnauthorized, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
		case !versionHeader.MatchString(call.Version):
			rep = fail(http.StatusBadRequest, 0, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.")
		case sunset:
			rep = fail(http.StatusUpgradeRequired, 0, "NONEXISTENT_VERSION", "Requested version "+call.Version+" is not active")
		case call.Protocol != "2.0.0":
			rep = fail(http.StatusBadRequest, 0, "", "X-Restli-Protocol-Version 2.0.0 is required")
		default:
			rep = serve(r, body)
		}
		call.Status = rep.status
		call.Lost = faulty && f.Lost
		s.record(call)
		if call.Lost {
			lose(w)
			return
		}
		write(w, rep)
	})
}

// lose drops the connection without an answer.
func lose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func write(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	json.NewEncoder(w).Encode(rep.body)
}

// tokenOf is the call's access token from the Authorization header, or
// the oauth2_access_token parameter (which the server accepts but notes).
func tokenOf(r *http.Request) (string, bool) {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return tok, r.URL.Query().Has("oauth2_access_token") || r.URL.Query().Has("access_token")
	}
	for _, k := range []string{"oauth2_access_token", "access_token"} {
		if tok := r.URL.Query().Get(k); tok != "" {
			return tok, true
		}
	}
	return "", false
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	c.At = s.now()
	s.mu.Unlock()
	s.calls.Add(c)
}

// id returns a fresh number; callers hold mu.
func (s *Server) id() int64 {
	s.next++
	return s.next
}

func signature() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// parseList reads a Rest.li "List(a,b)" value.
func parseList(v string) ([]string, bool) {
	if !strings.HasPrefix(v, "List(") || !strings.HasSuffix(v, ")") {
		return nil, false
	}
	inner := v[len("List(") : len(v)-1]
	if inner == "" {
		return nil, true
	}
	items := strings.Split(inner, ",")
	for i, it := range items {
		u, err := url.QueryUnescape(it)
		if err != nil {
			return nil, false
		}
		items[i] = u
	}
	return items, true
}

func badRequest(format string, args ...any) reply {
	return fail(http.StatusBadRequest, 0, "", fmt.Sprintf(format, args...))
}
