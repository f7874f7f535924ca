package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// The Herald-Signature test vectors that every implementation of Verify
// shares: this test makes them from Sign and checks them against Verify,
// and the TypeScript client's tests (clients/typescript) read the same
// file, so a receiver in TypeScript accepts and refuses exactly what
// webhook.Verify does. HERALD_UPDATE_VECTORS=1 rewrites the file after a
// deliberate change of the vectors.
const vectorsFile = "testdata/signature_vectors.json"

// vector is one case: header, body and secret in, the outcome of Verify
// at now out ("ok", "no_signature", "bad_signature" or "expired").
type vector struct {
	Name             string `json:"name"`
	Header           string `json:"header"`
	BodyBase64       string `json:"body_base64"`
	Secret           string `json:"secret"`
	NowUnixMilli     int64  `json:"now_unix_ms"`
	ToleranceSeconds int64  `json:"tolerance_seconds"`
	Want             string `json:"want"`
}

func vectorOutcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNoSignature):
		return "no_signature"
	case errors.Is(err, ErrBadSignature):
		return "bad_signature"
	case errors.Is(err, ErrExpired):
		return "expired"
	}
	return "unexpected: " + err.Error()
}

// makeVectors returns the cases, each with the outcome Verify gives it.
// The cases are chosen where a reimplementation would most likely differ
// from Go: the parsing of the header (strconv.ParseInt's signs and
// leading zeros, whitespace, empty parts, hex case) and the edges of the
// tolerance.
func makeVectors() []vector {
	const t = 1767225600
	at := time.Unix(t, 0)
	body := []byte(`{"id":"1767225600000-0","type":"post.published","account_id":"acct-7","post_id":"launch-42","at":"2026-01-01T00:00:00Z"}`)
	binary := []byte{0, 0xff, 0xfe, '\n', 0xc3, 0x28, '"', 0x80}
	unicode := []byte(`{"text":"Grüße, 世界 🎉"}`)
	sig := func(b []byte, secrets ...string) string { return Sign(b, at, secrets...) }
	v1 := func(b []byte, s string) string { return strings.TrimPrefix(sig(b, s), "t=1767225600,v1=") }
	good := sig(body, secret)
	now := at.UnixMilli()
	type c struct {
		name, header string
		body         []byte
		secret       string
		nowMilli     int64
		tolerance    time.Duration
	}
	cases := []c{
		{"valid", good, body, secret, now, 0},
		{"valid, binary body", sig(binary, secret), binary, secret, now, 0},
		{"valid, unicode body", sig(unicode, secret), unicode, secret, now, 0},
		{"valid, empty body", sig(nil, secret), nil, secret, now, 0},
		{"valid, empty secret", sig(body, ""), body, "", now, 0},
		{"second of two secrets", sig(body, "old-secret-0123456789abcdef", secret), body, secret, now, 0},
		{"first of two secrets", sig(body, secret, "new-secret-0123456789abcdef"), body, secret, now, 0},
		{"unknown scheme skipped", good + ",v0=zz-not-hex", body, secret, now, 0},
		{"signature before t", "v1=" + v1(body, secret) + ",t=1767225600", body, secret, now, 0},
		{"spaces around parts", " t=1767225600 , v1=" + v1(body, secret) + " ", body, secret, now, 0},
		{"uppercase hex", "t=1767225600,v1=" + strings.ToUpper(v1(body, secret)), body, secret, now, 0},
		{"t with a plus sign signs the number", "t=+1767225600,v1=" + v1(body, secret), body, secret, now, 0},
		{"t with leading zeros signs the number", "t=001767225600,v1=" + v1(body, secret), body, secret, now, 0},
		{"t as signed text with leading zeros", "t=001767225600,v1=" + hexMAC(secret, "001767225600", body), body, secret, now, 0},
		{"body changed", good, append(bytes.Clone(body), ' '), secret, now, 0},
		{"wrong secret", good, body, "another-secret-0123456789abc", now, 0},
		{"timestamp changed", strings.Replace(good, "t=1767225600", "t=1767225601", 1), body, secret, now + 1000, 0},
		{"one bit of the signature changed", "t=1767225600,v1=" + flipLastHex(v1(body, secret)), body, secret, now, 0},
		{"at the edge of the default tolerance", good, body, secret, now + (5 * time.Minute).Milliseconds(), 0},
		{"a millisecond past the default tolerance", good, body, secret, now + (5 * time.Minute).Milliseconds() + 1, 0},
		{"from the future, at the edge", good, body, secret, now - (5 * time.Minute).Milliseconds(), 0},
		{"from the future, past the edge", good, body, secret, now - (5 * time.Minute).Milliseconds() - 1, 0},
		{"own tolerance, inside", good, body, secret, now + 59_000, time.Minute},
		{"own tolerance, outside", good, body, secret, now + 61_000, time.Minute},
		{"negative tolerance means the default", good, body, secret, now + 61_000, -time.Minute},
		{"expired and wrong: expired first", good, body, "another-secret-0123456789abc", now + 3_600_000, 0},
		{"empty header", "", body, secret, now, 0},
		{"garbage", "Bearer xyz", body, secret, now, 0},
		{"no v1", "t=1767225600", body, secret, now, 0},
		{"no t", "v1=" + v1(body, secret), body, secret, now, 0},
		{"two t", "t=1767225600," + good, body, secret, now, 0},
		{"empty part", "t=1767225600,,v1=" + v1(body, secret), body, secret, now, 0},
		{"trailing comma", good + ",", body, secret, now, 0},
		{"t zero", "t=0,v1=" + v1(body, secret), body, secret, now, 0},
		{"t negative", "t=-1767225600,v1=" + v1(body, secret), body, secret, now, 0},
		{"t not a number", "t=17672256OO,v1=" + v1(body, secret), body, secret, now, 0},
		{"t with a space inside", "t= 1767225600,v1=" + v1(body, secret), body, secret, now, 0},
		{"t beyond int64", "t=9223372036854775808,v1=" + v1(body, secret), body, secret, now, 0},
		{"t at int64's end", "t=9223372036854775807,v1=" + v1(body, secret), body, secret, now, 0},
		{"short v1", "t=1767225600,v1=abcd", body, secret, now, 0},
		{"odd-length v1", "t=1767225600,v1=" + v1(body, secret)[1:], body, secret, now, 0},
		{"v1 not hex", "t=1767225600,v1=" + strings.Repeat("z", 64), body, secret, now, 0},
		{"empty v1", "t=1767225600,v1=", body, secret, now, 0},
		{"one bad v1 spoils the header", good + ",v1=abcd", body, secret, now, 0},
		{"key in other case", "T=1767225600,V1=" + v1(body, secret), body, secret, now, 0},
	}
	out := make([]vector, 0, len(cases))
	for _, c := range cases {
		err := Verify(c.header, c.body, c.secret, c.tolerance, time.UnixMilli(c.nowMilli))
		out = append(out, vector{
			Name: c.name, Header: c.header, BodyBase64: base64.StdEncoding.EncodeToString(c.body),
			Secret: c.secret, NowUnixMilli: c.nowMilli, ToleranceSeconds: int64(c.tolerance / time.Second),
			Want: vectorOutcome(err),
		})
	}
	return out
}

