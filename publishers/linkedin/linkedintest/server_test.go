package linkedintest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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

// version is the LinkedIn-Version the tests send, served on today.
const version = "202607"

// today is the servers' clock: versions sunset on it.
var today = time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)

func newServer() *linkedintest.Server {
	srv := linkedintest.New()
	srv.SetClock(func() time.Time { return today })
	return srv
}

// A version is served from its month for a year, to the 15th of its
// month a year on; before and after, every call answers 426.
func TestVersionsSunsetOnTheClock(t *testing.T) {
	for _, tt := range []struct {
		version string
		at      time.Time
		status  int
	}{
		{"202607", today, 422},
		{"202607.01", today, 422},
		{"202510", today, 426}, // sunset October 15, 2026
		{"202510", time.Date(2026, 10, 14, 23, 0, 0, 0, time.UTC), 422},
		{"202701", today, 426}, // not released yet
		{"202612", today, 422},
		{"202613", today, 426},
	} {
		srv := linkedintest.New()
		srv.SetClock(func() time.Time { return tt.at })
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/rest/posts", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("LinkedIn-Version", tt.version)
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("version %s at %s: %d, want %d", tt.version, tt.at.Format(time.DateOnly), resp.StatusCode, tt.status)
		}
	}
}

func TestProtocolHeadersRequired(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	for _, tt := range []struct {
		version, protocol string
		status            int
	}{
		{"", "2.0.0", 400},
		{version, "", 400},
		{version, "2.0.0", 422}, // reaches the handler: empty post
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

// call makes one API call to srv with the protocol headers and returns
// the status and the decoded answer.
func call(t *testing.T, srv *linkedintest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	return callAs(t, srv, "t", method, path, body)
}

// callAs is call with token.
func callAs(t *testing.T, srv *linkedintest.Server, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("LinkedIn-Version", version)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestImageMustBeAvailableToPost(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	srv.SetImageProcessing(linkedintest.Processing{Polls: 1})
	_, init := call(t, srv, http.MethodPost, "/rest/images?action=initializeUpload", `{"initializeUploadRequest":{"owner":"urn:li:person:a"}}`)
	value, _ := init["value"].(map[string]any)
	urn, _ := value["image"].(string)
	uploadURL, _ := value["uploadUrl"].(string)
	path := "/rest/images/" + url.PathEscape(urn)
	if status, img := call(t, srv, http.MethodGet, path, ""); status != 200 || img["status"] != "WAITING_UPLOAD" {
		t.Fatalf("before the upload: %d %v", status, img)
	}
	req, _ := http.NewRequest(http.MethodPut, uploadURL, strings.NewReader("JPEG"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %v %v", resp, err)
	}
	resp.Body.Close()
	post := `{"author":"urn:li:person:a","commentary":"hi","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},` +
		`"content":{"media":{"id":"` + urn + `"}},"lifecycleState":"PUBLISHED"}`
	if status, _ := call(t, srv, http.MethodPost, "/rest/posts", post); status != http.StatusUnprocessableEntity {
		t.Errorf("post with a PROCESSING image: %d, want 422", status)
	}
	for _, want := range []string{"PROCESSING", "AVAILABLE"} {
		if _, img := call(t, srv, http.MethodGet, path, ""); img["status"] != want {
			t.Errorf("status %v, want %s", img["status"], want)
		}
	}
	if status, _ := call(t, srv, http.MethodPost, "/rest/posts", post); status != http.StatusCreated {
		t.Errorf("post with an AVAILABLE image: %d, want 201", status)
	}
}

func TestImageProcessingFails(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	srv.SetImageProcessing(linkedintest.Processing{Fail: "bad pixels"})
	_, init := call(t, srv, http.MethodPost, "/rest/images?action=initializeUpload", `{"initializeUploadRequest":{"owner":"urn:li:person:a"}}`)
	value, _ := init["value"].(map[string]any)
	req, _ := http.NewRequest(http.MethodPut, value["uploadUrl"].(string), strings.NewReader("JPEG"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, img := call(t, srv, http.MethodGet, "/rest/images/"+url.PathEscape(value["image"].(string)), "")
	if img["status"] != "PROCESSING_FAILED" || img["processingFailureReason"] != "bad pixels" {
		t.Errorf("image %v", img)
	}
}

func TestSocialActionsBatchGet(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	srv.SetSocialActions("urn:li:share:1", linkedintest.SocialActions{Likes: 5, Comments: 3, FirstLevelComments: 2})
	status, out := call(t, srv, http.MethodGet, "/rest/socialActions?ids=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3AugcPost%3A2)", "")
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	results, _ := out["results"].(map[string]any)
	one, _ := results["urn:li:share:1"].(map[string]any)
	likes, _ := one["likesSummary"].(map[string]any)
	comments, _ := one["commentsSummary"].(map[string]any)
	if likes["totalLikes"] != 5.0 || comments["aggregatedTotalComments"] != 3.0 || comments["totalFirstLevelComments"] != 2.0 {
		t.Errorf("results %v", results)
	}
	if errs, _ := out["errors"].(map[string]any); errs["urn:li:ugcPost:2"] == nil || len(results) != 1 {
		t.Errorf("unknown post: %v", out)
	}
	if status, _ := call(t, srv, http.MethodGet, "/rest/socialActions?ids=List(urn:li:share:1)", ""); status != 400 {
		t.Errorf("unencoded URNs: %d, want 400", status)
	}
	if status, one := call(t, srv, http.MethodGet, "/rest/socialActions/"+url.PathEscape("urn:li:share:1"), ""); status != 200 || one["likesSummary"] == nil {
		t.Errorf("single GET: %d %v", status, one)
	}
}

// Each posts call needs its scope: the write scope to create, the read
// scope to list (r_member_social for a member's posts is closed, so an
// ordinary token cannot list them).
func TestScopesPerEndpoint(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	member, org := url.QueryEscape("urn:li:person:abc"), url.QueryEscape("urn:li:organization:1")
	list := func(author, token string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/rest/posts?q=author&author="+author, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("LinkedIn-Version", version)
		req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
		req.Header.Set("X-RestLi-Method", "FINDER")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	post := `{"author":"urn:li:person:abc","commentary":"hi","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED"}`
	if got := list(member, "t"); got != 403 {
		t.Errorf("ordinary token lists a member's posts: %d, want 403", got)
	}
	if got := list(org, "t"); got != 200 {
		t.Errorf("ordinary token lists an organization's posts: %d, want 200", got)
	}
	if got, _ := call(t, srv, http.MethodPost, "/rest/posts", post); got != 201 {
		t.Errorf("ordinary token creates a member's post: %d, want 201", got)
	}
	read := srv.IssueToken("abc", "r_member_social")
	if got := list(member, read); got != 200 {
		t.Errorf("token with r_member_social lists a member's posts: %d, want 200", got)
	}
	if got, body := callAs(t, srv, read, http.MethodPost, "/rest/posts", post); got != 403 || body["serviceErrorCode"] != float64(100) {
		t.Errorf("token without w_member_social creates: %d %v, want 403 ACCESS_DENIED", got, body)
	}
}

// An article needs its title: LinkedIn does not read the page.
func TestArticleNeedsATitle(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	post := func(article string) int {
		code, _ := call(t, srv, http.MethodPost, "/rest/posts", `{"author":"urn:li:organization:1","commentary":"x","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED","content":{"article":`+article+`}}`)
		return code
	}
	if got := post(`{"source":"https://example.com"}`); got != 422 {
		t.Errorf("article without title: %d, want 422", got)
	}
	if got := post(`{"source":"https://example.com","title":"T","thumbnail":"urn:li:image:nope"}`); got != 422 {
		t.Errorf("article with an unknown thumbnail: %d, want 422", got)
	}
	if got := post(`{"source":"https://example.com","title":"T"}`); got != 201 {
		t.Errorf("article with title: %d, want 201", got)
	}
}

// A document is uploaded like an image and posted with its title, which
// LinkedIn requires.
func TestDocumentNeedsATitle(t *testing.T) {
	srv := newServer()
	defer srv.Close()
	code, out := call(t, srv, http.MethodPost, "/rest/documents?action=initializeUpload", `{"initializeUploadRequest":{"owner":"urn:li:organization:1"}}`)
	v, _ := out["value"].(map[string]any)
	urn, _ := v["document"].(string)
	upload, _ := v["uploadUrl"].(string)
	if code != 200 || urn == "" || upload == "" {
		t.Fatalf("initializeUpload = %d %v", code, out)
	}
	req, _ := http.NewRequest(http.MethodPut, upload, strings.NewReader("%PDF-1.7"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	post := func(media string) int {
		code, _ := call(t, srv, http.MethodPost, "/rest/posts", `{"author":"urn:li:organization:1","commentary":"x","visibility":"PUBLIC","distribution":{"feedDistribution":"MAIN_FEED"},"lifecycleState":"PUBLISHED","content":{"media":`+media+`}}`)
		return code
	}
	if got := post(`{"id":"` + urn + `"}`); got != 422 {
		t.Errorf("untitled document: %d, want 422", got)
	}
	if got := post(`{"id":"` + urn + `","title":"Report"}`); got != 201 {
		t.Errorf("titled document: %d, want 201", got)
	}
}
