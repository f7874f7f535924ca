package instagram_test

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
)

// Publishing takes the content publish permission of either login.
func TestNeeds(t *testing.T) {
	needs := instagram.Platform(instagram.Options{}, instagram.Consent{}).Needs("1784", publishers.Content{})
	for granted, unmet := range map[string]int{
		"instagram_business_content_publish": 0, "instagram_content_publish": 0, "instagram_business_basic": 1,
	} {
		if n := len(publishers.Unmet(needs, []string{granted})); n != unmet {
			t.Errorf("%s: %d unmet, want %d", granted, n, unmet)
		}
	}
}
