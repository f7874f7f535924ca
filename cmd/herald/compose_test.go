package main

import (
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/heraldhq/herald/config"
)

// TestComposeFileMatchesTheBinary keeps docker-compose.yml honest: every
// Herald service runs a real subcommand and sets only variables config
// knows.
func TestComposeFileMatchesTheBinary(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	var known []string
	for _, v := range config.Vars() {
		known = append(known, v.Name)
	}
	var cmds []string
	for _, c := range commands() {
		cmds = append(cmds, c.name)
	}
	herald := 0
	for name, s := range compose.Services {
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
		if _, ok := compose.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	if herald < 3 {
		t.Errorf("only %d herald services found; did the anchors stop merging?", herald)
	}
}
