package kubernetes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// chartDir is the Helm chart; its ci/ folder holds the values files that
// chart-testing would install, and every test here renders each of them.
const (
	chartDir        = "../helm/securitycopilot-exporter"
	chartRelease    = "scx"
	chartNamespace  = "monitoring"
	secretMountPath = "/run/secrets/securitycopilot_exporter"
	workloadIDLabel = "azure.workload.identity/use"
	workloadIDAnno  = "azure.workload.identity/client-id"
	// The Kubernetes release of the k8s.io/api the objects are decoded
	// with; a helm built by go install would otherwise assume v1.20.
	chartKubeVersion = "v1.37.0"
)

// helmBinary is the pinned helm of tools/helm that tools/test.sh names in
// $HELM; CI must have it, a developer may run the other tests without it.
func helmBinary(t *testing.T) string {
	t.Helper()
	helm := os.Getenv("HELM")
	if helm == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("HELM is not set; tools/test.sh sets it to tools/bin/helm")
		}
		t.Skip("HELM is not set; run tools/test.sh, or set HELM to a helm v3 binary")
	}
	return helm
}

// runHelm runs helm with its cache, configuration and data in a temporary
// directory, so nothing of the user's helm setup takes part.
func runHelm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(helmBinary(t), args...)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// chartValuesFiles are the chart's ci/*-values.yaml files. The defaults
// alone do not render: their example tenant needs a Secret (see
// TestChartRefusesIncompleteValues).
func chartValuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("the chart's ci/ folder has %d values files, want at least 3", len(files))
	}
	return files
}

func valuesName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), "-values.yaml")
}

// renderChart runs helm template with the values file (none for "") and the
// extra arguments, and decodes every object strictly into its type.
func renderChart(t *testing.T, valuesFile string, args ...string) (*manifests, error) {
	t.Helper()
	args = append([]string{"template", chartRelease, chartDir, "--namespace", chartNamespace, "--kube-version", chartKubeVersion}, args...)
	if valuesFile != "" {
		args = append(args, "--values", valuesFile)
	}
	out, err := runHelm(t, args...)
	if err != nil {
		return nil, err
	}
	m := &manifests{}
	docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("split helm template output: %w", err)
		}
		var object map[string]any
		if err := yaml.Unmarshal(doc, &object); err != nil {
			return nil, fmt.Errorf("helm template output: %w\n%s", err, doc)
		}
		if object == nil {
			continue // a document holding only helm's "# Source:" comment
		}
		if err := m.decodeStrict(doc); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, doc)
		}
	}
}

func mustRenderChart(t *testing.T, valuesFile string, args ...string) *manifests {
	t.Helper()
	m, err := renderChart(t, valuesFile, args...)
	if err != nil {
		t.Fatal(err)
	}
	for kind, missing := range map[string]bool{
		"Deployment": m.deployment == nil, "Service": m.service == nil,
		"ConfigMap": m.configMap == nil, "ServiceAccount": m.serviceAccount == nil,
	} {
		if missing {
			t.Fatalf("the chart renders no %s", kind)
		}
	}
	return m
}

