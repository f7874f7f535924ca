package config

import "testing"

// Every setting prints as its value: none shows "?" (int64 settings did).
func TestEveryValuePrints(t *testing.T) {
	c, err := LoadFrom(map[string]string{"HERALD_EVENTS_MAX_LEN": "5000", "HERALD_YOUTUBE_UPLOAD_UNITS": "1600"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range c.Values() {
		got[v.Name] = v.Value
		if v.Value == "?" || v.Value == "" {
			t.Errorf("%s prints as %q", v.Name, v.Value)
		}
	}
	for name, want := range map[string]string{
		"HERALD_EVENTS_MAX_LEN":          "5000",
		"HERALD_MEDIA_MAX_BYTES":         "4294967296",
		"HERALD_YOUTUBE_UPLOAD_UNITS":    "1600",
		"HERALD_YOUTUBE_UNITS_PER_DAY":   "10000",
		"HERALD_YOUTUBE_UPLOADS_PER_DAY": "100",
	} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q", name, got[name], want)
		}
	}
}
