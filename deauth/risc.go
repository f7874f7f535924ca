package deauth

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Event types of Google's Cross-Account Protection (RISC) and of the
// OAuth event profile it also sends.
const (
	RISCTokensRevoked    = "https://schemas.openid.net/secevent/risc/event-type/tokens-revoked"
	RISCAccountDisabled  = "https://schemas.openid.net/secevent/risc/event-type/account-disabled"
	RISCAccountPurged    = "https://schemas.openid.net/secevent/risc/event-type/account-purged"
	RISCSessionsRevoked  = "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked"
	RISCVerification     = "https://schemas.openid.net/secevent/risc/event-type/verification"
	OAuthTokensRevoked   = "https://schemas.openid.net/secevent/oauth/event-type/tokens-revoked"
	subjectTypeIssuerSub = "iss-sub"
)

// SecurityEvent is a verified security event token (SET, RFC 8417).
type SecurityEvent struct {
	// ID is the token's jti: the same event delivered twice has the same
	// ID.
	ID       string
	IssuedAt time.Time
	// Events are the token's events, sorted by type (Google sends one).
	Events []RISCEvent
}

// RISCEvent is one event of a security event token.
type RISCEvent struct {
	// Type is the event type URI.
	Type string
	// SubjectType is the subject's format; Herald acts on "iss-sub" only.
	SubjectType string
	// Subject is the subject's sub: the Google account id.
	Subject string
	// Reason, for account-disabled: hijacking or bulk-account.
	Reason string
	// State, for the verification event: what the sender asked to echo.
	State string
}

// ShortType is the last part of the event type ("tokens-revoked").
func (e RISCEvent) ShortType() string {
	return e.Type[strings.LastIndex(e.Type, "/")+1:]
}

