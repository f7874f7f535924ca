package connect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// pending is a consent in progress, stored under the hash of its state.
type pending struct {
	Platform  string    `json:"platform"`
	Account   string    `json:"account_id"`
	ReturnURL string    `json:"return_url"`
	Key       string    `json:"key"`              // the API key's name
	Tenant    string    `json:"tenant,omitempty"` // the key's tenant; "" is the default
	Scopes    []string  `json:"scopes"`
	Verifier  string    `json:"verifier,omitempty"` // sealed with the keyring
	Expires   time.Time `json:"expires_at"`
}

// newState returns 256 random bits, URL-safe.
func newState() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// stateKey is the Redis key of state: its hash, so whoever reads Redis
// holds no state that would finish a consent.
func stateKey(state string) string {
	h := sha256.Sum256([]byte(state))
	return "herald:connect:state:" + hex.EncodeToString(h[:])
}

// sealContext binds a sealed verifier to its state.
func sealContext(state string) string { return "connect-verifier:" + stateKey(state) }

func (f *Flow) save(ctx context.Context, state string, p pending) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	// Redis's TTL only cleans up; the expiry that counts is p.Expires.
	return f.o.Redis.Set(ctx, stateKey(state), b, StateTTL+time.Minute).Err()
}

// errUnknownState: no such state, or it was used already.
var errUnknownState = errors.New("unknown or used state")

// consume takes state's record out of Redis in one step (GETDEL), so a
// second callback with the same state finds nothing.
func (f *Flow) consume(ctx context.Context, state string) (pending, error) {
	var p pending
	if state == "" {
		return p, errUnknownState
	}
	b, err := f.o.Redis.GetDel(ctx, stateKey(state)).Bytes()
	if errors.Is(err, redis.Nil) {
		return p, errUnknownState
	}
	if err != nil {
		return p, fmt.Errorf("connect: read state: %w", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("connect: state record: %w", err)
	}
	return p, nil
}
