package deauth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/redis/go-redis/v9"
)

// DeletionState is the progress of a data deletion request.
type DeletionState string

// States of a data deletion request.
const (
	DeletionPending   DeletionState = "pending"
	DeletionCompleted DeletionState = "completed"
	DeletionFailed    DeletionState = "failed"
)

// DeletionStatus is what the status URL shows: the progress of one data
// deletion request, by its confirmation code, and nothing about whose it
// was.
type DeletionStatus struct {
	ConfirmationCode string        `json:"confirmation_code"`
	State            DeletionState `json:"status"`
	Message          string        `json:"message"`
	RequestedAt      time.Time     `json:"requested_at"`
	CompletedAt      time.Time     `json:"completed_at,omitzero"`
}

// StatusTTL is how long a data deletion request's status stays readable.
const StatusTTL = 90 * 24 * time.Hour

// statusKey holds a request's status: state and times, no account, no
// user id. Its own hash tag: it belongs to no account.
func statusKey(code string) string { return "herald:{deletion:" + code + "}" }

var codePattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidCode reports whether code has the shape of a confirmation code.
func ValidCode(code string) bool { return codePattern.MatchString(code) }

func newCode() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (rc *Receiver) putStatus(ctx context.Context, code string, state DeletionState, requested, completed time.Time) error {
	fields := []any{"state", string(state), "requested_at", requested.UnixMilli()}
	if !completed.IsZero() {
		fields = append(fields, "completed_at", completed.UnixMilli())
	}
	pipe := rc.o.Redis.TxPipeline()
	pipe.HSet(ctx, statusKey(code), fields...)
	pipe.PExpire(ctx, statusKey(code), StatusTTL)
	_, err := pipe.Exec(ctx)
	return err
}

// Status returns the status of the data deletion request with the
// confirmation code, or ErrNotFound.
func (rc *Receiver) Status(ctx context.Context, code string) (DeletionStatus, error) {
	if !ValidCode(code) {
		return DeletionStatus{}, ErrNotFound
	}
	h, err := rc.o.Redis.HGetAll(ctx, statusKey(code)).Result()
	if err != nil {
		return DeletionStatus{}, fmt.Errorf("deletion status: %w", err)
	}
	if len(h) == 0 {
		return DeletionStatus{}, ErrNotFound
	}
	st := DeletionStatus{ConfirmationCode: code, State: DeletionState(h["state"])}
	st.RequestedAt, err = millis(h["requested_at"])
	if err == nil && h["completed_at"] != "" {
		st.CompletedAt, err = millis(h["completed_at"])
	}
	if err != nil {
		return DeletionStatus{}, fmt.Errorf("deletion status %s: %w", code, err)
	}
	switch st.State {
	case DeletionPending:
		st.Message = "Your request to delete your data is being carried out."
	case DeletionCompleted:
		st.Message = "Your data was deleted: nothing about the accounts you connected is kept any longer."
	case DeletionFailed:
		st.Message = "Deleting your data did not complete; it is carried out again when the request is repeated, and the operator has been alerted."
	default:
		return DeletionStatus{}, fmt.Errorf("deletion status %s: state %q", code, st.State)
	}
	return st, nil
}

func millis(s string) (time.Time, error) {
	var ms int64
	if _, err := fmt.Sscan(s, &ms); err != nil {
		return time.Time{}, errors.New("bad time")
	}
	return time.UnixMilli(ms).UTC(), nil
}

// claimKey marks one notice as seen. Its name is a digest of the notice,
// never an id in clear.
func claimKey(source, digest string) string { return "herald:{deauth:" + source + ":" + digest + "}" }

// Claim values: "pending:<code>" while a notice is handled, "done:<code>"
// after (the code is empty but for data deletion requests).
const (
	claimPending = "pending:"
	claimDone    = "done:"
)

// claim takes the notice for this process: true when it is new. When it
// is not, the claim's value says whether the first is still at work and
// which confirmation code it gave. The pending claim lasts claimLease, so
// a process that dies halfway does not make the notice look handled.
func (rc *Receiver) claim(ctx context.Context, key, code string) (first bool, value string, err error) {
	for range 3 {
		ok, err := rc.o.Redis.SetNX(ctx, key, claimPending+code, claimLease).Result()
		if err != nil || ok {
			return ok, "", err
		}
		value, err = rc.o.Redis.Get(ctx, key).Result()
		if !errors.Is(err, redis.Nil) {
			return false, value, err
		}
		// Released between the two calls: the first failed; try again.
	}
	return false, claimPending + code, nil
}

// finish marks a claimed notice handled, for ClaimTTL.
func (rc *Receiver) finish(ctx context.Context, key, code string) error {
	return rc.o.Redis.Set(ctx, key, claimDone+code, ClaimTTL).Err()
}

// release gives a claim up after a failure, so the sender's retry is
// handled anew.
func (rc *Receiver) release(ctx context.Context, key string) {
	if err := rc.o.Redis.Del(ctx, key).Err(); err != nil {
		rc.o.Logger.Warn("deauth: claim not released; a retry of the notice waits for its lease", "err", err)
	}
}
