package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// Options is everything the API needs. Client, Vault and Tokens are
// required.
type Options struct {
	// Client schedules and reads posts and analytics.
	Client *jobs.Client
	// Vault keeps the accounts' tokens.
	Vault *tokens.Vault
	// Tokens are the API keys, token -> name (ParseTokens reads them from
	// HERALD_API_TOKENS). The name is logged with each request; the token
	// never is.
	Tokens map[string]string
	// Tenants says which tenant each key (by name) acts for
	// (HERALD_TENANTS): a key reaches only its tenant's accounts and
	// posts. The zero value puts every key in tenant.Default.
	Tenants tenant.Config
	// Ready, if set, says whether the process can serve (/readyz): the
	// command passes a Redis ping. Nil: always ready.
	Ready func(context.Context) error
	// RateLimit, if set, caps each key's requests per minute.
	RateLimit RateLimit
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Observe, if set, hears of every request: its route pattern ("" for
	// no route), status and duration. The command counts them for
	// Prometheus.
	Observe func(route string, status int, d time.Duration)
	// Callbacks, if set, acts on the platforms' disconnect notices under
	// /v1/callbacks (public routes: each notice carries its own
	// signature). Nil: those routes answer 503.
	Callbacks *deauth.Receiver
	// Connect, if set, connects accounts through Herald's OAuth consent
	// (POST /v1/connections and the public /v1/oauth/{platform}/callback).
	// Nil: those routes answer 503.
	Connect *connect.Flow
	// CreatorInfo, by platform name, asks a platform what an account's
	// creator may post now (GET /v1/accounts/{id}/creator-info). A
	// platform without one answers 400 there.
	CreatorInfo map[string]CreatorInfoFunc
	// Logger gets one line per request (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// mutationTimeout bounds a call that changes state. Such calls run
// detached from the client's connection: a client that hangs up halfway
// through a disconnect must not leave the account's posts half canceled.
// Disconnect may wait up to ~31s for a running attempt to stop.
const mutationTimeout = time.Minute

// API is Herald's HTTP API. It is an http.Handler.
type API struct {
	o        Options
	mux      *http.ServeMux
	keys     []apiKey
	public   map[string]bool         // patterns served without a key
	quiet    map[string]bool         // patterns logged at Debug: probes, the document
	patterns []string                // every registered pattern, in order
	limiter  *rateLimiter            // nil: no limit
	clients  map[string]*jobs.Client // Client.ForTenant of each tenant
}

// New returns the API over o.
func New(o Options) (*API, error) {
	switch {
	case o.Client == nil:
		return nil, errors.New("api: Options.Client is required")
	case o.Vault == nil:
		return nil, errors.New("api: Options.Vault is required")
	case len(o.Tokens) == 0:
		return nil, errors.New("api: Options.Tokens is empty: the API refuses to run without an API key")
	}
	for tok := range o.Tokens {
		if len(tok) < MinTokenLen {
			return nil, errors.New("api: an API key is shorter than MinTokenLen")
		}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &API{o: o, mux: http.NewServeMux(), keys: newKeys(o.Tokens), public: map[string]bool{}, quiet: map[string]bool{}, limiter: newRateLimiter(o.RateLimit),
		clients: map[string]*jobs.Client{}}
	for _, t := range o.Tenants.Names() {
		a.clients[t] = o.Client.ForTenant(t)
	}
	a.routes()
	return a, nil
}

// routes registers every route. openapi.json documents each one; a test
// checks that the two agree.
func (a *API) routes() {
	a.handleQuiet("GET /healthz", a.healthz)
	a.handleQuiet("GET /readyz", a.readyz)
	a.handleQuiet("GET /v1/openapi.json", serveOpenAPI)

	a.handle("POST /v1/accounts", a.connectAccount)
	a.handle("GET /v1/accounts/{id}", a.getAccount)
	a.handle("DELETE /v1/accounts/{id}", a.eraseAccount)
	a.handle("POST /v1/accounts/{id}/disconnect", a.disconnectAccount)
	a.handle("GET /v1/accounts/{id}/posts", a.listAccountPosts)
	a.handle("GET /v1/accounts/{id}/analytics", a.getAnalytics)
	a.handle("POST /v1/accounts/{id}/analytics/refresh", a.refreshAnalytics)
	a.handle("GET /v1/accounts/{id}/creator-info", a.getCreatorInfo)

	a.handle("GET /v1/posts", a.listPosts)
	a.handle("POST /v1/posts", a.schedulePost)
	a.handle("POST /v1/posts/batch", a.scheduleBatch)
	a.handle("GET /v1/posts/{id}", a.getPost)
	a.handle("PATCH /v1/posts/{id}", a.patchPost)
	a.handle("DELETE /v1/posts/{id}", a.cancelPost)
	a.handle("GET /v1/groups/{id}", a.getGroup)
	a.handle("DELETE /v1/groups/{id}", a.cancelGroup)

	a.callbackRoutes()
	a.connectionRoutes()
}

// handlerFunc is a route's handler: it writes a success itself and
// returns what went wrong otherwise.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (a *API) handle(pattern string, h handlerFunc) {
	a.patterns = append(a.patterns, pattern)
	a.mux.HandleFunc(pattern, a.answer(h))
}

// answer serves h, answering its error with fail.
func (a *API) answer(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	}
}

func (a *API) handlePublic(pattern string, h http.HandlerFunc) {
	a.patterns = append(a.patterns, pattern)
	a.public[pattern] = true
	a.mux.HandleFunc(pattern, h)
}

// handleQuiet registers a public route whose requests are logged at
// Debug: probes come every few seconds and say nothing. Public is not
// enough for that: a platform's callback is public too, and its request
// line must show.
func (a *API) handleQuiet(pattern string, h http.HandlerFunc) {
	a.handlePublic(pattern, h)
	a.quiet[pattern] = true
}

// ServeHTTP authenticates r (except on public routes), serves it and logs
// it. Unknown routes and methods answer in the same JSON error shape as
// everything else, and only to an authenticated client, so the routes
// cannot be probed without a key.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := a.o.Now()
	sw := &statusWriter{ResponseWriter: w}
	h, pattern := a.mux.Handler(r)
	unclean := !isClean(r.URL.Path)
	if unclean {
		// The mux would answer a redirect to the clean path, in HTML and
		// before any key is checked: answer it as an unknown route.
		pattern = ""
	}
	key, failure := "", ""
	var limited *problem
	if !a.public[pattern] {
		limited = a.mayTry(r)
		if limited == nil {
			key, failure = authenticate(a.keys, r)
		}
		if failure != "" {
			if err := a.limiter.failed(r.Context(), clientAddr(r)); err != nil {
				a.o.Logger.Warn("api: failed authentication not counted", "err", err)
			}
		}
	}
	if key != "" {
		ok, retryAfter, err := a.limiter.allow(r.Context(), key)
		if err != nil {
			a.o.Logger.Warn("api: rate limit not checked", "err", err)
		}
		if !ok {
			limited = rateLimited(retryAfter)
		}
	}
	switch {
	case failure != "":
		writeProblem(sw, errUnauthorized)
	case limited != nil:
		writeProblem(sw, limited)
	case unclean:
		writeProblem(sw, newProblem(http.StatusNotFound, codeNotFound, "no such route: the path is not in canonical form (no '.', '..' or '//' segments)"))
	case pattern == "":
		// The mux's own 404 or 405: keep its status and Allow header,
		// answer in JSON.
		probe := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			sw.Header().Set("Allow", probe.header.Get("Allow"))
			writeProblem(sw, newProblem(http.StatusMethodNotAllowed, codeMethodNotAllowed, r.Method+" is not allowed here; allowed: "+probe.header.Get("Allow")))
		} else {
			writeProblem(sw, newProblem(http.StatusNotFound, codeNotFound, "no such route: see /v1/openapi.json"))
		}
	default:
		a.mux.ServeHTTP(sw, a.withCaller(r, key))
	}
	d := a.o.Now().Sub(start)
	a.logRequest(r, pattern, key, failure, sw.status(), d)
	if a.o.Observe != nil {
		a.o.Observe(pattern, sw.status(), d)
	}
}

