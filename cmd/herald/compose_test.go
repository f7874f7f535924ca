package main

import (
	"maps"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/jobs"
)

// composeService is what the tests read of a docker-compose.yml service.
type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
}

// loadCompose reads docker-compose.yml's services (anchors merged).
func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return compose.Services
}

// composeWorkerLayouts returns the queue layout of each worker service of
// docker-compose.yml, as the worker reads it: --queues, else
// HERALD_WORKER_QUEUES, else the default.
func composeWorkerLayouts(t *testing.T) map[string]map[string]int {
	t.Helper()
	layouts := map[string]map[string]int{}
	for name, s := range loadCompose(t) {
		if s.Image != "herald:latest" || len(s.Command) == 0 || s.Command[0] != "worker" {
			continue
		}
		text := s.Environment["HERALD_WORKER_QUEUES"]
		if i := slices.Index(s.Command, "--queues"); i >= 0 && i+1 < len(s.Command) {
			text = s.Command[i+1]
		}
		layouts[name] = jobs.Queues()
		if text != "" {
			layout, err := jobs.ParseQueues(text)
			if err != nil {
				t.Fatalf("docker-compose.yml: service %s: %v", name, err)
			}
			layouts[name] = layout
		}
	}
	return layouts
}

// TestComposeFileMatchesTheBinary keeps docker-compose.yml honest: every
// Herald service runs a real subcommand and sets only variables config
// knows.
func TestComposeFileMatchesTheBinary(t *testing.T) {
	services := loadCompose(t)
	var known []string
	for _, v := range config.Vars() {
		known = append(known, v.Name)
	}
	var cmds []string
	for _, c := range commands() {
		cmds = append(cmds, c.name)
	}
	herald := 0
	for name, s := range services {
		if s.Image != "herald:latest" {
			continue
		}
		herald++
		if len(s.Command) == 0 || !slices.Contains(cmds, s.Command[0]) {
			t.Errorf("service %s runs %v: not a herald subcommand (%v)", name, s.Command, cmds)
		}
		for k := range s.Environment {
			if !slices.Contains(known, k) {
				t.Errorf("service %s sets %s, which config does not know", name, k)
			}
		}
	}
	for _, want := range []string{"worker", "monitor"} {
		if _, ok := services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	if herald < 3 {
		t.Errorf("only %d herald services found; did the anchors stop merging?", herald)
	}
}

// TestComposeWorkersServeEveryQueue: the compose layout leaves no queue
// without a worker, and its webhook endpoints are given to the worker
// that serves webhooks, the only one that reads the events stream.
func TestComposeWorkersServeEveryQueue(t *testing.T) {
	services := loadCompose(t)
	layouts := composeWorkerLayouts(t)
	served := map[string]bool{}
	for name, layout := range layouts {
		for q := range layout {
			served[q] = true
		}
		_, delivers := layout[jobs.QueueWebhooks]
		if _, hooks := services[name].Environment["HERALD_WEBHOOKS"]; hooks != delivers {
			t.Errorf("service %s serves %s but sets HERALD_WEBHOOKS %v: only the worker serving webhooks delivers them", name, jobs.FormatQueues(layout), hooks)
		}
	}
	for _, q := range jobs.QueueNames() {
		if !served[q] {
			t.Errorf("no worker service of docker-compose.yml serves queue %s (layouts %v)", q, layouts)
		}
	}
	if len(layouts) < 2 || slices.ContainsFunc(slices.Collect(maps.Values(layouts)), func(l map[string]int) bool { return len(l) == len(jobs.QueueNames()) }) {
		t.Errorf("want publish workers apart from a background worker, got %v", layouts)
	}
}
