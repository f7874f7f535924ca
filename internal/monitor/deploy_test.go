package monitor_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"gopkg.in/yaml.v3"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/metrics/metricstest"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
)

const deployDir = "../../deploy/"

func TestDeployConfigPassesPromtool(t *testing.T) {
	promtool := metricstest.Promtool(t)
	for _, args := range [][]string{
		{"check", "rules", deployDir + "alerts.yml"},
		{"check", "config", deployDir + "prometheus.yml"},
		{"test", "rules", deployDir + "alerts_test.yml"},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestDashboardAndAlertsNameRealMetrics checks that every herald_* and
// asynq_* name the dashboard and the alert rules query is one some
// Herald process exports: a renamed metric breaks this test, not a
// dashboard nobody looks at until the incident.
func TestDashboardAndAlertsNameRealMetrics(t *testing.T) {
	exported, _ := exportedNames(t)

	var exprs []string
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct{ Definition string }
		}
	}
	b, err := os.ReadFile(deployDir + "grafana/herald.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("herald.json: %v", err)
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		exprs = append(exprs, v.Definition)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
			}
		}
	}
	b, err = os.ReadFile(deployDir + "alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	if len(exprs) < 20 {
		t.Fatalf("only %d expressions found: the files' shape changed", len(exprs))
	}

	name := regexp.MustCompile(`\b(?:herald|asynq)_[a-z_]+\b`)
	used := map[string]bool{}
	for _, e := range exprs {
		for _, n := range name.FindAllString(e, -1) {
			used[n] = true
			if !exported[n] {
				t.Errorf("%q is queried but no process exports it:\n%s", n, e)
			}
		}
	}
	for _, want := range []string{"asynq_queue_size", "asynq_queue_latency_seconds", "herald_schedule_lag_seconds_bucket", "herald_token_refreshes_total", "herald_platform_quota_used"} {
		if !used[want] {
			t.Errorf("nothing shows %s", want)
		}
	}
}

// exportedNames is every sample name a monitor plus a worker's metrics
// expose, histogram series included, and those of them that carry the
// tenant label.
func exportedNames(t *testing.T) (names, tenanted map[string]bool) {
	t.Helper()
	db := redistest.New(t)
	if _, err := asynq.NewClientFromRedisClient(db.Client).Enqueue(asynq.NewTask(jobs.TypePublish, nil), asynq.Queue(jobs.QueuePublish)); err != nil {
		t.Fatal(err)
	}
	reg := metrics.NewRegistry()
	h := monitor.New(monitor.Options{RedisConnOpt: db.ConnOpt(), Redis: db.Client, Registry: reg,
		Quota: func(context.Context) ([]metrics.Quota, error) {
			return []metrics.Quota{{Platform: "youtube", Project: "default", Bucket: "units", Used: 1, Limit: 2, Reset: time.Now()}}, nil
		}})
	defer h.Close()
	if err := db.Client.SAdd(context.Background(), "herald:accounts", "a").Err(); err != nil {
		t.Fatal(err)
	}
	if err := db.Client.HSet(context.Background(), "herald:{acct:a}:token", "platform", "youtube", "status", "active").Err(); err != nil {
		t.Fatal(err)
	}
	metrics.NewPublish(reg).Platforms("youtube")
	metrics.NewTokens(reg).Platforms("youtube")
	ev := metrics.NewEvents(reg)
	ev.Appended(tenant.Default, "post.published")
	ev.Delivered(tenant.Default, metrics.WebhookDelivered)
	ev.ReadFailing(tenant.Default, false)
	rq := metrics.NewRequests(reg)
	rq.Uploaded("youtube", 1)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if resp, err := (&http.Client{Transport: rq.Transport("youtube", nil)}).Get(srv.URL); err == nil {
		resp.Body.Close()
	}

	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names, tenanted = map[string]bool{}, map[string]bool{}
	for _, f := range fams {
		n := f.GetName()
		names[n] = true
		if f.GetType().String() == "HISTOGRAM" {
			names[n+"_bucket"], names[n+"_sum"], names[n+"_count"] = true, true, true
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "tenant" {
					tenanted[n] = true
				}
			}
		}
	}
	return names, tenanted
}

// TestDashboardFiltersByTenant checks the dashboard's tenant variable
// (multi-select with All, its values read from a metric that carries
// the label) and that every panel querying a metric with the tenant
// label filters it by $tenant: a new tenant-labelled panel that ignores
// the variable shows every tenant whatever is picked.
func TestDashboardFiltersByTenant(t *testing.T) {
	_, tenanted := exportedNames(t)
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct {
				Name, Definition  string
				Multi, IncludeAll bool
			}
		}
	}
	b, err := os.ReadFile(deployDir + "grafana/herald.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("herald.json: %v", err)
	}
	found := false
	values := regexp.MustCompile(`^label_values\(([a-z_]+), tenant\)$`)
	for _, v := range dash.Templating.List {
		if v.Name != "tenant" {
			continue
		}
		found = true
		if !v.Multi || !v.IncludeAll {
			t.Errorf("tenant variable: multi %v, includeAll %v, want both", v.Multi, v.IncludeAll)
		}
		if m := values.FindStringSubmatch(v.Definition); m == nil || !tenanted[m[1]] {
			t.Errorf("tenant variable reads %q, want label_values of a metric with the tenant label (%v)", v.Definition, tenanted)
		}
	}
	if !found {
		t.Error("the dashboard has no tenant variable")
	}

	selector := regexp.MustCompile(`\b((?:herald|asynq)_[a-z_]+)\b(\{[^}]*\})?`)
	filtered := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range selector.FindAllStringSubmatch(tg.Expr, -1) {
				if !tenanted[m[1]] {
					continue
				}
				if !strings.Contains(m[2], `tenant=~"$tenant"`) {
					t.Errorf("panel %q queries %s without tenant=~\"$tenant\":\n%s", p.Title, m[1], tg.Expr)
				}
				filtered++
			}
		}
	}
	if filtered == 0 {
		t.Errorf("no panel queries a metric with the tenant label (%v)", tenanted)
	}
}
