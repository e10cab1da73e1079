package kubernetes

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "regenerate prometheusrule.yaml and the Helm chart's rules/ from the shipped Prometheus rule files")

const prometheusRuleFile = "prometheusrule.yaml"

// shippedRuleFiles are the rule files for a plain Prometheus; the
// PrometheusRule carries the same groups so both deployments alert alike.
// The alerts use recorded series, so the recording rules come along.
var shippedRuleFiles = []string{"../prometheus/rules/recording.yml", "../prometheus/rules/alerts.yml"}

const prometheusRuleHeader = `# Generated from %s by
#   go test -run TestPrometheusRuleEqualsShippedRules -update
# in deploy/kubernetes; edit the rule files, not this file.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: securitycopilot-exporter
  labels:
    app.kubernetes.io/name: securitycopilot-exporter
spec:
`

// generatePrometheusRule embeds the rule files' text, comments included,
// under spec: a rule file's top level is the PrometheusRule's spec.
func generatePrometheusRule() ([]byte, error) {
	var out bytes.Buffer
	fmt.Fprintf(&out, prometheusRuleHeader, strings.Join(shippedRuleFiles, " and "))
	for i, file := range shippedRuleFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read rule file: %w", err)
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if i > 0 {
			lines = afterGroupsKey(lines)
		}
		for _, line := range lines {
			if line == "" {
				out.WriteString("\n")
				continue
			}
			out.WriteString("  " + line + "\n")
		}
	}
	return out.Bytes(), nil
}

// afterGroupsKey drops everything up to a later file's own "groups:" key
// so its groups continue the first file's list.
func afterGroupsKey(lines []string) []string {
	for i, line := range lines {
		if strings.TrimSpace(line) == "groups:" {
			return lines[i+1:]
		}
	}
	return lines
}

func ruleGroupsOfFiles(t *testing.T) []any {
	t.Helper()
	var groups []any
	for _, file := range shippedRuleFiles {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("read shipped rules: %v", err)
		}
		var rules struct {
			Groups []any `json:"groups"`
		}
		if err := yaml.UnmarshalStrict(data, &rules); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		groups = append(groups, rules.Groups...)
	}
	return groups
}

func TestPrometheusRuleEqualsShippedRules(t *testing.T) {
	if *update {
		generated, err := generatePrometheusRule()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(prometheusRuleFile, generated, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := mustRender(t, ".")
	if diff := rulesDiffer(t, m.prometheusRule.Spec.Groups); diff != "" {
		t.Errorf("the PrometheusRule differs from %v; run go test -run %s -update\n%s", shippedRuleFiles, t.Name(), diff)
	}
}

// firstDifference names the first rule (or group) that differs, so that a
// drift is readable without comparing every rule by eye.
func firstDifference(t *testing.T, got, want []any) string {
	t.Helper()
	type group struct {
		Name  string `json:"name"`
		Rules []any  `json:"rules"`
	}
	decode := func(v any) group {
		var g group
		if err := json.Unmarshal(mustJSON(t, v), &g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	for i := range min(len(got), len(want)) {
		g, w := decode(got[i]), decode(want[i])
		for j := range min(len(g.Rules), len(w.Rules)) {
			if !reflect.DeepEqual(g.Rules[j], w.Rules[j]) {
				return fmt.Sprintf("group %s, rule %d:\n got: %s\nwant: %s", w.Name, j, mustJSON(t, g.Rules[j]), mustJSON(t, w.Rules[j]))
			}
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			return fmt.Sprintf("group %s: %d rules, want %d (or the group's own fields differ)", w.Name, len(g.Rules), len(w.Rules))
		}
	}
	return fmt.Sprintf("%d groups, want %d", len(got), len(want))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rulesDiffer compares rendered rule groups with the shipped rule files and
// describes the first difference; "" when they are equal. Through JSON,
// the typed groups compare with the files' plain YAML, so a field the
// PrometheusRule type lacks shows up as a difference.
func rulesDiffer(t *testing.T, groups any) string {
	t.Helper()
	typed, err := json.Marshal(groups)
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	if err := json.Unmarshal(typed, &got); err != nil {
		t.Fatal(err)
	}
	want := ruleGroupsOfFiles(t)
	if len(want) == 0 {
		t.Fatalf("%v hold no rule groups", shippedRuleFiles)
	}
	if reflect.DeepEqual(got, want) {
		return ""
	}
	return firstDifference(t, got, want)
}
