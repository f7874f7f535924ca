package youtubetest

import "net/http"

// DefaultUploadsPerDay is the videos.insert bucket of a project, as the
// quota calculator (developers.google.com/youtube/v3/determine_quota_cost)
// gives it: 100 calls a day, counted apart from the 10,000 units of the
// other methods.
const DefaultUploadsPerDay = 100

// SetUploadQuota sets the project's daily videos.insert bucket (n <= 0:
// none left at all). The default is DefaultUploadsPerDay.
func (s *Server) SetUploadQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insertsPerDay = max(n, 0)
}

// SetChannelUploadLimit caps the videos one channel may upload between
// two ResetQuota calls (0: no cap). YouTube does not publish the number;
// past it, videos.insert answers 400 uploadLimitExceeded ("The user has
// exceeded the number of videos they may upload", videos.insert errors).
func (s *Server) SetChannelUploadLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channelLimit = max(n, 0)
}

// ResetQuota is midnight Pacific time: the day's buckets start again.
func (s *Server) ResetQuota() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insertsToday = 0
	for _, a := range s.accounts {
		a.uploadsToday = 0
	}
}

// UploadsToday counts the videos.insert calls since the last ResetQuota,
// refused ones included: "all API requests, including invalid requests,
// incur a quota cost" (quota cost documentation).
func (s *Server) UploadsToday() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertsToday
}

// SetUnaudited makes the server behave as for an API project that has not
// passed Google's audit: every video uploaded from now on is private,
// whatever privacyStatus asked.
func (s *Server) SetUnaudited(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unaudited = on
}

// spendInsert charges a videos.insert call to the project's bucket and
// checks the channel's cap, or returns the error YouTube answers.
func (s *Server) spendInsert(acct *account) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.insertsToday >= s.insertsPerDay {
		// A call over the bucket is refused and costs nothing more.
		return apiError(http.StatusForbidden, "quotaExceeded", "The request cannot be completed because you have exceeded your quota."), false
	}
	s.insertsToday++
	if s.channelLimit > 0 && acct.uploadsToday >= s.channelLimit {
		return apiError(http.StatusBadRequest, "uploadLimitExceeded", "The user has exceeded the number of videos they may upload."), false
	}
	return reply{}, true
}
