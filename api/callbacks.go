package api

import (
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

// callbackProblem answers a deauth error as deauth.AnswerFor classifies
// it, so the two cannot drift apart. Internal errors (500) stay errors,
// for fail to log and hide.
func callbackProblem(err error) error {
	if err == nil {
		return nil
	}
	ans := deauth.AnswerFor(err)
	if ans.Status == http.StatusInternalServerError {
		return err
	}
	p := newProblem(ans.Status, ans.Code, ans.Message)
	p.retryAfter = ans.RetryAfter
	return p
}
