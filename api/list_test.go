package api

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
)

func TestListingPostsFollowsCursorsAndFilters(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	for i := range 5 {
		expect(t, f.do("POST", "/v1/posts", postBody(fmt.Sprintf("p%d", i), "acct-1", "youtube", base.Add(time.Duration(i)*time.Minute))), http.StatusCreated)
	}
	expect(t, f.do("DELETE", "/v1/posts/p3", ""), http.StatusOK)
	var got []string
	path := "/v1/posts?account_id=acct-1&limit=2"
	for range 10 {
		r := f.do("GET", path, "")
		expect(t, r, http.StatusOK)
		var page jobs.ListPage
		r.json(t, &page)
		for _, p := range page.Posts {
			got = append(got, p.PostID)
		}
		if page.NextCursor == "" {
			break
		}
		path = "/v1/posts?account_id=acct-1&limit=2&cursor=" + url.QueryEscape(page.NextCursor)
	}
	if fmt.Sprint(got) != "[p0 p1 p2 p3 p4]" {
		t.Errorf("pages gave %v", got)
	}
	q := url.Values{"account_id": {"acct-1"}, "state": {"scheduled"},
		"from": {base.Add(time.Minute).Format(time.RFC3339)}, "to": {base.Add(4 * time.Minute).Format(time.RFC3339)}}
	r := f.do("GET", "/v1/posts?"+q.Encode(), "")
	expect(t, r, http.StatusOK)
	var page jobs.ListPage
	r.json(t, &page)
	if len(page.Posts) != 2 || page.Posts[0].PostID != "p1" || page.Posts[1].PostID != "p2" || page.NextCursor != "" {
		t.Errorf("scheduled from +1m to +4m: %s", r.body)
	}
	// The account's own route is the same listing.
	r = f.do("GET", "/v1/accounts/acct-1/posts?state=canceled", "")
	expect(t, r, http.StatusOK)
	r.json(t, &page)
	if len(page.Posts) != 1 || page.Posts[0].PostID != "p3" {
		t.Errorf("canceled: %s", r.body)
	}
}

func TestListingPostsNamesEveryBadParameter(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ query, field string }{
		{"", "account_id"},
		{"account_id=a%20b", "account_id"},
		{"account_id=a&limit=501", "limit"},
		{"account_id=a&limit=x", "limit"},
		{"account_id=a&from=yesterday", "from"},
		{"account_id=a&to=2026-01-01", "to"},
		{"account_id=a&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
		{"account_id=a&state=gone", "state"},
		{"account_id=a&cursor=3", "cursor"},
	}
	for _, tt := range tests {
		r := f.do("GET", "/v1/posts?"+tt.query, "")
		expect(t, r, http.StatusBadRequest)
		if e := r.error(t); len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
			t.Errorf("?%s: %s, want %s named", tt.query, r.body, tt.field)
		}
	}
}
