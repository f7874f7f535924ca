package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// checkID checks a post or account id from the path by the one id rule
// jobs and tokens apply (input.CheckID), so that a bad id is a 400 that
// names it before any lookup.
func checkID(field, id string) *problem {
	if fe := input.CheckID(field, id); fe != nil {
		return invalid(fieldProblem{fe.Field, fe.Problem})
	}
	return nil
}

// postRequest is POST /v1/posts' body: jobs.Post, with times as strings
// so that a bad one is reported under its field's name.
type postRequest struct {
	PostID    string             `json:"post_id"`
	AccountID string             `json:"account_id"`
	Platform  string             `json:"platform"`
	PublishAt string             `json:"publish_at"`
	NotAfter  string             `json:"not_after"`
	Content   publishers.Content `json:"content"`
	GroupID   string             `json:"group_id"`
}

// post turns req into a jobs.Post, naming every wrong field: those whose
// time does not parse, then whatever validate (the Client's, which knows
// the platforms) finds in the rest.
func (req postRequest) post(now time.Time, validate func(jobs.Post) error) (jobs.Post, *problem) {
	p := jobs.Post{ID: req.PostID, AccountID: req.AccountID, Platform: req.Platform, Content: req.Content, GroupID: req.GroupID}
	var fields []fieldProblem
	bad := map[string]bool{}
	var fp *fieldProblem
	if p.PublishAt, fp = parsePublishAt(req.PublishAt, now); fp != nil {
		fields, bad[fp.Field] = append(fields, *fp), true
	}
	if p.NotAfter, fp = parseTime("not_after", req.NotAfter); fp != nil {
		fields, bad[fp.Field] = append(fields, *fp), true
	}
	for _, f := range fieldErrors(validate(p)) {
		if !bad[f.Field] && !(f.Field == "not_after" && bad["publish_at"]) {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		return p, invalid(fields...)
	}
	return p, nil
}

// schedulePost schedules a post: 201 when new, 200 with the existing
// status when the same post was scheduled before, 409 when the id belongs
// to a different post.
func (a *API) schedulePost(w http.ResponseWriter, r *http.Request) error {
	var req postRequest
	if p := decodeJSON(w, r, a.o.MaxBodyBytes, &req); p != nil {
		return p
	}
	post, p := req.post(a.o.Now(), a.o.Client.ValidatePost)
	if p != nil {
		return p
	}
	ctx, cancel := detach(r)
	defer cancel()
	client := a.client(r)
	_, err := client.PostStatus(ctx, post.ID)
	existed := err == nil
	if err != nil && !errors.Is(err, jobs.ErrNotFound) {
		return err
	}
	if !existed {
		// A new post must name a connected account of its platform, or
		// it would only fail at its time. A repeated request skips this:
		// it answers with the post's status even after a disconnect.
		if p := a.checkAccount(r, post); p != nil {
			return p
		}
	}
	st, err := client.SchedulePost(ctx, post)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/posts/"+post.ID)
	}
	writeJSON(w, status, st)
	return nil
}

// checkAccount refuses a post whose account is not connected and active
// on the post's platform. p's ids are the app's, checked already.
func (a *API) checkAccount(r *http.Request, p jobs.Post) error {
	acct, pr := a.account(r, "account_id", p.AccountID)
	if pr != nil {
		return pr
	}
	info, err := a.o.Vault.Info(r.Context(), acct)
	switch {
	case errors.Is(err, tokens.ErrNotConnected):
		return invalid(fieldProblem{"account_id", "no such account: connect it with POST /v1/accounts first"})
	case err != nil:
		return err
	case info.Status != tokens.StatusActive:
		return invalid(fieldProblem{"account_id", fmt.Sprintf("account is %s: connect it again first", info.Status)})
	case info.Platform != p.Platform:
		return invalid(fieldProblem{"platform", fmt.Sprintf("account %s is a %s account", p.AccountID, info.Platform)})
	}
	return nil
}

func (a *API) getPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("post_id", id); p != nil {
		return p
	}
	st, err := a.client(r).PostStatus(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// patchRequest is PATCH /v1/posts/{id}'s body. Only publish_at can change
// for now; content and not_after are accepted so that a client sending
// them hears why they cannot change, rather than "unknown field".
type patchRequest struct {
	PublishAt string              `json:"publish_at"`
	NotAfter  json.RawMessage     `json:"not_after"` // null removes it
	Content   *publishers.Content `json:"content"`
}

// given reports whether a field was sent with a value other than null.
func given(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// patchPost reschedules a scheduled post.
func (a *API) patchPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("post_id", id); p != nil {
		return p
	}
	var req patchRequest
	if p := decodeJSON(w, r, a.o.MaxBodyBytes, &req); p != nil {
		return p
	}
	var edit jobs.Edit
	edit.Content = req.Content
	if len(req.NotAfter) > 0 {
		var na time.Time
		if given(req.NotAfter) {
			var raw string
			if err := json.Unmarshal(req.NotAfter, &raw); err != nil {
				return invalid(fieldProblem{"not_after", "must be an RFC 3339 time with a zone, or null to remove it"})
			}
			t, fp := parseTime("not_after", raw)
			if fp != nil {
				return invalid(*fp)
			}
			na = t
		}
		edit.NotAfter = &na
	}
	if req.PublishAt == "" && edit.Content == nil && edit.NotAfter == nil {
		return invalid(fieldProblem{"publish_at", "give publish_at, content or not_after: the fields a PATCH can change"})
	}
	var at time.Time
	if req.PublishAt != "" {
		var fp *fieldProblem
		if at, fp = parsePublishAt(req.PublishAt, a.o.Now()); fp != nil {
			return invalid(*fp)
		}
	}
	ctx, cancel := detach(r)
	defer cancel()
	var st jobs.PostStatus
	var err error
	if edit.Content != nil || edit.NotAfter != nil {
		if st, err = a.client(r).EditPost(ctx, id, edit); err != nil {
			return err
		}
	}
	if !at.IsZero() {
		if st, err = a.client(r).ReschedulePost(ctx, id, at); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// cancelPost cancels a post that has not gone out. Canceling it again
// answers the same.
func (a *API) cancelPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("post_id", id); p != nil {
		return p
	}
	ctx, cancel := detach(r)
	defer cancel()
	switch remote := r.URL.Query().Get("remote"); remote {
	case "", "false", "0":
	case "true", "1":
		return a.unpublishPost(ctx, w, r, id)
	default:
		return invalid(fieldProblem{"remote", "want true or false"})
	}
	st, err := a.client(r).CancelPost(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// unpublishPost is DELETE /v1/posts/{id}?remote=true: it takes a
// published post down at its platform, answering 202 with the post
// removing (200 once removed). A platform whose API cannot delete posts
// is 409 cannot_remove naming it; a post not published 409
// not_published.
func (a *API) unpublishPost(ctx context.Context, w http.ResponseWriter, r *http.Request, id string) error {
	st, err := a.client(r).UnpublishPost(ctx, id)
	if err != nil {
		return err
	}
	status := http.StatusAccepted
	if st.State == jobs.StateRemoved {
		status = http.StatusOK
	}
	writeJSON(w, status, st)
	return nil
}
