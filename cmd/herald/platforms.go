package main

import (
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
)

// platforms is the one list of the platforms Herald knows, each
// described by its own package from the configuration. The worker's
// registry, the Vault's platforms, the names posts may give (jobs, and
// through it the API and the CLI) and doctor all derive from it: adding
// a platform is its package plus one line here.
func platforms(cfg config.Config, rdb redis.UniversalClient, tel *telemetry) ([]publishers.Platform, error) {
	fetch, err := media.New(media.Options{MaxBytes: cfg.MediaMaxBytes, AllowPrivate: cfg.MediaAllowPrivate, ContentTypes: linkedin.MediaContentTypes()})
	if err != nil {
		return nil, err
	}
	return []publishers.Platform{
		youtube.Platform(youtubeOptions(cfg, rdb, fetch, tel), youtube.Credentials{
			ClientID: cfg.GoogleClientID, ClientSecret: cfg.GoogleClientSecret, TokenURL: cfg.GoogleTokenURL, RevokeURL: cfg.GoogleRevokeURL, AuthURL: cfg.GoogleAuthURL,
		}),
		instagram.Platform(instagram.Options{
			Client:  tel.client("instagram", instagram.DefaultTimeout),
			BaseURL: cfg.InstagramGraphURL, Version: cfg.InstagramAPIVersion, RefreshBaseURL: cfg.InstagramRefreshURL,
			AppID: cfg.MetaAppID, AppSecret: cfg.MetaAppSecret,
		}, instagram.Consent{AppID: cfg.InstagramAppID, AppSecret: cfg.InstagramAppSecret, AuthURL: cfg.InstagramAuthURL, TokenURL: cfg.InstagramTokenURL}),
		tiktok.Platform(tiktok.Options{
			Client: tel.client("tiktok", tiktok.DefaultTimeout), UploadClient: tel.client("tiktok", 0),
			BaseURL: cfg.TikTokURL, ClientKey: cfg.TikTokClientKey, ClientSecret: cfg.TikTokClientSecret,
			PullPrefixes: cfg.TikTokPullPrefixList(), Unaudited: cfg.TikTokUnaudited, Fetcher: fetch,
		}, tiktok.Consent{AuthURL: cfg.TikTokAuthURL}),
		linkedin.Platform(linkedin.Options{
			Client: tel.client("linkedin", linkedin.DefaultTimeout), BaseURL: cfg.LinkedInURL, Version: cfg.LinkedInVersion, Media: fetch,
		}, linkedin.OAuth{TokenURL: cfg.LinkedInTokenURL, ClientID: cfg.LinkedInClientID, ClientSecret: cfg.LinkedInClientSecret},
			linkedin.Consent{AuthURL: cfg.LinkedInAuthURL}),
		sandbox.Platform(cfg.SandboxURL, tel.client("sandbox", sandbox.DefaultTimeout)),
	}, nil
}

// youtubeOptions is the YouTube publisher's configuration.
func youtubeOptions(cfg config.Config, rdb redis.UniversalClient, fetch *media.Fetcher, tel *telemetry) youtube.Options {
	return youtube.Options{
		Endpoint:         cfg.YouTubeAPIURL,
		Client:           youtubeClient(tel),
		UploadEndpoint:   cfg.YouTubeUploadURL,
		Media:            fetch,
		Redis:            rdb,
		Project:          cfg.YouTubeProject,
		UploadsPerDay:    cfg.YouTubeUploadsPerDay,
		UnitsPerDay:      cfg.YouTubeUnitsPerDay,
		UploadUnits:      cfg.YouTubeUploadUnits,
		AnalyticsReserve: cfg.YouTubeAnalyticsReserve,
	}
}

// youtubeClient is YouTube's HTTP client: no overall timeout (uploads are
// long), a bound on waiting for answers instead.
func youtubeClient(tel *telemetry) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = youtube.DefaultCallTimeout
	if tel == nil {
		return &http.Client{Transport: t}
	}
	return &http.Client{Transport: tel.requests.Transport("youtube", t)}
}

// vaultPlatforms is how the Vault refreshes and revokes each platform's
// tokens. tokens.Platform has the shape of publishers.Tokens but is the
// Vault's own type: tokens never imports the publishers. The conversion
// compiles only while both have the same fields, so a field added to one
// cannot be forgotten here.
func vaultPlatforms(ps []publishers.Platform) map[string]tokens.Platform {
	m := make(map[string]tokens.Platform, len(ps))
	for _, p := range ps {
		m[p.Name] = tokens.Platform(p.Tokens)
	}
	return m
}

// noticePlatforms maps each disconnect-notice sender (package deauth) to
// the platform whose accounts its user ids name.
func noticePlatforms(ps []publishers.Platform) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		if p.Notices != "" {
			m[p.Notices] = p.Name
		}
	}
	return m
}
