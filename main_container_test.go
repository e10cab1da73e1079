package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The container image sets listenAddressEnv so that --demo answers on the
// container's network: the demo listens where the variable says, and
// --web.listen-address still wins over it.
func TestDemoListensWhereTheEnvironmentSays(t *testing.T) {
	for _, tc := range []struct {
		name string
		flag bool
	}{{"environment", false}, {"flag over environment", true}} {
		t.Run(tc.name, func(t *testing.T) {
			want := freeLoopback(t)
			env := want
			var args []string
			if tc.flag {
				env = freeLoopback(t)
				args = append(args, "--web.listen-address="+want)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, exporterBinary(t), append([]string{"--demo"}, args...)...)
			cmd.Env = append(os.Environ(), listenAddressEnv+"="+env)
			var logs strings.Builder
			cmd.Stderr = &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Signal(os.Interrupt)
				_ = cmd.Wait()
			}()
			if !answersReady(ctx, want) {
				t.Fatalf("nothing answered /-/ready on %s (%s=%s, flags %q)", want, listenAddressEnv, env, args)
			}
		})
	}
}

func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// answersReady polls until /-/ready answers 200 or ctx ends: the deadline
// is a bound on a hang, not a speed requirement.
func answersReady(ctx context.Context, addr string) bool {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/-/ready", nil)
		if err != nil {
			return false
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
}
