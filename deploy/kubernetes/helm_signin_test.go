package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const tokenCacheMount = "/var/lib/securitycopilot_exporter"

var delegatedValues = filepath.Join(chartDir, "ci", "delegated-values.yaml")

// TestChartDelegatedTenantGetsItsVolume: a device_code tenant's token cache
// is on a writable persistent volume, the only writable place of the pod.
func TestChartDelegatedTenantGetsItsVolume(t *testing.T) {
	m := mustRenderChart(t, delegatedValues)
	if m.pvc == nil {
		t.Fatal("no PersistentVolumeClaim for the token cache")
	}
	if got := m.pvc.Spec.Resources.Requests.Storage().String(); got != "16Mi" {
		t.Errorf("token cache claim requests %s, want 16Mi", got)
	}
	if m.pvc.Annotations["helm.sh/resource-policy"] != "keep" {
		t.Error("uninstalling the release would delete the signed-in account's cache")
	}
	var claim string
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	if claim != m.pvc.Name {
		t.Errorf("the pod mounts claim %q, want the chart's %q", claim, m.pvc.Name)
	}
	mount := tokenCacheVolumeMount(t, m)
	if mount.ReadOnly || mount.MountPath != tokenCacheMount {
		t.Errorf("token cache mount %+v, want %s writable", mount, tokenCacheMount)
	}
	if got := m.deployment.Spec.Strategy.Type; got != "Recreate" {
		t.Errorf("strategy %q: a ReadWriteOnce volume needs Recreate", got)
	}
	var cfg struct {
		Tenants []struct {
			TokenCacheFile string `json:"token_cache_file"`
		} `json:"tenants"`
	}
	if err := yaml.Unmarshal([]byte(m.configMap.Data["config.yml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Tenants) != 1 || !strings.HasPrefix(cfg.Tenants[0].TokenCacheFile, tokenCacheMount+"/") {
		t.Errorf("config tenants %+v: the token cache must be on the volume", cfg.Tenants)
	}
}

func TestChartTokenCacheOnAnExistingClaim(t *testing.T) {
	m := mustRenderChart(t, delegatedValues, "--set", "tokenCache.persistence.existingClaim=exporter-tokens")
	if m.pvc != nil {
		t.Errorf("the chart makes claim %s although existingClaim is set", m.pvc.Name)
	}
	found := false
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		found = found || v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == "exporter-tokens"
	}
	if !found {
		t.Error("the pod does not mount the existing claim")
	}
	tokenCacheVolumeMount(t, m)
}

func TestChartRefusesADelegatedTenantWithoutItsVolume(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no persistence": {[]string{"--set", "tokenCache.persistence.enabled=false"},
			"tenant contoso uses auth device_code: set tokenCache.persistence.enabled=true, and token_cache_file under /var/lib/securitycopilot_exporter/"},
		"cache off the volume": {[]string{"--set", "config.tenants[0].token_cache_file=/tmp/contoso.json"},
			`tenant contoso keeps its token cache at "/tmp/contoso.json", which is not on the token cache volume`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := renderChart(t, delegatedValues, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestChartNotesGiveTheSignInCommand: the notes' kubectl exec runs the
// container's own command with --auth.login, the form the exporter's tests
// run against the simulator.
func TestChartNotesGiveTheSignInCommand(t *testing.T) {
	notes := renderNotes(t, delegatedValues)
	m := mustRenderChart(t, delegatedValues)
	args := exporterContainer(t, m).Args
	want := "kubectl -n " + chartNamespace + " exec -it deploy/" + m.deployment.Name + " -- /bin/securitycopilot_exporter " + strings.Join(args, " ") + " --auth.login=contoso"
	if !strings.Contains(notes, want) {
		t.Errorf("notes lack %q:\n%s", want, notes)
	}
	if strings.Contains(renderNotes(t, filepath.Join(chartDir, "ci", "existing-secret-values.yaml")), "--auth.login") {
		t.Error("the notes give a sign-in command to a release without a device_code tenant")
	}
}

// renderNotes renders NOTES.txt, which helm template leaves out and helm
// install renders only against a cluster: a copy of the chart includes it
// into an object of its own.
func renderNotes(t *testing.T, valuesFile string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "chart")
	if err := os.CopyFS(dir, os.DirFS(chartDir)); err != nil {
		t.Fatal(err)
	}
	notes, err := os.ReadFile(filepath.Join(dir, "templates", "NOTES.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"_notes.tpl":          `{{- define "test.notes" }}` + string(notes) + `{{- end }}`,
		"notes-rendered.yaml": `notes: {{ include "test.notes" . | toJson }}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runHelm(t, "template", chartRelease, dir, "--namespace", chartNamespace, "--kube-version", chartKubeVersion,
		"--values", valuesFile, "--show-only", "templates/notes-rendered.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rendered struct {
		Notes string `json:"notes"`
	}
	if err := yaml.Unmarshal(out, &rendered); err != nil {
		t.Fatalf("rendered notes: %v\n%s", err, out)
	}
	return rendered.Notes
}

func tokenCacheVolumeMount(t *testing.T, m *manifests) corev1.VolumeMount {
	t.Helper()
	for _, vm := range exporterContainer(t, m).VolumeMounts {
		if vm.Name == "token-cache" {
			return vm
		}
	}
	t.Fatal("the exporter container does not mount the token cache volume")
	return corev1.VolumeMount{}
}
