package tokens

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
)

// PendingCredentials is a read of an account's record queued in the
// caller's Redis pipeline, so that a caller with a round trip of its own
// to make (jobs, beginning an attempt) reads the token in the same one.
type PendingCredentials struct {
	v       *Vault
	account string
	cmd     *redis.MapStringStringCmd
}

// QueueCredentials queues the read of account's record in pipe. Call
// Result once pipe has run.
func (v *Vault) QueueCredentials(ctx context.Context, pipe redis.Pipeliner, account string) *PendingCredentials {
	return &PendingCredentials{v: v, account: account, cmd: pipe.HGetAll(ctx, tokenKey(account))}
}

// Account is the account whose record p reads.
func (p *PendingCredentials) Account() string { return p.account }

// Result is what Credentials(ctx, account, platform) answers, from the
// record as the pipeline read it: a token that needs refreshing is
// refreshed then, under the lock, as Credentials would.
func (p *PendingCredentials) Result(ctx context.Context, platform string) (*oauth2.Token, Info, error) {
	h, err := p.cmd.Result()
	if err != nil {
		return nil, Info{}, fmt.Errorf("account %s: %w", p.account, err)
	}
	r, err := decodeRecord(p.account, h)
	return p.v.credentialsOf(ctx, p.account, platform, r, err)
}
