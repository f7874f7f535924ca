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
	return func(w http.ResponseWriter, r *http.Request) {
		if a.o.Callbacks == nil {
			writeProblem(w, newProblem(http.StatusServiceUnavailable, codeUnavailable, "platform callbacks are not set up on this server"))
			return
		}
		if err := serve(a.o.Callbacks, w, r); err != nil {
			a.fail(w, r, callbackProblem(err))
		}
	}
}

// callbackProblem maps a deauth error to its response. Internal errors
// stay errors, for fail to log and hide.
func callbackProblem(err error) error {
	status := deauth.StatusFor(err)
	var ie *deauth.InvalidError
	switch {
	case errors.As(err, &ie):
		return newProblem(status, ie.Code, err.Error())
	case status == http.StatusRequestEntityTooLarge:
		return newProblem(status, codeTooLarge, "the body is larger than a platform notice can be")
	case errors.Is(err, deauth.ErrNotFound):
		return newProblem(status, codeNotFound, "no data deletion request has this confirmation code")
	case errors.Is(err, deauth.ErrInProgress):
		p := newProblem(status, codeUnavailable, "the same notice is being handled now; try again shortly")
		p.retryAfter = 30
		return p
	case errors.Is(err, deauth.ErrNotConfigured):
		return newProblem(status, codeUnavailable, err.Error())
	case errors.Is(err, deauth.ErrUnavailable):
		p := newProblem(status, codeUnavailable, "the notice cannot be verified now; try again later")
		p.retryAfter = 60
		return p
	}
	return err
}
