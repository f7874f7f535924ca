package wire_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

func TestNumericFields(t *testing.T) {
	tests := []struct {
		in   string
		want publishers.Metrics
	}{
		{`{"view_count":12,"like_count":0,"id":"7400000000000000001"}`, publishers.Metrics{"view_count": 12, "like_count": 0}},
		{`{"view_count":12,"id":7400000000000000001}`, publishers.Metrics{"view_count": 12}}, // an unquoted id is not a count either
		{`{"impressionCount":1000,"engagement":0.05,"big":9223372036854775807,"over":9223372036854775808}`, publishers.Metrics{"impressionCount": 1000, "big": 9223372036854775807}},
		{`{"n":-3,"m":-0,"e":1e3,"t":true,"z":null,"o":{"x":1},"a":[1],"s":"5","k":7}`, publishers.Metrics{"k": 7}}, // no platform counts below zero
		{`[1,2]`, publishers.Metrics{}},
		{`not json`, publishers.Metrics{}},
		{``, publishers.Metrics{}},
	}
	for _, tt := range tests {
		if got := wire.NumericFields([]byte(tt.in)); !maps.Equal(got, tt.want) {
			t.Errorf("NumericFields(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzNumericFields(f *testing.F) {
	f.Add([]byte(`{"view_count":12,"id":"74","engagement":0.5}`))
	f.Add([]byte(`{"a":-0,"b":00}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := wire.NumericFields(b)
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&obj) != nil {
			return
		}
		for name, v := range got {
			num, ok := obj[name].(json.Number)
			if !ok {
				t.Fatalf("%s = %d from %v, not a number", name, v, obj[name])
			}
			if n, err := num.Int64(); err != nil || n != v || v < 0 {
				t.Fatalf("%s = %d, answer says %s", name, v, num)
			}
		}
	})
}

func TestCount(t *testing.T) {
	for raw, want := range map[string]int64{`10000`: 10000, `"12"`: 12, ` 4294967296 `: 1 << 32, `-1`: 0, `"x"`: 0, ``: 0, `1.5`: 0, `null`: 0, `"+5"`: 0} {
		if got := wire.Count(json.RawMessage(raw)); got != want {
			t.Errorf("Count(%s) = %d, want %d", raw, got, want)
		}
	}
}

func TestRenamed(t *testing.T) {
	raw := publishers.Metrics{"view_count": 12, "like_count": 0, "favorite_count": 3}
	got := wire.Renamed(raw, map[string]string{"view_count": publishers.MetricViews, "like_count": publishers.MetricLikes, "share_count": publishers.MetricShares})
	if want := (publishers.Metrics{publishers.MetricViews: 12, publishers.MetricLikes: 0}); !maps.Equal(got, want) {
		t.Errorf("Renamed = %v, want %v", got, want)
	}
}
