package publishers_test

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
)

// A platform listed twice is a wiring mistake caught at start, even when
// one of the two has no publisher.
func TestRegistryOfRefusesAPlatformListedTwice(t *testing.T) {
	for _, ps := range [][]publishers.Platform{
		{{Name: "sandbox", Publisher: echo{}}, {Name: "sandbox", Publisher: echo{}}},
		{{Name: "sandbox"}, {Name: "sandbox", Publisher: echo{}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegistryOf(%v) did not panic", publishers.Names(ps))
				}
			}()
			publishers.RegistryOf(ps)
		}()
	}
}
