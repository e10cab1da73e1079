package azurehttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// scopeToken hands out a token naming its scope and a serial number, and
// counts how often it was asked.
type scopeToken struct {
	mu    sync.Mutex
	calls int
}

func (s *scopeToken) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return azcore.AccessToken{Token: o.Scopes[0] + "#" + string(rune('0'+s.calls)), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func testDoor(t *testing.T, tr http.RoundTripper, cred azcore.TokenCredential) *Door {
	t.Helper()
	d, err := New(Settings{AuthorityHost: "https://login.example/", Transport: &http.Client{Transport: tr}, Schedule: Schedule{Delay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UseCredential(func() (azcore.TokenCredential, error) { return cred, nil }); err != nil {
		t.Fatal(err)
	}
	return d
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func get(t *testing.T, d *Door, rawURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d.Send(req, 1<<20)
}

// Each resource's token goes to its own host only, over https only.
func TestTokensGoToTheirHostOnly(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Host] = r.Header.Get("Authorization")
		mu.Unlock()
	}))
	defer srv.Close()
	d := testDoor(t, srv.Client().Transport, &scopeToken{})
	graph := mustURL(t, srv.URL)
	if err := d.Allow(Resource{Endpoint: graph, Scope: "graph/.default"}); err != nil {
		t.Fatal(err)
	}
	resp, err := get(t, d, srv.URL+"/beta/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := seen[graph.Host]; got != "Bearer graph/.default#1" {
		t.Errorf("Graph got %q", got)
	}
	_, port, _ := strings.Cut(graph.Host, ":")
	for _, u := range []string{
		"http://" + graph.Host + "/beta/x",      // plain http
		"https://localhost:" + port + "/beta/x", // another host
		"https://u:p@" + graph.Host + "/beta/x", // user information
	} {
		if _, err := get(t, d, u); err == nil || !strings.Contains(err.Error(), "refused to send") {
			t.Errorf("%s: err = %v, want a refusal", u, err)
		}
	}
	if len(seen) != 1 {
		t.Errorf("requests reached %v", seen)
	}
}

// A plain 401 drops the token and tries once more with a new one; a 401
// with a claims challenge, which a new token of the same kind cannot
// meet, is returned as it is.
func TestUnauthorizedRenewsTheTokenOnce(t *testing.T) {
	var challenge atomic.Bool
	var auths []string
	var mu sync.Mutex
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		if challenge.Load() {
			w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_claims", claims="e30="`)
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	cred := &scopeToken{}
	d := testDoor(t, srv.Client().Transport, cred)
	if err := d.Allow(Resource{Endpoint: mustURL(t, srv.URL), Scope: "g"}); err != nil {
		t.Fatal(err)
	}
	resp, err := get(t, d, srv.URL+"/x")
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	resp.Body.Close()
	if want := []string{"Bearer g#1", "Bearer g#2"}; strings.Join(auths, ",") != strings.Join(want, ",") {
		t.Errorf("tries carried %q, want %q", auths, want)
	}
	challenge.Store(true)
	auths = nil
	resp, err = get(t, d, srv.URL+"/x")
	if err != nil || resp.StatusCode != 401 || len(auths) != 1 {
		t.Errorf("claims challenge: %d tries, err %v; want one", len(auths), err)
	}
}

// Lone callers retry transient statuses as long as the deadline allows.
func TestCallRetriesTransientAnswers(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 6 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader([]int{429, 500, 502, 503, 504, 429}[n.Load()-1])
		}
	}))
	defer srv.Close()
	d := testDoor(t, srv.Client().Transport, &scopeToken{})
	if err := d.Allow(Resource{Endpoint: mustURL(t, srv.URL), Scope: "g"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
	resp, err := d.Call(req, 1<<20, func(r *http.Response) error { return &RefusedError{Reason: r.Status} })
	if err != nil {
		t.Fatalf("err = %v after %d tries", err, n.Load())
	}
	resp.Body.Close()
	if n.Load() != 7 {
		t.Errorf("%d tries, want 7", n.Load())
	}
}

// Credentials go to the configured authority over https only; a managed
// identity endpoint of the machine may be plain http.
func TestIdentityRequestsGoToTheAuthorityOnly(t *testing.T) {
	d, err := New(Settings{AuthorityHost: "https://login.example/"})
	if err != nil {
		t.Fatal(err)
	}
	d.allowIdentityHost("169.254.169.254")
	for raw, ok := range map[string]bool{
		"https://login.example/t/oauth2/v2.0/token":                     true,
		"https://LOGIN.example/t/v2.0/.well-known/openid-configuration": true,
		"http://login.example/t/oauth2/v2.0/token":                      false,
		"https://login.example:8443/t/oauth2/v2.0/token":                false,
		"https://evil.example/t/oauth2/v2.0/token":                      false,
		"https://x@login.example/t/oauth2/v2.0/token":                   false,
		"http://169.254.169.254/metadata/identity/oauth2/token":         true,
	} {
		if err := d.checkIdentity(mustURL(t, raw)); (err == nil) != ok {
			t.Errorf("%s: err = %v, want allowed %v", raw, err, ok)
		}
	}
}

func TestInstanceDiscoveryOnlyForPublicClouds(t *testing.T) {
	for host, want := range map[string]bool{
		"https://login.microsoftonline.com/": false,
		"https://login.microsoftonline.us/":  false,
		"https://127.0.0.1:8443/":            true,
		"https://login.example.test/":        true,
	} {
		d, err := New(Settings{AuthorityHost: host})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.disableInstanceDiscovery(); got != want {
			t.Errorf("disableInstanceDiscovery(%s) = %v, want %v", host, got, want)
		}
	}
}

func TestCheckTokenAnswer(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"access_token":"x","expires_in":3599}`:         true,
		`{"access_token":"x","expires_in":"3599"}`:       true,
		`{"access_token":"x","expires_on":"1700000000"}`: true,
		`{"access_token":"x"}`:                           false,
		`{"access_token":"x","expires_in":null}`:         false,
		`{"access_token":"x","expires_in":"soon"}`:       false,
		`{"issuer":"https://login.example/t/v2.0"}`:      true,
	} {
		if err := checkTokenAnswer([]byte(body)); (err == nil) != ok {
			t.Errorf("%s: err = %v", body, err)
		}
	}
}
