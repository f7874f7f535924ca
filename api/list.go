package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/heraldhq/herald/jobs"
)

// listPosts pages through an account's posts by publish time:
// GET /v1/posts?account_id=&state=&from=&to=&limit=&cursor=.
func (a *API) listPosts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return a.writePostPage(w, r, q.Get("account_id"), q)
}

// listAccountPosts is GET /v1/accounts/{id}/posts: the same listing with
// the account in the path.
func (a *API) listAccountPosts(w http.ResponseWriter, r *http.Request) error {
	return a.writePostPage(w, r, r.PathValue("id"), r.URL.Query())
}

func (a *API) writePostPage(w http.ResponseWriter, r *http.Request, account string, q url.Values) error {
	lq, p := listQuery(account, q)
	if p != nil {
		return p
	}
	page, err := a.client(r).ListPosts(r.Context(), lq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// listQuery reads a listing's query parameters, naming every wrong one;
// the Client checks the rest (state, the limit's range, the cursor).
func listQuery(account string, q url.Values) (jobs.ListQuery, *problem) {
	lq := jobs.ListQuery{AccountID: account, State: jobs.State(q.Get("state")), Cursor: q.Get("cursor")}
	var fields []fieldProblem
	if p := checkID("account_id", account); p != nil {
		fields = append(fields, p.fields...)
	}
	var fp *fieldProblem
	if lq.From, fp = parseTime("from", q.Get("from")); fp != nil {
		fields = append(fields, *fp)
	}
	if lq.To, fp = parseTime("to", q.Get("to")); fp != nil {
		fields = append(fields, *fp)
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > jobs.MaxListLimit {
			fields = append(fields, fieldProblem{"limit", "must be a whole number from 1 to 500"})
		}
		lq.Limit = n
	}
	if len(fields) > 0 {
		return lq, invalid(fields...)
	}
	return lq, nil
}
