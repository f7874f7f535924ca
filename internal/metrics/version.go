package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// versionRejectedName is the counter of answers that refuse the API
// version Herald sends (LinkedIn's 426 for a sunset LinkedIn-Version).
// Every such answer parks a post until the operator configures a current
// version, so one is worth an alert (deploy/alerts.yml,
// HeraldPlatformVersionRejected).
const versionRejectedName = "herald_platform_version_rejected_total"

func newVersionRejected() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: versionRejectedName,
		Help: "Platform answers that refuse the API version Herald sends (HTTP 426 Upgrade Required: LinkedIn's sunset LinkedIn-Version), by platform.",
	}, []string{"platform"})
}

// countVersion counts an answer of status to platform when it refuses
// the API version.
func (r *Requests) countVersion(platform string, status int) {
	if status == http.StatusUpgradeRequired {
		r.versionRejected.WithLabelValues(platform).Inc()
	}
}
