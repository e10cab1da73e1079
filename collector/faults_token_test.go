package collector

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// Row 10 of the fault matrix: Entra ID down, slow, or refusing the client,
// and a token expiring between two scrapes. Whatever happens, the tenant
// gets a fresh token as soon as Entra ID answers again, so no scrape fails
// beyond the first, and the other tenant never notices.

// entraGate stands between the exporter and Entra ID for one tenant: it
// refuses connections, as a host that is down does, or answers late.
type entraGate struct {
	next       http.RoundTripper
	tenantPath string // "/<tenant id>/", the prefix of every Entra ID path of the tenant

	mu    sync.Mutex
	down  bool
	delay time.Duration
}

func (g *entraGate) set(down bool, delay time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down, g.delay = down, delay
}

func (g *entraGate) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	down, delay := g.down, g.delay
	g.mu.Unlock()
	if !strings.HasPrefix(req.URL.Path, g.tenantPath) {
		return g.next.RoundTrip(req)
	}
	if down {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	select {
	case <-time.After(delay):
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return g.next.RoundTrip(req)
}

// gatedFixture is the matrix fixture with tenant0's Entra ID behind a gate.
func gatedFixture(t *testing.T, opts azuresim.Options) (*fixture, *entraGate) {
	f := newFixture(t, opts, 1000)
	tr := f.sim.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	gate := &entraGate{next: tr, tenantPath: "/" + opts.Tenants[0].ID + "/"}
	f.useTransport(gate)
	return f, gate
}

// scrapeTenant0Down scrapes while tenant0 cannot get a token and checks
// that only tenant0 fails, each workspace with one line saying want, by
// the deadline.
func (f *fixture) scrapeTenant0Down(t *testing.T, timeout, want string, deadline time.Duration) {
	t.Helper()
	mark := len(f.logs.String())
	fams, took := f.scrapeTimed(timeout)
	if took > deadline+deadlineSlack {
		t.Errorf("the scrape took %v, past its %v deadline", took, deadline)
	}
	f.assertAllExact(fams, matrixWorkspaces)
	assertOneErrorLine(t, errorLines(f.logs.String(), mark), "tenant0", matrixWorkspaces, want)
}

func TestFaultMatrixEntraDown(t *testing.T) {
	f, gate := gatedFixture(t, matrixOptions())
	gate.set(true, 0)
	host := strings.TrimPrefix(f.sim.AuthorityHost(), "https://")
	host = strings.TrimSuffix(host, "/")
	// The line names the host and why it could not be reached, and no
	// empty Entra ID code.
	f.scrapeTenant0Down(t, "6", "entra_host="+host, 5500*time.Millisecond)
	if logs := f.logs.String(); !strings.Contains(logs, "connection refused") || strings.Contains(logs, `entra_error=""`) {
		t.Errorf("the error lines lack the cause, or have an empty code:\n%s", strings.Join(errorLines(logs, 0), "\n"))
	}
	gate.set(false, 0)
	f.assertAllExact(f.scrape(), nil)
}

func TestFaultMatrixEntraSlowerThanTheDeadline(t *testing.T) {
	f, gate := gatedFixture(t, matrixOptions())
	gate.set(false, time.Minute)
	f.scrapeTenant0Down(t, "3", "get token for tenant", 2500*time.Millisecond)
	gate.set(false, 0)
	f.assertAllExact(f.scrape(), nil)
}

func TestFaultMatrixEntraSlowButInTime(t *testing.T) {
	f := newFixture(t, matrixOptions(), 1000)
	f.sim.SetFaults(azuresim.Faults{TokenLatency: 700 * time.Millisecond})
	fams, took := f.scrapeTimed("10")
	if took < 700*time.Millisecond {
		t.Fatalf("the scrape took %v: the token did not come slowly", took)
	}
	f.assertAllExact(fams, nil)
	if lines := errorLines(f.logs.String(), 0); len(lines) != 0 {
		t.Errorf("a slow token logged errors:\n%s", strings.Join(lines, "\n"))
	}
}

func TestFaultMatrixInvalidClientThenRotatedSecret(t *testing.T) {
	f := newFixture(t, matrixOptions(), 1000)
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("an-expired-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.cfg.Tenants[0].ClientSecretEnv, f.cfg.Tenants[0].ClientSecretFile = "", secretFile
	f.useTransport(f.sim.Transport())
	f.scrapeTenant0Down(t, "10", "entra_error=AADSTS7000215", 9500*time.Millisecond)
	if logs := f.logs.String(); strings.Contains(logs, "AADSTS7000215: AADSTS7000215") {
		t.Errorf("the code is said twice:\n%s", strings.Join(errorLines(logs, 0), "\n"))
	}
	if err := os.WriteFile(secretFile, []byte("s3cret-value-for-tests\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.assertAllExact(f.scrape(), nil)
}

func TestFaultMatrixTokenExpiresBetweenScrapes(t *testing.T) {
	opts := matrixOptions()
	// The simulator's clock is the real one, so that it expires tokens
	// when the exporter's credential expects. Tokens live two seconds;
	// azcore would refresh one five minutes before it expires, but tries
	// at most every 30 s, so the second scrape meets an expired token.
	opts.Now = time.Now
	opts.TokenLifetime = 2 * time.Second
	f := newFixture(t, opts, 1000)
	f.assertAllExact(f.scrape(), nil)
	time.Sleep(3 * time.Second)
	f.assertAllExact(f.scrape(), nil)
	if got := f.sim.Stats().TokenRequests; got < 2*len(opts.Tenants) {
		t.Errorf("token requests = %d, want a fresh token for each of %d tenants", got, len(opts.Tenants))
	}
	for _, r := range f.sim.Requests() {
		if r.Status == http.StatusUnauthorized {
			t.Errorf("Graph refused a token: %s %s", r.Method, r.Path)
		}
	}
	if lines := errorLines(f.logs.String(), 0); len(lines) != 0 {
		t.Errorf("errors logged:\n%s", strings.Join(lines, "\n"))
	}
}
