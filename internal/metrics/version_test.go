package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/metrics/metricstest"
)

// A 426 (LinkedIn's answer to a sunset LinkedIn-Version) is counted per
// platform; every platform's series starts at zero when its client is
// built, so the alert's increase() sees the first rejection.
func TestTransportCountsVersionRejections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("LinkedIn-Version") == "202510" {
			w.WriteHeader(http.StatusUpgradeRequired)
		}
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	m := metrics.NewRequests(reg)
	li := &http.Client{Transport: m.Transport("linkedin", srv.Client().Transport)}
	_ = m.Transport("instagram", nil)
	for _, v := range []string{"202510", "202607", "202510"} {
		req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/rest/posts", nil)
		req.Header.Set("LinkedIn-Version", v)
		resp, err := li.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	want := `
# HELP herald_platform_version_rejected_total Platform answers that refuse the API version Herald sends (HTTP 426 Upgrade Required: LinkedIn's sunset LinkedIn-Version), by platform.
# TYPE herald_platform_version_rejected_total counter
herald_platform_version_rejected_total{platform="instagram"} 0
herald_platform_version_rejected_total{platform="linkedin"} 2
`
	if err := testutil.CollectAndCompare(reg, strings.NewReader(want), "herald_platform_version_rejected_total"); err != nil {
		t.Error(err)
	}
	promtool := metricstest.Promtool(t)
	out, err := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, "herald_platform_version_rejected_total")
	if err != nil {
		t.Fatal(err)
	}
	metricstest.CheckMetrics(t, promtool, string(out))
}
