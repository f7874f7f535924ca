package youtubetest_test

import (
	"bytes"
	"context"
	"fmt"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// The official client runs against the fake unchanged.
func Example() {
	srv := youtubetest.New()
	defer srv.Close()
	tok := srv.IssueToken("acct-1")

	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken}))
	svc, _ := youtube.NewService(context.Background(), option.WithEndpoint(srv.Endpoint()), option.WithHTTPClient(hc))
	v, err := svc.Videos.Insert([]string{"snippet", "status"}, &youtube.Video{
		Snippet: &youtube.VideoSnippet{Title: "Hello"},
	}).Media(bytes.NewReader(make([]byte, 600<<10)), googleapi.ChunkSize(256<<10), googleapi.ContentType("video/mp4")).Do()
	if err != nil {
		fmt.Println(err)
		return
	}
	got := srv.Videos()[0]
	fmt.Println(got.ID == v.Id, got.Title, got.Size, len(srv.Uploads()))

	srv.FailNext(youtubetest.OpVideosList, 1, youtubetest.Fault{Reason: "quotaExceeded"})
	_, err = svc.Videos.List([]string{"statistics"}).Id(v.Id).Do()
	fmt.Println(err.(*googleapi.Error).Code, err.(*googleapi.Error).Errors[0].Reason)
	// Output:
	// true Hello 614400 1
	// 403 quotaExceeded
}
