package fakeconsent

import "testing"

type binding struct {
	Account string `json:"a"`
	URI     string `json:"u"`
}

// A sealed code opens to what was sealed, and only with its prefix and
// key, unaltered.
func TestSealOpen(t *testing.T) {
	want := binding{"acct-1", "http://127.0.0.1/cb"}
	code := Seal("AQB.", "secret", want)
	var got binding
	if !Open("AQB.", "secret", code, &got) || got != want {
		t.Fatalf("Open = %+v, want %+v", got, want)
	}
	for name, c := range map[string][3]string{
		"another key":    {"AQB.", "other", code},
		"another prefix": {"code.", "secret", code},
		"altered":        {"AQB.", "secret", code[:len(code)-2] + "xx"},
		"not a code":     {"AQB.", "secret", "AQB.nodot"},
	} {
		if Open(c[0], c[1], c[2], &got) {
			t.Errorf("%s: opened", name)
		}
	}
}

// Codes seal under the fake's current key: a code sealed before the
// secret changed no longer opens.
func TestCodesFollowTheKey(t *testing.T) {
	key := "one"
	c := Codes{Prefix: "AQT.", Key: func() string { return key }}
	code := c.Seal(binding{"m", "https://a.example/cb"})
	var got binding
	if !c.Open(code, &got) || got.Account != "m" {
		t.Fatalf("Open = %+v", got)
	}
	key = "two"
	if c.Open(code, &got) {
		t.Error("a code sealed under the old key opened")
	}
}

func TestHash(t *testing.T) {
	if h := Hash("c"); len(h) != 64 || h == Hash("d") || h != Hash("c") {
		t.Errorf("Hash(c) = %q", h)
	}
}
