package tokens

import (
	"fmt"
	"log/slog"
)

// Secret is a string that must never be printed: an access token, a
// refresh token, a key. Every way fmt, encoding/json and log/slog have of
// showing it shows "[redacted]"; Reveal is the one way to read it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer (%#v).
func (s Secret) GoString() string { return `tokens.Secret("` + redacted + `")` }

// Format implements fmt.Formatter, covering %s, %v, %q, %x and the rest.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, s.GoString())
		return
	}
	fmt.Fprint(f, redacted)
}

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (map keys, XML, YAML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
