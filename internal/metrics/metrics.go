// Package metrics holds Herald's Prometheus metrics and the small HTTP
// server (/metrics, /healthz, /readyz) every Herald process runs.
//
// Each process builds one registry (NewRegistry) and registers on it the
// groups of metrics it feeds: Publish in the worker, Tokens wherever a
// Vault refreshes, Requests around every platform HTTP client, and the
// collectors (quota, accounts) that read their values when Prometheus
// scrapes. Packages outside cmd never import this one: they take plain
// hook funcs, and cmd/herald wires the methods here into them.
//
// Label values are bounded sets (platform, outcome, class, endpoint
// template, status code, tenant): never an account or post id, a query
// string or anything a user chose, which would leak user data and
// explode cardinality. Free-form values are folded into "other" before
// they become labels; the tenant label takes the configured tenants
// (HERALD_TENANTS, tenant.Config.Label) and "other", whatever tenant an
// id in Redis names.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// NewRegistry returns a registry with the Go runtime and process
// collectors: one registry per process.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Probes are a process's health checks. Nil means always fine.
type Probes struct {
	// Live answers /healthz: the process runs and is not wedged. A
	// failing liveness probe gets the process restarted, so it should not
	// depend on Redis.
	Live func(context.Context) error
	// Ready answers /readyz: the process can do its work now (Redis
	// reachable, worker registered). A failing readiness probe takes the
	// process out of rotation.
	Ready func(context.Context) error
}

// Mux returns a mux serving /metrics from reg and both /healthz and
// /readyz from health (nil: always healthy). NewMux separates them.
func Mux(reg *prometheus.Registry, health func(context.Context) error) *http.ServeMux {
	return NewMux(reg, Probes{Live: health, Ready: health})
}

// NewMux returns a mux serving /metrics from reg, /healthz from p.Live
// and /readyz from p.Ready.
func NewMux(reg *prometheus.Registry, p Probes) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.Handle("GET /healthz", probe(p.Live))
	mux.Handle("GET /readyz", probe(p.Ready))
	return mux
}

// probeTimeout bounds one health check, below the usual probe timeouts.
const probeTimeout = 2 * time.Second

func probe(check func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if check != nil {
			ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
			defer cancel()
			if err := check(ctx); err != nil {
				http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}

// Serve runs h on addr until ctx ends. It returns once the listener is
// closed; a failure to listen is returned at once.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on an open listener. When ctx ends it shuts the
// server down (in-flight requests get 5s) and returns only once that
// shutdown has finished, so nothing of it outlives the call.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	shutdown := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(shutdown)
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	err := srv.Serve(ln)
	if stop() {
		// Serve failed before ctx ended: no shutdown runs.
		return err
	}
	<-shutdown
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
