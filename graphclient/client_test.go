package graphclient

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

const (
	testTenantID = "00000000-0000-4000-8000-000000000001"
	testClientID = "00000000-0000-4000-8000-000000000002"
	testSecret   = "correct-horse-battery-staple"
)

type simClient struct {
	sim     *azuresim.Server
	client  *Client
	metrics *Metrics
}

func startSim(t *testing.T, sessions int) *azuresim.Server {
	t.Helper()
	now := time.Now()
	sim, err := azuresim.New(azuresim.Options{MaxPageSize: 50, Tenants: []azuresim.Tenant{{
		ID: testTenantID, ClientID: testClientID, ClientSecret: testSecret,
		Workspaces: []azuresim.Workspace{{ID: "default", Sessions: azuresim.GenerateSessions(7, sessions, now)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

func newSimClient(t *testing.T, sim *azuresim.Server, tenant config.Tenant) (*simClient, error) {
	t.Helper()
	tenant.Name, tenant.TenantID = "contoso", testTenantID
	if tenant.ClientID == "" && tenant.Auth != config.AuthManagedIdentity {
		tenant.ClientID = testClientID
	}
	metrics := NewMetrics(prometheus.NewRegistry())
	c, err := New(config.Graph{Endpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost()}, tenant, Options{
		Metrics: metrics, Transport: &http.Client{Transport: sim.Transport()}, RetryDelay: time.Millisecond,
	})
	return &simClient{sim: sim, client: c, metrics: metrics}, err
}

func secretFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func listAll(ctx context.Context, c *Client) (ListResult, int, error) {
	n := 0
	res, err := c.ListSessions(ctx, "default", Query{Count: true, Select: TimesSelect, Top: 1000}, func(SessionTimes) { n++ })
	return res, n, err
}

func TestListFollowsNextLinkAndReusesToken(t *testing.T) {
	sim := startSim(t, 123)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret+"\n")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		res, n, err := listAll(context.Background(), sc.client)
		if err != nil {
			t.Fatal(err)
		}
		if n != 123 || res.Items != 123 || res.Pages != 3 || !res.HasCount || res.Count != 123 {
			t.Fatalf("listing = %+v with %d visits", res, n)
		}
	}
	if got := sim.Stats().TokenRequests; got != 1 {
		t.Fatalf("token requests = %d for 9 Graph requests, want 1", got)
	}
	if got := testutil.ToFloat64(sc.metrics.tokenRequests.WithLabelValues("contoso", "success")); got != 1 {
		t.Fatalf("securitycopilot_token_requests_total{result=success} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(sc.metrics.requests.WithLabelValues("200")); got != 9 {
		t.Fatalf("securitycopilot_graph_requests_total{code=200} = %v, want 9", got)
	}
}

func TestRetriesThrottledRequests(t *testing.T) {
	sim := startSim(t, 120)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(azuresim.Faults{ThrottleEvery: 2})
	_, n, err := listAll(context.Background(), sc.client)
	if err != nil || n != 120 {
		t.Fatalf("listing under throttling: %d sessions, err %v", n, err)
	}
	if got := testutil.ToFloat64(sc.metrics.retries); got < 1 {
		t.Fatalf("retries = %v, want at least 1", got)
	}
	if got := testutil.ToFloat64(sc.metrics.requests.WithLabelValues("429")); got != float64(sim.Stats().Throttled) {
		t.Fatalf("429s counted %v, simulator sent %d", got, sim.Stats().Throttled)
	}
}

func TestRetryAfterBeyondDeadlineFailsWithThe429(t *testing.T) {
	sim := startSim(t, 5)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetFaults(azuresim.Faults{ThrottleEvery: 1, RetryAfter: "120"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err = listAll(ctx, sc.client)
	// Sleeping 120 s would end in the context's deadline error; giving up at
	// once keeps Graph's answer.
	if !IsStatus(err, http.StatusTooManyRequests) {
		t.Fatalf("err = %v, want the 429", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the client waited until the deadline")
	}
}

func TestWrongSecretGivesOneLineEntraError(t *testing.T) {
	sim := startSim(t, 5)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, "wrong-secret-value")})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = listAll(context.Background(), sc.client)
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "AADSTS7000215" {
		t.Fatalf("err = %v, want a TokenError with AADSTS7000215", err)
	}
	if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("error is multi-line or leaks the secret: %q", err.Error())
	}
	if got := testutil.ToFloat64(sc.metrics.tokenRequests.WithLabelValues("contoso", "error")); got != 1 {
		t.Fatalf("token errors counted %v, want 1", got)
	}
}

func TestRotatedSecretFileIsPickedUp(t *testing.T) {
	sim := startSim(t, 5)
	path := secretFile(t, "expired-secret")
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := listAll(context.Background(), sc.client); err == nil {
		t.Fatal("the expired secret worked")
	}
	if err := os.WriteFile(path, []byte(testSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, n, err := listAll(context.Background(), sc.client); err != nil || n != 5 {
		t.Fatalf("after rotation: %d sessions, err %v", n, err)
	}
}

func TestSecretFromEnvironment(t *testing.T) {
	sim := startSim(t, 4)
	t.Setenv("GRAPH_TEST_SECRET", testSecret)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretEnv: "GRAPH_TEST_SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := listAll(context.Background(), sc.client); err != nil || n != 4 {
		t.Fatalf("%d sessions, err %v", n, err)
	}
	t.Setenv("GRAPH_TEST_SECRET", "")
	if _, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretEnv: "GRAPH_TEST_SECRET"}); err == nil {
		t.Fatal("an empty secret variable was accepted")
	}
}

func TestClientCertificate(t *testing.T) {
	sim := startSim(t, 3)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientCertificate, ClientCertificateFile: writeCertificate(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := listAll(context.Background(), sc.client); err != nil || n != 3 {
		t.Fatalf("%d sessions, err %v", n, err)
	}
	if _, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientCertificate, ClientCertificateFile: secretFile(t, "not a pem")}); err == nil {
		t.Fatal("a file without a certificate was accepted")
	}
}

func TestWorkloadIdentity(t *testing.T) {
	sim := startSim(t, 3)
	token := secretFile(t, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl")
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthWorkloadIdentity, FederatedTokenFile: token})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := listAll(context.Background(), sc.client); err != nil || n != 3 {
		t.Fatalf("%d sessions, err %v", n, err)
	}
}

func TestCountSessions(t *testing.T) {
	sim := startSim(t, 80)
	sc, err := newSimClient(t, sim, config.Tenant{Auth: config.AuthClientSecret, ClientSecretFile: secretFile(t, testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	recent := Filter{{Property: PropCreated, Op: OpGE, Time: time.Now().Add(-24 * time.Hour)}}
	n, err := sc.client.Reader().CountSessions(context.Background(), "default", []Filter{nil, recent})
	if err != nil || len(n) != 2 || n[0] != 80 || n[1] > n[0] {
		t.Fatalf("counts = %v, err %v", n, err)
	}
	sim.SetFaults(azuresim.Faults{OmitCount: true})
	if _, err := sc.client.Reader().CountSessions(context.Background(), "default", []Filter{nil}); !errors.Is(err, errCountMissing) {
		t.Fatalf("err = %v, want the missing count", err)
	}
}

// writeCertificate writes a self-signed certificate and its key as one PEM file.
func writeCertificate(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exporter"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	return secretFile(t, string(data))
}
