package jobs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxQueueWeight is the highest weight a queue may have. asynq draws the
// order in which it tries the queues, on every dequeue, from a list that
// holds each queue as many times as its weight, so weights stay small.
const MaxQueueWeight = 100

// QueueNames lists Herald's queues, most urgent first: the names a queue
// layout may use, and the queues some worker must serve.
func QueueNames() []string {
	return []string{QueueCritical, QueuePublish, QueueWebhooks, QueueAnalytics}
}

// ParseQueues reads a worker's queue layout as HERALD_WORKER_QUEUES and
// `herald worker --queues` give it: comma-separated queue names, each
// with an optional =weight from 1 to MaxQueueWeight; a name without a
// weight takes its weight in Queues. "critical,publish" and
// "critical=10,publish=6" are the same layout. Errors name the queue at
// fault and never the setting, which the caller knows.
func ParseQueues(s string) (map[string]int, error) {
	defaults := Queues()
	layout := map[string]int{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, weight, hasWeight := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("%q names no queue: want name or name=weight", item)
		}
		if _, dup := layout[name]; dup {
			return nil, fmt.Errorf("queue %q is named twice", name)
		}
		w, known := defaults[name]
		if !known {
			return nil, unknownQueue(name)
		}
		if hasWeight {
			n, err := strconv.Atoi(strings.TrimSpace(weight))
			if err != nil || n < 1 || n > MaxQueueWeight {
				return nil, fmt.Errorf("queue %q: weight %q is not a whole number from 1 to %d", name, strings.TrimSpace(weight), MaxQueueWeight)
			}
			w = n
		}
		layout[name] = w
	}
	if len(layout) == 0 {
		return nil, errors.New("no queue named: give one or more of " + strings.Join(QueueNames(), ", "))
	}
	return layout, nil
}

// CheckQueues says what is wrong with a layout built in code, as
// ParseQueues would of its text: asynq silently drops a queue whose
// weight is not positive, and serves the queue "default", which Herald
// never uses, when none is left.
func CheckQueues(layout map[string]int) error {
	if len(layout) == 0 {
		return errors.New("no queue named: give one or more of " + strings.Join(QueueNames(), ", "))
	}
	for _, name := range sortedQueues(layout) {
		if !slices.Contains(QueueNames(), name) {
			return unknownQueue(name)
		}
		if w := layout[name]; w < 1 || w > MaxQueueWeight {
			return fmt.Errorf("queue %q: weight %d is not from 1 to %d", name, w, MaxQueueWeight)
		}
	}
	return nil
}

// FormatQueues writes a layout as ParseQueues reads it, in the order of
// QueueNames (unknown names last, sorted), for logs and doctor.
func FormatQueues(layout map[string]int) string {
	parts := make([]string, 0, len(layout))
	for _, name := range sortedQueues(layout) {
		parts = append(parts, name+"="+strconv.Itoa(layout[name]))
	}
	return strings.Join(parts, ",")
}

// sortedQueues lists layout's queues in the order of QueueNames, then any
// other name in lexical order.
func sortedQueues(layout map[string]int) []string {
	names := make([]string, 0, len(layout))
	for name := range layout {
		names = append(names, name)
	}
	rank := func(n string) int {
		if i := slices.Index(QueueNames(), n); i >= 0 {
			return i
		}
		return len(QueueNames())
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return names
}

func unknownQueue(name string) error {
	return fmt.Errorf("queue %q is not one of Herald's queues (%s)", name, strings.Join(QueueNames(), ", "))
}
