package deauth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
	"github.com/heraldhq/herald/internal/metrics/metricstest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

func TestMetaDeauthorizeDisconnectsEveryAccountOfTheUser(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// One Facebook login manages two Instagram business accounts.
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	f.connect("ig-2", "instagram", "17841400000000002", "fb-user-1")
	f.connect("ig-other", "instagram", "17841400000000003", "fb-user-2")
	f.schedule("post-1", "ig-1", "instagram")
	f.schedule("post-other", "ig-other", "instagram")

	if err := f.rc.MetaDeauthorize(ctx, f.signedRequest("fb-user-1", time.Now())); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ig-1", "ig-2"} {
		if st := f.status(id); st != tokens.StatusRevoking {
			t.Errorf("%s is %s, want revoking (disconnected, revocation queued)", id, st)
		}
		if _, err := f.vault.Token(ctx, id, ""); !errors.Is(err, tokens.ErrNotConnected) {
			t.Errorf("%s still hands out a token: %v", id, err)
		}
	}
	if st, _ := f.client.PostStatus(ctx, "post-1"); st.State != jobs.StateCanceled {
		t.Errorf("the pending post of a deauthorized account is %s, want canceled", st.State)
	}
	if st := f.status("ig-other"); st != tokens.StatusActive {
		t.Errorf("another user's account is %s", st)
	}
	if st, _ := f.client.PostStatus(ctx, "post-other"); st.State != jobs.StateScheduled {
		t.Errorf("another user's post is %s", st.State)
	}
	// The revoke job runs; the account is then disconnected for good.
	if _, err := f.vault.Revoke(ctx, "ig-1", true); err != nil {
		t.Fatal(err)
	}
	if st := f.status("ig-1"); st != tokens.StatusDisconnected {
		t.Errorf("after the revoke job: %s", st)
	}
	want := []deauth.Event{
		{AccountID: "ig-1", Platform: "instagram", Reason: "meta deauthorize", Action: "disconnect"},
		{AccountID: "ig-2", Platform: "instagram", Reason: "meta deauthorize", Action: "disconnect"},
	}
	if got := f.heard(); !slices.Equal(got, want) {
		t.Errorf("OnEvent heard %+v, want %+v", got, want)
	}
	if n := f.count("meta", "disconnect", "done"); n != 1 {
		t.Errorf("done counted %d", n)
	}
	f.metricsLint()
}

func TestReplayedNoticesActOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	f.connect("yt-1", "youtube", "UC-1", "google-sub-1")
	f.connect("tt-1", "tiktok", "open-id-1", "")
	sr := f.signedRequest("fb-user-1", time.Now())
	set := f.google.SET(deauth.RISCTokensRevoked, "google-sub-1")
	body := deauthtest.TikTokBody(tiktokKey, "open-id-1", 1, time.Now())
	for i := range 3 {
		if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
			t.Fatalf("meta, delivery %d: %v", i+1, err)
		}
		if err := f.rc.GoogleRISC(ctx, set); err != nil {
			t.Fatalf("google, delivery %d: %v", i+1, err)
		}
		// TikTok signs each retry anew; the body is the same.
		if err := f.tiktok(ctx, body, time.Now().Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("tiktok, delivery %d: %v", i+1, err)
		}
	}
	if got := f.heard(); len(got) != 3 {
		t.Errorf("three notices delivered three times each made %d events: %+v", len(got), got)
	}
	for _, c := range [][3]string{{"meta", "disconnect", "done"}, {"google", "disconnect", "done"}, {"tiktok", "disconnect", "done"}} {
		if n := f.count(c[0], c[1], c[2]); n != 1 {
			t.Errorf("%v counted %d, want 1", c, n)
		}
		if n := f.count(c[0], c[1], "duplicate"); n != 2 {
			t.Errorf("%s duplicates counted %d, want 2", c[0], n)
		}
	}
	// A reconnect later is not undone by the old notice repeated.
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
		t.Fatal(err)
	}
	if st := f.status("ig-1"); st != tokens.StatusActive {
		t.Errorf("a replayed notice disconnected the reconnected account: %s", st)
	}
}

