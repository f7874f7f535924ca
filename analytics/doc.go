// Package analytics reads the statistics of connected accounts and of
// the posts Herald published for them, and keeps the latest Snapshot and
// a capped daily History per account.
//
// The scheduler enqueues one analytics:sweep per window (EnqueueSweep);
// the worker's SweepHandler enqueues one analytics:refresh per active
// account of the Vault, spread across the window and unique per account
// and window, and warns the app (account.reconnect_due) before a token
// that cannot be refreshed expires. The RefreshHandler reads the
// platform through its publisher, stores the snapshot and appends
// analytics.refreshed to the events stream. A product app asks for a
// refresh now through jobs.Client.RefreshAnalytics (or RequestRefresh),
// and reads the results with Latest and History:
//
//	snap, err := analytics.Latest(ctx, rdb, "acct-7")
//	if errors.Is(err, analytics.ErrNotFound) { ... not read yet ... }
//	fmt.Println(snap.Account[publishers.MetricFollowers])
//
// The posts of an account are package jobs' business: the handlers learn
// which went out through the Posts interface, which jobs implements, so
// analytics never imports jobs (jobs imports analytics).
//
// Redis keys: herald:{acct:ID}:analytics (the latest snapshot, JSON),
// herald:{acct:ID}:analytics:history (a list, newest first) and
// herald:{acct:ID}:reconnect-due (the expiry already warned of). Forget
// deletes them when an account is erased.
package analytics
