package deauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/tokens"
)

// The senders of disconnect notices, the keys of Options.Platforms and
// the source label of the metrics.
const (
	SourceMeta   = "meta"
	SourceGoogle = "google"
	SourceTikTok = "tiktok"
)

// Event tells Options.OnEvent that a platform's notice disconnected or
// erased an account. It carries no type: every Event is a
// deauthorization, which the caller names in its own stream
// (events.AccountDeauthorized); deauth stays clear of package jobs.
type Event struct {
	AccountID string
	Platform  string
	// Reason is short and fixed: "meta deauthorize", "meta data deletion",
	// "google risc tokens-revoked", "tiktok authorization.removed".
	Reason string
	// Action is disconnect or erase.
	Action string
}

// Actions and their metric label values.
const (
	ActionDisconnect = "disconnect"
	ActionErase      = "erase"
	actionNone       = "none"
)

// Outcomes, the outcome label of herald_deauth_notices_total.
const (
	outcomeDone         = "done"         // acted on one account or more
	outcomeNoAccount    = "no_account"   // valid, but no account of that user
	outcomeDuplicate    = "duplicate"    // handled before: nothing done
	outcomeInProgress   = "in_progress"  // the same notice is being handled now
	outcomeIgnored      = "ignored"      // valid, of a type Herald does not act on
	outcomeVerification = "verification" // Google's endpoint verification
	outcomeRejected     = "rejected"     // malformed, forged, expired, not ours
	outcomeUnconfigured = "unconfigured" // the source is not configured
	outcomeUnavailable  = "unavailable"  // could not be verified now
	outcomeFailed       = "failed"       // valid, but acting on it failed
)

// Options configure a Receiver. Redis and Vault are required; each
// source works once its own settings are given, and answers
// ErrNotConfigured before.
type Options struct {
	Redis redis.UniversalClient
	Vault *tokens.Vault
	// Platforms maps each source (SourceMeta, SourceGoogle,
	// SourceTikTok) to the Herald platform whose accounts its user ids
	// name: cmd/herald derives it from the platforms' descriptors
	// (instagram takes Meta's notices, youtube Google's). A source
	// missing here answers ErrNotConfigured.
	Platforms map[string]string

	// MetaAppSecrets verify Meta's signed requests (the app secret; a
	// second one while it is being reset).
	MetaAppSecrets []string
	// MetaMaxAge: a signed request issued longer ago is refused (default
	// 24h, at most ClaimTTL).
	MetaMaxAge time.Duration
	// PublicURL is the base URL at which users reach Herald: the data
	// deletion status URL is PublicURL + DeletionStatusPath + code. The
	// data deletion callback needs it.
	PublicURL string

	// RISC verifies Google's security event tokens.
	RISC *RISC

	// TikTokClientSecret verifies TikTok's webhooks.
	TikTokClientSecret string
	// TikTokClientKey, if set, must be the webhook's client_key.
	TikTokClientKey string
	// TikTokTolerance is how far a webhook's signed time may be from now
	// (default webhook.DefaultTolerance, 5 minutes).
	TikTokTolerance time.Duration

	// OnEvent, if set, hears of every account a notice disconnected or
	// erased (the caller appends it to the events stream). For an erase
	// it is called before the erase, which removes the account's events
	// from the stream and leaves account.erased in their place.
	OnEvent func(context.Context, Event)
	// OnTikTokPostPublic, if set, hears of TikTok's
	// post.publish.publicly_available webhook, once for each TikTok
	// account of the user it names: the caller looks up the ids of that
	// account's posts still waiting for one (jobs.Client.LookUpPending).
	// An error answers 503, so that TikTok sends the webhook again.
	OnTikTokPostPublic func(ctx context.Context, accountID string) error
	// Registerer, if set, gets the receiver's metrics.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// ActionTimeout bounds the work on one notice, which runs detached
	// from the sender's connection (default 1 minute: a disconnect may
	// wait ~31s for a running publish attempt).
	ActionTimeout time.Duration
}

// DeletionStatusPath is the path, under PublicURL, of the data deletion
// status page; the confirmation code follows it.
const DeletionStatusPath = "/v1/callbacks/meta/data-deletion/"

const (
	// claimLease is how long a notice stays claimed by a process at
	// work on it; past it, a retry of the notice is handled anew.
	claimLease = 2 * time.Minute
	// ClaimTTL is how long a handled notice is remembered, so that its
	// repetition does nothing: beyond every sender's retry window
	// (TikTok retries for 72 hours).
	ClaimTTL = 7 * 24 * time.Hour
)

// Receiver acts on the platforms' disconnect notices: it verifies each,
// maps the platform user to Herald's accounts (tokens.Vault.AccountsOf),
// and disconnects or erases them, once per notice however often it
// arrives.
type Receiver struct {
	o       Options
	notices *prometheus.CounterVec
}

