package tokens

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/linkedin"
)

// FuzzRecordDecode: whatever sits in Redis under a token key, decoding and
// opening it returns an error or a token, never a panic.
func FuzzRecordDecode(f *testing.F) {
	ring, _ := ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	r := &record{Account: "a", Platform: "youtube", Rev: "r", Status: StatusActive}
	r.seal(ring, &oauth2.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Unix(1e9, 0)})
	f.Add("1", "youtube", "active", "k1", string(r.Sealed), "1000000000000", "3")
	f.Add("1", "youtube", "active", "k9", string(r.Sealed), "", "")
	f.Add("1", "youtube", "active", "k1", string(r.Sealed[:10]), "x", "1")
	f.Add("2", "", "weird", "", "", "", "")
	f.Fuzz(func(t *testing.T, v, platform, status, kid, sealed, expiry, version string) {
		h := map[string]string{"v": v, "platform": platform, "status": status, "kid": kid, "sealed": sealed, "expiry": expiry, "version": version}
		rec, err := decodeRecord("a", h)
		if err != nil {
			return
		}
		tok, err := rec.open(ring)
		if err == nil && tok == nil {
			t.Fatal("no error and no token")
		}
	})
}

// FuzzCheckOrganizations: whatever organizations an app hands in, each
// problem names its field and says what is wrong in a bounded message,
// and what passes is what a post can be authored as, each once.
func FuzzCheckOrganizations(f *testing.F) {
	known := map[string]Platform{"linkedin": {Organization: linkedin.CheckOrganization}, "youtube": {}}
	f.Add("linkedin", "urn:li:person:ada", "urn:li:organization:1\nurn:li:organization:1")
	f.Add("linkedin", "urn:li:organization:2", "urn:li:organization:1")
	f.Add("linkedin", "urn:li:person:ada", "urn:li:organization:\n 12")
	f.Add("youtube", "UC1", "urn:li:organization:1")
	f.Add("linkedin", "urn:li:person:ada", strings.Repeat("\"", 500))
	f.Fuzz(func(t *testing.T, platform, platformUserID, orgs string) {
		a := Account{Platform: platform, PlatformUserID: platformUserID, Organizations: strings.Split(orgs, "\n")}
		errs := checkOrganizations(a, known)
		for _, err := range errs {
			fe, ok := err.(*FieldError)
			if !ok || !strings.HasPrefix(fe.Field, "organizations") || fe.Problem == "" || len(fe.Problem) > 500 { // a value is quoted cut to 80 bytes, each at most 4 escaped
				t.Fatalf("problem %#v", err)
			}
		}
		if len(errs) > 0 || platform != "linkedin" {
			return
		}
		seen := map[string]bool{}
		for _, o := range a.Organizations {
			if linkedin.CheckOrganization(o) != nil || seen[o] {
				t.Fatalf("%q passed among %q", o, a.Organizations)
			}
			seen[o] = true
		}
	})
}
