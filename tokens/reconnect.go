package tokens

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReconnectDue reports whether account's token cannot be refreshed (no
// refresh token and no other way to refresh it on its platform, as for
// most LinkedIn apps) and expires within lead: the product app should ask
// the user to connect again before posts start failing. It also returns
// the expiry. An account that is not active is never due.
func (v *Vault) ReconnectDue(ctx context.Context, account string, lead time.Duration) (due bool, expiry time.Time, err error) {
	r, err := v.load(ctx, account)
	if errors.Is(err, errNoRecord) {
		return false, time.Time{}, fmt.Errorf("account %s: %w", account, ErrNotConnected)
	}
	if err != nil || r.Status != StatusActive || r.Expiry.IsZero() {
		return false, time.Time{}, err
	}
	if r.Expiry.Sub(v.o.Now()) >= lead {
		return false, r.Expiry, nil
	}
	plat := v.o.Platforms[r.Platform]
	if plat.Refresh != nil && !plat.NeedsRefreshToken {
		return false, r.Expiry, nil // refreshed with the access token itself: no need to open it
	}
	tok, err := r.open(v.keys)
	if err != nil {
		return false, r.Expiry, err
	}
	return !plat.canRefresh(tok), r.Expiry, nil
}
