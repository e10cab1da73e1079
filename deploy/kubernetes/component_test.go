package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// renderWithWorkloadIdentity renders an overlay of the base with the
// workload identity component, as a user's overlay would use them.
func renderWithWorkloadIdentity(t *testing.T) *manifests {
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
	rel = filepath.ToSlash(rel)
	kustomization := "resources:\n  - " + rel + "\ncomponents:\n  - " + rel + "/components/workload-identity\n"
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(kustomization), 0o600); err != nil {
		t.Fatal(err)
	}
	return mustRender(t, overlay)
}

func TestWorkloadIdentityComponentDropsTheSecret(t *testing.T) {
	m := renderWithWorkloadIdentity(t)
	if m.secret != nil {
		t.Errorf("Secret %s is still rendered", m.secret.Name)
	}
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
	if m.deployment.Spec.Template.Labels["azure.workload.identity/use"] != "true" {
		t.Error(`the pod lost the label azure.workload.identity/use: "true"`)
	}
}
