package kubernetes

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// chartRulesDir holds copies of the shipped rule files: a chart can only
// read files inside itself. The copies are checked here and written by
// go test -run TestChartRuleFilesAreTheShippedOnes -update.
var chartRulesDir = filepath.Join(chartDir, "rules")

func TestChartRuleFilesAreTheShippedOnes(t *testing.T) {
	for _, file := range shippedRuleFiles {
		shipped, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		copied := filepath.Join(chartRulesDir, filepath.Base(file))
		if *update {
			if err := os.WriteFile(copied, shipped, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(copied)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, shipped) {
			t.Errorf("%s differs from %s; run go test -run %s -update", copied, file, t.Name())
		}
	}
	entries, err := os.ReadDir(chartRulesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(shippedRuleFiles) {
		t.Errorf("%s holds %d files, want only the %d shipped rule files", chartRulesDir, len(entries), len(shippedRuleFiles))
	}
}

// TestChartMonitoring renders the ServiceMonitor and PrometheusRule and
// checks that the rules are the shipped ones and that the alerts' job
// matchers select the job the ServiceMonitor gives the exporter.
func TestChartMonitoring(t *testing.T) {
	m := mustRenderChart(t, filepath.Join(chartDir, "ci", "monitoring-values.yaml"))
	if m.serviceMonitor == nil || m.prometheusRule == nil {
		t.Fatal("serviceMonitor.enabled and prometheusRule.enabled render no ServiceMonitor or PrometheusRule")
	}
	for _, labels := range []map[string]string{m.serviceMonitor.Labels, m.prometheusRule.Labels} {
		if labels["release"] != "kube-prometheus-stack" {
			t.Errorf("labels %v lack the values' release: kube-prometheus-stack", labels)
		}
	}

	if diff := rulesDiffer(t, m.prometheusRule.Spec.Groups); diff != "" {
		t.Errorf("the chart's PrometheusRule differs from %v\n%s", shippedRuleFiles, diff)
	}

	checkAlertsSelectTheJob(t, m)
}

// checkAlertsSelectTheJob checks that every job matcher of the shipped
// rules selects the job the ServiceMonitor gives the exporter.
func checkAlertsSelectTheJob(t *testing.T, m *manifests) {
	t.Helper()
	// The operator names the job after the Service's label that jobLabel
	// names, or after the Service when there is none.
	job := m.service.Name
	if label := m.serviceMonitor.Spec.JobLabel; label != "" {
		job = m.service.Labels[label]
	}
	matchers := regexp.MustCompile(`job=~"([^"]*)"`)
	found := 0
	for _, file := range shippedRuleFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, match := range matchers.FindAllSubmatch(data, -1) {
			found++
			if re := regexp.MustCompile("^(?:" + string(match[1]) + ")$"); !re.MatchString(job) {
				t.Errorf("the rules' matcher job=~%q does not select the job %q the ServiceMonitor gives", match[1], job)
			}
		}
	}
	if found == 0 {
		t.Errorf("%v have no job matcher to check", shippedRuleFiles)
	}
}
