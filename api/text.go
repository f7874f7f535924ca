package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Text that is not valid Unicode is refused, naming its field. The JSON
// decoder would turn each invalid UTF-8 byte, and each lone UTF-16
// surrogate escape (\ud800), into U+FFFD without a word, and Herald would
// publish text the client never wrote.

// surrogateEscape is a \u escape of a UTF-16 surrogate half, high or low.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F][0-9a-fA-F]{2}`)

// textProblem returns a 400 naming the first field of body whose text is
// not valid Unicode, or nil. Syntax errors are left to the decoder.
func textProblem(body []byte) *problem {
	if utf8.Valid(body) && !surrogateEscape.Match(body) {
		return nil // the common case: nothing to look for
	}
	field, ok := badTextField(body)
	if !ok {
		return nil
	}
	if field == "" {
		field = "(body)"
	}
	return invalid(fieldProblem{field, "not valid UTF-8 text (invalid bytes or a lone surrogate escape)"})
}

// frame is one open object or array while badTextField walks a document.
type frame struct {
	obj     bool
	key     string // obj: the current member's name
	wantKey bool   // obj: the next string is a member name
	idx     int    // array: the current element, -1 before the first
}

// badTextField walks body's tokens and returns the JSON path
// ("content.options.x", "content.media[2].url") of the first string
// (member name or value) whose literal is not valid Unicode.
func badTextField(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.idx)
			}
		}
		return b.String()
	}
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		raw := body[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].obj {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if top != nil && !top.obj {
			top.idx++
		}
		if top != nil && top.obj && top.wantKey {
			top.key, _ = tok.(string)
			top.wantKey = false
			if !validLiteral(raw) {
				return path(), true
			}
			continue
		}
		switch tok := tok.(type) {
		case json.Delim:
			stack = append(stack, &frame{obj: tok == '{', wantKey: tok == '{', idx: -1})
			continue
		case string:
			if !validLiteral(raw) {
				return path(), true
			}
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
	}
}

// validLiteral reports whether a JSON string literal (with what precedes
// it: white space, ':' or ',') is valid UTF-8 whose escapes pair every
// surrogate half.
func validLiteral(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	var locs [][]int
	for _, l := range surrogateEscape.FindAllIndex(raw, -1) {
		n := 0 // backslashes before the match: odd, and its own is escaped
		for j := l[0] - 1; j >= 0 && raw[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			locs = append(locs, l)
		}
	}
	for i := 0; i < len(locs); i++ {
		hi := raw[locs[i][0]+2 : locs[i][1]]
		if !bytes.ContainsAny(hi[1:2], "89abAB") {
			return false // a low half with no high half before it
		}
		if i+1 == len(locs) || locs[i+1][0] != locs[i][1] {
			return false // a high half not followed at once by a low half
		}
		lo := raw[locs[i+1][0]+2 : locs[i+1][1]]
		if !bytes.ContainsAny(lo[1:2], "cdefCDEF") {
			return false
		}
		i++
	}
	return true
}
