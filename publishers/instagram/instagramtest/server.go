package instagramtest

import (
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/calllog"
	"github.com/heraldhq/herald/internal/faultrules"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Server.
const (
	DefaultPublishingLimit = 100
	// Window is the publishing limit's window and a container's life.
	Window = 24 * time.Hour
)

// Tokens the server treats specially; any other non-empty token works.
const (
	TokenRevoked = "revoked" // code 190, subcode 460
	TokenExpired = "expired" // code 190, subcode 463
)

// Server is a running fake Graph API. Its methods are safe for concurrent
// use.
type Server struct {
	ts   *httptest.Server
	once sync.Once

	mu         sync.Mutex
	now        func() time.Time
	processing Processing
	byURL      map[string]Processing
	limit      int
	appSecret  string
	// permissions are the tokens a consent or IssueToken issued and
	// what each may do, comma-joined (permissions.go).
	permissions map[string]string
	faults      faultrules.Rules[Endpoint, Fault]
	calls       calllog.Log[Call]
	containers  map[string]*Container
	media       map[string]*Media
	order       []string // media ids, oldest first
	next        int64
	refreshes   int
	usage       http.Header
	host        string                  // set by SetHost
	images      map[string]Image        // set by SetImage
	stats       map[string]MediaStats   // set by SetMediaStats
	accounts    map[string]AccountStats // set by SetAccountStats
	comments    []*Comment
}

// New starts a server on a loopback address. The caller must Close it.
func New() *Server {
	s := &Server{
		now:        time.Now,
		byURL:      map[string]Processing{},
		limit:      DefaultPublishingLimit,
		containers: map[string]*Container{},
		media:      map[string]*Media{},
		stats:      map[string]MediaStats{},
		accounts:   map[string]AccountStats{},
	}
	s.ts = httptest.NewServer(s.routes())
	return s
}

// URL is the server's base URL, such as "http://127.0.0.1:41234": use it
// as both the Graph and the refresh base URL.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server.
func (s *Server) Close() { s.once.Do(s.ts.Close) }

// SetClock makes the server read time from now: container processing,
// expiry and the publishing window follow it.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// SetPublishingLimit sets quota_total, the posts an account may publish
// in Window.
func (s *Server) SetPublishingLimit(n int) {
	s.mu.Lock()
	s.limit = n
	s.mu.Unlock()
}

// SetUsage sets headers (X-App-Usage, X-Business-Use-Case-Usage) sent
// with every answer, as Graph reports rate-limit usage; nil stops them.
func (s *Server) SetUsage(h http.Header) {
	s.mu.Lock()
	s.usage = h.Clone()
	s.mu.Unlock()
}

// SetAppSecret makes the fb_exchange_token grant require this
// client_secret; empty accepts any.
func (s *Server) SetAppSecret(secret string) {
	s.mu.Lock()
	s.appSecret = secret
	s.mu.Unlock()
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /{version}/{user}/media", s.api(EndpointCreate, s.createContainer))
	mux.Handle("POST /{version}/{user}/media_publish", s.api(EndpointPublish, s.publish))
	mux.Handle("GET /{version}/{user}/content_publishing_limit", s.api(EndpointLimit, s.publishingLimit))
	mux.Handle("GET /{version}/{user}/media", s.api(EndpointList, s.list(false)))
	mux.Handle("GET /{version}/{user}/stories", s.api(EndpointList, s.list(true)))
	mux.Handle("GET /{version}/{id}/insights", s.api(EndpointInsights, s.insights))
	mux.Handle("POST /{version}/{id}/comments", s.api(EndpointComment, s.createComment))
	mux.Handle("GET /{version}/{id}/comments", s.api(EndpointComments, s.listComments))
	mux.Handle("GET /{version}/{id}", s.api(EndpointRead, s.read))
	mux.Handle("GET /{version}/{$}", s.api(EndpointRead, s.readBatch))
	mux.Handle("GET /refresh_access_token", s.api(EndpointRefresh, s.refreshIG))
	consent := s.consentPage()
	mux.HandleFunc("GET "+AuthPath, consent.Show)
	mux.HandleFunc("POST "+AuthPath, consent.Decide)
	mux.HandleFunc("POST "+TokenPath, s.exchangeCode)
	mux.Handle("GET /access_token", s.api(EndpointRefresh, s.longLived))
	mux.Handle("GET /me", s.api(EndpointRead, s.me))
	mux.Handle("POST /{version}/oauth/access_token", s.api(EndpointRefresh, s.exchangeFB))
	mux.Handle("/", s.api("", func(*http.Request, string) reply {
		return fail(http.StatusBadRequest, 100, 0, "Unsupported request: no such endpoint")
	}))
	return mux
}

// reply is an API answer before it is written.
type reply struct {
	status int
	body   any
	header http.Header
}

func answer(body any) reply { return reply{status: http.StatusOK, body: body} }

func fail(status, code, subcode int, message string) reply {
	d := map[string]any{
		"message": message, "type": "OAuthException", "code": code,
		"fbtrace_id": "AfakeTrace0123",
	}
	if subcode != 0 {
		d["error_subcode"] = subcode
	}
	if code == 1 || code == 2 {
		d["is_transient"] = true
	}
	return reply{status: status, body: map[string]any{"error": d}}
}

// api runs a call: injected faults, authentication, then serve; the
// call is logged before it is answered.
func (s *Server) api(ep Endpoint, serve func(r *http.Request, token string) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return
		}
		token, inURL := tokenOf(r)
		params := url.Values{}
		for k, v := range r.Form {
			if k != "access_token" && k != "client_secret" && k != "fb_exchange_token" {
				params[k] = v
			}
		}
		call := Call{Method: r.Method, Path: r.URL.Path, Endpoint: ep, Params: params, TokenInURL: inURL}
		f, faulty := s.fault(ep)
		refused := s.permissionRefused(ep, token)
		var rep reply
		switch {
		case faulty && !f.Lost:
			rep = f.reply()
		case token == "":
			rep = fail(http.StatusBadRequest, 190, 0, "An active access token must be used to query information about the current user.")
		case token == TokenRevoked:
			rep = fail(http.StatusBadRequest, 190, 460, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.")
		case token == TokenExpired:
			rep = fail(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired.")
		case s.refusesHost(token):
			rep, _ = s.wrongHost(token)
		case s.budgetSpent():
			rep = budgetSpentReply()
		case refused != nil:
			rep = *refused
		default:
			rep = serve(r, token)
		}
		call.Status = rep.status
		if e, ok := rep.body.(map[string]any)["error"].(map[string]any); ok {
			call.Code, _ = e["code"].(int)
			call.Subcode, _ = e["error_subcode"].(int)
		}
		if faulty && f.Lost {
			call.Lost = true
		}
		s.record(call)
		if faulty && f.Lost {
			// The call took effect; its answer never arrives.
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		s.mu.Lock()
		for k, vs := range s.usage {
			w.Header()[k] = vs
		}
		s.mu.Unlock()
		for k, vs := range rep.header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(rep.status)
		json.NewEncoder(w).Encode(rep.body)
	})
}

// tokenOf is the call's access token, from the Authorization header
// ("Bearer" or "OAuth") or the access_token parameter, and whether it
// came in the URL.
func tokenOf(r *http.Request) (string, bool) {
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok &&
		(strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "OAuth")) {
		return tok, r.URL.Query().Has("access_token")
	}
	if tok := r.URL.Query().Get("access_token"); tok != "" {
		return tok, true
	}
	return r.PostForm.Get("access_token"), false
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	c.At = s.now()
	s.mu.Unlock()
	s.calls.Add(c)
}

// newID returns a fresh numeric id with prefix: 179 for containers, 180
// for media. Other numeric ids are accounts.
func (s *Server) newID(prefix string) string {
	s.next++
	return fmt.Sprintf("%s%014d", prefix, s.next)
}

const (
	containerPrefix = "179"
	mediaPrefix     = "180"
)

func isAccount(id string) bool {
	if id == "" || strings.HasPrefix(id, containerPrefix) || strings.HasPrefix(id, mediaPrefix) {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func notFound(id string) reply {
	return fail(http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id))
}

// graphTime formats t as Graph does: "2026-05-24T19:33:56+0000".
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }
