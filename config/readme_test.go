package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the configuration section of README.md from Markdown()")

const (
	readmePath  = "../README.md"
	readmeBegin = "<!-- config:begin -->"
	readmeEnd   = "<!-- config:end -->"
)

// TestReadme keeps README.md's configuration table equal to Markdown().
func TestReadme(t *testing.T) {
	b, err := os.ReadFile(readmePath)
	if err != nil && !(*updateReadme && os.IsNotExist(err)) {
		t.Fatal(err)
	}
	readme := string(b)
	before, rest, found := strings.Cut(readme, readmeBegin+"\n")
	section, after, foundEnd := strings.Cut(rest, readmeEnd)
	if *updateReadme {
		if !found || !foundEnd {
			if readme == "" {
				readme = "# Herald\n"
			}
			before = strings.TrimRight(readme, "\n") + "\n\n## Configuration\n\n"
			after = "\n"
		}
		out := before + readmeBegin + "\n" + Markdown() + readmeEnd + after
		if err := os.WriteFile(readmePath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !found || !foundEnd {
		t.Fatalf("README.md has no %s ... %s section; run: go test ./config -run TestReadme -update-readme", readmeBegin, readmeEnd)
	}
	if section != Markdown() {
		t.Errorf("README.md's configuration table is out of date; run: go test ./config -run TestReadme -update-readme\n got:\n%s\nwant:\n%s", section, Markdown())
	}
}
