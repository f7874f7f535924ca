package deauth_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/logging/logtest"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const (
	metaSecret   = "meta-app-secret-never-logged-7f3a"
	tiktokSecret = "tiktok-client-secret-never-logged-91c2"
	tiktokKey    = "tiktok-client-key"
	clientID     = "1234-test.apps.googleusercontent.com"
	publicURL    = "https://herald.example.com"
	testKeys     = "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

// fixture is one test's Redis, Vault, jobs client, Google issuer and
// Receiver, with what the receiver told its hook, logs and metrics.
type fixture struct {
	t      *testing.T
	db     *redistest.DB
	client *jobs.Client
	vault  *tokens.Vault
	google *deauthtest.Issuer
	rc     *deauth.Receiver
	reg    *prometheus.Registry
	logs   *logtest.Buffer
	now    time.Time

	mu     sync.Mutex
	events []deauth.Event
	// failDisconnects makes that many disconnects fail after the token
	// became unreadable, as a Redis hiccup while canceling posts would.
	failDisconnects atomic.Int32
}

func newFixture(t *testing.T, tweak ...func(*deauth.Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: redistest.New(t), logs: &logtest.Buffer{}, reg: prometheus.NewRegistry(), now: time.Now()}
	logger := slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.client = jobs.NewClient(f.db.Client, jobs.WithMaxRetry(3))
	keys, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	f.vault = tokens.New(f.db.Client, keys, jobs.VaultHooks(f.client, tokens.Options{
		Platforms: map[string]tokens.Platform{"instagram": {}, "youtube": {}, "tiktok": {}},
		Logger:    logger,
		// Runs before jobs' hook, which does not run when it fails.
		OnDisconnect: func(ctx context.Context, account, platform string) error {
			if f.failDisconnects.Add(-1) >= 0 {
				return errors.New("injected failure")
			}
			return nil
		},
	}))
	f.google = deauthtest.NewIssuer(clientID)
	t.Cleanup(f.google.Close)
	risc, err := deauth.NewRISC(deauth.RISCOptions{
		JWKSURL: f.google.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{"other-client", clientID},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := deauth.Options{
		Redis: f.db.Client, Vault: f.vault,
		Platforms:      map[string]string{deauth.SourceMeta: "instagram", deauth.SourceGoogle: "youtube", deauth.SourceTikTok: "tiktok"},
		MetaAppSecrets: []string{metaSecret}, PublicURL: publicURL + "/",
		RISC:               risc,
		TikTokClientSecret: tiktokSecret, TikTokClientKey: tiktokKey,
		OnEvent: func(ctx context.Context, e deauth.Event) {
			f.mu.Lock()
			f.events = append(f.events, e)
			f.mu.Unlock()
			// As cmd/herald will: into the events stream.
			_ = events.NewWriter(f.db.Client, events.WriterOptions{}).Append(ctx, events.Event{Type: events.AccountDeauthorized, AccountID: e.AccountID, Platform: e.Platform, Reason: e.Reason})
		},
		Registerer: f.reg,
		Logger:     logger,
	}
	for _, tw := range tweak {
		tw(&o)
	}
	f.rc, err = deauth.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.checkLogs)
	return f
}

// checkLogs fails the test if a secret or a platform user id reached
// the logs.
func (f *fixture) checkLogs() {
	out := f.logs.String()
	for _, s := range []string{metaSecret, tiktokSecret, "ACCESS-", "fb-user-", "google-sub-", "open-id-"} {
		if strings.Contains(out, s) {
			f.t.Errorf("the logs hold %q:\n%s", s, out)
		}
	}
}

// connect stores an account of platform with the given ids.
func (f *fixture) connect(id, platform, platformUser, loginUser string) {
	f.t.Helper()
	err := f.vault.Connect(context.Background(), tokens.Account{
		ID: id, Platform: platform, PlatformUserID: platformUser, LoginUserID: loginUser,
		Token: &oauth2.Token{AccessToken: "ACCESS-" + id, RefreshToken: "REFRESH-" + id, Expiry: time.Now().Add(time.Hour)},
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// schedule gives account a post due in an hour.
func (f *fixture) schedule(postID, account, platform string) {
	f.t.Helper()
	_, err := f.client.SchedulePost(context.Background(), jobs.Post{
		ID: postID, AccountID: account, Platform: platform, PublishAt: time.Now().Add(time.Hour),
		Content: publishers.Content{Title: "t", Text: "hello", Media: []publishers.Media{{URL: "https://cdn.example.com/a.mp4", Kind: "video"}}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) status(account string) tokens.Status {
	f.t.Helper()
	info, err := f.vault.Info(context.Background(), account)
	if err != nil {
		f.t.Fatalf("Info(%s): %v", account, err)
	}
	return info.Status
}

func (f *fixture) heard() []deauth.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]deauth.Event(nil), f.events...)
}

// count is the value of herald_deauth_notices_total for the labels.
func (f *fixture) count(source, action, outcome string) int {
	f.t.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "herald_deauth_notices_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["source"] == source && l["action"] == action && l["outcome"] == outcome {
				return int(m.GetCounter().GetValue())
			}
		}
	}
	return 0
}

// metricsLint fails the test if the registry's metrics break
// Prometheus's naming rules.
func (f *fixture) metricsLint() {
	f.t.Helper()
	problems, err := testutil.GatherAndLint(f.reg)
	if err != nil || len(problems) > 0 {
		f.t.Errorf("metrics lint: %v %v", problems, err)
	}
}

// tiktok delivers a TikTok webhook body, signed with the app's secret at
// signedAt, to the receiver.
func (f *fixture) tiktok(ctx context.Context, body []byte, signedAt time.Time) error {
	return f.rc.TikTok(ctx, deauthtest.TikTokSignature(tiktokSecret, signedAt, body), body)
}

func (f *fixture) signedRequest(userID string, issued time.Time) string {
	return deauthtest.SignedRequest(metaSecret, deauthtest.MetaPayload(userID, issued))
}
