package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// An endpoint that answers 410 Gone is disabled: a flag in Redis holds a
// mark of the URL that answered, so the endpoint stays disabled only
// while it keeps that URL.

func disabledKey(name string) string { return "herald:webhook:{" + name + "}:disabled" }

// urlMark identifies an endpoint's URL without storing it.
func urlMark(u string) string {
	s := sha256.Sum256([]byte(u))
	return hex.EncodeToString(s[:8])
}

// target is a configured endpoint with its disabled flag's key and its
// URL's mark, worked out once.
type target struct {
	Endpoint
	key  string
	mark string
}

func newTargets(eps []Endpoint) []target {
	ts := make([]target, len(eps))
	for i, ep := range eps {
		ts[i] = target{Endpoint: ep, key: disabledKey(ep.Name), mark: urlMark(ep.URL)}
	}
	return ts
}

// disabled reports whether t answered 410 at its current URL.
func (t target) disabled(ctx context.Context, rdb redis.UniversalClient) (bool, error) {
	return t.disabledBy(rdb.Get(ctx, t.key))
}

// disabledBy reads the answer to a GET of t's flag: set, and to t's
// current URL.
func (t target) disabledBy(get *redis.StringCmd) (bool, error) {
	mark, err := get.Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("webhook %s: %w", t.Name, err)
	}
	return mark == t.mark, nil
}

// allDisabled is disabled for every target in one pipeline: one round
// trip (one per node of a cluster, where the flags' keys may live on
// different nodes and MGET would be refused).
func allDisabled(ctx context.Context, rdb redis.UniversalClient, ts []target) ([]bool, error) {
	cmds := make([]*redis.StringCmd, len(ts))
	pipe := rdb.Pipeline()
	for i, t := range ts {
		cmds[i] = pipe.Get(ctx, t.key)
	}
	// Exec's error is the first command's, redis.Nil for a flag that is
	// not set: each command's is looked at below.
	_, _ = pipe.Exec(ctx)
	off := make([]bool, len(ts))
	for i, cmd := range cmds {
		var err error
		if off[i], err = ts[i].disabledBy(cmd); err != nil {
			return nil, err
		}
	}
	return off, nil
}

// State is what Herald knows of an endpoint.
type State struct {
	Name string `json:"name"`
	// Tenant is the tenant whose events the endpoint receives.
	Tenant string `json:"tenant"`
	// Disabled: the receiver answered 410 Gone at the endpoint's current
	// URL; nothing is delivered to it until it is enabled again or its URL
	// changes.
	Disabled bool `json:"disabled"`
}

// States says, for each endpoint, whether it is disabled.
func States(ctx context.Context, rdb redis.UniversalClient, eps []Endpoint) ([]State, error) {
	off, err := allDisabled(ctx, rdb, newTargets(eps))
	if err != nil {
		return nil, err
	}
	out := make([]State, len(eps))
	for i, ep := range eps {
		out[i] = State{Name: ep.Name, Tenant: ep.tenant(), Disabled: off[i]}
	}
	return out, nil
}

// Enable delivers to the endpoint name again after it answered 410 Gone.
// Events appended while it was disabled are not sent.
func Enable(ctx context.Context, rdb redis.UniversalClient, name string) error {
	return rdb.Del(ctx, disabledKey(name)).Err()
}
