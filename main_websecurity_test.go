package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// The exporter behind exporter-toolkit's --web.config.file with TLS and
// basic auth: every endpoint asks for the password, over TLS only.

const (
	webUser     = "prometheus"
	webPassword = "correct horse battery staple"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "exporter test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	return certFile, keyFile, pool
}

// webConfig writes an exporter-toolkit web config with TLS and one user.
func webConfig(t *testing.T) (path string, pool *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "web.yml")
	content := fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  %s: %s\n", certFile, keyFile, webUser, hash)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pool
}

// secureProcess is the exporter serving TLS with basic auth.
type secureProcess struct {
	addr   string
	client *http.Client // trusts the exporter's certificate
	logs   func() string
}

func startSecureExporter(t *testing.T, args ...string) *secureProcess {
	t.Helper()
	webFile, pool := webConfig(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, exporterBinary(t), append(args, "--web.listen-address="+addr, "--web.config.file="+webFile)...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	p := &secureProcess{addr: addr, client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		logs: logs.String}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("exporter did not stop within 10s of SIGINT")
		}
		cancel()
	})
	for range 100 {
		if code, _ := p.do(t, http.MethodGet, "https", "/-/ready", webUser, webPassword); code == http.StatusOK {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("exporter not ready over TLS after 10s:\n%s", p.logs())
	return nil
}

// do sends a request; user "" sends no credentials. A transport error
// gives status 0 and the error as the body.
func (p *secureProcess) do(t *testing.T, method, scheme, path, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, scheme+"://"+p.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestTLSAndBasicAuth(t *testing.T) {
	p := startSecureExporter(t, "--demo")
	for _, path := range []string{"/metrics", "/probe?tenant=contoso", "/-/healthy", "/"} {
		for _, c := range []struct {
			name, user, password string
		}{{"no credentials", "", ""}, {"wrong password", webUser, "Correct horse battery staple"}, {"unknown user", "admin", webPassword}} {
			if code, body := p.do(t, http.MethodGet, "https", path, c.user, c.password); code != http.StatusUnauthorized || strings.Contains(body, "securitycopilot_") {
				t.Errorf("%s with %s: HTTP %d, want 401 without metrics", path, c.name, code)
			}
		}
		if code, body := p.do(t, http.MethodGet, "https", path, webUser, webPassword); code != http.StatusOK {
			t.Errorf("%s with the right credentials: HTTP %d: %.200s", path, code, body)
		}
		// Plain HTTP to the TLS port gets Go's 400 for a client that did
		// not speak TLS, or no answer: never the page, even with the password.
		if code, body := p.do(t, http.MethodGet, "http", path, webUser, webPassword); code == http.StatusOK || strings.Contains(body, "securitycopilot_") || strings.Contains(body, "Healthy") {
			t.Errorf("%s over plain HTTP: HTTP %d: %.200s", path, code, body)
		}
	}
	if code, body := p.do(t, http.MethodGet, "https", "/metrics", webUser, webPassword); !strings.Contains(body, `securitycopilot_up{tenant="contoso",workspace="`+contosoDefaultWorkspace+`"} 1`) {
		t.Errorf("/metrics over TLS with the password: HTTP %d without the demo's series:\n%.500s", code, body)
	}
	if code, _ := p.do(t, http.MethodPost, "https", "/-/reload", "", ""); code != http.StatusUnauthorized {
		t.Errorf("POST /-/reload without credentials: HTTP %d, want 401", code)
	}
	if strings.Contains(p.logs(), webPassword) {
		t.Error("the web password reached the logs")
	}
}
