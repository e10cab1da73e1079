package kubernetes

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The Kustomize base is the Helm chart rendered with baseValues: base.yaml
// holds its objects, config.yml the ConfigMap's configuration, which
// kustomization.yaml generates under a content-hashed name so that a
// changed configuration rolls the pods. Regenerate both with
//
//	HELM=helm go test -run TestKustomizeBaseIsTheRenderedChart -update
const (
	baseValues     = "base-values.yaml"
	baseFile       = "base.yaml"
	baseConfigFile = "config.yml"
	// baseRelease makes the chart's full name securitycopilot-exporter.
	baseRelease = "securitycopilot-exporter"
)

const baseHeader = `# Generated from the Helm chart (deploy/helm/securitycopilot-exporter) with
# base-values.yaml by
#   go test -run TestKustomizeBaseIsTheRenderedChart -update
# in deploy/kubernetes; edit the chart or base-values.yaml, not this file.
`

// helmOnly are the labels and annotations that describe a Helm release or
// its rollout; Kustomize has its own (the ConfigMap's hashed name).
var helmOnly = []string{"helm.sh/chart", "app.kubernetes.io/managed-by", "checksum/config"}

// generateBase renders the chart and turns its output into the base's two
// files.
func generateBase(t *testing.T) (objects, config []byte) {
	t.Helper()
	out, err := runHelm(t, "template", baseRelease, chartDir, "--kube-version", chartKubeVersion, "--values", baseValues)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("split helm template output: %v", err)
		}
		var object map[string]any
		if err := yaml.Unmarshal(doc, &object); err != nil {
			t.Fatalf("helm template output: %v\n%s", err, doc)
		}
		if object == nil {
			continue
		}
		if object["kind"] == "ConfigMap" {
			data, _ := object["data"].(map[string]any)
			cfg, ok := data["config.yml"].(string)
			if !ok {
				t.Fatalf("the chart's ConfigMap has no config.yml:\n%s", doc)
			}
			config = []byte(cfg)
			continue
		}
		forKustomize(object)
		text, err := yaml.Marshal(object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(text))
	}
	if config == nil {
		t.Fatal("the chart renders no ConfigMap")
	}
	configHeader := "# The exporter's configuration of the Kustomize base: the chart's config\n" +
		"# value, generated like base.yaml beside it. Replace it in an overlay.\n"
	return []byte(baseHeader + strings.Join(docs, "---\n")), append([]byte(configHeader), config...)
}

// forKustomize drops what an overlay sets (the namespace, and the
// ServiceMonitor's namespace selector, which then defaults to its own
// namespace) and what only Helm means.
func forKustomize(object map[string]any) {
	metadata, _ := object["metadata"].(map[string]any)
	delete(metadata, "namespace")
	dropKeys(metadata)
	spec, _ := object["spec"].(map[string]any)
	if object["kind"] == "ServiceMonitor" {
		delete(spec, "namespaceSelector")
	}
	if template, ok := spec["template"].(map[string]any); ok {
		dropKeys(template["metadata"].(map[string]any))
	}
}

func dropKeys(metadata map[string]any) {
	for _, field := range []string{"labels", "annotations"} {
		m, _ := metadata[field].(map[string]any)
		for _, key := range helmOnly {
			delete(m, key)
		}
		if m != nil && len(m) == 0 {
			delete(metadata, field)
		}
	}
}

func TestKustomizeBaseIsTheRenderedChart(t *testing.T) {
	if *update {
		// The chart renders its PrometheusRule from these copies.
		for _, file := range shippedRuleFiles {
			shipped, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(chartRulesDir, filepath.Base(file)), shipped, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	objects, config := generateBase(t)
	for file, want := range map[string][]byte{baseFile: objects, baseConfigFile: config} {
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what the chart renders with %s; run go test -run %s -update", file, baseValues, t.Name())
		}
	}
}

// TestKustomizeAndHelmAgree: the base and a Helm install with the chart's
// CI values render the same workload.
func TestKustomizeAndHelmAgree(t *testing.T) {
	base := mustRender(t, ".")
	chart := mustRenderChart(t, "", "--values", baseValues)
	bc, cc := exporterContainer(t, base), exporterContainer(t, chart)
	same := func(what string, a, b any) {
		t.Helper()
		ja, jb := mustJSON(t, a), mustJSON(t, b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s: Kustomize has %s, Helm %s", what, ja, jb)
		}
	}
	same("image", bc.Image, cc.Image)
	same("image pull policy", bc.ImagePullPolicy, cc.ImagePullPolicy)
	same("pod security context", base.deployment.Spec.Template.Spec.SecurityContext, chart.deployment.Spec.Template.Spec.SecurityContext)
	same("container security context", bc.SecurityContext, cc.SecurityContext)
	same("liveness probe", bc.LivenessProbe, cc.LivenessProbe)
	same("readiness probe", bc.ReadinessProbe, cc.ReadinessProbe)
	same("resources", bc.Resources, cc.Resources)
	same("ServiceMonitor jobLabel", base.serviceMonitor.Spec.JobLabel, chart.serviceMonitor.Spec.JobLabel)
	same("ServiceMonitor endpoints", base.serviceMonitor.Spec.Endpoints, chart.serviceMonitor.Spec.Endpoints)
	same("configuration", parsedConfig(t, base), parsedConfig(t, chart))
	same("PrometheusRule", base.prometheusRule.Spec, chart.prometheusRule.Spec)
	for _, key := range []string{"app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/version"} {
		same("pod label "+key, base.deployment.Spec.Template.Labels[key], chart.deployment.Spec.Template.Labels[key])
	}
	if tag := bc.Image[strings.LastIndex(bc.Image, ":")+1:]; !strings.Contains(bc.Image, ":") || tag == "latest" {
		t.Errorf("the base's image %q is not pinned to a version", bc.Image)
	}
	if bc.ImagePullPolicy != "IfNotPresent" {
		t.Errorf("the base's pull policy is %q, want IfNotPresent for a pinned tag", bc.ImagePullPolicy)
	}
}

// TestBaseHasNoPlaceholders: the base ships no placeholder secret value
// and no workload identity wiring with a placeholder client id; the
// workload-identity component adds the wiring.
func TestBaseHasNoPlaceholders(t *testing.T) {
	m := mustRender(t, ".")
	if m.secret != nil {
		t.Errorf("the base ships the Secret %s; the overlay or a secret manager provides it", m.secret.Name)
	}
	if v, ok := m.deployment.Spec.Template.Labels[workloadIDLabel]; ok {
		t.Errorf("the base labels the pod %s=%q without workload identity", workloadIDLabel, v)
	}
	if v, ok := m.serviceAccount.Annotations[workloadIDAnno]; ok {
		t.Errorf("the base annotates the ServiceAccount %s=%q, a placeholder", workloadIDAnno, v)
	}
}

// parsedConfig is the ConfigMap's config.yml as data, comments left out.
func parsedConfig(t *testing.T, m *manifests) any {
	t.Helper()
	var cfg any
	if err := yaml.Unmarshal([]byte(m.configMap.Data["config.yml"]), &cfg); err != nil {
		t.Fatalf("ConfigMap %s config.yml: %v", m.configMap.Name, err)
	}
	return cfg
}