func TestConcurrentDeliveriesActOnce(t *testing.T) {
	f := newFixture(t)
	f.connect("yt-1", "youtube", "UC-1", "google-sub-1")
	set := f.google.SET(deauth.RISCAccountDisabled, "google-sub-1")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = f.rc.GoogleRISC(context.Background(), set) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, deauth.ErrInProgress) {
			t.Errorf("a concurrent delivery failed: %v", err)
		}
	}
	if got := f.heard(); len(got) != 1 {
		t.Errorf("8 concurrent deliveries made %d events", len(got))
	}
	// A delivery that met one in progress is answered "try again"; the
	// retry finds the notice handled.
	if err := f.rc.GoogleRISC(context.Background(), set); err != nil {
		t.Errorf("the retry: %v", err)
	}
}

func TestMetaDataDeletionLeavesNothingOfTheAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-gone", "instagram", "17841400000000001", "fb-user-gone")
	f.connect("ig-stays", "instagram", "17841400000000002", "fb-user-stays")
	f.schedule("post-gone", "ig-gone", "instagram")
	f.schedule("post-stays", "ig-stays", "instagram")
	// The connects appended account.connected events (jobs.VaultHooks):
	// the stream names the account too.
	before := f.db.Dump(t)

	sr := f.signedRequest("fb-user-gone", time.Now())
	d, err := f.rc.MetaDataDeletion(ctx, sr)
	if err != nil {
		t.Fatal(err)
	}
	if !deauth.ValidCode(d.ConfirmationCode) || d.URL != publicURL+"/v1/callbacks/meta/data-deletion/"+d.ConfirmationCode {
		t.Errorf("answer %+v", d)
	}
	after := f.db.Dump(t)
	for k, v := range after {
		for _, s := range []string{"ig-gone", "post-gone", "17841400000000001", "fb-user-gone", "ACCESS-ig-gone"} {
			if strings.Contains(k, s) || strings.Contains(v, s) {
				t.Errorf("after the deletion request, %s still holds %q: %.300s", k, s, v)
			}
		}
	}
	for k, v := range before {
		if strings.Contains(k, "stays") && after[k] != v {
			t.Errorf("the deletion request changed another account's %s", k)
		}
	}
	st, err := f.rc.Status(ctx, d.ConfirmationCode)
	if err != nil || st.State != deauth.DeletionCompleted || st.CompletedAt.IsZero() || st.RequestedAt.IsZero() {
		t.Errorf("status %+v, %v", st, err)
	}
	if got := f.heard(); len(got) != 1 || got[0].AccountID != "ig-gone" || got[0].Action != "erase" || got[0].Reason != "meta data deletion" {
		t.Errorf("OnEvent heard %+v", got)
	}

	// Meta sends it again: the same code, nothing done twice.
	again, err := f.rc.MetaDataDeletion(ctx, sr)
	if err != nil || again != d {
		t.Errorf("repeated request answered %+v, %v; want %+v", again, err, d)
	}
	if n := f.count("meta", "erase", "duplicate"); n != 1 {
		t.Errorf("duplicate counted %d", n)
	}
	if _, err := f.rc.Status(ctx, "0123456789abcdef0123456789abcdef"); !errors.Is(err, deauth.ErrNotFound) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := f.rc.Status(ctx, "../../etc"); !errors.Is(err, deauth.ErrNotFound) {
		t.Errorf("malformed code: %v", err)
	}
}

