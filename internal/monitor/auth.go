package monitor

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Auth is who may use asynqmon. asynqmon can pause queues and delete or
// run tasks, and shows every payload: off loopback it must not be open.
type Auth struct {
	// Username and Password, both set, let browsers in with HTTP basic
	// auth.
	Username, Password string
	// BearerToken, if set, lets clients in with "Authorization: Bearer
	// <token>" (scripts, a proxy that injects it).
	BearerToken string
}

// Enabled says whether any credential is configured.
func (a Auth) Enabled() bool { return a.Password != "" || a.BearerToken != "" }

// minSecret is the shortest password or bearer token accepted.
const minSecret = 12

// Check reports a half-configured or weak Auth, and an open monitor on an
// address other machines can reach. cmd/herald calls it before serving.
func (a Auth) Check(addr string) error {
	if (a.Username == "") != (a.Password == "") {
		return errors.New("monitor: basic auth needs both a username and a password")
	}
	if a.Password != "" && len(a.Password) < minSecret {
		return fmt.Errorf("monitor: the password must be at least %d characters", minSecret)
	}
	if a.BearerToken != "" && len(a.BearerToken) < minSecret {
		return fmt.Errorf("monitor: the bearer token must be at least %d characters", minSecret)
	}
	if !a.Enabled() && !Loopback(addr) {
		return fmt.Errorf("monitor: %s is reachable from other machines and asynqmon has no login: set a username and password or a bearer token, or listen on 127.0.0.1", addr)
	}
	return nil
}

// Loopback says whether addr (host:port) listens on loopback only. An
// empty host listens on every interface, so it is not loopback.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// protect wraps h so that it answers only requests with a configured
// credential; without one configured it returns h as it is.
func (a Auth) protect(h http.Handler) http.Handler {
	if !a.Enabled() {
		return h
	}
	user, pass, bearer := digest(a.Username), digest(a.Password), digest(a.BearerToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.BearerToken != "" {
			if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
				if equal(digest(strings.TrimSpace(tok)), bearer) == 1 {
					h.ServeHTTP(w, r)
					return
				}
			}
		}
		if a.Password != "" {
			if u, p, ok := r.BasicAuth(); ok {
				// Both compared, always, so the time taken says nothing.
				if equal(digest(u), user)&equal(digest(p), pass) == 1 {
					h.ServeHTTP(w, r)
					return
				}
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="herald monitor", charset="UTF-8"`)
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald monitor"`)
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
}

// digest makes secrets of any length comparable in constant time.
func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func equal(a, b [32]byte) int { return subtle.ConstantTimeCompare(a[:], b[:]) }
