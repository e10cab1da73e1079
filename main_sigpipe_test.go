package main

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An exporter whose stderr is a pipe nobody reads any more keeps serving,
// and stops cleanly when told: the first log line must not kill it.
func TestClosedStderrDoesNotStopTheExporter(t *testing.T) {
	cfgPath, env, _ := simConfig(t)
	addr := freeAddr(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	_ = r.Close() // the log reader is gone before the first line
	cmd := exec.Command(exporterBinary(t), "--config.file="+cfgPath, "--web.listen-address="+addr, "--log.level=debug")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	p := &process{cmd: cmd, addr: addr, logs: &lockedBuffer{}}

	ready := false
	for i := 0; i < 100 && !ready; i++ {
		select {
		case err := <-exited:
			t.Fatalf("the exporter died with its log unread: %v", err)
		default:
		}
		code, _ := p.get(t, "/-/ready")
		ready = code == http.StatusOK
		if !ready {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !ready {
		t.Fatal("exporter not ready after 10s")
	}
	// A scrape and a bad request make log lines of their own.
	if _, body := p.get(t, "/metrics"); !strings.Contains(body, `securitycopilot_sessions{tenant="contoso",workspace="default"} 25`) {
		t.Errorf("the scrape lacks the session count:\n%.2000s", body)
	}
	p.get(t, "/probe?tenant=nobody")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the exporter did not stop cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the exporter did not stop within 30 s of SIGTERM")
	}
}
