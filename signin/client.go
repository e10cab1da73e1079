package signin

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// Settings are what both the sign-in and the credential need.
type Settings struct {
	// Tenant is the tenant's name in the configuration, for messages.
	Tenant string
	// TenantID is the Entra ID tenant (GUID or domain); ClientID the app
	// registration that allows public client flows.
	TenantID, ClientID string
	// CacheFile is the token cache (token_cache_file).
	CacheFile string
	// AuthorityHost is the Entra ID host URL, with a trailing slash.
	AuthorityHost string
	// DisableInstanceDiscovery must be set for an authority host whose
	// metadata Microsoft does not publish (a test, a private cloud).
	DisableInstanceDiscovery bool
	// Transport carries every request to Entra ID: the tenant's door
	// (azurehttp.Door.IdentityClient), which refuses redirects and sends
	// nothing but to the configured authority host. Required.
	Transport policy.Transporter
}

// maxAnswerBytes caps what MSAL reads of one answer of Entra ID: a token
// answer is a few KiB, and MSAL itself reads without a bound.
const maxAnswerBytes = 1 << 20

// transporterClient gives MSAL the tenant's transport as the HTTP client
// it expects, with every answer's body capped.
type transporterClient struct{ t policy.Transporter }

func (c transporterClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.t.Do(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{r: resp.Body, left: maxAnswerBytes}
	return resp, nil
}

// cappedBody fails the read that goes past its limit, so that an endless
// answer ends in an error rather than in memory exhaustion.
type cappedBody struct {
	r    io.ReadCloser
	left int64
}

var errAnswerTooLarge = fmt.Errorf("the answer of Entra ID is larger than %d bytes", maxAnswerBytes)

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.r.Close() }

// CloseIdleConnections is a no-op: the transport belongs to the tenant.
func (transporterClient) CloseIdleConnections() {}

// newPublicClient builds MSAL's public client over the file cache.
func newPublicClient(s Settings) (public.Client, *fileCache, error) {
	switch {
	case s.TenantID == "" || s.ClientID == "":
		return public.Client{}, nil, errors.New("device code sign-in needs tenant_id and client_id")
	case s.CacheFile == "":
		return public.Client{}, nil, errors.New("device code sign-in needs token_cache_file")
	case s.Transport == nil:
		return public.Client{}, nil, errors.New("device code sign-in needs the tenant's door to Entra ID")
	}
	fc := &fileCache{path: s.CacheFile}
	hc := transporterClient{s.Transport}
	authority := strings.TrimSuffix(s.AuthorityHost, "/") + "/" + s.TenantID
	client, err := public.New(s.ClientID,
		public.WithAuthority(authority),
		public.WithCache(fc),
		public.WithHTTPClient(hc),
		public.WithInstanceDiscovery(!s.DisableInstanceDiscovery))
	if err != nil {
		return public.Client{}, nil, fmt.Errorf("device code sign-in for tenant %q: %w", s.Tenant, err)
	}
	return client, fc, nil
}
