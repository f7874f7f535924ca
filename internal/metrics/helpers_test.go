package metrics_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// histogram gathers the one series of a histogram family from reg, all
// label sets merged.
func histogram(t *testing.T, reg *prometheus.Registry, name string) *dto.Histogram {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var count uint64
	var sum float64
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			count += m.GetHistogram().GetSampleCount()
			sum += m.GetHistogram().GetSampleSum()
		}
	}
	return &dto.Histogram{SampleCount: &count, SampleSum: &sum}
}

// mustVec returns the counter of name with the one label value from reg.
func mustVec(t *testing.T, reg *prometheus.Registry, name, label string) prometheus.Collector {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: "copy"}, func() float64 { return m.GetCounter().GetValue() })
			}
		}
	}
	t.Fatalf("no %s{%s}", name, label)
	return nil
}

// The HELP and TYPE lines of the families more than one test compares.
const (
	attemptsHead = `
# HELP herald_publish_attempts_total Publish attempts by platform, outcome (published, retry, failed, canceled), failure class and tenant (configured tenants; other).
# TYPE herald_publish_attempts_total counter`
	deliveredHead = `
# HELP herald_webhooks_delivered_total Webhook delivery attempts by outcome (delivered, retry, failed: given up, disabled: the receiver answered 410) and the endpoint's tenant.
# TYPE herald_webhooks_delivered_total counter`
	scrapeErrorHead = `
# HELP herald_platform_quota_scrape_error 1 if the last read of the quota counters failed, else 0.
# TYPE herald_platform_quota_scrape_error gauge`
)

// compare fails t unless what reg collects of the families names (all
// of them if none) is want, in the text exposition format.
func compare(t *testing.T, reg *prometheus.Registry, want string, names ...string) {
	t.Helper()
	if err := testutil.CollectAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// compareGathered is compare through reg.Gather, for collectors that
// read on scrape.
func compareGathered(t *testing.T, reg *prometheus.Registry, want string, names ...string) {
	t.Helper()
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}
