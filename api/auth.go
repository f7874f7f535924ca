package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// MinTokenLen is the shortest API key accepted: a guessable key would make
// the API open to anyone who can reach it.
const MinTokenLen = 24

var keyNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseTokens reads API keys written as comma-separated name:token pairs
// (HERALD_API_TOKENS) into the token -> name map Options.Tokens takes.
// Its errors name entries by position and name, never by token.
func ParseTokens(spec string) (map[string]string, error) {
	out := map[string]string{}
	names := map[string]bool{}
	var errs []error
	for i, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, tok, ok := strings.Cut(entry, ":")
		name, tok = strings.TrimSpace(name), strings.TrimSpace(tok)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("key %d: want name:token", i+1))
		case !keyNamePattern.MatchString(name):
			errs = append(errs, fmt.Errorf("key %d: name must be 1 to 64 of [A-Za-z0-9._-]", i+1))
		case names[name]:
			errs = append(errs, fmt.Errorf("key %d (%s): name used twice", i+1, name))
		case len(tok) < MinTokenLen:
			errs = append(errs, fmt.Errorf("key %d (%s): token shorter than %d characters", i+1, name, MinTokenLen))
		case strings.ContainsAny(tok, " \t\r\n"):
			errs = append(errs, fmt.Errorf("key %d (%s): token contains white space", i+1, name))
		case out[tok] != "":
			errs = append(errs, fmt.Errorf("key %d (%s): same token as %s", i+1, name, out[tok]))
		default:
			out[tok] = name
			names[name] = true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("no API key: give at least one name:token pair")
	}
	return out, nil
}

// apiKey is an accepted key: its token's SHA-256 and its name.
type apiKey struct {
	sum  [sha256.Size]byte
	name string
}

func newKeys(tokens map[string]string) []apiKey {
	keys := make([]apiKey, 0, len(tokens))
	for tok, name := range tokens {
		keys = append(keys, apiKey{sha256.Sum256([]byte(tok)), name})
	}
	return keys
}

// authenticate returns the name of the key r presents, and why it failed
// (for the log only: the client hears the same 401 whatever went wrong).
// Every key is compared, in constant time, over the SHA-256 of the
// tokens, so neither the time taken nor the token's length tells an
// attacker how close a guess came.
func authenticate(keys []apiKey, r *http.Request) (name, failure string) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", "no bearer token"
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	found := -1
	for i, k := range keys {
		eq := subtle.ConstantTimeCompare(sum[:], k.sum[:])
		found = subtle.ConstantTimeSelect(eq, i, found)
	}
	if found < 0 {
		return "", "unknown key"
	}
	return keys[found].name, ""
}

var errUnauthorized = newProblem(http.StatusUnauthorized, codeUnauthorized,
	"a valid API key is required: send Authorization: Bearer <key>")
