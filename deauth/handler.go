package deauth

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"strings"
)

// The HTTP side. Each Serve method reads one callback's request, acts,
// writes the success answer the platform expects, and returns what went
// wrong otherwise, for the caller to answer in its own error format
// (package api answers problem+json; see AnswerFor).

// maxBody bounds every callback's body: the platforms send well under
// 8 KiB.
const maxBody = 64 << 10

// Answer is how to answer an error a Serve method returned, in whatever
// error format the caller writes. AnswerFor is the one classification of
// the package's errors, so an error added here is answered alike by
// every caller.
type Answer struct {
	Status int
	// Code is stable and machine-readable: the InvalidError's code, or
	// one of CodeTooLarge, CodeNotFound, CodeUnavailable, CodeInternal
	// (package api's codes of the same names).
	Code string
	// Message is safe to show the sender; "" for an internal error,
	// whose text is for the server's log.
	Message string
	// RetryAfter, in seconds, tells the sender when to come back; 0 when
	// retrying soon will not help.
	RetryAfter int
}

// Codes of an Answer that is not an InvalidError's.
const (
	CodeTooLarge    = "too_large"
	CodeNotFound    = "not_found"
	CodeUnavailable = "unavailable"
	CodeInternal    = "internal"
)

// AnswerFor classifies an error a Serve method returned.
func AnswerFor(err error) Answer {
	var ie *InvalidError
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, ErrInvalid):
		code := CodeInvalidRequest
		if errors.As(err, &ie) {
			code = ie.Code
		}
		return Answer{Status: http.StatusBadRequest, Code: code, Message: err.Error()}
	case errors.As(err, &mbe):
		return Answer{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge, Message: "the body is larger than a platform notice can be"}
	case errors.Is(err, ErrNotFound):
		return Answer{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no data deletion request has this confirmation code"}
	case errors.Is(err, ErrInProgress):
		return Answer{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "the same notice is being handled now; try again shortly", RetryAfter: 30}
	case errors.Is(err, ErrNotConfigured):
		// Its own text says what is missing; retrying will not help.
		return Answer{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: err.Error()}
	case errors.Is(err, ErrUnavailable):
		return Answer{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "the notice cannot be verified now; try again later", RetryAfter: 60}
	}
	return Answer{Status: http.StatusInternalServerError, Code: CodeInternal}
}

// StatusFor is the HTTP status of an error a Serve method returned.
func StatusFor(err error) int { return AnswerFor(err).Status }

// signedRequestField reads the signed_request of a form post.
func signedRequestField(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data" {
		return "", invalid("meta", CodeInvalidRequest, "the body must be a form (application/x-www-form-urlencoded) with a signed_request field")
	}
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", err
		}
		return "", invalid("meta", CodeInvalidRequest, "the body is not a form")
	}
	return r.PostForm.Get("signed_request"), nil
}

// ServeMetaDeauthorize serves Meta's deauthorize callback: a form post
// of signed_request. 200 once the accounts are disconnected.
func (rc *Receiver) ServeMetaDeauthorize(w http.ResponseWriter, r *http.Request) error {
	sr, err := signedRequestField(w, r)
	if err != nil {
		return rc.refuse(r.Context(), "meta", ActionDisconnect, err)
	}
	if err := rc.MetaDeauthorize(r.Context(), sr); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "disconnected"})
	return nil
}

// ServeMetaDataDeletion serves Meta's data deletion request callback: a
// form post of signed_request, answered with
// {"url": <status URL>, "confirmation_code": <code>} once the accounts
// are erased.
func (rc *Receiver) ServeMetaDataDeletion(w http.ResponseWriter, r *http.Request) error {
	sr, err := signedRequestField(w, r)
	if err != nil {
		return rc.refuse(r.Context(), "meta", ActionErase, err)
	}
	d, err := rc.MetaDataDeletion(r.Context(), sr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// ServeDeletionStatus serves the status page of a data deletion request,
// by the confirmation code in the path value "code": JSON, or a short
// HTML page for a browser (the link Meta shows the user).
func (rc *Receiver) ServeDeletionStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := rc.Status(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'")
		w.WriteHeader(http.StatusOK)
		return statusPage.Execute(w, st)
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

var statusPage = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data deletion request {{.ConfirmationCode}}</title></head>
<body><h1>Data deletion request</h1>
<p>Confirmation code: <code>{{.ConfirmationCode}}</code></p>
<p>Status: <strong>{{.State}}</strong>. {{.Message}}</p>
<p>Requested {{.RequestedAt.Format "2006-01-02 15:04 MST"}}{{if not .CompletedAt.IsZero}}; completed {{.CompletedAt.Format "2006-01-02 15:04 MST"}}{{end}}.</p>
</body></html>
`))

// ServeGoogleRISC serves Google's Cross-Account Protection receiver: the
// body is the security event token (application/secevent+jwt). 202 once
// the events are handled.
func (rc *Receiver) ServeGoogleRISC(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return rc.refuse(r.Context(), "google", "", err)
	}
	if err := rc.GoogleRISC(r.Context(), string(b)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ServeTikTok serves TikTok's webhooks (TikTok-Signature header, JSON
// body). 200, as TikTok requires, once the event is handled.
func (rc *Receiver) ServeTikTok(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return rc.refuse(r.Context(), "tiktok", "", err)
	}
	if err := rc.TikTok(r.Context(), r.Header.Get("TikTok-Signature"), b); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
