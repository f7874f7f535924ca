package tiktok_test

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// The descriptor's CreatorInfo asks TikTok what the creator may post
// now: the API serves it so an app can have the creator choose a privacy
// level, as TikTok requires.
func ExamplePlatform_creatorInfo() {
	api := tiktoktest.New()
	defer api.Close()
	api.SetCreator(tiktoktest.Creator{Username: "ada", PrivacyLevelOptions: []string{"FOLLOWER_OF_CREATOR", "SELF_ONLY"}, StitchDisabled: true})
	api.SetRateLimit(tiktoktest.EndpointCreatorInfo, 1)

	p := tiktok.Platform(tiktok.Options{BaseURL: api.URL()})
	tok := api.Issue("open-ada")
	ci, err := p.CreatorInfo(context.Background(), tok, nil)
	fmt.Println(ci.Username, ci.PrivacyLevelOptions, "stitches off:", ci.StitchDisabled, err)
	_, err = p.CreatorInfo(context.Background(), tok, nil)
	after, limited := publishers.RetryAfter(err)
	fmt.Println("again:", publishers.ClassOf(err), limited && after > 0)
	// Output:
	// ada [FOLLOWER_OF_CREATOR SELF_ONLY] stitches off: true <nil>
	// again: rate_limited true
}
