package tiktoktest

import (
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/calllog"
	"github.com/heraldhq/herald/internal/faultrules"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Server.
const (
	DefaultClientKey    = "test-client-key"
	DefaultClientSecret = "test-client-secret"
	// UploadURLLifetime is how long an upload URL takes chunks.
	UploadURLLifetime = time.Hour
	// AccessTokenLifetime and RefreshTokenLifetime are those of issued
	// tokens unless SetTokenLifetimes says otherwise: 2 hours
	// (expires_in 7200) and 180 days (refresh_expires_in 15552000), as
	// TikTok's newest documentation says (Manage OAuth Access Tokens,
	// "Token lifetimes", and Refresh a User Access Token, both updated
	// November 2026). An older page (Manage User Access Tokens, "Fetch an
	// access token": 24 hours, 365 days) still says otherwise; the
	// shorter one is the stricter test, and Herald reads expires_in and
	// never assumes either (TestRefreshFollowsTheAnsweredLifetime).
	AccessTokenLifetime  = 2 * time.Hour
	RefreshTokenLifetime = 180 * 24 * time.Hour
)

// Tokens the API treats specially; any other non-empty access token
// works unless it was revoked, rotated out or expired.
const (
	TokenInvalid = "act.invalid" // access_token_invalid
	TokenNoScope = "act.noscope" // scope_not_authorized
)

// Creator is the creator_info answer.
type Creator struct {
	Username            string   `json:"creator_username"`
	Nickname            string   `json:"creator_nickname"`
	AvatarURL           string   `json:"creator_avatar_url"`
	PrivacyLevelOptions []string `json:"privacy_level_options"`
	CommentDisabled     bool     `json:"comment_disabled"`
	DuetDisabled        bool     `json:"duet_disabled"`
	StitchDisabled      bool     `json:"stitch_disabled"`
	MaxVideoDurationSec int64    `json:"max_video_post_duration_sec"`
}

// DefaultCreator is the creator a new Server answers with.
var DefaultCreator = Creator{
	Username: "herald.test", Nickname: "Herald Test", AvatarURL: "https://p16.tiktokcdn.example/avatar.jpg",
	PrivacyLevelOptions: []string{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"},
	MaxVideoDurationSec: 600,
}

// Server is a running fake TikTok API: Content Posting, upload URLs,
// OAuth and the Display API reads. Its methods are safe for concurrent
// use.
type Server struct {
	ts   *httptest.Server
	once sync.Once

	mu           sync.Mutex
	now          func() time.Time
	clientKey    string
	clientSecret string
	creator      Creator
	unaudited    bool
	verified     []string
	processing   Processing
	faults       faultrules.Rules[Endpoint, Fault]
	calls        calllog.Log[Call]
	publishes    map[string]*Publish
	order        []string // publish ids, oldest first
	uploads      map[string]string
	posts        []Post
	stats        map[string]Stats
	user         UserStats
	grants       map[string]*grant // by refresh token, current and old
	access       map[string]*grant // by access token
	next         int
	limits       map[Endpoint]int
	hits         map[string][]time.Time // by endpoint and access token
	accessLife   time.Duration
	refreshLife  time.Duration
}

// New starts a server on a loopback address. The caller must Close it.
func New() *Server {
	s := &Server{
		now:          time.Now,
		clientKey:    DefaultClientKey,
		clientSecret: DefaultClientSecret,
		creator:      DefaultCreator,
		publishes:    map[string]*Publish{},
		uploads:      map[string]string{},
		stats:        map[string]Stats{},
		grants:       map[string]*grant{},
		access:       map[string]*grant{},
		user:         UserStats{Followers: 1200, Following: 80, Likes: 45000, Videos: 37},
		limits:       maps.Clone(PerMinute),
		hits:         map[string][]time.Time{},
		accessLife:   AccessTokenLifetime,
		refreshLife:  RefreshTokenLifetime,
	}
	s.ts = httptest.NewServer(s.routes())
	return s
}

// URL is the server's base URL, the publisher's BaseURL.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server.
func (s *Server) Close() { s.once.Do(s.ts.Close) }

// SetClock makes the server read time from now: processing, upload URL
// and token lifetimes follow it.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetTokenLifetimes sets the lives of the tokens issued from now on
// (expires_in and refresh_expires_in with them); the defaults are
// AccessTokenLifetime and RefreshTokenLifetime.
func (s *Server) SetTokenLifetimes(access, refresh time.Duration) {
	s.mu.Lock()
	s.accessLife, s.refreshLife = access, refresh
	s.mu.Unlock()
}

// SetCreator sets the creator_info answer.
func (s *Server) SetCreator(c Creator) {
	s.mu.Lock()
	s.creator = c
	s.mu.Unlock()
}

// SetUnaudited makes the app an unaudited one: inits with another privacy
// level than SELF_ONLY fail with unaudited_client_can_only_post_to_private_accounts.
func (s *Server) SetUnaudited(on bool) {
	s.mu.Lock()
	s.unaudited = on
	s.mu.Unlock()
}

// SetVerifiedPrefixes sets the URL prefixes TikTok pulls from; a
// PULL_FROM_URL init of another URL fails with url_ownership_unverified.
func (s *Server) SetVerifiedPrefixes(prefixes ...string) {
	s.mu.Lock()
	s.verified = append([]string(nil), prefixes...)
	s.mu.Unlock()
}

// SetClientCredentials sets the client_key and client_secret the OAuth
// endpoints want.
func (s *Server) SetClientCredentials(key, secret string) {
	s.mu.Lock()
	s.clientKey, s.clientSecret = key, secret
	s.mu.Unlock()
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v2/post/publish/creator_info/query/", s.api(EndpointCreatorInfo, true, s.creatorInfo))
	mux.Handle("POST /v2/post/publish/video/init/", s.api(EndpointVideoInit, true, s.videoInit))
	mux.Handle("POST /v2/post/publish/content/init/", s.api(EndpointContentInit, true, s.contentInit))
	mux.Handle("POST /v2/post/publish/inbox/video/init/", s.api(EndpointInboxInit, true, s.inboxInit))
	mux.Handle("POST /v2/post/publish/status/fetch/", s.api(EndpointStatus, true, s.status))
	mux.Handle("PUT /upload/{id}", s.api(EndpointUpload, false, s.upload))
	mux.Handle("POST /v2/oauth/token/", s.api(EndpointToken, false, s.tokenOrCode))
	consent := s.consentPage()
	mux.HandleFunc("GET "+AuthPath, consent.Show)
	mux.HandleFunc("POST "+AuthPath, consent.Decide)
	mux.Handle("POST /v2/oauth/revoke/", s.api(EndpointRevoke, false, s.revoke))
	mux.Handle("POST /v2/video/query/", s.api(EndpointVideoQuery, true, s.videoQuery))
	mux.Handle("GET /v2/user/info/", s.api(EndpointUserInfo, true, s.userInfo))
	mux.Handle("/", s.api("", false, func(*http.Request, *Call) reply {
		return fail(http.StatusNotFound, CodeInvalidParams, "no such endpoint")
	}))
	return mux
}

// reply is an answer before it is written.
type reply struct {
	status int
	data   any    // the envelope's data, for API answers
	body   any    // a whole JSON body (OAuth answers)
	raw    string // a body as it is
	code   string
	msg    string
	header http.Header
}

func ok(data any) reply { return reply{status: http.StatusOK, data: data} }

func fail(status int, code, msg string) reply {
	return reply{status: status, code: code, msg: msg}
}

// api runs a call: injected faults, authentication (when auth), then
// serve; the call is logged before it is answered.
func (s *Server) api(ep Endpoint, auth bool, serve func(r *http.Request, c *Call) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := &Call{Method: r.Method, Path: r.URL.Path, Endpoint: ep, TokenInURL: r.URL.Query().Has("access_token")}
		f, faulty := s.fault(ep)
		var rep reply
		switch {
		case faulty && !f.Lost && !f.Applied:
			io.Copy(io.Discard, io.LimitReader(r.Body, 256<<20))
			rep = f.reply()
		case auth:
			if code := s.authenticate(r); code != "" {
				rep = fail(StatusOf(code), code, authMessages[code])
				break
			}
			if s.scopeRefused(ep, r) {
				rep = fail(StatusOf(CodeScopeNotAuthorized), CodeScopeNotAuthorized, authMessages[CodeScopeNotAuthorized])
				break
			}
			if s.overLimit(ep, r) {
				rep = fail(http.StatusTooManyRequests, CodeRateLimitExceeded, "The API rate limit was exceeded. Please try again later.")
				break
			}
			rep = serve(r, call)
		default:
			rep = serve(r, call)
		}
		if faulty && f.Applied {
			rep = f.reply()
		}
		call.Status, call.Code = rep.status, rep.code
		call.Lost = faulty && f.Lost
		s.record(*call)
		if call.Lost {
			// The call took effect; its answer never arrives.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		for k, vs := range rep.header {
			w.Header()[k] = vs
		}
		if rep.raw != "" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(rep.status)
			io.WriteString(w, rep.raw)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(rep.status)
		if rep.body != nil {
			json.NewEncoder(w).Encode(rep.body)
			return
		}
		code := rep.code
		if code == "" {
			code = "ok"
		}
		data := rep.data
		if data == nil {
			data = struct{}{}
		}
		json.NewEncoder(w).Encode(map[string]any{
			"data":  data,
			"error": map[string]string{"code": code, "message": rep.msg, "log_id": s.logID()},
		})
	})
}

var authMessages = map[string]string{
	CodeAccessTokenInvalid: "The access token is invalid or not found in the request.",
	CodeScopeNotAuthorized: "The user did not authorize the scope required for completing this request.",
}

// authenticate checks the Authorization header and returns an error code,
// or "".
func (s *Server) authenticate(r *http.Request) string {
	scheme, tok, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return CodeAccessTokenInvalid
	}
	switch tok {
	case TokenInvalid:
		return CodeAccessTokenInvalid
	case TokenNoScope:
		return CodeScopeNotAuthorized
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, known := s.access[tok]; known && (g.revoked || g.expired[tok] || !s.now().Before(g.accessExpiry[tok])) {
		return CodeAccessTokenInvalid
	}
	return ""
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	c.At = s.now()
	s.mu.Unlock()
	s.calls.Add(c)
}

func (s *Server) logID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	return fmt.Sprintf("2030010203040500%06dFAKE", s.next)
}

// newID returns a fresh number; call with s.mu held.
func (s *Server) newID() int {
	s.next++
	return s.next
}

// decode reads a JSON request body into v.
func decode(r *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v)
}

// form reads a form body, without logging secrets.
func form(r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}
