package api

import (
	"errors"
	"net/http"

	"github.com/heraldhq/herald/deauth"
)

// The platforms' disconnect notices (package deauth) arrive on public
// routes: the platforms hold no API key; each notice is verified by its
// own signature instead.

func (a *API) callbackRoutes() {
	a.handlePublic("POST /v1/callbacks/meta/deauthorize", a.callback((*deauth.Receiver).ServeMetaDeauthorize))
	a.handlePublic("POST /v1/callbacks/meta/data-deletion", a.callback((*deauth.Receiver).ServeMetaDataDeletion))
	a.handlePublic("GET "+deauth.DeletionStatusPath+"{code}", a.callback((*deauth.Receiver).ServeDeletionStatus))
	a.handlePublic("POST /v1/callbacks/google/risc", a.callback((*deauth.Receiver).ServeGoogleRISC))
	a.handlePublic("POST /v1/callbacks/tiktok", a.callback((*deauth.Receiver).ServeTikTok))
}

// callback serves a deauth handler, answering its errors as every other
// error of the API: a problem document.
func (a *API) callback(serve func(*deauth.Receiver, http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return a.answer(func(w http.ResponseWriter, r *http.Request) error {
		if a.o.Callbacks == nil {
			return newProblem(http.StatusServiceUnavailable, codeUnavailable, "platform callbacks are not set up on this server")
		}
		return callbackProblem(serve(a.o.Callbacks, w, r))
	})
}

// callbackProblem maps a deauth error to its response: the status is
// deauth.StatusFor's; the API adds the code and, where the sender should
// come back, a Retry-After. Internal errors (500) stay errors, for fail
// to log and hide.
func callbackProblem(err error) error {
	if err == nil {
		return nil
	}
	status := deauth.StatusFor(err)
	var ie *deauth.InvalidError
	switch {
	case errors.As(err, &ie):
		return newProblem(status, ie.Code, err.Error())
	case status == http.StatusRequestEntityTooLarge:
		return newProblem(status, codeTooLarge, "the body is larger than a platform notice can be")
	case status == http.StatusNotFound:
		return newProblem(status, codeNotFound, "no data deletion request has this confirmation code")
	case status == http.StatusServiceUnavailable:
		p := newProblem(status, codeUnavailable, err.Error())
		switch {
		case errors.Is(err, deauth.ErrInProgress):
			p.message, p.retryAfter = "the same notice is being handled now; try again shortly", 30
		case errors.Is(err, deauth.ErrNotConfigured):
			// Its own text says what is missing; retrying will not help.
		case errors.Is(err, deauth.ErrUnavailable):
			p.message, p.retryAfter = "the notice cannot be verified now; try again later", 60
		}
		return p
	}
	return err
}
