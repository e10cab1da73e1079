package kubernetes

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const (
	metricsPortName = "http-metrics"
	metricsPort     = 9929
	configFileFlag  = "--config.file="
	secretKey       = "client-secret"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func exporterContainer(t *testing.T, m *manifests) corev1.Container {
	t.Helper()
	containers := m.deployment.Spec.Template.Spec.Containers
	if len(containers) != 1 {
		t.Fatalf("Deployment has %d containers, want the exporter only", len(containers))
	}
	return containers[0]
}

func TestBaseRendersEveryKind(t *testing.T) {
	m := mustRender(t, ".")
	for kind, missing := range map[string]bool{
		"Deployment": m.deployment == nil, "Service": m.service == nil, "ConfigMap": m.configMap == nil,
		"ServiceAccount": m.serviceAccount == nil,
		"ServiceMonitor": m.serviceMonitor == nil, "PrometheusRule": m.prometheusRule == nil,
	} {
		if missing {
			t.Errorf("the base renders no %s", kind)
		}
	}
}

func TestDeploymentIsHardened(t *testing.T) {
	checkHardened(t, mustRender(t, "."))
}

// checkHardened checks what a restricted Pod Security admission and a
// careful reviewer ask of the exporter's pod.
func checkHardened(t *testing.T, m *manifests) {
	t.Helper()
	pod := m.deployment.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Error("pod securityContext.runAsNonRoot is not true")
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("pod seccompProfile is not RuntimeDefault")
	}
	if psc == nil || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Error("pod runAsUser is not a non-root uid")
	}
	c := exporterContainer(t, m)
	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("container has no securityContext")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		t.Errorf("capabilities = %+v, want drop [ALL] and nothing added", sc.Capabilities)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("container is privileged")
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[res]; !ok || q.IsZero() {
			t.Errorf("no %s request", res)
		}
		if q, ok := c.Resources.Limits[res]; !ok || q.IsZero() {
			t.Errorf("no %s limit", res)
		}
	}
}

func TestProbesPortsAndScrapeTarget(t *testing.T) {
	m := mustRender(t, ".")
	if m.serviceMonitor == nil {
		t.Fatal("the base renders no ServiceMonitor")
	}
	checkProbesPortsAndScrapeTarget(t, m)
}

// checkProbesPortsAndScrapeTarget checks that the probes, the Service and,
// when there is one, the ServiceMonitor reach the exporter's port.
func checkProbesPortsAndScrapeTarget(t *testing.T, m *manifests) {
	t.Helper()
	c := exporterContainer(t, m)
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == metricsPortName && p.ContainerPort == metricsPort && p.Protocol == corev1.ProtocolTCP
	}) {
		t.Errorf("no container port %s %d/TCP in %+v", metricsPortName, metricsPort, c.Ports)
	}
	for name, probe := range map[string]struct {
		got  *corev1.Probe
		path string
	}{"liveness": {c.LivenessProbe, "/-/healthy"}, "readiness": {c.ReadinessProbe, "/-/ready"}} {
		if probe.got == nil || probe.got.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", name)
			continue
		}
		if g := probe.got.HTTPGet; g.Path != probe.path || g.Port != intstr.FromString(metricsPortName) {
			t.Errorf("%s probe gets %s on port %s, want %s on %s", name, g.Path, g.Port.String(), probe.path, metricsPortName)
		}
	}
	if !slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, configFileFlag) }) {
		t.Errorf("args %q have no %s", c.Args, configFileFlag)
	}

	podLabels := m.deployment.Spec.Template.Labels
	if !selects(m.service.Spec.Selector, podLabels) || !selects(m.deployment.Spec.Selector.MatchLabels, podLabels) {
		t.Errorf("the Service or Deployment selector does not select the pod labels %v", podLabels)
	}
	if len(m.service.Spec.Ports) != 1 || m.service.Spec.Ports[0].Name != metricsPortName ||
		m.service.Spec.Ports[0].TargetPort != intstr.FromString(metricsPortName) {
		t.Errorf("Service ports = %+v, want one %s port targeting %s", m.service.Spec.Ports, metricsPortName, metricsPortName)
	}
	if m.serviceMonitor == nil {
		return
	}
	sm := m.serviceMonitor.Spec
	if !selects(sm.Selector.MatchLabels, m.service.Labels) {
		t.Errorf("ServiceMonitor selector %v does not select the Service labels %v", sm.Selector.MatchLabels, m.service.Labels)
	}
	if len(sm.Endpoints) != 1 || sm.Endpoints[0].Port != metricsPortName || sm.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints = %+v, want /metrics on port %s", sm.Endpoints, metricsPortName)
	}
}

// selects reports whether a non-empty selector matches labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestClientSecretIsAMountedFile renders the overlay of README.md, which
// makes the Secret the base mounts.
func TestClientSecretIsAMountedFile(t *testing.T) {
	m := renderWithSecret(t)
	if m.secret == nil {
		t.Fatal("the overlay renders no Secret")
	}
	mount := mountOfSecret(t, m, m.secret.Name)
	if !mount.ReadOnly || mount.SubPath != "" {
		t.Errorf("secret mount %+v must be read-only and not use subPath (subPath mounts never see a rotated secret)", mount)
	}
	if _, ok := m.secret.Data[secretKey]; !ok {
		t.Fatalf("Secret %s has no key %s", m.secret.Name, secretKey)
	}
	want := mount.MountPath + "/" + secretKey
	files := clientSecretFiles(t, m.configMap)
	if !slices.Contains(files, want) {
		t.Errorf("no tenant reads the mounted secret %s; client_secret_file values: %q", want, files)
	}
}

// mountOfSecret returns the exporter's mount of the Secret's volume.
func mountOfSecret(t *testing.T, m *manifests, secretName string) corev1.VolumeMount {
	t.Helper()
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		if v.Secret == nil || v.Secret.SecretName != secretName {
			continue
		}
		for _, mount := range exporterContainer(t, m).VolumeMounts {
			if mount.Name == v.Name {
				return mount
			}
		}
	}
	t.Fatalf("the exporter does not mount the Secret %s", secretName)
	return corev1.VolumeMount{}
}

func clientSecretFiles(t *testing.T, cm *corev1.ConfigMap) []string {
	t.Helper()
	var cfg struct {
		Tenants []struct {
			ClientSecretFile string `json:"client_secret_file"`
		} `json:"tenants"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["config.yml"]), &cfg); err != nil {
		t.Fatalf("ConfigMap %s config.yml: %v", cm.Name, err)
	}
	var files []string
	for _, tenant := range cfg.Tenants {
		files = append(files, tenant.ClientSecretFile)
	}
	return files
}
