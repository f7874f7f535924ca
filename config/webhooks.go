package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// WebhookEndpoint is one receiver of Herald's events.
type WebhookEndpoint struct {
	// Name identifies the endpoint in logs, metrics and task payloads (the
	// URL and secrets are read from the configuration at delivery time).
	Name string
	URL  string
	// Secrets sign each delivery, one signature per secret, so a receiver
	// can move to a new secret while the old one still verifies.
	Secrets []string
}

var webhookName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// minWebhookSecret is the shortest secret accepted: 24 characters of a
// random string carry well over 128 bits.
const minWebhookSecret = 24

// WebhookEndpoints returns the endpoints of HERALD_WEBHOOKS with their
// secrets, in the order given. Load has checked them.
func (c Config) WebhookEndpoints() []WebhookEndpoint {
	eps, _ := parseWebhooks(c.Webhooks, c.WebhookSecrets)
	return eps
}

// parseWebhooks pairs endpoints with secrets. Problems come back keyed by
// the variable they concern; a secret's value never appears in one.
func parseWebhooks(endpoints, secrets string) ([]WebhookEndpoint, map[string]string) {
	problems := map[string]string{}
	var eps []WebhookEndpoint
	index := map[string]int{}
	for _, item := range splitList(endpoints) {
		name, raw, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			problems["HERALD_WEBHOOKS"] = fmt.Sprintf("%q: want name=url", item)
		case !webhookName.MatchString(name):
			problems["HERALD_WEBHOOKS"] = fmt.Sprintf("%q: a name is 1-32 lowercase letters, digits, - or _", name)
		case index[name] > 0:
			problems["HERALD_WEBHOOKS"] = fmt.Sprintf("%q named twice", name)
		default:
			if p := httpsURLProblem(strings.TrimSpace(raw)); p != "" {
				problems["HERALD_WEBHOOKS"] = fmt.Sprintf("%s: %s", name, p)
				continue
			}
			eps = append(eps, WebhookEndpoint{Name: name, URL: strings.TrimSpace(raw)})
			index[name] = len(eps)
		}
	}
	for _, item := range splitList(secrets) {
		name, secret, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			problems["HERALD_WEBHOOK_SECRETS"] = "want name=secret pairs"
		case index[name] == 0:
			problems["HERALD_WEBHOOK_SECRETS"] = fmt.Sprintf("%q is not an endpoint of HERALD_WEBHOOKS", name)
		case len(secret) < minWebhookSecret:
			problems["HERALD_WEBHOOK_SECRETS"] = fmt.Sprintf("%s: a secret must be at least %d characters", name, minWebhookSecret)
		default:
			ep := &eps[index[name]-1]
			ep.Secrets = append(ep.Secrets, secret)
		}
	}
	if problems["HERALD_WEBHOOKS"] == "" && problems["HERALD_WEBHOOK_SECRETS"] == "" {
		for _, ep := range eps {
			if len(ep.Secrets) == 0 {
				problems["HERALD_WEBHOOK_SECRETS"] = fmt.Sprintf("%s has no secret: every endpoint needs one", ep.Name)
				break
			}
		}
	}
	return eps, problems
}

// httpsURLProblem allows https anywhere and plain http only on loopback,
// where a local receiver (the demo's, a sidecar's) or a test's fake
// platform is reached: whatever travels to such a URL (a webhook's
// signature, an account's token, a client secret) must not cross a
// network in clear.
func httpsURLProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not an absolute URL"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if isLoopback(u.Hostname()) {
			return ""
		}
		return "must be https (plain http only on loopback)"
	}
	return "must be an https URL"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// GoogleRISCAudiences is HERALD_GOOGLE_RISC_AUDIENCE as a list, or the
// Google client id when it is empty.
func (c Config) GoogleRISCAudiences() []string {
	if aud := splitList(c.GoogleRISCAudience); len(aud) > 0 {
		return aud
	}
	return splitList(c.GoogleClientID)
}
