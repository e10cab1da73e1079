package main

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// runBinary runs the exporter to its end, at most for a minute, and
// returns its exit code and output.
func runBinary(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exporterBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestBadTelemetryPathIsAFlagError(t *testing.T) {
	for _, path := range []string{"/probe", "/-/healthy", "/-/reload", "metrics", "", "/a b", "/{x}", "/a/../b", "GET /metrics"} {
		code, out := runBinary(t, nil, "--demo", "--web.listen-address="+freeAddr(t), "--web.telemetry-path="+path)
		if code != 1 || !strings.Contains(out, "--web.telemetry-path") || strings.Contains(out, "goroutine") {
			t.Errorf("--web.telemetry-path=%q: exit %d:\n%s", path, code, out)
		}
	}
}

func TestConfigCheckCountsInEnglish(t *testing.T) {
	cfgPath, env, _ := simConfig(t)
	if code, out := runBinary(t, env, "--config.check", "--config.file="+cfgPath); code != 0 || !strings.Contains(out, "configuration is valid (1 tenant)\n") {
		t.Errorf("exit %d: %s", code, out)
	}
}

func TestVersionIsStamped(t *testing.T) {
	code, out := runBinary(t, nil, "--version")
	if code != 0 || strings.Contains(out, "version  (") || !strings.Contains(out, "securitycopilot_exporter, version ") {
		t.Errorf("--version: exit %d:\n%s", code, out)
	}
}

func TestIdleConnectionsTimeOut(t *testing.T) {
	s := newServer(http.NotFoundHandler(), context.Background())
	if s.IdleTimeout <= 0 || s.IdleTimeout > 10*time.Minute || s.ReadHeaderTimeout <= 0 {
		t.Errorf("idle timeout %v, read header timeout %v", s.IdleTimeout, s.ReadHeaderTimeout)
	}
}

// writeSecretFIFO writes a config whose client secret is a named pipe: a
// read of it would block until a writer comes.
func writeSecretFIFO(t *testing.T) (cfgPath, fifo string) {
	t.Helper()
	cfgPath, _, _ = simConfig(t)
	fifo = filepath.Join(t.TempDir(), "secret-fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if strings.Contains(l, "client_secret_file:") {
			lines[i] = "    client_secret_file: " + fifo
		}
	}
	if err := os.WriteFile(cfgPath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, fifo
}

func TestSecretFileMustBeARegularFile(t *testing.T) {
	cfgPath, fifo := writeSecretFIFO(t)
	code, out := runBinary(t, nil, "--config.check", "--config.file="+cfgPath)
	if code != 1 || !strings.Contains(out, fifo+": not a regular file") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// SIGTERM ends the process while it is still loading its configuration,
// with --config.check and at start-up.
func TestSignalsStopTheStartUp(t *testing.T) {
	cfgPath, _ := writeSecretFIFO(t)
	for _, args := range [][]string{
		{"--config.check", "--config.file=" + cfgPath},
		{"--config.file=" + cfgPath, "--web.listen-address=" + freeAddr(t)},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, exporterBinary(t), args...)
		logs := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			if cmd.ProcessState.ExitCode() != 1 {
				t.Errorf("%v: exit %d after SIGTERM:\n%s", args, cmd.ProcessState.ExitCode(), logs.String())
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%v: still running 5 s after SIGTERM:\n%s", args, logs.String())
			cancel()
			<-done
		}
		cancel()
	}
}

// A scrape running when SIGTERM comes gets its answer; the process logs
// the shutdown and exits 0.
func TestShutdownLetsRunningScrapesFinish(t *testing.T) {
	shutdownDuringScrape(t, 1500*time.Millisecond, "1", "every running request finished")
}

// A scrape that would outlast the grace period is cut short at its end and
// still answers, with up 0.
func TestShutdownCutsLongScrapesShort(t *testing.T) {
	shutdownDuringScrape(t, 30*time.Second, "0", "cut short")
}

func shutdownDuringScrape(t *testing.T, latency time.Duration, up, logged string) {
	t.Helper()
	cfgPath, env, sim := simConfig(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr)
	cmd.Env = append(os.Environ(), env...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	p := &process{cmd: cmd, addr: addr, logs: logs}
	for i := 0; ; i++ {
		if code, _ := p.get(t, "/-/ready"); code == http.StatusOK {
			break
		}
		if i == 100 {
			t.Fatalf("not ready after 10 s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	sim.SetFaults(azuresim.Faults{Latency: latency})
	type answer struct {
		code int
		body string
	}
	scraped := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "50")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			scraped <- answer{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
		scraped <- answer{resp.StatusCode, b.String()}
	}()
	time.Sleep(700 * time.Millisecond)
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a := <-scraped
	if want := `securitycopilot_up{tenant="contoso",workspace="default"} ` + up; a.code != http.StatusOK || !strings.Contains(a.body, want+"\n") {
		t.Errorf("the running scrape: HTTP %d, want %s:\n%.2000s\nlogs:\n%s", a.code, want, a.body, logs.String())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM:\n%s", logs.String())
	}
	if took := time.Since(signalled); took > shutdownGrace+3*time.Second {
		t.Errorf("the process took %v to stop after SIGTERM", took)
	}
	if out := logs.String(); !strings.Contains(out, "Shutting down") || !strings.Contains(out, logged) {
		t.Errorf("the shutdown was not logged as %q:\n%s", logged, out)
	}
}

// Without --web.listen-address the demo listens on loopback only.
func TestDemoListensOnLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exporterBinary(t), "--demo")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Port 9929 may be taken by another process; either way the line
	// that starts or fails the listener names the address.
	var seen []string
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() {
		line := scanner.Text()
		seen = append(seen, line)
		if strings.Contains(line, "9929") {
			if !strings.Contains(line, "127.0.0.1:9929") {
				t.Errorf("the demo does not listen on loopback: %s", line)
			}
			break
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	go func() { _, _ = bufio.NewReader(stderr).WriteTo(discard{}) }()
	_ = cmd.Wait()
	if len(seen) == 0 || !strings.Contains(strings.Join(seen, "\n"), "9929") {
		t.Errorf("no line names the listen address:\n%s", strings.Join(seen, "\n"))
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The start-up abandons a load that blocks when a signal comes: the load
// in checkConfig never returns here, and the cancelled context stands for
// SIGTERM.
func TestStartUpLoadGivesWayToSignals(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	blocked := make(chan struct{})
	defer close(blocked)
	load := func() (*config.Config, error) { <-blocked; return nil, errors.New("unreachable") }
	time.AfterFunc(100*time.Millisecond, cancel)
	done := make(chan int, 1)
	go func() { done <- checkConfig(ctx, load, nil) }()
	select {
	case code := <-done:
		if code != 1 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("checkConfig still waits for a blocked load after the signal")
	}
}
