// Package consentcode is what the platform fakes' consent pages share:
// authorization codes that carry what the consent bound them to (the
// account, redirect_uri, scopes, PKCE challenge), sealed with an HMAC of
// the fake's client secret so a code cannot be forged or altered, and the
// loopback test the fakes apply to http redirect URIs. Each fake keeps
// its platform's own code prefix and refusals; single use is the fake's
// (its call log or its state).
package consentcode

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Seal returns prefix, v as base64url JSON, a dot and its HMAC under key.
func Seal(prefix, key string, v any) string {
	j, _ := json.Marshal(v)
	p := base64.RawURLEncoding.EncodeToString(j)
	return prefix + p + "." + mac(key, p)
}

// Open checks code's prefix and HMAC under key and decodes it into v; it
// reports false for a code Seal did not make with that prefix and key.
func Open(prefix, key, code string, v any) bool {
	rest, ok := strings.CutPrefix(code, prefix)
	p, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !hmac.Equal([]byte(sig), []byte(mac(key, p))) {
		return false
	}
	j, err := base64.RawURLEncoding.DecodeString(p)
	return err == nil && json.Unmarshal(j, v) == nil
}

func mac(key, p string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Loopback reports whether host is localhost or a loopback address: the
// fakes let http redirect URIs through only there, as the platforms allow
// http for local development at most.
func Loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// Back answers a consent decision as the platforms do: 303 to the
// authorize request's redirect_uri (its own query kept) with the
// request's state, when it had one, and params (code or error). suffix is
// appended to the location (Instagram adds "#_").
func Back(w http.ResponseWriter, r *http.Request, authorize, params url.Values, suffix string) {
	back, _ := url.Parse(authorize.Get("redirect_uri"))
	q := back.Query()
	if st := authorize.Get("state"); st != "" {
		q.Set("state", st)
	}
	for k, vs := range params {
		q[k] = vs
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String()+suffix, http.StatusSeeOther)
}