// New returns a Receiver over o.
func New(o Options) (*Receiver, error) {
	switch {
	case o.Redis == nil:
		return nil, errors.New("deauth: Options.Redis is required")
	case o.Vault == nil:
		return nil, errors.New("deauth: Options.Vault is required")
	case o.MetaMaxAge > ClaimTTL:
		return nil, fmt.Errorf("deauth: Options.MetaMaxAge is above %s, the time notices are remembered", ClaimTTL)
	}
	if o.MetaMaxAge <= 0 {
		o.MetaMaxAge = 24 * time.Hour
	}
	if o.ActionTimeout <= 0 {
		o.ActionTimeout = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	rc := &Receiver{o: o, notices: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_deauth_notices_total",
		Help: "Disconnect notices from the platforms, by source (meta, google, tiktok), action (disconnect, erase, none) and outcome.",
	}, []string{"source", "action", "outcome"})}
	if o.Registerer != nil {
		if err := o.Registerer.Register(rc.notices); err != nil {
			return nil, fmt.Errorf("deauth: register metrics: %w", err)
		}
	}
	return rc, nil
}

// notice is one verified request to act on a platform user's accounts.
type notice struct {
	source   string // meta, google, tiktok
	action   string // disconnect, erase
	platform string
	userID   string // never logged
	reason   string
	digest   string // of the notice: its claim key's last part, and its name in the log
	code     string // data deletion requests: the confirmation code
}

// key is n's claim key.
func (n notice) key() string { return claimKey(n.source, n.digest) }

// act runs n once however often it arrives and returns the confirmation
// code in effect (data deletion requests; "" otherwise).
func (rc *Receiver) act(ctx context.Context, n notice) (string, error) {
	n.platform = rc.o.Platforms[n.source]
	if n.platform == "" {
		return "", rc.refuse(ctx, n.source, n.action, fmt.Errorf("%s: no platform takes its notices: %w", n.source, ErrNotConfigured))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rc.o.ActionTimeout)
	defer cancel()
	first, value, err := rc.claim(ctx, n.key(), n.code)
	if err != nil {
		rc.record(ctx, n, outcomeFailed, nil, err)
		return "", fmt.Errorf("%s: claim: %w", n.source, err)
	}
	if !first {
		_, code, _ := strings.Cut(value, ":")
		if n.code != "" && code == "" {
			// Only a data deletion request is claimed with a code: this
			// notice came first as a deauthorize (see metaDigest).
			err := invalid(n.source, CodeInvalidRequest, "this signed_request was received as a deauthorize notice; it is no data deletion request")
			rc.record(ctx, n, outcomeRejected, nil, err)
			return "", err
		}
		if strings.HasPrefix(value, claimPending) && n.code == "" {
			rc.record(ctx, n, outcomeInProgress, nil, nil)
			return "", ErrInProgress
		}
		// A data deletion request answers with the code it was given the
		// first time; its status page tells how far it got.
		rc.record(ctx, n, outcomeDuplicate, nil, nil)
		return code, nil
	}
	requested := rc.o.Now()
	ids, err := rc.run(ctx, n, requested)
	if err != nil {
		if n.code != "" {
			if err := rc.putStatus(ctx, n.code, DeletionFailed, requested, time.Time{}); err != nil {
				rc.o.Logger.Warn("deauth: deletion status not saved", "err", err)
			}
		}
		rc.release(ctx, n.key())
		rc.record(ctx, n, outcomeFailed, ids, err)
		return "", err
	}
	if n.code != "" {
		if err := rc.putStatus(ctx, n.code, DeletionCompleted, requested, rc.o.Now()); err != nil {
			rc.release(ctx, n.key())
			rc.record(ctx, n, outcomeFailed, ids, err)
			return "", fmt.Errorf("%s: deletion status: %w", n.source, err)
		}
	}
	if err := rc.finish(ctx, n.key(), n.code); err != nil {
		// The work is done; only its repetition is not prevented.
		rc.o.Logger.Warn("deauth: notice not marked handled", "source", n.source, "err", err)
	}
	outcome := outcomeDone
	if len(ids) == 0 {
		outcome = outcomeNoAccount
	}
	rc.record(ctx, n, outcome, ids, nil)
	return n.code, nil
}

