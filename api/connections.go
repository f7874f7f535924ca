package api

import (
	"net/http"

	"github.com/heraldhq/herald/connect"
)

// Connecting an account through Herald (package connect): the app asks
// for an authorize URL with its key; the platform sends the browser back
// to a public callback, whose state is its credential.

func (a *API) connectionRoutes() {
	a.handle("POST /v1/connections", a.startConnection)
	a.handlePublic("GET /v1/oauth/{platform}/callback", a.oauthCallback)
}

// connectionRequest is POST /v1/connections' body.
type connectionRequest struct {
	Platform  string   `json:"platform"`
	AccountID string   `json:"account_id"`
	ReturnURL string   `json:"return_url"`
	Scopes    []string `json:"scopes"`
	LoginHint string   `json:"login_hint"`
}

var errConnectOff = newProblem(http.StatusServiceUnavailable, codeUnavailable,
	"connecting accounts through Herald is not set up on this server: set HERALD_PUBLIC_URL and HERALD_CONNECT_RETURN_URLS")

// startConnection answers 201 with the platform's authorize URL, bound
// to the key that asked and its tenant.
func (a *API) startConnection(w http.ResponseWriter, r *http.Request) error {
	if a.o.Connect == nil {
		return errConnectOff
	}
	var req connectionRequest
	if p := decodeJSON(w, r, a.o.MaxBodyBytes, &req); p != nil {
		return p
	}
	who := callerOf(r) // ServeHTTP let the request in: the key is good
	ctx, cancel := detach(r)
	defer cancel()
	started, err := a.o.Connect.Start(ctx, connect.Request{
		Platform: req.Platform, AccountID: req.AccountID, ReturnURL: req.ReturnURL,
		Scopes: req.Scopes, LoginHint: req.LoginHint, Key: who.key, Tenant: who.tenant,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, started)
	return nil
}

// oauthCallback is where the platforms send the browser back.
func (a *API) oauthCallback(w http.ResponseWriter, r *http.Request) {
	if a.o.Connect == nil {
		writeProblem(w, errConnectOff)
		return
	}
	a.o.Connect.ServeCallback(w, r)
}
