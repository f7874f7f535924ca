package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// A stored token that no longer opens cannot open on a retry either: the
// post fails at once as reauth, and its reason says why.
func TestUnopenableTokenFailsThePostAsReauth(t *testing.T) {
	tests := []struct {
		name, field, value, reason string
	}{
		{"key removed", "kid", "k-gone", "HERALD_TOKEN_KEYS"},
		{"record corrupted", "sealed", "not a sealed token at all", "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newVaultEnv(t)
			e.connect("acct-1", time.Now().Add(time.Hour))
			if err := e.rdb.HSet(context.Background(), "herald:{acct:acct-1}:token", tt.field, tt.value).Err(); err != nil {
				t.Fatal(err)
			}
			e.startWorker()
			e.schedule(e.post("u1", time.Now()))
			st := e.waitState("u1", jobs.StateFailed, 20*time.Second)
			if st.FailureClass != "reauth" || st.Attempts != 1 {
				t.Errorf("failure %q after %d attempts, want reauth after 1", st.FailureClass, st.Attempts)
			}
			if !strings.Contains(st.Reason, tt.reason) {
				t.Errorf("reason %q does not say %q", st.Reason, tt.reason)
			}
			if n := len(e.sandbox.Calls()); n != 0 {
				t.Errorf("platform called %d times without a token", n)
			}
		})
	}
}