// RISCOptions configure a RISC verifier.
type RISCOptions struct {
	// JWKSURL is where the signing keys are published (Google:
	// https://www.googleapis.com/oauth2/v3/certs, the jwks_uri of
	// https://accounts.google.com/.well-known/risc-configuration).
	JWKSURL string
	// Issuer is the iss tokens must carry (Google:
	// https://accounts.google.com/).
	Issuer string
	// Audiences are the accepted aud values: the app's OAuth client ids.
	Audiences []string
	// MaxAge: a token issued longer ago is refused (default 1h).
	MaxAge time.Duration
	// Skew is the clock difference tolerated for iat (default 5m).
	Skew time.Duration
	// KeysTTL: keys fetched longer ago are fetched again before use
	// (default 1h).
	KeysTTL time.Duration
	// MinRefetch: the keys are fetched at most once per MinRefetch,
	// however many tokens name an unknown key (default 1m).
	MinRefetch time.Duration
	// HTTPClient fetches the keys (default: 10s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// RISC verifies Google's security event tokens against the keys Google
// publishes. The keys are cached, fetched again when they are older than
// KeysTTL or when a token names a key not among them, and never more
// often than MinRefetch. It is safe for concurrent use.
type RISC struct {
	o RISCOptions

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	fetchedAt time.Time // of the keys in hand
	triedAt   time.Time // of the last fetch, successful or not
}

// NewRISC returns a verifier over o.
func NewRISC(o RISCOptions) (*RISC, error) {
	u, err := url.Parse(o.JWKSURL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, errors.New("deauth: RISCOptions.JWKSURL is not an http(s) URL")
	case o.Issuer == "":
		return nil, errors.New("deauth: RISCOptions.Issuer is empty")
	case len(o.Audiences) == 0:
		return nil, errors.New("deauth: RISCOptions.Audiences is empty: give the app's OAuth client ids")
	}
	if o.MaxAge <= 0 {
		o.MaxAge = time.Hour
	}
	if o.Skew <= 0 {
		o.Skew = 5 * time.Minute
	}
	if o.KeysTTL <= 0 {
		o.KeysTTL = time.Hour
	}
	if o.MinRefetch <= 0 {
		o.MinRefetch = time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &RISC{o: o}, nil
}

// maxSET bounds a security event token; Google's are about 1 KiB.
const maxSET = 64 << 10

// Verify checks token (a compact JWS) and returns its events: signed
// with RS256 by a published key, the configured issuer, one of the
// audiences, a jti, issued no longer than MaxAge ago and not in the
// future beyond Skew, and at least one event. Errors are *InvalidError
// (ErrInvalid) with an RFC 8935 code, or ErrUnavailable when the keys
// could not be fetched.
func (v *RISC) Verify(ctx context.Context, token string) (SecurityEvent, error) {
	var se SecurityEvent
	token = strings.TrimSpace(token)
	if token == "" {
		return se, invalid("google", CodeInvalidRequest, "the body is empty: want a security event token")
	}
	if len(token) > maxSET {
		return se, invalid("google", CodeInvalidRequest, "the token is longer than %d bytes", maxSET)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return se, invalid("google", CodeInvalidRequest, "not a JWS compact serialization signed with RS256")
	}
	if len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return se, invalid("google", CodeInvalidKey, "the token names no key (kid)")
	}
	key, err := v.key(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return se, err
	}
	var claims jwt.Claims
	var body struct {
		Events map[string]json.RawMessage `json:"events"`
	}
	if err := tok.Claims(key, &claims, &body); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return se, invalid("google", CodeAuthenticationFailed, "the signature does not verify")
		}
		return se, invalid("google", CodeInvalidRequest, "the claims are not the JSON of a security event token")
	}
	now := v.o.Now()
	err = claims.ValidateWithLeeway(jwt.Expected{Issuer: v.o.Issuer, AnyAudience: v.o.Audiences, Time: now}, v.o.Skew)
	switch {
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return se, invalid("google", CodeInvalidIssuer, "issuer %s, want %s", quote(claims.Issuer), quote(v.o.Issuer))
	case errors.Is(err, jwt.ErrInvalidAudience):
		return se, invalid("google", CodeInvalidAudience, "the audience is not one of this app's client ids")
	case errors.Is(err, jwt.ErrIssuedInTheFuture), errors.Is(err, jwt.ErrNotValidYet):
		return se, invalid("google", CodeInvalidRequest, "the token is issued in the future")
	case errors.Is(err, jwt.ErrExpired):
		return se, invalid("google", CodeExpired, "the token has expired")
	case err != nil:
		return se, invalid("google", CodeInvalidRequest, "claims: %v", err)
	}
	if claims.IssuedAt == nil {
		return se, invalid("google", CodeInvalidRequest, "the token has no iat")
	}
	iat := claims.IssuedAt.Time()
	if age := now.Sub(iat); age > v.o.MaxAge {
		return se, invalid("google", CodeExpired, "the token was issued %s ago, more than %s", age.Round(time.Second), v.o.MaxAge)
	}
	if claims.ID == "" || len(claims.ID) > 256 {
		return se, invalid("google", CodeInvalidRequest, "the token has no jti")
	}
	if len(body.Events) == 0 {
		return se, invalid("google", CodeInvalidRequest, "the token has no events")
	}
	se = SecurityEvent{ID: claims.ID, IssuedAt: iat}
	for typ, raw := range body.Events {
		var e struct {
			Subject *struct {
				SubjectType string `json:"subject_type"`
				Sub         string `json:"sub"`
			} `json:"subject"`
			Reason string `json:"reason"`
			State  string `json:"state"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return SecurityEvent{}, invalid("google", CodeInvalidRequest, "event %s is not a JSON object", quote(typ))
		}
		ev := RISCEvent{Type: typ, Reason: e.Reason, State: e.State}
		if e.Subject != nil {
			ev.SubjectType, ev.Subject = e.Subject.SubjectType, e.Subject.Sub
		}
		se.Events = append(se.Events, ev)
	}
	slices.SortFunc(se.Events, func(a, b RISCEvent) int { return strings.Compare(a.Type, b.Type) })
	return se, nil
}

// key returns the public key kid, fetching the key set when it is stale
// or lacks kid (at most once per MinRefetch).
func (v *RISC) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.o.Now()
	k, known := v.keys[kid]
	fresh := v.keys != nil && now.Sub(v.fetchedAt) < v.o.KeysTTL
	if known && fresh {
		return k, nil
	}
	var fetchErr error
	if v.triedAt.IsZero() || now.Sub(v.triedAt) >= v.o.MinRefetch {
		v.triedAt = now
		keys, err := v.fetch(ctx)
		if err == nil {
			v.keys, v.fetchedAt = keys, now
		}
		fetchErr = err
	}
	if k, ok := v.keys[kid]; ok {
		return k, nil // a stale key beats none when Google does not answer
	}
	if v.keys == nil {
		if fetchErr == nil {
			fetchErr = errors.New("fetched too recently to try again")
		}
		return nil, fmt.Errorf("google: signing keys: %v: %w", fetchErr, ErrUnavailable)
	}
	return nil, invalid("google", CodeInvalidKey, "the token is signed by key %s, which Google does not publish", quote(kid))
}

// maxJWKS bounds the key set document.
const maxJWKS = 1 << 20

// fetch reads the key set, keeping the RSA signing keys and skipping
// any key it cannot use.
func (v *RISC) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	// Detached: a sender hanging up must not make the fetch fail and
	// hold the next one back for MinRefetch.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.o.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := v.o.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("key set answered %s", res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxJWKS+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxJWKS {
		return nil, errors.New("key set larger than 1 MiB")
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, errors.New("key set is not a JSON Web Key Set")
	}
	keys := map[string]*rsa.PublicKey{}
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || k.KeyID == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != string(jose.RS256) {
			continue
		}
		if pub, ok := k.Key.(*rsa.PublicKey); ok {
			keys[k.KeyID] = pub
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set holds no RSA signing key")
	}
	return keys, nil
}
