package collector

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// Row 7 of the fault matrix: an @odata.nextLink that leads away from the
// configured Graph endpoint is refused, and the bearer token never leaves
// for another host. Two loopback servers stand where the links point, one
// over TLS the exporter trusts, one over plain HTTP, so that a request
// that got through would arrive and be seen.

// arrivals records every request that reaches a server.
type arrivals struct {
	mu   sync.Mutex
	seen []string // method, path and whether a bearer token came along
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen = append(a.seen, r.Method+" "+r.URL.Path+" bearer="+r.Header.Get("Authorization"))
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"value":[]}`))
}

func (a *arrivals) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func TestFaultMatrixNextLinkElsewhere(t *testing.T) {
	reached := &arrivals{}
	tlsServer := httptest.NewTLSServer(reached)
	t.Cleanup(tlsServer.Close)
	plainServer := httptest.NewServer(reached)
	t.Cleanup(plainServer.Close)
	const rest = "/security/securityCopilot/workspaces/victim/sessions?$skiptoken=next"
	simHost := func(f *fixture) string { return strings.TrimPrefix(f.sim.URL(), "https://") }

	for _, target := range []struct {
		name string
		link func(f *fixture) string
	}{
		{"another host over TLS", func(*fixture) string { return tlsServer.URL + "/beta" + rest }},
		{"another host over plain HTTP", func(*fixture) string { return plainServer.URL + "/beta" + rest }},
		{"plain HTTP to the Graph host", func(f *fixture) string { return "http://" + simHost(f) + "/beta" + rest }},
		{"another name for the Graph host", func(f *fixture) string {
			return "https://localhost:" + f.sim.URL()[strings.LastIndex(f.sim.URL(), ":")+1:] + "/beta" + rest
		}},
		{"user info", func(f *fixture) string { return "https://token:leak@" + simHost(f) + "/beta" + rest }},
		{"another API version", func(f *fixture) string { return f.sim.URL() + "/v1.0" + rest }},
		{"a scheme-relative link", func(*fixture) string { return strings.TrimPrefix(plainServer.URL, "http:") + "/beta" + rest }},
		{"a relative link", func(*fixture) string { return "/beta" + rest }},
	} {
		c := faultCase{
			name: "7 nextLink to " + target.name,
			faultsFor: func(f *fixture) azuresim.Faults {
				return azuresim.Faults{ListingFor: victim(azuresim.ListingFault{NextLink: target.link(f)})}
			},
			failed: []string{"victim"}, log: "refusing @odata.nextLink outside " + "https://",
			transport: func(f *fixture) *http.Transport {
				tr := f.sim.Transport()
				tr.TLSClientConfig.RootCAs.AddCert(tlsServer.Certificate())
				return tr
			},
			check: func(t *testing.T, f *fixture, tap *wireTap, _ bool) {
				t.Helper()
				if got := reached.list(); len(got) != 0 {
					t.Errorf("requests reached a server the nextLink pointed to: %v", got)
				}
				for host := range tap.hostsWithBearer() {
					if host != f.sim.URL() {
						t.Errorf("a bearer token was sent to %s, not only to %s", host, f.sim.URL())
					}
				}
				for _, r := range f.sim.Requests() {
					if strings.HasPrefix(r.Path, "/v1.0") {
						t.Errorf("the simulator was asked for %s outside the configured /beta", r.Path)
					}
				}
			},
		}
		for _, batched := range []bool{true, false} {
			name := c.name + map[bool]string{true: " (batched)", false: " (alone)"}[batched]
			t.Run(name, func(t *testing.T) { runFaultCase(t, c, batched) })
		}
	}
}
