package youtube_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func ExamplePublisher_Publish() {
	yt := youtubetest.New() // a fake YouTube; production uses the defaults
	defer yt.Close()
	tok := yt.IssueToken("acct-1")
	videos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		io.WriteString(w, strings.Repeat("frame", 1000))
	}))
	defer videos.Close()

	fetcher, _ := media.New(media.Options{AllowPrivate: true}) // media on loopback
	p := youtube.New(youtube.Options{
		Endpoint: yt.Endpoint(), UploadEndpoint: yt.UploadEndpoint(), Media: fetcher,
	})
	res, err := p.Publish(context.Background(), publishers.Request{
		PostID: "post-1", AccountID: "acct-1",
		Content: publishers.Content{
			Title: "We launched", Text: "Five minutes on what is new.",
			Media:   []publishers.Media{{URL: videos.URL + "/launch.mp4", Kind: publishers.MediaVideo}},
			Options: map[string]string{youtube.OptionPrivacy: "unlisted", youtube.OptionTags: "launch,news"},
		},
		Token:       &oauth2.Token{AccessToken: tok.AccessToken},
		Checkpoints: &publisherstest.Checkpoints{}, // in Herald: the post's publication record
	})
	if err != nil {
		fmt.Println(publishers.ClassOf(err), err)
		return
	}
	v := yt.Videos()[0]
	fmt.Println(res.RemoteID == v.ID, v.Title, v.Privacy, v.Tags, v.Size)
	// Output: true We launched unlisted [launch news] 5000
}

func ExamplePublisher_QuotaUsage() {
	p := youtube.New(youtube.Options{Project: "herald-prod"}) // no Redis: no accounting
	u, _ := p.QuotaUsage(context.Background())
	fmt.Println(u.Project, u.Uploads, u.UploadsBudget, u.Units, u.UnitsBudget)
	// Output: herald-prod 0 100 0 10000
}

func ExampleTagsLength() {
	// Commas count, and a tag with a space counts its quotes: YouTube's
	// 500 is reached sooner than the joined text suggests.
	fmt.Println(youtube.TagsLength([]string{"go", "social media"}), youtube.MaxTags)
	// Output:
	// 17 500
}
