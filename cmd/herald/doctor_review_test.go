package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// Doctor reports what a platform's descriptor reviews at doctor's clock:
// LinkedIn's configured version as it ages, through the platform list the
// binary runs.
func TestDoctorReviewsLinkedInVersion(t *testing.T) {
	for _, tt := range []struct {
		version            string
		warnings, problems int
	}{
		{"202607", 0, 0},
		{"202602", 1, 0},
		{"202510", 0, 1},
	} {
		cfg := config.Config{LinkedInVersion: tt.version}
		ps, err := platforms(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var li []publishers.Platform
		for _, p := range ps {
			if p.Name == "linkedin" {
				li = append(li, p)
			}
		}
		var out bytes.Buffer
		d := &diagnosis{w: &out}
		doctorPlatforms(d, li, tokens.Census{}, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
		if d.warnings != tt.warnings || d.problems != tt.problems {
			t.Errorf("%s: %d warnings, %d problems, want %d, %d:\n%s", tt.version, d.warnings, d.problems, tt.warnings, tt.problems, out.String())
		}
		if tt.warnings+tt.problems > 0 && !strings.Contains(out.String(), "HERALD_LINKEDIN_VERSION "+tt.version) {
			t.Errorf("%s: doctor does not name the setting:\n%s", tt.version, out.String())
		}
	}
}
