package instagram

import "github.com/heraldhq/herald/publishers"

// publishNeed is the permission publishing takes (Content Publishing,
// "Requirements"): instagram_business_content_publish for accounts of
// Instagram Login, instagram_content_publish for those of Facebook
// Login.
var publishNeed = publishers.ScopeNeed{"instagram_business_content_publish", "instagram_content_publish"}

func needs(string, publishers.Content) []publishers.ScopeNeed {
	return []publishers.ScopeNeed{publishNeed}
}
