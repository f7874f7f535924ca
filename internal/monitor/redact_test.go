package monitor_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
)

// A payload is JSON, where Go writes & as \u0026: the monitor masks
// secrets in its strings before it shows them, so a URL's query
// parameters are masked however the payload was encoded, presigned URL
// signatures included.
func TestMonitorMasksSecretsInJSONPayloads(t *testing.T) {
	db := redistest.New(t)
	secrets := map[string]string{
		"token":      "https://media.example/v.mp4?a=1&token=SECRET-TOKEN-1",
		"aws":        "https://b.s3.amazonaws.com/v.mp4?X-Amz-Expires=900&X-Amz-Signature=SECRET-AWS-2&X-Amz-Security-Token=SECRET-AWS-3",
		"gcs":        "https://storage.googleapis.com/b/v.mp4?X-Goog-Expires=900&X-Goog-Signature=SECRET-GCS-4",
		"azure":      "https://a.blob.core.windows.net/c/v.mp4?sv=2020&se=2030&sig=SECRET-AZ-5",
		"cloudfront": "https://d.cloudfront.net/v.mp4?Expires=1900000000&Signature=SECRET-CF-6&Key-Pair-Id=K",
		"generic":    "https://cdn.example/v.mp4?expires=1&signature=SECRET-GEN-7",
	}
	payload, err := json.Marshal(secrets) // escapes & as \u0026
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `\u0026`) {
		t.Fatal("the payload does not exercise the escaped form")
	}
	q := asynq.NewClientFromRedisClient(db.Client)
	if _, err := q.Enqueue(asynq.NewTask("post:publish", payload), asynq.Queue("publish")); err != nil {
		t.Fatal(err)
	}
	url := serve(t, db, monitor.Options{})
	code, body := get(t, url+"/monitoring/api/queues/publish/pending_tasks", nil)
	if code != 200 {
		t.Fatalf("pending tasks = %d %.200s", code, body)
	}
	for _, s := range []string{"SECRET-TOKEN-1", "SECRET-AWS-2", "SECRET-AWS-3", "SECRET-GCS-4", "SECRET-AZ-5", "SECRET-CF-6", "SECRET-GEN-7"} {
		if strings.Contains(body, s) {
			t.Errorf("asynqmon shows %s: %s", s, body)
		}
	}
	if !strings.Contains(body, "media.example") || !strings.Contains(body, "[redacted]") {
		t.Errorf("the payload is not shown, masked: %.600s", body)
	}
}
