package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	ruleFiles   = []string{"rules/recording.yml", "rules/alerts.yml"}
	configFiles = []string{"prometheus.yml", "prometheus-sharded.yml"}
)

// promtool returns the promtool binary named by $PROMTOOL. Without it the
// test is skipped on a laptop, but fails in CI, where skipping would hide
// that the rules went unchecked.
func promtool(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PROMTOOL")
	switch {
	case path == "" && os.Getenv("CI") == "":
		t.Skip("PROMTOOL is not set: run tools/install.sh and set PROMTOOL=tools/bin/promtool to run the promtool checks")
	case path == "":
		t.Fatal("PROMTOOL is not set, and CI is: set it to the promtool built by tools/install.sh")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("PROMTOOL: %v", err)
	}
	return path
}

func runPromtool(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), promtool(t), args...).CombinedOutput()
	if err != nil {
		t.Errorf("promtool %v: %v\n%s", args, err, out)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	runPromtool(t, append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, ruleFiles...)...)
}

// TestPromtoolCheckConfig also checks that the rule_files of each
// configuration resolve, relative to the configuration.
func TestPromtoolCheckConfig(t *testing.T) {
	for _, file := range configFiles {
		runPromtool(t, "check", "config", "--lint=all", "--lint-fatal", file)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	tests, err := filepath.Glob("tests/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatal("no unit tests in tests/")
	}
	runPromtool(t, append([]string{"test", "rules"}, tests...)...)
}
