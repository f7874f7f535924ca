package api

import (
	"errors"
	"net/http"

	"github.com/heraldhq/herald/jobs"
)

// batchRequest is POST /v1/posts/batch's body.
type batchRequest struct {
	Posts []postRequest `json:"posts"`
}

// batchResult is one post's line of the answer.
type batchResult struct {
	PostID string           `json:"post_id"`
	Result string           `json:"result"`
	Status *jobs.PostStatus `json:"status,omitempty"`
	Error  *errorDetail     `json:"error,omitempty"`
}

// scheduleBatch schedules up to jobs.MaxBatch posts, each as POST
// /v1/posts would, and answers 200 with a result per post in order: a
// refused post does not refuse the batch.
func (a *API) scheduleBatch(w http.ResponseWriter, r *http.Request) error {
	var req batchRequest
	if p := decodeJSON(w, r, a.o.MaxBodyBytes*4, &req); p != nil {
		return p
	}
	switch {
	case req.Posts == nil:
		return invalid(fieldProblem{"posts", "required: an array of 1 to 500 posts"})
	case len(req.Posts) == 0 || len(req.Posts) > jobs.MaxBatch:
		return invalid(fieldProblem{"posts", "must hold 1 to 500 posts"})
	}
	out := make([]batchResult, len(req.Posts))
	var posts []jobs.Post
	var at []int // index in out of each of posts
	accounts := map[string]error{}
	ctx, cancel := detach(r)
	defer cancel()
	for i, pr := range req.Posts {
		out[i].PostID = pr.PostID
		post, p := pr.post(a.o.Now(), a.o.Client.ValidatePost)
		if p == nil {
			p = a.checkBatchAccount(r, post, accounts)
		}
		if p != nil {
			out[i].Result, out[i].Error = jobs.ResultInvalid, &errorDetail{Code: p.code, Message: p.message, Fields: p.fields}
			continue
		}
		posts, at = append(posts, post), append(at, i)
	}
	res, err := a.client(r).SchedulePosts(ctx, posts)
	if err != nil {
		return err
	}
	for k, rr := range res {
		i := at[k]
		out[i].Result = rr.Result
		if rr.Err != nil {
			p := problemFor(rr.Err)
			if p == nil {
				return rr.Err
			}
			out[i].Error = &errorDetail{Code: p.code, Message: p.message, Fields: p.fields}
			continue
		}
		st := rr.Status
		out[i].Status = &st
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
	return nil
}

// checkBatchAccount is checkAccount for a batch, asking the Vault once
// per account. As for one post, a post already stored skips the check.
func (a *API) checkBatchAccount(r *http.Request, p jobs.Post, seen map[string]error) *problem {
	key := p.AccountID + "\x00" + p.Platform
	err, ok := seen[key]
	if !ok {
		err = a.checkAccount(r, p)
		seen[key] = err
	}
	if err == nil {
		return nil
	}
	if _, serr := a.client(r).PostStatus(r.Context(), p.ID); serr == nil {
		return nil
	}
	var pr *problem
	if errors.As(err, &pr) {
		return pr
	}
	return newProblem(http.StatusServiceUnavailable, codeUnavailable, "could not check the account: try again")
}