func TestMetaDataDeletionOfAnUnknownUserCompletes(t *testing.T) {
	f := newFixture(t)
	d, err := f.rc.MetaDataDeletion(context.Background(), f.signedRequest("fb-user-never", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.rc.Status(context.Background(), d.ConfirmationCode); err != nil || st.State != deauth.DeletionCompleted {
		t.Errorf("status %+v, %v", st, err)
	}
	if n := f.count("meta", "erase", "no_account"); n != 1 {
		t.Errorf("no_account counted %d", n)
	}
}

func TestBadMetaRequestsAreRefusedAndDoNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	for name, sr := range map[string]string{
		"expired":     f.signedRequest("fb-user-1", time.Now().Add(-25*time.Hour)),
		"future":      f.signedRequest("fb-user-1", time.Now().Add(time.Hour)),
		"forged":      deauthtest.SignedRequest("guessed-secret", deauthtest.MetaPayload("fb-user-1", time.Now())),
		"malformed":   "eyJ.hello",
		"not a token": "",
	} {
		if err := f.rc.MetaDeauthorize(ctx, sr); !errors.Is(err, deauth.ErrInvalid) {
			t.Errorf("%s: deauthorize %v, want ErrInvalid", name, err)
		}
		if _, err := f.rc.MetaDataDeletion(ctx, sr); !errors.Is(err, deauth.ErrInvalid) {
			t.Errorf("%s: data deletion %v, want ErrInvalid", name, err)
		}
	}
	if st := f.status("ig-1"); st != tokens.StatusActive {
		t.Errorf("a refused request touched the account: %s", st)
	}
	if n := f.count("meta", "disconnect", "rejected"); n != 5 {
		t.Errorf("rejections counted %d, want 5", n)
	}
	if len(f.heard()) != 0 {
		t.Errorf("refused requests made events: %+v", f.heard())
	}
}

func TestGoogleRISCEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("yt-a", "youtube", "UC-a", "google-sub-1")
	f.connect("yt-b", "youtube", "UC-b", "google-sub-1")
	f.connect("yt-purged", "youtube", "UC-p", "google-sub-2")
	f.schedule("post-a", "yt-a", "youtube")

	if err := f.rc.GoogleRISC(ctx, f.google.SET(deauth.OAuthTokensRevoked, "google-sub-1")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"yt-a", "yt-b"} {
		if st := f.status(id); st != tokens.StatusRevoking {
			t.Errorf("%s is %s after tokens-revoked", id, st)
		}
	}
	if st, _ := f.client.PostStatus(ctx, "post-a"); st.State != jobs.StateCanceled {
		t.Errorf("post of a revoked account: %s", st.State)
	}
	if err := f.rc.GoogleRISC(ctx, f.google.SET(deauth.RISCAccountPurged, "google-sub-2")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.vault.Info(ctx, "yt-purged"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("a purged account is still known: %v", err)
	}
	for k, v := range f.db.Dump(t) {
		if strings.Contains(k, "yt-purged") || strings.Contains(v, "yt-purged") || strings.Contains(k, "google-sub-2") {
			t.Errorf("after account-purged, %s still names the account", k)
		}
	}
	// Verification and types Herald does not act on: acknowledged.
	if err := f.rc.GoogleRISC(ctx, f.google.SET(deauth.RISCVerification, "")); err != nil {
		t.Errorf("verification: %v", err)
	}
	enabled := "https://schemas.openid.net/secevent/risc/event-type/account-enabled"
	if err := f.rc.GoogleRISC(ctx, f.google.SET(enabled, "google-sub-1")); err != nil {
		t.Errorf("account-enabled: %v", err)
	}
	email := f.google.Claims(deauth.RISCAccountDisabled, "")
	email["events"] = map[string]any{deauth.RISCAccountDisabled: map[string]any{"subject": map[string]any{"subject_type": "email", "email": "someone@example.com"}}}
	if err := f.rc.GoogleRISC(ctx, f.google.Sign(email)); err != nil {
		t.Errorf("subject by email: %v", err)
	}
	reasons := []string{}
	for _, e := range f.heard() {
		reasons = append(reasons, e.AccountID+" "+e.Action+" "+e.Reason)
	}
	want := []string{
		"yt-a disconnect google risc tokens-revoked", "yt-b disconnect google risc tokens-revoked",
		"yt-purged erase google risc account-purged",
	}
	if !slices.Equal(reasons, want) {
		t.Errorf("events %v, want %v", reasons, want)
	}
	if n := f.count("google", "none", "verification"); n != 1 {
		t.Errorf("verification counted %d", n)
	}
	if n := f.count("google", "none", "ignored"); n != 1 {
		t.Errorf("unknown type counted %d", n)
	}
	if n := f.count("google", "disconnect", "ignored"); n != 1 {
		t.Errorf("unmapped subject counted %d", n)
	}
	if !strings.Contains(f.logs.String(), "account-enabled") {
		t.Error("an unknown event type was not logged")
	}
	if strings.Contains(f.logs.String(), "someone@example.com") {
		t.Error("the logs hold an email address")
	}
}

func TestBadSecurityEventTokensAreRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("yt-1", "youtube", "UC-1", "google-sub-1")
	old := f.google.Claims(deauth.RISCTokensRevoked, "google-sub-1")
	old["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	for name, tok := range map[string]string{
		"forged":    f.google.Forge(f.google.Claims(deauth.RISCTokensRevoked, "google-sub-1")),
		"expired":   f.google.Sign(old),
		"malformed": "a.b.c",
	} {
		if err := f.rc.GoogleRISC(ctx, tok); !errors.Is(err, deauth.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if st := f.status("yt-1"); st != tokens.StatusActive {
		t.Errorf("a refused token touched the account: %s", st)
	}
	if n := f.count("google", "none", "rejected"); n != 3 {
		t.Errorf("rejections counted %d", n)
	}
}

func TestTikTokAuthorizationRemoved(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("tt-1", "tiktok", "open-id-1", "")
	now := time.Now()
	other := deauthtest.TikTokBody("another-app", "open-id-1", 1, now)
	if err := f.tiktok(ctx, other, now); !errors.Is(err, deauth.ErrInvalid) {
		t.Errorf("another app's client_key: %v", err)
	}
	body := deauthtest.TikTokBody(tiktokKey, "open-id-1", 1, now)
	if err := f.tiktok(ctx, body, now.Add(-time.Hour)); !errors.Is(err, deauth.ErrInvalid) {
		t.Errorf("an hour-old signature: %v", err)
	}
	if st := f.status("tt-1"); st != tokens.StatusActive {
		t.Fatalf("refused webhooks touched the account: %s", st)
	}
	video := []byte(`{"client_key":"` + tiktokKey + `","event":"video.publish.completed","create_time":1,"user_openid":"open-id-1","content":"{}"}`)
	if err := f.tiktok(ctx, video, now); err != nil {
		t.Errorf("another event type: %v", err)
	}
	if err := f.tiktok(ctx, body, now); err != nil {
		t.Fatal(err)
	}
	if st := f.status("tt-1"); st != tokens.StatusRevoking {
		t.Errorf("after authorization.removed: %s", st)
	}
	if got := f.heard(); len(got) != 1 || got[0].Reason != "tiktok authorization.removed" || got[0].Platform != "tiktok" {
		t.Errorf("events %+v", got)
	}
	if n := f.count("tiktok", "none", "ignored"); n != 1 {
		t.Errorf("other event counted %d", n)
	}

	// A deleted TikTok account is erased, as Google's account-purged is.
	f.connect("tt-2", "tiktok", "open-id-2", "")
	deleted := deauthtest.TikTokBody(tiktokKey, "open-id-2", deauth.TikTokReasonAccountDeleted, now)
	if err := f.tiktok(ctx, deleted, now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.vault.Info(ctx, "tt-2"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("after a deleted account's authorization.removed: %v, want it erased", err)
	}
	if n := f.count("tiktok", "erase", "done"); n != 1 {
		t.Errorf("erase counted %d", n)
	}
}

func TestUnconfiguredSourcesSaySo(t *testing.T) {
	f := newFixture(t, func(o *deauth.Options) {
		o.MetaAppSecrets, o.RISC, o.TikTokClientSecret = nil, nil, ""
	})
	ctx := context.Background()
	sr := f.signedRequest("fb-user-1", time.Now())
	if err := f.rc.MetaDeauthorize(ctx, sr); !errors.Is(err, deauth.ErrNotConfigured) {
		t.Errorf("meta: %v", err)
	}
	if err := f.rc.GoogleRISC(ctx, f.google.SET(deauth.RISCTokensRevoked, "s")); !errors.Is(err, deauth.ErrNotConfigured) {
		t.Errorf("google: %v", err)
	}
	body := deauthtest.TikTokBody(tiktokKey, "open-id-1", 1, time.Now())
	if err := f.tiktok(ctx, body, time.Now()); !errors.Is(err, deauth.ErrNotConfigured) {
		t.Errorf("tiktok: %v", err)
	}
	noURL := newFixture(t, func(o *deauth.Options) { o.PublicURL = "" })
	_, err := noURL.rc.MetaDataDeletion(ctx, sr)
	if !errors.Is(err, deauth.ErrNotConfigured) || !strings.Contains(err.Error(), "HERALD_PUBLIC_URL") {
		t.Errorf("data deletion without a public URL: %v", err)
	}
	if n := noURL.count("meta", "erase", "unconfigured"); n != 1 {
		t.Errorf("unconfigured counted %d", n)
	}
}

func TestAFailedActionIsRedoneByTheNextDelivery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	f.schedule("post-1", "ig-1", "instagram")
	sr := f.signedRequest("fb-user-1", time.Now())
	f.failDisconnects.Store(1)
	err := f.rc.MetaDeauthorize(ctx, sr)
	if err == nil || errors.Is(err, deauth.ErrInvalid) || deauth.StatusFor(err) != 500 {
		t.Fatalf("a failed disconnect answered %v", err)
	}
	if n := f.count("meta", "disconnect", "failed"); n != 1 {
		t.Errorf("failure counted %d", n)
	}
	// Meta delivers again: the notice was not marked handled.
	if err := f.rc.MetaDeauthorize(ctx, sr); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.client.PostStatus(ctx, "post-1"); st.State != jobs.StateCanceled {
		t.Errorf("after the retry the post is %s", st.State)
	}
	if got := f.heard(); len(got) != 1 {
		t.Errorf("events %+v", got)
	}
}

func TestAFailedDeletionIsRedoneByTheNextDelivery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	f.failDisconnects.Store(1)
	sr := f.signedRequest("fb-user-1", time.Now())
	if _, err := f.rc.MetaDataDeletion(ctx, sr); err == nil {
		t.Fatal("a failed erase answered success")
	}
	d, err := f.rc.MetaDataDeletion(ctx, sr)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.rc.Status(ctx, d.ConfirmationCode); err != nil || st.State != deauth.DeletionCompleted {
		t.Errorf("status after the retry %+v, %v", st, err)
	}
	if _, err := f.vault.Info(ctx, "ig-1"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("account after the retried erase: %v", err)
	}
}

func TestCallerHangingUpDoesNotStopTheWork(t *testing.T) {
	f := newFixture(t)
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.rc.MetaDeauthorize(gone, f.signedRequest("fb-user-1", time.Now())); err != nil {
		t.Fatalf("a canceled caller context stopped the work: %v", err)
	}
	if st := f.status("ig-1"); st != tokens.StatusRevoking {
		t.Errorf("status %s", st)
	}
}

// TestNoticeMetricsPassPromtool: the notices counter, as a process serves
// it, passes `promtool check metrics`.
func TestNoticeMetricsPassPromtool(t *testing.T) {
	promtool := metricstest.Promtool(t)
	f := newFixture(t)
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	if err := f.rc.MetaDeauthorize(context.Background(), f.signedRequest("fb-user-1", time.Now())); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(promhttp.HandlerFor(f.reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	exposition := metricstest.Scrape(t, srv.URL)
	if !strings.Contains(exposition, "herald_deauth_notices_total") {
		t.Fatalf("no notices counter in\n%s", exposition)
	}
	metricstest.CheckMetrics(t, promtool, exposition)
}

// The platform a notice's user ids name comes from Options.Platforms
// (cmd/herald derives it from the platforms' descriptors): a source
// with none there acts on no account and says it is not configured.
func TestNoticesActOnThePlatformTheyAreMappedTo(t *testing.T) {
	f := newFixture(t, func(o *deauth.Options) {
		o.Platforms = map[string]string{deauth.SourceMeta: "instagram"}
	})
	ctx := context.Background()
	f.connect("ig-1", "instagram", "17841400000000001", "fb-user-1")
	f.connect("tt-1", "tiktok", "open-id-1", "")
	if err := f.rc.MetaDeauthorize(ctx, f.signedRequest("fb-user-1", time.Now())); err != nil {
		t.Fatal(err)
	}
	if st := f.status("ig-1"); st != tokens.StatusRevoking {
		t.Errorf("ig-1 is %s, want revoking", st)
	}
	body := deauthtest.TikTokBody(tiktokKey, "open-id-1", 1, time.Now())
	if err := f.tiktok(ctx, body, time.Now()); !errors.Is(err, deauth.ErrNotConfigured) {
		t.Errorf("tiktok without a platform: %v, want ErrNotConfigured", err)
	}
	if st := f.status("tt-1"); st != tokens.StatusActive {
		t.Errorf("tt-1 is %s, want active", st)
	}
	if n := f.count("tiktok", "disconnect", "unconfigured"); n != 1 {
		t.Errorf("unconfigured tiktok notices counted %d, want 1", n)
	}
}
