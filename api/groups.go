package api

import (
	"net/http"

	"github.com/heraldhq/herald/jobs"
)

// Post groups: the posts that name one group_id (a campaign on several
// platforms). A group needs no registration; it exists while it has
// posts.

// getGroup answers every post of the group with its state, by publish
// time; 404 when the group has no post.
func (a *API) getGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("group_id", id); p != nil {
		return p
	}
	g, err := a.client(r).GroupStatus(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g)
	return nil
}

// groupCancelResult is one post's line of DELETE /v1/groups/{id}.
type groupCancelResult struct {
	PostID string           `json:"post_id"`
	Result string           `json:"result"`
	Status *jobs.PostStatus `json:"status,omitempty"`
	Error  *errorDetail     `json:"error,omitempty"`
}

// cancelGroup cancels every post of the group not yet published, as
// DELETE /v1/posts/{id} does each, and answers 200 with a result per
// post: canceled, cancel_requested, or refused with the error cancel
// would answer (already_published, final).
func (a *API) cancelGroup(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("group_id", id); p != nil {
		return p
	}
	ctx, cancel := detach(r)
	defer cancel()
	res, err := a.client(r).CancelGroup(ctx, id)
	if err != nil {
		return err
	}
	out := make([]groupCancelResult, len(res))
	for i, rr := range res {
		st := rr.Status
		out[i] = groupCancelResult{PostID: rr.PostID, Result: rr.Result, Status: &st}
		if rr.Err != nil {
			p := problemFor(rr.Err)
			if p == nil {
				return rr.Err
			}
			out[i].Error = &errorDetail{Code: p.code, Message: p.message}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"group_id": id, "results": out})
	return nil
}
