package deauth

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors of the receiver. Test with errors.Is; the HTTP handlers map them
// to statuses (ErrInvalid 400, ErrNotConfigured and ErrUnavailable 503,
// ErrNotFound 404, ErrInProgress 503 with Retry-After, anything else 500).
var (
	// ErrInvalid: the notice is malformed, forged, expired or not meant
	// for this app. Its *InvalidError says which.
	ErrInvalid = errors.New("invalid notice")
	// ErrNotConfigured: the notice's source is not configured here (no
	// secret, no audience, no public URL).
	ErrNotConfigured = errors.New("not configured")
	// ErrUnavailable: the notice could not be checked now (the signing
	// keys could not be fetched); the sender should try again.
	ErrUnavailable = errors.New("cannot verify now")
	// ErrInProgress: the same notice is being handled right now; the
	// sender should try again shortly.
	ErrInProgress = errors.New("the same notice is being handled")
	// ErrNotFound: no data deletion request has that confirmation code.
	ErrNotFound = errors.New("no such confirmation code")
)

// InvalidError says what is wrong with a notice. Code is stable and
// machine-readable: for Google's security event tokens it is the error
// code of RFC 8935 (invalid_request, invalid_key, invalid_issuer,
// invalid_audience, authentication_failed); the other sources use
// invalid_request and authentication_failed too, plus expired. The text
// never holds a secret or the notice itself.
type InvalidError struct {
	Source string // meta, google or tiktok
	Code   string
	Msg    string
}

// Codes of InvalidError.
const (
	CodeInvalidRequest       = "invalid_request"
	CodeInvalidKey           = "invalid_key"
	CodeInvalidIssuer        = "invalid_issuer"
	CodeInvalidAudience      = "invalid_audience"
	CodeAuthenticationFailed = "authentication_failed"
	CodeExpired              = "expired"
)

func (e *InvalidError) Error() string        { return e.Source + ": " + e.Msg }
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(source, code, format string, args ...any) error {
	return &InvalidError{Source: source, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// quote shows an untrusted value in an error: quoted, and cut short.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
