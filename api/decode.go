package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// DefaultMaxBodyBytes bounds a request body. The largest valid post (35
// media URLs, 50 options, 10,000 characters of text) is about a third
// of it.
const DefaultMaxBodyBytes = 1 << 20

// decodeJSON reads r's body, at most max bytes, into dst: one JSON
// object, no unknown fields, nothing after it. Its errors are problems
// that say where the body went wrong.
func decodeJSON(w http.ResponseWriter, r *http.Request, max int64, dst any) *problem {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return newProblem(http.StatusUnsupportedMediaType, codeMediaType, "send the body as JSON with Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem(http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("request body larger than %d bytes", max))
	}
	if err != nil {
		return newProblem(http.StatusBadRequest, codeBadJSON, "could not read the request body")
	}
	return unmarshalStrict(body, dst)
}

// unmarshalStrict is decodeJSON's parser, apart for fuzzing.
func unmarshalStrict(body []byte, dst any) *problem {
	if len(bytes.TrimSpace(body)) == 0 {
		return newProblem(http.StatusBadRequest, codeBadJSON, "request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(body, err)
	}
	if p := textProblem(body); p != nil {
		return p
	}
	// Anything but white space after the object is refused: a client that
	// sent two objects, or garbage, meant something we would not do.
	end := dec.InputOffset()
	if rest := body[end:]; len(bytes.TrimSpace(rest)) > 0 {
		skipped := len(rest) - len(bytes.TrimLeft(rest, " \t\r\n"))
		line, col := position(body, end+int64(skipped))
		return newProblem(http.StatusBadRequest, codeBadJSON, fmt.Sprintf("unexpected data after the JSON object at line %d, column %d", line, col))
	}
	return nil
}

// jsonProblem says what is wrong with body, and where.
func jsonProblem(body []byte, err error) *problem {
	bad := func(msg string, fields ...fieldProblem) *problem {
		p := newProblem(http.StatusBadRequest, codeBadJSON, msg)
		p.fields = fields
		return p
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the offending byte; point at it.
		line, col := position(body, syn.Offset-1)
		return bad(fmt.Sprintf("invalid JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syn.Error(), "json: ")))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bad("invalid JSON: the body ends before the JSON does")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return bad("the body must be a JSON object, not " + typ.Value)
		}
		line, col := position(body, typ.Offset)
		got := typ.Value
		if got == "bool" {
			got = "boolean"
		}
		f := fieldProblem{typ.Field, fmt.Sprintf("must be %s, not %s", jsonType(typ.Type), got)}
		return bad(fmt.Sprintf("%s at line %d, column %d: %s", f.Field, line, col, f.Problem), f)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f := fieldProblem{strings.Trim(name, `"`), "unknown field"}
		return bad(fmt.Sprintf("unknown field %s", name), f)
	}
	return bad("invalid JSON")
}

// position turns a byte offset of body into a 1-based line and column.
func position(body []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(body))))
	before := body[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// jsonType names a Go type as the JSON a client should send for it.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonType(t.Elem())
	}
	return "another type"
}

// timeLayout is what every time field takes: RFC 3339, with a zone.
const timeLayout = time.RFC3339Nano

// parseTime reads an optional RFC 3339 time field; "" is the zero time.
func parseTime(field, s string) (time.Time, *fieldProblem) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, &fieldProblem{field, "must be an RFC 3339 time with a time zone, like 2026-05-01T09:30:00Z"}
	}
	return t, nil
}

// minPublishAt is the earliest publish_at taken. Year 0000 or 0001 is a
// client's zero value, not a time: it is refused as such rather than
// reported centuries late (a duration that saturates). Other time fields
// keep taking Go's zero time as "none" (a token without expiry).
var minPublishAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxScheduleDays is how far ahead a post may be scheduled: 730 days. A
// time further ahead is a mistake (year 9999), and a task that waits for
// years would outlive the keys and accounts it needs.
const MaxScheduleDays = 730

// parsePublishAt reads publish_at: a time, at most MaxScheduleDays after
// now. (How far in the past it may be is the Client's lateness rule.)
func parsePublishAt(s string, now time.Time) (time.Time, *fieldProblem) {
	t, fp := parseTime("publish_at", s)
	if fp != nil || s == "" {
		return t, fp // missing: jobs' validation says it is required
	}
	if t.Before(minPublishAt) {
		return time.Time{}, &fieldProblem{"publish_at", fmt.Sprintf("year %04d: not a time (the zero value of a date type?)", t.Year())}
	}
	if t.After(now.AddDate(0, 0, MaxScheduleDays)) {
		days := int64(t.Sub(now) / (24 * time.Hour))
		return time.Time{}, &fieldProblem{"publish_at", fmt.Sprintf("%d days ahead, more than the %d days a post may be scheduled ahead", days, MaxScheduleDays)}
	}
	return t, nil
}
