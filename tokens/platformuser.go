package tokens

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The platform-user index answers "which Herald accounts belong to this
// user of the platform?", the question a platform's own disconnect
// notice asks (Meta's deauthorize and data deletion callbacks, Google's
// Cross-Account Protection, TikTok's authorization.removed). Several
// accounts may share a platform user: one Facebook login manages several
// Instagram business accounts; one Google account, several channels.
//
// Each account is indexed under its PlatformUserID and its LoginUserID:
//
//	herald:{platform-user:<platform>:<id>}  set of account ids
//	herald:{acct:<ID>}:platform-users       set of "<platform>:<id>" the account is indexed under
//
// The second set is always a superset of the account's entries in the
// first (it is written before them and cleaned after them), so Erase
// finds every entry even after a crash halfway through Connect.
// Disconnect keeps the entries: a data deletion request may come after a
// disconnect and must still find the account.

func platformUserKey(platform, id string) string {
	return "herald:{platform-user:" + platform + ":" + id + "}"
}

func platformUsersKey(account string) string { return "herald:{acct:" + account + "}:platform-users" }

// MaxPlatformUserID bounds PlatformUserID and LoginUserID, which become
// parts of key names.
const MaxPlatformUserID = 256

// platformUsers returns the index entries a should have, "<platform>:<id>".
func (a Account) platformUsers() []string {
	var out []string
	for _, id := range []string{a.PlatformUserID, a.LoginUserID} {
		if id != "" && !slices.Contains(out, a.Platform+":"+id) {
			out = append(out, a.Platform+":"+id)
		}
	}
	return out
}

func entryKey(entry string) string {
	platform, id, _ := strings.Cut(entry, ":")
	return platformUserKey(platform, id)
}

// indexPlatformUsers adds a to the index under its ids and returns the
// entries of an earlier connection that a no longer has; Connect drops
// them with unindexStale once the new record is written, so a failed
// Connect leaves the old record findable.
func (v *Vault) indexPlatformUsers(ctx context.Context, a Account) (stale []string, err error) {
	want := a.platformUsers()
	had, err := v.rdb.SMembers(ctx, platformUsersKey(a.ID)).Result()
	if err != nil {
		return nil, err
	}
	if len(want) > 0 {
		if err := v.rdb.SAdd(ctx, platformUsersKey(a.ID), toAny(want)...).Err(); err != nil {
			return nil, err
		}
	}
	for _, e := range want {
		if err := v.rdb.SAdd(ctx, entryKey(e), a.ID).Err(); err != nil {
			return nil, err
		}
	}
	for _, e := range had {
		if !slices.Contains(want, e) {
			stale = append(stale, e)
		}
	}
	return stale, nil
}

// unindex removes account from the index entries given, then from its
// own list of them.
func (v *Vault) unindex(ctx context.Context, account string, entries []string) error {
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		if err := v.rdb.SRem(ctx, entryKey(e), account).Err(); err != nil {
			return err
		}
	}
	return v.rdb.SRem(ctx, platformUsersKey(account), toAny(entries)...).Err()
}

// forgetPlatformUsers removes account from every index entry (Erase) and
// says how many keys it deleted or changed.
func (v *Vault) forgetPlatformUsers(ctx context.Context, account string) (int, error) {
	had, err := v.rdb.SMembers(ctx, platformUsersKey(account)).Result()
	if err != nil {
		return 0, err
	}
	if err := v.unindex(ctx, account, had); err != nil {
		return 0, err
	}
	n, err := v.rdb.Del(ctx, platformUsersKey(account)).Result()
	return len(had) + int(n), err
}

// AccountsOf returns the ids of the accounts of platform connected with
// the platform user id, as PlatformUserID or LoginUserID, sorted; none is
// not an error. Disconnected accounts are included until they are
// erased: a data deletion request must find them.
func (v *Vault) AccountsOf(ctx context.Context, platform, platformUserID string) ([]string, error) {
	if platform == "" || platformUserID == "" || len(platformUserID) > MaxPlatformUserID {
		return nil, &FieldError{Field: "platform_user_id", Problem: fmt.Sprintf("1 to %d characters, with a platform", MaxPlatformUserID)}
	}
	ids, err := v.rdb.SMembers(ctx, platformUserKey(platform, platformUserID)).Result()
	if err != nil {
		return nil, fmt.Errorf("accounts of a %s user: %w", platform, err)
	}
	slices.Sort(ids)
	return ids, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ReindexPlatformUsers adds every stored account to the platform-user
// index under its PlatformUserID, for accounts connected before the index
// existed. It adds and never removes, so it is safe to run at any time
// and more than once. Login user ids were never stored apart from the
// index: those accounts must be connected again to gain one.
func (v *Vault) ReindexPlatformUsers(ctx context.Context) (indexed int, err error) {
	var cursor uint64
	for {
		ids, next, err := v.rdb.SScan(ctx, accountsKey, cursor, "", 500).Result()
		if err != nil {
			return indexed, fmt.Errorf("reindex: %w", err)
		}
		for _, id := range ids {
			f, err := v.rdb.HMGet(ctx, tokenKey(id), "platform", "platform_user_id").Result()
			if err != nil {
				return indexed, fmt.Errorf("reindex %s: %w", id, err)
			}
			platform, _ := f[0].(string)
			puid, _ := f[1].(string)
			if platform == "" || puid == "" {
				continue // erased meanwhile, or no platform user id given
			}
			if _, err := v.indexPlatformUsers(ctx, Account{ID: id, Platform: platform, PlatformUserID: puid}); err != nil {
				return indexed, fmt.Errorf("reindex %s: %w", id, err)
			}
			indexed++
		}
		if cursor = next; cursor == 0 {
			return indexed, nil
		}
	}
}
