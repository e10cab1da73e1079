package kubernetes

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "copy the shipped Prometheus rule files into the Helm chart's rules/, and render the Kustomize base from the chart")

// shippedRuleFiles are the rule files for a plain Prometheus; the
// PrometheusRule carries the same groups so both deployments alert alike.
// The alerts use recorded series, so the recording rules come along.
var shippedRuleFiles = []string{"../prometheus/rules/recording.yml", "../prometheus/rules/alerts.yml"}

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
	m := mustRender(t, ".")
	if diff := rulesDiffer(t, m.prometheusRule.Spec.Groups); diff != "" {
		t.Errorf("the base's PrometheusRule differs from %v; run go test -run 'TestChartRuleFilesAreTheShippedOnes|TestKustomizeBaseIsTheRenderedChart' -update\n%s", shippedRuleFiles, diff)
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
