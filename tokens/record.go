package tokens

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Status is the state of an account's connection.
type Status string

// Statuses of an account.
const (
	// StatusActive: the token may be used.
	StatusActive Status = "active"
	// StatusReauthRequired: the token can no longer be renewed (the
	// platform refused the refresh token, or it expired and has none);
	// the user must connect the account again.
	StatusReauthRequired Status = "reauth_required"
	// StatusRevoking: disconnected; the token is unreadable to publish
	// jobs and waits for the revoke job.
	StatusRevoking Status = "revoking"
	// StatusDisconnected: disconnected and revoked; only the tombstone is
	// left.
	StatusDisconnected Status = "disconnected"
)

// Redis keys. Every key of an account shares the hash tag {acct:ID}, so
// the scripts that touch several of them run on Redis Cluster.
func tokenKey(account string) string  { return "herald:{acct:" + account + "}:token" }
func revokeKey(account string) string { return "herald:{acct:" + account + "}:revoke" }
func lockKey(account string) string   { return "herald:{acct:" + account + "}:refresh-lock" }

// accountsKey indexes every account the Vault holds, for rotation and
// the analytics sweep.
const accountsKey = "herald:accounts"

// recordFormat is the version of the sealed record format; it is part of
// the additional data, so a record of another format never opens as this
// one.
const recordFormat = "1"

// secrets is what a record seals: everything a thief could use.
type secrets struct {
	AccessToken  string         `json:"access_token"`
	RefreshToken string         `json:"refresh_token,omitempty"`
	TokenType    string         `json:"token_type,omitempty"`
	Extra        map[string]any `json:"extra,omitempty"`
}

// record is an account's token record as stored (a Redis hash).
type record struct {
	Account        string
	Platform       string
	PlatformUserID string
	// LoginUserID is kept so a reconnect can tell whether the same
	// user granted the new token (replace.go).
	LoginUserID   string
	Scopes        []string
	ScopesGranted bool
	Organizations []string
	Expiry        time.Time
	Version       int64
	Rev           string // changes on every write that must defeat older CAS
	Status        Status
	KeyID         string
	Sealed        []byte
	UpdatedAt     time.Time
}

func additionalData(account, platform string) []byte {
	return []byte("herald-token|" + recordFormat + "|" + account + "|" + platform)
}

func (r *record) seal(k *Keyring, tok *oauth2.Token) {
	s := secrets{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType}
	// Extras kept: the OpenID id_token, and "login", how the account
	// was connected where a platform has several (Instagram: its host
	// and refresh grant follow it).
	for _, k := range []string{"id_token", "login"} {
		if v, ok := tok.Extra(k).(string); ok && v != "" {
			if s.Extra == nil {
				s.Extra = map[string]any{}
			}
			s.Extra[k] = v
		}
	}
	pt, _ := json.Marshal(s)
	r.KeyID, r.Sealed = k.seal(additionalData(r.Account, r.Platform), pt)
	r.Expiry = tok.Expiry
}

func (r *record) open(k *Keyring) (*oauth2.Token, error) {
	pt, err := k.open(r.KeyID, additionalData(r.Account, r.Platform), r.Sealed)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", r.Account, err)
	}
	var s secrets
	if err := json.Unmarshal(pt, &s); err != nil {
		return nil, fmt.Errorf("account %s: %w", r.Account, ErrCorrupt)
	}
	tok := &oauth2.Token{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, TokenType: s.TokenType, Expiry: r.Expiry}
	if len(s.Extra) > 0 {
		tok = tok.WithExtra(s.Extra)
	}
	return tok, nil
}

// fields returns the record as HSET arguments.
func (r *record) fields() []any {
	return []any{
		"v", recordFormat,
		"platform", r.Platform,
		"platform_user_id", r.PlatformUserID,
		"scopes", strings.Join(r.Scopes, " "),
		"scopes_granted", flag(r.ScopesGranted),
		"organizations", strings.Join(r.Organizations, " "),
		"login_user_id", r.LoginUserID,
		"expiry", msOrEmpty(r.Expiry),
		"rev", r.Rev,
		"status", string(r.Status),
		"kid", r.KeyID,
		"sealed", r.Sealed,
		"updated_at", msOrEmpty(r.UpdatedAt),
	}
}

var errNoRecord = errors.New("no record")

// decodeRecord reads a record from its hash. It checks the shape only;
// opening the sealed part is separate.
func decodeRecord(account string, h map[string]string) (*record, error) {
	if len(h) == 0 {
		return nil, errNoRecord
	}
	if v := h["v"]; v != recordFormat {
		return nil, fmt.Errorf("account %s: record format %q, want %s: %w", account, v, recordFormat, ErrCorrupt)
	}
	r := &record{
		Account:        account,
		Platform:       h["platform"],
		PlatformUserID: h["platform_user_id"],
		Rev:            h["rev"],
		Status:         Status(h["status"]),
		KeyID:          h["kid"],
		Sealed:         []byte(h["sealed"]),
	}
	if s := h["scopes"]; s != "" {
		r.Scopes = strings.Fields(s)
	}
	r.ScopesGranted = h["scopes_granted"] == "1"
	r.Organizations = strings.Fields(h["organizations"])
	r.LoginUserID = h["login_user_id"]
	var err error
	if r.Expiry, err = parseMs(h["expiry"]); err != nil {
		return nil, fmt.Errorf("account %s: expiry: %w", account, ErrCorrupt)
	}
	if r.UpdatedAt, err = parseMs(h["updated_at"]); err != nil {
		return nil, fmt.Errorf("account %s: updated_at: %w", account, ErrCorrupt)
	}
	if h["version"] != "" {
		if r.Version, err = strconv.ParseInt(h["version"], 10, 64); err != nil {
			return nil, fmt.Errorf("account %s: version: %w", account, ErrCorrupt)
		}
	}
	switch r.Status {
	case StatusActive, StatusReauthRequired, StatusRevoking, StatusDisconnected:
	default:
		return nil, fmt.Errorf("account %s: status %q: %w", account, r.Status, ErrCorrupt)
	}
	return r, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func msOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func parseMs(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}
