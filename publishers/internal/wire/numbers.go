package wire

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/heraldhq/herald/publishers"
)

// NumericFields reads a JSON object from a platform and returns its
// top-level members whose values are whole JSON numbers that fit an
// int64 and are not negative (Integer), under the platform's own names:
// the raw metrics of an answer such as {"view_count": 12, "id": "74..."}.
// Strings, fractions, negative numbers, booleans, nulls and nested values
// are left out, and so is a member named "id" (some platforms send ids as
// bare numbers): an id is never taken for a count. Anything that is not
// an object gives an empty publishers.Metrics.
func NumericFields(b []byte) publishers.Metrics {
	out := publishers.Metrics{}
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return out
	}
	for name, raw := range obj {
		if name == "id" {
			continue
		}
		if n, ok := Integer(raw); ok {
			out[name] = n
		}
	}
	return out
}

// Integer reads raw as a whole JSON number that fits an int64 and is not
// negative ("12"; "1e3" and "-3" are not): the value of one raw metric.
// No platform counts below zero, so such a number is garbage, not a count.
func Integer(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] < '0' || raw[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// Count reads a count or a code sent as a whole JSON number or as a
// string of one ("463"), by Integer's rules; anything else is 0. Raw
// metrics are not read this way: a quoted number may be an id.
func Count(raw json.RawMessage) int64 {
	n, _ := Integer(bytes.Trim(bytes.TrimSpace(raw), `"`))
	return n
}

// Renamed is the metrics of m that names has a name for, under that name:
// the common metrics derived from the raw ones, so that the two always
// agree. names must not give two raw names the same name.
func Renamed(m publishers.Metrics, names map[string]string) publishers.Metrics {
	out := publishers.Metrics{}
	for raw, name := range names {
		if n, ok := m[raw]; ok {
			out[name] = n
		}
	}
	return out
}
