package publishers_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/heraldhq/herald/publishers"
)

func TestUnmet(t *testing.T) {
	upload := publishers.ScopeNeed{"upload", "all"}
	manage := publishers.ScopeNeed{"manage", "all"}
	tests := []struct {
		name    string
		needs   []publishers.ScopeNeed
		granted []string
		want    []string
	}{
		{"met by the first", []publishers.ScopeNeed{upload}, []string{"upload"}, nil},
		{"met by another", []publishers.ScopeNeed{upload}, []string{"x", "all"}, nil},
		{"one of two met", []publishers.ScopeNeed{upload, manage}, []string{"upload"}, []string{"manage or all"}},
		{"nothing granted", []publishers.ScopeNeed{upload, manage}, nil, []string{"upload or all", "manage or all"}},
		{"no needs", nil, nil, nil},
		{"an empty need asks nothing", []publishers.ScopeNeed{{}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, n := range publishers.Unmet(tt.needs, tt.granted) {
				got = append(got, n.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("unmet %q, want %q", got, tt.want)
			}
		})
	}
}

// A platform without Needs asks nothing; one with Needs is asked with
// the post.
func TestRegistryMissingScopes(t *testing.T) {
	r := publishers.RegistryOf([]publishers.Platform{
		{Name: "quiet", Publisher: echo{}},
		{Name: "picky", Publisher: echo{}, Needs: func(_ string, c publishers.Content) []publishers.ScopeNeed {
			if c.Options["album"] != "" {
				return []publishers.ScopeNeed{{"write"}, {"albums"}}
			}
			return []publishers.ScopeNeed{{"write"}}
		}},
	})
	if m := r.MissingScopes("quiet", "u", publishers.Content{}, nil); m != nil {
		t.Errorf("quiet: %v", m)
	}
	if m := r.MissingScopes("picky", "u", publishers.Content{}, []string{"write"}); m != nil {
		t.Errorf("picky, plain post: %v", m)
	}
	if m := r.MissingScopes("picky", "u", publishers.Content{Options: map[string]string{"album": "a"}}, []string{"write"}); len(m) != 1 || m[0].String() != "albums" {
		t.Errorf("picky, album post: %v", m)
	}
}

// The worker asks the registry, before it calls a platform, which scopes
// a post needs that the account's grant lacks.
func ExampleRegistry_MissingScopes() {
	r := publishers.RegistryOf([]publishers.Platform{{
		Name: "video", Publisher: echo{},
		Needs: func(string, publishers.Content) []publishers.ScopeNeed {
			return []publishers.ScopeNeed{{"video.upload", "video.all"}}
		},
	}})
	for _, granted := range [][]string{{"video.read"}, {"video.all"}} {
		fmt.Println(granted, "misses", r.MissingScopes("video", "user-1", publishers.Content{Text: "hi"}, granted))
	}
	// Output:
	// [video.read] misses [video.upload or video.all]
	// [video.all] misses []
}
