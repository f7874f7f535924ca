package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	SignatureHeader = "Herald-Signature"
	EventIDHeader   = "Herald-Event-Id"
	EventTypeHeader = "Herald-Event-Type"
)

// DefaultTolerance is how old a signature Verify accepts when given none:
// enough for clock skew and a slow network, too little for a replay
// campaign.
const DefaultTolerance = 5 * time.Minute

// Errors of Verify. None of them says which part of a signature was
// wrong beyond what the receiver's logs need.
var (
	ErrNoSignature  = errors.New("webhook: no valid Herald-Signature header")
	ErrBadSignature = errors.New("webhook: signature does not match the body")
	ErrExpired      = errors.New("webhook: signature timestamp outside the tolerance")
)

// Scheme is a signature header of the form
// "t=<unix time>,<Key>=<hex>[,<Key>=<hex>...]", where each <hex> is the
// HMAC-SHA256, under one secret, of t, a full stop and the raw body.
// The zero Scheme is Herald-Signature's (key v1), which Sign and Verify
// use; a sender that signs the same way under another key name is
// verified with its own Scheme (TikTok-Signature is Scheme{Key: "s"}).
type Scheme struct {
	// Key names the signatures; "" is v1. Other keys in a header are
	// skipped.
	Key string
}

func (s Scheme) key() string {
	if s.Key == "" {
		return "v1"
	}
	return s.Key
}

// Sign returns the Herald-Signature header value for body signed at at
// with each of secrets.
func Sign(body []byte, at time.Time, secrets ...string) string {
	return Scheme{}.Sign(body, at, secrets...)
}

// Sign returns the header value of s for body signed at at with each of
// secrets.
func (s Scheme) Sign(body []byte, at time.Time, secrets ...string) string {
	t := strconv.FormatInt(at.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + t)
	for _, secret := range secrets {
		b.WriteString("," + s.key() + "=" + hex.EncodeToString(mac([]byte(secret), t, body)))
	}
	return b.String()
}

func mac(secret []byte, t string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(t))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks that header (the Herald-Signature value) signs body under
// secret, at a time within tolerance of now (DefaultTolerance when
// tolerance is 0). It returns nil for an authentic, fresh delivery.
func Verify(header string, body []byte, secret string, tolerance time.Duration, now time.Time) error {
	_, err := Scheme{}.Verify(header, body, secret, tolerance, now)
	return err
}

// Verify checks header, a value of s, as the package's Verify does, and
// returns the header's signed time as well, whenever the header could be
// read (with ErrExpired and ErrBadSignature too).
func (s Scheme) Verify(header string, body []byte, secret string, tolerance time.Duration, now time.Time) (signed time.Time, err error) {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	t, sigs, err := parseHeader(header, s.key())
	if err != nil {
		return time.Time{}, err
	}
	at := time.Unix(t, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return at, fmt.Errorf("%w: signed at %s, %s ago", ErrExpired, at.UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	want := mac([]byte(secret), strconv.FormatInt(t, 10), body)
	ok := false
	for _, sig := range sigs {
		// hmac.Equal is constant time; every signature is compared.
		ok = hmac.Equal(sig, want) || ok
	}
	if !ok {
		return at, ErrBadSignature
	}
	return at, nil
}

// parseHeader reads "t=<unix>,<key>=<hex>[,<key>=<hex>...]"; other keys
// (later schemes) are skipped.
func parseHeader(h, key string) (t int64, sigs [][]byte, err error) {
	haveT := false
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return 0, nil, ErrNoSignature
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || haveT {
				return 0, nil, ErrNoSignature
			}
			t, haveT = n, true
		case key:
			s, err := hex.DecodeString(v)
			if err != nil || len(s) != sha256.Size {
				return 0, nil, ErrNoSignature
			}
			sigs = append(sigs, s)
		}
	}
	if !haveT || len(sigs) == 0 {
		return 0, nil, ErrNoSignature
	}
	return t, sigs, nil
}
