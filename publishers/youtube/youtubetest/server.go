package youtubetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"github.com/heraldhq/herald/internal/calllog"
	"github.com/heraldhq/herald/internal/faultrules"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Client credentials the token endpoint accepts.
const (
	ClientID     = "herald-test.apps.googleusercontent.com"
	ClientSecret = "herald-test-secret"
)

// Server is a running fake of the YouTube Data API and of Google's OAuth
// token and revoke endpoints. Its methods are safe for concurrent use.
type Server struct {
	ts      *httptest.Server
	base    string
	closing chan struct{}
	once    sync.Once

	mu        sync.Mutex
	latency   time.Duration
	faults    faultrules.Rules[Op, Fault]
	drops     []*dropRule
	loseFinal int
	chunks    int // chunk requests seen, for DropChunk
	chaos     *chaos
	calls     calllog.Log[Call]

	accounts  map[string]*account // by account id
	access    map[string]*grant   // access token -> grant
	refresh   map[string]*grant   // refresh token -> grant
	codes     map[string]string   // authorization code -> account
	sessions  map[string]*session
	order     []string // session ids, oldest first
	videos    map[string]*video
	vorder    []string // video ids, oldest first
	items     int      // playlist items made
	comments  []*Comment
	deleted   int // videos deleted
	tokenHits int

	insertsPerDay int // the project's videos.insert bucket
	insertsToday  int
	channelLimit  int // videos a channel may upload a day; 0: no limit
	unaudited     bool

	// The id tokens' signing key (idtoken.go).
	keyOnce sync.Once
	key     *rsa.PrivateKey
	kid     string
}

// New starts a server on a loopback address. The caller must Close it.
func New() *Server {
	s := &Server{
		closing:  make(chan struct{}),
		accounts: map[string]*account{},
		access:   map[string]*grant{},
		refresh:  map[string]*grant{},
		codes:    map[string]string{},
		sessions: map[string]*session{},
		videos:   map[string]*video{},

		insertsPerDay: DefaultUploadsPerDay,
	}
	s.ts = httptest.NewUnstartedServer(s.routes())
	s.ts.Config.ReadHeaderTimeout = 10 * time.Second
	s.base = "http://" + s.ts.Listener.Addr().String()
	s.ts.Start()
	return s
}

// URL is the server's base URL, such as "http://127.0.0.1:41234", without
// a trailing slash.
func (s *Server) URL() string { return s.base }

// Endpoint is the API base URL, for option.WithEndpoint and Herald's
// youtube.Options.Endpoint: URL() + "/".
func (s *Server) Endpoint() string { return s.base + "/" }

// UploadEndpoint is the upload base URL, for youtube.Options.UploadEndpoint.
func (s *Server) UploadEndpoint() string { return s.base + "/upload/" }

// TokenURL is the OAuth token endpoint, as in oauth2.Endpoint.TokenURL.
func (s *Server) TokenURL() string { return s.base + "/token" }

// RevokeURL is the OAuth revoke endpoint.
func (s *Server) RevokeURL() string { return s.base + "/revoke" }

// Close stops the server. Calls waiting out a latency return at once.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// Client returns an HTTP client for the server (no authentication).
func (s *Server) Client() *http.Client { return s.ts.Client() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload/youtube/v3/videos", s.uploadVideos)
	mux.HandleFunc("PUT /upload/youtube/v3/videos", s.uploadVideos)
	mux.HandleFunc("POST /upload/youtube/v3/thumbnails/set", s.api(OpThumbnailsSet, s.setThumbnail))
	mux.HandleFunc("POST /youtube/v3/thumbnails/set", s.api(OpThumbnailsSet, s.setThumbnail))
	mux.HandleFunc("GET /youtube/v3/videos", s.api(OpVideosList, s.listVideos))
	mux.HandleFunc("GET /youtube/v3/channels", s.api(OpChannelsList, s.listChannels))
	mux.HandleFunc("POST /youtube/v3/playlistItems", s.api(OpPlaylistItemsInsert, s.insertPlaylistItem))
	mux.HandleFunc("POST /youtube/v3/commentThreads", s.api(OpCommentThreadsInsert, s.insertCommentThread))
	mux.HandleFunc("GET /youtube/v3/commentThreads", s.api(OpCommentThreadsList, s.listCommentThreads))
	mux.HandleFunc("DELETE /youtube/v3/videos", s.api(OpVideosDelete, s.deleteVideo))
	mux.HandleFunc("POST /token", s.tokenOrConsent)
	consent := s.consentPage()
	mux.HandleFunc("GET "+AuthPath, consent.Show)
	mux.HandleFunc("POST "+AuthPath, consent.Decide)
	mux.HandleFunc("POST /revoke", s.revoke)
	mux.HandleFunc("GET "+CertsPath, s.certs)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, apiError(http.StatusNotFound, "notFound", "no such endpoint: "+r.Method+" "+r.URL.Path))
	})
	return mux
}

