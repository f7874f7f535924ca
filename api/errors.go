package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/jobs"
)

// Error codes: the stable, machine-readable part of every error response.
const (
	codeBadJSON          = "invalid_json"
	codeInvalid          = "invalid"
	codeUnsupported      = "unsupported"
	codeUnauthorized     = "unauthorized"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeConflict         = "conflict"
	codeAlreadyPublished = "already_published"
	codeFinal            = "final"
	codePublishing       = "publishing"
	codeNotConnected     = "not_connected"
	codeTooLarge         = "too_large"
	codeRateLimited      = "rate_limited"
	codeMediaType        = "unsupported_media_type"
	codeNotImplemented   = "not_implemented"
	codeInternal         = "internal"
	codeUnavailable      = "unavailable"
	codeCannotRemove     = "cannot_remove"
	codeNotPublished     = "not_published"
)

// statusInvalid is the status of a well-formed request with wrong field
// values: 400, as for malformed JSON (the contract); error.code
// (invalid, invalid_json) tells them apart. See doc.go.
const statusInvalid = http.StatusBadRequest

// problem is an error with everything its response needs. Handlers return
// one (or an error of jobs or tokens, which respond maps to one).
type problem struct {
	status     int
	code       string
	message    string
	fields     []fieldProblem
	retryAfter int // seconds; 0: no Retry-After header
}

func (p *problem) Error() string { return p.message }

// fieldProblem names one wrong field of a request, as a JSON path
// ("content.media[2].url").
type fieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// errorBody is the one error shape every response uses. It is an RFC 9457
// problem document (type, title, status, detail) whose extension member
// "error" holds Herald's code, message and the wrong fields.
type errorBody struct {
	Type   string      `json:"type"`
	Title  string      `json:"title"`
	Status int         `json:"status"`
	Detail string      `json:"detail"`
	Error  errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Fields  []fieldProblem `json:"fields,omitempty"`
}

func newProblem(status int, code, message string) *problem {
	return &problem{status: status, code: code, message: message}
}

// invalid is a 400 naming the wrong fields.
func invalid(fields ...fieldProblem) *problem {
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f.Field + ": " + f.Problem
	}
	return &problem{status: statusInvalid, code: codeInvalid, message: strings.Join(msgs, "; "), fields: fields}
}

// problemFor maps an error of a handler, jobs or tokens to its response.
// A nil result means an internal error, whose text is logged and not
// shown.
func problemFor(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	if fields := fieldErrors(err); len(fields) > 0 {
		return invalid(fields...)
	}
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		return newProblem(http.StatusNotFound, codeNotFound, err.Error())
	case errors.Is(err, jobs.ErrConflict):
		return newProblem(http.StatusConflict, codeConflict, err.Error())
	case errors.Is(err, jobs.ErrAlreadyPublished):
		return newProblem(http.StatusConflict, codeAlreadyPublished, err.Error())
	case errors.Is(err, jobs.ErrFinal):
		return newProblem(http.StatusConflict, codeFinal, err.Error())
	case errors.Is(err, jobs.ErrCannotRemove):
		return newProblem(http.StatusConflict, codeCannotRemove, err.Error())
	case errors.Is(err, jobs.ErrNotPublished):
		return newProblem(http.StatusConflict, codeNotPublished, err.Error())
	case errors.Is(err, jobs.ErrStarted):
		return newProblem(http.StatusConflict, codeConflict, err.Error())
	case jobs.IsRedisFull(err):
		p := newProblem(http.StatusServiceUnavailable, codeUnavailable, jobs.ErrRedisFull.Error())
		p.retryAfter = 60
		return p
	case errors.Is(err, jobs.ErrPublishing):
		p := newProblem(http.StatusConflict, codePublishing, err.Error()+": try again in a few seconds")
		p.retryAfter = 5
		return p
	}
	return nil
}

// fieldErrors collects every field error (of jobs or tokens) in err's tree
// (Validate joins several).
func fieldErrors(err error) []fieldProblem {
	var out []fieldProblem
	var walk func(error)
	walk = func(e error) {
		switch e := e.(type) {
		case nil:
			return
		case *input.FieldError: // jobs' and tokens' alike
			out = append(out, fieldProblem{e.Field, e.Problem})
			return
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// writeProblem writes p as the response.
func writeProblem(w http.ResponseWriter, p *problem) {
	if p.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
	}
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	writeJSONAs(w, "application/problem+json", p.status, errorBody{
		Type:   "about:blank",
		Title:  http.StatusText(p.status),
		Status: p.status,
		Detail: p.message,
		Error:  errorDetail{Code: p.code, Message: p.message, Fields: p.fields},
	})
}
