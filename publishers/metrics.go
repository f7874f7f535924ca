package publishers

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// NumericFields reads a JSON object from a platform and returns its
// top-level members whose values are whole JSON numbers that fit an
// int64, under the platform's own names: the raw metrics of an answer
// such as {"view_count": 12, "id": "74..."}. Strings, fractions,
// booleans, nulls and nested values are left out, and so is a member
// named "id" (some platforms send ids as bare numbers): an id is never
// taken for a count. Anything that is not an object gives an empty
// Metrics.
func NumericFields(b []byte) Metrics {
	out := Metrics{}
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

// Integer reads raw as a whole JSON number that fits an int64 ("12",
// "1e3" is not one): the value of one raw metric.
func Integer(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}
