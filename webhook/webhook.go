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

// Sign returns the Herald-Signature header value for body signed at at
// with each of secrets.
func Sign(body []byte, at time.Time, secrets ...string) string {
	t := strconv.FormatInt(at.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + t)
	for _, s := range secrets {
		b.WriteString(",v1=" + hex.EncodeToString(mac([]byte(s), t, body)))
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
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	t, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	at := time.Unix(t, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, %s ago", ErrExpired, at.UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	want := mac([]byte(secret), strconv.FormatInt(t, 10), body)
	ok := false
	for _, s := range sigs {
		// hmac.Equal is constant time; every signature is compared.
		ok = hmac.Equal(s, want) || ok
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}

// parseHeader reads "t=<unix>,v1=<hex>[,v1=<hex>...]"; unknown keys
// (later schemes) are skipped.
func parseHeader(h string) (t int64, sigs [][]byte, err error) {
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
		case "v1":
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
