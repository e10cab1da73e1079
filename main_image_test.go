//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// imageEnv names the image TestImageSignsInThenServes runs, e.g. the one
// tools/image.sh built; without it the test is skipped.
const imageEnv = "SECURITYCOPILOT_IMAGE"

// imageUser is the image's user, who must be able to write the cache.
const imageUser = 65532

// TestImageSignsInThenServes runs the README's container commands against
// the simulator: the sign-in in a one-off container, then the exporter in
// another, both with the same cache volume and a read-only root filesystem.
func TestImageSignsInThenServes(t *testing.T) {
	image := os.Getenv(imageEnv)
	if image == "" {
		t.Skip(imageEnv + " is not set: build the image (tools/image.sh) and name it to run this test")
	}
	_, _, _, sim := delegatedConfig(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		// Readable by the image's user.
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cfg := write("config.yml", fmt.Sprintf(`graph:
  endpoint: %s
  authority_host: %s
tenants:
  - name: contoso
    tenant_id: %s
    auth: device_code
    client_id: %s
    token_cache_file: /var/lib/securitycopilot_exporter/contoso.json
    workspaces: [default]
`, sim.GraphEndpoint(), sim.AuthorityHost(), loginTenantID, loginClientID))
	ca := write("ca.pem", string(sim.CertificatePEM()))
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tokens, imageUser, imageUser); err != nil {
		t.Skipf("cannot give the cache directory to the image's user: %v", err)
	}
	run := []string{"run", "--runtime", "runc", "--network=host", "--read-only"}
	run = append(run, rlimits(t)...)
	run = append(run,
		"-v", cfg+":/etc/securitycopilot_exporter/config.yml:ro",
		"-v", ca+":/etc/ssl/simulator.pem:ro", "-e", "SSL_CERT_FILE=/etc/ssl/simulator.pem",
		"-v", tokens+":/var/lib/securitycopilot_exporter")

	polled := sim.Polled()
	go func() {
		select {
		case <-polled:
			_ = sim.ApproveDeviceLogin(loginTenantID, loginUPN)
		case <-time.After(2 * time.Minute):
		}
	}()
	login := append(append([]string{}, run...), "--rm", image, "--config.file=/etc/securitycopilot_exporter/config.yml", "--auth.login=contoso")
	out := podman(t, 2*time.Minute, login...)
	if !strings.Contains(out, "signed in as "+loginUPN) {
		t.Fatalf("sign-in in the container:\n%s", out)
	}
	info, err := os.Stat(filepath.Join(tokens, "contoso.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token cache after the sign-in: %v %v", info, err)
	}

	addr := freeAddr(t)
	name := fmt.Sprintf("securitycopilot-signin-test-%d", os.Getpid())
	serve := append(append([]string{}, run...), "-d", "--name", name, image, "--config.file=/etc/securitycopilot_exporter/config.yml", "--web.listen-address="+addr)
	podman(t, time.Minute, serve...)
	t.Cleanup(func() { _, _ = exec.Command("podman", "rm", "--force", "--time", "0", name).CombinedOutput() })
	body := ""
	for range 100 {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err == nil {
			b := new(bytes.Buffer)
			_, _ = b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				body = b.String()
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	logs, _ := exec.Command("podman", "logs", name).CombinedOutput()
	for _, want := range []string{
		`securitycopilot_up{tenant="contoso",workspace="ws-main"} 1`,
		`securitycopilot_tenant_access_info{auth="device_code",tenant="contoso",token_kind="delegated"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("the served container's metrics lack %s\nlogs:\n%s", want, logs)
		}
	}
	if n := sim.Stats().DeviceCodeRequests; n != 1 {
		t.Errorf("%d device code sign-ins, want the one", n)
	}
	all := out + string(logs) + body
	for _, tok := range sim.IssuedTokens() {
		if strings.Contains(all, tok[len(tok)-24:]) {
			t.Fatalf("a token leaked into the containers' output:\n%s", all)
		}
	}
}

func podman(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "podman", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// rlimitNPROC is RLIMIT_NPROC on Linux, which package syscall does not name.
const rlimitNPROC = 6

// rlimits asks podman for this process's hard limits, as
// tools/image_test.sh does: podman's defaults may exceed what the machine
// allows.
func rlimits(t *testing.T) []string {
	t.Helper()
	var nofile, nproc syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Getrlimit(rlimitNPROC, &nproc); err != nil {
		t.Fatal(err)
	}
	n := min(nproc.Max, 32768)
	return []string{"--ulimit", fmt.Sprintf("nofile=%d:%d", nofile.Max, nofile.Max), "--ulimit", fmt.Sprintf("nproc=%d:%d", n, n)}
}
