package mixin

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-jsonnet"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "copy the shipped dashboard and rule files into the mixin")

// shipped maps each file the mixin imports to the shipped file it copies.
var shipped = map[string]string{
	"dashboards/securitycopilot.json": "../grafana/dashboards/securitycopilot.json",
	"rules/recording.yml":             "../prometheus/rules/recording.yml",
	"rules/alerts.yml":                "../prometheus/rules/alerts.yml",
}

func TestCopiesEqualShippedFiles(t *testing.T) {
	for copied, original := range shipped {
		want, err := os.ReadFile(original)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.MkdirAll(filepath.Dir(copied), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(copied, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(copied)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s; run go test -run %s -update", copied, original, t.Name())
		}
	}
}

// render selects what mixtool and jsonnet users read from a mixin.
const render = `local mixin = import 'mixin.libsonnet';
{
  grafanaDashboards: mixin.grafanaDashboards,
  prometheusRules: mixin.prometheusRules,
  prometheusAlerts: mixin.prometheusAlerts,
}`

// evaluate evaluates the mixin with go-jsonnet, reading its imports
// through importer.
func evaluate(importer jsonnet.Importer) (map[string]any, error) {
	vm := jsonnet.MakeVM()
	vm.Importer(importer)
	out, err := vm.EvaluateAnonymousSnippet("render.jsonnet", render)
	if err != nil {
		return nil, fmt.Errorf("evaluate mixin: %w", err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, fmt.Errorf("decode mixin output: %w", err)
	}
	return v, nil
}

// shippedOutput is what the mixin must yield: the shipped files, decoded.
func shippedOutput(t *testing.T) map[string]any {
	t.Helper()
	return map[string]any{
		"grafanaDashboards": map[string]any{"securitycopilot.json": decodeFile(t, shipped["dashboards/securitycopilot.json"])},
		"prometheusRules":   decodeFile(t, shipped["rules/recording.yml"]),
		"prometheusAlerts":  decodeFile(t, shipped["rules/alerts.yml"]),
	}
}

// decodeFile decodes a JSON or YAML file as the JSON value it stands for.
func decodeFile(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Through JSON, YAML's integers and maps compare with jsonnet's output.
	encoded, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out any
	if err := json.Unmarshal(encoded, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMixinYieldsShippedFiles(t *testing.T) {
	got, err := evaluate(&jsonnet.FileImporter{})
	if err != nil {
		t.Fatal(err)
	}
	if diffs := differences("", got, shippedOutput(t)); len(diffs) > 0 {
		t.Errorf("the mixin differs from the shipped files:\n%s", strings.Join(diffs, "\n"))
	}
}

// TestComparisonFindsEdits shows that TestMixinYieldsShippedFiles can fail:
// the mixin evaluated over edited copies differs from the shipped files
// exactly where the copy was edited.
func TestComparisonFindsEdits(t *testing.T) {
	for _, tc := range []struct {
		file, old, new, want string
	}{
		{"dashboards/securitycopilot.json", `"refresh": "1m"`, `"refresh": "5m"`, `grafanaDashboards.securitycopilot.json.refresh: "5m", want "1m"`},
		{"rules/alerts.yml", "severity: warning", "severity: page", `.labels.severity: "page", want "warning"`},
		{"rules/recording.yml", "record: tenant:securitycopilot_sessions:sum", "record: tenant:securitycopilot_sessions:total", `.record: "tenant:securitycopilot_sessions:total", want "tenant:securitycopilot_sessions:sum"`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			files := map[string]jsonnet.Contents{}
			for _, name := range append(slices.Collect(maps.Keys(shipped)), "mixin.libsonnet") {
				data, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				if name == tc.file {
					if !bytes.Contains(data, []byte(tc.old)) {
						t.Fatalf("%s does not contain %q", name, tc.old)
					}
					data = bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
				}
				files[name] = jsonnet.MakeContents(string(data))
			}
			got, err := evaluate(&jsonnet.MemoryImporter{Data: files})
			if err != nil {
				t.Fatal(err)
			}
			diffs := differences("", got, shippedOutput(t))
			if len(diffs) != 1 || !strings.HasSuffix(diffs[0], tc.want) {
				t.Errorf("differences = %q, want one ending in %q", diffs, tc.want)
			}
		})
	}
}

// differences lists where got and want, decoded JSON values, differ.
func differences(path string, got, want any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		var diffs []string
		keys := maps.Clone(w)
		maps.Copy(keys, g)
		for _, key := range slices.Sorted(maps.Keys(keys)) {
			diffs = append(diffs, differences(path+"."+key, g[key], w[key])...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			break
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, differences(fmt.Sprintf("%s[%d]", path, i), g[i], w[i])...)
		}
		return diffs
	}
	if reflect.DeepEqual(got, want) {
		return nil
	}
	return []string{fmt.Sprintf("%s: %s, want %s", strings.TrimPrefix(path, "."), brief(got), brief(want))}
}

func brief(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 200 {
		return string(data[:200]) + "…"
	}
	return string(data)
}
