package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// analyticsResponse is GET /v1/accounts/{id}/analytics' answer.
type analyticsResponse struct {
	AccountID string                   `json:"account_id"`
	Latest    analytics.Snapshot       `json:"latest"`
	History   []analytics.HistoryPoint `json:"history"`
}

// maxHistoryDays bounds ?days=; jobs keeps at most this many points.
const maxHistoryDays = 3650

// getAnalytics answers the latest snapshot and the daily history, newest
// first, cut to ?days= points when given.
func (a *API) getAnalytics(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if p := checkID("account_id", id); p != nil {
		return p
	}
	days := maxHistoryDays
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxHistoryDays {
			return invalid(fieldProblem{"days", fmt.Sprintf("must be a whole number from 1 to %d", maxHistoryDays)})
		}
		days = n
	}
	snap, err := a.client(r).LatestAnalytics(r.Context(), id)
	if errors.Is(err, jobs.ErrNotFound) {
		return newProblem(http.StatusNotFound, codeNotFound,
			fmt.Sprintf("no analytics for account %s yet: ask for them with POST /v1/accounts/%s/analytics/refresh", id, id))
	}
	if err != nil {
		return err
	}
	hist, err := a.client(r).AnalyticsHistory(r.Context(), id)
	if err != nil {
		return err
	}
	if len(hist) > days {
		hist = hist[:days]
	}
	if hist == nil {
		hist = []analytics.HistoryPoint{}
	}
	writeJSON(w, http.StatusOK, analyticsResponse{AccountID: id, Latest: snap, History: hist})
	return nil
}

// refreshResponse is POST /v1/accounts/{id}/analytics/refresh's answer.
type refreshResponse struct {
	AccountID string `json:"account_id"`
	Status    string `json:"status"`
}

// refreshAnalytics asks for a refresh of an active account's analytics;
// requests within a few minutes of each other make one refresh.
func (a *API) refreshAnalytics(w http.ResponseWriter, r *http.Request) error {
	info, _, err := a.accountInfo(r)
	if err != nil {
		return err
	}
	if info.Status != tokens.StatusActive {
		return newProblem(http.StatusConflict, codeNotConnected,
			fmt.Sprintf("account %s is %s: its analytics cannot be read until it is connected again", info.ID, info.Status))
	}
	ctx, cancel := detach(r)
	defer cancel()
	if err := a.client(r).RefreshAnalytics(ctx, info.ID, info.Platform); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, refreshResponse{AccountID: info.ID, Status: "queued"})
	return nil
}
