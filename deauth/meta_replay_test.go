package deauth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/tokens"
)

// Base64 padding does not change what was signed: a notice posted again
// with '=' added to either part is the same notice, and does nothing.
func TestMetaNoticeWithPaddingAddedIsAReplay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	sr := f.signedRequest("fb-user-1", time.Now())
	if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
		t.Fatal(err)
	}
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	sig, payload, _ := strings.Cut(sr, ".")
	for _, padded := range []string{
		sig + "=." + payload, sig + "==." + payload, sig + "===." + payload, sig + "==========." + payload,
	} {
		if err := f.rc.MetaDeauthorize(ctx, padded); err != nil {
			t.Errorf("%d bytes of padding: %v", len(padded)-len(sr), err)
		}
	}
	if st := f.status("ig-1"); st != tokens.StatusActive {
		t.Errorf("a padded replay disconnected the reconnected account: %s", st)
	}
	if n := f.count("meta", "disconnect", "duplicate"); n != 4 {
		t.Errorf("duplicates counted %d, want 4", n)
	}
}

// A deauthorize notice posted to the data deletion callback is refused:
// it does not turn a disconnect into an erase.
func TestMetaDeauthorizeNoticeIsNotADeletionRequest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	sr := f.signedRequest("fb-user-1", time.Now())
	if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
		t.Fatal(err)
	}
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	sig, payload, _ := strings.Cut(sr, ".")
	for _, replay := range []string{sr, sig + "=." + payload} {
		_, err := f.rc.MetaDataDeletion(ctx, replay)
		var ie *deauth.InvalidError
		if !errors.As(err, &ie) || !strings.Contains(ie.Msg, "deauthorize") {
			t.Errorf("deletion with a deauthorize notice: %v, want an invalid-notice error naming the deauthorize", err)
		}
	}
	if st := f.status("ig-1"); st != tokens.StatusActive {
		t.Errorf("the replay acted on the reconnected account: %s", st)
	}
	if got := f.heard(); len(got) != 1 {
		t.Errorf("events %+v, want the deauthorize's alone", got)
	}
	if n := f.count("meta", "erase", "rejected"); n != 2 {
		t.Errorf("rejected deletions counted %d, want 2", n)
	}
}

// The other way round, a deletion request posted again as a deauthorize
// is a repetition: the account is already erased, nothing more happens.
func TestMetaDeletionRequestRepeatedAsDeauthorizeIsADuplicate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	sr := f.signedRequest("fb-user-1", time.Now())
	if _, err := f.rc.MetaDataDeletion(ctx, sr); err != nil {
		t.Fatal(err)
	}
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
		t.Fatal(err)
	}
	if st := f.status("ig-1"); st != tokens.StatusActive {
		t.Errorf("the repetition disconnected the reconnected account: %s", st)
	}
	if n := f.count("meta", "disconnect", "duplicate"); n != 1 {
		t.Errorf("duplicates counted %d, want 1", n)
	}
}
