package config

import (
	"fmt"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration file.
type Config struct {
	Graph Graph `yaml:"graph"`
	// Windows are the trailing windows sessions are counted over. After
	// validation they are sorted by duration, shortest first, so metrics and
	// logs list them in a stable, natural order whatever order the file uses.
	Windows    []Window   `yaml:"windows"`
	Collection Collection `yaml:"collection"`
	Activity   Activity   `yaml:"activity"`
	Capacity   Capacity   `yaml:"capacity,omitempty"`
	Plugins    Plugins    `yaml:"plugins"`
	Tenants    []Tenant   `yaml:"tenants"`
}

// Graph configures the Microsoft Graph client shared by all tenants.
type Graph struct {
	// Endpoint is the Graph base URL including the API version. Validate
	// trims any trailing slash so callers can append "/path" safely.
	Endpoint string `yaml:"endpoint"`
	// AuthorityHost is the Microsoft Entra ID login host. Validate makes sure
	// it ends with a slash, which is the form azidentity expects.
	AuthorityHost string `yaml:"authority_host"`
	// PageSize is the $top used for listings.
	PageSize int `yaml:"page_size"`
	// MaxPageBytes caps one page Graph answers (a $batch answer may be
	// twice as long); a longer answer fails its request.
	MaxPageBytes int64 `yaml:"max_page_bytes"`
}

// Collection tunes how one scrape collects data.
type Collection struct {
	// Timeout is the deadline of one scrape when Prometheus sends no
	// X-Prometheus-Scrape-Timeout-Seconds header.
	Timeout model.Duration `yaml:"timeout"`
	// TimeoutOffset is subtracted from the scrape timeout header so the
	// exporter answers before Prometheus gives up on it.
	TimeoutOffset model.Duration `yaml:"timeout_offset"`
	// MaxConcurrencyPerTenant caps the HTTP requests one tenant has in
	// flight to Graph, a $batch of up to 20 requests counting once, to stay
	// clear of Graph throttling.
	MaxConcurrencyPerTenant int `yaml:"max_concurrency_per_tenant"`
	// MaxWorkspacesPerTenant caps the workspaces read per tenant: a
	// configured list may not be longer, and discovery reads the first ones
	// Graph lists and reports the rest as cut, so that a tenant listing
	// thousands cannot exhaust the exporter's memory or Graph's patience.
	MaxWorkspacesPerTenant int `yaml:"max_workspaces_per_tenant"`
	// CacheTTL is how long a workspace's numbers are reused before Graph is
	// asked again; 0 asks on every scrape.
	CacheTTL model.Duration `yaml:"cache_ttl"`
}

// AuthMethod names how the exporter authenticates to Microsoft Entra ID.
type AuthMethod string

// The supported authentication methods.
const (
	AuthClientSecret      AuthMethod = "client_secret"
	AuthClientCertificate AuthMethod = "client_certificate"
	AuthWorkloadIdentity  AuthMethod = "workload_identity"
	AuthManagedIdentity   AuthMethod = "managed_identity"
	AuthAzureCLI          AuthMethod = "azure_cli"
	// AuthDeviceCode is delegated access for a server: a monitoring
	// account signs in once with the device code flow
	// (--auth.login=TENANT), and scrapes then renew its token from the
	// refresh token kept in token_cache_file.
	AuthDeviceCode AuthMethod = "device_code"
)

// AuthMethods returns all supported authentication methods, in the order
// error messages and documentation list them.
func AuthMethods() []AuthMethod {
	return []AuthMethod{AuthClientSecret, AuthClientCertificate, AuthWorkloadIdentity, AuthManagedIdentity, AuthAzureCLI, AuthDeviceCode}
}

// Tenant is one Microsoft Entra ID tenant to collect from.
//
// Optional fields carry omitempty only so that Config.String stays short;
// decoding treats an absent key and an empty value alike.
type Tenant struct {
	// Name is the value of the `tenant` label.
	Name string `yaml:"name"`
	// TenantID is a GUID or a domain name such as contoso.onmicrosoft.com.
	TenantID string `yaml:"tenant_id"`
	ClientID string `yaml:"client_id,omitempty"`
	// Auth may be left out of the file; it is then inferred from the
	// credential fields. After Load it is always set.
	Auth AuthMethod `yaml:"auth,omitempty"`
	// ClientSecretFile is the path of a file holding the client secret.
	ClientSecretFile string `yaml:"client_secret_file,omitempty"`
	// ClientSecretEnv is the NAME of an environment variable holding the
	// client secret, never the secret itself.
	ClientSecretEnv string `yaml:"client_secret_env,omitempty"`
	// ClientCertificateFile is a PEM file with the certificate and its
	// unencrypted private key.
	ClientCertificateFile string `yaml:"client_certificate_file,omitempty"`
	// FederatedTokenFile is used by workload identity; when empty the
	// credential falls back to $AZURE_FEDERATED_TOKEN_FILE at run time.
	FederatedTokenFile string `yaml:"federated_token_file,omitempty"`
	// TokenCacheFile is where auth device_code keeps the signed-in
	// account's refresh token, written by --auth.login and rewritten when
	// the token rotates; it must be on a writable, persistent volume.
	TokenCacheFile string `yaml:"token_cache_file,omitempty"`
	// Workspaces lists the Security Copilot workspaces to collect; empty
	// means discover them.
	Workspaces []string `yaml:"workspaces,omitempty"`
	// Activity overrides the global activity settings for this tenant.
	Activity *TenantActivity `yaml:"activity,omitempty"`
	// Capacity, when set, reads the tenant's provisioned Security Compute
	// Units from Azure Resource Manager.
	Capacity *TenantCapacity `yaml:"capacity,omitempty"`
	// Plugins overrides the global plugin settings for this tenant.
	Plugins *TenantPlugins `yaml:"plugins,omitempty"`
	// Audit, when set, reads Security Copilot usage from the audit log.
	Audit *TenantAudit `yaml:"audit,omitempty"`
}

// Discover reports whether the tenant's workspaces are discovered at run time
// rather than listed in the configuration.
func (t Tenant) Discover() bool {
	return len(t.Workspaces) == 0
}

// String renders the configuration as YAML, for debug logging. It is safe to
// log because a Config holds only file paths and environment variable names,
// never secret values.
func (c *Config) String() string {
	if c == nil {
		return "<nil>"
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Sprintf("<config not renderable: %v>", err)
	}
	return string(out)
}