// mayTry answers 429 when r's address has used up its failed
// authentications (see RateLimit), nil when it may present a key.
func (a *API) mayTry(r *http.Request) *problem {
	ok, retryAfter, err := a.limiter.mayTry(r.Context(), clientAddr(r))
	if err != nil {
		a.o.Logger.Warn("api: failed authentications not checked", "err", err)
	}
	if ok {
		return nil
	}
	return tooManyFailures(retryAfter)
}

// isClean reports whether p is a path in canonical form, as the mux
// would otherwise redirect to: rooted, without '.', '..' or empty
// segments (a trailing slash is kept).
func isClean(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// logRequest logs one line per request. It names the route pattern, not
// the URL: ids stay out of the logs, and so does anything a client put in
// a query string.
func (a *API) logRequest(r *http.Request, pattern, key, failure string, status int, d time.Duration) {
	level := slog.LevelInfo
	if a.quiet[pattern] {
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("route", pattern),
		slog.Int("status", status), slog.Duration("duration", d),
	}
	if key != "" {
		attrs = append(attrs, slog.String("key", key))
	}
	if failure != "" {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("auth", failure))
	}
	a.o.Logger.LogAttrs(r.Context(), level, "api request", attrs...)
}

// fail writes err as the response. Errors that are not the client's are
// logged and shown as "internal error", since their text may say more
// about Herald's insides than a client should see.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p == nil {
		a.o.Logger.LogAttrs(r.Context(), slog.LevelError, "api error",
			slog.String("method", r.Method), slog.String("route", r.Pattern), slog.String("err", err.Error()))
		status, code, msg := http.StatusInternalServerError, codeInternal, "internal error; the server log has the details"
		if errors.Is(err, context.DeadlineExceeded) {
			status, code, msg = http.StatusServiceUnavailable, codeUnavailable, "Herald did not answer in time; try again"
		}
		p = newProblem(status, code, msg)
	}
	writeProblem(w, p)
}

// detach returns a context for a call that changes state: it keeps r's
// values but not its cancellation, and has its own deadline.
func detach(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), mutationTimeout)
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, "application/json", status, v)
}

func writeJSONAs(w http.ResponseWriter, contentType string, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages say <key>, not \u003ckey\u003e
	err := enc.Encode(v)
	b := buf.Bytes()
	if err != nil {
		status = http.StatusInternalServerError
		contentType = "application/problem+json"
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"internal error","error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if a.o.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.o.Ready(ctx); err != nil {
			a.o.Logger.Warn("api not ready", "err", err)
			writeProblem(w, newProblem(http.StatusServiceUnavailable, codeUnavailable, "not ready: Redis does not answer"))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// headerRecorder takes the mux's own 404 or 405 response apart.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }
func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return io.Discard.Write(b)
}
