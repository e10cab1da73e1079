package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/accesscheck"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// Go never sends requests to loopback addresses through a proxy, so the
// simulator is reached under names of the reserved .test domain, which
// only the test's proxy (or dialer) maps to its address; no name is ever
// looked up.
const (
	proxyTenantID = "00000000-0000-4000-8000-000000000001"
	proxyClientID = "00000000-0000-4000-8000-000000000002"
	proxySecret   = "proxy-secret-value-0123456789"
	loginHost     = "login.azuresim.test"
	graphHost     = "graph.azuresim.test"
)

// connectProxy is a CONNECT proxy on loopback that tunnels to the
// simulator the names it knows and counts tunnels per host.
type connectProxy struct {
	target string // the simulator's address
	mu     sync.Mutex
	counts map[string]int
	srv    *http.Server
	addr   string
}

func startConnectProxy(t *testing.T, target string) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{target: target, counts: map[string]int{}, addr: ln.Addr().String()}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || (host != loginHost && host != graphHost) {
		http.Error(w, "this proxy only tunnels to the simulator", http.StatusForbidden)
		return
	}
	p.mu.Lock()
	p.counts[host]++
	p.mu.Unlock()
	upstream, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer upstream.Close()
	w.WriteHeader(http.StatusOK)
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	// Tunnels live as long as the test at most: both ends close with it.
	deadline := time.Now().Add(time.Minute)
	_ = conn.SetDeadline(deadline)
	_ = upstream.SetDeadline(deadline)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, buf); done <- struct{}{} }()
	go func() { _, _ = io.Copy(conn, upstream); done <- struct{}{} }()
	<-done
}

func (p *connectProxy) count(host string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[host]
}

func proxySim(t *testing.T) *azuresim.Server {
	t.Helper()
	sim, err := azuresim.New(azuresim.Options{Hostnames: []string{loginHost, graphHost}, Tenants: []azuresim.Tenant{{
		ID: proxyTenantID, ClientID: proxyClientID, ClientSecret: proxySecret,
		Workspaces: []azuresim.Workspace{{ID: "default", Sessions: azuresim.GenerateSessions(3, 25, time.Now())}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// withoutProxyEnv is the environment minus every proxy variable, in both
// spellings, so that the test alone decides them.
func withoutProxyEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "REQUEST_METHOD":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// The exporter's binary, as shipped, sends both the Entra ID token request
// and the Graph requests through HTTPS_PROXY: azcore's default transport
// reads the proxy environment.
func TestOutboundProxyCarriesEntraAndGraph(t *testing.T) {
	sim := proxySim(t)
	port := strings.TrimPrefix(sim.URL(), "https://127.0.0.1:")
	proxy := startConnectProxy(t, strings.TrimPrefix(sim.URL(), "https://"))
	write := fileWriter(t)
	cfg := write("config.yml", fmt.Sprintf(`graph:
  endpoint: https://%s:%s/beta
  authority_host: https://%s:%s/
tenants:
  - name: contoso
    tenant_id: %s
    client_id: %s
    client_secret_file: %s
    workspaces: [default]
`, graphHost, port, loginHost, port, proxyTenantID, proxyClientID, write("secret", proxySecret)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exporterBinary(t), "--config.file="+cfg, "--config.check-access")
	cmd.Env = append(withoutProxyEnv(), "HTTPS_PROXY=http://"+proxy.addr, "NO_PROXY=",
		"SSL_CERT_FILE="+write("ca.pem", string(sim.CertificatePEM())))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Every workspace can be read.") {
		t.Fatalf("check-access through the proxy: %v\n%s", err, out)
	}
	if proxy.count(loginHost) == 0 || proxy.count(graphHost) == 0 {
		t.Errorf("tunnels: %d to %s, %d to %s; want both through the proxy", proxy.count(loginHost), loginHost, proxy.count(graphHost), graphHost)
	}
	if strings.Contains(string(out), proxySecret) {
		t.Error("the output shows the secret")
	}
}

// NO_PROXY takes a host off the proxy. Go reads the proxy environment once
// per process, so this builds the same proxy function net/http builds
// from it, with a dialer that maps the test names to the simulator (no name
// is looked up), and counts which host went which way.
func TestNoProxyBypassesTheProxy(t *testing.T) {
	sim := proxySim(t)
	addr := strings.TrimPrefix(sim.URL(), "https://")
	port := strings.TrimPrefix(sim.URL(), "https://127.0.0.1:")
	proxy := startConnectProxy(t, addr)
	var mu sync.Mutex
	direct := map[string]int{}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	proxyConfig := &httpproxy.Config{HTTPSProxy: "http://" + proxy.addr, NoProxy: loginHost}
	proxyFunc := proxyConfig.ProxyFunc()
	tr := &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) { return proxyFunc(r.URL) },
		DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(hostport)
			if host == loginHost || host == graphHost {
				mu.Lock()
				direct[host]++
				mu.Unlock()
				hostport = addr
			}
			return dialer.DialContext(ctx, network, hostport)
		},
		TLSClientConfig: &tls.Config{RootCAs: sim.CertPool(), MinVersion: tls.VersionTLS12},
	}
	defer tr.CloseIdleConnections()
	t.Setenv("PROXY_TEST_SECRET", proxySecret)
	cfg := config.Default()
	cfg.Graph.Endpoint, cfg.Graph.AuthorityHost = "https://"+graphHost+":"+port+"/beta", "https://"+loginHost+":"+port+"/"
	cfg.Tenants = []config.Tenant{{Name: "contoso", TenantID: proxyTenantID, ClientID: proxyClientID, ClientSecretEnv: "PROXY_TEST_SECRET", Workspaces: []string{"default"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	if !accesscheck.Run(context.Background(), cfg, accesscheck.Options{Transport: &http.Client{Transport: tr}}, &report) {
		t.Fatalf("check-access failed:\n%s", report.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if proxy.count(loginHost) != 0 || direct[loginHost] == 0 {
		t.Errorf("%s: %d tunnels, %d direct connections; NO_PROXY names it, so want none and some", loginHost, proxy.count(loginHost), direct[loginHost])
	}
	if proxy.count(graphHost) == 0 || direct[graphHost] != 0 {
		t.Errorf("%s: %d tunnels, %d direct connections; want some and none", graphHost, proxy.count(graphHost), direct[graphHost])
	}
}