// uploadVideos dispatches the upload endpoint: starting a resumable
// session, a single multipart upload, or a request to a session.
func (s *Server) uploadVideos(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("upload_id") != "":
		s.sessionRequest(w, r)
	case q.Get("uploadType") == "resumable" && r.Method == http.MethodPost:
		s.api(OpVideosInsert, s.startSession)(w, r)
	case q.Get("uploadType") == "multipart" && r.Method == http.MethodPost:
		s.api(OpVideosInsert, s.multipartInsert)(w, r)
	default:
		writeError(w, apiError(http.StatusBadRequest, "badRequest", "unsupported uploadType"))
	}
}

// reply is an API answer before it is written.
type reply struct {
	status int
	header http.Header
	body   any
	video  string
	bytes  int64
}

// handler serves one API call for an authenticated account.
type handler func(r *http.Request, acct *account) reply

// statusClientClosed records a call whose caller gave up (nginx's
// convention).
const statusClientClosed = 499

// api runs an API call: latency, injected faults, authentication, then
// serve; the call is recorded before its answer is written, so a caller
// that has its answer finds it in Calls.
func (s *Server) api(op Op, serve handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		call := Call{Op: op, Method: r.Method, Path: r.URL.Path}
		if err := s.wait(r.Context()); err != nil {
			call.Status = statusClientClosed
			s.record(call)
			return
		}
		var rep reply
		acct, authErr := s.authenticate(r)
		if acct != nil {
			call.Account = acct.id
		}
		f, faulty := s.fault(op)
		if faulty && !f.Lost {
			rep = f.reply()
		} else if authErr != nil {
			rep = *authErr
		} else if refused := s.scopeRefusal(op, r); refused != nil {
			rep = *refused
		} else {
			rep = serve(r, acct)
		}
		call.Status, call.Video, call.Bytes = rep.status, rep.video, rep.bytes
		call.Lost = faulty && f.Lost
		s.record(call)
		if call.Lost {
			// The call took effect; its answer never arrives.
			loseAnswer(w)
			return
		}
		writeReply(w, rep)
	}
}

func writeReply(w http.ResponseWriter, rep reply) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(rep.status)
	json.NewEncoder(w).Encode(rep.body)
}

func writeError(w http.ResponseWriter, rep reply) { writeReply(w, rep) }

// loseAnswer closes the connection without an answer.
func loseAnswer(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// Google's error body.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int         `json:"code"`
	Message string      `json:"message"`
	Errors  []errorItem `json:"errors"`
	Status  string      `json:"status,omitempty"`
}

type errorItem struct {
	Message string `json:"message"`
	Domain  string `json:"domain"`
	Reason  string `json:"reason"`
}

// apiError is an error answer as Google writes it.
func apiError(status int, reason, message string) reply {
	domain := "youtube.video"
	switch reason {
	case "quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded", "userRateLimitExceeded":
		domain = "youtube.quota"
	case "authError", "backendError", "badRequest", "forbidden", "notFound", "required":
		domain = "global"
	}
	if message == "" {
		message = http.StatusText(status)
	}
	rep := reply{status: status, body: errorBody{Error: errorDetail{
		Code: status, Message: message,
		Errors: []errorItem{{Message: message, Domain: domain, Reason: reason}},
		Status: grpcStatus(status),
	}}}
	if status == http.StatusUnauthorized {
		rep.header = http.Header{"Www-Authenticate": {`Bearer realm="https://accounts.google.com/", error="invalid_token"`}}
	}
	return rep
}

func grpcStatus(status int) string {
	switch status {
	case 400:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 503:
		return "UNAVAILABLE"
	}
	if status >= 500 {
		return "INTERNAL"
	}
	return ""
}

// wait delays a call by the configured latency, giving up when the caller
// does or the server closes.
func (s *Server) wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	return faultrules.Delay(ctx, d, s.closing)
}

// authenticate finds the account of the request's bearer token, or the
// 401 to answer.
func (s *Server) authenticate(r *http.Request) (*account, *reply) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		rep := apiError(http.StatusUnauthorized, "required", "Login Required.")
		return nil, &rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[token]
	if !ok || g.revoked {
		rep := apiError(http.StatusUnauthorized, "authError", "Invalid Credentials")
		return nil, &rep
	}
	return s.accounts[g.account], nil
}

func (s *Server) record(c Call) {
	c.At = time.Now()
	s.calls.Add(c)
}

// randomID returns n random characters of YouTube's id alphabet.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
