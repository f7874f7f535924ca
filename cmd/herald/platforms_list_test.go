package main

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// The one list of platforms holds together: every platform once, every
// setting doctor names a real variable, every notice sender one deauth
// knows, and every derived list (registry, Vault, notices) built from it.
func TestPlatformListIsConsistent(t *testing.T) {
	t.Setenv("HERALD_SANDBOX_URL", "")
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := platforms(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, v := range cfg.Values() {
		vars[v.Name] = true
	}
	senders := []string{deauth.SourceMeta, deauth.SourceGoogle, deauth.SourceTikTok}
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			t.Errorf("%s listed twice", p.Name)
		}
		seen[p.Name] = true
		for _, name := range regexp.MustCompile(`HERALD_[A-Z0-9_]+`).FindAllString(p.Doctor.Settings, -1) {
			if !vars[name] {
				t.Errorf("%s: doctor names %s, which config does not have", p.Name, name)
			}
		}
		if p.Doctor.Settings == "" {
			t.Errorf("%s: doctor names no setting", p.Name)
		}
		if (p.Doctor.Without == "") == (p.Doctor.Optional == "") {
			t.Errorf("%s: doctor says what accounts lose without the settings, or which accounts need them: one of the two", p.Name)
		}
		if p.Notices != "" && !slices.Contains(senders, p.Notices) {
			t.Errorf("%s: notices from %q, which deauth does not receive", p.Name, p.Notices)
		}
	}
	if got := publishers.Names(ps); !slices.Equal(got, []string{"youtube", "instagram", "tiktok", "linkedin", "sandbox"}) {
		t.Errorf("platforms: %v", got)
	}
	// Without HERALD_SANDBOX_URL the sandbox is known but not published to.
	if reg := publishers.RegistryOf(ps).Names(); slices.Contains(reg, "sandbox") || len(reg) != 4 {
		t.Errorf("registry without a sandbox URL: %v", reg)
	}
	vp := vaultPlatforms(ps)
	if len(vp) != len(ps) {
		t.Errorf("the Vault knows %d platforms, the list has %d", len(vp), len(ps))
	}
	if li := vp["linkedin"]; li.Refresh != nil || li.NeedsRefreshToken {
		t.Error("linkedin refreshes without a client id")
	}
	if want := map[string]string{"meta": "instagram", "google": "youtube", "tiktok": "tiktok"}; !maps.Equal(noticePlatforms(ps), want) {
		t.Errorf("notice platforms: %v, want %v", noticePlatforms(ps), want)
	}
	t.Setenv("HERALD_LINKEDIN_CLIENT_ID", "id")
	t.Setenv("HERALD_LINKEDIN_CLIENT_SECRET", "secret")
	if cfg, err = config.Load(); err != nil {
		t.Fatal(err)
	}
	if ps, err = platforms(cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	if li := vaultPlatforms(ps)["linkedin"]; li.Refresh == nil || !li.NeedsRefreshToken {
		t.Errorf("linkedin with a client id: %+v, want a refresh that needs a refresh token", li)
	}
}

// doctor reads each platform's check from its descriptor: a YouTube
// account without Google's client is a problem, a LinkedIn one without
// LinkedIn's a warning, and each platform's quota is named.
func TestDoctorChecksEachPlatformFromItsDescriptor(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	ctx := context.Background()
	dir := t.TempDir()
	for _, platform := range []string{"youtube", "linkedin"} {
		p := filepath.Join(dir, platform+".json")
		body := `{"account_id":"doc-` + platform + `","platform":"` + platform + `","access_token":"doctor-token-0123456789"}`
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, _, err := herald(t, ctx, "accounts", "connect", "--file", p); err != nil {
			t.Fatalf("connect %s: %q %v", platform, out, err)
		}
	}
	out, _, err := herald(t, ctx, "doctor")
	if err == nil {
		t.Errorf("doctor passed with a YouTube account and no Google client:\n%s", out)
	}
	for _, want := range []string{
		"PROBLEM: youtube: 1 active account but HERALD_GOOGLE_CLIENT_ID and HERALD_GOOGLE_CLIENT_SECRET not set",
		"WARNING: linkedin: 1 active account but HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET not set",
		"tiktok: not configured (HERALD_TIKTOK_CLIENT_KEY and HERALD_TIKTOK_CLIENT_SECRET); no active accounts",
		"quota: per Google project and day",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}