// run disconnects or erases every account of n's platform user.
func (rc *Receiver) run(ctx context.Context, n notice, requested time.Time) ([]string, error) {
	if n.code != "" {
		if err := rc.putStatus(ctx, n.code, DeletionPending, requested, time.Time{}); err != nil {
			return nil, fmt.Errorf("%s: deletion status: %w", n.source, err)
		}
	}
	ids, err := rc.o.Vault.AccountsOf(ctx, n.platform, n.userID)
	if err != nil {
		return nil, fmt.Errorf("%s: find accounts: %w", n.source, err)
	}
	for _, id := range ids {
		ev := Event{AccountID: id, Platform: n.platform, Reason: n.reason, Action: n.action}
		switch n.action {
		case ActionErase:
			rc.emit(ctx, ev)
			if _, err := rc.o.Vault.Erase(ctx, id); err != nil {
				return ids, fmt.Errorf("%s: %w", n.source, err)
			}
		default:
			if err := rc.o.Vault.Disconnect(ctx, id); err != nil {
				return ids, fmt.Errorf("%s: %w", n.source, err)
			}
			rc.emit(ctx, ev)
		}
	}
	return ids, nil
}

func (rc *Receiver) emit(ctx context.Context, ev Event) {
	if rc.o.OnEvent != nil {
		rc.o.OnEvent(ctx, ev)
	}
}

// record logs and counts the outcome of a notice. The log names the
// source, the action, Herald's account ids and a digest of the notice:
// never the platform user id or anything else the notice carried.
func (rc *Receiver) record(ctx context.Context, n notice, outcome string, ids []string, err error) {
	action := n.action
	if action == "" {
		action = actionNone
	}
	rc.notices.WithLabelValues(n.source, action, outcome).Inc()
	attrs := []slog.Attr{
		slog.String("source", n.source), slog.String("action", action), slog.String("outcome", outcome),
	}
	if n.reason != "" {
		attrs = append(attrs, slog.String("reason", n.reason))
	}
	if n.digest != "" {
		attrs = append(attrs, slog.String("notice", n.digest[:12]))
	}
	if ids != nil {
		attrs = append(attrs, slog.Any("accounts", ids))
	}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
		if outcome == outcomeFailed || outcome == outcomeUnavailable {
			level = slog.LevelError
		}
	}
	rc.o.Logger.LogAttrs(ctx, level, "deauth notice", attrs...)
}

// refuse records a notice that was not acted on because of err, and
// returns err.
func (rc *Receiver) refuse(ctx context.Context, source, action string, err error) error {
	outcome := outcomeRejected
	switch {
	case errors.Is(err, ErrNotConfigured):
		outcome = outcomeUnconfigured
	case errors.Is(err, ErrUnavailable):
		outcome = outcomeUnavailable
	}
	rc.record(ctx, notice{source: source, action: action}, outcome, nil, err)
	return err
}

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Deletion is the answer Meta expects from a data deletion callback.
type Deletion struct {
	URL              string `json:"url"`
	ConfirmationCode string `json:"confirmation_code"`
}

// MetaDeauthorize handles Meta's deauthorize callback: the user removed
// the app, so every Instagram account connected with that user id (as
// platform or login user id) is disconnected.
func (rc *Receiver) MetaDeauthorize(ctx context.Context, signedRequest string) error {
	sr, err := rc.metaRequest(signedRequest)
	if err != nil {
		return rc.refuse(ctx, "meta", ActionDisconnect, err)
	}
	_, err = rc.act(ctx, notice{
		source: "meta", action: ActionDisconnect, userID: sr.UserID,
		reason: "meta deauthorize", digest: metaDigest(sr),
	})
	return err
}

// MetaDataDeletion handles Meta's data deletion request callback: every
// Instagram account of the user is erased, and the answer names the
// status URL and confirmation code Meta shows the user. The same request
// again answers the same code.
func (rc *Receiver) MetaDataDeletion(ctx context.Context, signedRequest string) (Deletion, error) {
	if rc.o.PublicURL == "" && len(rc.o.MetaAppSecrets) > 0 {
		return Deletion{}, rc.refuse(ctx, "meta", ActionErase,
			fmt.Errorf("no public URL (HERALD_PUBLIC_URL) to give Meta the deletion status link it requires: %w", ErrNotConfigured))
	}
	sr, err := rc.metaRequest(signedRequest)
	if err != nil {
		return Deletion{}, rc.refuse(ctx, "meta", ActionErase, err)
	}
	code, err := rc.act(ctx, notice{
		source: "meta", action: ActionErase, userID: sr.UserID,
		reason: "meta data deletion", digest: metaDigest(sr), code: newCode(),
	})
	if err != nil {
		return Deletion{}, err
	}
	return Deletion{URL: rc.o.PublicURL + DeletionStatusPath + code, ConfirmationCode: code}, nil
}

// metaDigest names a Meta notice by what its signature vouches for, the
// user and the time Meta signed it, not by its text: base64 padding
// (which decoding ignores) cannot make a copy look new. The deauthorize
// and data deletion callbacks carry the same payload, so both share
// this one claim: a notice is acted on once, as whichever it came as
// first. A data deletion request that was first seen as a deauthorize is
// refused (a captured deauthorize must not become an erase); a
// deauthorize that repeats a deletion request is a duplicate.
func metaDigest(sr SignedRequest) string {
	return digest("meta", sr.UserID, strconv.FormatInt(sr.IssuedAt.Unix(), 10))
}

