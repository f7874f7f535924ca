package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Times a client cannot have meant get a 400 that says what is wrong, not
// a saturated duration or a task due in 7,973 years.
func TestPublishAtOutOfRange(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	f.connect("acct-2", "youtube")
	expect(t, f.do("POST", "/v1/posts", postBody("p-ok", "acct-2", "youtube", time.Now().Add(time.Hour))), http.StatusCreated)
	tests := []struct{ at, says string }{
		{"0000-01-01T00:00:00Z", "year 0000: not a time"},
		{"0001-01-01T00:00:00Z", "year 0001: not a time"},
		{"1999-12-31T23:59:59Z", "year 1999: not a time"},
		{"9999-12-31T23:59:59Z", fmt.Sprintf("days ahead, more than the %d days", MaxScheduleDays)},
		{time.Now().AddDate(0, 0, MaxScheduleDays+2).UTC().Format(time.RFC3339), fmt.Sprintf("days ahead, more than the %d days", MaxScheduleDays)},
	}
	for _, tt := range tests {
		body := fmt.Sprintf(`{"post_id":"p1","account_id":"acct-1","platform":"youtube","publish_at":%q,"content":{"text":"x"}}`, tt.at)
		for _, r := range []response{f.do("POST", "/v1/posts", body), f.do("PATCH", "/v1/posts/p-ok", fmt.Sprintf(`{"publish_at":%q}`, tt.at))} {
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d: %s", tt.at, r.status, r.body)
				continue
			}
			if e := r.error(t); len(e.Fields) != 1 || e.Fields[0].Field != "publish_at" || !strings.Contains(e.Fields[0].Problem, tt.says) {
				t.Errorf("%s: %+v, want publish_at saying %q", tt.at, e.Fields, tt.says)
			}
		}
	}
	r := f.do("POST", "/v1/posts", `{"post_id":"p3","account_id":"acct-1","platform":"youtube","content":{"text":"x"}}`)
	if e := r.error(t); r.status != http.StatusBadRequest || len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Problem, "required") {
		t.Errorf("missing publish_at: %d %s", r.status, r.body)
	}
	at := time.Now().AddDate(0, 0, MaxScheduleDays-1).UTC().Format(time.RFC3339)
	expect(t, f.do("POST", "/v1/posts", fmt.Sprintf(`{"post_id":"p2","account_id":"acct-1","platform":"youtube","publish_at":%q,"content":{"text":"x"}}`, at)), http.StatusCreated)
}
