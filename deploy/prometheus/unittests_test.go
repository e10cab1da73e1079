package prometheus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// unitTests is the part of a promtool unit test file that says what it
// covers.
type unitTests struct {
	Tests []struct {
		Name       string `yaml:"name"`
		AlertTests []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
		ExprTests []struct {
			Expr       string `yaml:"expr"`
			ExpSamples []any  `yaml:"exp_samples"`
		} `yaml:"promql_expr_test"`
	} `yaml:"tests"`
}

// coverage is what the unit tests check: alerts seen firing, alerts seen
// silent, and recording rules whose values are compared.
type coverage struct {
	firing, silent, recorded map[string]bool
}

func loadCoverage(t *testing.T) coverage {
	t.Helper()
	files, err := filepath.Glob("tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no unit tests in tests/: %v", err)
	}
	c := coverage{firing: map[string]bool{}, silent: map[string]bool{}, recorded: map[string]bool{}}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var f unitTests
		if err := yaml.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, group := range f.Tests {
			for _, at := range group.AlertTests {
				if len(at.ExpAlerts) > 0 {
					c.firing[at.Alertname] = true
				} else {
					c.silent[at.Alertname] = true
				}
			}
			for _, et := range group.ExprTests {
				if vs, ok := parseExpr(t, file, et.Expr).(*parser.VectorSelector); ok && len(et.ExpSamples) > 0 {
					c.recorded[vs.Name] = true
				}
			}
		}
	}
	return c
}

func TestUnitTestsCoverEveryAlertFiringAndSilent(t *testing.T) {
	c := loadCoverage(t)
	for _, rule := range loadRules(t, "rules/alerts.yml") {
		if !c.firing[rule.Alert] {
			t.Errorf("no unit test sees %s fire", rule.Alert)
		}
		if !c.silent[rule.Alert] {
			t.Errorf("no unit test sees %s stay silent", rule.Alert)
		}
	}
}

func TestUnitTestsCoverEveryRecordingRule(t *testing.T) {
	c := loadCoverage(t)
	for _, rule := range loadRules(t, RecordingRulesFile) {
		if !c.recorded[rule.Record] {
			t.Errorf("no unit test compares the samples of %s", rule.Record)
		}
	}
}