// metaRequest verifies a signed request and its age.
func (rc *Receiver) metaRequest(signed string) (SignedRequest, error) {
	sr, err := ParseSignedRequest(signed, rc.o.MetaAppSecrets...)
	if errors.Is(err, ErrNotConfigured) {
		return sr, fmt.Errorf("no Meta app secret (HERALD_META_APP_SECRET): %w", ErrNotConfigured)
	}
	if err != nil {
		return sr, err
	}
	now := rc.o.Now()
	switch age := now.Sub(sr.IssuedAt); {
	case age > rc.o.MetaMaxAge:
		return sr, invalid("meta", CodeExpired, "signed_request was issued %s ago, more than %s", age.Round(time.Second), rc.o.MetaMaxAge)
	case age < -5*time.Minute:
		return sr, invalid("meta", CodeInvalidRequest, "signed_request is issued in the future")
	}
	return sr, nil
}

// GoogleRISC handles a security event token from Google's Cross-Account
// Protection: tokens-revoked, sessions-revoked and account-disabled
// disconnect the YouTube accounts of the Google account, account-purged
// erases them. The verification event and event types Herald does not
// act on are logged and acknowledged.
func (rc *Receiver) GoogleRISC(ctx context.Context, token string) error {
	if rc.o.RISC == nil {
		return rc.refuse(ctx, "google", "", fmt.Errorf("no RISC audience (HERALD_GOOGLE_RISC_AUDIENCE or HERALD_GOOGLE_CLIENT_ID): %w", ErrNotConfigured))
	}
	se, err := rc.o.RISC.Verify(ctx, token)
	if err != nil {
		return rc.refuse(ctx, "google", "", err)
	}
	for _, ev := range se.Events {
		n := notice{source: "google", reason: "google risc " + ev.ShortType()}
		switch ev.Type {
		case RISCTokensRevoked, OAuthTokensRevoked, RISCSessionsRevoked, RISCAccountDisabled:
			n.action = ActionDisconnect
		case RISCAccountPurged:
			n.action = ActionErase
		case RISCVerification:
			rc.record(ctx, notice{source: "google"}, outcomeVerification, nil, nil)
			continue
		default:
			n.reason = "google risc ignored " + ev.ShortType()
			if len(n.reason) > 80 {
				n.reason = n.reason[:80]
			}
			rc.record(ctx, n, outcomeIgnored, nil, nil)
			continue
		}
		if ev.SubjectType != subjectTypeIssuerSub || ev.Subject == "" || len(ev.Subject) > tokens.MaxPlatformUserID {
			rc.record(ctx, n, outcomeIgnored, nil, fmt.Errorf("subject type %s, Herald maps iss-sub only", quote(ev.SubjectType)))
			continue
		}
		n.userID = ev.Subject
		n.digest = digest(se.ID, ev.Type)
		if _, err := rc.act(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// TikTok handles a TikTok webhook: authorization.removed disconnects the
// TikTok accounts of that open_id, and erases them when the reason is
// that the TikTok account was deleted (as Google's account-purged does);
// other events are acknowledged.
func (rc *Receiver) TikTok(ctx context.Context, signature string, body []byte) error {
	ev, err := ParseTikTokWebhook(signature, body, rc.o.TikTokClientSecret, rc.o.Now(), rc.o.TikTokTolerance)
	if errors.Is(err, ErrNotConfigured) {
		err = fmt.Errorf("no TikTok client secret (HERALD_TIKTOK_CLIENT_SECRET): %w", ErrNotConfigured)
	}
	if err == nil && rc.o.TikTokClientKey != "" && ev.ClientKey != rc.o.TikTokClientKey {
		err = invalid("tiktok", CodeInvalidRequest, "the webhook is for another app (client_key)")
	}
	if err != nil {
		return rc.refuse(ctx, "tiktok", "", err)
	}
	if ev.Event == TikTokPostPubliclyAvailable && rc.o.OnTikTokPostPublic != nil {
		return rc.tiktokPostPublic(ctx, ev, body)
	}
	if ev.Event != TikTokAuthorizationRemoved {
		rc.record(ctx, notice{source: "tiktok", reason: "tiktok " + quote(ev.Event)}, outcomeIgnored, nil, nil)
		return nil
	}
	action, reason := ActionDisconnect, "tiktok authorization.removed"
	if ev.Reason == TikTokReasonAccountDeleted {
		action, reason = ActionErase, "tiktok authorization.removed (account deleted)"
	}
	_, err = rc.act(ctx, notice{
		source: "tiktok", action: action, userID: ev.UserOpenID,
		reason: reason, digest: digest(string(body)),
	})
	return err
}
