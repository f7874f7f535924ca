package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/heraldhq/herald/api"
	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/tokens"
)

// readEnvFile reads KEY=VALUE lines, skipping comments and blank lines, as
// docker compose reads .env.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: line %q is not KEY=VALUE", path, line)
		}
		env[k] = v
	}
	return env
}

func composeEnvFile(t *testing.T, dir string) (path, stdout string) {
	t.Helper()
	path = filepath.Join(dir, ".env")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"compose-env", "--out", path}, &out, &errb); err != nil {
		t.Fatalf("compose-env: %v\n%s", err, errb.String())
	}
	return path, out.String() + errb.String()
}

// TestComposeEnvWritesWhatTheStackNeeds: every variable docker-compose.yml
// requires (${VAR:?...}) is in the file, each valid by the parser the
// process that reads it uses, and none is printed.
func TestComposeEnvWritesWhatTheStackNeeds(t *testing.T) {
	path, printed := composeEnvFile(t, t.TempDir())
	env := readEnvFile(t, path)
	compose, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	required := 0
	for _, part := range strings.Split(string(compose), "${")[1:] {
		expr, _, _ := strings.Cut(part, "}")
		if v, _, ok := strings.Cut(expr, ":?"); ok {
			required++
			if env[v] == "" {
				t.Errorf("docker-compose.yml requires %s; compose-env does not write it", v)
			}
		}
	}
	if required < 3 {
		t.Errorf("found %d required variables in docker-compose.yml, want at least 3", required)
	}
	if _, err := tokens.ParseKeyring(env["HERALD_TOKEN_KEYS"]); err != nil {
		t.Errorf("HERALD_TOKEN_KEYS: %v", err)
	}
	if toks, err := api.ParseTokens(env["HERALD_API_TOKENS"]); err != nil || len(toks) != 1 {
		t.Errorf("HERALD_API_TOKENS: %v (%d keys)", err, len(toks))
	}
	cfg, err := config.LoadFrom(env)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if len(cfg.MonitorPassword) < 12 {
		t.Errorf("monitor password of %d characters, want 12 or more", len(cfg.MonitorPassword))
	}
	for k, v := range env {
		secret := v[strings.IndexAny(v, ":")+1:]
		if strings.Contains(printed, secret) {
			t.Errorf("compose-env printed the value of %s", k)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	other, _ := composeEnvFile(t, t.TempDir())
	if o := readEnvFile(t, other); o["HERALD_TOKEN_KEYS"] == env["HERALD_TOKEN_KEYS"] || o["HERALD_API_TOKENS"] == env["HERALD_API_TOKENS"] || o["HERALD_MONITOR_PASSWORD"] == env["HERALD_MONITOR_PASSWORD"] {
		t.Error("two runs wrote the same secret")
	}
}

// TestComposeEnvNeverOverwrites: an existing .env (whose key may open the
// tokens already stored) is left byte for byte as it was.
func TestComposeEnvNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	old := []byte("HERALD_TOKEN_KEYS=k1:old\n")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"compose-env", "--out", path}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("compose-env over an existing file: %v, want an error saying it exists", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the existing .env changed to %q", got)
	}
}

// composeFile is what the compose-env tests read of docker-compose.yml.
type composeFile struct {
	Services map[string]struct {
		Ports    []string `yaml:"ports"`
		Profiles []string `yaml:"profiles"`
	} `yaml:"services"`
}

// TestComposeEnvNamesComposePorts: the addresses compose-env prints (and
// the README repeats) are the ports docker-compose.yml publishes.
func TestComposeEnvNamesComposePorts(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, s := range composeEnvServices {
		u, err := url.Parse(s.addr)
		if err != nil {
			t.Fatal(err)
		}
		want := u.Host + ":" + u.Port()
		if ports := c.Services[s.service].Ports; !slices.Contains(ports, want) {
			t.Errorf("compose-env says %s is at %s; docker-compose.yml publishes %v", s.service, s.addr, ports)
		}
	}
}

// TestComposeConfigWithEveryProfile validates docker-compose.yml with
// docker-compose (Debian's package needs no engine; make test installs
// it) under a .env from compose-env, for the default stack and each
// profile; and without the .env, it stops on the first missing secret.
func TestComposeConfigWithEveryProfile(t *testing.T) {
	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Skip("docker-compose is not installed (make compose-tool installs it): docker-compose.yml is not validated")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	envPath, _ := composeEnvFile(t, dir)
	b, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	profiles := map[string][]string{"": nil}
	for name, s := range c.Services {
		for _, p := range s.Profiles {
			profiles[p] = append(profiles[p], name)
		}
	}
	if len(profiles) < 3 {
		t.Errorf("profiles %v: want the default, cluster and sentinel", profiles)
	}
	compose := func(envFile string, args ...string) (string, error) {
		args = append([]string{"--project-directory", root, "-f", filepath.Join(root, "docker-compose.yml"), "--env-file", envFile}, args...)
		cmd := exec.Command(bin, args...)
		// Only the .env speaks: a HERALD_* of the test's environment would win over it.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for profile, services := range profiles {
		var args []string
		if profile != "" {
			args = []string{"--profile", profile}
		}
		out, err := compose(envPath, append(args, "config", "--services")...)
		if err != nil {
			t.Errorf("docker-compose %v config: %v\n%s", args, err, out)
			continue
		}
		for _, s := range append(services, "api", "worker", "monitor") {
			if !slices.Contains(strings.Fields(out), s) {
				t.Errorf("docker-compose %v config lacks service %s:\n%s", args, s, out)
			}
		}
	}
	empty := filepath.Join(dir, "empty.env")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := compose(empty, "config", "--quiet"); err == nil || !strings.Contains(out, "HERALD_") {
		t.Errorf("docker-compose config without the secrets: %v, want an error naming the variable\n%s", err, out)
	}
}
