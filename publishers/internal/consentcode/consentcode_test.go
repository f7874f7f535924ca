package consentcode

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

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "example.com": false, "10.0.0.1": false} {
		if Loopback(host) != want {
			t.Errorf("Loopback(%q) = %v", host, !want)
		}
	}
}
