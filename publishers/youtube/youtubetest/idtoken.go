package youtubetest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"time"
)

// Google's id tokens, as the fake signs them: RS256 JWTs (OpenID Connect
// Core §2, Google's "Validating an ID token") whose key the fake
// publishes as a JWK set, as Google does at
// https://www.googleapis.com/oauth2/v3/certs.
//
//	GET /oauth2/v3/certs  {"keys": [{kty, alg, use, kid, n, e}]}
//
// The key is made on first use (2048-bit RSA), one per server.

// CertsPath is the path of the fake's JWK set; CertsURL its URL.
const CertsPath = "/oauth2/v3/certs"

// CertsURL is the JWK set of the keys the fake signs id tokens with.
func (s *Server) CertsURL() string { return s.base + CertsPath }

// signingKey is the server's RSA key and its kid, made once.
func (s *Server) signingKey() (*rsa.PrivateKey, string) {
	s.keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("youtubetest: RSA key: " + err.Error()) // crypto/rand does not fail
		}
		sum := sha256.Sum256(k.PublicKey.N.Bytes())
		s.key, s.kid = k, base64.RawURLEncoding.EncodeToString(sum[:8])
	})
	return s.key, s.kid
}

// idToken is an id token for account, for this client, valid an hour.
func (s *Server) idToken(account string) string {
	key, kid := s.signingKey()
	enc := func(v any) string { j, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(j) }
	now := time.Now().Unix()
	signing := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid}) + "." +
		enc(map[string]any{"iss": Issuer, "aud": ClientID, "azp": ClientID, "sub": account, "iat": now, "exp": now + 3600})
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("youtubetest: sign: " + err.Error())
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// certs is the JWK set (RFC 7517) of the signing key.
func (s *Server) certs(w http.ResponseWriter, _ *http.Request) {
	key, kid := s.signingKey()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(key.PublicKey.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.PublicKey.E)).Bytes()),
	}}})
}
