package api

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCurlWalkthrough runs examples/curl-walkthrough.sh against the API
// and a worker, so the documented walkthrough keeps working.
func TestCurlWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	f := newFixture(t)
	f.startWorker()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "../examples/curl-walkthrough.sh")
	cmd.Env = append(os.Environ(), "HERALD_API_URL="+f.srv.URL, "HERALD_API_TOKEN="+testKey, "WALKTHROUGH_ACCOUNT=walk-1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough: %v\n%s", err, out)
	}
	// Exit 0 already says the post published and analytics arrived; these
	// check what the answers said.
	for _, want := range []string{`"state":"canceled"`, `"latest":{"account_id":"walk-1"`, `"deleted"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "sandbox-access-token") {
		t.Error("an answer showed the access token")
	}
}
