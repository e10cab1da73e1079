package azuresim

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidatesOptions(t *testing.T) {
	bad := map[string]Options{
		"negative page size": {MaxPageSize: -1},
		"negative lifetime":  {TokenLifetime: -time.Second},
		"no client id":       {Tenants: []Tenant{{ID: tenantA}}},
		"duplicate tenant":   {Tenants: []Tenant{{ID: tenantA, ClientID: clientA}, {ID: strings.ToUpper(tenantA), ClientID: clientB}}},
		"duplicate ws":       {Tenants: []Tenant{{ID: tenantA, ClientID: clientA, Workspaces: []Workspace{{ID: "x"}, {ID: "x"}}}}},
		"duplicate session":  {Tenants: []Tenant{{ID: tenantA, ClientID: clientA, Workspaces: []Workspace{{ID: "x", Sessions: []Session{{ID: "s"}, {ID: "s"}}}}}}},
	}
	for name, opts := range bad {
		if s, err := New(opts); err == nil {
			s.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestEndpointsAndTLS(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	host := strings.TrimPrefix(s.URL(), "https://")
	if !strings.HasPrefix(host, "127.0.0.1:") || s.GraphEndpoint() != s.URL()+"/beta" || s.AuthorityHost() != s.URL()+"/" {
		t.Fatalf("URL %s GraphEndpoint %s AuthorityHost %s", s.URL(), s.GraphEndpoint(), s.AuthorityHost())
	}
	conn, err := tls.Dial("tcp", host, &tls.Config{RootCAs: s.CertPool(), ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS with CertPool: %v", err)
	}
	cert := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	var sans []string
	for _, ip := range cert.IPAddresses {
		sans = append(sans, ip.String())
	}
	if strings.Join(sans, ",") != "127.0.0.1,::1" {
		t.Errorf("IP SANs %v", sans)
	}
	if _, err := tls.Dial("tcp", host, &tls.Config{}); err == nil {
		t.Error("an untrusting client connected")
	}
	if len(s.CertificatePEM()) == 0 {
		t.Error("no PEM")
	}
	// Unknown non-Graph paths are a plain 404.
	resp, err := (&http.Client{Transport: s.Transport()}).Get(s.URL() + "/nothing/here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

func TestCloseFreesPort(t *testing.T) {
	s, err := New(twoTenants(nil))
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.URL(), "https://")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not freed: %v", err)
	}
	ln.Close()
}

func TestRequestLogIsBounded(t *testing.T) {
	s := &Server{}
	for i := range maxRecorded + 5 {
		s.log.add(RecordedRequest{Status: i})
	}
	reqs := s.Requests()
	if len(reqs) != maxRecorded || reqs[0].Status != 5 || reqs[len(reqs)-1].Status != maxRecorded+4 {
		t.Fatalf("len %d first %d last %d", len(reqs), reqs[0].Status, reqs[len(reqs)-1].Status)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	req, _ := http.NewRequest(http.MethodPost, s.GraphEndpoint()+sessionsPath, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}
