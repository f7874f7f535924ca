package config

import (
	"fmt"
	"net/url"
)

// ConnectReturnURLList splits HERALD_CONNECT_RETURN_URLS.
func (c Config) ConnectReturnURLList() []string { return splitList(c.ConnectReturnURLs) }

// validateConnect checks the return URL prefixes of the connect flow:
// each an https URL (http on loopback) without query or fragment, so no
// prefix can send a browser with an account id somewhere unencrypted.
// Package connect checks the same again when the API starts.
func (c *Config) validateConnect(ch *checker) {
	for _, prefix := range c.ConnectReturnURLList() {
		p := httpsURLProblem(prefix)
		if u, err := url.Parse(prefix); p == "" && (err != nil || u.RawQuery != "" || u.Fragment != "" || u.User != nil) {
			p = "a prefix has no query, fragment or user info"
		}
		if p != "" {
			ch.bad("HERALD_CONNECT_RETURN_URLS", fmt.Sprintf("%q: %s", prefix, p))
			return
		}
	}
}
