package jobs

import (
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// A new post's publish task is written by the create script itself, in
// the round trip that writes its record (createInlineScript), instead of
// by asynq.Client.Enqueue in a second one: scheduling then costs one
// round trip, as a bare Enqueue does, and the record and its task are
// written together or not at all. The task is stored exactly as asynq
// v0.26's Enqueue stores it (its rdb package's scheduleCmd and
// enqueueCmd): the hash asynq:{queue}:t:<id> with the encoded
// TaskMessage and its state, and the id in the queue's scheduled set or
// pending list. TestCreateWritesTheTaskAsAsynqDoes compares both byte
// for byte, so an asynq upgrade that changes its layout fails it before
// it can strand a task. On a cluster (no inline scripts: the record and
// the queue are in different slots) and for a record that existed, asynq
// enqueues as before.

// asynqTask is a publish task as asynq stores it, ready for the create
// script: KEYS task and list, ARGV msg, score, pending ("1" or "0"), id.
type asynqTask struct {
	key  string // asynq:{queue}:t:<id>
	list string // the queue's scheduled set, or its pending list
	msg  []byte // the encoded TaskMessage
	// score is the process-at time in Unix seconds (scheduled), or the
	// pending_since time in Unix nanoseconds (pending).
	score   int64
	pending bool
	id      string
}

// newPublishTask is p's publish task as Client.enqueue would have asynq
// store it at now: due at dueAt(p.PublishAt), which asynq holds in its
// scheduled set, or pending at once when that is not after now.
func newPublishTask(p Post, maxRetry int, now time.Time) (asynqTask, error) {
	payload, err := marshalPublishPayload(p)
	if err != nil {
		return asynqTask{}, err
	}
	id := publishTaskID(p.ID)
	t := asynqTask{
		key: asynqTaskKey(QueuePublish, id),
		msg: encodeTaskMessage(TypePublish, payload, id, QueuePublish, maxRetry, publishTimeout),
		id:  id,
	}
	if due := dueAt(p.PublishAt); due.After(now) {
		t.list, t.score = "asynq:{"+QueuePublish+"}:scheduled", due.Unix()
	} else {
		t.list, t.score, t.pending = "asynq:{"+QueuePublish+"}:pending", now.UnixNano(), true
	}
	return t, nil
}

// args are the task's ARGV for the create script.
func (t asynqTask) args() []any {
	pending := "0"
	if t.pending {
		pending = "1"
	}
	return []any{t.msg, t.score, pending, t.id}
}

// asynqTaskKey is the hash asynq keeps task id of queue in.
func asynqTaskKey(queue, id string) string { return "asynq:{" + queue + "}:t:" + id }

// asynqQueuesKey is the set of queue names asynq's Inspector (and
// asynqmon) lists; asynq's client adds a queue to it before its first
// enqueue.
const asynqQueuesKey = "asynq:queues"

// encodeTaskMessage is asynq's TaskMessage protobuf (its
// internal/proto/asynq.proto) for a task enqueued with a TaskID, a
// queue, MaxRetry and Timeout and nothing else: proto3 leaves out the
// fields that are zero (retried, error, deadline, unique key, group,
// retention, headers), and fields go in field-number order as
// protobuf-go writes them.
func encodeTaskMessage(typ string, payload []byte, id, queue string, retry int, timeout time.Duration) []byte {
	b := make([]byte, 0, len(typ)+len(payload)+len(id)+len(queue)+24)
	b = appendString(b, 1, typ)
	if len(payload) > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, payload)
	}
	b = appendString(b, 3, id)
	b = appendString(b, 4, queue)
	if retry > 0 { // asynq.MaxRetry takes a negative count as 0
		b = protowire.AppendTag(b, 5, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(retry))
	}
	if s := int64(timeout.Seconds()); s != 0 {
		b = protowire.AppendTag(b, 8, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(s))
	}
	return b
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}
