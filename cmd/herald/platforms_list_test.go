package main

import (
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/deauth"
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
