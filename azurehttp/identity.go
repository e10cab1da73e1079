package azurehttp

import (
	"context"
	"crypto"
	"crypto/x509"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The credentials of azidentity are built here only, each with the door's
// identity transport: whatever credential a tenant uses, its secret,
// assertion or certificate signature travels through the door's checks.
// A new kind of credential gets its constructor here.

// publicAuthorities are the Entra ID hosts whose instance metadata Microsoft
// publishes; for any other host (a sovereign deployment, a test) instance
// discovery would call out to the public cloud and must be off.
var publicAuthorities = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoftonline.us":         true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// clientOptions are the options of every credential the door builds.
func (d *Door) clientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:            cloud.Configuration{ActiveDirectoryAuthorityHost: d.authority.String()},
		Transport:        identityTransport{d},
		PerRetryPolicies: d.identityPolicies,
	}
}

func (d *Door) disableInstanceDiscovery() bool {
	return !publicAuthorities[strings.ToLower(d.authority.Hostname())]
}

// PublicAuthority reports whether authorityHost (a URL) is an Entra ID host
// whose instance metadata Microsoft publishes; instance discovery must be
// off for any other.
func PublicAuthority(authorityHost string) bool {
	u, err := url.Parse(authorityHost)
	return err == nil && publicAuthorities[strings.ToLower(u.Hostname())]
}

// AuthorityHost is the configured authority host, the one host credentials
// are sent to.
func (d *Door) AuthorityHost() string { return d.authority.String() }

// ClientSecret builds a client secret credential.
func (d *Door) ClientSecret(tenantID, clientID, secret string) (azcore.TokenCredential, error) {
	return azidentity.NewClientSecretCredential(tenantID, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: d.clientOptions(), DisableInstanceDiscovery: d.disableInstanceDiscovery()})
}

// ClientCertificate builds a client certificate credential.
func (d *Door) ClientCertificate(tenantID, clientID string, certs []*x509.Certificate, key crypto.PrivateKey) (azcore.TokenCredential, error) {
	return azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: d.clientOptions(), DisableInstanceDiscovery: d.disableInstanceDiscovery()})
}

// ClientAssertion builds a credential that signs in with the assertion
// getAssertion returns each time (workload identity's projected token).
func (d *Door) ClientAssertion(tenantID, clientID string, getAssertion func(context.Context) (string, error)) (azcore.TokenCredential, error) {
	return azidentity.NewClientAssertionCredential(tenantID, clientID, getAssertion,
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: d.clientOptions(), DisableInstanceDiscovery: d.disableInstanceDiscovery()})
}

// ManagedIdentity builds a managed identity credential; clientID picks a
// user-assigned identity, "" the system-assigned one. The identity
// endpoint is local to the machine and may be plain http, so the door lets
// token requests go to it: to the instance metadata address, or to the
// endpoint the hosting platform names in its environment.
func (d *Door) ManagedIdentity(clientID string) (azcore.TokenCredential, error) {
	d.allowIdentityHost("169.254.169.254")
	for _, env := range []string{"IDENTITY_ENDPOINT", "MSI_ENDPOINT", "IMDS_ENDPOINT"} {
		if u, err := url.Parse(os.Getenv(env)); err == nil && u.Host != "" {
			d.allowIdentityHost(u.Host)
		}
	}
	opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: d.clientOptions()}
	opts.ClientOptions.Cloud = cloud.Configuration{}
	if clientID != "" {
		opts.ID = azidentity.ClientID(clientID)
	}
	return azidentity.NewManagedIdentityCredential(opts)
}

// AzureCLI builds a credential that asks the Azure CLI for tokens; it
// makes no HTTP request of its own.
func (d *Door) AzureCLI(tenantID string) (azcore.TokenCredential, error) {
	return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenantID})
}
