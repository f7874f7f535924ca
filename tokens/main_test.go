package tokens_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// logs collects every log line the package's Vaults write, so a last
// check can look for leaked tokens.
var logs struct {
	sync.Mutex
	bytes.Buffer
	tokens []string // every token value the tests created
}

type lockedWriter struct{}

func (lockedWriter) Write(p []byte) (int, error) {
	logs.Lock()
	defer logs.Unlock()
	return logs.Buffer.Write(p)
}

func remember(toks ...*oauth2.Token) {
	logs.Lock()
	defer logs.Unlock()
	for _, t := range toks {
		logs.tokens = append(logs.tokens, t.AccessToken, t.RefreshToken)
	}
}

func TestMain(m *testing.M) {
	redistest.Main(&checkLogs{m})
}

// checkLogs runs the tests, then fails the run if any log line holds a
// token value.
type checkLogs struct{ m *testing.M }

func (c *checkLogs) Run() int {
	code := c.m.Run()
	logs.Lock()
	defer logs.Unlock()
	out := logs.String()
	for _, tok := range logs.tokens {
		if tok != "" && strings.Contains(out, tok) {
			fmt.Fprintf(os.Stderr, "FAIL: a token value appears in the logs\n")
			return 1
		}
	}
	return code
}

const testKeys = "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,k1:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="

func keyring(t testing.TB, spec string) *tokens.Keyring {
	t.Helper()
	k, err := tokens.ParseKeyring(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is one test's Redis, fake token endpoint and a way to make
// Vaults over them.
type fixture struct {
	t     *testing.T
	db    *redistest.DB
	oauth *tokenstest.Server
	now   time.Time
	clock func() time.Time
}

func newFixture(t *testing.T) *fixture {
	db := redistest.New(t)
	o := tokenstest.New()
	t.Cleanup(o.Close)
	f := &fixture{t: t, db: db, oauth: o, now: time.Now()}
	f.clock = func() time.Time { return f.now }
	return f
}

func (f *fixture) options() tokens.Options {
	return tokens.Options{
		Platforms: map[string]tokens.Platform{
			"youtube": {
				OAuth:  &oauth2.Config{ClientID: "client", ClientSecret: "secret", Endpoint: f.oauth.Endpoint()},
				Revoke: youtube.Revoke(f.oauth.RevokeURL()),
			},
			"linkedin": {Organization: linkedin.CheckOrganization},
			"sandbox":  {},
		},
		Logger: slog.New(slog.NewTextHandler(lockedWriter{}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// vault returns a Vault with its own Redis client, as another process
// would have.
func (f *fixture) vault(tweak ...func(*tokens.Options)) *tokens.Vault {
	o := f.options()
	for _, t := range tweak {
		t(&o)
	}
	c := redis.NewClient(f.db.Client.Options())
	f.t.Cleanup(func() { c.Close() })
	return tokens.New(c, keyring(f.t, testKeys), o)
}

func (f *fixture) connect(v *tokens.Vault, id string, expiry time.Time) *oauth2.Token {
	f.t.Helper()
	tok := f.oauth.Issue(expiry)
	remember(tok)
	err := v.Connect(context.Background(), tokens.Account{ID: id, Platform: "youtube", PlatformUserID: "UC" + id, Scopes: []string{"youtube.upload"}, Token: tok})
	if err != nil {
		f.t.Fatalf("Connect(%s): %v", id, err)
	}
	return tok
}

// dump returns every key and value in the test's database as text.
func (f *fixture) dump() map[string]string {
	f.t.Helper()
	return f.db.Dump(f.t)
}
