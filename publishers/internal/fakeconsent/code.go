package fakeconsent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Codes seals and opens a fake's authorization codes: Prefix starts
// them (the platform's look: "AQB." for Instagram, "code." for TikTok),
// Key is the fake's current client secret (a code sealed under an older
// one no longer opens).
type Codes struct {
	Prefix string
	Key    func() string
}

// Seal returns a code carrying v.
func (c Codes) Seal(v any) string { return Seal(c.Prefix, c.Key(), v) }

// Open decodes code into v and reports whether Seal made it.
func (c Codes) Open(code string, v any) bool { return Open(c.Prefix, c.Key(), code, v) }

// Hash is a code's SHA-256 in hex: what a call log keeps to tell a code
// was exchanged, never the code itself.
func Hash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

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
