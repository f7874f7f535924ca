package youtubetest

import "testing"

func TestParseUploadRange(t *testing.T) {
	tests := []struct {
		h                  string
		length             int64
		first, last, total int64
		query, ok          bool
	}{
		{"bytes 0-9/100", 10, 0, 9, 100, false, true},
		{"bytes 10-19/*", 10, 10, 19, -1, false, true},
		{"bytes */100", 0, 0, 0, 100, true, true},
		{"bytes */*", 0, 0, 0, -1, true, true},
		{"", 10, 0, 9, 10, false, true},
		{"", 0, 0, 0, 0, false, false},
		{"bytes */100", 5, 0, 0, 100, true, false},
		{"bytes 0-9/100", 11, 0, 0, 0, false, false},
		{"bytes 9-0/100", 0, 0, 0, 0, false, false},
		{"bytes 0-100/100", 101, 0, 0, 0, false, false},
		{"bytes -1-9/100", 11, 0, 0, 0, false, false},
		{"items 0-9/100", 10, 0, 0, 0, false, false},
	}
	for _, tt := range tests {
		first, last, total, query, ok := parseUploadRange(tt.h, tt.length)
		if ok != tt.ok || ok && (first != tt.first || last != tt.last || total != tt.total || query != tt.query) {
			t.Errorf("parseUploadRange(%q, %d) = %d %d %d %v %v", tt.h, tt.length, first, last, total, query, ok)
		}
	}
}

func FuzzParseUploadRange(f *testing.F) {
	f.Add("bytes 0-9/100", int64(10))
	f.Add("bytes */*", int64(0))
	f.Add("bytes 5-4/3", int64(-1))
	f.Fuzz(func(t *testing.T, h string, length int64) {
		first, last, total, query, ok := parseUploadRange(h, length)
		if !ok || query {
			return
		}
		if first < 0 || last < first || total >= 0 && last >= total {
			t.Errorf("parseUploadRange(%q, %d) = %d %d %d", h, length, first, last, total)
		}
	})
}
