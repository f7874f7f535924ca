package randomid_test

import (
	"testing"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/internal/randomid"
)

func TestNewIsAnIDAndFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := randomid.New()
		if len(id) != 24 || !input.ValidID(id) {
			t.Fatalf("New() = %q: not 24 hex digits that pass the id rule", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}
