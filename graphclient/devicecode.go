package graphclient

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// newDeviceCodeCredential renews the signed-in account's tokens from the
// tenant's token cache; MSAL's requests to Entra ID go through the door.
func newDeviceCodeCredential(t config.Tenant, d *azurehttp.Door, logger *slog.Logger) (azcore.TokenCredential, error) {
	return signin.NewCredential(SignInSettings(t, d.AuthorityHost(), d.IdentityClient()), signin.CredentialOptions{Logger: logger})
}

// SignInSettings are the settings of the tenant's delegated sign-in, for
// the credential and for --auth.login alike.
func SignInSettings(t config.Tenant, authorityHost string, transport policy.Transporter) signin.Settings {
	return signin.Settings{
		Tenant: t.Name, TenantID: t.TenantID, ClientID: t.ClientID, CacheFile: t.TokenCacheFile,
		AuthorityHost: authorityHost, DisableInstanceDiscovery: !azurehttp.PublicAuthority(authorityHost),
		Transport: transport,
	}
}

// GraphScope is the scope of tokens for the Graph endpoint: its scheme and
// host with /.default, as New asks for.
func GraphScope(endpoint string) (string, error) {
	u, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("graph endpoint %q is not an absolute https URL", endpoint)
	}
	return u.Scheme + "://" + u.Host + "/.default", nil
}

// SignInRequired reports, for a tenant with delegated sign-in, whether
// only a new sign-in can restore its access; ok is false for every other
// auth method.
func (c *Client) SignInRequired() (required, ok bool) {
	cred := c.signedIn.Load()
	if cred == nil {
		return false, false
	}
	return cred.SignInRequired(), true
}