func hexMAC(secret, t string, body []byte) string {
	return hex.EncodeToString(mac([]byte(secret), t, body))
}

func flipLastHex(h string) string {
	last := h[len(h)-1]
	flipped := byte('0')
	if last == '0' {
		flipped = '1'
	}
	return h[:len(h)-1] + string(flipped)
}

// TestSignatureVectors: the shared vectors file is what Verify does today.
// A change of Verify's behaviour fails here until the file is rewritten
// (HERALD_UPDATE_VECTORS=1), which the TypeScript tests then hold the
// client to.
func TestSignatureVectors(t *testing.T) {
	vs := makeVectors()
	want, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if os.Getenv("HERALD_UPDATE_VECTORS") == "1" {
		if err := os.WriteFile(vectorsFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatalf("%v (HERALD_UPDATE_VECTORS=1 go test ./webhook -run TestSignatureVectors writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: Verify's outcomes changed; rewrite it with HERALD_UPDATE_VECTORS=1 and check the TypeScript client still passes", vectorsFile)
	}
	// The file's outcomes are Verify's, read back from the file itself.
	var read []vector
	if err := json.Unmarshal(got, &read); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, v := range read {
		body, err := base64.StdEncoding.DecodeString(v.BodyBase64)
		if err != nil {
			t.Fatalf("%s: body: %v", v.Name, err)
		}
		err = Verify(v.Header, body, v.Secret, time.Duration(v.ToleranceSeconds)*time.Second, time.UnixMilli(v.NowUnixMilli))
		if got := vectorOutcome(err); got != v.Want {
			t.Errorf("%s: Verify says %s, the file %s", v.Name, got, v.Want)
		}
		seen[v.Want] = true
	}
	for _, w := range []string{"ok", "no_signature", "bad_signature", "expired"} {
		if !seen[w] {
			t.Errorf("no vector expects %s", w)
		}
	}
}
