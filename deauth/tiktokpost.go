package deauth

import (
	"context"
	"fmt"
)

// actionLookup is the metric label of a webhook that asked for post ids
// to be looked up (no account is disconnected).
const actionLookup = "lookup"

// tiktokPostPublic hands post.publish.publicly_available to
// Options.OnTikTokPostPublic for each TikTok account of the user. It
// takes no claim: looking an id up twice costs one status fetch and
// changes nothing, so a repeated webhook is harmless.
func (rc *Receiver) tiktokPostPublic(ctx context.Context, ev TikTokEvent, body []byte) error {
	n := notice{source: "tiktok", action: actionLookup, reason: "tiktok " + TikTokPostPubliclyAvailable, digest: digest(string(body))}
	platform, ok := rc.o.Platforms[SourceTikTok]
	if !ok {
		err := fmt.Errorf("no platform takes TikTok's notices: %w", ErrNotConfigured)
		rc.record(ctx, n, outcomeUnconfigured, nil, err)
		return err
	}
	ids, err := rc.o.Vault.AccountsOf(ctx, platform, ev.UserOpenID)
	if err != nil {
		err = fmt.Errorf("tiktok: find the accounts of the user: %w: %w", ErrUnavailable, err)
		rc.record(ctx, n, outcomeFailed, nil, err)
		return err
	}
	if len(ids) == 0 {
		rc.record(ctx, n, outcomeNoAccount, nil, nil)
		return nil
	}
	for _, id := range ids {
		if err := rc.o.OnTikTokPostPublic(ctx, id); err != nil {
			err = fmt.Errorf("tiktok: look up the posts of account %s: %w: %w", id, ErrUnavailable, err)
			rc.record(ctx, n, outcomeFailed, ids, err)
			return err
		}
	}
	rc.record(ctx, n, outcomeDone, ids, nil)
	return nil
}
