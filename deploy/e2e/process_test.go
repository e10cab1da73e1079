package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopTimeout bounds how long a process may take to exit after SIGTERM: a
// bound on a hang, not a speed requirement.
const stopTimeout = time.Minute

var httpClient = &http.Client{Timeout: 10 * time.Second}

// process is a server started by a test, stopped by the test's cleanup.
type process struct {
	name string
	addr string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
	err  error // of Wait, set before done is closed
	pace pace  // of a Prometheus: how long its checks wait
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeLoopbackAddr returns an address that was free a moment ago; another
// process may take it before ours binds, so callers retry on a bind error.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free loopback port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startServer runs the command that args(addr) builds on a free loopback
// address and waits until GET /-/ready answers 200, retrying with another
// port when the chosen one was taken meanwhile.
func startServer(t *testing.T, name, bin string, ready time.Duration, args func(addr string) []string) *process {
	t.Helper()
	const attempts = 3
	for attempt := 1; ; attempt++ {
		addr, err := freeLoopbackAddr()
		if err != nil {
			t.Fatal(err)
		}
		p := start(t, name, addr, bin, args(addr)...)
		err = p.waitReady(ready)
		if err == nil {
			return p
		}
		if attempt < attempts && strings.Contains(p.logs.String(), "address already in use") {
			t.Logf("%s: %s was taken, retrying on another port", name, addr)
			continue
		}
		t.Fatalf("%s: %v\n%s", name, err, p.logs.String())
	}
}

func start(t *testing.T, name, addr, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, addr: addr, cmd: exec.Command(bin, args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop sends SIGTERM and waits, then kills; a server that does not exit
// cleanly on SIGTERM fails the test.
func (p *process) stop(t *testing.T) {
	select {
	case <-p.done:
		return // already exited; waitReady has reported it
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("%s: SIGTERM: %v", p.name, err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("%s did not exit cleanly on SIGTERM: %v\n%s", p.name, p.err, p.logs.String())
		}
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("%s did not exit within %s of SIGTERM; killed", p.name, stopTimeout)
	}
}

func (p *process) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if p.ready(ctx) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready: %v", p.err)
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s", timeout)
		case <-tick.C:
		}
	}
}

func (p *process) ready(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+"/-/ready", nil)
	if err != nil {
		return false
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
