package kubernetes

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// buildExporter builds the exporter from the repository root, two
// directories up.
func buildExporter(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "securitycopilot_exporter")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", root, err, out)
	}
	return bin
}

// podFilesystem lays out under root the files the kubelet would mount into
// the exporter container from ConfigMaps and Secrets, so the configuration
// is checked against exactly the paths the pod has.
type podFilesystem struct {
	root   string
	mounts []string
}

func mountVolumes(t *testing.T, m *manifests) *podFilesystem {
	t.Helper()
	fs := &podFilesystem{root: t.TempDir()}
	volumes := map[string]corev1.Volume{}
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		volumes[v.Name] = v
	}
	for _, mount := range exporterContainer(t, m).VolumeMounts {
		files, err := volumeFiles(m, volumes[mount.Name])
		if err != nil {
			t.Fatalf("volume mount %s: %v", mount.Name, err)
		}
		dir := fs.path(mount.MountPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fs.mounts = append(fs.mounts, mount.MountPath)
	}
	return fs
}

func volumeFiles(m *manifests, v corev1.Volume) (map[string][]byte, error) {
	switch {
	case v.ConfigMap != nil && m.configMap != nil && v.ConfigMap.Name == m.configMap.Name && len(v.ConfigMap.Items) == 0:
		files := map[string][]byte{}
		for k, s := range m.configMap.Data {
			files[k] = []byte(s)
		}
		return files, nil
	case v.Secret != nil && m.secret != nil && v.Secret.SecretName == m.secret.Name && len(v.Secret.Items) == 0:
		return m.secret.Data, nil
	case v.PersistentVolumeClaim != nil:
		// A new claim is empty: the token cache appears at the sign-in.
		return map[string][]byte{}, nil
	}
	return nil, fmt.Errorf("volume %q is not a whole ConfigMap or Secret that the kustomization renders", v.Name)
}

func (fs *podFilesystem) path(podPath string) string {
	return filepath.Join(fs.root, filepath.FromSlash(podPath))
}

// relocate rewrites the mounted paths a file names to where they are laid
// out, and leaves every other path alone, so a path outside the mounts
// still fails the check.
func (fs *podFilesystem) relocate(t *testing.T, podPath string) string {
	t.Helper()
	data, err := os.ReadFile(fs.path(podPath))
	if err != nil {
		t.Fatalf("%s is not in a mounted volume: %v", podPath, err)
	}
	text := string(data)
	for _, mount := range fs.mounts {
		text = strings.ReplaceAll(text, mount+"/", fs.path(mount)+"/")
	}
	relocated := filepath.Join(t.TempDir(), filepath.Base(podPath))
	if err := os.WriteFile(relocated, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return relocated
}

// checkConfig runs the exporter's --config.check on the configuration the
// Deployment's args name, with env as the whole environment.
func checkConfig(t *testing.T, exporter string, m *manifests, env []string) {
	t.Helper()
	fs := mountVolumes(t, m)
	var configPath string
	for _, a := range exporterContainer(t, m).Args {
		if p, ok := strings.CutPrefix(a, configFileFlag); ok {
			configPath = p
		}
	}
	if configPath == "" {
		t.Fatalf("the exporter container has no %s argument", configFileFlag)
	}
	cmd := exec.Command(exporter, "--config.check", configFileFlag+fs.relocate(t, configPath))
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("--config.check of %s: %v\n%s", configPath, err, out)
	}
	t.Logf("%s", out)
}

func TestConfigIsValidForTheExporter(t *testing.T) {
	exporter := buildExporter(t)
	t.Run("base with client secret", func(t *testing.T) {
		checkConfig(t, exporter, renderWithSecret(t), nil)
	})
	t.Run("workload identity component", func(t *testing.T) {
		m := renderWithWorkloadIdentity(t)
		tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
		if err := os.WriteFile(tokenFile, []byte("federated-token"), 0o600); err != nil {
			t.Fatal(err)
		}
		// What the azure-workload-identity webhook injects into the pod.
		checkConfig(t, exporter, m, []string{
			"AZURE_CLIENT_ID=" + m.serviceAccount.Annotations["azure.workload.identity/client-id"],
			"AZURE_FEDERATED_TOKEN_FILE=" + tokenFile,
			"AZURE_AUTHORITY_HOST=https://login.microsoftonline.com/",
		})
	})
}
