package fakeconsent

import (
	"html/template"
	"net/http"
	"net/url"
)

// Page is what a platform's consent page shows: its title and
// question, the form field naming the user who consents (and its
// default), and the label of the button that refuses.
type Page struct {
	Title, Heading string
	// Field is the form field of the user's id ("user", "member",
	// "open_id", "account"), Label its label, Default its value when
	// the form leaves it empty.
	Field, Label, Default string
	// Deny labels the refusing button ("Deny", "Cancel").
	Deny string
}

var page = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Heading}}</h1><p>{{.Scope}}</p>
<form method="post">
<p><label>{{.Label}} <input name="{{.Field}}" value="{{.Default}}"></label></p>
<button name="decision" value="allow" id="allow">Allow</button>
<button name="decision" value="deny" id="deny">{{.Deny}}</button>
</form></body></html>
`))

// Consent is a fake's consent page: GET shows it, POST takes the
// decision (decision=allow|deny and the user's field).
type Consent struct {
	Page Page
	// Check refuses an authorize request (its query) as the platform
	// does before showing consent, naming the problem; "" lets it
	// through.
	Check func(q url.Values) string
	// Refused prefixes Check's words in the 400 page ("Error 400: "
	// for Google, "param_error: " for TikTok).
	Refused string
	// Denied are the parameters the platform sends back when the user
	// refuses (error=access_denied and its description words).
	Denied url.Values
	// Allow makes the parameters sent back when user allowed (a code,
	// and any the platform adds), from the authorize query q and the
	// decision form.
	Allow func(q, form url.Values, user string) url.Values
	// Suffix is appended to the redirect (Instagram appends "#_").
	Suffix string
}

// Show serves GET: the page, or a 400 for a bad authorize request,
// never a redirect (a redirect_uri not yet checked gets nothing).
func (c *Consent) Show(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if p := c.Check(q); p != "" {
		http.Error(w, c.Refused+p, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, struct {
		Page
		Scope string
	}{c.Page, q.Get("scope")})
}

// Decide serves POST: the authorize request is checked again, then the
// browser goes back with Denied or with what Allow made.
func (c *Consent) Decide(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if p := c.Check(q); p != "" {
		http.Error(w, c.Refused+p, http.StatusBadRequest)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	_ = r.ParseForm()
	if r.PostForm.Get("decision") != "allow" {
		Back(w, r, q, c.Denied, c.Suffix)
		return
	}
	user := r.PostForm.Get(c.Page.Field)
	if user == "" {
		user = c.Page.Default
	}
	Back(w, r, q, c.Allow(q, r.PostForm, user), c.Suffix)
}

// Back answers a consent decision as the platforms do: 303 to the
// authorize request's redirect_uri (its own query kept) with the
// request's state, when it had one, and params (code or error). suffix is
// appended to the location (Instagram adds "#_").
func Back(w http.ResponseWriter, r *http.Request, authorize, params url.Values, suffix string) {
	back, _ := url.Parse(authorize.Get("redirect_uri"))
	q := back.Query()
	if st := authorize.Get("state"); st != "" {
		q.Set("state", st)
	}
	for k, vs := range params {
		q[k] = vs
	}
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String()+suffix, http.StatusSeeOther)
}
