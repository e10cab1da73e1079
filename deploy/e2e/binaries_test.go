package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// exporterReadyTimeout only stops an exporter that never starts (the demo
// builds its simulated Graph first); it is no speed requirement.
const exporterReadyTimeout = 5 * time.Minute

var (
	buildDir    string
	exporterBin struct {
		once sync.Once
		path string
		err  error
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "securitycopilot-deploy-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// exporterBinary builds the exporter once from the repository root, two
// directories up, so the test runs the code of this checkout.
func exporterBinary(t *testing.T) string {
	t.Helper()
	exporterBin.once.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			exporterBin.err = err
			return
		}
		path := filepath.Join(buildDir, "securitycopilot_exporter")
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			exporterBin.err = fmt.Errorf("go build in %s: %w\n%s", root, err, out)
			return
		}
		exporterBin.path = path
	})
	if exporterBin.err != nil {
		t.Fatal(exporterBin.err)
	}
	return exporterBin.path
}

// startDemoExporter runs one exporter replica in --demo mode, with extra
// flags: each replica serves its own simulated Graph with the same two
// tenants.
func startDemoExporter(t *testing.T, name string, flags ...string) *process {
	t.Helper()
	return startServer(t, name, exporterBinary(t), exporterReadyTimeout, func(addr string) []string {
		return append([]string{"--demo", "--web.listen-address=" + addr}, flags...)
	})
}

// prometheusBinary is the pinned Prometheus that tools/install.sh builds.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PROMETHEUS")
	switch {
	case bin != "":
		return bin
	case os.Getenv("CI") != "":
		t.Fatal("PROMETHEUS is not set: CI must run the end-to-end test against a real Prometheus (tools/install.sh builds tools/bin/prometheus)")
	default:
		t.Skip("PROMETHEUS is not set; run tools/install.sh and set PROMETHEUS=tools/bin/prometheus to run the end-to-end test")
	}
	return ""
}
