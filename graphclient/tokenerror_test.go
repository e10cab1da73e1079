package graphclient

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
)

// tokenErrorFrom asks a real azidentity credential for a token from
// authority and returns the TokenError the exporter makes of its failure.
func tokenErrorFrom(t *testing.T, authority string, transport policy.Transporter, timeout time.Duration) *TokenError {
	t.Helper()
	attempts := &attemptRecorder{}
	d, err := azurehttp.New(azurehttp.Settings{AuthorityHost: authority, Transport: transport, IdentityPolicies: []policy.Policy{attempts}})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := d.ClientSecret("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "not-the-secret")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err = cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.example/.default"}})
	if err == nil {
		t.Fatal("got a token")
	}
	u, _ := url.Parse(authority)
	return newTokenError("contoso", u.Host, err, attempts.take())
}

// A refused connection and a hanging Entra ID keep their cause and host
// in the one line the error makes.
func TestTokenErrorKeepsTheCause(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "https://" + l.Addr().String() + "/"
	l.Close()
	hanging := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer hanging.Close()
	for _, c := range []struct {
		authority, cause string
	}{
		{refused, "connection refused"},
		{hanging.URL + "/", "deadline exceeded"},
	} {
		te := tokenErrorFrom(t, c.authority, hanging.Client(), 2*time.Second)
		host := strings.TrimSuffix(strings.TrimPrefix(c.authority, "https://"), "/")
		msg := te.Error()
		t.Log(msg)
		if !strings.Contains(msg, c.cause) || !strings.Contains(msg, host) || strings.Contains(msg, "\n") {
			t.Errorf("error for %s = %q, want one line naming %s and %q", c.authority, msg, host, c.cause)
		}
		if te.Host != host {
			t.Errorf("Host = %q, want %q", te.Host, host)
		}
	}
}

func TestTokenErrorSaysTheCodeOnce(t *testing.T) {
	te := &TokenError{Tenant: "contoso", Host: "login.example", Code: "AADSTS7000215",
		Description: "AADSTS7000215: Invalid client secret provided."}
	if got, want := te.Error(), `get token for tenant "contoso" from login.example: AADSTS7000215: Invalid client secret provided.`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	te.Description = "Tenant not found."
	if got := te.Error(); !strings.Contains(got, "AADSTS7000215: Tenant not found.") {
		t.Errorf("a description without the code lost it: %q", got)
	}
}

func TestNotJSONErrorWithoutRequestID(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "https://graph.example/beta/x", nil)
	resp := &http.Response{Header: http.Header{"Content-Type": {"text/html"}}, Request: req}
	if err := checkJSON(resp); err == nil || strings.Contains(err.Error(), "request-id") {
		t.Errorf("err = %v, want no empty request-id", err)
	}
	resp.Header.Set("request-id", "abc-123")
	if err := checkJSON(resp); err == nil || !strings.Contains(err.Error(), "(request-id abc-123)") {
		t.Errorf("err = %v, want the request-id", err)
	}
}
