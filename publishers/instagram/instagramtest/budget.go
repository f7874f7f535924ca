package instagramtest

import (
	"encoding/json"
	"net/http"
)

// The call budget (Graph API Rate Limiting, "Business Use Case Rate
// Limits"): every answer reports the share used in
// X-Business-Use-Case-Usage (and the app's in X-App-Usage); at 100% of a
// budget Instagram refuses calls with code 80002 (Instagram business use
// case) until estimated_time_to_regain_access has passed. SetUsage sets
// what the server reports; a report at 100% or more is enforced.

// budgetSpent says whether the usage the server reports is at 100% or
// more of a budget.
func (s *Server) budgetSpent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return highestUsage(s.usage) >= 100
}

// highestUsage is the highest call_count, total_cputime or total_time in
// h's X-App-Usage and X-Business-Use-Case-Usage, in percent.
func highestUsage(h http.Header) float64 {
	type usage struct {
		CallCount    float64 `json:"call_count"`
		TotalCPUTime float64 `json:"total_cputime"`
		TotalTime    float64 `json:"total_time"`
	}
	highest := 0.0
	take := func(u usage) { highest = max(highest, u.CallCount, u.TotalCPUTime, u.TotalTime) }
	var app usage
	if json.Unmarshal([]byte(h.Get("X-App-Usage")), &app) == nil {
		take(app)
	}
	var buc map[string][]usage
	if json.Unmarshal([]byte(h.Get("X-Business-Use-Case-Usage")), &buc) == nil {
		for _, us := range buc {
			for _, u := range us {
				take(u)
			}
		}
	}
	return highest
}

func budgetSpentReply() reply {
	return fail(http.StatusBadRequest, 80002, 0, "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.")
}
