package jobs

import (
	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/webhook"
)

// Task types a worker runs. The names are part of Herald's contract with
// operators (asynqmon shows them) and must not change. Analytics and
// webhook delivery define theirs in their packages.
const (
	TypePublish          = "post:publish"
	TypeAnalyticsRefresh = analytics.TypeRefresh
	TypeAnalyticsSweep   = analytics.TypeSweep
	TypeAccountRevoke    = "account:revoke"
	TypeWebhookDeliver   = webhook.TaskType
)

// Queues. Work that protects users (revoking a disconnected account's
// tokens) goes first; analytics yields to publishing.
const (
	QueueCritical  = "critical"
	QueuePublish   = "publish"
	QueueAnalytics = analytics.Queue
	QueueWebhooks  = webhook.Queue
)

// Queues maps each queue to its weight: a worker picks from a queue with
// probability proportional to its weight.
func Queues() map[string]int {
	return map[string]int{
		QueueCritical:  10,
		QueuePublish:   6,
		QueueWebhooks:  3,
		QueueAnalytics: 1,
	}
}

// publishTaskID is the asynq TaskID of a post's publish task. Post ids are
// restricted to [A-Za-z0-9._:-], so the id is safe as it is.
func publishTaskID(postID string) string { return "publish:" + postID }
