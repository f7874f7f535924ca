package config

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func sprintf(format string, v any) string { return fmt.Sprintf(format, v) }

// FuzzParseRedisURL checks that parsing never panics, that whatever parses
// survives a round trip, and that neither an error nor String ever shows a
// password placed in the URL.
func FuzzParseRedisURL(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379/0", "rediss://u:p@h:6380/1", "unix:///tmp/r.sock?db=2&password=x",
		"redis-sentinel://:p@s1,s2:26380/m?db=1&sentinel_password=s&tls=true",
		"redis-cluster://:p@h1:7000,h2:7001?tls=1", "redis://:pa/ss@h", "redis://[::1]:1/2", "redis://h:99999",
	} {
		f.Add(s, "s3cr3t!", uint8(0))
	}
	f.Fuzz(func(t *testing.T, rest, password string, form uint8) {
		// Any input: no panic, and what parses writes back to itself.
		if r, err := ParseRedisURL(rest); err == nil {
			again, err := ParseRedisURL(r.url(false))
			if err != nil || !reflect.DeepEqual(again, r) {
				t.Fatalf("%q parsed to %s, which parses to %v, %v", rest, r.url(false), again, err)
			}
		}

		// A password written as a user should, percent-encoded, in each
		// place one can go.
		if len(password) < 4 {
			return
		}
		user := url.UserPassword("", password).String()
		q := url.QueryEscape(password)
		templates := []string{
			"redis://" + user + "@%s",
			"rediss://herald" + user + "@%s",
			"unix:///tmp/r.sock?password=" + q + "%s",
			"unix://" + user + "@%s",
			"redis-sentinel://" + user + "@%s",
			"redis-sentinel://s1/m?sentinel_password=" + q + "%s",
			"redis-cluster://" + user + "@%s",
		}
		tmpl := templates[int(form)%len(templates)]
		outputs := func(pw string) string {
			in := strings.Replace(tmpl, user, url.UserPassword("", pw).String(), 1)
			in = strings.Replace(in, "="+q, "="+url.QueryEscape(pw), 1)
			in = strings.Replace(in, "%s", rest, 1)
			r, err := ParseRedisURL(in)
			if err != nil {
				return err.Error()
			}
			return r.String() + " " + fmt.Sprintf("%v %#v", r, r)
		}
		// A "password" that the output holds anyway (part of the host,
		// of a fixed message) proves nothing.
		if strings.Contains(outputs("pwpwpwpw"), password) {
			return
		}
		if out := outputs(password); strings.Contains(out, password) {
			t.Fatalf("password %q shown for %q: %s", password, strings.Replace(tmpl, "%s", rest, 1), out)
		}
	})
}