func TestChartLintsStrictly(t *testing.T) {
	for _, file := range chartValuesFiles(t) {
		t.Run(valuesName(file), func(t *testing.T) {
			if _, err := runHelm(t, "lint", "--strict", "--kube-version", chartKubeVersion, chartDir, "--values", file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestChartWithEveryValuesFile renders the chart with each values file and
// checks what must hold for all of them, up to the exporter accepting the
// configuration at the paths the pod mounts.
func TestChartWithEveryValuesFile(t *testing.T) {
	exporter := buildExporter(t)
	for _, file := range chartValuesFiles(t) {
		t.Run(valuesName(file), func(t *testing.T) {
			m := mustRenderChart(t, file)
			checkHardened(t, m)
			checkProbesPortsAndScrapeTarget(t, m)
			if got := m.deployment.Spec.Template.Spec.ServiceAccountName; got != m.serviceAccount.Name {
				t.Errorf("pod runs as service account %q, want the chart's %q", got, m.serviceAccount.Name)
			}
			for _, object := range []metav1.Object{m.deployment, m.service, m.configMap, m.serviceAccount} {
				if object.GetNamespace() != chartNamespace {
					t.Errorf("%s is in namespace %q, want the release's %q", object.GetName(), object.GetNamespace(), chartNamespace)
				}
			}
			var env []string
			if m.deployment.Spec.Template.Labels[workloadIDLabel] == "true" {
				env = workloadIdentityEnv(t, m)
			}
			provideExistingSecret(t, m)
			checkConfig(t, exporter, m, env)
		})
	}
}

// workloadIdentityEnv is what the azure-workload-identity webhook injects.
func workloadIdentityEnv(t *testing.T, m *manifests) []string {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(tokenFile, []byte("federated-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		"AZURE_CLIENT_ID=" + m.serviceAccount.Annotations[workloadIDAnno],
		"AZURE_FEDERATED_TOKEN_FILE=" + tokenFile,
		"AZURE_AUTHORITY_HOST=https://login.microsoftonline.com/",
	}
}

// provideExistingSecret stands in for the Secret a user made for
// existingSecret: when the pod mounts a Secret the chart does not render, it
// gets one key for each client_secret_file the configuration names in the
// mounted directory. A file named elsewhere is left missing and fails the
// configuration check.
func provideExistingSecret(t *testing.T, m *manifests) {
	t.Helper()
	if m.secret != nil {
		return
	}
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		if v.Secret == nil {
			continue
		}
		data := map[string][]byte{}
		for _, file := range clientSecretFiles(t, m.configMap) {
			if dir, key := path.Split(file); dir == secretMountPath+"/" {
				data[key] = []byte("secret-of-" + key)
			}
		}
		m.secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: v.Secret.SecretName}, Data: data}
	}
}

// TestChartDefaults renders the defaults with the one value they lack.
func TestChartDefaults(t *testing.T) {
	m := mustRenderChart(t, "", "--set", "existingSecret=graph-credentials")
	version, err := os.ReadFile("../../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	want := "securitycopilot_exporter:" + strings.TrimSpace(string(version))
	if got := exporterContainer(t, m).Image; got != want {
		t.Errorf("image = %q, want %q: the chart's appVersion must follow VERSION", got, want)
	}
	if m.secret != nil || m.serviceMonitor != nil || m.prometheusRule != nil {
		t.Error("the defaults render a Secret, ServiceMonitor or PrometheusRule; each must be asked for")
	}
	if _, ok := m.deployment.Spec.Template.Labels[workloadIDLabel]; ok {
		t.Errorf("the defaults label the pod %s", workloadIDLabel)
	}
	if _, ok := m.serviceAccount.Annotations[workloadIDAnno]; ok {
		t.Errorf("the defaults annotate the ServiceAccount with %s", workloadIDAnno)
	}
	if token := m.deployment.Spec.Template.Spec.AutomountServiceAccountToken; token == nil || *token {
		t.Error("the pod mounts a Kubernetes API token it never uses")
	}
}

func TestChartExistingSecretIsMountedNotRendered(t *testing.T) {
	m := mustRenderChart(t, filepath.Join(chartDir, "ci", "existing-secret-values.yaml"))
	if m.secret != nil {
		t.Errorf("the chart renders Secret %s although existingSecret is set", m.secret.Name)
	}
	m.secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "graph-credentials"}}
	mount := mountOfSecret(t, m, "graph-credentials")
	if mount.MountPath != secretMountPath || !mount.ReadOnly || mount.SubPath != "" {
		t.Errorf("secret mount %+v, want %s read-only without subPath (subPath mounts never see a rotated secret)", mount, secretMountPath)
	}
}

func TestChartMakesTheSecretFromClientSecrets(t *testing.T) {
	m := mustRenderChart(t, "", "--set", "clientSecrets.client-secret=s3cr3t")
	if m.secret == nil {
		t.Fatal("no Secret rendered from clientSecrets")
	}
	if got := string(m.secret.Data["client-secret"]); got != "s3cr3t" {
		t.Errorf("Secret key client-secret = %q, want the value given", got)
	}
	if mount := mountOfSecret(t, m, m.secret.Name); mount.MountPath != secretMountPath {
		t.Errorf("the Secret is mounted at %s, want %s", mount.MountPath, secretMountPath)
	}
}

func TestChartRefusesIncompleteValues(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"defaults without a secret": {
			nil,
			"tenant contoso reads /run/secrets/securitycopilot_exporter/client-secret, but no Secret is mounted there: set existingSecret to a Secret with the key client-secret",
		},
		"both secrets": {
			[]string{"--set", "existingSecret=graph", "--set", "clientSecrets.client-secret=s3cr3t"},
			"set existingSecret or clientSecrets, not both",
		},
		"workload identity without client id": {
			[]string{"--set", "workloadIdentity.enabled=true"},
			"workloadIdentity.enabled needs workloadIdentity.clientId",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := renderChart(t, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestChartWorkloadIdentity(t *testing.T) {
	const values = "workload-identity-values.yaml"
	m := mustRenderChart(t, filepath.Join(chartDir, "ci", values))
	var want struct {
		WorkloadIdentity struct {
			ClientID string `json:"clientId"`
		} `json:"workloadIdentity"`
	}
	data, err := os.ReadFile(filepath.Join(chartDir, "ci", values))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if got := m.serviceAccount.Annotations[workloadIDAnno]; got != want.WorkloadIdentity.ClientID || !guidRE.MatchString(got) {
		t.Errorf("ServiceAccount annotation %s = %q, want the client id %q", workloadIDAnno, got, want.WorkloadIdentity.ClientID)
	}
	if got := m.deployment.Spec.Template.Labels[workloadIDLabel]; got != "true" {
		t.Errorf(`pod label %s = %q, want "true"`, workloadIDLabel, got)
	}
	if m.secret != nil {
		t.Errorf("Secret %s rendered for workload identity", m.secret.Name)
	}
	for _, v := range m.deployment.Spec.Template.Spec.Volumes {
		if v.Secret != nil {
			t.Errorf("volume %s mounts Secret %s", v.Name, v.Secret.SecretName)
		}
	}
}

// TestChartConfigChangeRollsThePods: the pod template carries a checksum of
// the configuration, so a changed configuration makes a new ReplicaSet.
func TestChartConfigChangeRollsThePods(t *testing.T) {
	const annotation = "checksum/config"
	before := mustRenderChart(t, "", "--set", "existingSecret=graph-credentials").deployment.Spec.Template.Annotations[annotation]
	after := mustRenderChart(t, "", "--set", "existingSecret=graph-credentials", "--set", "config.windows={1h,1d,7d}").deployment.Spec.Template.Annotations[annotation]
	if before == "" || before == after {
		t.Errorf("%s = %q before and %q after a configuration change, want two different checksums", annotation, before, after)
	}
}
