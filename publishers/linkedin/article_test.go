package linkedin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
)

// LinkedIn does not scrape an article's page: the post carries the title
// (required), the description and a thumbnail uploaded through the
// Images API.
func TestArticleCarriesTitleDescriptionAndThumbnail(t *testing.T) {
	e := start(t)
	cp := &memory{}
	req := request(cp, member, "Read this")
	req.Content.Options = map[string]string{
		linkedin.OptionArticleURL: "https://example.com/launch", linkedin.OptionArticleTitle: "We launched",
		linkedin.OptionArticleDescription: "How and why", linkedin.OptionArticleThumbnail: e.files.URL + "/cover.jpg",
	}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	posts := e.srv.Posts()
	thumb := cp.Get(linkedin.CheckpointImagePrefix + "1")
	if len(posts) != 1 || posts[0].Kind != "article" || posts[0].Title != "We launched" || thumb == "" || len(posts[0].MediaIDs) != 1 || posts[0].MediaIDs[0] != thumb {
		t.Fatalf("posts %+v (thumbnail upload %q)", posts, thumb)
	}
	a := posts[0].JSON["content"].(map[string]any)["article"].(map[string]any)
	if a["description"] != "How and why" || a["thumbnail"] != thumb || res.RemoteID != posts[0].URN {
		t.Errorf("article %v, result %+v", a, res)
	}
}

func TestArticleWithoutTitleIsRefusedBeforeAnyCall(t *testing.T) {
	e := start(t)
	req := request(&memory{}, member, "Read this")
	req.Content.Options = map[string]string{linkedin.OptionArticleURL: "https://example.com/launch"}
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "title") {
		t.Fatalf("err = %v, want permanent naming the title", err)
	}
	if n := len(e.srv.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}

func TestArticleThumbnailWithoutArticleIsRefused(t *testing.T) {
	e := start(t)
	req := request(&memory{}, member, "Read this")
	req.Content.Options = map[string]string{linkedin.OptionArticleThumbnail: e.files.URL + "/cover.jpg"}
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassPermanent {
		t.Fatalf("err = %v, want permanent", err)
	}
}
