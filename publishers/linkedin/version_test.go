package linkedin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/linkedin"
)

// Doctor warns when the configured LinkedIn-Version is more than nine
// months old and fails once it is more than twelve (LinkedIn sunsets it
// in its thirteenth month).
func TestDoctorReviewsTheVersionAge(t *testing.T) {
	dec := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		version string
		now     time.Time
		want    string // "", "warning" or "problem"
		says    string
	}{
		{"202607", dec, "", ""},
		{"", dec, "", ""}, // DefaultVersion is current
		{"202603", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "", ""}, // 9 months exactly
		{"202603", dec, "warning", "9 months"},                           // 9 months and 5 days
		{"202602", dec, "warning", "10 months"},
		{"202601.02", dec, "warning", "January 15, 2027"},
		{"202512", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "warning", "12 months"}, // 12 exactly
		{"202512", dec, "problem", "12 months"},                                          // sunset December 15, 2026
		{"202510", dec, "problem", "426"},                                                // the old default
		{"202701", dec, "problem", "future"},
		{"2026-07", dec, "problem", "not YYYYMM"},
		{"202613", dec, "problem", "not YYYYMM"},
	}
	for _, tt := range tests {
		p := linkedin.Platform(linkedin.Options{Version: tt.version}, linkedin.OAuth{})
		fs := p.Doctor.Review(tt.now)
		got := ""
		if len(fs) > 0 {
			got = "warning"
			if fs[0].Problem {
				got = "problem"
			}
		}
		if got != tt.want || len(fs) > 1 || (len(fs) == 1 && !strings.Contains(fs[0].Message, tt.says)) {
			t.Errorf("version %q: %s %v, want %s naming %q", tt.version, got, fs, tt.want, tt.says)
		}
	}
}

// The default is one LinkedIn serves on the day it was set, and for
// nine months more without a warning.
func TestDefaultVersionIsCurrent(t *testing.T) {
	month, ok := linkedin.VersionMonth(linkedin.DefaultVersion)
	if !ok {
		t.Fatalf("DefaultVersion %q is not YYYYMM", linkedin.DefaultVersion)
	}
	set := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC) // when it was last moved
	if month.After(set) || set.Sub(month) > 9*31*24*time.Hour {
		t.Errorf("DefaultVersion %s was not current on %s", linkedin.DefaultVersion, set.Format(time.DateOnly))
	}
}
