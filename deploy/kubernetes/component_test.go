package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderOverlay renders a user's overlay of the base: kustomization is its
// kustomization.yaml, where BASE stands for the base's path; files are the
// overlay's other files.
func renderOverlay(t *testing.T, kustomization string, files map[string]string) *manifests {
	t.Helper()
	base, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	overlay := t.TempDir()
	// Kustomize refuses absolute paths to bases and components.
	rel, err := filepath.Rel(overlay, base)
	if err != nil {
		t.Fatal(err)
	}
	files["kustomization.yaml"] = strings.ReplaceAll(kustomization, "BASE", filepath.ToSlash(rel))
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(overlay, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return mustRender(t, overlay)
}

// testClientID is the overlay's client id of the workload identity.
const testClientID = "00000000-0000-4000-8000-000000000002"

// renderWithWorkloadIdentity renders an overlay with the workload identity
// component and the ServiceAccount's client id, as README.md says.
func renderWithWorkloadIdentity(t *testing.T) *manifests {
	t.Helper()
	return renderOverlay(t, `resources:
  - BASE
components:
  - BASE/components/workload-identity
patches:
  - patch: |-
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: securitycopilot-exporter
        annotations:
          azure.workload.identity/client-id: `+testClientID+"\n", map[string]string{})
}

// renderWithSecret renders the overlay of README.md: the client secret from
// a file kept out of version control.
func renderWithSecret(t *testing.T) *manifests {
	t.Helper()
	return renderOverlay(t, `resources:
  - BASE
secretGenerator:
  - name: securitycopilot-exporter-graph
    files: [client-secret=client-secret.txt]
`, map[string]string{"client-secret.txt": "s3cret-from-the-overlay"})
}

func TestWorkloadIdentityComponent(t *testing.T) {
	m := renderWithWorkloadIdentity(t)
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			t.Errorf("volume %s still mounts Secret %s", v.Name, v.Secret.SecretName)
		}
	}
	if files := clientSecretFiles(t, m.configMap); strings.Join(files, "") != "" {
		t.Errorf("the configuration still reads client secret files %q", files)
	}
	if !strings.Contains(m.configMap.Data["config.yml"], "auth: workload_identity") {
		t.Error("the configuration has no tenant with auth: workload_identity")
	}
	pod := m.deployment.Spec.Template
	if pod.Labels[workloadIDLabel] != "true" {
		t.Errorf(`the pod lacks the label %s: "true"`, workloadIDLabel)
	}
	if pod.Spec.ServiceAccountName != m.serviceAccount.Name {
		t.Errorf("pod runs as service account %q, want %q", pod.Spec.ServiceAccountName, m.serviceAccount.Name)
	}
	if id := m.serviceAccount.Annotations[workloadIDAnno]; id != testClientID {
		t.Errorf("ServiceAccount annotation %s = %q, want the overlay's %s", workloadIDAnno, id, testClientID)
	}
}

// TestAlertsSelectAPrefixedExporter: an overlay's namePrefix renames the
// Service, which would name the job; the ServiceMonitor's jobLabel keeps
// the job the alerts select.
func TestAlertsSelectAPrefixedExporter(t *testing.T) {
	m := renderOverlay(t, "resources:\n  - BASE\nnamePrefix: prod-\n", map[string]string{})
	if !strings.HasPrefix(m.service.Name, "prod-") {
		t.Fatalf("the Service is named %s; the overlay's namePrefix did not apply", m.service.Name)
	}
	checkAlertsSelectTheJob(t, m)
}
