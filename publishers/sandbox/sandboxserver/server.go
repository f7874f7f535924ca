package sandboxserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/calllog"
	"github.com/heraldhq/herald/internal/faultrules"
)

// Server is a running sandbox platform. Its methods are safe for
// concurrent use.
type Server struct {
	srv     *http.Server
	served  chan struct{} // closed when Serve returned
	base    string
	closing chan struct{}
	once    sync.Once

	mu      sync.Mutex
	latency time.Duration
	faults  faultrules.Rules[string, Fault]
	// random faults (SetFaultRate)
	rate       float64
	rateFaults []Fault
	rng        *rand.Rand
	calls      calllog.Log[Call]
	drafts     map[string]*draft
	posts      map[string]*Post
	order      []string // post ids, oldest first
	ndraft     int
	npost      int
	ncomment   int
	deleted    int                  // posts deleted through the API
	stats      map[string]postStats // set by SetStats
	followers  map[string]int64     // set by SetFollowers
	codes      map[string]*grant    // authorization codes (oauth.go)
	users      map[string]string    // access token -> user, of tokens /oauth/token issued
	scopes     map[string][]string  // access token -> its scopes, likewise (scopes.go)
}

// draft is a post waiting to be published.
type draft struct {
	id, ref, account, title, text string
	media                         []Media
	post                          string // id of its post, once published
}

// New starts a server on a loopback address, as httptest.NewServer
// does; it panics when no loopback port is free. The caller must Close
// it.
func New() *Server {
	s, err := NewAt("127.0.0.1:0")
	if err != nil {
		if s, err = NewAt("[::1]:0"); err != nil {
			panic(fmt.Sprintf("sandboxserver: no loopback address to listen on: %v", err))
		}
	}
	return s
}

// NewAt starts a server listening on addr ("127.0.0.1:8090", ":0", ...).
// The caller must Close it.
func NewAt(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer()
	s.start(ln)
	return s, nil
}

func newServer() *Server {
	s := &Server{
		closing:   make(chan struct{}),
		drafts:    map[string]*draft{},
		posts:     map[string]*Post{},
		stats:     map[string]postStats{},
		followers: map[string]int64{},
		codes:     map[string]*grant{},
		users:     map[string]string{},
		scopes:    map[string][]string{},
	}
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	return s
}

func (s *Server) start(ln net.Listener) {
	// base is set before Serve: the handlers read it, and requests may
	// arrive as soon as the listener accepts.
	s.base = "http://" + browsable(ln.Addr())
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // ErrServerClosed after Close
	}()
}

// browsable is addr as a browser on this machine can open it: a server
// listening on every interface is reached at localhost.
func browsable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// URL is the server's base URL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.base }

// Close stops the server and waits for it: calls waiting out a latency
// return at once, connections are closed.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		_ = s.srv.Close()
		<-s.served
	})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /v1/drafts", s.api(s.draftRef, s.scoped("publish", s.createDraft)))
	mux.Handle("POST /v1/drafts/{id}/publish", s.api(s.publishRef, s.scoped("publish", s.publish)))
	mux.Handle("GET /v1/drafts/{id}", s.api(s.publishRef, s.getDraft))
	mux.Handle("GET /v1/accounts/{account}/stats", s.api(noRef, s.accountStats))
	mux.Handle("GET /v1/posts/{id}/stats", s.api(s.postRef, s.postStats))
	mux.Handle("POST /v1/posts/{id}/comments", s.api(s.commentRef, s.createComment))
	mux.Handle("GET /v1/posts/{id}/comments", s.api(s.commentRef, s.listComments))
	mux.Handle("DELETE /v1/posts/{id}", s.api(s.postRef, s.deletePost))
	mux.Handle("GET /v1/posts/{id}", s.api(s.postRef, s.getPost))
	mux.Handle("GET /v1/me", s.api(noRef, s.me))
	mux.HandleFunc("GET /oauth/authorize", s.authorizePage)
	mux.HandleFunc("POST /oauth/authorize", s.authorizeDecision)
	mux.HandleFunc("POST /oauth/token", s.token)
	mux.Handle("/v1/", s.api(noRef, func(*http.Request, []byte) reply {
		return fail(http.StatusNotFound, "not_found", "no such endpoint")
	}))
	mux.HandleFunc("GET /p/{id}", s.page)
	mux.HandleFunc("GET /media/{name}", s.media)
	mux.HandleFunc("GET /{$}", s.index)
	return mux
}

// reply is an API answer before it is written.
type reply struct {
	status     int
	body       any
	retryAfter time.Duration
	created    bool
}

func fail(status int, code, message string) reply {
	return reply{status: status, body: errorBody{Error: errorDetail{Code: code, Message: message}}}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusClientClosed records a call whose caller gave up while it waited
// out the latency (nginx's convention).
const statusClientClosed = 499

// api runs an API call: latency, injected faults, authentication, then
// serve; and records the call before answering, so a caller that has its
// answer finds it in Calls.
func (s *Server) api(refOf func(*http.Request, []byte) string, serve func(*http.Request, []byte) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		ref := refOf(r, body)
		call := Call{Method: r.Method, Path: r.URL.Path, Ref: ref}
		if err := s.wait(r.Context()); err != nil {
			call.At, call.Status = time.Now(), statusClientClosed
			s.record(call)
			return
		}
		var rep reply
		f, faulty := s.fault(ref)
		if faulty && f.LoseResponse {
			rep = serve(r, body)
			call.At, call.Status, call.Created, call.Lost = time.Now(), rep.status, rep.created, true
			s.record(call)
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler) // not hijackable (HTTP/2): abort the stream
		}
		if faulty {
			rep = f.reply()
		} else if !authorized(r) {
			rep = fail(http.StatusUnauthorized, "invalid_token", "the access token is missing, invalid or revoked")
		} else {
			rep = serve(r, body)
		}
		call.At, call.Status, call.Created, call.RetryAfter = time.Now(), rep.status, rep.created, rep.retryAfter
		s.record(call)
		w.Header().Set("Content-Type", "application/json")
		if rep.retryAfter > 0 {
			secs := int64((rep.retryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
		}
		w.WriteHeader(rep.status)
		json.NewEncoder(w).Encode(rep.body)
	})
}

// wait delays a call by the configured latency, giving up when the caller
// does or the server closes.
func (s *Server) wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	return faultrules.Delay(ctx, d, s.closing)
}

func authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && token != "" && token != "revoked"
}

func (s *Server) record(c Call) {
	s.calls.Add(c)
}

func noRef(*http.Request, []byte) string { return "" }
