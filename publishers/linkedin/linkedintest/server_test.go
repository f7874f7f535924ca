package linkedintest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestParseLittle(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"plain", "plain", true},
		{`\(x\) \\ \_ \~`, `(x) \ _ ~`, true},
		{"#tag and #日本", "#tag and #日本", true},
		{"@[Acme](urn:li:organization:1) hi", "Acme hi", true},
		{"{hashtag|#|Tech}", "#Tech", true},
		{`{hashtag|\#|Tech}`, "#Tech", true},
		{"(x)", "", false},
		{"# alone", "", false},
		{`trailing \`, "", false},
		{`\a`, "", false},
		{"@someone", "", false},
		{"{nope}", "", false},
		{"a_b", "", false},
	}
	for _, tt := range tests {
		got, err := linkedintest.ParseLittle(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLittle(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseLittle(f *testing.F) {
	for _, s := range []string{"", "#x", "@[a](urn:li:person:1)", "{hashtag|#|x}", `\\`, "{hashtag|#|"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _, _ = linkedintest.ParseLittle(s) })
}

func TestProtocolHeadersRequired(t *testing.T) {
	srv := linkedintest.New()
	defer srv.Close()
	for _, tt := range []struct {
		version, protocol string
		status            int
	}{
		{"", "2.0.0", 400},
		{"202510", "", 400},
		{"202510", "2.0.0", 422}, // reaches the handler: empty post
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/rest/posts", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("LinkedIn-Version", tt.version)
		req.Header.Set("X-Restli-Protocol-Version", tt.protocol)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("version %q protocol %q: %d, want %d", tt.version, tt.protocol, resp.StatusCode, tt.status)
		}
	}
}

func ExampleParseLittle() {
	text, err := linkedintest.ParseLittle(`Launch day \(finally\) #launch`)
	fmt.Println(text, err)
	_, err = linkedintest.ParseLittle("Launch day (finally)")
	fmt.Println(err)
	// Output:
	// Launch day (finally) #launch <nil>
	// character 12: reserved '(' is not escaped
}
